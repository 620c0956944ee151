/* strmap.h: string -> int map (open addressing, FNV-1a), for code lookups.
 *
 * Keys are copied into the map. Lookups are O(1) expected; the table doubles
 * when it passes 1/2 full. Used wherever a code (unit, indicator, node) must be
 * turned into an index on a hot path: ingest looks up two codes per row.
 */
#ifndef LCME_STRMAP_H
#define LCME_STRMAP_H

#include <stddef.h>

struct strmap;

struct strmap *strmap_new(void);              /* NULL when out of memory */
void strmap_free(struct strmap *m);            /* NULL is harmless */

/* Value stored under key (len bytes, need not be NUL-terminated), or -1. */
int strmap_get(const struct strmap *m, const char *key, size_t len);
static inline int strmap_gets(const struct strmap *m, const char *key);

/* Store key -> val, replacing any previous value. 0 on success, -1 on ENOMEM. */
int strmap_put(struct strmap *m, const char *key, size_t len, int val);

size_t strmap_size(const struct strmap *m);

#include <string.h>
static inline int strmap_gets(const struct strmap *m, const char *key)
{
    return strmap_get(m, key, strlen(key));
}

#endif
