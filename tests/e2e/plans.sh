#!/usr/bin/env bash
# Action plans end to end, on the hidden-truth fixture tests/plans/ (its
# README): objectives.csv agrees with tests/plans/expected.csv, computed
# independently by tests/plans/expected.R (statuses, planned values, gaps,
# paces, projected years; indicator intervals against the interval their
# draws converge to); with per-year scope aggregates get no status and
# indicators keep theirs; the plan version is in objectives.csv, the run
# record, the workbook and history; a revised plan keeps the first version;
# without a plan there is no objectives.csv and no Objectives sheet.
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"

cp -r "$SRC/tests/plans" "$TMP/p"
cd "$TMP/p"
rm -rf out lcme.db

check "run with a plan exits 0" "$LCME" run batch.ini --quiet
check "objectives.csv written" test -s out/objectives.csv
check "objectives.csv header" test "$(head -n1 out/objectives.csv)" = \
    "unit,node,label,owner,baseline_year,baseline,target,target_year,latest_year,latest,latest_low,latest_high,planned,gap,status,required_per_year,observed_per_year,projected_year,plan_version,note,reason"

# Every row against R's: the same rows; numbers within 1e-9 (relative);
# the same status; an indicator's interval within a tenth of its width of
# x -/+ 1.96 se (2000 Monte Carlo draws), an exact value's a point, an
# aggregate's the run's own (scores.csv).
num_off() {  # num_off COLUMN: SQL counting rows where o and e disagree
    echo "(o.$1 = '') <> (e.$1 = '') or (o.$1 <> '' and abs(cast(o.$1 as real) -
          cast(e.$1 as real)) > 1e-9 * (1 + abs(cast(e.$1 as real))))"
}
cond=""
for c in baseline_year baseline target latest_year latest planned gap required_per_year \
         observed_per_year projected_year; do
    cond="$cond or $(num_off $c)"
