/* sheet_framework.c: the Framework sheet: the indicator tree in pre-order
 * from the root (each aggregate above its children), with weights, the
 * effective weight of each node in the index, direction, unit, target and
 * bounds, the framework file's free-text note (its 'adapted' column: in
 * kflc.csv the word 'adapted' marks a paraphrase of UNESCO's wording,
 * other frameworks give a rationale or a source there), and each node's
 * target score in the year evaluated; an Excel table named tblFramework.
 */
#include <stdlib.h>

#include "workbook_int.h"

static const char *type_name(enum node_type t)
{
    return t == NODE_INDICATOR ? "Indicator" : "Aggregate";
}

/* The nodes in pre-order from the root: each aggregate above its
 * children, in file order; any node the walk misses follows in node order.
 * NULL when out of memory; caller frees. */
static int *preorder(const struct framework *fw)
{
    size_t nn = (size_t)fw->nnode;
    int *order = malloc((nn + 1) * sizeof *order);
    int *stack = malloc((nn + 1) * sizeof *stack);
    unsigned char *seen = calloc(nn + 1, 1);
    if (!order || !stack || !seen) {
        free(order);
        order = NULL;
        goto out;
    }
    size_t no = 0, sp = 0;
    if (nn) {
        stack[sp++] = fw->root;
        seen[fw->root] = 1;
    }
    while (sp) {
        int k = stack[--sp];
        order[no++] = k;
        const struct fw_node *n = &fw->node[k];
        for (int j = n->nchild - 1; j >= 0; j--) {
            int ch = n->child[j];
            if (ch >= 0 && (size_t)ch < nn && !seen[ch] && sp < nn) {
                seen[ch] = 1;
                stack[sp++] = ch;
            }
        }
    }
    for (size_t k = 0; k < nn; k++)
        if (!seen[k])
            order[no++] = (int)k;
out:
    free(stack);
    free(seen);
    return order;
}

void wb_framework_write(struct wb *w, lxw_worksheet *ws)
{
    static const char *const col[] = {"Code", "Parent code", "Name", "Level", "Type",
                                      "Weight", "Effective weight", "Direction", "Unit",
                                      "Target", "Lower bound", "Upper bound",
                                      "Note (framework file)", "Target score"};
    static const enum wb_note topics[] = {WBN_FRAMEWORK, WBN_AGGREGATE};
    static const struct wb_cols width[] = {{0, 1, 14},  {2, 2, 50},   {3, 4, 10},
                                           {5, 6, 12},  {7, 7, 9},    {8, 8, 14},
                                           {9, 11, 10}, {12, 12, 30}, {13, 13, 12}};
    const struct framework *fw = w->fw;
    const struct results *r = w->r;
    size_t nn = (size_t)fw->nnode;
    size_t nrow = nn < w->max_data_rows ? nn : w->max_data_rows;
    wb_sheet_head(w, ws, "Framework", "One row per node, each aggregate above its children: "
                  "weights, direction, unit, target, bounds, the file's note and the target "
                  "score.", topics, 2);
    wb_add_table_of(w, ws, "tblFramework", nrow, col, sizeof col / sizeof col[0]);
    wb_set_widths(w, ws, width, sizeof width / sizeof width[0]);
    worksheet_freeze_panes(ws, WB_TOP + 1, 0);

    int *order = preorder(fw);
    if (!order) {
        w->nomem = 1;
        return;
    }
    for (size_t j = 0; j < nrow; j++) {
        size_t k = (size_t)order[j];
        const struct fw_node *n = &fw->node[k];
        size_t row = WB_TOP + 1 + j;
        wb_put_str(w, ws, row, 0, n->code, NULL);
        if (n->parent >= 0 && n->parent < fw->nnode)
            wb_put_str(w, ws, row, 1, fw->node[n->parent].code, NULL);
        wb_put_str(w, ws, row, 2, n->name, NULL);
        wb_put_num(w, ws, row, 3, n->level, NULL, 0);
        wb_put_str(w, ws, row, 4, type_name(n->type), NULL);
        wb_put_num(w, ws, row, 5, n->weight, NULL, 0);
        wb_put_num(w, ws, row, 6, wb_at(r->eff_weight, k), NULL, 0);
        wb_put_num(w, ws, row, 7, n->direction, NULL, 0);
        wb_put_str(w, ws, row, 8, n->unit, NULL);
        wb_put_num(w, ws, row, 9, n->target, NULL, 0);
        wb_put_num(w, ws, row, 10, n->lower, NULL, 0);
        wb_put_num(w, ws, row, 11, n->upper, NULL, 0);
        wb_put_str(w, ws, row, 12, n->adapted, NULL);
        /* the node's target score in the evaluation year (pipeline.h) */
        if (r->target_score && w->ty >= 0)
            wb_put_num(w, ws, row, 13, r->target_score[k * r->nyear + (size_t)w->ty],
                       w->f_2dp, 0);
    }
    free(order);
}
