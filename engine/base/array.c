/* array.c: doubling growth for the arrays filled one element at a time.
 *
 * Invariant: *alloc is the element count *p was last allocated for; the
 * size in bytes is checked against SIZE_MAX before any realloc.
 */
#include "array.h"

#include <stdint.h>
#include <stdlib.h>

int array_grow(void **p, size_t *alloc, size_t need, size_t size)
{
    if (need <= *alloc)
        return 0;
    if (size == 0 || need > SIZE_MAX / size)
        return -1;
    size_t na = *alloc ? *alloc : 16;
    while (na < need)
        na = na > SIZE_MAX / 2 / size ? need : na * 2;
    void *np = realloc(*p, na * size);
    if (!np)
        return -1;
    *p = np;
    *alloc = na;
    return 0;
}
