#!/usr/bin/env bash
# vs_coinr.sh: lcme's whole process against COINr's whole workflow on the
# same network-scale batch (356 units x 126 indicators x 11 years), timed in
# one run, the two alternating so that both meet the same load. Run on
# purpose, never in CI (it needs R with COINr: tests/bench/coinr_workflow.R
# says how):
#
#   RUNS=3 R_LIBS=/path/to/rlib bash tests/bench/vs_coinr.sh [build/lcme]
#
# lcme: `lcme run --replications 0` with charts and report (everything it
# writes); COINr: read the CSV, new_coin, normalise, aggregate,
# export_to_excel. Prints each run's wall and CPU seconds, then the medians
# and COINr's time over lcme's (the target is at least 2).
set -euo pipefail
LCME=$(readlink -f "${1:-build/lcme}")
RUNS=${RUNS:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
command -v Rscript >/dev/null || { echo "vs_coinr.sh: Rscript not found" >&2; exit 2; }
Rscript -e 'suppressPackageStartupMessages(library(COINr))' 2>/dev/null ||
    { echo "vs_coinr.sh: COINr is not installed (set R_LIBS)" >&2; exit 2; }

"$LCME" gen --units 356 --indicators-per-feature 3 --first-year 2016 --years 11 \
    --missing 0.05 --seed 1 -o "$W/net" 2>/dev/null
: > "$W/times.txt"
for i in $(seq "$RUNS"); do
    rm -rf "$W/net/out" "$W/net/lcme.db"
    /usr/bin/time -f "lcme %e %U %S" -a -o "$W/times.txt" \
        "$LCME" run "$W/net/batch.ini" --quiet --replications 0
    /usr/bin/time -f "coinr %e %U %S" -a -o "$W/times.txt" \
        Rscript "$HERE/coinr_workflow.R" "$W/net" "$W/coinr.xlsx" 2>/dev/null
    tail -n 2 "$W/times.txt" | awk '{ printf "run: %-5s wall %6.2f s  cpu %6.2f s\n", $1, $2, $3 + $4 }'
done
awk '
    function med(a, n,   i, j, t) {
        for (i = 2; i <= n; i++) { t = a[i]; j = i - 1; while (j > 0 && a[j] > t) { a[j + 1] = a[j]; j-- } a[j + 1] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    { n[$1]++; w[$1, n[$1]] = $2; c[$1, n[$1]] = $3 + $4 }
    END {
        for (k in n) { for (i = 1; i <= n[k]; i++) { x[i] = w[k, i]; y[i] = c[k, i] }
                       mw[k] = med(x, n[k]); mc[k] = med(y, n[k]) }
        printf "median lcme:  wall %6.2f s  cpu %6.2f s\n", mw["lcme"], mc["lcme"]
        printf "median COINr: wall %6.2f s  cpu %6.2f s\n", mw["coinr"], mc["coinr"]
        printf "COINr / lcme: wall %.2fx, cpu %.2fx (target: wall >= 2)\n", mw["coinr"] / mw["lcme"], mc["coinr"] / mc["lcme"]
    }' "$W/times.txt"
