/* outdir.c: the output folder of a run, and how the run's outputs and the
 * store's commit make one unit.
 *
 * Every output is written under a temporary folder inside the output
 * folder, T = DIR/.lcme-tmp-PID-XXXXXX. Before anything is stored the names
 * the run will write are checked (outdir_check): none may be an input of
 * the run or its store, charts/ may hold none, and what stands under each
 * name now must be something lcme replaces: a file for a file, a folder of
 * chart files (and nothing else) for charts/. A user's folder is never
 * replaced and only lcme's own output names are written, so output = . is
 * safe.
 *
 * Installing, while the store's transaction is still open:
 *
 *   T/.lcme-commit   the record: the store, the run id, the names
 *   DIR/NAME  ->  T/.old/NAME        each previous output moves aside,
 *   T/NAME    ->  DIR/NAME           then the new one moves into place
 *
 * then the store commits, then the record and T (with the previous outputs)
 * are removed. A failed move or a failed commit moves everything back, so
 * the store says "done" only once every output is in place, and a run that
 * fails leaves the outputs all old and the store as it was.
 *
 * A run killed on the way leaves T. The next run into the folder settles it
 * (outdir_open): T without a record was killed before installing and is
 * removed; T with a record is finished forward (the remaining new outputs
 * moved in) when the store it names holds the run as done or cannot be
 * read, else rolled back (the previous outputs put back), then removed.
 * Either way the outputs are all old or all new, and all new whenever the
 * store says done.
 *
 * Invariants: T of a process still running is never touched, nor anything
 * under a .lcme-tmp- name that is not a real folder of this user; links are
 * never followed when removing (path_remove_tree); one process at a time
 * installs or settles in a folder (flock on the folder); folders the run
 * created for DIR are removed again (when empty) if the run fails.
 */
#define _DEFAULT_SOURCE   /* flock */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_int.h"
#include "path.h"
#include "store.h"

#define OUTDIR_TMP_PREFIX ".lcme-tmp-"
#define OUTDIR_RECORD ".lcme-commit"
#define OUTDIR_OLD ".old"
#define OUTDIR_RECORD_HEAD "lcme outputs 1"

/* ---- small helpers ------------------------------------------------------ */

/* Take the folder's lock (flock on the folder itself, no file made in it)
 * into *lock (its descriptor + 1); left 0 when the folder cannot be opened
 * or locked, and the caller goes on unlocked: some network file systems
 * refuse locks on folders. */
static void lock_dir(const char *dir, int *lock)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    int rc;
    while ((rc = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
        ;
    if (rc != 0)
        close(fd);
    else
        *lock = fd + 1;
}

static void unlock_dir(int *lock)
{
    if (*lock > 0)
        close(*lock - 1);   /* releases the lock */
    *lock = 0;
}

static int lexists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

/* A name lcme gives a chart file: lower-case letters, digits and '-', then
 * .png or .pdf (path_slug makes the stems). */
static int chart_file_name(const char *n)
{
    size_t len = strlen(n);
    if (len < 5 || (strcmp(n + len - 4, ".png") != 0 && strcmp(n + len - 4, ".pdf") != 0))
        return 0;
    for (size_t i = 0; i + 4 < len; i++)
        if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '-'))
            return 0;
    return 1;
}

/* Whether what stands at path may be replaced by an output: nothing, a file
 * or a link for a file output; nothing or a real folder holding only chart
 * files for charts/ (is_dir). Else 0 with what is there in why. */
static int replaceable(const char *path, int is_dir, char *why, size_t len)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return 1;
    if (!is_dir) {
        if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))
            return 1;
        snprintf(why, len, "%s", S_ISDIR(st.st_mode) ? "a folder" : "not a regular file");
        return 0;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, len, "%s", S_ISLNK(st.st_mode) ? "a symbolic link" : "not a folder");
        return 0;
    }
    DIR *dp = opendir(path);
    if (!dp) {
        snprintf(why, len, "a folder lcme cannot read (%s)", strerror(errno));
        return 0;
    }
    int ok = 1;
    struct dirent *e;
    while (ok && (e = readdir(dp)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *p = path_join(path, e->d_name);
        struct stat fs;
        if (!p || lstat(p, &fs) != 0 || !S_ISREG(fs.st_mode) || !chart_file_name(e->d_name)) {
            snprintf(why, len, "a folder holding '%.64s', which lcme did not write", e->d_name);
            ok = 0;
        }
        free(p);
    }
    closedir(dp);
    return ok;
}

