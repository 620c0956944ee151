/* fuzz_util.h: helpers shared by the libFuzzer harnesses under tests/fuzz/.
 *
 * The loaders under test take a path, so each input is written to an
 * anonymous in-memory file (memfd) and handed over as /proc/self/fd/N: no
 * temporary files on disk, nothing left behind when a run is killed.
 */
#ifndef LCME_FUZZ_UTIL_H
#define LCME_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diag.h"

/* An in-memory file holding data; its path goes into path (size >= 64).
 * Returns the descriptor (close it when done) or -1. */
static inline int fuzz_memfile(const uint8_t *data, size_t size, char *path, size_t len)
{
    int fd = memfd_create("lcme-fuzz", 0);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    snprintf(path, len, "/proc/self/fd/%d", fd);
    return fd;
}

/* Format every kept diagnostic, as the command line does, so that the
 * formatting of odd file names and messages is exercised too. Aborts when a
 * failure was reported without any message: every problem must be explained. */
static inline void fuzz_drain(struct diag *d, int failed)
{
    char buf[2048];
    diag_sort(d);
    for (size_t i = 0; i < d->n; i++) {
        diag_format(d, i, buf, sizeof buf);
        if (strlen(buf) >= sizeof buf)
            abort();
    }
    if (failed && diag_count(d) == 0)
        abort();   /* a failure with no message */
    if (!failed && diag_count(d) != 0)
        abort();   /* success with problems reported */
    diag_free(d);
}

#endif
