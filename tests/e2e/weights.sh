#!/usr/bin/env bash
# Named weight sets: [method] weights = NAME selects [weights.NAME]. With area
# A1 weighted 1 and areas A2 and A3 weighted 0, the arithmetic index must
# equal A1's score for every unit and year (worked by hand: sum w x / sum w
# with w = 1, 0, 0). Without the set, the index is the plain mean of the
# three areas. The Framework sheet's effective weight of A2 is then 0.
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"

g=$TMP/g
check "gen exits 0" "$LCME" gen --units 6 --first-year 2020 --years 3 --missing 0 --seed 11 -o "$g"
cd "$g"
sed -e 's/^min_coverage.*/min_coverage = 0/' batch.ini > plain.ini
awk '{print} /^\[method\]/{print "weights = areaone"}' plain.ini > w.ini
printf '\n[weights.areaone]\nA1 = 1\nA2 = 0\nA3 = 0\n' >> w.ini
check "the plain batch runs" "$LCME" run plain.ini --quiet --no-charts --replications 0 -o plain
check "the weighted batch runs" "$LCME" run w.ini --quiet --no-charts --replications 0 -o weighted

# index vs A1 (weighted) and index vs mean of areas (plain), every unit-year
cmp_idx() {  # cmp_idx FILE MODE
    awk -F, -v mode="$2" 'NR > 1 && ($3 == "INDEX" || $3 ~ /^A[123]$/) { s[$1 "," $2, $3] = $5; k[$1 "," $2] = 1 }
        END { bad = 0; n = 0
              for (key in k) { n++
                  want = (mode == "w") ? s[key, "A1"] : (s[key, "A1"] + s[key, "A2"] + s[key, "A3"]) / 3
                  d = s[key, "INDEX"] - want; if (d < 0) d = -d
                  if (d > 1e-9 * (1 + (want < 0 ? -want : want))) bad++ }
              print n, bad; exit (bad > 0 || n != 18) }' "$1"
}
check "weighted: the index equals A1 for all 18 unit-years" cmp_idx weighted/scores.csv w
check "plain: the index is the mean of the three areas" cmp_idx plain/scores.csv p

# An unknown node in the selected set is bad input at its line.
printf 'A9 = 2\n' >> w.ini
err=$("$LCME" validate w.ini 2>&1); rc=$?
check "unknown node in a weight set exits 1 (got $rc)" test $rc -eq 1
check "and names the line: $err" grep -q "w.ini:[0-9]*:1: error: \[weights.areaone\] 'A9' is not a node of the framework" <<<"$err"
finish