/* ---- settling what killed runs left ------------------------------------- */

/* Whether the store at path holds run id as done: 1, 0, or -1 when that
 * cannot be told (no such file, unreadable, busy). Opened for writing, so a
 * killed run's transaction is rolled back first. */
static int run_done(const char *path, const char *id)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    struct diag d;
    diag_init(&d);
    struct store *s = NULL;
    char status[16];
    int r = -1;
    if (store_open(&s, path, 0, &d) == 0 &&
        store_run_status(s, id, status, sizeof status, &d) == 0)
        r = strcmp(status, "done") == 0;
    store_close(s);
    diag_free(&d);
    return r;
}

/* Finish (forward) or undo the installation a killed run recorded in t. */
static void settle_record(const char *dir, const char *t, FILE *fp)
{
    char line[4096], store[4096] = "", id[64] = "";
    if (!fgets(line, sizeof line, fp) || strcmp(line, OUTDIR_RECORD_HEAD "\n") != 0)
        return;
    if (!fgets(line, sizeof line, fp) || strncmp(line, "store ", 6) != 0)
        return;
    snprintf(store, sizeof store, "%s", line + 6);
    store[strcspn(store, "\n")] = '\0';
    if (!fgets(line, sizeof line, fp) || strncmp(line, "run ", 4) != 0)
        return;
    size_t idlen = strcspn(line + 4, "\n");
    if (idlen >= sizeof id)
        return;
    memcpy(id, line + 4, idlen);
    id[idlen] = '\0';
    int forward = run_done(store, id) != 0;
    char *old_dir = path_join(t, OUTDIR_OLD);
    mkdir(old_dir, 0700);
    while (old_dir && fgets(line, sizeof line, fp) && strncmp(line, "name ", 5) == 0) {
        line[strcspn(line, "\n")] = '\0';
        const char *name = line + 5;
        if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        char *to = path_join(dir, name), *nw = path_join(t, name), *old = path_join(old_dir, name);
        if (to && nw && old) {
            if (forward && lexists(nw)) {
                if (lexists(to) && !lexists(old))
                    rename(to, old);
                rename(nw, to);
            } else if (!forward) {
                if (!lexists(nw) && lexists(to))
                    rename(to, nw);
                if (lexists(old))
                    rename(old, to);
            }
        }
        free(to);
        free(nw);
        free(old);
    }
    free(old_dir);
}

/* Settle and remove the temporary folders that killed runs left in dir. */
static void settle_stale(const char *dir)
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
        char *t = path_join(dir, e->d_name);
        struct stat st;
        if (t && lstat(t, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid()) {
            char *rec = path_join(t, OUTDIR_RECORD);
            FILE *fp = rec ? fopen(rec, "r") : NULL;
            if (fp) {
                settle_record(dir, t, fp);
                fclose(fp);
            }
            free(rec);
            path_remove_tree(t);
        }
        free(t);
    }
    closedir(dp);
}

/* ---- opening and checking ----------------------------------------------- */

/* Remember the folders of dir that do not exist yet (deepest first), so a
 * failed run can remove what it created. */
static void note_missing(struct outdir *o, const char *dir)
{
    char *p = strdup(dir);
    while (p && o->nmade < OUTDIR_MAX_MADE) {
        struct stat st;
        if (stat(p, &st) == 0 || errno != ENOENT) {
            free(p);
            return;
        }
        o->made[o->nmade++] = p;
        p = path_dirname(p);
        if (p && (strcmp(p, ".") == 0 || strcmp(p, "/") == 0))
            break;
    }
    free(p);
}

