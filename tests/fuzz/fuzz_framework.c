/* fuzz_framework.c: libFuzzer harness for the framework loader
 * (engine/framework.c): lcme's own layout and COINr's iMeta. A loaded tree
 * must keep the documented node order (indicators first, every child before
 * its parent, the root last), point only at valid nodes and give effective
 * weights that are finite and within [0, 1]. */
#include <math.h>

#include "framework.h"
#include "fuzz_util.h"

static void check_tree(const struct framework *fw)
{
    if (fw->nnode < 1 || fw->nind < 1 || fw->nind > fw->nnode || fw->root != fw->nnode - 1)
        abort();
    if (fw->node[fw->root].parent != -1)
        abort();
    for (int i = 0; i < fw->nnode; i++) {
        const struct fw_node *n = &fw->node[i];
        if ((i < fw->nind) != (n->type == NODE_INDICATOR))
            abort();
        if (i != fw->root && (n->parent <= i || n->parent >= fw->nnode))
            abort();   /* a child comes before its parent */
        for (int k = 0; k < n->nchild; k++)
            if (n->child[k] < 0 || n->child[k] >= i || fw->node[n->child[k]].parent != i)
                abort();
        if (framework_find(fw, n->code) != i)
            abort();
        if (!(n->weight >= 0) || !isfinite(n->weight) || (n->direction != 1 && n->direction != -1))
            abort();
    }
    double *w = malloc(sizeof *w * (size_t)fw->nnode);
    if (!w)
        abort();
    framework_effective_weights(fw, w);
    for (int i = 0; i < fw->nnode; i++)
        if (!(w[i] >= 0 && w[i] <= 1 + 1e-12) && !isnan(w[i]))
            abort();
    free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfile(data, size, path, sizeof path);
    if (fd < 0)
        abort();
    struct diag d;
    diag_init(&d);
    struct framework *fw = NULL;
    int rc = framework_load(&fw, path, &d);
    close(fd);
    if (rc != 0 && fw)
        abort();
    if (rc == 0)
        check_tree(fw);
    fuzz_drain(&d, rc != 0);
    framework_free(fw);
    return 0;
}
