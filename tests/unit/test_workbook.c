/* test_workbook.c: unit tests of reports/workbook/ (NAME.xlsx).
 *
 * Each test writes the hand-built fixture (reports_fixture.h), unzips the
 * workbook with unzip(1) into a temporary folder and inspects the parts:
 * every part well-formed (xmllint --noout), sheets in order, numbers stored
 * as numbers, missing values as absent cells, text never as formulas, the
 * tables present, the fixed creation time in docProps/core.xml, and
 * byte-identical files from two writes (cmp). The constant-memory and
 * truncation paths are exercised through workbook_write_tuned. The Charts
 * sheet is checked with the chart files it links; the zip level of the
 * parts last.
 * test_workbook_golden.c compares every part with reference files.
 *
 * Expected cells follow from the fixture. Every sheet opens with its title
 * (A1) and a line on its table (A2); the table's header is row 3, so the
 * first data row is 4. Scores holds 2021, the year evaluated, by aggregate
 * from the index down (IDX, A1, A2: position j) and unit, so sheet row =
 * 4 + j * 3 + u; History holds the aggregates (IDX, A1, A2) by unit with
 * 2021 in F and 2020 in G; score(k, u, t) = 10 k + u + 0.5 t (nodes k =
 * 0..6 in framework order I1..I4, A1, A2, IDX), except U2's 2021 index,
 * 1/3, and =U3's 2020 I2, missing; the fixture's created time
 * 2022-03-04T05:06:07+02:00 is 2022-03-04T03:06:07Z.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chart.h"
#include "reports.h"
#include "reports_fixture.h"
#include "testkit.h"
#include "testkit_fonts.h"
#include "workbook_tuning.h"
#include "xlsx_zip.h"

/* The whole of the file printf-formatted from its arguments; NULL if absent. */
#define slurp(...) tk_slurpf(NULL, __VA_ARGS__)

/* Write the fixture to DIR/NAME.xlsx and unzip it into DIR/NAME/. */
static void write_and_unzip(struct fixture *f, const char *name,
                            const struct workbook_tuning *tune)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.xlsx", tk_dir, name);
    struct diag d;
    diag_init(&d);
    int rc = workbook_write_tuned(path, &f->in, tune, &d);
    if (rc != 0 && d.n)
        print_error("%s\n", d.v[0].msg);
    assert_int_equal(rc, 0);
    assert_int_equal(diag_count(&d), 0);
    diag_free(&d);
    assert_int_equal(tk_sh("cd '%s' && rm -rf '%s' && mkdir '%s' && unzip -q '%s.xlsx' -d '%s'",
                           tk_dir, name, name, name, name), 0);
    /* Every part is well-formed XML. */
    assert_int_equal(tk_sh("cd '%s/%s' && find . -name '*.xml' -o -name '*.rels' | "
                           "xargs xmllint --noout",
                           tk_dir, name), 0);
}

/* The text of cell REF in sheet XML s ("<c r=\"REF\" ...>...</c>"), copied
 * into buf; NULL when the cell is absent. */
static const char *cell(const char *s, const char *ref, char *buf, size_t len)
{
    char key[32];
    snprintf(key, sizeof key, "<c r=\"%s\"", ref);
    const char *p = strstr(s, key);
    if (!p)
        return NULL;
    const char *e = strstr(p, "</c>");
    const char *e2 = strstr(p, "/>");
    if (!e || (e2 && e2 < e))
        e = e2 + 2;
    else
        e += 4;
    size_t n = (size_t)(e - p) < len - 1 ? (size_t)(e - p) : len - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return buf;
}

static void assert_number_cell(const char *sheet, const char *ref, const char *value)
{
    char buf[256], want[64];
    const char *c = cell(sheet, ref, buf, sizeof buf);
    if (!c) {
        print_error("cell %s missing\n", ref);
        fail();
    }
    snprintf(want, sizeof want, "<v>%s</v>", value);
    if (strstr(c, " t=\"") || !strstr(c, want)) {
        print_error("cell %s is %s, want a number %s\n", ref, c, value);
        fail();
    }
}

