#!/usr/bin/env bash
# The charts and report.pdf live in lcme-draw.so, loaded only by a run that
# draws (reports/draw_module.h):
#  - the executable links no drawing library (ldd lists no cairo, pango,
#    fontconfig or libpng), so lcme starts without mapping them;
#  - an executable without its module beside it refuses a run that draws:
#    exit 3, a message naming the module and --no-charts, no output file,
#    the store unchanged; with --no-charts the same executable runs;
#  - with the module, a run draws the charts and report.pdf.
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"

libs=$(ldd "$LCME")
check "lcme links no drawing library" \
    test -z "$(grep -E 'libcairo|libpango|libfontconfig|libpng' <<<"$libs")"
check "lcme-draw.so sits beside lcme" test -f "$(dirname "$LCME")/lcme-draw.so"

batch=$(copy_batch hong-kong)
dir=$(dirname "$batch")
mkdir "$TMP/bin"
cp "$LCME" "$TMP/bin/lcme"
check "a first run without charts (lone executable)" \
    "$TMP/bin/lcme" run "$batch" --quiet --no-charts --replications 0
before=$(sha256sum "$dir/lcme.db" | cut -d' ' -f1)
rm -rf "$dir/out"
"$TMP/bin/lcme" run "$batch" --quiet --replications 0 2> "$TMP/err"; rc=$?
check "without the module a drawing run exits 3 (got $rc)" test $rc -eq 3
check "the message names the module and --no-charts" \
    grep -q "lcme-draw.so.*cannot load the chart module.*rerun with --no-charts" "$TMP/err"
check "nothing written" test -z "$(ls -A "$dir/out" 2>/dev/null)"
check "store unchanged" test "$(sha256sum "$dir/lcme.db" | cut -d' ' -f1)" = "$before"

check "with the module the run draws" "$LCME" run "$batch" --quiet --replications 0
check "charts written" test -n "$(ls "$dir/out/charts/"*.png 2>/dev/null)"
check "report.pdf written" test -s "$dir/out/report.pdf"

finish
