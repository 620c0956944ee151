#!/usr/bin/env bash
# The PostgreSQL store (issue 19) against the SQLite store, on a real server
# (tests/pg_server.bash; a server that cannot start fails the test):
#  - the Hong Kong, GNLC and asem-sensitivity sample batches give
#    byte-identical output files whichever store they use, and `lcme
#    history` prints the same; the stores have the same tables and columns;
#  - the year-by-year reload contract (a file reloaded under its name with
#    the next year's data keeps the earlier years and says so; --replace
#    drops them) gives the same messages, outputs and rows on both;
#  - `lcme store copy` SQLite -> PostgreSQL -> SQLite gives back every row
#    of every table, and a copied store runs the next batch like the
#    original;
#  - a password is never taken from a batch file or a URI on the command
#    line, and never printed: not in the refusal, not when the server
#    refuses the one PGPASSWORD gives.
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"
. "$SRC/tests/pg_server.bash"
pg_e2e_begin

# side NAME BATCH STORE: datasets/BATCH copied to NAME/ with its store key
# set to STORE; prints the batch file.
side() {
    mkdir -p "$1/datasets" "$1/tests"
    [ -d "$1/indicators" ] || cp -r "$SRC/indicators" "$1/"
    [ -d "$1/tests/conformance" ] || cp -r "$SRC/tests/conformance" "$1/tests/"
    cp -r "$SRC/datasets/$2" "$1/datasets/"
    rm -rf "$1/datasets/$2/out" "$1/datasets/$2/lcme.db"
    sed -i "s#^store *=.*#store        = ${3//&/\\&}#" "$1/datasets/$2/batch.ini"
    echo "$TMP/$1/datasets/$2/batch.ini"
}

# table_rows DB: every row of every table of a SQLite store, in key order,
# numbers with every digit (.mode quote), the plan tables when present.
table_rows() {
    local t
    for t in "source ORDER BY name" "unit ORDER BY code" "unit_attr ORDER BY code, attr" \
             "observation ORDER BY unit, year, indicator" "run ORDER BY id" \
             "result ORDER BY run, node, year, unit" "plan_version ORDER BY id" \
             "plan_objective ORDER BY version, seq" "run_plan ORDER BY run" \
             "sensitivity_run ORDER BY run, seq" "sensitivity_param ORDER BY run, seq, assumption" \
             "sensitivity_rank ORDER BY run, unit" "sensitivity_index ORDER BY run, assumption" \
             "sensitivity_unit_index ORDER BY run, unit, assumption"; do
        echo "== $t"
        sqlite3 -cmd '.mode quote' "$1" "SELECT * FROM $t" 2>/dev/null
    done
}

# 1. HK and GNLC: the same files, byte for byte; the same history.
for b in hong-kong gnlc asem-sensitivity; do
    uri=$(pg_newdb "$b")
    lite=$(side lite "$b" lcme.db) pg=$(side pg "$b" "$uri")
    sed -i 's/^samples .*/samples = 64/' "$lite" "$pg"   # [sensitivity], kept short
    check "$b on SQLite runs" "$LCME" run "$lite" --quiet --threads 2
    check "$b on PostgreSQL runs" "$LCME" run "$pg" --quiet --threads 2
    a=$(dirname "$lite")/out z=$(dirname "$pg")/out
    nfile=$(cd "$a" && find . -type f | wc -l)
    check "$b: outputs written ($nfile files)" test "$nfile" -gt 5
    check "$b: every output file identical on both stores" diff -r "$a" "$z"
    # all but the first line (the store) and the times of loading
    untimed='s/[0-9-]*T[0-9:]*Z/TIME/g'
    "$LCME" history "$lite" | tail -n +2 | sed "$untimed" > hist.lite
    "$LCME" history "$pg" > hist.pg.full
    tail -n +2 hist.pg.full | sed "$untimed" > hist.pg
    check "$b: lcme history prints the same on both" cmp -s hist.lite hist.pg
    check "$b: lcme history names the store by its URI" \
        grep -qF "Store postgresql://lcme@/$b?host=" hist.pg.full
    q="SELECT count(*), count(flag), count(DISTINCT unit), count(DISTINCT source) FROM observation"
    check "$b: the same observations on both" \
        test "$(sqlite3 -separator '|' "$(dirname "$lite")/lcme.db" "$q")" = "$(pg_sql "$b" "$q")"
