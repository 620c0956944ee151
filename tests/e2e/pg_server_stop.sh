#!/usr/bin/env bash
# The PostgreSQL server stops in the middle of a run (issue 19), on a real
# server (tests/pg_server.bash; a server that cannot start fails the test):
# the run exits 3 with a message that says the connection was lost and that
# nothing of the batch was committed; the store holds what it held before
# (an earlier run intact, none of this run's rows) and the output folder
# the earlier run's outputs.
#  1. stopped while the run holds every output written and its
#     transaction open (the test hook LCME_FAULT=written:stop, cli_int.h);
#  2. stopped at moments spread over a run (reading, storing, computing);
#  3. no server at all when the run begins.
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"
. "$SRC/tests/pg_server.bash"
pg_e2e_begin

uri=$(pg_newdb hk)
mkdir -p datasets
cp -r "$SRC/indicators" .
cp -r "$SRC/datasets/hong-kong" datasets/
rm -rf datasets/hong-kong/out datasets/hong-kong/lcme.db
b=datasets/hong-kong/batch.ini
sed -i "s#^store *=.*#store = ${uri//&/\\&}#" "$b"
out=datasets/hong-kong/out
REPS=200

check "run A on PostgreSQL" "$LCME" run "$b" --quiet --replications $REPS --seed 1
runA=$(pg_sql hk "SELECT id FROM run")
before=$(pg_sql hk "SELECT (SELECT count(*) FROM observation) || ' ' || (SELECT string_agg(id || ':' || status, ',') FROM run)")
cp -r "$out" outA

# after STEP: the store and the outputs are run A's
after() {
    pg_resume
    check "$1: the store holds run A only and its rows" \
        test "$(pg_sql hk "SELECT (SELECT count(*) FROM observation) || ' ' || (SELECT string_agg(id || ':' || status, ',') FROM run)")" = "$before"
    check "$1: no session is left in a transaction" \
        test "$(pg_sql hk "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%'")" -eq 0
    check "$1: the outputs are run A's" diff -r outA "$out"
}
# stopped STEP FILE WORDS: the exit and the message of a run the server
# left: WORDS, and that nothing was committed
stopped() {
    check "$1: exit 3 ($2)" test "$(tail -n1 "$2.rc")" -eq 3
    check "$1: the message says $3 ($(head -n1 "$2"))" grep -qF "$3" "$2"
    check "$1: the message says nothing was committed" \
        grep -qE "nothing of this batch was committed|store unchanged" "$2"
    check "$1: and nothing less sure" sh -c "! grep -q 'may or may not' '$2'"
}

# 1. Every output written, the transaction open: the server stops.
LCME_FAULT=written:stop "$LCME" run "$b" --quiet --replications $REPS --seed 2 2> s1.err &
pid=$!
for _ in $(seq 1 600); do [ "$(ps -o stat= -p $pid | cut -c1)" = T ] && break; sleep 0.1; done
check "1: the run reached its commit" test "$(ps -o stat= -p $pid | cut -c1)" = T
pg_halt fast
kill -CONT $pid
wait $pid; echo $? > s1.err.rc
stopped "1 (before the commit)" s1.err "the connection to the server was lost while committing"
after "1 (before the commit)"

# 2. Stopped at moments spread over the run: 0.3 s to about the run's
# length; a run that still finishes first does not count.
t0=$(date +%s.%N)
"$LCME" run "$b" --quiet --replications $REPS --seed 1 > /dev/null 2>&1
len=$(echo "$(date +%s.%N) - $t0" | bc)
mid=0
for f in 0.05 0.15 0.3 0.5 0.7; do
    delay=$(echo "0.3 + $f * $len" | bc)
    "$LCME" run "$b" --quiet --replications $REPS --seed 3 2> s2.err &
    pid=$!
    sleep "$delay"
    pg_halt fast
    wait $pid; echo $? > s2.err.rc
    if [ "$(cat s2.err.rc)" -eq 0 ]; then
        pg_resume
        echo "stopped after ${delay}s: the run had finished; not counted" >&2
        # back to run A: its rows, its outputs (the data are the same)
        pg_sql hk "DELETE FROM result WHERE run <> '$runA'; DELETE FROM run_plan WHERE run <> '$runA';
                   DELETE FROM run WHERE id <> '$runA'" > /dev/null
        rm -rf "$out" && cp -r outA "$out"
        continue
    fi
    mid=$((mid + 1))
    stopped "2 (after ${delay}s)" s2.err "the connection to the server was lost"
    after "2 (after ${delay}s)"
done
check "2: runs were stopped mid-way ($mid of 5)" test $mid -ge 3

# 3. No server when the run begins.
pg_halt fast
"$LCME" run "$b" --quiet --replications $REPS --seed 4 2> s3.err; echo $? > s3.err.rc
stopped "3 (no server)" s3.err "cannot connect to the server"
check "3: the message names the store without a password" grep -qF "store 'postgresql://lcme@/hk?host=" s3.err
after "3 (no server)"

finish
