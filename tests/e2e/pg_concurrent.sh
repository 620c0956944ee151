#!/usr/bin/env bash
# Many writers at once into one PostgreSQL store (issue 19), on a real
# server (tests/pg_server.bash; a server that cannot start fails the test).
#
# Eight offices, two units each, load into one store at the same time, ten
# rounds (one year a round, each office's file reloaded under its own name
# with the next year's rows). In every round three of the eight loaders are
# killed (SIGKILL) at moments spread over a run. After the kills:
#  - every office's rows for the round's year are all in or all out, and
#    all in exactly when its source row names the file just loaded;
#  - no run is left but done ones, one per loader that finished;
# then the killed loaders run again until they finish. At the end the store
# holds the same rows (count and checksum of every column but load times) as
# the same 80 batches loaded one after the other into another database.
# Batches are small (16 units, 42 indicators) so that the test stays short.
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"
. "$SRC/tests/pg_server.bash"
pg_e2e_begin
RANDOM=19
OFFICES=8 ROUNDS=10 KILLS=3 FIRST=2016

check "gen exits 0" "$LCME" gen --units 16 --years $ROUNDS --first-year $FIRST \
    --indicators-per-feature 1 --missing 0.05 --seed 5 -o g
conc=$(pg_newdb conc) seq=$(pg_newdb seq)

# office DIR K STORE: office K's batch in DIR (its data file office-K.csv).
office() {
    mkdir -p "$1"
    sed -e "s#^framework *=.*#framework = ../g/framework.csv#" \
        -e "s#^units *=.*#units = ../g/units.csv#" -e "s#^data *=.*#data = office-$2.csv#" \
        -e "s#^store *=.*#store = ${3//&/\\&}#" -e "s#^output *=.*#output = out#" \
        -e "s#^name *=.*#name = Office $2#" g/batch.ini > "$1/batch.ini"
}
# round_files R: office K's rows of year FIRST+R into files/R-K.csv
mkdir files
for r in $(seq 0 $((ROUNDS - 1))); do
    for k in $(seq 1 $OFFICES); do
        awk -F, -v y=$((FIRST + r)) -v a="$(printf 'U%03d' $((2 * k - 1)))" \
            -v b="$(printf 'U%03d' $((2 * k)))" \
            'NR == 1 || ($2 == y && ($1 == a || $1 == b))' g/observations.csv > "files/$r-$k.csv"
    done
done
for k in $(seq 1 $OFFICES); do office "c$k" "$k" "$conc"; office "s$k" "$k" "$seq"; done

# load DIR R K: office K's round R in DIR, in the background; its pid in $!
load() {
    cp "files/$2-$3.csv" "$1/office-$3.csv"
    sed -i "s#^year *=.*#year = $((FIRST + $2))#" "$1/batch.ini"
    "$LCME" run "$1/batch.ini" --quiet --replications 0 --no-charts --threads 1 \
        > "$1/log" 2>&1 &
}

# How long a round of eight loads takes here (into a database of its own):
# the kills are spread over that time, so that they land mid-way on a fast
# machine as on a loaded one.
warm=$(pg_newdb warm)
for k in $(seq 1 $OFFICES); do office "w$k" "$k" "$warm"; done
t0=$(date +%s%N)
for k in $(seq 1 $OFFICES); do load "w$k" 0 $k; wpid[$k]=$!; done
for k in $(seq 1 $OFFICES); do wait "${wpid[$k]}" || fail "warm-up office $k: $(cat "w$k/log")"; done
span_ms=$((($(date +%s%N) - t0) / 1000000))
echo "a round of $OFFICES loads takes $span_ms ms here"

