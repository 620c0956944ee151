/* xlsx_dir.c: the zip's directory and its parts' local headers read
 * straight from the workbook's bytes in memory, for the plain zips that
 * spreadsheet programs write, and nothing else: one disk, no archive
 * comment, no zip64 record or field, the directory right before its end
 * record, every entry inside the directory. Whatever else (and anything
 * damaged) it declines, and minizip reads the package as it always did,
 * with its checks and so with the same messages (xlsx_read.c).
 *
 * So that what it reads is what minizip would read, it accepts only what
 * minizip accepts the same way: the end record is the last one in the file
 * and no zip64 locator is anywhere minizip looks for one; the entries are
 * the end record's count, each where the one before ends; a local header
 * is checked as unzOpenCurrentFile checks it (signature, method, name
 * length, and CRC and sizes unless the entry has a data descriptor), a
 * size of 0xFFFFFFFF declined, and the part's data starts where minizip's
 * does, after the local name and extra field. Names with a NUL byte or
 * longer than XLSX_NAME_MAX, extra fields whose records overrun them or
 * hold a zip64 record, all decline.
 *
 * Why: minizip reads its headers through the I/O callbacks two and four
 * bytes at a time, a function call each, walks the directory once to open
 * the zip and again to list it, and allocates an inflate state for every
 * part it opens even when xlsx_read.c inflates the part itself. For a
 * one-unit return (tests/bench/bench_xlsx.c) that was about a tenth of the
 * read: its figures are there.
 *
 * Invariants: the bytes are only read; every read is bounds-checked
 * against the file's length before it is made.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "xlsx_int.h"

#define SIG_LOCAL 0x04034b50ul
#define SIG_ENTRY 0x02014b50ul
#define SIG_END 0x06054b50ul
#define ZIP32_MAX 0xFFFFFFFFul
#define END_SIZE 22u      /* the end record without a comment */
#define ENTRY_SIZE 46u    /* a directory entry before its name */
#define LOCAL_SIZE 30u    /* a local header before its name */
#define LOOK_BACK 0xFFFFu /* how far from the end minizip looks for the end records */

static unsigned get16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static unsigned long get32(const unsigned char *p)
{
    return (unsigned long)p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 |
           (unsigned long)p[3] << 24;
}

/* 1 when "PK", c, d starts anywhere in s[from .. n - 4]. */
static int has_sig(const unsigned char *s, size_t from, size_t n, unsigned char c,
                   unsigned char d)
{
    if (n < 4)
        return 0;
    for (const unsigned char *p = s + from, *last = s + n - 4; p <= last; p++) {
        p = memchr(p, 'P', (size_t)(last - p) + 1);
        if (!p)
            return 0;
        if (p[1] == 'K' && p[2] == c && p[3] == d)
            return 1;
    }
    return 0;
}

/* 1 when the extra field x (n bytes) is records that end within it and
 * none is the zip64 record (id 1), whose values minizip would read. */
static int plain_extra(const unsigned char *x, size_t n)
{
    size_t at = 0;
    while (at < n) {
        if (n - at < 4)
            return 0;
        unsigned id = get16(x + at), size = get16(x + at + 2);
        if (id == 1 || size > n - at - 4)
            return 0;
        at += 4 + (size_t)size;
    }
    return 1;
}

static void drop_entries(struct xlsx_book *b)
{
    for (size_t i = 0; i < b->nentry; i++)
        free(b->entry[i].name);
    free(b->entry);
    b->entry = NULL;
    b->nentry = 0;
}

int xlsx_dir_list(struct xlsx_book *b)
{
    const unsigned char *s = b->mem.data;
    size_t n = b->mem.len;
    if (n < LOCAL_SIZE + END_SIZE)
        return 1;
    size_t end = n - END_SIZE;
    const unsigned char *e = s + end;
    /* the end record minizip finds is the last signature in the file; a
       zip64 locator anywhere it looks would send it another way */
    if (get32(e) != SIG_END || has_sig(s, end + 1, n, 5, 6) ||
        has_sig(s, n > LOOK_BACK ? n - LOOK_BACK : 0, n, 6, 7))
        return 1;
    unsigned count = get16(e + 8);
    unsigned long size = get32(e + 12), off = get32(e + 16);
    if (get16(e + 4) != 0 || get16(e + 6) != 0 || get16(e + 10) != count || count == 0 ||
        count == 0xFFFF || get16(e + 20) != 0 || off > end || size != end - off)
        return 1;
    size_t alloc = 0, at = (size_t)off;
    for (unsigned k = 0; k < count; k++) {
        const unsigned char *h = s + at;
        if (end - at < ENTRY_SIZE || get32(h) != SIG_ENTRY)
            goto decline;
        size_t nlen = get16(h + 28), xlen = get16(h + 30), clen = get16(h + 32);
        unsigned long csize = get32(h + 20), usize = get32(h + 24), local = get32(h + 42);
        if (csize == ZIP32_MAX || usize == ZIP32_MAX || local == ZIP32_MAX ||
            nlen + xlen + clen > end - at - ENTRY_SIZE || nlen > XLSX_NAME_MAX ||
            memchr(h + ENTRY_SIZE, '\0', nlen) || !plain_extra(h + ENTRY_SIZE + nlen, xlen))
            goto decline;
        if (array_grow((void **)&b->entry, &alloc, b->nentry + 1, sizeof *b->entry) != 0)
            goto nomem;
        struct xlsx_entry *en = &b->entry[b->nentry];
        memset(en, 0, sizeof *en);
        if (!(en->name = malloc(nlen + 1)))
            goto nomem;
        memcpy(en->name, h + ENTRY_SIZE, nlen);
        en->name[nlen] = '\0';
        en->pos.pos_in_zip_directory = at;
        en->pos.num_of_file = k;
        en->flag = get16(h + 8);
        en->method = get16(h + 10);
        en->crc = get32(h + 16);
        en->csize = csize;
        en->usize = usize;
        en->local = local;
        en->nlen = (unsigned)nlen;
        b->nentry++;
        at += ENTRY_SIZE + nlen + xlen + clen;
    }
    b->entries_partial = 0;
    b->dir_read = 1;
    return 0;
decline:
    drop_entries(b);
    return 1;
nomem:
    drop_entries(b);
    xlsx_error(b, NULL, LCME_ENOMEM, "out of memory");
    return -1;
}

int xlsx_dir_local(const struct xlsx_book *b, const struct xlsx_entry *en, size_t *at)
{
    const unsigned char *s = b->mem.data;
    size_t n = b->mem.len;
    if (en->local > n || n - en->local < LOCAL_SIZE)
        return 1;
    const unsigned char *h = s + en->local;
    unsigned flag = get16(h + 6);
    unsigned long crc = get32(h + 14), csize = get32(h + 18), usize = get32(h + 22);
    if (get32(h) != SIG_LOCAL || get16(h + 8) != en->method ||
        (en->method != 0 && en->method != 8) || csize == ZIP32_MAX || usize == ZIP32_MAX ||
        (!(flag & 8) && (crc != en->crc || csize != en->csize || usize != en->usize)) ||
        get16(h + 26) != en->nlen)
        return 1;
    *at = (size_t)en->local + LOCAL_SIZE + en->nlen + get16(h + 28);
    return 0;
}
