#!/usr/bin/env bash
# [sensitivity] from the command line, on datasets/asem-sensitivity (COINr's
# ASEM example with the assumptions of COINr's sensitivity vignette) at
# N = 128: the outputs a batch with the section adds (sensitivity.csv,
# sobol.csv, sensitivity_runs.csv, the Sensitivity sheet, the two charts, the
# report section, the store's tables), byte-identical on 1 and 2 threads;
# none of them for a batch without it; bad keys reported at FILE:LINE:COL
# with exit code 1, by validate as well as by run.
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"

mkdir -p "$TMP/tests" "$TMP/datasets"
cp -r "$SRC/tests/conformance" "$TMP/tests/"
batch=$(copy_batch asem-sensitivity)
dir=$(dirname "$batch")
sed -i 's/^samples .*/samples = 128/' "$batch"

check "run on 1 thread" "$LCME" run "$batch" --quiet --threads 1 -o "$TMP/o1"
rm -f "$dir/lcme.db"
check "run on 2 threads" "$LCME" run "$batch" --quiet --threads 2 -o "$TMP/o2"
check "the outputs do not depend on the threads" diff -r "$TMP/o1" "$TMP/o2"

o=$TMP/o2
check "sensitivity.csv header" test "$(head -1 "$o/sensitivity.csv")" = \
    "unit,nominal_rank,mean_rank,median_rank,rank_q05,rank_q95"
check "sensitivity.csv: a row per unit" test "$(wc -l < "$o/sensitivity.csv")" -eq 52
check "sobol.csv header" test "$(head -1 "$o/sobol.csv")" = \
    "assumption,si,si_low,si_high,sti,sti_low,sti_high"
check "sobol.csv: the four assumptions by key" test \
    "$(cut -d, -f1 "$o/sobol.csv" | tail -n +2 | tr '\n' ' ')" = \
    "winmax normalise aggregate weights_noise "
check "sensitivity_runs.csv: N (d + 2) runs" test "$(wc -l < "$o/sensitivity_runs.csv")" -eq 769
check "sensitivity_runs.csv: every run's settings" grep -q \
    '^1,A,,1,[1-5],"\?[a-z]* [0-9 ]*"\?,[a-z]*,draw 0,[0-9.]*,ok$' "$o/sensitivity_runs.csv"
check "the sensitivity charts" test -s "$o/charts/sensitivity-ranks.png" -a \
    -s "$o/charts/sensitivity-indices.pdf"
check "the report's section" grep -q "How robust are the ranks" <(pdftotext "$o/report.pdf" -)
xlsx=$(ls "$o"/*.xlsx)
check "the Sensitivity sheet" grep -q 'name="Sensitivity"' <(unzip -p "$xlsx" xl/workbook.xml)
check "the store's runs table" test "$(sqlite3 "$dir/lcme.db" \
    'SELECT count(*) FROM sensitivity_run')" -eq 768
check "the store's parameters" test "$(sqlite3 "$dir/lcme.db" \
    "SELECT count(DISTINCT assumption) FROM sensitivity_param")" -eq 4

# Without the section: none of it.
sed '/^\[sensitivity\]/,$d' "$batch" > "$dir/plain.ini"
check "the batch without [sensitivity] runs" "$LCME" run "$dir/plain.ini" --quiet \
    --no-charts -o "$TMP/p"
check "no sensitivity files" test ! -e "$TMP/p/sensitivity.csv" -a ! -e "$TMP/p/sobol.csv" -a \
    ! -e "$TMP/p/sensitivity_runs.csv"
check "no Sensitivity sheet" test -z "$(unzip -p "$TMP"/p/*.xlsx xl/workbook.xml | \
    grep -o 'name="Sensitivity"')"

# Bad keys: FILE:LINE:COL, exit 1, from validate and run.
line=$(grep -n '^target' "$batch" | cut -d: -f1)
sed 's/^target .*/target         = Nowhere/' "$batch" > "$dir/bad.ini"
err=$("$LCME" validate "$dir/bad.ini" 2>&1); rc=$?
check "an unknown target exits 1 (got $rc)" test $rc -eq 1
check "and names its line and column: $err" grep -q \
    "bad.ini:$line:18: error: \[sensitivity\] target: 'Nowhere' is not a node" <<<"$err"
printf 'winmax_typo = 3\n' >> "$dir/bad.ini"
err=$("$LCME" run "$dir/bad.ini" --quiet 2>&1); rc=$?
check "an unknown key exits 1 (got $rc)" test $rc -eq 1
check "at its line: $err" grep -q "bad.ini:$(wc -l < "$dir/bad.ini"):1: error: \[sensitivity\] unknown key 'winmax_typo'" <<<"$err"
finish
