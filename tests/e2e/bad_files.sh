#!/usr/bin/env bash
# Bad files that cannot live in the catalogue (tests/data/bad/): too big to
# commit, made of file-system objects, or about permissions. Each makes
# `lcme run` exit 1 with the exact first message below, write no output and
# leave an existing store byte-for-byte unchanged:
#   a 10 MB field (data and framework), a million columns, CR-only line ends
#   in a generated file, a folder or a FIFO where a file should be (batch,
#   framework, data, units), missing files, an unreadable file and an
#   unwritable output folder (run as the unprivileged user 'nobody' through
#   setpriv when the test runs as root; skipped when that is impossible).
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"
command -v timeout >/dev/null || { echo "timeout(1) is missing" >&2; exit 1; }
LCME=$(cd "$(dirname "$LCME")" && pwd)/$(basename "$LCME")

cp -r "$SRC/tests/data/good" "$TMP/good"
cd "$TMP"
batch() {  # batch NAME KEY=VALUE...: write c-NAME.ini over the good batch
    local name=$1; shift
    {
        echo "[batch]"
        echo "name = Bad file $name"
        echo "year = 2023"
        local k
        for k in framework=good/mini-framework.csv data=good/mini-long.csv store=store.db \
                 output=out-$name "$@"; do
            echo "${k%%=*} = ${k#*=}"
        done
    } | awk -F' = ' '{ last[$1] = $0; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
                     END { for (i = 1; i <= n; i++) print last[order[i]] }' > "c-$name.ini"
    echo "c-$name.ini"
}
check "the good batch runs" "$LCME" run "$(batch good)" --quiet
before=$(sha256sum store.db | cut -d' ' -f1)

# expect NAME 'FIRST LINE' [RUNNER...] -- BATCH: run and check everything.
expect() {
    local name=$1 want=$2; shift 2
    local runner=()
    while [ "$1" != "--" ]; do runner+=("$1"); shift; done
    shift
    local err rc first
    err=$(timeout 20 "${runner[@]}" "$LCME" run "$@" --quiet 2>&1 >/dev/null); rc=$?
    first=$(head -n1 <<<"$err")
    if [ $rc -eq 124 ]; then fail "$name: lcme hung (killed after 20 s)"; return; fi
    if [ $rc -ne 1 ]; then fail "$name: exit code $rc, expected 1 ($first)"; return; fi
    if [ "$first" != "$want" ]; then
        fail "$name: got      '$first'"; echo "       expected '$want'" >&2; return
    fi
    if ! [[ $first =~ ^[^:]+(:[0-9]+(:[0-9]+)?)?:\ error:\  ]]; then
        fail "$name: not FILE:LINE:COL: error: ($first)"; return
    fi
    if [ -e "out-$name" ] && [ -n "$(ls -A "out-$name")" ]; then fail "$name: output written"; return; fi
    if [ "$(sha256sum store.db | cut -d' ' -f1)" != "$before" ]; then fail "$name: store changed"; return; fi
    grep -q "problem.* found" <<<"$err" || { fail "$name: no summary line"; return; }
    ok
}

# A 10 MB field: in a data file and in the framework (generated, not committed).
{ echo "unit,year,indicator,value"; printf 'HKG,2023,enrol,'; head -c 10000000 /dev/zero | tr '\0' 7; echo; } > big.csv
expect big-field "./big.csv:2:4: error: field longer than 1048576 bytes" -- "$(batch big-field data=big.csv)"
{ head -n3 good/mini-framework.csv; printf 'enrol,Access,'; head -c 10000000 /dev/zero | tr '\0' a; echo ",1,1,1,,,,,Indicator"; } > big-fw.csv
expect big-fw-field "./big-fw.csv:4:3: error: field longer than 1048576 bytes" -- "$(batch big-fw-field framework=big-fw.csv)"

# A million columns in the header of a data file.
seq -f 'c%.0f' 1 1000000 | paste -sd, > wide.csv
echo "HKG,2023" >> wide.csv
expect million-columns "./wide.csv:1:100001: error: more than 100000 columns" -- "$(batch million-columns data=wide.csv)"

# CR-only line ends, as old Mac editors save them: data, framework, batch.
tr '\n' '\r' < good/mini-long.csv > cr.csv
expect cr-data "./cr.csv:1:10: error: line ends with a bare carriage return (CR-only line ends are not supported; save the file with LF or CRLF line ends)" \
    -- "$(batch cr-data data=cr.csv)"
tr '\n' '\r' < good/mini-framework.csv > cr-fw.csv
expect cr-framework "./cr-fw.csv:1:11: error: line ends with a bare carriage return (CR-only line ends are not supported; save the file with LF or CRLF line ends)" \
    -- "$(batch cr-framework framework=cr-fw.csv)"
tr '\n' '\r' < "$(batch cr-batch)" > cr-batch.ini
expect cr-batch "cr-batch.ini:1: error: line ends with a bare carriage return (CR-only line ends are not supported; save the file with LF or CRLF line ends)" -- cr-batch.ini

