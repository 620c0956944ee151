/* heap.h: one-time tuning of the process heap for a run of lcme.
 *
 * A yearly batch allocates millions of small blocks (workbook cells, store
 * rows) on a heap that grows from nothing. On the virtual machines lcme
 * runs on, each first touch of a 4 KiB page costs several microseconds;
 * heap_tune asks the kernel for transparent huge pages on the first part of
 * the heap, which divides the page faults of a small batch by about two.
 */
#ifndef LCME_HEAP_H
#define LCME_HEAP_H

#include <stddef.h>

/* Reserve `bytes` at the top of the main heap, keep them when freed, and
 * advise transparent huge pages on them. Call once, first thing in main,
 * before any thread starts. Does nothing where the system has no such
 * advice or the allocator is not glibc's (as under AddressSanitizer).
 * Returns the number of bytes advised (0 when nothing was done). */
size_t heap_tune(size_t bytes);

#endif
