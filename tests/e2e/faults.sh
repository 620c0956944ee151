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
#    saying the store is busy (at the batch's store line); the store passes
#    integrity_check and every successful run has all its results.
# Issue 14 ("the second round"):
#  - item 6: the kills go into a folder holding an earlier run's outputs; a
#    kill at each step of installing (the test hook LCME_FAULT, cli_int.h);
#    an output name taken by a folder just before installing: the outputs
#    are all old or all new once the next run settled the folder, all new
#    exactly when the store holds the run as done;
#  - item 7: a damaged page in the store: exit 3 before anything is written;
#  - item 8: a failed first run leaves no empty store or output folder.
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
cp g/lcme.db a.db   # the store with run A only
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

# What the final names of an output folder hold, against the earlier run's
# outputs (outA, seed 1: "old") and the reference run's (seed 2: "new"):
# old, new, mixed (some of each), or partial (a file that is neither).
(cd outA && find . -type f | sort | xargs sha256sum) > old.sums
run_b=$(sqlite3 ref-after.db "SELECT id FROM run WHERE id <> '$run_a'")
state() {  # state DIR
    local f sum n=0 all_old=1 all_new=1
    while IFS= read -r f; do
        n=$((n + 1))
        sum=$(cd "$1" && sha256sum "$f")
        grep -qxF "$sum" ref.sums || all_new=0
        grep -qxF "$sum" old.sums || all_old=0
        if ! grep -qxF "$sum" ref.sums && ! grep -qxF "$sum" old.sums; then echo partial; return; fi
    done < <(cd "$1" 2>/dev/null && find . ! -path './.lcme-tmp-*' -type f | sort)
    if [ $all_new -eq 1 ] && [ $n -eq "$(wc -l < ref.sums)" ]; then echo new
    elif [ $all_old -eq 1 ] && [ $n -eq "$(wc -l < old.sums)" ]; then echo old
    else echo mixed; fi
}
b_done() { sqlite3 g/lcme.db "SELECT count(*) FROM run WHERE id='$run_b' AND status='done'"; }
fresh() { rm -rf out; cp -r outA out; cp a.db g/lcme.db; }   # old outputs, store with run A
settle() {  # the next run into out settles what a killed run left, then is killed itself
    LCME_FAULT=opened "$LCME" run g/batch.ini --replications $REPS --quiet --seed 3 -o out 2>/dev/null
}

# 1. SIGKILL at random moments, into a folder holding the earlier run's
# outputs (issue 14 item 6: the outputs and the store's commit are one unit).
# Delays are drawn from [0, 0.9 x the reference run's time]; a run that
# still finishes first (the machine got faster) does not count, and runs go
# on until 20 were killed mid-way (at most 60), so load cannot thin the test.
# After each kill: the store is consistent (integrity, the earlier run
# intact, no run left 'running'); no final name holds a partial file; and
# once the next run has settled the folder, the outputs are all new when the
# store holds the killed run as done, all old otherwise.
completed=0 killed=0 leftover=0 consistent=0 mixed_now=0 settled_ok=0 committed=0
for i in $(seq 1 60); do
    [ "$killed" -ge 20 ] && break
    fresh
    delay=$(awk -v s="$RANDOM" -v d="$dur" 'BEGIN { srand(s); printf "%.3f", d * rand() * 0.9 }')
    "$LCME" run g/batch.ini --replications $REPS --quiet --seed 2 -o out 2>/dev/null &
    pid=$!
    sleep "$delay"
    was_killed=0
    if kill -KILL $pid 2>/dev/null; then killed=$((killed + 1)); was_killed=1; fi
    wait $pid 2>/dev/null
    [ $? -eq 0 ] && completed=$((completed + 1))
    what="kill $i after ${delay}s"
    now=$(state out)
    [ "$now" = mixed ] && mixed_now=$((mixed_now + 1))
    check "$what: no partial output under a final name" test "$now" != partial
    leftover=$((leftover + $(ls -A out 2>/dev/null | grep -c '^\.lcme-tmp-')))
    if store_ok "$what"; then
        [ $was_killed -eq 1 ] && consistent=$((consistent + 1))
        ok
    fi
    done_b=$(b_done)
    [ $was_killed -eq 1 ] && [ "$done_b" -eq 1 ] && committed=$((committed + 1))
    settle
    want=old; [ "$done_b" -eq 1 ] && want=new
    after=$(state out)
    if [ "$after" = "$want" ]; then
        [ $was_killed -eq 1 ] && settled_ok=$((settled_ok + 1))
        ok
    else
        fail "$what: after settling the outputs are '$after', the store says '$want'"
    fi
done
echo "SIGKILL: $killed runs killed, $completed completed; $consistent kills left a consistent" \
     "store, $((killed - mixed_now)) no mixed or partial output, $settled_ok outputs matching" \
     "the store once settled ($committed had committed)"
check "20 runs were killed mid-way ($killed)" test "$killed" -ge 20
check "every kill left a consistent store ($consistent of $killed)" test "$consistent" -eq "$killed"
echo "temporary folders left by the killed runs: $leftover"

