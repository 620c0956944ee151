#!/usr/bin/env bash
# Comparisons over time that compare like with like (METHODS.md section 11),
# one constructed case per rule, run end to end: constant composition,
# imputed values, breaks in series (and across_breaks), aggregate targets
# over the indicators that have one, coverage beside every rank, flags kept
# as given, and a store of schema 1 migrated on opening.
#
# Every expected number is worked by hand in the comments. The batch uses
# normalise = none, so an indicator's score is its raw value and an
# aggregate the plain mean of its children present: R = mean(i1, i2, i3),
# min_coverage 0.3 (one of three indicators is enough for a score), and a
# score is ranked only with coverage >= 0.5. i1 has a target of 100.
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"

W=$TMP/cmp
mkdir -p "$W"
cat >"$W/fw.csv" <<'EOF'
code,parent,name,level,weight,direction,target,type
R,,Root,2,1,1,,Aggregate
i1,R,One,1,1,1,100,Indicator
i2,R,Two,1,1,1,,Indicator
i3,R,Three,1,1,1,,Indicator
EOF
# U: i3 starts in 2021 (composition).  V: i1 not reported in 2021 (carried
# forward: imputed).  W: i2 has a break in 2021 (flag b).  X: one indicator
# in 2021 only (coverage 1/3).  Z: no i1 ever, i2 and i3 at 90 then 100.
cat >"$W/obs.csv" <<'EOF'
unit,year,indicator,value,se,flag
U,2020,i1,40,,e
U,2020,i2,60,,
U,2021,i1,50,,
U,2021,i2,60,,
U,2021,i3,100,,
V,2020,i1,30,,
V,2020,i2,40,,
V,2020,i3,60,,
V,2021,i2,50,,
V,2021,i3,70,,
W,2020,i1,10,,
W,2020,i2,10,,
W,2020,i3,10,,
W,2021,i1,20,,
W,2021,i2,90,,b
W,2021,i3,20,,
X,2021,i1,80,,
Z,2020,i2,90,,
Z,2020,i3,90,,
Z,2021,i2,100,,
Z,2021,i3,100,,
EOF
batch() {  # batch NAME EXTRA-TREND-LINE
    cat >"$W/$1.ini" <<EOF
[batch]
name = $1
year = 2021
framework = fw.csv
data = obs.csv
store = $1.db
output = $1
[method]
normalise = none
min_coverage = 0.3
rank_min_coverage = 0.5
impute = latest
[uncertainty]
replications = 0
[trend]
base_year = 2020
target_year = 2030
$2
EOF
}
batch main ""
check "run exits 0" "$LCME" run "$W/main.ini" --quiet --no-charts
out=$W/main
q() {  # q SQL: one value from trends.csv (t) and scores.csv (s)
    sqlite3 :memory: -cmd ".mode csv" -cmd ".import $out/trends.csv t" \
        -cmd ".import $out/scores.csv s" -cmd ".mode list" "$1"
}
near() {  # near GOT WANT
    awk -v g="$1" -v w="$2" 'BEGIN { d = g - w; if (d < 0) d = -d;
        exit !(g != "" && d <= 1e-12 * (1 + (w < 0 ? -w : w))) }'
}

# Published scores (mean of the children present):
#   U 2020 (40+60)/2 = 50, 2021 (50+60+100)/3 = 70
#   V 2020 (30+40+60)/3 = 43.33, 2021 (30 carried +50+70)/3 = 50
#   W 2020 10, 2021 (20+90+20)/3 = 43.33;  X 2021 80;  Z 90, 100
got=$(q "select score from s where unit = 'U' and node = 'R' and year = 2021")
check "U's published R in 2021 is 70 (got $got)" near "$got" 70

