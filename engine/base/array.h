/* array.h: room in a growable array, for the arrays that are filled one
 * element at a time (staged rows, units, history rows).
 *
 *     struct row *v = NULL;
 *     size_t n = 0, alloc = 0;
 *     if (array_grow((void **)&v, &alloc, n + 1, sizeof *v) != 0)
 *         return -1;                                   // ENOMEM, v unchanged
 *     v[n++] = row;
 *
 * The capacity doubles from 16, so n appends cost O(n) copying in all.
 */
#ifndef LCME_ARRAY_H
#define LCME_ARRAY_H

#include <stddef.h>

/* Make room for need elements of size bytes in *p, which holds *alloc
 * (reallocating and updating both when need > *alloc). Returns 0, or -1
 * when memory runs out or need * size would overflow; *p and *alloc are
 * then unchanged and *p is still the caller's to free. */
int array_grow(void **p, size_t *alloc, size_t need, size_t size);

#endif
