/* strmap.c: open-addressing hash map from byte strings to ints.
 *
 * Layout: slots[cap] each {hash, key, len, val}; key == NULL marks an empty
 * slot. cap is a power of two, kept at least twice the size, so a probe
 * sequence always ends at an empty slot. No deletion (not needed).
 */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    uint64_t hash;
    char *key;
    size_t len;
    int val;
};

struct strmap {
    struct slot *slot;
    size_t cap;   /* power of two */
    size_t size;
};

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

struct strmap *strmap_new(void)
{
    struct strmap *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->cap = 64;
    m->slot = calloc(m->cap, sizeof *m->slot);
    if (!m->slot) {
        free(m);
        return NULL;
    }
    return m;
}

void strmap_free(struct strmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        free(m->slot[i].key);
    free(m->slot);
    free(m);
}

size_t strmap_size(const struct strmap *m) { return m->size; }

static struct slot *find(const struct strmap *m, uint64_t h, const char *key, size_t len)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        struct slot *s = &m->slot[i];
        if (!s->key)
            return s;
        if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
            return s;
    }
}

int strmap_get(const struct strmap *m, const char *key, size_t len)
{
    const struct slot *s = find(m, fnv1a(key, len), key, len);
    return s->key ? s->val : -1;
}

static int grow(struct strmap *m)
{
    size_t ncap = m->cap * 2;
    struct slot *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        struct slot *s = &m->slot[i];
        if (!s->key)
            continue;
        size_t j = (size_t)s->hash & (ncap - 1);
        while (ns[j].key)
            j = (j + 1) & (ncap - 1);
        ns[j] = *s;
    }
    free(m->slot);
    m->slot = ns;
    m->cap = ncap;
    return 0;
}

int strmap_put(struct strmap *m, const char *key, size_t len, int val)
{
    if ((m->size + 1) * 2 > m->cap && grow(m) != 0)
        return -1;
    uint64_t h = fnv1a(key, len);
    struct slot *s = find(m, h, key, len);
    if (s->key) {
        s->val = val;
        return 0;
    }
    char *k = malloc(len + 1);
    if (!k)
        return -1;
    memcpy(k, key, len);
    k[len] = '\0';
    s->hash = h;
    s->key = k;
    s->len = len;
    s->val = val;
    m->size++;
    return 0;
}
