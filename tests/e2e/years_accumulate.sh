#!/usr/bin/env bash
# Years accumulate in the store: next year's officer supplies only next year's
# data, and the results equal a single run over every year at once. Reloading
# a file replaces the rows it loaded before.
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"

g=$TMP/g
check "gen exits 0" "$LCME" gen --units 6 --first-year 2019 --years 4 --missing 0.1 --seed 7 -o "$g"
cd "$g"
head -n1 observations.csv > early.csv
head -n1 observations.csv > late.csv
awk -F, 'NR > 1 && $2 <= 2021' observations.csv >> early.csv
awk -F, 'NR > 1 && $2 == 2022' observations.csv >> late.csv
check "the split keeps every row" test $(( $(wc -l < early.csv) + $(wc -l < late.csv) - 2 )) -eq $(( $(wc -l < observations.csv) - 1 ))

mk_batch() {  # mk_batch FILE YEAR DATA STORE OUT
    sed -e "s#^year *=.*#year = $2#" -e "s#^data *=.*#data = $3#" \
        -e "s#^store *=.*#store = $4#" -e "s#^output *=.*#output = $5#" \
        -e "s#^name *=.*#name = Accumulate#" batch.ini > "$1"
}
mk_batch y2021.ini 2021 early.csv yearly.db out2021
mk_batch y2022.ini 2022 late.csv yearly.db out2022
mk_batch all.ini 2022 observations.csv once.db outall
check "2021 batch runs" "$LCME" run y2021.ini --quiet --no-charts --replications 50
check "2022 batch runs on the same store" "$LCME" run y2022.ini --quiet --no-charts --replications 50
check "one batch over all years runs" "$LCME" run all.ini --quiet --no-charts --replications 50
check "yearly batches give the same scores as one batch over all years" \
    cmp -s out2022/scores.csv outall/scores.csv
check "trends agree too" cmp -s out2022/trends.csv outall/trends.csv
years=$(sqlite3 yearly.db "select count(distinct year) from observation")
check "the store holds 4 years (got $years)" test "$years" -eq 4
hist=$("$LCME" history y2022.ini)
check "history lists both sources" test "$(grep -c -E 'early.csv|late.csv' <<<"$hist")" -eq 2
check "history lists two runs" test "$(grep -c ' done ' <<<"$hist")" -eq 2

# Reload late.csv without its last 10 rows: they leave the store.
before=$(sqlite3 yearly.db "select count(*) from observation where year = 2022")
head -n -10 late.csv > late2.csv && mv late2.csv late.csv
check "rerun with a shorter file runs" "$LCME" run y2022.ini --quiet --no-charts --replications 50
after=$(sqlite3 yearly.db "select count(*) from observation where year = 2022")
check "reload replaced the file's rows ($before -> $after)" test "$after" -eq $((before - 10))
check "store integrity" test "$(sqlite3 yearly.db 'pragma integrity_check')" = ok

finish
