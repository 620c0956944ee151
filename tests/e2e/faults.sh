#!/usr/bin/env bash
# Faults: a run killed at random moments, a full disk, a read-only store and
# eight runs at once on one store. Nothing lost, nothing half-written:
#  - SIGKILL at random moments (until 20 runs were killed mid-way): every
#    file under a final name in the output folder is absent or byte-identical to a complete run's;
#    PRAGMA integrity_check passes; the earlier run's rows are unchanged; no
#    run is left 'running'.
#  - a full disk (a small tmpfs when the test may mount one, else a file-size
#    limit) under the output folder and under the store: exit 3 and a clear
#    message; the store and the earlier run unchanged.
#  - a read-only store (read-only bind mount as root, else chmod 0444): a
#    clear message, exit 3, the store unchanged.
#  - 8 concurrent runs with LCME_BUSY_TIMEOUT_MS=300: each exits 0 or exits 3
#    saying the store is busy; the store passes integrity_check and every
#    successful run has all its results.
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"
LCME=$(cd "$(dirname "$LCME")" && pwd)/$(basename "$LCME")
cd "$TMP"
mounts=()
cleanup() {
    local m
    for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT

# The earlier, completed run (seed 1). The batch is small (the test
# framework, 3 synthetic units, 3 years): a run lasts about 1 s in a release
# build, most of it drawing charts, and a few seconds under sanitizers.
REPS=200
"$LCME" gen -o g --framework "$SRC/tests/data/good/mini-framework.csv" --units 3 --years 3 \
    >/dev/null 2>&1 || { echo "lcme gen failed" >&2; exit 1; }
"$LCME" run g/batch.ini --replications $REPS --quiet --seed 1 -o outA; rc=$?
check "earlier run (exit $rc)" test $rc -eq 0
run_a=$(sqlite3 g/lcme.db "SELECT id FROM run")
facts() { sqlite3 "${1:-g/lcme.db}" "SELECT status FROM run WHERE id='$run_a';
    SELECT count(*) FROM result WHERE run='$run_a';
    SELECT count(*), total(value) FROM observation;
    SELECT count(*) FROM run WHERE status <> 'done'"; }
facts_a=$(facts)
cp g/lcme.db ref.db
t0=$(date +%s.%N)
"$LCME" run g/batch.ini --replications $REPS --quiet --seed 2 -o ref 2>/dev/null
t1=$(date +%s.%N)
mv ref.db g/lcme.db.tmp && cp g/lcme.db ref-after.db && mv g/lcme.db.tmp g/lcme.db
(cd ref && find . -type f ! -path './.lcme-tmp-*' | sort | xargs sha256sum) > ref.sums
nref=$(sqlite3 ref-after.db "SELECT count(*) FROM result WHERE run <> '$run_a'")
check "reference run wrote its outputs and results" test -s ref.sums -a "$nref" -gt 0
dur=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')

store_ok() {  # store_ok WHAT: integrity, earlier run intact, nothing 'running'
    local ic
    ic=$(sqlite3 g/lcme.db "PRAGMA integrity_check")
    [ "$ic" = ok ] || { fail "$1: integrity_check: $ic"; return 1; }
    local now
    now=$(sqlite3 g/lcme.db "SELECT status FROM run WHERE id='$run_a';
        SELECT count(*) FROM result WHERE run='$run_a';
        SELECT count(*), total(value) FROM observation;
        SELECT count(*) FROM run WHERE status <> 'done'")
    [ "$now" = "$facts_a" ] || { fail "$1: earlier run or observations changed: '$now' vs '$facts_a'"; return 1; }
    return 0
}
outputs_ok() {  # outputs_ok WHAT DIR: every final-named file complete
    local f bad=0 want
    while IFS= read -r f; do
        want=$(grep -F "  $f" ref.sums | grep "  $f\$" | cut -d' ' -f1)
        [ -n "$want" ] || { fail "$1: unexpected file $2/$f"; bad=1; continue; }
        [ "$(cd "$2" && sha256sum "$f" | cut -d' ' -f1)" = "$want" ] ||
            { fail "$1: $2/$f is partial or different"; bad=1; }
    done < <(cd "$2" 2>/dev/null && find . ! -path './.lcme-tmp-*' \( -type f -o -type l \) | sort)
    # a folder under a final name (charts/) is there whole or not at all
    local d
    for d in $(cd ref && find . -mindepth 1 -type d); do
        [ -d "$2/$d" ] || continue
        [ "$(cd "$2/$d" && ls | wc -l)" = "$(cd "ref/$d" && ls | wc -l)" ] ||
            { fail "$1: $2/$d is incomplete"; bad=1; }
    done
    return $bad
}

# 1. SIGKILL at random moments.
# Delays are drawn from [0, 0.9 x the reference run's time]; a run that
# still finishes first (the machine got faster) does not count, and runs go
# on until 20 were killed mid-way (at most 60), so load cannot thin the test.
completed=0 killed=0 leftover=0
for i in $(seq 1 60); do
    [ "$killed" -ge 20 ] && break
    rm -rf out
    delay=$(awk -v s="$RANDOM" -v d="$dur" 'BEGIN { srand(s); printf "%.3f", d * rand() * 0.9 }')
    "$LCME" run g/batch.ini --replications $REPS --quiet --seed 2 -o out 2>/dev/null &
    pid=$!
    sleep "$delay"
    if kill -KILL $pid 2>/dev/null; then killed=$((killed + 1)); fi
    wait $pid 2>/dev/null
    [ $? -eq 0 ] && completed=$((completed + 1))
    store_ok "kill $i after ${delay}s" && outputs_ok "kill $i after ${delay}s" out && ok
    leftover=$((leftover + $(ls -A out 2>/dev/null | grep -c '^\.lcme-tmp-')))
    # The run left behind must not block the next one, and a rerun gives
    # the reference bytes.
done
echo "SIGKILL: $killed runs killed, $completed completed"
check "20 runs were killed mid-way ($killed)" test "$killed" -ge 20
rm -rf out
check "a run after the kills completes" "$LCME" run g/batch.ini --replications $REPS --quiet --seed 2 -o out
outputs_ok "after the kills" out && ok
check "after the kills every output is there" test "$(cd out && find . -type f ! -path './.lcme-tmp-*' | wc -l)" -eq "$(wc -l < ref.sums)"
echo "temporary folders left by the killed runs: $leftover"
# The next run into the same folder removes what killed runs left behind
# (.lcme-tmp-PID-*, PID no longer running), never a live run's folder.
mkdir -p out/.lcme-tmp-999999999-stale/charts && touch out/.lcme-tmp-999999999-stale/charts/x.png
mkdir -p out/.lcme-tmp-$$-live   # this shell is alive: must stay
check "a rerun after a killed run completes" "$LCME" run g/batch.ini --replications $REPS --quiet --seed 2 -o out
check "the dead run's temporary folder is gone" test ! -e out/.lcme-tmp-999999999-stale
check "a live process's temporary folder is kept" test -d out/.lcme-tmp-$$-live
rmdir out/.lcme-tmp-$$-live
cp g/lcme.db clean.db   # the store with runs A and B done

# A small file system for the full-disk cases: tmpfs when mounting works.
small_fs() {  # small_fs DIR KB: 0 when DIR is a KB-kilobyte tmpfs
    mkdir -p "$1"
    [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size="$2k" tmpfs "$1" 2>/dev/null || return 1
    mounts+=("$1")
}

# 2. A full disk under the output folder: exit 3, store unchanged, no output.
store_sum=$(sha256sum g/lcme.db | cut -d' ' -f1)
if small_fs full-out 512; then
    err=$("$LCME" run g/batch.ini --replications $REPS --quiet --seed 3 -o full-out/out 2>&1); rc=$?
    how="tmpfs"
else
    err=$( (trap '' XFSZ; ulimit -f 512; "$LCME" run g/batch.ini --replications $REPS --quiet --seed 3 -o full-out/out) 2>&1); rc=$?
    how="ulimit -f"
fi
echo "full disk under the output ($how): rc $rc: $(head -n1 <<<"$err")"
check "full output disk exits 3 (got $rc)" test $rc -eq 3
check "full output disk: a clear message ($err)" grep -qiE "space|full|too large|I/O" <<<"$err"
check "full output disk: store unchanged" test "$(sha256sum g/lcme.db | cut -d' ' -f1)" = "$store_sum"
check "full output disk: no final-named output" test -z "$(ls full-out/out 2>/dev/null)"

# 3. A full disk under the store: exit 3, the store's earlier runs intact.
if small_fs full-store $(( $(du -k clean.db | cut -f1) + 256 )); then
    cp clean.db full-store/lcme.db
    # fill what is left, so the new run's observations cannot be stored
    dd if=/dev/zero of=full-store/filler bs=4k 2>/dev/null
    sed 's#^store .*#store = ../full-store/lcme.db#' g/batch.ini > g/full.ini
    sum=$(sha256sum full-store/lcme.db | cut -d' ' -f1)
    err=$("$LCME" run g/full.ini --replications $REPS --quiet --seed 4 -o out4 2>&1); rc=$?
    echo "full disk under the store: rc $rc: $(head -n1 <<<"$err")"
    check "full store disk exits 3 (got $rc)" test $rc -eq 3
    check "full store disk: a clear message ($err)" grep -qiE "disk is full|space" <<<"$err"
    check "full store disk: integrity" test "$(sqlite3 full-store/lcme.db 'PRAGMA integrity_check')" = ok
    check "full store disk: store unchanged" test "$(sha256sum full-store/lcme.db | cut -d' ' -f1)" = "$sum"
    check "full store disk: no output" test -z "$(ls out4 2>/dev/null)"
else
    echo "skipped: full disk under the store (cannot mount a tmpfs)"
fi

# 4. A read-only store.
mkdir -p rw && cp clean.db rw/lcme.db
ro_dir=
if [ "$(id -u)" -eq 0 ]; then
    mkdir -p ro && mount --bind rw ro 2>/dev/null && mounts+=("$TMP/ro") &&
        mount -o remount,bind,ro ro 2>/dev/null && ro_dir=ro
else
    chmod 0444 rw/lcme.db && chmod 0555 rw && ro_dir=rw
fi
if [ -n "$ro_dir" ]; then
    sed "s#^store .*#store = ../$ro_dir/lcme.db#" g/batch.ini > g/ro.ini
    sum=$(sha256sum rw/lcme.db | cut -d' ' -f1)
    err=$("$LCME" run g/ro.ini --replications $REPS --quiet --seed 5 -o out5 2>&1); rc=$?
    echo "read-only store: rc $rc: $(head -n1 <<<"$err")"
    check "read-only store exits 3 (got $rc)" test $rc -eq 3
    check "read-only store: a clear message ($err)" grep -qi "read-only" <<<"$err"
    check "read-only store: unchanged" test "$(sha256sum rw/lcme.db | cut -d' ' -f1)" = "$sum"
    check "read-only store: no output" test -z "$(ls out5 2>/dev/null)"
    chmod 0755 rw 2>/dev/null; chmod 0644 rw/lcme.db 2>/dev/null
else
    echo "skipped: read-only store (no read-only bind mount)"
fi

# 5. Eight runs at once on one store, each with its own seed and output.
cp clean.db g/lcme.db
pids=()
for i in 1 2 3 4 5 6 7 8; do
    LCME_BUSY_TIMEOUT_MS=300 "$LCME" run g/batch.ini --replications $REPS --seed $((100 + i)) \
        -o "c$i" > "c$i.out" 2> "c$i.err" &
    pids+=($!)
done
done_ids=() nbusy=0
for i in 1 2 3 4 5 6 7 8; do
    wait "${pids[$((i - 1))]}"; rc=$?
    if [ $rc -eq 0 ]; then
        done_ids+=("$(sed -n 's/^lcme: run \([0-9a-f]*\) done.*/\1/p' "c$i.err")")
        outputs=$(cd "c$i" && find . -type f | wc -l)
        check "concurrent run $i wrote all its outputs ($outputs)" test "$outputs" -eq "$(wc -l < ref.sums)"
    elif [ $rc -eq 3 ] && grep -q "is busy" "c$i.err"; then
        nbusy=$((nbusy + 1))
        check "busy run $i wrote no output" test -z "$(ls "c$i" 2>/dev/null)"
    else
        fail "concurrent run $i: exit $rc: $(cat "c$i.err")"
    fi
done
echo "concurrent: ${#done_ids[@]} completed, $nbusy busy"
check "at least one concurrent run completed" test ${#done_ids[@]} -ge 1
store_ok "after the concurrent runs" && ok
for id in "${done_ids[@]}"; do
    n=$(sqlite3 g/lcme.db "SELECT count(*) FROM result WHERE run='$id'")
    st=$(sqlite3 g/lcme.db "SELECT status FROM run WHERE id='$id'")
    check "concurrent run $id: status done ($st) and all $nref results ($n)" test "$st" = done -a "$n" -eq "$nref"
done

finish