# 1b. Issue 14 item 6: a kill at each step of installing. Six outputs
# (charts/, the workbook, report.pdf and three CSV files) move into place
# one by one before the store commits: killed after any of them, the
# folder settles to all old and the store does not hold the run; killed
# after the commit, to all new with the run done.
for point in install:1 install:2 install:3 install:4 install:5 install:6 installed committed; do
    fresh
    LCME_FAULT=$point "$LCME" run g/batch.ini --replications $REPS --quiet --seed 2 -o out 2>/dev/null
    rc=$?
    want=old; [ $point = committed ] && want=new
    check "killed at $point (exit $rc)" test $rc -eq 137
    store_ok "killed at $point" && ok
    check "killed at $point: the store holds the run as done only after the commit" \
        test "$(b_done)" -eq "$([ $want = new ] && echo 1 || echo 0)"
    settle
    got=$(state out)
    check "killed at $point: the outputs are all $want once settled ($got)" test "$got" = $want
    check "killed at $point: nothing left behind but the settling run's folder" \
        test "$(ls -A out | grep -c '^\.lcme-tmp-')" -le 1
done

# 1c. Issue 14 item 6: an output name taken by a folder between the checks
# and the installing (the run is stopped there, the folder made, the run
# continued): exit 3 with the reason, the store as it was, every other
# output the earlier one.
fresh
sum=$(sha256sum g/lcme.db | cut -d' ' -f1)
LCME_FAULT=written:stop "$LCME" run g/batch.ini --replications $REPS --quiet --seed 2 -o out \
    2> item6.err &
pid=$!
for _ in $(seq 1 600); do [ "$(ps -o stat= -p $pid | cut -c1)" = T ] && break; sleep 0.1; done
rm out/scores.csv && mkdir out/scores.csv
kill -CONT $pid
wait $pid; rc=$?
check "item 6: an output name taken by a folder exits 3 (got $rc)" test $rc -eq 3
check "item 6: the reason is given ($(head -n1 item6.err))" grep -q "scores.csv: error: cannot put the output in place: it is a folder" item6.err
check "item 6: the store is as it was" test "$(sha256sum g/lcme.db | cut -d' ' -f1)" = "$sum"
rmdir out/scores.csv
check "item 6: every other output is the earlier one" \
    test "$(cd out && find . ! -path './.lcme-tmp-*' -type f | sort | xargs sha256sum)" = "$(grep -v '  ./scores.csv$' old.sums)"
check "item 6: nothing left behind" test -z "$(ls -A out | grep '^\.lcme-tmp-')"

rm -rf out
check "a run after the kills completes" "$LCME" run g/batch.ini --replications $REPS --quiet --seed 2 -o out
outputs_ok "after the kills" out && ok
check "after the kills every output is there" test "$(cd out && find . -type f ! -path './.lcme-tmp-*' | wc -l)" -eq "$(wc -l < ref.sums)"
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
store_line=$(grep -n '^store' g/batch.ini | cut -d: -f1)
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
        # issue 14 item 8: a store error points at the batch's store line
        check "busy run $i: the error names the batch's store line ($(head -n1 "c$i.err"))" \
            grep -qE "^g/batch.ini:$store_line:[0-9]+: error: store '.*' is busy" "c$i.err"
    else
        fail "concurrent run $i: exit $rc: $(cat "c$i.err")"
    fi
done
echo "concurrent: ${#done_ids[@]} completed, $nbusy busy, integrity $(sqlite3 g/lcme.db 'PRAGMA integrity_check')"
check "at least one concurrent run completed" test ${#done_ids[@]} -ge 1
store_ok "after the concurrent runs" && ok
for id in "${done_ids[@]}"; do
    n=$(sqlite3 g/lcme.db "SELECT count(*) FROM result WHERE run='$id'")
    st=$(sqlite3 g/lcme.db "SELECT status FROM run WHERE id='$id'")
    check "concurrent run $id: status done ($st) and all $nref results ($n)" test "$st" = done -a "$n" -eq "$nref"
done

# 6. Issue 14 item 8: a first run that fails after the store and the output
# folder were made leaves neither behind (here: no data for the year).
mkdir -p first
last=$(sed -n 's/^year *= *//p' g/batch.ini)
sed -e "s#^year .*#year = $((last + 1))#" -e "s#^store .*#store = ../first/new.db#" \
    -e "s#^output .*#output = ../first/a/b/out#" g/batch.ini > g/first.ini
err=$("$LCME" run g/first.ini --replications $REPS --quiet 2>&1); rc=$?
check "item 8: a first run without data for its year exits 1 (got $rc: $err)" test $rc -eq 1
check "item 8: it leaves no empty store" test ! -e first/new.db
check "item 8: it leaves no empty output folder" test ! -e first/a

# 7. Issue 14 item 7: a damaged page of the result table, which the run
# would not read, is found before anything is written: exit 3, the store
# unchanged (and the error at the batch's store line, item 8).
cp clean.db dmg.db
root=$(sqlite3 dmg.db "SELECT rootpage FROM sqlite_master WHERE name = 'result'")
psize=$(sqlite3 dmg.db "PRAGMA page_size")
head -c 64 /dev/zero | tr '\0' '\245' | dd of=dmg.db bs=1 seek=$(( (root - 1) * psize )) conv=notrunc 2>/dev/null
sed "s#^store .*#store = ../dmg.db#" g/batch.ini > g/dmg.ini
sum=$(sha256sum dmg.db | cut -d' ' -f1)
err=$("$LCME" run g/dmg.ini --replications $REPS --quiet --seed 6 -o out7 2>&1); rc=$?
echo "damaged store: rc $rc: $(head -n1 <<<"$err")"
check "item 7: a damaged store exits 3 (got $rc)" test $rc -eq 3
check "item 7: it says the store is damaged, at the store's line ($err)" \
    grep -qE "^g/dmg.ini:$store_line:[0-9]+: error: store '.*' is damaged" <<<"$err"
check "item 7: the damaged store is not written to" test "$(sha256sum dmg.db | cut -d' ' -f1)" = "$sum"
check "item 7: no output" test -z "$(ls out7 2>/dev/null)"

finish
