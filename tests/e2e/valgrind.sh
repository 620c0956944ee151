#!/usr/bin/env bash
# valgrind: the Hong Kong sample batch under memcheck: no invalid read or
# write, no use of uninitialised memory, no definite or indirect leak (apart
# from fontconfig's process-wide caches, tests/valgrind.supp), and the run
# still succeeds. To keep it near a minute the batch is cut to its first two
# districts (all years, all 126 indicators, the plan's objectives for them)
# and 50 replications; set
# LCME_VALGRIND_FULL=1 for all 18 districts (about 8 minutes on 2 cores).
# Skipped (passing, with a message) when valgrind is not installed or lcme
# was built with AddressSanitizer, which cannot run under valgrind.
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"
if ! command -v valgrind >/dev/null; then
    echo "skipped: valgrind is not installed"; exit 0
fi
if nm "$LCME" 2>/dev/null | grep -q __asan_init || ldd "$LCME" 2>/dev/null | grep -q libasan; then
    echo "skipped: lcme is built with AddressSanitizer"; exit 0
fi
batch=$(copy_batch hong-kong)
dir=$(dirname "$batch")
if [ "${LCME_VALGRIND_FULL:-0}" != 1 ]; then
    keep=$(sed -n '2,3p' "$dir/units.csv" | cut -d, -f1 | paste -sd'|')
    for f in units.csv observations.csv; do
        awk -F, -v keep="^($keep)\$" 'NR == 1 || $1 ~ keep' "$dir/$f" > "$dir/$f.cut" &&
            mv "$dir/$f.cut" "$dir/$f"
    done
    # the plan: its comments, header and objectives for every unit or a kept one
    awk -F, -v keep="^($keep)\$" '/^#/ || /^unit,/ || $1 == "*" || $1 ~ keep' \
        "$dir/plan.csv" > "$dir/plan.csv.cut" && mv "$dir/plan.csv.cut" "$dir/plan.csv"
fi
log=$TMP/valgrind.log
valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=9 \
    --suppressions="$SRC/tests/valgrind.supp" \
    --log-file="$log" "$LCME" run "$batch" --replications 50 --threads 2 --quiet
rc=$?
check "lcme run under valgrind exits 0 (got $rc; 9 = memcheck errors)" test $rc -eq 0
grep -E "ERROR SUMMARY|definitely lost:|indirectly lost:" "$log"
check "no memcheck errors" grep -q "ERROR SUMMARY: 0 errors" "$log"
[ $rc -eq 0 ] || grep -A20 -E "Invalid|uninitialised|definitely lost in|indirectly lost in" "$log" | head -150 >&2
check "the outputs were written" test -s "$dir/out/scores.csv"
finish
