#!/usr/bin/env bash
# The workbook as another spreadsheet program reads it: Gnumeric's ssconvert
# (an independent reader of Office Open XML) converts every sheet of the Hong
# Kong sample's workbook to CSV without an error or a warning, and the
# converted sheets hold what lcme wrote: the Cover's title, the Summary's
# 18 units with their index scores as numbers, the numbered Notes.
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"

if ! command -v ssconvert >/dev/null; then
    echo "ssconvert not found: install the Debian package gnumeric (build.sh does)" >&2
    exit 1
fi
batch=$(copy_batch hong-kong)
out=$(dirname "$batch")/out
check "run exits 0" "$LCME" run "$batch" --quiet
xlsx=$(ls "$out"/*.xlsx 2>/dev/null | head -n1)
check "workbook written" test -s "$xlsx"
mkdir "$TMP/csv"
# ssconvert writes one CSV per sheet (-S) and says on stderr what it could
# not read. Gnumeric 1.12 knows neither Excel tables, colour scales nor a
# line chart's high-low lines: it says so for each (the cells under them are
# read all the same, the chart without its whiskers), and a GLib
# message about the desktop session is not about the file; anything else
# fails.
HOME=$TMP ssconvert -S "$xlsx" "$TMP/csv/sheet-%n.csv" >"$TMP/out.txt" 2>"$TMP/err.txt"
rc=$?
check "ssconvert exits 0 (got $rc)" test "$rc" -eq 0
grep -v -e "^Unexpected element 'tableParts' in state : *\$" -e '^[[:space:]]*worksheet$' \
    -e "^Unexpected element 'c:hiLowLines' in state : *\$" \
    -e '^[[:space:]]*chartSpace -> chart -> plotArea -> lineChart$' \
    -e "Ignoring unhandled conditional format of type 'colorScale'\$" \
    -e 'dbus\|dconf\|session bus\|gvfs' -e '^$' "$TMP/err.txt" >"$TMP/err-file.txt" || true
check "ssconvert reports nothing else: $(head -c 300 "$TMP/err-file.txt")" \
    test ! -s "$TMP/err-file.txt"
nsheet=$(ls "$TMP"/csv/sheet-*.csv 2>/dev/null | wc -l)
sheets=$(unzip -p "$xlsx" xl/workbook.xml | grep -o '<sheet ' | wc -l)
check "every sheet converted ($nsheet of $sheets)" test "$nsheet" -eq "$sheets"
check "Cover: the title" grep -q 'Hong Kong' "$TMP/csv/sheet-0.csv"
# Summary (the third sheet): 18 unit rows below the title, the line and the
# header, each with its index score (the column headed "... score") a number.
units=$(python3 - "$TMP/csv/sheet-2.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
col = [i for i, h in enumerate(rows[2]) if h.endswith(" score")][0]
print(sum(1 for r in rows[3:] if r[col] and float(r[col]) == float(r[col])))
PY
)
check "Summary: 18 units with a numeric index score (got $units)" test "$units" = 18
check "Notes: numbered notes" grep -q '^1,' "$TMP/csv/sheet-1.csv"
finish
