/* path.c: paths and safe file names. Nothing here follows a name from the
 * data into the file system without path_slug first. */
#define _XOPEN_SOURCE 700   /* realpath */
#include "path.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *path_join(const char *dir, const char *name)
{
    if (!dir || !*dir || name[0] == '/')
        return strdup(name);
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    size_t k = a;
    if (a && dir[a - 1] != '/')
        p[k++] = '/';
    memcpy(p + k, name, b + 1);
    return p;
}

char *path_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

int path_mkdir_p(const char *path)
{
    if (!*path) {
        errno = ENOENT;
        return -1;
    }
    char *p = strdup(path);
    if (!p)
        return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = 0;
    if (mkdir(p, 0777) != 0) {
        struct stat st;
        if (errno != EEXIST || stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
            if (errno == EEXIST)
                errno = ENOTDIR;
            rc = -1;
        }
    }
    free(p);
    return rc;
}

char *path_slug(const char *text, char *out, size_t len)
{
    static const char *const reserved[] = {
        "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5",
        "com6", "com7", "com8", "com9", "lpt1", "lpt2", "lpt3", "lpt4",
        "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
    };
    size_t cap = len < 81 ? len - 1 : 80, k = 0;
    int dash = 0;
    for (const unsigned char *s = (const unsigned char *)text; *s && k < cap; s++) {
        if (isalnum(*s) && *s < 128) {
            if (dash && k > 0)
                out[k++] = '-';
            dash = 0;
            if (k < cap)
                out[k++] = (char)tolower(*s);
        } else {
            dash = 1;
        }
    }
    out[k] = '\0';
    if (k == 0) {
        snprintf(out, len, "unnamed");
        return out;
    }
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        if (strcmp(out, reserved[i]) == 0) {
            char tmp[96];
            snprintf(tmp, sizeof tmp, "%s-", out);
            snprintf(out, len, "%s", tmp);
            break;
        }
    }
    return out;
}

/* Remove everything inside the folder open as fd (taken: closed here),
 * going depth folders deeper at most. Entries are examined without following
 * links and sub-folders opened with O_NOFOLLOW, so a symbolic link is removed
 * as a link and its target is never entered. */
static void remove_inside(int fd, int depth)
{
    DIR *dp = fdopendir(fd);
    if (!dp) {
        close(fd);
        return;
    }
    int dfd = dirfd(dp);
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (!S_ISDIR(st.st_mode)) {
            unlinkat(dfd, e->d_name, 0);
            continue;
        }
        if (depth > 0) {
            int sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0)
                remove_inside(sub, depth - 1);
        }
        unlinkat(dfd, e->d_name, AT_REMOVEDIR);
    }
    closedir(dp);
}

void path_remove_tree(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;   /* not a folder, or a symbolic link: left alone */
    remove_inside(fd, PATH_REMOVE_DEPTH);
    rmdir(path);
}

char *path_canonical(const char *path)
{
    char *r = realpath(path, NULL);
    if (r)
        return r;
    char *dir = path_dirname(path);
    char *rd = dir ? realpath(dir, NULL) : NULL;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char *out = NULL;
    if (rd && *base && strcmp(base, ".") != 0 && strcmp(base, "..") != 0)
        out = path_join(rd, base);
    free(rd);
    free(dir);
    return out;
}

char *path_relative(const char *dir, const char *path)
{
    char *d = path_canonical(dir), *p = path_canonical(path), *out = NULL;
    if (!d || !p)
        goto done;
    /* the longest common prefix that ends at a component boundary */
    size_t common = 0;
    for (size_t i = 0;; i++) {
        int dend = d[i] == '\0' || d[i] == '/', pend = p[i] == '\0' || p[i] == '/';
        if (dend && pend)
            common = i;
        if (d[i] != p[i] || d[i] == '\0')
            break;
    }
    size_t ups = 0;
    for (const char *s = d + common; *s; s++)
        ups += *s == '/';
    if (strcmp(d, "/") == 0)
        ups = 0, common = 0;
    const char *rest = p + common;
    while (*rest == '/')
        rest++;
    out = malloc(3 * ups + strlen(rest) + 2);
    if (!out)
        goto done;
    size_t k = 0;
    for (size_t i = 0; i < ups; i++) {
        memcpy(out + k, "../", 3);
        k += 3;
    }
    strcpy(out + k, rest);
    if (!*out)
        strcpy(out, ".");
    else if (k && !*rest)
        out[k - 1] = '\0';
done:
    free(d);
    free(p);
    return out;
}
