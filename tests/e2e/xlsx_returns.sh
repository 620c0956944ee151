#!/usr/bin/env bash
# Spreadsheet returns, end to end:
#  - round trip: `lcme template` for the Hong Kong sample (one workbook per
#    district, previous values from the store), filled from the sample's 2026
#    observations by fill_returns.py (every 7th value typed as text), read
#    back through `data = returns/*.xlsx`: scores, trends and quality files
#    byte for byte those of the CSV path; the store names each return and its
#    sheet; templates are the same bytes when written again;
#  - workbooks written by other programs (tests/data/good, README there):
#    Gnumeric's and LibreOffice's, long and wide, and a template saved by
#    LibreOffice, each giving the same scores as its CSV file;
#  - two 100 MB sheets (made here, not committed): one cell of 100 MB, and
#    100 MB of rows with text in a number cell at the end: exit 1, the cell
#    named, nothing written, the store unchanged;
#  - a data pattern that matches nothing, and the template command's usage.
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"
command -v python3 >/dev/null || { echo "python3 is missing (build.sh installs it)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is missing (build.sh installs it)" >&2; exit 1; }
FILL=$SRC/tests/e2e/fill_returns.py
GOOD=$SRC/tests/data/good

run() { "$LCME" run "$1" --quiet --no-charts --replications 50; }
same() {  # same DIR_A DIR_B: the CSV outputs are the same bytes
    local f
    for f in scores.csv trends.csv quality.csv; do
        check "$2/$f is $1/$f" cmp -s "$1/$f" "$2/$f"
    done
}
batch_with() {  # batch_with NAME DATA: a copy of the sample batch reading DATA
    sed -e "s#^data .*#data = $2#" -e "s#^store .*#store = $1.db#" \
        -e "s#^output .*#output = out-$1#" batch.ini > "$1.ini"
    echo "$1.ini"
}

hk=$(dirname "$(copy_batch hong-kong)")
cd "$hk"
awk -F, 'NR == 1 || $2 != "2026"' observations.csv > history.csv
awk -F, 'NR == 1 || $2 == "2026"' observations.csv > current.csv
check "the CSV batch runs" run "$(batch_with csv history.csv,current.csv)"

# ---- round trip ------------------------------------------------------------
"$LCME" template csv.ini --by unit -o returns > written.txt
check "one template per district (got $(wc -l < written.txt))" test "$(wc -l < written.txt)" -eq 18
check "templates carry the previous year's values" \
    python3 -c "import zipfile,sys; z=zipfile.ZipFile('returns/wan-chai.xlsx');
