#!/usr/bin/env bash
# Safety: data never steers where files go or what a spreadsheet executes.
#  - units named '../../etc/x', '/abs/path', 'CON' and a batch name with
#    '../' in it: every file the run writes lies under the output folder
#    (the store aside), with a safe name;
#  - text starting with = + - @ (unit codes and names) is written to the
#    CSV files guarded (a leading apostrophe inside quotes) and to the
#    workbook as text: no <f> formula element in any sheet, no hyperlink;
#  - SQL: the sources pass data to SQLite only as bound parameters (every
#    statement text is a string literal; no sqlite3_mprintf & co.).
#  - issue 14, item 1: output = . (the batch folder) writes only lcme's own
#    output names there, twice over; a user's own files stay as they were.
#  - issue 14, item 2: a symbolic link planted as a killed run's temporary
#    folder (and a link inside a real one) is never followed.
#  - issue 14, item 4: names with control characters that an older lcme let
#    into the store give a well-formed workbook, and reach the terminal
#    (history, messages) only escaped.
#  - issue 14, item 8: a field starting with a tab is formula-guarded too.
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"

# 1. A batch deep inside TMP, so that '../..' from the output folder still
#    lands inside TMP, where every new file can be seen.
W=$TMP/a/b/c
mkdir -p "$W"
cp "$SRC/tests/data/good/mini-framework.csv" "$W/"
cat > "$W/units.csv" <<'CSV'
unit,name,region
../../etc/x,../../etc/passwd,East
/abs/path,"a\b",East
CON,CON,East
"=HYPERLINK(""http://evil.example/"",""click"")",=1+1,West
+1,+SUM(A1),West
-2,-2+3,East
@SUM,@cmd,West
CSV
{
    echo "unit,year,indicator,value"
    k=0
    for u in '../../etc/x' '/abs/path' 'CON' '"=HYPERLINK(""http://evil.example/"",""click"")"' '+1' '-2' '@SUM'; do
        for y in 2021 2022 2023; do
            k=$((k + 1))
            echo "$u,$y,enrol,$(( (k * 37) % 100 ))"
            echo "$u,$y,libs,$(( (k * 13) % 10 )).5"
            echo "$u,$y,drop,$(( (k * 7) % 90 + 1 ))"
            echo "$u,$y,satis,$(( k % 4 + 1 )).25"
        done
    done
} > "$W/obs.csv"
cat > "$W/batch.ini" <<'INI'
[batch]
name = ../../etc/=cmd|' /C calc'!A0
year = 2023
framework = mini-framework.csv
data = obs.csv
units = units.csv
store = lcme.db
output = out
[uncertainty]
replications = 20
INI
touch "$TMP/stamp"
sleep 1
check "the run with hostile names completes" "$LCME" run "$W/batch.ini" --quiet
out=$W/out
stray=$(cd "$TMP" && find . -newer stamp ! -type d | grep -v -e "^\./a/b/c/out/" -e "^\./a/b/c/lcme\.db")
check "no file written outside the output folder (found: $stray)" test -z "$stray"
check "no file left at the hostile paths" test ! -e "$TMP/a/etc" -a ! -e "$TMP/etc" -a ! -e /abs
bad_names=$(cd "$out" && find . -mindepth 1 | grep -vE '^\./(charts/)?[a-z0-9][a-z0-9.-]*$|^\./charts$')
check "every output name is a slug (found: $bad_names)" test -z "$bad_names"
check "the workbook has a slug name" test -f "$out/etc-cmd-c-calc-a0.xlsx"
for f in "$out"/*; do
    case $(basename "$f") in con.*|nul.*|prn.*|aux.*|com[1-9].*|lpt[1-9].*)
        fail "a device name: $f" ;;
    esac
done

# Units whose names slug alike ('+1' and '-2' lose their sign) still get a
# chart each: no chart overwrites another.
if [ -d "$out/charts" ]; then
    np=$(ls "$out/charts" | grep -c '^profile-.*\.png$')
    check "one profile chart per unit (7 units, $np charts)" test "$np" -eq 7
fi

# 2. CSV injection: no field starts with = + @ (or '-' before a non-digit)
#    unless guarded with an apostrophe inside quotes.
for f in "$out"/*.csv; do
    [ -e "$f" ] || continue
    n=$(grep -cE '(^|,)"?[=+@]|(^|,)"?-[^0-9.]' "$f")
    check "$(basename "$f"): no unguarded formula text ($n lines)" test "$n" -eq 0
done
check "scores.csv guards '=HYPERLINK'" grep -qF "\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"click\"\")\"," "$out/scores.csv"
check "scores.csv guards '+1'" grep -qF "\"'+1\"," "$out/scores.csv"
check "scores.csv guards '-2'" grep -qF "\"'-2\"," "$out/scores.csv"
check "scores.csv guards '@SUM'" grep -qF "\"'@SUM\"," "$out/scores.csv"
check "trends.csv guards '=HYPERLINK'" grep -qF "\"'=HYPERLINK(" "$out/trends.csv"

# 3. The workbook writes text as text.
xl=$out/etc-cmd-c-calc-a0.xlsx
if [ -f "$xl" ]; then
    nf=$(unzip -p "$xl" 'xl/worksheets/*.xml' | grep -cE '<f[ >/]')
    check "no formula element in any sheet ($nf)" test "$nf" -eq 0
    strings=$(unzip -p "$xl" xl/sharedStrings.xml 2>/dev/null; unzip -p "$xl" 'xl/worksheets/*.xml')
    check "the '=HYPERLINK' unit is a string in the workbook" grep -qF '=HYPERLINK(' <<<"$strings"
    check "the '=1+1' name is a string in the workbook" grep -qF '=1+1' <<<"$strings"
    check "no hyperlink to the unit's URL" test -z "$(unzip -p "$xl" 'xl/worksheets/_rels/*' 2>/dev/null | grep -F evil.example)"
fi

# 4. SQL only with bound parameters: every statement given to SQLite is a
#    string literal (or the fixed schema and migration texts), never built
#    with printf.
built=$(grep -nE 'sqlite3_(v?mprintf|snprintf)|(printf|strcat|strcpy).*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP) ' \
        $(find "$SRC"/engine "$SRC"/reports "$SRC"/cli -name "*.c"))
check "no SQL built with printf ($built)" test -z "$built"
nonliteral=$(cat $(find "$SRC"/engine "$SRC"/reports "$SRC"/cli -name "*.c") | tr '\n' ' ' |
    grep -oE '(sqlite3_exec|sqlite3_prepare(_v2|_v3)?|store_prepare|store_exec)\s*\(\s*[^,()]+(\([^()]*\))?\s*,\s*[^" ][^,)]*' |
    grep -vE '^(static )?[a-z_0-9]+ \*?(store_prepare|store_exec)' |
    grep -vE ',\s*(sql|store_[a-z_]*schema_sql|store_migrate_v1_sql)$' | grep -vE '^\w+\s*\(\s*(struct|sqlite3|const)' |
    grep -vE ',\s*[^"]*\?\s*"[^"]*"\s*:\s*"[^"]*"$')
check "every SQL text is a literal ($nonliteral)" test -z "$nonliteral"

# 5. Issue 14 item 1: output = . in a folder that holds the batch, its
#    inputs, the store and a user's own files.
D=$TMP/here
mkdir -p "$D/mine"
cp "$SRC/tests/data/good/mini-framework.csv" "$SRC/tests/data/good/mini-long.csv" "$D/"
echo "my notes" > "$D/notes.txt"
echo "my own file" > "$D/mine/keep.txt"
cat > "$D/batch.ini" <<'INI'
[batch]
name = Here
year = 2023
framework = mini-framework.csv
data = mini-long.csv
store = here.db
output = .
[uncertainty]
replications = 10
INI
(cd "$D" && find . -type f ! -name here.db | xargs sha256sum | sort) > "$TMP/here.before"
check "item 1: a run with output = . completes" "$LCME" run "$D/batch.ini" --quiet
check "item 1: a second run with output = . completes" "$LCME" run "$D/batch.ini" --quiet
(cd "$D" && find . -type f ! -name here.db | xargs sha256sum | sort) > "$TMP/here.after"
check "item 1: every file that was there is unchanged" \
    test -z "$(comm -23 "$TMP/here.before" "$TMP/here.after")"
extra=$(cd "$D" && ls -A | grep -vxE 'batch.ini|mini-framework.csv|mini-long.csv|notes.txt|mine|here.db|here.xlsx|scores.csv|trends.csv|quality.csv|report.pdf|charts')
check "item 1: only lcme's output names were added (found: $extra)" test -z "$extra"
check "item 1: the store is a store" test "$(sqlite3 "$D/here.db" 'PRAGMA integrity_check')" = ok

# 6. Issue 14 item 2: a link planted under a killed run's temporary name.
V=$TMP/victim
mkdir -p "$V/sub" && echo precious > "$V/precious" && echo deep > "$V/sub/deep"
ln -s "$V" "$D/.lcme-tmp-999999999-planted"
mkdir -p "$D/.lcme-tmp-999999998-real" && ln -s "$V" "$D/.lcme-tmp-999999998-real/link"
ln -s "$V/precious" "$D/.lcme-tmp-999999998-real/file-link"
check "item 2: a run beside planted links completes" "$LCME" run "$D/batch.ini" --quiet
check "item 2: the linked folder's files are intact" \
    test "$(cat "$V/precious")" = precious -a "$(cat "$V/sub/deep")" = deep
check "item 2: the dead run's real folder is gone" test ! -e "$D/.lcme-tmp-999999998-real"

# 7. Issue 14 item 4: control characters in names already in a store (an
#    older lcme took them in; this one refuses them in CSV files).
sqlite3 "$D/here.db" "UPDATE unit SET name = 'Hong' || char(1) || 'Kong' || char(27) || '[31m' WHERE code = 'HKG'"
check "item 4: a run over the store's odd names completes" "$LCME" run "$D/batch.ini" --quiet
mkdir -p "$TMP/xl4" && (cd "$TMP/xl4" && unzip -q "$D/here.xlsx")
bad=0
while IFS= read -r f; do xmllint --noout "$f" 2>/dev/null || { bad=1; echo "not well-formed: $f" >&2; }; done \
    < <(find "$TMP/xl4" -name '*.xml' -o -name '*.rels')
check "item 4: every part of the workbook is well-formed XML" test $bad -eq 0
check "item 4: the unit's name is there, cleaned" grep -q 'Hong Kong \[31m' "$TMP/xl4/xl/sharedStrings.xml"
sqlite3 "$D/here.db" "UPDATE run SET batch = 'Evil' || char(27) || ']0;title' || char(7)"
hist=$("$LCME" history "$D/batch.ini")
check "item 4: history escapes the control characters" grep -qF 'Evil\x1B]0;title\x07' <<<"$hist"
check "item 4: no raw escape reaches the terminal" test -z "$(tr -d '\n\t' <<<"$hist" | LC_ALL=C grep -P '[\x00-\x1f\x7f]')"
err=$("$LCME" run "$D/no"$'\033[2J'"such.ini" --quiet 2>&1)
check "item 4: a message quoting a name escapes it ($err)" grep -qF 'no\x1B[2Jsuch.ini' <<<"$err"
check "item 4: no raw escape in the message" test -z "$(LC_ALL=C grep -P '[\x00-\x08\x0b-\x1f\x7f]' <<<"$err")"

# 8. Issue 14 item 8: a leading tab starts a formula in a spreadsheet too.
printf 'unit,year,indicator,value\n\t=1+1,2023,enrol,50\n\t=1+1,2023,libs,2\nHKG,2023,enrol,40\nHKG,2023,libs,3\n' > "$D/tab.csv"
sed -e 's/^data = .*/data = tab.csv/' -e 's/^store = .*/store = tab.db/' -e 's/^output = .*/output = tab-out/' \
    "$D/batch.ini" > "$D/tab.ini"
check "item 8: a unit code starting with a tab runs" "$LCME" run "$D/tab.ini" --quiet --no-charts
check "item 8: scores.csv guards the leading tab" grep -qP '^"\x27\t=1\+1",' "$D/tab-out/scores.csv"
check "item 8: trends.csv guards the leading tab" grep -qP '^\x27\t=1\+1,' "$D/tab-out/trends.csv"

finish