# 1. Constant composition. U's change compares i1 and i2, the indicators
#    of both years: (50+60)/2 - (40+60)/2 = +5, not the published +20; it
#    is recomputed (constant 0) over 2 indicators.
got=$(q "select change_since_base || '|' || change_constant || '|' || change_indicators
         from t where unit = 'U' and node = 'R'")
check "U's R change is +5 over i1, i2 (got $got)" test "$got" = "5|0|2"
#    Z's indicators are the same in both years: the published scores, +10.
got=$(q "select change_since_base || '|' || change_constant from t where unit = 'Z' and node = 'R'")
check "Z's R change is the published +10 (got $got)" test "$got" = "10|1"
#    The Composition sheet lists U's i3 entering R in 2021, and only that.
strings=$(unzip -p "$out/main.xlsx" xl/sharedStrings.xml)
check "Notes count one composition change" \
    grep -q "Composition changes: 1 times an indicator entered or left a unit" <<<"$strings"

# 2. Imputed values. V's i1 of 2021 is carried forward: no observation. R's
#    change compares i2 and i3: (50+70)/2 - (40+60)/2 = +10 (published
#    +6.67); i1 itself has one observed year, so no change and no class.
got=$(q "select change_since_base || '|' || change_indicators from t where unit = 'V' and node = 'R'")
check "V's R change is +10 over i2, i3 (got $got)" test "$got" = "10|2"
got=$(q "select change_since_base || '|' || points || '|' || progress
         from t where unit = 'V' and node = 'i1'")
check "V's i1 has one observed year, no change (got $got)" test "$got" = "|1|trend unavailable"

# 3. Breaks. W's i2 of 2021 is flagged b: its series starts again there
#    (one point, no change), and R's change leaves it out: (20+20)/2 -
#    (10+10)/2 = +10 (published +33.33).
got=$(q "select change_since_base || '|' || change_indicators from t where unit = 'W' and node = 'R'")
check "W's R change is +10 without i2 (got $got)" test "$got" = "10|2"
got=$(q "select change_since_base || '|' || points from t where unit = 'W' and node = 'i2'")
check "W's i2 is split at the break (got $got)" test "$got" = "|1"
check "Notes count the break and the split series" \
    grep -q "1 observation is flagged as a break (flag b or B: the value is not comparable with earlier years). A break splits a series: 1 indicator series were cut" <<<"$strings"
#    Flags as given: quality.csv counts them per indicator, Data shows them.
got=$(awk -F, '$1 == "flag" {print $4 "/" $5 "/" $7 "/" $8}' "$out/quality.csv" | tr '\n' ' ')
check "quality.csv counts the flags (got $got)" test "$got" = "i1/e/1/ i2/b/1/break in series "
check "the Data sheet has the flag columns" grep -q "<t>i2 (flag)</t>" <<<"$strings"
check "the store keeps the flag text" \
    test "$(sqlite3 "$W/main.db" "select flag from observation where unit = 'W' and year = 2021 and indicator = 'i2'")" = b
#    With across_breaks = yes, W's R compares the published scores:
#    (20+90+20)/3 - 10 = 33.33, and i2 has a change of 80.
batch across "across_breaks = yes"
check "across_breaks run exits 0" "$LCME" run "$W/across.ini" --quiet --no-charts
out=$W/across
got=$(q "select change_since_base from t where unit = 'W' and node = 'R'")
check "across breaks, W's R change is 33.33 (got $got)" near "$got" 33.333333333333336
got=$(q "select change_since_base from t where unit = 'W' and node = 'i2'")
check "across breaks, W's i2 change is 80 (got $got)" near "$got" 80
out=$W/main

# 4. Aggregate targets. R's target compares the unit's score over i1 (the
#    only indicator with a target) with the target score over i1 (100):
#    U: i1 40 -> 50, R = ((50-40)/(100-40)) / ((2021-2020)/(2030-2020))
#    = 1.667: on track, target 100. W: 10 -> 20, R = (10/90)/0.1 = 1.111:
#    on track. Z has no i1: no target class (the rule before this one gave
#    Z "target met": its R of 100 reached the target score of 100 made
#    from i1 alone); its class without a target: (100-90)/1/90 = 0.111 a
#    year of the score range (90, from 10 to 100) >= 1.5 %: substantial.
#    V's i1 is not observed in 2021: no target class either.
got=$(q "select progress || '|' || target from t where unit = 'U' and node = 'R'")
check "U's R is on track towards 100 (got $got)" test "$got" = "on track|100"
got=$(q "select progress || '|' || target from t where unit = 'W' and node = 'R'")
check "W's R is on track towards 100 (got $got)" test "$got" = "on track|100"
got=$(q "select progress || '|' || target from t where unit = 'Z' and node = 'R'")
check "Z never meets R's target without i1 (got $got)" test "$got" = "substantial progress|"
got=$(q "select progress || '|' || target from t where unit = 'V' and node = 'R'")
check "V gets no target class without an observed i1 (got $got)" test "$got" = "substantial progress|"

# 5. Coverage beside every rank. In 2021: X's R (80) covers 1/3 < 0.5: not
#    ranked; the others rank among themselves: Z 100 (1), U 70 (2), V 50
#    (3), W 43.33 (4); Z covers 2/3.
got=$(q "select group_concat(unit || ':' || rank || ':' || printf('%.4f', coverage), ' ')
         from (select * from s where node = 'R' and year = 2021 order by unit)")
check "ranks only above the coverage threshold (got $got)" \
    test "$got" = "U:2:1.0000 V:3:1.0000 W:4:1.0000 X::0.3333 Z:1:0.6667"
check "Summary says X is not ranked" grep -q "not ranked: too little data" <<<"$strings"

# 6. Monte Carlo: with a standard error of 1 on U's i1, the interval of U's
#    R change follows the same composition: (i1' 2021 - i1' 2020)/2, whose
#    sd is sqrt(2)/2 = 0.71, so about 5 +- 1.4; the published change (20)
#    lies far outside.
sed -i 's/^U,2020,i1,40,,e$/U,2020,i1,40,1,e/; s/^U,2021,i1,50,,$/U,2021,i1,50,1,/' "$W/obs.csv"
batch mc ""
sed -i 's/^replications = 0$/replications = 400/' "$W/mc.ini"
check "Monte Carlo run exits 0" "$LCME" run "$W/mc.ini" --quiet --no-charts
out=$W/mc
got=$(q "select change_low || ' ' || change_high from t where unit = 'U' and node = 'R'")
check "U's change interval is around +5 (got $got)" \
    awk -v g="$got" 'BEGIN { split(g, a, " "); exit !(a[1] > 3 && a[1] < 5 && a[2] > 5 && a[2] < 7) }'

# 7. A store of schema 1 (flag kept as 0/1, no coverage) opens: migrated
#    to schema 2, its flag 1 kept as the text '1', and the run adds to it.
sqlite3 "$W/old.db" <"$SRC/tests/data/good/store-v1.sql"
batch old ""
check "a run on a schema-1 store exits 0" "$LCME" run "$W/old.ini" --quiet --no-charts
check "the store is now schema 2" test "$(sqlite3 "$W/old.db" 'pragma user_version')" = 2
got=$(sqlite3 "$W/old.db" "select typeof(flag) || ':' || flag from observation where unit = 'U' and year = 2019")
check "the old flag 1 reads as text '1' (got $got)" test "$got" = "text:1"
got=$(sqlite3 "$W/old.db" "select count(*) from observation where year = 2019 and flag is null")
check "the old unflagged observation has no flag (got $got)" test "$got" = 1
got=$(sqlite3 "$W/old.db" "select count(*) from result where coverage is not null")
check "the new run stores coverage ($got rows)" test "$got" -gt 0

finish