sys.exit(0 if b'<v>2025</v>' in z.read('xl/worksheets/sheet2.xml') else 1)"
"$LCME" template csv.ini --by unit -o again > /dev/null
same_bytes=1
for f in returns/*.xlsx; do cmp -s "$f" "again/$(basename "$f")" || same_bytes=0; done
check "templates written again are the same bytes" test $same_bytes -eq 1
check "the returns are filled" python3 "$FILL" current.csv returns/*.xlsx --text-every 7
echo "not a workbook" > 'returns/~$wan-chai.xlsx'   # a lock file: left out by the pattern
check "the returns are read" run "$(batch_with xlsx 'history.csv, returns/*.xlsx')"
same out-csv out-xlsx
check "the store names each return and its sheet" test "$(sqlite3 xlsx.db \
    "select count(*) from source where name like 'returns/%.xlsx' and sheet = 'Data'")" -eq 18
check "history shows the sheet" grep -q "returns/wan-chai.xlsx (sheet Data)" \
    <("$LCME" history xlsx.ini)

# ---- other programs' workbooks -----------------------------------------------
check "Gnumeric's workbook of the 2026 rows" run "$(batch_with gnumeric \
    "history.csv, $GOOD/hk-2026.ssconvert.xlsx")"
same out-csv out-gnumeric
awk -F, 'NR == 1 || $1 != "WC"' current.csv > current-but-wc.csv
check "a template saved by LibreOffice" run "$(batch_with libreoffice \
    "history.csv, current-but-wc.csv, $GOOD/hk-wan-chai-2026.libreoffice.xlsx")"
same out-csv out-libreoffice

mkdir -p "$TMP/mini" && cd "$TMP/mini"
cp "$GOOD"/mini-* .
mini() {  # mini NAME YEAR DATA
    printf '[batch]\nname = Mini %s\nyear = %s\nframework = mini-framework.csv\nunits = %s\n%s\n%s\n%s\n' \
        "$1" "$2" mini-units.csv "data = $3" "store = $1.db" "output = out-$1" > "$1.ini"
    run "$1.ini"
}
for layout in long:2023 wide:2024; do
    l=${layout%:*} y=${layout#*:}
    check "mini-$l.csv runs" mini "$l-csv" "$y" "mini-$l.csv"
    for prog in ssconvert libreoffice; do
        check "mini-$l.$prog.xlsx runs" mini "$l-$prog" "$y" "mini-$l.$prog.xlsx"
        same "out-$l-csv" "out-$l-$prog"
    done
done

# ---- 100 MB sheets -----------------------------------------------------------
python3 - <<'PY'
import zipfile
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
def book(path, rows):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("_rels/.rels", '<Relationships xmlns="%s"><Relationship Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>' % (PKG, REL))
        z.writestr("xl/workbook.xml", '<workbook xmlns="%s" xmlns:r="%s"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>' % (MAIN, REL))
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="%s"><Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/></Relationships>' % (PKG, REL))
        z.writestr("xl/worksheets/sheet1.xml", '<worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>' % (MAIN, rows))
def s(ref, text):
    return '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, text)
head = '<row r="1">%s%s%s%s</row>' % (s("A1", "unit"), s("B1", "year"), s("C1", "indicator"), s("D1", "value"))
book("big-cell.xlsx", head + '<row r="2">%s</row>' % s("A2", "x" * 100_000_000))
rows, r = [head], 1
for unit in range(300):             # years up to the batch's 2023 (later ones are refused)
    for year in range(1424, 2024):
        for ind in ("enrol", "libs", "drop", "satis"):
            r += 1
            rows.append('<row r="%d">%s<c r="B%d"><v>%d</v></c>%s<c r="D%d"><v>3</v></c></row>'
                        % (r, s("A%d" % r, "U%d" % unit), r, year, s("C%d" % r, ind), r))
rows[-1] = rows[-1].replace("<v>3</v></c></row>", "</c></row>").replace(
    '<c r="D%d">' % r, '<c r="D%d" t="inlineStr"><is><t>n/a</t></is>' % r)
book("big-rows.xlsx", "".join(rows))
print(r)
PY
last=$(python3 -c "print(1 + 300 * 600 * 4)")
check "the good mini batch is in its store" test -s long-csv.db
before=$(sha256sum long-csv.db | cut -d' ' -f1)
for big in big-cell:A2:"the cell's text is longer than the 1048576 bytes a cell may hold" \
           big-rows:D$last:"'n/a' is not a number"; do
    name=${big%%:*} rest=${big#*:}
    cell=${rest%%:*} msg=${rest#*:}
    sed -e "s#^data = .*#data = $name.xlsx#" -e "s#^output = .*#output = out-$name#" \
        -e "s#^name = .*#name = Mini big#" -e "/^units = /d" long-csv.ini > "$name.ini"
    err=$("$LCME" run "$name.ini" --quiet 2>&1 >/dev/null); rc=$?
    check "$name.xlsx exits 1 (got $rc)" test $rc -eq 1
    check "$name.xlsx: '$(head -n1 <<<"$err")'" test "$(head -n1 <<<"$err")" = \
        "./$name.xlsx:Data!$cell: error: $msg"
    check "$name.xlsx writes nothing" test ! -e "out-$name/scores.csv"
    check "$name.xlsx leaves the store as it was" test "$(sha256sum long-csv.db | cut -d' ' -f1)" = "$before"
done
check "the 100 MB sheets are 100 MB" test "$(unzip -l big-rows.xlsx | awk '/sheet1/ {print $1}')" -gt 100000000

# ---- patterns and usage ------------------------------------------------------
sed 's#^data = .*#data = returns/*.xlsx#' long-csv.ini > nomatch.ini
err=$("$LCME" run nomatch.ini --quiet 2>&1); rc=$?
check "a pattern matching nothing exits 1 (got $rc)" test $rc -eq 1
check "it is reported at the batch line ($err)" grep -q "^nomatch.ini:6:8: error: \[batch\] data: no file matches 'returns/\*.xlsx'" <<<"$err"
"$LCME" template long-csv.ini 2>/dev/null; rc=$?
check "template without -o exits 2 (got $rc)" test $rc -eq 2
"$LCME" template long-csv.ini --by city -o t 2>/dev/null; rc=$?
check "template --by city exits 2 (got $rc)" test $rc -eq 2
err=$("$LCME" template long-csv.ini --unit NOPE -o t 2>&1); rc=$?
check "template --unit NOPE exits 1 (got $rc: $err)" test $rc -eq 1
check "and says why" grep -q "error: --unit NOPE: no such unit in the units file or the store" <<<"$err"
sed 's#^units = .*#units = nope.csv#' long-csv.ini > nounits.ini
"$LCME" template nounits.ini -o t 2>/dev/null; rc=$?
check "template with a missing units file exits 1 (got $rc)" test $rc -eq 1
check "template --by indicator: one workbook per indicator" \
    test "$("$LCME" template long-csv.ini --by indicator -o t | wc -l)" -eq 4
check "template --help" "$LCME" template --help

finish