static void test_parts(void **state)
{
    (void)state;
    static struct fixture f;
    fixture_init(&f, 1);
    write_and_unzip(&f, "book", NULL);

    char *wbx = slurp("%s/book/xl/workbook.xml", tk_dir);
    assert_non_null(wbx);
    static const char *const sheets[] = {"Cover",    "Notes",       "Summary", "Scores",
                                         "Indicators", "History",   "Features", "Trends",
                                         "Composition", "Quality",  "Data",    "Framework",
                                         "Charts"};
    const char *p = wbx;
    for (int i = 0; i < 13; i++) {
        char key[64];
        snprintf(key, sizeof key, "<sheet name=\"%s\"", sheets[i]);
        p = strstr(p, key);
        assert_non_null(p);
    }
    free(wbx);

    /* Twelve real tables (Notes, Summary, Scores, Indicators, History,
     * Features, Trends, Composition, Quality, Data, Framework, Charts) with
     * the agreed names and ranges, the header in row 3. */
    for (int i = 1; i <= 12; i++) {
        char *t = slurp("%s/book/xl/tables/table%d.xml", tk_dir, i);
        assert_non_null(t);
        free(t);
    }
    char *t3 = slurp("%s/book/xl/tables/table3.xml", tk_dir);
    assert_non_null(strstr(t3, "name=\"tblScores\""));
    assert_non_null(strstr(t3, "ref=\"A3:M12\""));  /* 3 aggregates x 3 units in 2021 */
    assert_non_null(strstr(t3, "<tableColumn id=\"1\" name=\"Unit code\""));
    assert_non_null(strstr(t3, "<tableColumn id=\"10\" name=\"Coverage\""));
    assert_non_null(strstr(t3, "<tableColumn id=\"13\" name=\"Rank upper bound\""));
    free(t3);
    char *t5 = slurp("%s/book/xl/tables/table5.xml", tk_dir);
    assert_non_null(strstr(t5, "name=\"tblHistory\""));
    assert_non_null(strstr(t5, "ref=\"A3:G12\""));  /* 3 aggregates x 3 units; 5 + 2 cols */
    assert_non_null(strstr(t5, "<tableColumn id=\"6\" name=\"2021\""));
    assert_non_null(strstr(t5, "<tableColumn id=\"7\" name=\"2020\""));
    free(t5);
    char *t10 = slurp("%s/book/xl/tables/table10.xml", tk_dir);
    assert_non_null(strstr(t10, "name=\"tblData\""));
    assert_non_null(strstr(t10, "name=\"I4 Learning festivals\""));
    assert_non_null(strstr(t10, "name=\"Values imputed\""));
    assert_non_null(strstr(t10, "ref=\"A3:I9\""));   /* 3 units x 2 years; 3 + 4 + 2 cols */
    free(t10);

    /* Scores: numbers as numbers, the year evaluated, the index first,
     * names beside codes, a status in words. */
    char *sc = slurp("%s/book/xl/worksheets/sheet4.xml", tk_dir);
    assert_non_null(sc);
    assert_number_cell(sc, "F4", "60.5");   /* U1 2021 IDX */
    assert_number_cell(sc, "E4", "3");
    assert_number_cell(sc, "F5", "0.3333333333333333");   /* U2 2021 IDX */
    assert_number_cell(sc, "G4", "59.5");
    assert_number_cell(sc, "K4", "3");
    assert_number_cell(sc, "M4", "4");
    assert_number_cell(sc, "F7", "40.5");   /* U1 2021 A1 */
    assert_number_cell(sc, "E7", "2");
    assert_number_cell(sc, "F12", "52.5");  /* =U3 2021 A2 */
    char buf[256];
    assert_null(cell(sc, "A13", buf, sizeof buf));   /* no indicator, no other year */
    assert_non_null(cell(sc, "A6", buf, sizeof buf));
    assert_non_null(strstr(buf, "t=\"s\""));        /* the code is a string */
    assert_null(strstr(sc, "<f>"));
    assert_null(strstr(sc, "nan"));
    assert_null(strstr(sc, "NaN"));
    assert_non_null(strstr(sc, "<pane ySplit=\"3\""));
    free(sc);

    /* History: the aggregates, latest year first. */
    char *hi = slurp("%s/book/xl/worksheets/sheet6.xml", tk_dir);
    assert_non_null(hi);
    assert_number_cell(hi, "E4", "3");      /* U1 IDX level */
    assert_number_cell(hi, "F4", "60.5");   /* U1 IDX 2021 */
    assert_number_cell(hi, "G4", "60");     /* U1 IDX 2020 */
    assert_number_cell(hi, "F5", "0.3333333333333333");   /* U2 IDX 2021 */
    assert_number_cell(hi, "G12", "52");    /* =U3 A2 2020 */
    assert_null(cell(hi, "A13", buf, sizeof buf));   /* no indicator rows */
    free(hi);

    /* No formula anywhere; the unit code "=U3" is a shared string. */
    assert_int_equal(tk_sh("grep -l '<f>' %s/book/xl/worksheets/*.xml", tk_dir) == 0, 0);
    char *sst = slurp("%s/book/xl/sharedStrings.xml", tk_dir);
    assert_non_null(sst);
    assert_non_null(strstr(sst, "<t>=U3</t>"));
    assert_non_null(strstr(sst, "<t>Test city evaluation 2021</t>"));
    assert_non_null(strstr(sst, "Unit =U3 has no value for I2 in 2020."));
    assert_null(strstr(sst, "holds the first"));
    free(sst);

    /* Summary: units in rank order (the fixture's ranks: =U3, U2, U1), 2021
     * values, a colour scale over the areas. */
    char *su = slurp("%s/book/xl/worksheets/sheet3.xml", tk_dir);
    assert_non_null(su);
    assert_non_null(strstr(su, "<colorScale>"));
    assert_number_cell(su, "C4", "62.5");                /* =U3 IDX 2021 */
    assert_number_cell(su, "H4", "1");                   /* =U3 rank */
    assert_number_cell(su, "C5", "0.3333333333333333");  /* U2 IDX 2021 */
    assert_number_cell(su, "K6", "40.5");                /* U1 A1 2021 (no trends: no
                                                            change columns) */
    free(su);

    /* Data: raw values and the counts; the imputed cell is a filled blank. */
    char *da = slurp("%s/book/xl/worksheets/sheet11.xml", tk_dir);
    assert_non_null(da);
    assert_number_cell(da, "D4", "0");      /* U1 2020 I1 raw */
    assert_number_cell(da, "G5", "310");    /* U1 2021 I4 raw = 300 + 10 */
    assert_number_cell(da, "H8", "1");      /* =U3 2020: one value imputed */
    assert_non_null(cell(da, "E8", buf, sizeof buf));  /* =U3 2020 I2: imputed */
    assert_null(strstr(buf, "<v>"));
    free(da);

    /* Framework: pre-order from the root. */
    char *fr = slurp("%s/book/xl/worksheets/sheet12.xml", tk_dir);
    assert_non_null(fr);
    assert_number_cell(fr, "G4", "1");      /* IDX effective weight */
    assert_number_cell(fr, "D5", "2");      /* A1 level */
    assert_number_cell(fr, "H7", "-1");     /* I2 direction */
    free(fr);

    /* Cover links to every sheet. */
    char *co = slurp("%s/book/xl/worksheets/sheet1.xml", tk_dir);
    assert_non_null(co);
    assert_non_null(strstr(co, "location=\"'Framework'!A1\""));
    free(co);

    /* Fixed creation time and the agreed properties. */
    char *core = slurp("%s/book/docProps/core.xml", tk_dir);
    assert_non_null(core);
    assert_non_null(strstr(core, ">2022-03-04T03:06:07Z</dcterms:created>"));
    assert_non_null(strstr(core, "<dc:creator>lcme</dc:creator>"));
    assert_non_null(strstr(core, "<dc:title>Test city evaluation 2021</dc:title>"));
    assert_non_null(strstr(core, "Run 0123456789abcdef, seed 20161112, lcme 0.1.0"));
    free(core);
}

