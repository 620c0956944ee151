#!/usr/bin/env bash
# The zip level of the workbook lcme writes (reports/workbook/xlsx_zip.h):
# every XML part deflated at level 1 ("superfast" in zipinfo's reading of
# the zip flags, APPNOTE 4.4.4, independent of lcme); the chart images stay
# in charts/, linked from the Charts sheet, not copied in. Fails when the override in xlsx_zip.c stops firing: libxlsxwriter
# built with its own copy of minizip, or the executable no longer exporting
# zipOpenNewFileInZip4_64.
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"

check "lcme exports zipOpenNewFileInZip4_64" \
    bash -c "nm -D '$LCME' | grep -q ' T zipOpenNewFileInZip4_64\$'"
"$LCME" gen --units 4 --indicators-per-feature 1 --first-year 2020 --years 3 --seed 1 \
    -o "$TMP/b" >/dev/null 2>&1
check "run exits 0" "$LCME" run "$TMP/b/batch.ini" --quiet --replications 20
xlsx=$(ls "$TMP"/b/out/*.xlsx 2>/dev/null | head -n1)
check "workbook written" test -s "$xlsx"
info=$(zipinfo -v "$xlsx")
list=$(zipinfo "$xlsx")
check "XML parts deflated at level 1" \
    test "$(grep -c 'compression sub-type.*superfast' <<<"$info")" -gt 10
check "no part deflated at another level" \
    test -z "$(grep 'compression sub-type' <<<"$info" | grep -v superfast)"
check "no chart image copied into the workbook" test -z "$(grep 'xl/media/' <<<"$list")"
check "chart files beside the workbook" test -s "$TMP/b/out/charts/progress.png"
finish
