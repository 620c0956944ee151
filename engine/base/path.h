/* path.h: file-system helpers for the command line and the writers: joining
 * paths, making folders, and turning names into safe file names. */
#ifndef LCME_PATH_H
#define LCME_PATH_H

#include <stddef.h>

/* "dir/name", or name itself when it is absolute or dir is empty/NULL.
 * Caller frees; NULL on ENOMEM. */
char *path_join(const char *dir, const char *name);

/* The folder part of path ("." when none). Caller frees. */
char *path_dirname(const char *path);

/* Create a folder and its parents (mode 0777 & ~umask). 0, or -1 with errno. */
int path_mkdir_p(const char *path);

/* A file name made from any text: lower-case ASCII letters, digits and '-',
 * at most 80 bytes, never empty, never a reserved device name (CON, NUL,
 * COM1, ...) and never "." or "..": a unit called "../../etc/x" becomes
 * "etc-x". Writes into out (size at least 96). */
char *path_slug(const char *text, char *out, size_t len);

/* Remove a folder and the files directly in it (no recursion deeper than
 * one level of sub-folders). Best effort; for cleaning temporary folders. */
void path_remove_tree(const char *path);

#endif
