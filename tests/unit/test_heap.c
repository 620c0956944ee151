/* test_heap.c: heap_tune advises transparent huge pages on a range of the
 * main heap that later allocations use, and refuses sizes outside its range.
 * The advice is checked independently of lcme, in the kernel's own account
 * of the process (/proc/self/smaps: the range's VmFlags carry "hg"). Under
 * AddressSanitizer the allocator is not glibc's and heap_tune does nothing. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "heap.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* 1 when the mapping holding address a is advised for huge pages. */
static int advised(const void *a)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
    char line[512];
    int inside = 0, hg = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
            if (inside)
                break;
            inside = (uintptr_t)a >= lo && (uintptr_t)a < hi;
        } else if (inside && strncmp(line, "VmFlags:", 8) == 0) {
            hg = strstr(line, " hg") != NULL;
        }
    }
    fclose(f);
    return hg;
}

static void test_bounds(void **state)
{
    (void)state;
    assert_int_equal(heap_tune(0), 0);
    assert_int_equal(heap_tune((size_t)3 << 20), 0);      /* under 4 MiB */
    assert_int_equal(heap_tune((size_t)2 << 30), 0);      /* over 1 GiB */
}

static void test_advised(void **state)
{
    (void)state;
    size_t want = (size_t)64 << 20;
    size_t got = heap_tune(want);
    if (UNDER_ASAN) {
        assert_int_equal(got, 0);
        return;
    }
    /* The advised range is whole 2 MiB pages of the 64 MiB added. */
    assert_true(got >= want - ((size_t)4 << 20));
    assert_true(got <= want + ((size_t)4 << 20));
    assert_int_equal(got % ((size_t)2 << 20), 0);
    /* Blocks allocated now come from the heap's new top: past the first
     * 2 MiB boundary (the range starts there), they are in the advised
     * range. */
    enum { NB = 40, SZ = 100000 };
    char *b[NB];
    for (int i = 0; i < NB; i++) {
        b[i] = malloc(SZ);
        assert_non_null(b[i]);
        memset(b[i], 1, SZ);
    }
    assert_int_equal(advised(b[NB - 1] + SZ / 2), 1);
    for (int i = 0; i < NB; i++)
        free(b[i]);
    /* The stack is not advised. */
    char local[64];
    local[0] = 0;
    assert_int_equal(advised(local), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_advised),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
