/* heap.c: transparent huge pages for the first part of the main heap (see
 * heap.h). glibc's main arena grows the heap with brk; asking for a large
 * top pad makes the first growth one large contiguous range, which is
 * advised MADV_HUGEPAGE (the kernel's "madvise" mode then backs it with
 * 2 MiB pages on first touch). A high trim threshold keeps the range when
 * blocks are freed. Pages are only backed when touched, so a small run
 * costs at most a few huge pages of memory. */
#define _DEFAULT_SOURCE
#include "heap.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#endif

size_t heap_tune(size_t bytes)
{
#if defined(__linux__) && defined(__GLIBC__) && defined(MADV_HUGEPAGE)
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (bytes < 2 * huge || bytes > ((size_t)1 << 30))
        return 0;
    char *before = sbrk(0);
    if (before == (char *)-1)
        return 0;
    /* The next growth of the heap adds `bytes` beyond the request; blocks
     * up to 4 MiB come from the heap; it keeps up to twice `bytes` free. */
    const size_t req = (size_t)1 << 20;
    if (!mallopt(M_MMAP_THRESHOLD, 4 << 20) ||
        !mallopt(M_TRIM_THRESHOLD, (int)(2 * bytes)) ||
        !mallopt(M_TOP_PAD, (int)bytes))
        return 0;
    void *p = malloc(req);   /* more than the initial top chunk holds */
    free(p);
    char *after = sbrk(0);
    if (!p || after == (char *)-1 || after <= before)
        return 0;   /* another allocator, or the heap did not grow here */
    uintptr_t lo = ((uintptr_t)before + huge - 1) & ~(huge - 1);
    uintptr_t hi = (uintptr_t)after & ~(huge - 1);
    if (hi <= lo || madvise((void *)lo, hi - lo, MADV_HUGEPAGE) != 0)
        return 0;
    return (size_t)(hi - lo);
#else
    (void)bytes;
    return 0;
#endif
}
