# lib.sh: helpers shared by the end-to-end tests (sourced, not run).
# Usage in a test: LCME=$1 SRC=$2; . "$SRC/tests/e2e/lib.bash"
set -u
fails=0
passes=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok()   { passes=$((passes + 1)); }
fail() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }
check() {  # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then ok; else fail "$what"; fi
}
finish() {
    echo "$passes passed, $fails failed"
    [ "$fails" -eq 0 ]
}

# copy_batch NAME: copy datasets/NAME and indicators/ into $TMP, keeping the
# relative layout the batch file expects; prints the batch path.
copy_batch() {
    mkdir -p "$TMP/datasets"
    cp -r "$SRC/indicators" "$TMP/"
    rm -rf "$TMP/datasets/$1"
    cp -r "$SRC/datasets/$1" "$TMP/datasets/"
    rm -rf "$TMP/datasets/$1/out" "$TMP/datasets/$1/lcme.db"
    echo "$TMP/datasets/$1/batch.ini"
}