static void test_reproducible(void **state)
{
    (void)state;
    static struct fixture f;
    fixture_init(&f, 0);
    write_and_unzip(&f, "again1", NULL);
    sleep(1);   /* a clock in the output would now differ */
    write_and_unzip(&f, "again2", NULL);
    assert_int_equal(tk_sh("cmp -s '%s/again1.xlsx' '%s/again2.xlsx'", tk_dir, tk_dir), 0);

    /* Without intervals the interval columns are empty. */
    char *sc = slurp("%s/again1/xl/worksheets/sheet4.xml", tk_dir);
    char buf[256];
    assert_non_null(sc);
    assert_number_cell(sc, "F4", "60.5");
    assert_null(cell(sc, "G4", buf, sizeof buf));
    assert_null(cell(sc, "L4", buf, sizeof buf));
    free(sc);
}

static void test_constant_memory(void **state)
{
    (void)state;
    static struct fixture f;
    fixture_init(&f, 1);
    struct workbook_tuning tune = workbook_tuning_default;
    tune.constant_memory_cells = 0;
    write_and_unzip(&f, "const1", &tune);
    write_and_unzip(&f, "const2", &tune);
    assert_int_equal(tk_sh("cmp -s '%s/const1.xlsx' '%s/const2.xlsx'", tk_dir, tk_dir), 0);

    char *sc = slurp("%s/const1/xl/worksheets/sheet4.xml", tk_dir);
    char buf[256];
    assert_non_null(sc);
    assert_non_null(cell(sc, "A3", buf, sizeof buf));    /* the header row */
    assert_non_null(strstr(buf, "Unit code"));
    assert_non_null(cell(sc, "A6", buf, sizeof buf));
    assert_non_null(strstr(buf, "t=\"inlineStr\""));
    assert_non_null(strstr(buf, "=U3"));
    assert_number_cell(sc, "F4", "60.5");
    assert_number_cell(sc, "F12", "52.5");
    assert_null(cell(sc, "F13", buf, sizeof buf));
    /* libxlsxwriter 1.1.4 makes no tables in this mode: an autofilter
     * instead, and a note saying so. */
    assert_non_null(strstr(sc, "<autoFilter ref=\"A3:M12\"/>"));
    free(sc);
    char *t2 = slurp("%s/const1/xl/tables/table2.xml", tk_dir);
    assert_null(t2);
    char *no = slurp("%s/const1/xl/worksheets/sheet2.xml", tk_dir);
    assert_non_null(no);
    assert_non_null(strstr(no, "instead of an Excel table"));
    free(no);
}