# Thousands separators and decimal commas in a generated wide file.
printf 'unit,year,enrol,libs\nHKG,2023,"1,234",3\nSZX,2023,50,"2,5"\n' > commas.csv
expect commas "./commas.csv:2:3: error: '1,234' is not a number (no thousands separators, please: write 1234)" \
    -- "$(batch commas data=commas.csv)"

# Wrong or missing columns.
printf 'city,year,indicator,value\nHKG,2023,enrol,45\n' > wrongcol.csv
expect wrong-column "./wrongcol.csv:1:1: error: unknown column 'city' (long format columns are unit, year, indicator, value, se, n, lower, upper, flag, source, name)" \
    -- "$(batch wrong-column data=wrongcol.csv)"
printf 'unit,year,indicator\nHKG,2023,enrol\n' > nocol.csv
expect missing-column "./nocol.csv:1:1: error: no 'value' column in the header (long format needs unit, year, indicator and value)" \
    -- "$(batch missing-column data=nocol.csv)"

# A folder where a file should be.
mkdir -p adir
expect dir-batch "adir: error: cannot open batch file: it is a folder" -- adir
expect dir-framework "./adir: error: cannot open './adir': it is a folder" -- "$(batch dir-framework framework=adir)"
expect dir-data "./adir: error: cannot open './adir': it is a folder" -- "$(batch dir-data data=adir)"
expect dir-units "./adir: error: cannot open './adir': it is a folder" -- "$(batch dir-units units=adir)"

# A FIFO where a file should be: refused at once, not waited on.
mkfifo fifo.csv fifo.ini
expect fifo-data "./fifo.csv: error: cannot open './fifo.csv': not a regular file" -- "$(batch fifo-data data=fifo.csv)"
expect fifo-batch "fifo.ini: error: cannot open batch file: not a regular file" -- fifo.ini

# Missing files.
expect missing-batch "nowhere.ini: error: cannot open batch file: No such file or directory" -- nowhere.ini
# (the error points at the batch line and column that name the file)
expect missing-framework "c-missing-framework.ini:4:13: error: [batch] framework: 'nowhere.csv' does not exist (looked for ./nowhere.csv)" \
    -- "$(batch missing-framework framework=nowhere.csv)"
expect missing-data "c-missing-data.ini:5:8: error: [batch] data: 'nowhere.csv' does not exist (looked for ./nowhere.csv)" \
    -- "$(batch missing-data data=nowhere.csv)"
expect missing-data-second "c-missing-data-second.ini:5:28: error: [batch] data: 'nowhere.csv' does not exist (looked for ./nowhere.csv)" \
    -- "$(batch missing-data-second "data=good/mini-long.csv, nowhere.csv")"
expect missing-units "c-missing-units.ini:8:9: error: [batch] units: 'nowhere.csv' does not exist (looked for ./nowhere.csv)" \
    -- "$(batch missing-units units=nowhere.csv)"

# An output folder below a file (works as root too).
touch afile
expect output-under-file "./afile/out: error: cannot create the output folder: Not a directory" \
    -- "$(batch output-under-file output=afile/out)"

# An empty output folder name on the command line (path_mkdir_p("") once
# read past its buffer): refused, nothing written, store unchanged.
err=$("$LCME" run "$(batch empty-output)" -o "" --quiet 2>&1); rc=$?
check "-o '' exits 1 or 2 (got $rc: $err)" test $rc -eq 1 -o $rc -eq 2
check "-o '': the message names the output folder ($err)" grep -qi "output" <<<"$err"
check "-o '': store unchanged" test "$(sha256sum store.db | cut -d' ' -f1)" = "$before"

# Unreadable input and unwritable output folder: permissions do not bind
# root, so as root the run is made as 'nobody' through setpriv.
as_user=()
if [ "$(id -u)" -eq 0 ]; then
    if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
        as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
        chmod 0755 "$TMP"; chmod -R a+rX "$TMP"
    else
        echo "skipped: unreadable file and unwritable folder (root, and setpriv cannot drop to nobody)"
        as_user=(skip)
    fi
fi
if [ "${as_user[0]:-}" != skip ]; then
    cp good/mini-long.csv secret.csv && chmod 0000 secret.csv
    expect unreadable-data "./secret.csv: error: cannot open './secret.csv': Permission denied" \
        "${as_user[@]}" -- "$(batch unreadable-data data=secret.csv)"
    mkdir -p ro && chmod 0555 ro
    expect unwritable-output "./ro/out: error: cannot create the output folder: Permission denied" \
        "${as_user[@]}" -- "$(batch unwritable-output output=ro/out)"
    mkdir -p ro/out-existing && chmod 0555 ro/out-existing
    expect unwritable-existing-output "./ro/out-existing: error: cannot write to the output folder: Permission denied" \
        "${as_user[@]}" -- "$(batch unwritable-existing-output output=ro/out-existing)"
fi

finish
