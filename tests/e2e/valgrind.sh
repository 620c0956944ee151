#!/usr/bin/env bash
# valgrind: the Hong Kong sample batch under memcheck (50 replications to keep
# it short): no invalid read or write, no use of uninitialised memory, no
# definite or indirect leak, and the run still succeeds. Skipped (passing,
# with a message) when valgrind is not installed or lcme was built with
# AddressSanitizer, which cannot run under valgrind.
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"
if ! command -v valgrind >/dev/null; then
    echo "skipped: valgrind is not installed"; exit 0
fi
if nm "$LCME" 2>/dev/null | grep -q __asan_init || ldd "$LCME" 2>/dev/null | grep -q libasan; then
    echo "skipped: lcme is built with AddressSanitizer"; exit 0
fi
batch=$(copy_batch hong-kong)
log=$TMP/valgrind.log
valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=9 \
    --log-file="$log" "$LCME" run "$batch" --replications 50 --threads 2 --quiet
rc=$?
check "lcme run under valgrind exits 0 (got $rc; 9 = memcheck errors)" test $rc -eq 0
summary=$(grep -E "ERROR SUMMARY|definitely lost|indirectly lost" "$log")
echo "$summary"
check "no memcheck errors" grep -q "ERROR SUMMARY: 0 errors" "$log"
[ $rc -eq 0 ] || sed -n '1,200p' "$log" >&2
check "the outputs were written" test -s "$(dirname "$batch")/out/scores.csv"
finish