static void test_truncated(void **state)
{
    (void)state;
    static struct fixture f;
    fixture_init(&f, 1);
    struct workbook_tuning tune = workbook_tuning_default;
    tune.max_rows = 6;   /* header + 5 rows */
    write_and_unzip(&f, "trunc", &tune);
    char *sc = slurp("%s/trunc/xl/worksheets/sheet4.xml", tk_dir);
    assert_non_null(sc);
    assert_non_null(strstr(sc, "<row r=\"8\""));
    assert_null(strstr(sc, "<row r=\"9\""));
    free(sc);
    char *sst = slurp("%s/trunc/xl/sharedStrings.xml", tk_dir);
    assert_non_null(sst);
    assert_non_null(strstr(sst, "The Scores sheet holds the first 5 of 9 rows."));
    free(sst);
    char *t3 = slurp("%s/trunc/xl/tables/table3.xml", tk_dir);
    assert_non_null(t3);
    assert_non_null(strstr(t3, "ref=\"A3:M8\""));
    free(t3);
}

static void test_missing_folder(void **state)
{
    (void)state;
    static struct fixture f;
    fixture_init(&f, 0);
    struct diag d;
    diag_init(&d);
    assert_int_equal(workbook_write("/nonexistent-lcme/out.xlsx", &f.in, &d), -1);
    assert_int_equal(diag_count(&d), 1);
    assert_int_equal(d.v[0].status, LCME_EIO);
    assert_non_null(strstr(d.v[0].msg, "cannot write '/nonexistent-lcme/out.xlsx': "));
    diag_free(&d);
}

/* The Charts sheet: a table of the chart files in charts/ with links to
 * them (the images are not copied into the workbook) and a native chart of
 * the index by unit, drawn from the Summary sheet, whose whiskers are
 * high-low lines between the hidden bound series; in normal and
 * constant-memory mode, byte-identical on a rewrite. Charts drawn from the
 * fixture: dot plots for IDX, A1, A2, one heatmap page, a profile and a
 * radar per unit = 10 files. */
