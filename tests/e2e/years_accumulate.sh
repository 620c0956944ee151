#!/usr/bin/env bash
# Years accumulate in the store: next year's officer supplies only next year's
# data, and the results equal a single run over every year at once. Reloading
# a file replaces the rows it loaded before for the years it gives.
#
# Issue 14 item 3 (the store's contract for a file loaded again under the
# same name): replacing a data file's contents with the next year's keeps
# the years loaded before, says so, and --replace drops them; two batches in
# other folders that share a store and a data file name keep each other's
# rows.
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

# Item 3: the officer replaces the file's contents with the next year's.
mk_batch roll2021.ini 2021 roll.csv roll.db outroll
mk_batch roll.ini 2022 roll.csv roll.db outroll
cp early.csv roll.csv
check "item 3: the first year's batch runs" "$LCME" run roll2021.ini --quiet --no-charts --replications 50
early_rows=$(sqlite3 roll.db "select count(*) from observation where year <= 2021")
cp late.csv roll.csv
err=$("$LCME" run roll.ini --no-charts --replications 50 2>&1); rc=$?
check "item 3: the next year's file under the same name runs ($rc)" test $rc -eq 0
kept=$(sqlite3 roll.db "select count(*) from observation where year <= 2021")
check "item 3: the earlier years stay in the store ($early_rows -> $kept)" test "$kept" -eq "$early_rows" -a "$kept" -gt 0
check "item 3: the run says what it kept ($err)" grep -q "roll.csv: $kept observations of 2019-2021, loaded earlier under this name, are kept" <<<"$err"
check "item 3: the Notes sheet says so too" \
    sh -c "unzip -p outroll/accumulate.xlsx xl/sharedStrings.xml | grep -q 'no longer gives 2019-2021'"
check "item 3: scores equal one run over every year" cmp -s outroll/scores.csv out2022/scores.csv
check "item 3: --replace drops the years the file no longer gives" \
    "$LCME" run roll.ini --quiet --no-charts --replications 50 --replace
check "item 3: only the file's own year is left" \
    test "$(sqlite3 roll.db 'select count(*) from observation where year <= 2021')" -eq 0

# Item 3: two batches in two folders share a store and a data file name.
mkdir -p cityA cityB
for c in A B; do
    awk -F, -v c=$c 'NR == 1 || (c == "A" && $1 <= "U003") || (c == "B" && $1 > "U003")' \
        observations.csv > city$c/observations.csv
    sed -e "s#^data *=.*#data = observations.csv#" -e "s#^store *=.*#store = ../shared.db#" \
        -e "s#^output *=.*#output = out#" -e "s#^framework *= *#framework = ../#" \
        -e "s#^units *= *#units = ../#" batch.ini > city$c/batch.ini
done
check "item 3: the units split into two non-empty halves" \
    test "$(wc -l < cityA/observations.csv)" -gt 1 -a "$(wc -l < cityB/observations.csv)" -gt 1
check "item 3: city A's batch runs" "$LCME" run cityA/batch.ini --quiet --no-charts --replications 50
a_rows=$(sqlite3 shared.db "select count(*) from observation")
check "item 3: city B's batch runs on the same store" "$LCME" run cityB/batch.ini --quiet --no-charts --replications 50
check "item 3: city A's rows are still there" \
    test "$(sqlite3 shared.db "select count(*) from observation where source = 'cityA/observations.csv'")" -eq "$a_rows"
check "item 3: the store holds both cities' rows" \
    test "$(sqlite3 shared.db 'select count(*) from observation')" -eq $(( $(wc -l < cityA/observations.csv) + $(wc -l < cityB/observations.csv) - 2 ))

finish
