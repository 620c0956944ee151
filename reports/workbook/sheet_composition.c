/* sheet_composition.c: the Composition sheet: one row per unit, published
 * aggregate and year in which the aggregate's indicators changed
 * (results->compare->event, compare.h): unit code and name, node code and
 * name, level, year, the node's previous scored year, then the codes of
 * the indicators that entered and of those that left ("I1, I2"; names on
 * the Framework sheet); an Excel table named tblComposition. Rows by unit,
 * node and year, the codes in tree order; at most max_data_rows (Notes
 * count every event).
 *
 * One row per year rather than per indicator: the Hong Kong sample has
 * 8,858 events in 3,964 unit-node-years and GNLC 22,381 in 7,591, and a row
 * per event made this the largest sheet of either workbook (7.8 MB of XML
 * for GNLC) and its slowest to open.
 */
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "workbook_int.h"

/* 1 when events a and b are of the same unit, node and year. */
static int same_row(const struct compare_event *a, const struct compare_event *b)
{
    return a->unit == b->unit && a->node == b->node && a->year == b->year;
}

/* Rows the events make. */
static size_t composition_rows(const struct compare *cm)
{
    size_t n = 0;
    for (size_t k = 0; k < cm->nevent; k++)
        n += k == 0 || !same_row(&cm->event[k - 1], &cm->event[k]);
    return n;
}

/* Append ", CODE" (or "CODE" first) to the text *s of *len bytes (grown
 * as needed); sets w->nomem on failure. */
static void append_code(struct wb *w, char **s, size_t *len, size_t *cap, const char *code)
{
    size_t add = strlen(code) + 2;
    if (*len + add + 1 > *cap) {
        size_t nc = (*cap ? *cap * 2 : 64) + add;
        char *t = realloc(*s, nc);
        if (!t) {
            w->nomem = 1;
            return;
        }
        *s = t;
        *cap = nc;
    }
    *len += (size_t)sprintf(*s + *len, "%s%s", *len ? ", " : "", code);
}

void wb_composition_write(struct wb *w, lxw_worksheet *ws)
{
    static const char *const col[] = {"Unit code", "Unit name", "Node code", "Node name",
                                      "Level", "Year", "Previous scored year",
                                      "Indicators in", "Indicators out"};
    static const struct wb_cols width[] = {{2, 2, 12}, {3, 3, 30}, {4, 6, 9}, {7, 8, 40}};
    static const enum wb_note topics[] = {WBN_AGGREGATE, WBN_CHANGES};
    const struct compare *cm = w->r->compare;
    size_t n = cm ? composition_rows(cm) : 0;
    size_t nrow = n < w->max_data_rows ? n : w->max_data_rows;
    wb_sheet_head(w, ws, "Changes in the indicators behind aggregate scores",
                  "One row per unit, aggregate and year in which indicators entered or left "
                  "the aggregate's score since its previous scored year (indicator codes; "
                  "names on the Framework sheet); changes over time compare the indicators "
                  "both years have.", topics, 2);
    wb_add_table_of(w, ws, "tblComposition", nrow, col, sizeof col / sizeof col[0]);
    wb_unit_widths(w, ws);
    wb_set_widths(w, ws, width, sizeof width / sizeof width[0]);
    worksheet_freeze_panes(ws, WB_TOP + 1, 2);
    char *in = NULL, *out = NULL;
    size_t cin = 0, cout = 0, row = WB_TOP + 1, last = WB_TOP + nrow;
    for (size_t k = 0; k < (cm ? cm->nevent : 0) && row <= last && !w->nomem;) {
        const struct compare_event *e = &cm->event[k];
        const struct fw_node *nd = &w->fw->node[e->node];
        size_t lin = 0, lout = 0;
        if (in)
            in[0] = '\0';
        if (out)
            out[0] = '\0';
        for (; k < cm->nevent && same_row(e, &cm->event[k]); k++) {
            const char *code = w->fw->node[cm->event[k].ind].code;
            if (cm->event[k].in)
                append_code(w, &in, &lin, &cin, code);
            else
                append_code(w, &out, &lout, &cout, code);
        }
        wb_put_unit(w, ws, row, e->unit);
        wb_put_str(w, ws, row, 2, nd->code, NULL);
        wb_put_str(w, ws, row, 3, nd->name, NULL);
        wb_put_num(w, ws, row, 4, nd->level, NULL, 0);
        wb_put_num(w, ws, row, 5, w->c->year[e->year], NULL, 0);
        wb_put_num(w, ws, row, 6, w->c->year[e->from], NULL, 0);
        wb_put_str(w, ws, row, 7, lin ? in : NULL, NULL);
        wb_put_str(w, ws, row, 8, lout ? out : NULL, NULL);
        row++;
    }
    free(in);
    free(out);
}