static void charts_sheet_check(struct fixture *f, const char *name,
                               const struct workbook_tuning *tune)
{
    char chdir[128];
    snprintf(chdir, sizeof chdir, "%s/%s-charts", tk_dir, name);
    assert_int_equal(tk_sh("rm -rf '%s' && mkdir '%s'", chdir, chdir), 0);
    struct chart_list cl;
    chart_list_init(&cl);
    struct diag d;
    diag_init(&d);
    assert_int_equal(charts_write_all(chdir, &f->in, NULL, &cl, &d), 0);
    diag_free(&d);
    assert_int_equal((int)cl.n, 10);
    f->in.charts = &cl;
    f->in.charts_dir = chdir;
    char again[64];
    snprintf(again, sizeof again, "%s-again", name);
    write_and_unzip(f, name, tune);
    write_and_unzip(f, again, tune);
    assert_int_equal(tk_sh("cmp -s '%s/%s.xlsx' '%s/%s.xlsx'", tk_dir, name, tk_dir, again), 0);

    /* Cover lists the sheet; it is the last one. */
    char *wbx = slurp("%s/%s/xl/workbook.xml", tk_dir, name);
    assert_non_null(wbx);
    const char *fr = strstr(wbx, "<sheet name=\"Framework\"");
    assert_non_null(fr);
    assert_non_null(strstr(fr, "<sheet name=\"Charts\""));
    free(wbx);
    char *co = slurp("%s/%s/xl/worksheets/sheet1.xml", tk_dir, name);
    assert_non_null(co);
    assert_non_null(strstr(co, "location=\"'Charts'!A1\""));
    free(co);

    /* The native chart: three series, no line on any, a marker on the score
     * only, high-low lines; the units' names and scores from Summary's
     * columns B to E, rows 4 to 6. */
    char *c1 = slurp("%s/%s/xl/charts/chart1.xml", tk_dir, name);
    assert_non_null(c1);
    assert_non_null(strstr(c1, "<c:lineChart>"));
    assert_non_null(strstr(c1, "<c:hiLowLines>"));
    int nser = 0;
    for (const char *q = c1; (q = strstr(q, "<c:ser>")) != NULL; q++)
        nser++;
    assert_int_equal(nser, 3);
    assert_non_null(strstr(c1, "<c:f>Summary!$B$4:$B$6</c:f>"));
    assert_non_null(strstr(c1, "<c:f>Summary!$C$4:$C$6</c:f>"));
    assert_non_null(strstr(c1, "<c:f>Summary!$E$4:$E$6</c:f>"));
    assert_non_null(strstr(c1, "<c:symbol val=\"circle\"/>"));
    free(c1);
    char path[256];
    snprintf(path, sizeof path, "%s/%s/xl/charts/chart2.xml", tk_dir, name);
    assert_int_not_equal(access(path, F_OK), 0);

    /* Ten rows of chart files, each linked (external relationships, which
     * libxlsxwriter writes with Windows' separator) with its alternative
     * text; no image is copied in. */
    char *rel = slurp("%s/%s/xl/worksheets/_rels/sheet13.xml.rels", tk_dir, name);
    assert_non_null(rel);
    assert_non_null(strstr(rel, "Target=\"charts\\dot-idx.pdf\" TargetMode=\"External\""));
    assert_non_null(strstr(rel, "Target=\"charts\\dot-idx.png\" TargetMode=\"External\""));
    free(rel);
    snprintf(path, sizeof path, "%s/%s/xl/media", tk_dir, name);
    assert_int_not_equal(access(path, F_OK), 0);
    char *sst = slurp("%s/%s/xl/sharedStrings.xml", tk_dir, name);
    if (sst) {   /* constant-memory mode writes inline strings */
        assert_non_null(strstr(sst, "Dot plot of Learning city index (IDX) scores in 2021 for "
                                    "3 units"));
        free(sst);
    }
    char *dr = slurp("%s/%s/xl/drawings/drawing1.xml", tk_dir, name);
    assert_non_null(dr);
    assert_non_null(strstr(dr, "descr=\"Index score in 2021 for 3 units"));
    free(dr);
    f->in.charts = NULL;
    f->in.charts_dir = NULL;
    chart_list_free(&cl);
}

static void test_charts_sheet(void **state)
{
    (void)state;
    static struct fixture f;
    fixture_init(&f, 1);
    charts_sheet_check(&f, "charts", NULL);
    struct workbook_tuning tune = workbook_tuning_default;
    tune.constant_memory_cells = 0;
    charts_sheet_check(&f, "charts-const", &tune);
}

/* Every part is deflated at XLSX_ZIP_LEVEL, not libxlsxwriter's default:
 * zip's general purpose flag bits 1-2 (APPNOTE 4.4.4) say 11 = "superfast"
 * for level 1, and zipinfo reads them independently of lcme. */
static void test_zip_level(void **state)
{
    (void)state;
    static struct fixture f;
    fixture_init(&f, 0);
    write_and_unzip(&f, "level", NULL);
    assert_int_equal(xlsx_zip_level(), XLSX_ZIP_LEVEL);
    assert_int_equal(XLSX_ZIP_LEVEL, 1);
    assert_int_equal(tk_sh("cd '%s' && zipinfo -v level.xlsx | grep -q 'sub-type.*superfast' && "
                           "test -z \"$(zipinfo -v level.xlsx | grep 'compression sub-type' | "
                           "grep -v superfast)\"", tk_dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parts),
        cmocka_unit_test(test_reproducible),
        cmocka_unit_test(test_constant_memory),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_missing_folder),
        cmocka_unit_test(test_charts_sheet),
        cmocka_unit_test(test_zip_level),
    };
    int rc = cmocka_run_group_tests(tests, tk_dir_setup, tk_dir_teardown);
    /* test_charts_sheet draws charts */
    tk_release_fonts();
    return rc;
}
