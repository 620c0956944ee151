#!/usr/bin/env bash
# The bad-input catalogue through the command line: every file under
# tests/data/bad/ (batch files, frameworks, observation and plan files, workbooks) makes
# `lcme run` exit 1 with the exact first message in its .expect file, write
# no output, and leave an existing store byte-for-byte unchanged.
#
# Cases of issue 14 ("nothing lost, nothing let in: the second round"), by item:
#   1  batch-output-replaces-data, batch-output-replaces-store (output = a
#      folder where an output name is an input or the store),
#      batch-output-user-charts (a user's charts/ folder); checked below to
#      be left as they were
#   4  data-control-char, data-control-quoted, fw-control-char,
#      batch-control-char, batch-invalid-utf8 (names that would reach XML
#      and the terminal)
#   5  batch-dup-key, batch-dup-section, batch-indented-key,
#      batch-indented-section (INI repeats and indented lines)
#   6  batch-output-folder-as-file (an output name taken by a folder: found
#      before anything is stored, not after the commit)
#   7  batch-future-year, data-huge-value, data-huge-se (plausibility)
#   8  batch-nul (a NUL byte in the batch file)
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"

mkdir -p "$TMP/tests"
cp -r "$SRC/tests/data" "$TMP/tests/"
cd "$TMP"

# A store holding one good run, to check that bad batches leave it unchanged.
cat > tests/data/bad/good.ini <<'INI'
[batch]
name = Good batch
year = 2023
framework = ../good/mini-framework.csv
data = ../good/mini-long.csv
store = ../../../store.db
output = ../../../out-good
INI
check "the good batch runs" "$LCME" run tests/data/bad/good.ini --quiet
before=$(sha256sum store.db | cut -d' ' -f1)

run_case() {  # run_case NAME BATCH EXPECT
    local name=$1 batch=$2 expect=$3
    local err rc first
    err=$("$LCME" run "$batch" --quiet 2>&1 >/dev/null); rc=$?
    first=$(head -n1 <<<"$err")
    if [ $rc -ne 1 ]; then fail "$name: exit code $rc, expected 1 ($first)"; return; fi
    if [ "$first" != "$(cat "$expect")" ]; then
        fail "$name: got      '$first'"; echo "       expected '$(cat "$expect")'" >&2; return
    fi
    if [ -e "out-$name" ] && [ -n "$(ls -A "out-$name")" ]; then fail "$name: output written"; return; fi
    if [ "$(sha256sum store.db | cut -d' ' -f1)" != "$before" ]; then fail "$name: store changed"; return; fi
    grep -q "problem.* found" <<<"$err" || { fail "$name: no summary line"; return; }
    ok
}

n=0
# Frameworks, data (CSV and workbooks) and plan files, each with the good
# others, evaluated in 2023 (a plan only for the plan files).
for f in tests/data/bad/fw-*.csv tests/data/bad/data-*.csv tests/data/bad/data-*.xlsx \
         tests/data/bad/plan-*.csv; do
    name=$(basename "${f%.*}")
    fw=../good/mini-framework.csv data=../good/mini-long.csv plan=
    case $name in
    fw-*)   fw=$(basename "$f") ;;
    data-*) data=$(basename "$f") ;;
    plan-*) plan="plan = $(basename "$f")" ;;
    esac
    cat > "tests/data/bad/case-$name.ini" <<INI
[batch]
name = Bad input $name
year = 2023
framework = $fw
data = $data
$plan
store = ../../../store.db
output = ../../../out-$name
INI
    run_case "$name" "tests/data/bad/case-$name.ini" "tests/data/bad/$name.expect"
    n=$((n + 1))
done
for f in tests/data/bad/batch-*.ini; do
    name=$(basename "${f%.ini}")
    run_case "$name" "$f" "tests/data/bad/$name.expect"
    n=$((n + 1))
done
check "at least 120 bad inputs in the catalogue (found $n)" test "$n" -ge 120
echo "bad inputs in the catalogue: $n"

# Issue 14 item 1: the output folders those cases named hold what they held.
bad=tests/data/bad
check "item 1: the data file named like an output is intact" \
    cmp -s "$bad/output-here/quality.csv" "$SRC/tests/data/good/mini-long.csv"
check "item 1: nothing else was written beside it ($(ls -A "$bad/output-here"))" \
    test "$(ls -A "$bad/output-here")" = quality.csv
check "item 1: no store was made under an output's name" test ! -e quality.csv
check "item 1: the user's charts/ folder is intact" \
    test "$(ls -A "$bad/user-charts/charts")" = notes.txt -a "$(ls -A "$bad/user-charts")" = charts
check "item 6: the folder named like an output is intact" \
    test -f "$bad/folder-output/scores.csv/README.txt" -a "$(ls -A "$bad/folder-output")" = scores.csv

# An output folder that cannot be written: exit 1, store unchanged.
mkdir -p ro-out && chmod 0555 ro-out
if [ "$(id -u)" -ne 0 ]; then
    sed 's#^output = .*#output = ../../../ro-out#' tests/data/bad/good.ini > tests/data/bad/ro.ini
    "$LCME" run tests/data/bad/ro.ini --quiet 2>/dev/null; rc=$?
    check "unwritable output folder exits 1 (got $rc)" test $rc -eq 1
fi
# An output path that is a file, not a folder (works as root too).
touch not-a-folder
sed 's#^output = .*#output = ../../../not-a-folder#' tests/data/bad/good.ini > tests/data/bad/file-out.ini
err=$("$LCME" run tests/data/bad/file-out.ini --quiet 2>&1); rc=$?
check "output path that is a file exits 1 (got $rc: $err)" test $rc -eq 1
check "store unchanged after the output error" test "$(sha256sum store.db | cut -d' ' -f1)" = "$before"

finish