done

check "the sensitivity analysis is in the PostgreSQL store" \
    test "$(pg_sql asem-sensitivity 'SELECT count(*) FROM sensitivity_run')" -gt 0
# Every table and column of the SQLite stores (the plan tables of HK, the
# sensitivity tables of asem-sensitivity) is in the PostgreSQL store, in
# the same order; PostgreSQL adds schema_version only.
for b in hong-kong asem-sensitivity; do
    sqlite3 -separator '|' "$TMP/lite/datasets/$b/lcme.db" \
        "SELECT m.name, p.cid, p.name FROM sqlite_master m, pragma_table_info(m.name) p
         WHERE m.type = 'table'"
done | sort -u -t'|' -k1,1 -k2,2n | cut -d'|' -f1,3 > cols.lite
pg_sql hong-kong "SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name <> 'schema_version'
     ORDER BY table_name COLLATE \"C\", ordinal_position" > cols.pg
check "the same tables and columns on both stores ($(wc -l < cols.lite) columns)" \
    cmp -s cols.lite cols.pg

# 2. The reload contract (issue 14 item 3) on both stores.
check "gen exits 0" "$LCME" gen --units 6 --first-year 2019 --years 4 --missing 0.1 --seed 7 -o g
head -n1 g/observations.csv > g/early.csv
head -n1 g/observations.csv > g/late.csv
awk -F, 'NR > 1 && $2 <= 2021' g/observations.csv >> g/early.csv
awk -F, 'NR > 1 && $2 == 2022' g/observations.csv >> g/late.csv
roll_uri=$(pg_newdb roll)
for s in lite pg; do
    cp -r g "roll-$s"
    st=roll.db; [ $s = pg ] && st=$roll_uri
    for y in 2021 2022; do
        sed -e "s#^year *=.*#year = $y#" -e "s#^data *=.*#data = roll.csv#" \
            -e "s#^store *=.*#store = ${st//&/\\&}#" -e "s#^output *=.*#output = out#" \
            -e "s#^name *=.*#name = Roll#" g/batch.ini > "roll-$s/y$y.ini"
    done
    cp g/early.csv "roll-$s/roll.csv"
    # roll STEP YEAR [--replace]: the messages, the folder's name made alike
    roll() {
        "$LCME" run "roll-$s/y$2.ini" --no-charts --replications 20 "${@:3}" 2>&1 |
            sed "s#roll-$s/#roll/#g" > "roll-$s.$1"
        echo "exit ${PIPESTATUS[0]}" >> "roll-$s.$1"
    }
    roll 1 2021
    cp g/late.csv "roll-$s/roll.csv"
    roll 2 2022
    cp -r "roll-$s/out" "roll-$s/out-kept"
    roll 3 2022 --replace
done
for k in 1 2 3; do
    check "reload step $k: the same exit and messages on both stores ($(tail -n1 roll-pg.$k))" \
        cmp -s "roll-lite.$k" "roll-pg.$k"
done
check "reload: the run says what it kept" grep -q "observations of 2019-2021, loaded earlier under this name, are kept" roll-pg.2
check "reload: the same outputs while the earlier years are kept" diff -r roll-lite/out-kept roll-pg/out-kept
check "reload: the same outputs after --replace" diff -r roll-lite/out roll-pg/out
check "reload: --replace left only the file's own year on PostgreSQL" \
    test "$(pg_sql roll 'SELECT count(*) FROM observation WHERE year <= 2021')" -eq 0
check "reload: the same rows per year on both" test \
    "$(sqlite3 -separator '|' roll-lite/roll.db 'SELECT year, count(*) FROM observation GROUP BY year ORDER BY year')" = \
    "$(pg_sql roll 'SELECT year, count(*) FROM observation GROUP BY year ORDER BY year')"