done_runs=0 killed=0 retried=0
for r in $(seq 0 $((ROUNDS - 1))); do
    y=$((FIRST + r))
    declare -A pid=() rc=()
    for k in $(seq 1 $OFFICES); do load "c$k" $r $k; pid[$k]=$!; done
    # three victims, killed between 0 and 80% of a round's time, spread
    victims=$(seq 1 $OFFICES | shuf --random-source=<(yes $r) -n $KILLS)
    for k in $victims; do
        ms=$((RANDOM % (span_ms * 8 / 10 / KILLS + 1)))
        sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
        kill -9 "${pid[$k]}" 2>/dev/null
    done
    for k in $(seq 1 $OFFICES); do wait "${pid[$k]}" 2>/dev/null; rc[$k]=$?; done
    for k in $(seq 1 $OFFICES); do
        want=$(($(wc -l < "files/$r-$k.csv") - 1))
        got=$(pg_sql conc "SELECT count(*) FROM observation WHERE source = 'office-$k.csv' AND year = $y")
        sha=$(pg_sql conc "SELECT sha256 FROM source WHERE name = 'office-$k.csv'")
        mine=0; [ "$sha" = "$(sha256sum "files/$r-$k.csv" | cut -d' ' -f1)" ] && mine=1
        # a loader killed after its commit has finished: its source row (in
        # the same transaction as its run) names its file
        [ "${rc[$k]}" -eq 137 ] && [ "$mine" -eq 1 ] && rc[$k]=0
        [ "${rc[$k]}" -eq 0 ] && done_runs=$((done_runs + 1))
        [ "${rc[$k]}" -eq 137 ] && killed=$((killed + 1))
        if [ "$mine" -eq 1 ]; then
            check "round $r office $k (exit ${rc[$k]}): all its $want rows are in ($got)" test "$got" -eq "$want"
        else
            check "round $r office $k (exit ${rc[$k]}): none of its rows are in ($got)" test "$got" -eq 0
        fi
        [ "${rc[$k]}" -eq 0 ] && check "round $r office $k finished: its source row is this file's" test $mine -eq 1
        [ "${rc[$k]}" -ne 0 ] && [ "${rc[$k]}" -ne 137 ] && sed "s/^/  round $r office $k: /" "c$k/log" >&2
    done
    check "round $r: only done runs, one per loader that finished" \
        test "$(pg_sql conc "SELECT count(*) FILTER (WHERE status = 'done') || ' ' || count(*) FROM run")" = "$done_runs $done_runs"
    # the loaders that did not finish run again until they do
    for try in 1 2 3 4 5; do
        again=()
        for k in $(seq 1 $OFFICES); do [ "${rc[$k]}" -ne 0 ] && again+=("$k"); done
        [ ${#again[@]} -eq 0 ] && break
        for k in "${again[@]}"; do load "c$k" $r $k; pid[$k]=$!; done
        for k in "${again[@]}"; do
            wait "${pid[$k]}"; rc[$k]=$?; retried=$((retried + 1))
            [ "${rc[$k]}" -eq 0 ] && done_runs=$((done_runs + 1))
            [ "${rc[$k]}" -ne 0 ] && sed "s/^/  round $r office $k again: /" "c$k/log" >&2
        done
    done
    for k in $(seq 1 $OFFICES); do
        check "round $r office $k: finished in the end" test "${rc[$k]}" -eq 0
    done
    unset pid rc
done
check "loaders were killed mid-way ($killed of $((ROUNDS * KILLS)) before they finished)" \
    test "$killed" -ge $((ROUNDS * KILLS / 3))
echo "$killed loaders killed mid-way, $retried runs again"

# The same batches one after the other.
for r in $(seq 0 $((ROUNDS - 1))); do
    for k in $(seq 1 $OFFICES); do
        load "s$k" $r $k; wait $! || fail "sequential round $r office $k: $(cat "s$k/log")"
    done
done
sums() {  # sums DB: row counts and checksums of what a load decides
    pg_sql "$1" "
      SELECT 'observation', count(*), md5(string_agg(concat_ws('|', unit, year, indicator,
             value, coalesce(se::text, '~'), coalesce(n::text, '~'), coalesce(lower::text, '~'),
             coalesce(upper::text, '~'), coalesce(flag, '~'), source, line), E'\n'
             ORDER BY unit, year, indicator)) FROM observation
      UNION ALL SELECT 'source', count(*), md5(string_agg(concat_ws('|', name, sha256, rows,
             coalesce(sheet, '~')), E'\n' ORDER BY name)) FROM source
      UNION ALL SELECT 'unit', count(*), md5(string_agg(code || '|' || name, E'\n' ORDER BY code)) FROM unit
      UNION ALL SELECT 'unit_attr', count(*), md5(string_agg(concat_ws('|', code, attr, value), E'\n'
             ORDER BY code, attr)) FROM unit_attr
      UNION ALL SELECT 'run', count(*), string_agg(DISTINCT status, ',') FROM run"
}
sums conc > sums.conc
sums seq > sums.seq
check "concurrent and sequential loads hold the same rows ($(tr '\n' ' ' < sums.conc))" \
    cmp -s sums.conc sums.seq
check "every observation is there ($(head -n1 sums.seq | cut -d'|' -f2))" \
    test "$(head -n1 sums.seq | cut -d'|' -f2)" -eq $(($(wc -l < g/observations.csv) - 1))

finish