int outdir_open(struct outdir *o, const char *dir, struct diag *d)
{
    o->dir = dir;
    note_missing(o, dir);
    if (path_mkdir_p(dir) != 0) {
        diag_input(d, dir, 0, 0, "cannot create the output folder: %s", strerror(errno));
        return -1;
    }
    int lk = 0;
    lock_dir(dir, &lk);
    settle_stale(dir);
    unlock_dir(&lk);
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

/* Report a problem with output name of o at the place the folder is named:
 * "NAME " then the text. */
static void check_fail(const struct outdir *o, struct diag *d, const char *name,
                       const char *text)
{
    if (o->where)
        diag_input(d, o->where, o->line, o->col, "output folder '%s': %s %s", o->dir, name,
                   text);
    else
        diag_input(d, o->dir, 0, 0, "output folder: %s %s", name, text);
}

int outdir_check(const struct outdir *o, const char *const *names, int n,
                 const struct outdir_input *in, int nin, struct diag *d)
{
    size_t before = diag_count(d);
    char *dir = path_canonical(o->dir);
    if (!dir) {
        diag_input(d, o->dir, 0, 0, "cannot read the output folder: %s", strerror(errno));
        return -1;
    }
    char **inp = calloc((size_t)(nin ? nin : 1), sizeof *inp);
    for (int k = 0; inp && k < nin; k++)
        inp[k] = in[k].path ? path_canonical(in[k].path) : NULL;
    for (int i = 0; inp && i < n; i++) {
        int is_dir = strcmp(names[i], "charts") == 0;
        char *out = path_join(dir, names[i]);
        if (!out)
            break;
        size_t olen = strlen(out);
        int clash = 0;
        for (int k = 0; k < nin && !clash; k++) {
            if (!inp[k])
                continue;
            char text[1024];
            if (strcmp(inp[k], out) == 0) {
                snprintf(text, sizeof text, "would replace %s: name another output folder",
                         in[k].what);
                check_fail(o, d, names[i], text);
                clash = 1;
            } else if (is_dir && strncmp(inp[k], out, olen) == 0 && inp[k][olen] == '/') {
                snprintf(text, sizeof text,
                         "would replace a folder holding %s: name another output folder",
                         in[k].what);
                check_fail(o, d, names[i], text);
                clash = 1;
            }
        }
        char why[160], text[320];
        char *at = path_join(o->dir, names[i]);
        if (!clash && at && !replaceable(at, is_dir, why, sizeof why)) {
            snprintf(text, sizeof text,
                     "is %s; lcme replaces only what it wrote: move it, or name another "
                     "output folder", why);
            check_fail(o, d, names[i], text);
        }
        free(at);
        free(out);
    }
    for (int k = 0; inp && k < nin; k++)
        free(inp[k]);
    if (!inp)
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
    free(inp);
    free(dir);
    return diag_count(d) > before ? -1 : 0;
}

char *outdir_tmp(struct outdir *o, const char *name)
{
    if (o->n == OUTDIR_MAX_NAMES)
        return NULL;
    o->name[o->n++] = strdup(name);
    return path_join(o->tmp, name);
}

/* ---- installing --------------------------------------------------------- */

/* Write T/.lcme-commit (through a temporary name, so it is whole or absent). */
static int write_record(struct outdir *o, const char *store, const char *run_id,
                        struct diag *d)
{
    char *part = path_join(o->tmp, OUTDIR_RECORD ".part");
    char *rec = path_join(o->tmp, OUTDIR_RECORD);
    char *st = path_canonical(store);
    FILE *fp = part ? fopen(part, "w") : NULL;
    int ok = fp != NULL;
    if (fp) {
        fprintf(fp, OUTDIR_RECORD_HEAD "\nstore %s\nrun %s\n", st ? st : store, run_id);
        for (int i = 0; i < o->n; i++)
            fprintf(fp, "name %s\n", o->name[i]);
        ok = fflush(fp) == 0 && !ferror(fp);
        ok = fclose(fp) == 0 && ok;
    }
    ok = ok && rename(part, rec) == 0;
    if (!ok)
        diag_add(d, LCME_EIO, o->tmp, 0, 0, "cannot record the outputs to install: %s",
                 strerror(errno));
    free(st);
    free(part);
    free(rec);
    return ok ? 0 : -1;
}

/* Move the outputs installed so far back: new ones into T, old ones into
 * place, last first. */
static void undo_moves(struct outdir *o)
{
    for (int i = o->n - 1; i >= 0; i--) {
        char *to = path_join(o->dir, o->name[i]), *nw = path_join(o->tmp, o->name[i]);
        char *old_dir = path_join(o->tmp, OUTDIR_OLD);
        char *old = old_dir ? path_join(old_dir, o->name[i]) : NULL;
        if (to && nw && (o->moved[i] & OUTDIR_MOVED_NEW))
            rename(to, nw);
        if (to && old && (o->moved[i] & OUTDIR_MOVED_OLD))
            rename(old, to);
        o->moved[i] = 0;
        free(to);
        free(nw);
        free(old);
        free(old_dir);
    }
    char *rec = path_join(o->tmp, OUTDIR_RECORD);
    if (rec)
        unlink(rec);
    free(rec);
}

/* Move output i into place, its previous self aside. 0, or -1 in d. */
static int install_one(struct outdir *o, int i, const char *old_dir, struct diag *d)
{
    const char *name = o->name[i];
    char *to = path_join(o->dir, name), *nw = path_join(o->tmp, name);
    char *old = path_join(old_dir, name);
    int rc = -1;
    char why[160];
    struct stat st;
    int is_dir = nw && lstat(nw, &st) == 0 && S_ISDIR(st.st_mode);
    if (!to || !nw || !old) {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
    } else if (!replaceable(to, is_dir, why, sizeof why)) {
        diag_add(d, LCME_EIO, to, 0, 0, "cannot put the output in place: it is %s", why);
    } else if (lexists(to) && rename(to, old) != 0) {
        diag_add(d, LCME_EIO, to, 0, 0, "cannot move the previous output aside: %s",
                 strerror(errno));
    } else {
        if (lexists(old))
            o->moved[i] |= OUTDIR_MOVED_OLD;
        if (rename(nw, to) != 0)
            diag_add(d, LCME_EIO, to, 0, 0, "cannot move the finished output into place: %s",
                     strerror(errno));
        else {
            o->moved[i] |= OUTDIR_MOVED_NEW;
            rc = 0;
        }
    }
    free(to);
    free(nw);
    free(old);
    return rc;
}

int outdir_install(struct outdir *o, const char *store, const char *run_id, struct diag *d)
{
    if (write_record(o, store, run_id, d) != 0)
        return -1;
    char *old_dir = path_join(o->tmp, OUTDIR_OLD);
    if (!old_dir || mkdir(old_dir, 0700) != 0) {
        diag_add(d, LCME_EIO, o->tmp, 0, 0, "cannot make room for the previous outputs: %s",
                 strerror(errno));
        free(old_dir);
        return -1;
    }
    lock_dir(o->dir, &o->lock);
    int rc = 0;
    for (int i = 0; i < o->n && rc == 0; i++) {
        rc = install_one(o, i, old_dir, d);
        cli_fault("install");
    }
    free(old_dir);
    if (rc != 0)
        outdir_restore(o);
    return rc;
}

void outdir_restore(struct outdir *o)
{
    undo_moves(o);
    unlock_dir(&o->lock);
}

void outdir_done(struct outdir *o)
{
    char *rec = path_join(o->tmp, OUTDIR_RECORD);
    if (rec)
        unlink(rec);
    free(rec);
    unlock_dir(&o->lock);
    o->ok = 1;
}

void outdir_free(struct outdir *o)
{
    unlock_dir(&o->lock);
    if (o->tmp)
        path_remove_tree(o->tmp);
    free(o->tmp);
    for (int i = 0; i < o->n; i++)
        free(o->name[i]);
    for (int i = 0; i < o->nmade; i++) {
        if (!o->ok)
            rmdir(o->made[i]);   /* only when empty */
        free(o->made[i]);
    }
}