# 3. lcme store copy: SQLite -> PostgreSQL -> SQLite gives back every row.
hk=$TMP/lite/datasets/hong-kong/lcme.db
cp_uri=$(pg_newdb hkcopy)
check "store copy SQLite -> PostgreSQL" "$LCME" store copy "$hk" "$cp_uri" --quiet
check "store copy PostgreSQL -> SQLite" "$LCME" store copy "$cp_uri" back.db --quiet
table_rows "$hk" > rows.orig
table_rows back.db > rows.back
check "the round trip gives back every row ($(wc -l < rows.orig) lines)" cmp -s rows.orig rows.back
sens=$TMP/lite/datasets/asem-sensitivity/lcme.db
sens_uri=$(pg_newdb senscopy)
check "store copy SQLite -> PostgreSQL (a sensitivity analysis)" "$LCME" store copy "$sens" "$sens_uri" --quiet
check "store copy PostgreSQL -> SQLite (a sensitivity analysis)" "$LCME" store copy "$sens_uri" back-sens.db --quiet
table_rows "$sens" > rows.sens
table_rows back-sens.db > rows.sens.back
check "the round trip gives back every row of the analysis ($(grep -c . rows.sens) lines)" \
    cmp -s rows.sens rows.sens.back
check "the copy holds the analysis" test "$(grep -A1 '== sensitivity_unit_index' rows.sens | tail -n1 | cut -c1)" = "'"
check "the copy holds every observation" \
    test "$(pg_sql hkcopy 'SELECT count(*) FROM observation')" -eq "$(sqlite3 "$hk" 'SELECT count(*) FROM observation')"
err=$("$LCME" store copy "$hk" "$cp_uri" 2>&1); rc=$?
check "store copy into a store that holds data: exit 1 ($rc)" test $rc -eq 1
check "store copy into a store that holds data: says so ($err)" grep -q "holds .* rows* in source already" <<<"$err"
check "a refused copy adds nothing" test "$(pg_sql hkcopy 'SELECT count(*) FROM run')" -eq 1
# the copy runs the batch as the original does
rm -rf "$TMP/lite/datasets/hong-kong/out"
cpb=$(side copied hong-kong "$cp_uri")
check "HK runs again on the copied PostgreSQL store" "$LCME" run "$cpb" --quiet --threads 2
check "HK runs again on its SQLite store" "$LCME" run "$TMP/lite/datasets/hong-kong/batch.ini" --quiet --threads 2
check "the copy's outputs are the original's" \
    diff -r "$TMP/lite/datasets/hong-kong/out" "$(dirname "$cpb")/out"

# 4. Passwords: refused in a batch file or a URI argument, never printed.
secret=Zq7-never-shown
hidden() {  # hidden FILE: the file does not hold the secret
    ! grep -qF "$secret" "$1"
}
pwb=$(side pw hong-kong "postgresql://lcme:$secret@/hong-kong?host=$PGHOST")
"$LCME" run "$pwb" --quiet > pw.out 2>&1; rc=$?
check "a password in the batch file's URI: exit 1 ($rc)" test $rc -eq 1
check "the refusal names the place and the way ($(head -n1 pw.out))" \
    grep -q "batch.ini:.*password.*PGPASSWORD or ~/.pgpass" pw.out
check "the refusal never prints the password" hidden pw.out
"$LCME" validate "$pwb" > pw.val 2>&1; rc=$?
check "validate refuses it too: exit 1 ($rc)" test $rc -eq 1
check "validate never prints the password" hidden pw.val
sed -i "s#^store *=.*#store = postgresql://lcme@/hong-kong?host=$PGHOST\&password=$secret#" "$pwb"
"$LCME" run "$pwb" --quiet > pw2.out 2>&1; rc=$?
check "a password parameter in the URI: exit 1 ($rc)" test $rc -eq 1
check "the password parameter is never printed" hidden pw2.out
"$LCME" store copy "$hk" "postgresql://lcme:$secret@/hkcopy?host=$PGHOST" > pw3.out 2>&1; rc=$?
check "store copy to a URI with a password: refused, exit 2 or 1 ($rc)" test $rc -eq 1 -o $rc -eq 2
check "store copy's refusal never prints the password" hidden pw3.out
check "store copy's refusal shows the URI masked" grep -qF "lcme:***@" pw3.out
check "nothing was copied" test "$(pg_sql hkcopy 'SELECT count(*) FROM run')" -eq 1
PGPASSWORD=$secret "$LCME" history "$pg" > pw4.out 2>&1; rc=$?
check "a wrong PGPASSWORD: exit 3 ($rc)" test $rc -eq 3
check "a wrong PGPASSWORD: the server's refusal is given ($(head -n1 pw4.out))" \
    grep -qi "password" pw4.out
check "a wrong PGPASSWORD is never printed" hidden pw4.out
check "nothing was written beside the refused batches" test ! -e "$(dirname "$pwb")/out"

finish
