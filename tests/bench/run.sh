#!/usr/bin/env bash
# Benchmarks, run on purpose (./build.sh bench), never in CI: a network-scale
# synthetic batch (356 units x 126 indicators x 11 years, about 490,000
# observations) through `lcme run --timings`, RUNS times; prints the median of
# each stage, observations per second for ingest and store, and peak memory.
# RETURNS=1 reads the same observations as a year's returns would arrive:
# one CSV file per unit and year (3,916 files), data = returns/*.csv.
set -euo pipefail
LCME=$(readlink -f "${1:-build/lcme}")
RUNS=${RUNS:-5}
REPS=${REPS:-0}          # Monte Carlo replications for the timed runs
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

"$LCME" gen --units 356 --indicators-per-feature 3 --first-year 2016 --years 11 \
    --missing 0.05 --seed 1 -o "$W/net" 2>/dev/null
obs=$(($(wc -l < "$W/net/observations.csv") - 1))
if [ "${RETURNS:-0}" = 1 ]; then
    mkdir "$W/net/returns"
    awk -F, -v d="$W/net/returns" 'NR == 1 { h = $0; next }
        { f = d "/" $1 "-" $2 ".csv"; if (!(f in seen)) { seen[f] = 1; print h > f } print >> f; close(f) }' \
        "$W/net/observations.csv"
    sed -i 's|^data .*|data = returns/*.csv|' "$W/net/batch.ini"
    echo "as $(ls "$W/net/returns" | wc -l) returns, one per unit and year"
fi
echo "network-scale batch: $obs observations, $RUNS runs, replications $REPS"

for i in $(seq "$RUNS"); do
    rm -f "$W/net/lcme.db"; rm -rf "$W/net/out"
    /usr/bin/time -f "peak_rss_kb: %M" "$LCME" run "$W/net/batch.ini" --timings --quiet \
        --replications "$REPS" --no-charts 2>> "$W/timings.txt"
done

awk -v obs="$obs" -v runs="$RUNS" '
    /: [0-9.]+$/ { split($0, a, ": "); v[a[1]] = v[a[1]] " " a[2]; if (!(a[1] in seen)) { seen[a[1]] = 1; order[++n] = a[1] } }
    END {
        for (i = 1; i <= n; i++) {
            k = order[i]; m = split(substr(v[k], 2), x, " ");
            for (p = 2; p <= m; p++) { t = x[p] + 0; q = p - 1; while (q > 0 && x[q] + 0 > t) { x[q + 1] = x[q]; q-- } x[q + 1] = t }
            med = (m % 2) ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2;
            line = sprintf("%-12s median %.4f  (runs: %d)", k, med, m);
            if (k == "ingest" || k == "store" || k == "cube")
                line = line sprintf("  %.0f obs/s", obs / med);
            if (k == "peak_rss_kb") line = sprintf("%-12s median %.0f MiB", "peak memory", med / 1024);
            print line
        }
    }' "$W/timings.txt"

# Charts and report for the Hong Kong sample batch (18 units).
SRC=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$W/hk/datasets"
cp -r "$SRC/indicators" "$W/hk/"
cp -r "$SRC/datasets/hong-kong" "$W/hk/datasets/"
rm -rf "$W/hk/datasets/hong-kong/out" "$W/hk/datasets/hong-kong/lcme.db"
: > "$W/charts.txt"
for i in $(seq "$RUNS"); do
    "$LCME" run "$W/hk/datasets/hong-kong/batch.ini" --timings --quiet --replications 0 \
        2>&1 | grep -E '^(charts|report):' >> "$W/charts.txt"
done
echo "sample batch (18 units), charts and report:"
for k in charts report; do
    grep "^$k:" "$W/charts.txt" | cut -d' ' -f2 | sort -g |
        awk -v k="$k" '{ x[NR] = $1 } END { printf "%-12s median %.4f  (runs: %d)\n", k, (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2, NR }'
done

# COINr's pipeline 1 (datasets/asem-pipeline1): the computation (scores
# stage) and the whole process with the workbook and CSV files, no charts.
mkdir -p "$W/asem/datasets" "$W/asem/tests"
cp -r "$SRC/datasets/asem-pipeline1" "$W/asem/datasets/"
cp -r "$SRC/tests/conformance" "$W/asem/tests/"
: > "$W/asem.txt"
for i in $(seq "$RUNS"); do
    /usr/bin/time -f "process: %e" "$LCME" run "$W/asem/datasets/asem-pipeline1/batch.ini" \
        --timings --quiet --replications 0 --no-charts 2>&1 | grep -E '^(scores|workbook|process):' >> "$W/asem.txt"
done
echo "ASEM pipeline 1 (51 units, 49 indicators):"
for k in scores workbook process; do
    grep "^$k:" "$W/asem.txt" | cut -d' ' -f2 | sort -g |
        awk -v k="$k" '{ x[NR] = $1 } END { printf "%-12s median %.4f  (runs: %d)\n", k, (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2, NR }'
done

# The same pipeline's methods at network scale (no denominators in the
# synthetic batch: screen, mean imputation, treatment, min-max, arithmetic).
sed -e 's/^impute .*/impute = mean/' -e 's/^treat .*/treat = winsorise/' \
    -e 's/^\[method\]/[method]\nscreen = byNA\ndat_thresh = 0.9/' "$W/net/batch.ini" > "$W/net/p1.ini"
: > "$W/p1.txt"
for i in $(seq "$RUNS"); do
    rm -f "$W/net/lcme.db"
    "$LCME" run "$W/net/p1.ini" --timings --quiet --replications 0 --no-charts -o "$W/net/p1out" \
        2>&1 | grep -E '^(scores|total):' >> "$W/p1.txt"
