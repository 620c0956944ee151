#!/usr/bin/env bash
# The Hong Kong sample batch end to end: it runs, the workbook is a well-formed
# package with numbers as numeric cells, scores.csv agrees with the store, two
# runs give identical bytes, and validate/history/--help/--version behave.
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"

batch=$(copy_batch hong-kong)
dir=$(dirname "$batch")
out=$dir/out

check "run exits 0" "$LCME" run "$batch" --quiet
xlsx=$(ls "$out"/*.xlsx 2>/dev/null | head -n1)
check "workbook written" test -s "$xlsx"
check "scores.csv written" test -s "$out/scores.csv"
check "trends.csv written" test -s "$out/trends.csv"
check "quality.csv written" test -s "$out/quality.csv"
check "no temporary folder left" test -z "$(ls -A "$out" | grep lcme-tmp)"

# The workbook: every XML part well-formed; the sheets the design names exist.
mkdir "$TMP/x"
(cd "$TMP/x" && unzip -q "$xlsx")
bad=0
while IFS= read -r f; do xmllint --noout "$f" 2>/dev/null || { bad=1; echo "not well-formed: $f" >&2; }; done \
    < <(find "$TMP/x" -name '*.xml' -o -name '*.rels')
check "every part is well-formed XML" test $bad -eq 0
for s in Cover Notes Summary Scores Indicators History Features Trends Groups Quality Data \
         Framework Charts; do
    check "sheet $s exists" grep -q "name=\"$s\"" "$TMP/x/xl/workbook.xml"
done
# Scores sheet (the fourth): numeric cells (no t= attribute) in the score
# column F, the first data row being 4 (a title and a line above the table).
check "scores are numeric cells" grep -q '<c r="F4"[^>]*><v>' "$TMP/x/xl/worksheets/sheet4.xml"
check "tables exist" test -n "$(ls "$TMP"/x/xl/tables/ 2>/dev/null)"
check "no NaN text in the workbook" test -z "$(grep -l '>nan<\|>NaN<' -r "$TMP/x" 2>/dev/null)"

# scores.csv: header as designed; 18 districts; the index score in 2026 for
# one district equals the store's result row.
check "scores.csv header" test "$(head -n1 "$out/scores.csv")" = \
    "unit,year,node,level,score,ci_low,ci_high,rank,rank_low,rank_high,coverage"
units=$(awk -F, 'NR > 1 && $3 == "KFLC" && $2 == 2026' "$out/scores.csv" | wc -l)
check "18 units scored at the index in 2026 (got $units)" test "$units" -eq 18
csv_score=$(awk -F, 'NR > 1 && $3 == "KFLC" && $2 == 2026 && $1 == "ST" {print $5}' "$out/scores.csv")
db_score=$(sqlite3 "$dir/lcme.db" "select printf('%.12f', score) from result where node='KFLC' and year=2026 and unit='ST'")
check "scores.csv and store agree ($csv_score vs $db_score)" \
    test "$(printf '%.12f' "$csv_score")" = "$db_score"
# Every score lies in its own interval and every rank in its rank interval
# (METHODS.md section 6, Intervals): before the rule that extends an
# interval to its nominal value, 64 of the 198 index scores lay outside
# theirs (units tied at a bound of a count indicator).
out_s=$(awk -F, 'NR > 1 && $6 != "" && ($5 < $6 || $5 > $7)' "$out/scores.csv" | wc -l)
out_r=$(awk -F, 'NR > 1 && $9 != "" && $8 != "" && ($8 < $9 || $8 > $10)' "$out/scores.csv" | wc -l)
check "every score in its interval ($out_s outside)" test "$out_s" = 0
check "every rank in its rank interval ($out_r outside)" test "$out_r" = 0
out_c=$(sqlite3 :memory: -cmd ".mode csv" -cmd ".import $out/trends.csv t" -cmd ".mode list" "
  select count(*) from t
   where (change_low <> '' and (cast(change_since_base as real) < cast(change_low as real)
          or cast(change_since_base as real) > cast(change_high as real)))
      or (change_prev_low <> '' and (cast(change_since_prev as real) < cast(change_prev_low as real)
          or cast(change_since_prev as real) > cast(change_prev_high as real)))")
check "every change in its interval ($out_c outside)" test "$out_c" = 0

# trends.csv: the contract's 17 columns, then the appended change since the
# year before, the target, and each change's p-value and significance flag;
# checked against scores.csv by subtraction on every row. A change is
# assessed (it has a p-value) only when a measured error enters it: then its
# excludes-zero flag agrees with its own interval and its flag of
# significance is 0 or 1, and 1 only with p <= 0.05 (Benjamini-Hochberg at
# 1 - level); a change that is not assessed has an empty flag, p-value and
# significance, whatever its interval (the old check, flag == interval
# excludes 0 on every row, called changes of exact data significant).
check "trends.csv header" test "$(head -n1 "$out/trends.csv")" = \
    "unit,node,first_year,last_year,points,slope,slope_low,slope_high,sen_slope,mk_s,mk_z,mk_p,cagr,change_since_base,change_low,change_high,progress,base_year,change_excludes_zero,prev_year,change_since_prev,change_prev_low,change_prev_high,change_prev_excludes_zero,target,change_p,change_significant,change_prev_p,change_prev_significant,change_constant,change_indicators,change_prev_constant,change_prev_indicators"
# (sqlite3's CSV import reads the quoted progress texts that hold commas.)
res=$(sqlite3 :memory: -cmd ".mode csv" -cmd ".import $out/scores.csv s" \
      -cmd ".import $out/trends.csv t" -cmd ".mode list" "
  select (select count(*) from t where change_prev_low <> ''),
   (select count(*) from t
      join s a on a.unit = t.unit and a.node = t.node and a.year = t.last_year
      join s b on b.unit = t.unit and b.node = t.node and b.year = t.prev_year
    where t.prev_year <> '' and t.change_prev_constant = '1'
      and (cast(t.prev_year as int) <> cast(t.last_year as int) - 1
      or abs(cast(t.change_since_prev as real) - (cast(a.score as real) - cast(b.score as real)))
         > 1e-9 * (1 + abs(cast(a.score as real) - cast(b.score as real)))));")
rows=${res%%|*} bad=${res##*|}
check "trends.csv has changes since last year with intervals ($rows rows)" test "$rows" -ge 3000
check "trends.csv change since last year agrees with scores.csv ($bad off)" test "$bad" = 0
# The same rules for both kinds of change: since the base year (columns
# change_low, change_high, change_excludes_zero, change_p,
# change_significant) and since the previous year (change_prev_*).
for kind in change change_prev; do
    res=$(sqlite3 :memory: -cmd ".mode csv" -cmd ".import $out/trends.csv t" -cmd ".mode list" "
  select (select count(*) from t where ${kind}_p <> ''),
   (select count(*) from t where ${kind}_p = '' and ${kind}_low <> ''),
   (select count(*) from t where ${kind}_p <> '' and (${kind}_low = ''
      or cast(${kind}_excludes_zero as int) <>
         (cast(${kind}_low as real) > 0 or cast(${kind}_high as real) < 0)
      or ${kind}_significant not in ('0', '1')
      or (${kind}_significant = '1' and cast(${kind}_p as real) > 0.05)
      or cast(${kind}_p as real) <= 0 or cast(${kind}_p as real) > 1))
   + (select count(*) from t where ${kind}_p = ''
      and (${kind}_excludes_zero <> '' or ${kind}_significant <> ''));")
    IFS='|' read -r assessed unassessed bad <<<"$res"
    check "$kind: assessed changes ($assessed) and changes with an interval but not assessed ($unassessed)" \
        test "$assessed" -ge 1000 -a "$unassessed" -ge 1
    check "$kind: flags and p-values where assessed, empty where not ($bad off)" test "$bad" = 0
done
# Progress classes: the target-based ones exactly where a target was used,
# the bands without a target exactly where none was; aggregates too (the
# Hong Kong framework gives every area of focus a target score).
res=$(sqlite3 :memory: -cmd ".mode csv" -cmd ".import $out/trends.csv t" -cmd ".mode list" "
  select (select count(*) from t where target <> '' and node not like 'I%'
            and progress in ('target met', 'on track', 'progress, acceleration needed',
                             'limited progress', 'deterioration')),
   (select count(*) from t where (target = '' and progress in ('target met', 'on track',
            'progress, acceleration needed'))
      or (target <> '' and progress in ('substantial progress', 'moderate progress')));")
agg=${res%%|*} bad=${res##*|}
check "aggregates classed against their target score ($agg rows)" test "$agg" -ge 500
check "progress classes match the presence of a target ($bad off)" test "$bad" = 0

# Rerun: identical bytes.
cp "$xlsx" "$TMP/first.xlsx"
cp "$out/scores.csv" "$TMP/first.csv"
check "rerun exits 0" "$LCME" run "$batch" --quiet --timings 2>"$TMP/timings"
for s in scores uncertainty "uncertainty replications" "uncertainty percentiles" trends; do
    check "--timings gives the $s stage" grep -Eq "^$s: [0-9]+\.[0-9]{6}\$" "$TMP/timings"
done
check "rerun gives identical workbook" cmp -s "$xlsx" "$TMP/first.xlsx"
check "rerun gives identical scores.csv" cmp -s "$out/scores.csv" "$TMP/first.csv"
runs=$(sqlite3 "$dir/lcme.db" "select count(*) from run")
check "a rerun replaces its run (runs: $runs)" test "$runs" -eq 1

# validate, history, help, version.
check "validate exits 0" "$LCME" validate "$batch"
hist=$("$LCME" history "$batch")
check "history lists the run" grep -q "done" <<<"$hist"
check "history lists 2016" grep -q "2016" <<<"$hist"
check "--version" grep -q '^lcme [0-9]' <<<"$("$LCME" --version)"
check "--help" grep -q 'Usage: lcme run' <<<"$("$LCME" --help)"
"$LCME" frobnicate >/dev/null 2>&1; rc=$?
check "unknown command exits 2 (got $rc)" test $rc -eq 2
"$LCME" run >/dev/null 2>&1; rc=$?
check "run without batch exits 2 (got $rc)" test $rc -eq 2

finish
