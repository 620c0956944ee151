#!/usr/bin/env bash
# Benchmarks, run on purpose (./build.sh bench), never in CI: a network-scale
# synthetic batch (356 units x 126 indicators x 11 years, about 490,000
# observations) through `lcme run --timings`, RUNS times; prints the median of
# each stage, observations per second for ingest and store, and peak memory.
set -euo pipefail
LCME=$(readlink -f "${1:-build/lcme}")
RUNS=${RUNS:-5}
REPS=${REPS:-0}          # Monte Carlo replications for the timed runs
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

"$LCME" gen --units 356 --indicators-per-feature 3 --first-year 2016 --years 11 \
    --missing 0.05 --seed 1 -o "$W/net" 2>/dev/null
obs=$(($(wc -l < "$W/net/observations.csv") - 1))
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

# Module benchmarks built beside the engine, when present.
for b in "$(dirname "$LCME")"/bench_*; do
    [ "$b" = "$BS" ] && continue
    [ -x "$b" ] && { echo "== $(basename "$b")"; "$b"; }
done
exit 0
