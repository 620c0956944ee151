#!/usr/bin/env bash
# The UNESCO SDG 4 batch (real data, datasets/unesco-sdg4/) end to end:
# imputation over time, screening, winsorisation, pooled min-max and the
# arithmetic tree checked against an independent computation; the by-sex
# series (framework rows of type Other) are read and stored but never scored.
#
# Every expected number below was printed by tests/unesco/reference.py
# (Python standard library, written from the method descriptions, not from
# lcme's code) on the committed observations.csv; rerun it after changing the
# data or the batch and copy its output here. Scores are compared at a
# relative error of 1e-9.
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"

batch=$(copy_batch unesco-sdg4)
dir=$(dirname "$batch")
out=$dir/out

msg=$("$LCME" validate "$batch" 2>&1)
check "validate exits 0" test $? -eq 0
check "validate counts every series, by-sex ones included ($msg)" \
    grep -q "48378 observations of 29 indicators for 213 units" <<<"$msg"

check "run exits 0" "$LCME" run "$batch" --replications 0 --no-charts --quiet
check "scores.csv written" test -s "$out/scores.csv"

# The by-sex series: 40 Other rows, 26,246 observations, in the store and
# nowhere among the scores.
nsex=$(sqlite3 "$dir/lcme.db" "select count(*) from observation
         where indicator like '%\_f' escape '\' or indicator like '%\_m' escape '\'
            or indicator like '%\_f\_cp' escape '\' or indicator like '%\_m\_cp' escape '\'")
check "26246 by-sex observations stored (got $nsex)" test "$nsex" = 26246
scored=$(awk -F, 'NR > 1 && ($3 ~ /_[fm]$/ || $3 ~ /_[fm]_cp$/)' "$out/scores.csv" | wc -l)
check "no by-sex series scored (got $scored rows)" test "$scored" -eq 0

# Coverage (reference.py): 121 of 213 countries pass screening in 2023, 30
# in 2015; the index is scored for 121 in 2023 and 28 in 2015 (two kept in
# 2015 lack two of three areas); 2,823 indicator values in 2023, on all 29
# indicators. Each line: expected count, file, awk condition on its rows.
while IFS='|' read -r want file cond what; do
    n=$(awk -F, "$cond" "$out/$file" | wc -l)
    check "$want $what (got $n)" test "$n" -eq "$want"
done <<'EOF'
121|quality.csv|$1 == "unit" && $3 == 2023 && $6 == "screened" && $7 == 0|countries kept by screening in 2023
30|quality.csv|$1 == "unit" && $3 == 2015 && $6 == "screened" && $7 == 0|countries kept by screening in 2015
121|scores.csv|NR > 1 && $3 == "KFLC" && $2 == 2023 && $5 != ""|index scores in 2023
28|scores.csv|NR > 1 && $3 == "KFLC" && $2 == 2015 && $5 != ""|index scores in 2015
2823|scores.csv|NR > 1 && $4 == 1 && $2 == 2023 && $5 != ""|indicator values in 2023
29|scores.csv|NR > 1 && $4 == 1 && $2 == 2023 && $5 != "" && !seen[$3]++|indicators with a value in 2023
EOF

# Scores in 2023 (reference.py): three index scores, an area, a feature and
# two normalised indicators (ger_5t8 pooled over a skewed range;
# rofst_1_cp, lower is better, treated once over every year's values, as
# scope = pooled treats outliers: five points winsorised do not pass, so
# the values are log-transformed).
while read -r unit node want; do
    got=$(awk -F, -v u="$unit" -v n="$node" 'NR > 1 && $1 == u && $2 == 2023 && $3 == n {print $5}' \
          "$out/scores.csv")
    check "$unit $node 2023 = $want (got $got)" \
        awk -v g="$got" -v w="$want" 'BEGIN { d = g - w; if (d < 0) d = -d;
            exit !(g != "" && d <= 1e-9 * (w < 0 ? -w : w)) }'
