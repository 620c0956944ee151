/* config_int.h: what config.c shares with config_sensitivity.c (the
 * [sensitivity] section), private to engine/input. */
#ifndef LCME_CONFIG_INT_H
#define LCME_CONFIG_INT_H

#include <stddef.h>

#include "config.h"

/* Where the key being read is: the batch file, its line, and the columns of
 * the key and of its value. */
struct config_at {
    const char *path;
    long line;
    int kcol, vcol;
};

/* The level a name stands for: a level number (1..CONFIG_MAX_LEVELS) or a
 * name from [batch] level_names; -1 when neither. */
int config_level_of(const struct config *c, const char *name);

/* One key of [sensitivity] with its value (trimmed), read at at; makes
 * c->sens on the first key. Problems go to d at the value's (or an unknown
 * key's) line and column. */
void config_sens_key(struct config *c, const struct config_at *at, const char *key,
                     const char *val, struct diag *d);

/* Checks that need the whole file (the [method] settings the alternatives
 * vary, level names, the number of assumptions), once it is read. */
void config_sens_finish(struct config *c, struct diag *d);

void config_sens_free(struct config_sensitivity *s);   /* NULL is harmless */

/* The section's settings as `sensitivity.KEY=VALUE` lines for the run id,
 * appended at buf (len bytes left); returns the bytes it would write, as
 * snprintf. */
size_t config_sens_text(const struct config_sensitivity *s, char *buf, size_t len);

#endif
