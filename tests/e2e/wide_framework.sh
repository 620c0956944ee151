#!/usr/bin/env bash
# A wide framework (issue 14, item 7): 1,500 indicators under one parent,
# four units that move together, so that every pair of indicators is
# collinear: 1,124,250 correlation flags, more rows than a worksheet holds.
#  - the run completes (exit 0) and quickly: the first principal component
#    of 1,500 children over 4 units is a 4 x 4 eigenproblem, not 1,500 x 1,500
#    (which took 35 s; --timings' scores line must stay under 20 s);
#  - quality.csv lists every flag; the Quality sheet shows those that fit and
#    one corr_flag row (statistic not_shown) counting the others;
#  - the workbook's other parts are well-formed (the Quality sheet's 100 MB
#    of XML is left out of xmllint to keep the test short).
LCME=$1 SRC=$2
. "$SRC/tests/e2e/lib.bash"
cd "$TMP"

K=1500
awk -v k=$K 'BEGIN {
    print "code,parent,name,level,weight,direction,unit,target,min,max,type"
    print "City,,City,2,1,1,,,,,Aggregate"
    for (i = 0; i < k; i++) printf "i%d,City,Indicator %d,1,1,1,,,,,Indicator\n", i, i
}' > fw.csv
awk -v k=$K 'BEGIN {
    print "unit,year,indicator,value"
    split("A B C D", u, " "); split("10 20 35 50", b, " ")
    for (j = 1; j <= 4; j++)
        for (i = 0; i < k; i++) printf "%s,2023,i%d,%.3f\n", u[j], i, b[j] + (i % 7) * 0.001
}' > obs.csv
printf '[batch]\nname = Wide\nyear = 2023\nframework = fw.csv\ndata = obs.csv\n[uncertainty]\nreplications = 0\n' \
    > wide.ini

err=$("$LCME" run wide.ini --no-charts --quiet --timings 2>&1); rc=$?
check "the wide batch runs (exit $rc: $(grep error <<<"$err" | head -n1))" test $rc -eq 0
secs=$(sed -n 's/^scores: //p' <<<"$err")
echo "scores stage: ${secs:-?} s"
check "the scores stage takes under 20 s (${secs:-?} s)" awk -v s="${secs:-999}" 'BEGIN { exit !(s < 20) }'
flags=$(grep -c '^corr_flag,' out/quality.csv)
check "quality.csv lists every pair ($flags)" test "$flags" -eq $((K * (K - 1) / 2))
xl=out/wide.xlsx
sheet=$(unzip -p "$xl" xl/workbook.xml | grep -o 'name="Quality" sheetId="[0-9]*" r:id="rId[0-9]*"' |
        sed 's/.*rId//; s/"//')
check "the Quality sheet has as many rows as a sheet holds" \
    sh -c "unzip -p '$xl' xl/worksheets/sheet$sheet.xml | head -c 4096 | grep -q '<dimension ref=\"A1:H1048576\"/>'"
check "a row counts the flags it leaves to quality.csv" \
    sh -c "unzip -p '$xl' xl/sharedStrings.xml | grep -q not_shown"
mkdir x && (cd x && unzip -q "../$xl" -x "xl/worksheets/sheet$sheet.xml")
bad=0
while IFS= read -r f; do xmllint --noout "$f" 2>/dev/null || { bad=1; echo "not well-formed: $f" >&2; }; done \
    < <(find x -name '*.xml' -o -name '*.rels')
check "every other part of the workbook is well-formed XML" test $bad -eq 0

finish
