/* config_data.c: the batch's data files, with patterns (a name holding *,
 * ? or [...], "*.xlsx" in a folder of returns) replaced by the files they
 * match (glob(3)), so that each office's returned workbook is picked up as
 * it arrives.
 *
 * Invariants: a file appears once, at its first naming; a match is named
 * for the store relative to the batch file's folder, as a name written in
 * the batch file is; the batch file's folder is matched literally, whatever
 * characters its name holds.
 */
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "config.h"
#include "path.h"

static int is_pattern(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

/* dir with glob's special characters escaped, then "/" (or "" for no dir).
 * NULL on ENOMEM. */
static char *literal_dir(const char *dir)
{
    size_t n = dir ? strlen(dir) : 0;
    char *p = malloc(2 * n + 2), *w = p;
    if (!p)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (strchr("*?[]\\", dir[i]))
            *w++ = '\\';
        *w++ = dir[i];
    }
    if (n && dir[n - 1] != '/')
        *w++ = '/';
    *w = '\0';
    return p;
}

/* Append a file unless its path is there already. 0, or -1 on ENOMEM (path
 * and name freed). */
static int add_file(struct config_file **v, size_t *n, size_t *alloc, char *path, char *name,
                    long line, int col)
{
    for (size_t i = 0; path && i < *n; i++)
        if (strcmp((*v)[i].path, path) == 0) {
            free(path);
            free(name);
            return 0;
        }
    if (!path || !name || array_grow((void **)v, alloc, *n + 1, sizeof **v) != 0) {
        free(path);
        free(name);
        return -1;
    }
    (*v)[(*n)++] = (struct config_file){path, name, line, col};
    return 0;
}

/* 1 for a match to leave out: a folder (glob marks it with '/') or a
 * spreadsheet's lock file (~$NAME.xlsx, present while it is open). */
static int skipped(const char *m)
{
    size_t l = strlen(m);
    const char *base = strrchr(m, '/');
    base = base ? base + 1 : m;
    return (l && m[l - 1] == '/') || strncmp(base, "~$", 2) == 0;
}

/* Add the files pattern k matches. 0, or -1 after reporting. */
static int expand(const struct config *c, int k, struct config_file **v, size_t *n,
                  size_t *alloc, struct diag *d)
{
    const char *pat = c->data_name[k];
    int absolute = pat[0] == '/';
    char *dir = literal_dir(absolute ? NULL : c->dir);
    char *full = dir ? malloc(strlen(dir) + strlen(pat) + 1) : NULL;
    if (!full) {
        free(dir);
        diag_add(d, LCME_ENOMEM, c->path, 0, 0, "out of memory");
        return -1;
    }
    strcpy(full, dir);
    strcat(full, pat);
    size_t plain = absolute ? 0 : strlen(c->dir ? c->dir : "");
    if (plain && c->dir[plain - 1] != '/')
        plain++;
    glob_t g;
    int rc = glob(full, GLOB_MARK, NULL, &g), kept = 0, ret = 0;
    for (size_t i = 0; rc == 0 && i < g.gl_pathc && ret == 0; i++) {
        const char *m = g.gl_pathv[i];
        if (skipped(m))
            continue;
        kept++;
        ret = add_file(v, n, alloc, strdup(m), strdup(m + plain), c->data_line[k],
                       c->data_col[k]);
        if (ret)
            diag_add(d, LCME_ENOMEM, c->path, 0, 0, "out of memory");
    }
    if (rc == GLOB_NOSPACE) {
        diag_add(d, LCME_ENOMEM, c->path, 0, 0, "out of memory");
        ret = -1;
    } else if (ret == 0 && !kept) {
        diag_input(d, c->path, c->data_line[k], c->data_col[k],
                   "[batch] data: no file matches '%s'", pat);
        ret = -1;
    }
    if (rc == 0)
        globfree(&g);
    free(dir);
    free(full);
    return ret;
}

int config_data_files(const struct config *c, struct config_file **out, size_t *n,
                      struct diag *d)
{
    size_t alloc = 0;
    int ret = 0;
    *out = NULL;
    *n = 0;
    for (int k = 0; k < c->ndata; k++) {
        if (is_pattern(c->data_name[k])) {
            if (expand(c, k, out, n, &alloc, d) != 0)
                ret = -1;
        } else if (add_file(out, n, &alloc, strdup(c->data[k]), strdup(c->data_name[k]),
                            c->data_line[k], c->data_col[k]) != 0) {
            diag_add(d, LCME_ENOMEM, c->path, 0, 0, "out of memory");
            ret = -1;
        }
    }
    return ret;
}

void config_files_free(struct config_file *f, size_t n)
{
    if (!f)
        return;
    for (size_t i = 0; i < n; i++) {
        free(f[i].path);
        free(f[i].name);
    }
    free(f);
}
