/* path.c: paths and safe file names. Nothing here follows a name from the
 * data into the file system without path_slug first. */
#include "path.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
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

void path_remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = path_join(path, e->d_name);
            if (!p)
                continue;
            struct stat st;
            if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
                DIR *sub = opendir(p);
                if (sub) {
                    struct dirent *f;
                    while ((f = readdir(sub)) != NULL) {
                        char *q = path_join(p, f->d_name);
                        if (q && strcmp(f->d_name, ".") && strcmp(f->d_name, ".."))
                            unlink(q);
                        free(q);
                    }
                    closedir(sub);
                }
                rmdir(p);
            } else {
                unlink(p);
            }
            free(p);
        }
        closedir(d);
    }
    rmdir(path);
}
