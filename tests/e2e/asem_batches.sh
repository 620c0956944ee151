#!/usr/bin/env bash
# The shipped ASEM batches (datasets/asem-*/) through `lcme run`: every
# aggregate and indicator score in scores.csv equals the fixture that
# tests/conformance/pipelines/pipelines.R computed by re-implementing COINr's
# steps in base R, to a relative error of 1e-9 (absolute 1e-9 near zero);
# an empty fixture cell must be an empty score.
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"

mkdir -p "$TMP/datasets" "$TMP/tests"
cp -r "$SRC/tests/conformance" "$TMP/tests/"

compare() {  # compare SCORES FIXTURE YEAR: prints "cells bad"; fails on any bad cell
    awk -F, -v year="$3" '
        FNR == 1 { file++ }
        file == 1 && FNR > 1 { key = $1 "," $2 "," $3; s[key] = $5; next }
        file == 2 && FNR == 1 { for (j = 1; j <= NF; j++) { h = $j; gsub(/"/, "", h); col[j] = h }; next }
        file == 2 {
            timed = (col[1] == "Time")
            y = timed ? $1 : year; u = timed ? $2 : $1; gsub(/"/, "", u)
            for (j = timed ? 3 : 2; j <= NF; j++) {
                v = $j; gsub(/"/, "", v); key = u "," y "," col[j]; n++
                if (!(key in s)) { if (v != "") { bad++; if (bad < 5) print "missing " key > "/dev/stderr" }; continue }
                if (v == "" || s[key] == "") { if (v != s[key]) { bad++; if (bad < 5) print key ": " s[key] " vs " v > "/dev/stderr" }; continue }
                d = s[key] - v; if (d < 0) d = -d; a = v < 0 ? -v : v
                if (d > 1e-9 * (a > 1 ? a : 1)) { bad++; if (bad < 5) print key ": " s[key] " vs " v > "/dev/stderr" }
            }
        }
        END { print n + 0, bad + 0; exit (bad > 0 || n == 0) }' "$1" "$2"
}

run_batch() {  # run_batch NAME FIXTURE YEAR
    rm -rf "$TMP/datasets/$1"
    cp -r "$SRC/datasets/$1" "$TMP/datasets/"
    check "$1 runs" "$LCME" run "$TMP/datasets/$1/batch.ini" --quiet --no-charts --replications 0
    check "$1 equals $(basename "$2")" compare "$TMP/datasets/$1/out/scores.csv" "$2" "$3"
}

P=$TMP/tests/conformance/pipelines
run_batch asem-pipeline1 "$P/p1_aggregated.csv" 2018
run_batch asem-pipeline2 "$P/p2_aggregated.csv" 2018
run_batch asem-pipeline3-geometric "$P/p3_geometric_aggregated.csv" 2018
run_batch asem-pipeline3-zscore "$P/p3_zscore_aggregated.csv" 2018
run_batch asem-pipeline4-linear "$P/p4_linear_aggregated.csv" 0
run_batch asem-pipeline4-latest "$P/p4_latest_aggregated.csv" 0
finish
