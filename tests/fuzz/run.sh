#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS [OUTDIR]: build the fuzz harnesses (build.sh) and
# run each for SECONDS seconds, one after the other, starting from the seed
# corpus in tests/fuzz/corpus/<harness>/ (read only: new inputs go to a
# scratch folder). Exits 1 when a harness finds a crash, a leak or a
# sanitizer error; the input that caused it is kept as
# OUTDIR/artifacts/<harness>-crash-* and printed in the log.
#
#   tests/fuzz/run.sh 60            # CI: one minute per harness
#   nice tests/fuzz/run.sh 600      # a longer campaign
set -uo pipefail
SECS=${1:?usage: tests/fuzz/run.sh SECONDS [OUTDIR]}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${2:-$SRC/build-fuzz}
bash "$SRC/tests/fuzz/build.sh" "$OUT" || exit 1
mkdir -p "$OUT/artifacts"
status=0
for h in csv ingest_long ingest_wide framework config xlsx xlsx_xml xlsx_scan batch; do
    work=$(mktemp -d)
    log="$OUT/fuzz_$h.log"
    "$OUT/fuzz_$h" "$work" "$SRC/tests/fuzz/corpus/$h" -max_total_time="$SECS" \
        -max_len=65536 -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
        -artifact_prefix="$OUT/artifacts/$h-" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    if [ $rc -ne 0 ]; then
        echo "fuzz_$h: FAILED (exit $rc) after ${execs:-?} executions; log $log:" >&2
        grep -E "ERROR|SUMMARY|Test unit written" "$log" >&2
        status=1
    else
        echo "fuzz_$h: ok, ${execs:-?} executions in ${SECS}s"
    fi
    rm -rf "$work"
done
exit $status
