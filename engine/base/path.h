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

/* Remove a folder and what it holds, sub-folders PATH_REMOVE_DEPTH levels
 * deep at most. Symbolic links are never followed: path itself must be a
 * folder (a link or a file is left alone), and a link inside is removed as
 * a link, its target untouched. Best effort; for the temporary folders of
 * the command line. */
/* The absolute path of path with every symbolic link and "." or ".."
 * resolved: realpath(3) when path exists, else its folder's realpath joined
 * with its last component. NULL when neither exists (or on ENOMEM). Caller
 * frees. */
char *path_canonical(const char *path);

/* path relative to the folder dir, both made canonical first
 * ("/a/b/x.csv" from "/a/c" is "../b/x.csv"; "." when they are the same).
 * NULL when either cannot be made canonical. Caller frees. */
char *path_relative(const char *dir, const char *path);

#define PATH_REMOVE_DEPTH 4
void path_remove_tree(const char *path);

#endif
