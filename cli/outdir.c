/* outdir.c: the output folder of a run. Every output is written under a
 * temporary folder inside it, ".lcme-tmp-PID-XXXXXX", and renamed into place
 * only after the store has committed, so an interrupted run leaves no
 * half-written file under a final name. The temporary folders of killed runs
 * (whose PID no longer runs) are removed when the next run opens the folder;
 * a live run's folder is never touched.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_int.h"
#include "path.h"

#define OUTDIR_TMP_PREFIX ".lcme-tmp-"

/* Remove the temporary folders that killed runs left in dir. */
static void remove_stale_tmp(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    const size_t plen = strlen(OUTDIR_TMP_PREFIX);
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        char *end;
        if (strncmp(e->d_name, OUTDIR_TMP_PREFIX, plen) != 0)
            continue;
        errno = 0;
        long pid = strtol(e->d_name + plen, &end, 10);
        if (errno || end == e->d_name + plen || *end != '-' || pid <= 0)
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char *p = path_join(dir, e->d_name);
        if (p)
            path_remove_tree(p);
        free(p);
    }
    closedir(dp);
}

int outdir_open(struct outdir *o, const char *dir, struct diag *d)
{
    o->dir = dir;
    if (path_mkdir_p(dir) != 0) {
        diag_input(d, dir, 0, 0, "cannot create the output folder: %s", strerror(errno));
        return -1;
    }
    remove_stale_tmp(dir);
    char tmpl[64];
    snprintf(tmpl, sizeof tmpl, OUTDIR_TMP_PREFIX "%ld-XXXXXX", (long)getpid());
    char *t = path_join(dir, tmpl);
    if (!t || !mkdtemp(t)) {
        diag_input(d, dir, 0, 0, "cannot write to the output folder: %s", strerror(errno));
        free(t);
        return -1;
    }
    o->tmp = t;
    return 0;
}

char *outdir_tmp(struct outdir *o, const char *name)
{
    if (o->n == (int)(sizeof o->name / sizeof *o->name))
        return NULL;
    o->name[o->n++] = strdup(name);
    return path_join(o->tmp, name);
}

/* A file replaces its old self in one rename; a folder (charts/) cannot
 * replace a non-empty folder, so the old one is first moved aside into the
 * temporary folder (removed with it). */
int outdir_commit(struct outdir *o, struct diag *d)
{
    for (int i = 0; i < o->n; i++) {
        char *from = path_join(o->tmp, o->name[i]);
        char *to = path_join(o->dir, o->name[i]);
        struct stat st;
        if (stat(from, &st) == 0 && S_ISDIR(st.st_mode) && stat(to, &st) == 0) {
            char aside[64];
            snprintf(aside, sizeof aside, "old-%d", i);
            char *old = path_join(o->tmp, aside);
            if (rename(to, old) != 0)
                diag_add(d, LCME_EIO, to, 0, 0, "cannot move the previous folder aside: %s",
                         strerror(errno));
            free(old);
        }
        if (rename(from, to) != 0)
            diag_add(d, LCME_EIO, to, 0, 0, "cannot move the finished file into place: %s",
                     strerror(errno));
        free(from);
        free(to);
    }
    return diag_count(d) ? -1 : 0;
}

void outdir_free(struct outdir *o)
{
    if (o->tmp)
        path_remove_tree(o->tmp);
    free(o->tmp);
    for (int i = 0; i < o->n; i++)
        free(o->name[i]);
}