done
res=$(sqlite3 :memory: -cmd ".mode csv" -cmd ".import out/objectives.csv o" \
      -cmd ".import expected.csv e" -cmd ".import out/scores.csv s" -cmd ".mode list" "
  select (select count(*) from o), (select count(*) from e),
   (select count(*) from o join e using (unit, node, target_year)),
   (select count(*) from o join e using (unit, node, target_year) where 0 $cond),
   (select count(*) from o join e using (unit, node, target_year) where o.status <> e.status),
   (select count(*) from o join e using (unit, node, target_year) where e.latest_low <> ''
      and o.node in ('rate', 'drop') and (abs(cast(o.latest_low as real) - cast(e.latest_low as real))
      > 0.1 * (cast(e.latest_high as real) - cast(e.latest_low as real))
      or abs(cast(o.latest_high as real) - cast(e.latest_high as real))
      > 0.1 * (cast(e.latest_high as real) - cast(e.latest_low as real)))),
   (select count(*) from o where node = 'libs' and latest_year <> ''
      and (latest_low <> latest or latest_high <> latest)),
   (select count(*) from o join s on s.unit = o.unit and s.node = o.node and s.year = o.latest_year
      where o.node in ('City', 'Access') and (s.ci_low <> o.latest_low or s.ci_high <> o.latest_high)),
   (select count(distinct plan_version) from o);")
IFS='|' read -r n_o n_e n_join n_num n_status n_iv n_point n_agg n_ver <<<"$res"
check "43 rows, as R has ($n_o, $n_e, $n_join joined)" test "$n_o:$n_e:$n_join" = "43:43:43"
check "numbers agree with R ($n_num rows off)" test "$n_num" = 0
check "statuses agree with R and the truth ($n_status rows off)" test "$n_status" = 0
check "indicator intervals agree with x -/+ 1.96 se ($n_iv rows off)" test "$n_iv" = 0
check "an exact value's interval is a point ($n_point rows off)" test "$n_point" = 0
check "aggregate intervals are the run's ($n_agg rows off)" test "$n_agg" = 0
check "one plan version on every row ($n_ver)" test "$n_ver" = 1
for s in achieved "on track" behind "off track" "moving away"; do
    check "some row is $s" grep -q ",$s," out/objectives.csv
done
check "no status without a reason" test -z "$(awk -F, 'NR > 1 && $15 == "" && $NF == ""' out/objectives.csv)"

# The plan version: in the run record, the workbook's Cover and history.
ver=$(awk -F, 'NR == 2 {print $19}' out/objectives.csv)
run=$(sqlite3 lcme.db "select run from run_plan where version = '$ver'")
check "the run record names the plan version ($run)" test -n "$run"
check "history lists the plan version" grep -q "^  $ver  first judged 2024, 8 objectives" \
    <<<"$("$LCME" history batch.ini)"
mkdir x && (cd x && unzip -q ../out/*.xlsx)
check "the workbook has an Objectives sheet" grep -q 'name="Objectives"' x/xl/workbook.xml
check "the Cover gives the plan version" grep -q "$ver" x/xl/sharedStrings.xml
check "a chart per unit with objectives" test "$(ls out/charts/plan-*.png | wc -l)" -eq 7
check "validate reads the plan" bash -c "\"\$1\" validate batch.ini >/dev/null" _ "$LCME"

# Per-year scope: aggregates get no status (and say why); indicators keep
# theirs, with the same raw intervals (the same draws).
sed -e 's/^scope .*/scope     = per-year/' -e 's/^store .*/store     = py.db/' \
    -e 's/^output .*/output    = out-py/' batch.ini > py.ini
check "per-year run exits 0" "$LCME" run py.ini --quiet
res=$(sqlite3 :memory: -cmd ".mode csv" -cmd ".import out/objectives.csv o" \
      -cmd ".import out-py/objectives.csv p" -cmd ".mode list" "
  select (select count(*) from p where node in ('City', 'Access') and (status <> ''
            or planned <> '' or observed_per_year <> '' or reason not like 'aggregate scores normalised per year%')),
   (select count(*) from o join p using (unit, node, target_year) where o.node not in ('City', 'Access')
      and (o.status <> p.status or o.planned <> p.planned or o.observed_per_year <> p.observed_per_year
      or abs(cast(o.latest_low as real) - cast(p.latest_low as real)) > 1e-6));")
IFS='|' read -r n_agg n_ind <<<"$res"
check "per-year: aggregates without status, with the reason ($n_agg rows off)" test "$n_agg" = 0
check "per-year: indicators as pooled ($n_ind rows off)" test "$n_ind" = 0

# A plan revised in a later year: the 2025 batch brings its data and a
# revised plan; both versions are kept, the first with its objectives and
# its run, and the 2025 run is judged on the new one.
awk -F, 'NR == 1 {print; next} $2 == 2024 {$2 = 2025; print}' OFS=, observations.csv > obs2025.csv
sed 's/^\*,City,70,/*,City,75,/' plan.csv > plan2.csv
sed -e 's/^plan .*/plan      = plan2.csv/' -e 's/^year .*/year      = 2025/' \
    -e 's/^data .*/data      = observations.csv, obs2025.csv/' batch.ini > rev.ini
check "revised plan run exits 0" "$LCME" run rev.ini --quiet
hist=$("$LCME" history rev.ini)
check "history lists two plan versions" grep -q "^Plan versions (2):" <<<"$hist"
check "the first version is listed from 2024" grep -q "^  $ver  first judged 2024" <<<"$hist"
check "the first version keeps its 8 objectives" \
    test "$(sqlite3 lcme.db "select count(*) from plan_objective where version = '$ver'")" = 8
check "the 2024 run still names the first version" \
    test "$(sqlite3 lcme.db "select version from run_plan where run = '$run'")" = "$ver"
ver2=$(awk -F, 'NR == 2 {print $19}' out/objectives.csv)
check "the 2025 run names the new version ($ver2)" test -n "$ver2" -a "$ver2" != "$ver"
check "its target is the revised one" grep -q "^A,City,.*,75,2026,2025," out/objectives.csv

# Without a plan: no objectives.csv, no Objectives sheet, another run id.
grep -v '^plan ' batch.ini | sed -e 's/^store .*/store     = np.db/' \
    -e 's/^output .*/output    = out-np/' > np.ini
check "run without a plan exits 0" "$LCME" run np.ini --quiet
check "no objectives.csv without a plan" test ! -e out-np/objectives.csv
mkdir y && (cd y && unzip -q ../out-np/*.xlsx)
check "no Objectives sheet without a plan" test -z "$(grep -l Objectives y/xl/workbook.xml)"
check "no plan chart without a plan" test -z "$(ls out-np/charts | grep '^plan-')"
check "no plan tables in a store that never saw a plan" \
    test "$(sqlite3 np.db "select count(*) from sqlite_master where name like 'plan%'")" = 0

finish
