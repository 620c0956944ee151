/* sheet_groups.c: the Groups sheet, there when the units file has an
 * attribute that forms groups (groups_attr_usable): for every such
 * attribute, every group and every node of the index and the areas, in the
 * year evaluated: the units in the group and with a score, the median,
 * lowest and highest score, the median changes since the base year and the
 * year before, and how many units rose or fell significantly; an Excel
 * table named tblGroups. Every number comes from groups_compute
 * (engine/trends/groups.h).
 */
#include <stdlib.h>

#include "groups.h"
#include "workbook_int.h"

int wb_groups_present(const struct wb *w)
{
    for (size_t a = 0; a < w->c->nattr; a++)
        if (groups_attr_usable(w->c, (int)a))
            return 1;
    return 0;
}

/* The groups of every usable attribute into g[nattr] (NULL where not
 * usable); returns the rows they make, or sets w->nomem. */
static size_t groups_all(struct wb *w, struct groups **g, const int *node, int nnode)
{
    size_t rows = 0;
    struct diag d = {0};
    for (size_t a = 0; a < w->c->nattr; a++) {
        g[a] = NULL;
        if (!groups_attr_usable(w->c, (int)a))
            continue;
        if (groups_compute(w->c, w->r, w->in->trends, (int)a, w->ty, node, nnode, &g[a],
                           &d) != 0) {
            w->nomem = 1;
            break;
        }
        rows += g[a]->ngroup * (size_t)nnode;
    }
    diag_free(&d);
    return rows;
}

static void groups_row(struct wb *w, lxw_worksheet *ws, size_t row, const struct groups *g,
                       size_t k, int j)
{
    const struct fw_node *x = &w->fw->node[g->node[j]];
    size_t at = GROUPS_AT(g, k, j), col = 0;
    wb_put_str(w, ws, row, col++, g->attr_name, NULL);
    wb_put_str(w, ws, row, col++, g->value[k][0] ? g->value[k] : "(none given)", NULL);
    wb_put_str(w, ws, row, col++, x->code, NULL);
    wb_put_str(w, ws, row, col++, x->name, NULL);
    wb_put_num(w, ws, row, col++, (double)g->units[k], NULL, 0);
    wb_put_num(w, ws, row, col++, (double)g->scored[at], NULL, 0);
    wb_put_num(w, ws, row, col++, g->median[at], w->f_2dp, 0);
    wb_put_num(w, ws, row, col++, g->low[at], w->f_2dp, 0);
    wb_put_num(w, ws, row, col++, g->high[at], w->f_2dp, 0);
    wb_put_num(w, ws, row, col++, g->base_median[at], w->f_2dp, 0);
    wb_put_num(w, ws, row, col++, g->prev_median[at], w->f_2dp, 0);
    const size_t n[] = {g->prev_rise[at], g->prev_fall[at], g->base_rise[at],
                        g->base_fall[at]};
    int sig = w->r->ci_low != NULL;   /* without intervals no change is tested */
    for (size_t i = 0; i < sizeof n / sizeof n[0]; i++)
        wb_put_num(w, ws, row, col++, sig ? (double)n[i] : NAN, NULL, 0);
}

void wb_groups_write(struct wb *w, lxw_worksheet *ws)
{
    static const char *const col[] = {
        "Attribute", "Group", "Node code", "Node name", "Units", "Units scored", "Median",
        "Lowest", "Highest", "Median change since base year",
        "Median change since previous year", "Significant rises since previous year",
        "Significant falls since previous year", "Significant rises since base year",
        "Significant falls since base year"};
    static const struct wb_cols width[] = {{0, 1, 18}, {2, 2, 10}, {3, 3, 36}, {4, 14, 12}};
    static const enum wb_note topics[] = {WBN_GROUPS, WBN_CHANGES, WBN_MISSING};
    const struct framework *fw = w->fw;
    const struct fw_node *root = &fw->node[fw->root];
    int nnode = 1 + root->nchild;
    int *node = malloc((size_t)nnode * sizeof *node);
    struct groups **g = calloc(w->c->nattr + 1, sizeof *g);
    size_t rows = 0;
    if (!node || !g) {
        w->nomem = 1;
    } else {
        node[0] = fw->root;
        for (int k = 0; k < root->nchild; k++)
            node[1 + k] = root->child[k];
        if (w->ty >= 0)
            rows = groups_all(w, g, node, nnode);
    }
    wb_sheet_head(w, ws, "Groups of units compared",
                  "One row per attribute of the units file, group and node (the index and the "
                  "areas): medians, lowest and highest scores and the significant changes of "
                  "the units in the group.", topics, 3);
    wb_add_table_of(w, ws, "tblGroups", rows < w->max_data_rows ? rows : w->max_data_rows,
                    col, sizeof col / sizeof col[0]);
    wb_check(w, worksheet_set_row(ws, WB_TOP, 45, NULL));
    wb_set_widths(w, ws, width, sizeof width / sizeof width[0]);
    worksheet_freeze_panes(ws, WB_TOP + 1, 2);
    size_t row = WB_TOP + 1;
    for (size_t a = 0; g && a < w->c->nattr; a++) {
        for (size_t k = 0; g[a] && k < g[a]->ngroup; k++)
            for (int j = 0; j < nnode && row <= WB_TOP + w->max_data_rows; j++)
                groups_row(w, ws, row++, g[a], k, j);
        groups_free(g ? g[a] : NULL);
    }
    free(g);
    free(node);
}