done
echo "pipeline 1 methods at network scale:"
for k in scores total; do
    grep "^$k:" "$W/p1.txt" | cut -d' ' -f2 | sort -g |
        awk -v k="$k" '{ x[NR] = $1 } END { printf "%-12s median %.4f  (runs: %d)\n", k, (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2, NR }'
done

# The targets of the whole process (charts and report on): network scale at
# R = 0 and R = 200, and 1,000 units at R = 200 with its peak memory.
"$LCME" gen --units 1000 --indicators-per-feature 3 --first-year 2016 --years 11 \
    --missing 0.05 --seed 1 -o "$W/big" 2>/dev/null
target() {  # target NAME BATCH REPLICATIONS
    : > "$W/target.txt"
    for i in $(seq "$RUNS"); do
        rm -rf "$(dirname "$2")/out" "$(dirname "$2")/lcme.db"
        /usr/bin/time -f "peak_rss_kb: %M" "$LCME" run "$2" --timings --quiet \
            --replications "$3" 2>&1 | grep -E '^(uncertainty|total|peak_rss_kb):' >> "$W/target.txt"
    done
    for k in uncertainty total peak_rss_kb; do
        grep "^$k:" "$W/target.txt" | cut -d' ' -f2 | sort -g |
            awk -v k="$k" -v n="$1" '{ x[NR] = $1 } END { m = (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2;
                if (k == "peak_rss_kb") printf "%-28s peak memory median %.0f MiB\n", n, m / 1024;
                else printf "%-28s %-12s median %.3f s  (runs: %d)\n", n, k, m, NR }'
    done
}
echo "whole process, charts and report on:"
target "network scale, R = 0" "$W/net/batch.ini" 0
target "network scale, R = 200" "$W/net/batch.ini" 200
target "1,000 units, R = 200" "$W/big/batch.ini" 200


# Spreadsheet returns: the ingest stage of the Hong Kong sample's 2026 rows
# as one CSV file and as 18 returned templates (lcme template, filled by
# tests/e2e/fill_returns.py); bench_xlsx below times bare sheets.
R=$W/hk/datasets/hong-kong
awk -F, 'NR == 1 || $2 == "2026"' "$R/observations.csv" > "$R/current.csv"
"$LCME" template "$R/batch.ini" --by unit -o "$R/returns" > /dev/null
python3 "$SRC/tests/e2e/fill_returns.py" "$R/current.csv" "$R"/returns/*.xlsx > /dev/null
: > "$W/returns.txt"
for data in current.csv 'returns/*.xlsx'; do
    sed -e "s#^data .*#data = $data#" -e 's#^store .*#store = r.db#' "$R/batch.ini" > "$R/r.ini"
    for i in $(seq "$RUNS"); do
        rm -f "$R/r.db"
        "$LCME" run "$R/r.ini" --timings --quiet --replications 0 --no-charts -o "$R/rout" \
            2>&1 | sed -n "s#^ingest: #$data #p" >> "$W/returns.txt"
    done
done
echo "Hong Kong 2026 rows (2,169), ingest stage:"
for data in current.csv 'returns/*.xlsx'; do
    grep -F "$data " "$W/returns.txt" | cut -d' ' -f2 | sort -g |
        awk -v k="$data" '{ x[NR] = $1 } END { printf "%-16s median %.4f  (runs: %d)\n", k, (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2, NR }'
done

# The sensitivity analysis (bench_sensitivity.c): COINr's ASEM example with
# the vignette's four assumptions, mode = sa, N = 1000; the network-scale
# batch with per-year settings (the evaluation year alone is evaluated) and
# d = 6, N = 1000; the same with pooled settings (every year), N = 100.
BS="$(dirname "$LCME")/bench_sensitivity"
if [ -x "$BS" ]; then
    cp -r "$SRC/datasets/asem-sensitivity" "$W/asem/datasets/"
    sed -e 's/^scope .*/scope = per-year/' -e 's/^impute .*/impute = mean/' \
        -e 's/^treat .*/treat = winsorise/' "$W/net/batch.ini" > "$W/net/sens.ini"
    printf '%s\n' '[sensitivity]' 'mode = sa' 'seed = 7' 'winmax = 1, 3, 5' \
        'normalise = minmax 1 100, zscore 10 2' 'aggregate = arithmetic, geometric' \
        'impute = none, mean, median' 'weights_noise = 0.25' 'weights_levels = 2, 3' \
        'exclude = each' >> "$W/net/sens.ini"
    sed 's/^scope .*/scope = pooled/' "$W/net/sens.ini" > "$W/net/sens-pooled.ini"
    echo "== bench_sensitivity"
    "$BS" "$W/asem/datasets/asem-sensitivity/batch.ini" 1000 "$RUNS" 2 \
        "$W/net/sens.ini" 1000 "$W/net/sens-pooled.ini" 100
fi

# Module benchmarks built beside the engine, when present; bench_outputs
# takes the network-scale batch (each output beside the bare library).
for b in "$(dirname "$LCME")"/bench_*; do
    [ -x "$b" ] && [ "$b" != "$BS" ] || continue
    echo "== $(basename "$b")"
    if [ "$(basename "$b")" = bench_outputs ]; then "$b" "$W/net/batch.ini" "$RUNS"; else "$b"; fi
done
# COINr on the same batch, when R and COINr are installed (vs_coinr.sh).
if command -v Rscript >/dev/null && Rscript -e 'library(COINr)' >/dev/null 2>&1; then
    echo "== against COINr's whole workflow"
    RUNS=$RUNS bash "$(dirname "$0")/vs_coinr.sh" "$LCME"
fi
exit 0