done <<'EOF'
cub KFLC 80.919891288058096
fin KFLC 65.676694581744172
ind KFLC 42.619252232799155
bra A2 37.44050993868408
blr A1 99.794734310175002
deu K2_5_3 76.253050357109302
arg ger_5t8 63.415224588519671
pak rofst_1_cp 10.904793623262901
EOF

# Comparisons over time (reference.py, METHODS.md section 11): coverage and
# ranks, changes like with like, composition changes. Most 2023 values are
# carried forward, which is no observation, so many aggregate changes end
# before 2023 or cannot be made.
unranked=$(awk -F, 'NR > 1 && $3 == "KFLC" && $2 == 2023 && $5 != "" && $8 == ""' "$out/scores.csv" | wc -l)
check "24 index scores in 2023 not ranked for their coverage (got $unranked)" test "$unranked" -eq 24
cov=$(awk -F, 'NR > 1 && $1 == "cub" && $3 == "KFLC" && $2 == 2023 {print $11}' "$out/scores.csv")
check "Cuba's index covers 11/18 of its weight (got $cov)" \
    awk -v g="$cov" 'BEGIN { d = g - 11 / 18; exit !(g != "" && d < 1e-12 && d > -1e-12) }'
res=$(sqlite3 :memory: -cmd ".mode csv" -cmd ".import $out/trends.csv t" -cmd ".mode list" "
  select (select count(*) from t where node glob '[A-Z]*' and change_constant = '1'),
         (select count(*) from t where node glob '[A-Z]*' and change_constant = '0'),
         (select count(*) from t where node = 'KFLC' and change_constant = '0'),
         (select count(*) from t where node = 'KFLC' and change_constant = '1')")
check "aggregate changes since 2015: 1657 constant, 378 common; index 63 and 0 (got $res)" \
    test "$res" = "1657|378|63|0"
while read -r unit node base last want; do
    got=$(sqlite3 :memory: -cmd ".mode csv" -cmd ".import $out/trends.csv t" -cmd ".mode list" \
          "select base_year || ' ' || last_year || ' ' || change_since_base from t
           where unit = '$unit' and node = '$node'")
    check "$unit $node change $base-$last = $want (got $got)" \
        awk -v g="$got" -v b="$base" -v l="$last" -v w="$want" 'BEGIN { split(g, a, " ");
            d = a[3] - w; if (d < 0) d = -d;
            exit !(a[1] == b && a[2] == l && d <= 1e-9 * (w < 0 ? -w : w)) }'
done <<'EOF'
fin KFLC 2015 2021 0.32282642335374589
ind KFLC 2020 2022 1.3681695275654562
bra A2 2015 2022 3.4490103226424154
EOF
notes=$(unzip -p "$out"/*.xlsx xl/sharedStrings.xml)
check "Notes count 1004 composition changes" grep -q "Composition changes: 1004 times" <<<"$notes"
check "Notes: of 2971 aggregate changes, 1657 constant, 378 common, 936 not made" \
    grep -q "of 2971, 1657 compare the published scores.*378 were computed again.*936 could not" <<<"$notes"

# An Other row cannot be a denominator.
mkdir -p "$TMP/other"
cat >"$TMP/other/fw.csv" <<'EOF'
code,parent,denominator,type
idx,,,Aggregate
a1,idx,a1_f,Indicator
a1_f,,,Other
EOF
printf 'unit,year,indicator,value\nu1,2020,a1,1\nu1,2020,a1_f,2\n' >"$TMP/other/obs.csv"
printf '[batch]\nname = other\nyear = 2020\nframework = fw.csv\ndata = obs.csv\n' >"$TMP/other/batch.ini"
msg=$("$LCME" validate "$TMP/other/batch.ini" 2>&1)
rc=$?
check "an Other row as denominator is bad input (exit $rc)" test $rc -eq 1
check "the error names the Other row ($msg)" \
    grep -q "fw.csv:3:3: error: denominator 'a1_f' is not a Denominator row of the framework (it is an Other row)" <<<"$msg"

finish
