#!/usr/bin/env bash
# compare_outputs.sh: run every batch in datasets/ with two builds of lcme and
# compare every output file byte for byte (workbook, CSV files, charts,
# report.pdf). For changes that must not alter what a user sees.
#
#   tests/compare_outputs.sh OLD_LCME NEW_LCME [BATCH...]
#
# OLD_LCME and NEW_LCME are lcme executables (a build of main kept aside, and
# the build under test). Each batch is copied into a temporary folder twice
# (with indicators/ and tests/conformance beside it, as the batches expect),
# run with --quiet and --threads 2, and the two output folders compared with
# cmp. BATCH names a folder of datasets/ (default: all of them). Exit 0 when
# every file is identical, 1 otherwise (each difference is listed).
set -u
old=$(readlink -f "$1") new=$(readlink -f "$2"); shift 2
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
batches=("$@")
if [ ${#batches[@]} -eq 0 ]; then
    for d in "$src"/datasets/*/; do
        [ -f "$d/batch.ini" ] && batches+=("$(basename "$d")")
    done
fi

setup() {  # setup SIDE BATCH: prints the copied batch file
    local root=$tmp/$1
    mkdir -p "$root/datasets" "$root/tests"
    [ -d "$root/indicators" ] || cp -r "$src/indicators" "$root/"
    [ -d "$root/tests/conformance" ] || cp -r "$src/tests/conformance" "$root/tests/"
    rm -rf "${root:?}/datasets/$2"
    cp -r "$src/datasets/$2" "$root/datasets/"
    rm -rf "$root/datasets/$2/out" "$root/datasets/$2/lcme.db"
    echo "$root/datasets/$2/batch.ini"
}

bad=0
for b in "${batches[@]}"; do
    for side in old new; do
        exe=$old; [ $side = new ] && exe=$new
        ini=$(setup $side "$b")
        if ! "$exe" run "$ini" --quiet --threads 2 >/dev/null 2>"$tmp/$side.err"; then
            echo "$b: the $side build failed:" >&2
            cat "$tmp/$side.err" >&2
            bad=1
        fi
    done
    a=$tmp/old/datasets/$b/out z=$tmp/new/datasets/$b/out
    files=0 diff=0
    while IFS= read -r f; do
        files=$((files + 1))
        if [ ! -f "$z/$f" ]; then
            echo "$b: $f missing from the new output"; diff=$((diff + 1))
        elif ! cmp -s "$a/$f" "$z/$f"; then
            echo "$b: $f differs"; diff=$((diff + 1))
        fi
    done < <(cd "$a" && find . -type f | sort)
    while IFS= read -r f; do
        [ -f "$a/$f" ] || { echo "$b: $f only in the new output"; diff=$((diff + 1)); }
    done < <(cd "$z" && find . -type f | sort)
    echo "$b: $files files, $diff different"
    [ $diff -eq 0 ] || bad=1
done
exit $bad
