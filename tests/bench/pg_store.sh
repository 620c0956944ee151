#!/usr/bin/env bash
# Benchmark, run on purpose (./build.sh bench), never in CI: the
# network-scale synthetic batch of run.sh (356 units x 126 indicators x 11
# years) loaded into a new SQLite store and into a new PostgreSQL database
# (a throw-away server, tests/pg_server.bash), RUNS times each, alternating.
# Prints the median of every stage of --timings on each store (store:
# observations in; cube: observations out; results: the results in; the
# whole run), observations per second for store and cube, and PostgreSQL's
# time over SQLite's (issue 19's goal: loading within 2x).
#
#   bash tests/bench/pg_store.sh [LCME]        RUNS=5 by default
set -euo pipefail
LCME=$(readlink -f "${1:-build/lcme}")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${RUNS:-5}
. "$SRC/tests/pg_server.bash"
pg_start
W=$(mktemp -d)
trap 'rm -rf "$W"; pg_stop' EXIT

"$LCME" gen --units 356 --indicators-per-feature 3 --first-year 2016 --years 11 \
    --missing 0.05 --seed 1 -o "$W/net" 2>/dev/null
obs=$(($(wc -l < "$W/net/observations.csv") - 1))
echo "network-scale batch: $obs observations, $RUNS runs per store"

# one STORE LABEL: a run into STORE, its timings appended to LABEL.txt
one() {
    rm -rf "$W/net/out"
    sed -i "s#^store *=.*#store = ${1//&/\\&}#" "$W/net/batch.ini"
    "$LCME" run "$W/net/batch.ini" --timings --quiet --replications 0 --no-charts \
        2>> "$W/$2.txt"
}
for i in $(seq "$RUNS"); do
    rm -f "$W/net/lcme.db"
    one lcme.db sqlite
    one "$(pg_newdb "net$i")" postgresql
done

# median LABEL STAGE
median() {
    grep "^$2: " "$W/$1.txt" | cut -d' ' -f2 | sort -g |
        awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
printf '%-12s %12s %12s %8s\n' stage sqlite postgresql ratio
for stage in $(cut -d: -f1 "$W/sqlite.txt" | awk '!seen[$0]++' | tr ' ' '~'); do
    stage=${stage//\~/ }
    a=$(median sqlite "$stage") z=$(median postgresql "$stage")
    [ -n "$a" ] && [ -n "$z" ] || continue
    line=$(printf '%-12s %11.3fs %11.3fs %7.2fx' "$stage" "$a" "$z" "$(echo "$z / $a" | bc -l)")
    if [ "$stage" = store ] || [ "$stage" = cube ]; then
        line="$line   $(echo "$obs / $a" | bc) vs $(echo "$obs / $z" | bc) obs/s"
    fi
    echo "$line"
done
