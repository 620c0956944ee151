/* xlsx_read.c: an .xlsx workbook's package: the zip read by minizip from
 * memory (its directory and the parts' local headers by xlsx_dir.c when
 * the zip is of the plain shape it reads, minizip then opening only the
 * parts that are streamed), each part inflated into the XML reader's
 * buffer (xlsx_xml.h), whole by libdeflate when it can be, else in blocks
 * by zlib; the text blocks the cells point into, and xlsx_open, which
 * reads the file, hashes it and hands the chosen sheet to xlsx_sheet.c.
 *
 * Why whole: libdeflate inflates a buffer it is given whole two to three
 * times as fast as zlib streams it. On the network-scale sheet of
 * tests/bench/bench_xlsx.c (97 MB of XML in a 13.6 MB file) inflating and
 * checking the CRC took 0.24 s of CPU with zlib in 64 KiB blocks and 0.10 s
 * with libdeflate, faulting in the 97 MB buffer included (medians of 7).
 *
 * Invariants: a deflated part is held whole only when the size its zip
 * entry states is within its limit; it is read whole only when it inflates
 * to exactly that size with the CRC the entry states, and any other part
 * (stored, stated too large, damaged, a CRC that differs) is streamed in
 * XLSX_CHUNK blocks, where never more than its limit is inflated (a zip
 * bomb stops at the limit with a message at the cell being read) and
 * minizip checks the CRC of a part whose every byte was read; so what is
 * reported about a damaged part is the same either way. The bytes of the
 * file are borrowed from the caller (xlsx_open_mem) or from a struct csv
 * that read them (xlsx_open), and nothing points into them once xlsx_open
 * returns.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libdeflate.h>
#include <pthread.h>

#include "array.h"
#include "hexdigit.h"
#include "xlsx_int.h"

/* Inflated bytes handed to the XML reader at once: under glibc's mmap
 * threshold (128 KiB), so its buffer is not mapped and unmapped for each
 * part. */
#define XLSX_CHUNK (64u * 1024)
/* Text blocks grow from XLSX_BLOCK0 to XLSX_BLOCK1 bytes, so a return of a
 * hundred rows allocates little and a large sheet few blocks. */
#define XLSX_BLOCK0 (8u * 1024)
#define XLSX_BLOCK1 (1024u * 1024)

struct xlsx_limits xlsx_limits_default(void)
{
    struct xlsx_limits l = {
        .max_part = CSV_MAX_FILE,
        .max_small = 16u << 20,
        .max_cell = CSV_MAX_FIELD,
        .max_text = CSV_MAX_FILE,
        .max_cells = (size_t)1 << 26,
    };
    return l;
}

int xlsx_is_workbook_name(const char *path)
{
    size_t n = strlen(path);
    return n > 5 && (strcasecmp(path + n - 5, ".xlsx") == 0 ||
                     strcasecmp(path + n - 5, ".xlsm") == 0);
}

/* ---- text blocks -------------------------------------------------------- */

char *xlsx_text_add(struct xlsx_text *t, const char *s, size_t len)
{
    struct xlsx_block *h = t->head;
    if (!h || h->size - h->used < len + 1) {
        size_t size = !h ? XLSX_BLOCK0 : h->size < XLSX_BLOCK1 ? 2 * h->size : XLSX_BLOCK1;
        if (size < len + 1)
            size = len + 1;
        struct xlsx_block *nb = malloc(sizeof *nb + size);
        if (!nb)
            return NULL;
        nb->next = h;
        nb->used = 0;
        nb->size = size;
        t->head = nb;
    }
    return xlsx_text_put(t, s, len);
}

struct xlsx_text_mark xlsx_text_tell(const struct xlsx_text *t)
{
    struct xlsx_text_mark m = {t->head, t->head ? t->head->used : 0, t->total};
    return m;
}

void xlsx_text_rewind(struct xlsx_text *t, struct xlsx_text_mark m)
{
    while (t->head != m.head) {
        struct xlsx_block *b = t->head;
        t->head = b->next;
        free(b);
    }
    if (t->head)
        t->head->used = m.used;
    t->total = m.total;
}

void xlsx_text_free(struct xlsx_text *t)
{
    for (struct xlsx_block *b = t->head, *n; b; b = n) {
        n = b->next;
        free(b);
    }
    t->head = NULL;
    t->total = 0;
}

/* ---- messages and XML helpers ------------------------------------------- */

void xlsx_error(struct xlsx_book *b, const struct xlsx_at *at, enum lcme_status st,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (at && at->sheet && at->row > 0)
        diag_vadd_cell(b->d, st, b->file, at->sheet, at->row, at->col, fmt, ap);
    else
        diag_vadd(b->d, st, b->file, 0, 0, fmt, ap);
    va_end(ap);
}

const char *xlsx_local(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

const char *xlsx_attr(const char **atts, const char *local)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (strcmp(xlsx_local(atts[i]), local) == 0)
            return atts[i + 1];
    return NULL;
}

void xlsx_unescape(char *s, size_t *len)
{
    size_t n = *len, r = 0, w = 0;
    if (n < 7)   /* too short for _xHHHH_; and a cell's text is short, so no memchr call */
        return;
    if (!memchr(s, '_', n))
        return;
    while (r < n) {
        long cp = -1;
        if (s[r] == '_' && r + 6 < n && s[r + 1] == 'x' && s[r + 6] == '_') {
            int h0 = hexdigit_value(s[r + 2]), h1 = hexdigit_value(s[r + 3]), h2 = hexdigit_value(s[r + 4]),
                h3 = hexdigit_value(s[r + 5]);
            if (h0 >= 0 && h1 >= 0 && h2 >= 0 && h3 >= 0)
                cp = (long)h0 << 12 | h1 << 8 | h2 << 4 | h3;
            if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
                cp = -1;
        }
        if (cp < 0) {
            s[w++] = s[r++];
            continue;
        }
        if (cp < 0x80) {
            s[w++] = (char)cp;
        } else if (cp < 0x800) {
            s[w++] = (char)(0xC0 | cp >> 6);
            s[w++] = (char)(0x80 | (cp & 0x3F));
        } else {
            s[w++] = (char)(0xE0 | cp >> 12);
            s[w++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            s[w++] = (char)(0x80 | (cp & 0x3F));
        }
        r += 7;
    }
    s[w] = '\0';
    *len = w;
}

void xlsx_stop(struct xlsx_pctx *ctx)
{
    xlsx_xml_stop(ctx->xp);
    ctx->stopped = 1;
}

void xlsx_done(struct xlsx_pctx *ctx)
{
    xlsx_xml_mute(ctx->xp);
}

void xlsx_handoff(struct xlsx_pctx *ctx, int (*rest)(struct xlsx_pctx *ctx, const char *s,
                                                     size_t n, size_t *used))
{
    if (!ctx->whole)
        return;
    ctx->rest = rest;
    xlsx_xml_stop(ctx->xp);
}

/* Parse what is left of a part in ctx's reader (all of it in one buffer),
 * handing it over to a handler's rest function when one asks
 * (xlsx_handoff); the reader reads on after what the rest function read,
 * to the end of the part. What xlsx_xml_parse returns. */
static int parse_whole(struct xlsx_pctx *ctx, size_t n)
{
    int st = xlsx_xml_parse(ctx->xp, n, 1);
    while (st > 0 && ctx->rest && !ctx->stopped) {
        int (*rest)(struct xlsx_pctx *, const char *, size_t, size_t *) = ctx->rest;
        size_t left, used = 0;
        const char *s = xlsx_xml_rest(ctx->xp, &left);
        int r = s ? rest(ctx, s, left, &used) : 1;
        ctx->rest = NULL;
        if (r < 0) {
            ctx->stopped = 1;
            return 1;
        }
        if (r == 0)
            xlsx_xml_skip(ctx->xp, used);
        else
            xlsx_xml_resume(ctx->xp);
        st = xlsx_xml_parse(ctx->xp, 0, 1);
    }
    return st;
}

/* ---- what a thread keeps between books ---------------------------------- */

/* A decompressor (about 10 KB, zeroed when made) and an XML reader with its
 * buffer and pool, kept by each thread that reads workbooks for the next
 * part and the next book, and freed when the thread ends (the main
 * thread's at exit, with the process). A thread so holds up to 4 MiB of
 * buffer and 4 MiB of pool after its last read (xlsx_xml_reset frees
 * larger ones), the last part's bytes among them, and the memo of small
 * parts below (at most 4 x 2 x 64 KiB, a few KB in practice). Why: made and
 * freed for each book and part, a returned template's 145 KB sheet buffer
 * and 128 KiB pool grew the heap and gave it back at each read (brk, and
 * page faults on the new pages); kept, a lone return reads in 6 % less CPU
 * time and so does a template (tests/bench/bench_xlsx.c). */
#define MEMO_SLOTS 4           /* the package's and the workbook's relationships,
                                  the workbook, the styles */
#define MEMO_MAX (64u << 10)   /* bytes of a part remembered, each way */

/* A part as it lies in a zip (z, zn bytes) and inflated (out, n bytes,
 * whose CRC-32 is crc). */
struct memo {
    unsigned char *z, *out;
    size_t zn, n, zcap, cap;
    unsigned long crc;
    int ok;                    /* it holds a part */
};

struct keep {
    struct libdeflate_decompressor *inflater;
    struct xlsx_xml *xp;
    struct memo memo[MEMO_SLOTS];
    unsigned next;             /* the slot the next part takes */
};

static pthread_key_t keep_key;
static int keep_ok;   /* keep_key was made */
static pthread_once_t keep_once = PTHREAD_ONCE_INIT;

static void keep_free(void *p)
{
    struct keep *k = p;
    if (k->inflater)
        libdeflate_free_decompressor(k->inflater);
    xlsx_xml_free(k->xp);
    for (int i = 0; i < MEMO_SLOTS; i++) {
        free(k->memo[i].z);
        free(k->memo[i].out);
    }
    free(k);
}

static void keep_make_key(void)
{
    keep_ok = pthread_key_create(&keep_key, keep_free) == 0;
}

/* This thread's keep, made on first use; NULL when it cannot be (then
 * nothing is kept). */
static struct keep *thread_keep(void)
{
    pthread_once(&keep_once, keep_make_key);
    if (!keep_ok)
        return NULL;
    struct keep *k = pthread_getspecific(keep_key);
    if (!k && (k = calloc(1, sizeof *k)) && pthread_setspecific(keep_key, k) != 0) {
        free(k);
        k = NULL;
    }
    return k;
}

/* A reader for a part: the thread's kept one, else a new one. */
static struct xlsx_xml *reader_take(const struct xlsx_handlers *h, void *ctx)
{
    struct keep *k = thread_keep();
    if (k && k->xp) {
        struct xlsx_xml *x = k->xp;
        k->xp = NULL;
        xlsx_xml_reset(x, h, ctx);
        return x;
    }
    return xlsx_xml_new(h, ctx);
}

/* Done with reader x: kept for the next part when the thread keeps none. */
static void reader_give(struct xlsx_xml *x)
{
    struct keep *k = thread_keep();
    if (k && !k->xp)
        k->xp = x;
    else
        xlsx_xml_free(x);
}

/* The thread's decompressor, made on first use; NULL on ENOMEM. */
static struct libdeflate_decompressor *inflater(struct xlsx_book *b)
{
    if (!b->inflater) {
        struct keep *k = thread_keep();
        if (k && !k->inflater)
            k->inflater = libdeflate_alloc_decompressor();
        b->inflater = k ? k->inflater : libdeflate_alloc_decompressor();
        b->own_inflater = !k;
    }
    return b->inflater;
}

/* The small parts that say where a workbook's cells are (the package's
 * and the workbook's relationships, the workbook, the styles) are the same
 * byte for byte in the returns of one template saved by one program. The
 * thread remembers the last MEMO_SLOTS such parts read whole, as they lie
 * in the zip and inflated, each up to MEMO_MAX bytes both ways; a part
 * whose compressed bytes, size and CRC-32 are a remembered one's is that
 * one's inflated bytes, copied instead of inflated (the same bytes inflate
 * the same way; the CRC was checked against them when they were
 * remembered). Why: a part of a few hundred bytes took libdeflate 4 to 6
 * microseconds to inflate, building its Huffman tables (14,000
 * instructions for a 587-byte _rels/.rels), a tenth of a lone return's
 * read for its three such parts (tests/bench/bench_xlsx.c has the
 * figures). The shared strings and the sheets, a return's own, are never
 * remembered. */

/* Copy into out (n bytes) the inflated bytes of the remembered part that
 * lies as z (zn bytes) in a zip and has CRC crc: 1, or 0 when none is. */
static int memo_get(const unsigned char *z, size_t zn, size_t n, unsigned long crc, void *out)
{
    struct keep *k = thread_keep();
    for (int i = 0; k && i < MEMO_SLOTS; i++) {
        const struct memo *m = &k->memo[i];
        if (m->ok && m->zn == zn && m->n == n && m->crc == crc && memcmp(m->z, z, zn) == 0) {
            memcpy(out, m->out, n);
            return 1;
        }
    }
    return 0;
}

/* Remember the part z (zn bytes in the zip) inflated as out (n bytes,
 * CRC crc checked), in place of the oldest one; nothing when it is larger
 * than MEMO_MAX or memory is short. */
static void memo_put(const unsigned char *z, size_t zn, const void *out, size_t n,
                     unsigned long crc)
{
    struct keep *k = thread_keep();
    if (!k || zn > MEMO_MAX || n > MEMO_MAX)
        return;
    struct memo *m = &k->memo[k->next++ % MEMO_SLOTS];
    m->ok = 0;
    if (array_grow((void **)&m->z, &m->zcap, zn ? zn : 1, 1) != 0 ||
        array_grow((void **)&m->out, &m->cap, n ? n : 1, 1) != 0)
        return;
    memcpy(m->z, z, zn);
    memcpy(m->out, out, n);
    m->zn = zn;
    m->n = n;
    m->crc = crc;
    m->ok = 1;
}

/* ---- the zip, from memory ----------------------------------------------- */

static voidpf ZCALLBACK mem_open(voidpf opaque, const void *filename, int mode)
{
    (void)filename, (void)mode;
    struct xlsx_mem *m = opaque;
    m->pos = 0;
    return m;
}

static uLong ZCALLBACK mem_read(voidpf opaque, voidpf stream, void *buf, uLong size)
{
    (void)opaque;
    struct xlsx_mem *m = stream;
    size_t left = m->len - m->pos;
    if (size > left)
        size = (uLong)left;
    if (size <= 8) {   /* minizip reads its headers a byte or two at a time:
                          a call of memcpy for each was 1 % of a one-return
                          read (1.485 to 1.471 million instructions) */
        for (uLong i = 0; i < size; i++)
            ((unsigned char *)buf)[i] = m->data[m->pos + i];
    } else {
        memcpy(buf, m->data + m->pos, size);
    }
    m->pos += size;
    return size;
}

static uLong ZCALLBACK mem_write(voidpf opaque, voidpf stream, const void *buf, uLong size)
{
    (void)opaque, (void)stream, (void)buf, (void)size;
    return 0;
}

static ZPOS64_T ZCALLBACK mem_tell(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ((struct xlsx_mem *)stream)->pos;
}

static long ZCALLBACK mem_seek(voidpf opaque, voidpf stream, ZPOS64_T off, int origin)
{
    (void)opaque;
    struct xlsx_mem *m = stream;
    size_t base = origin == ZLIB_FILEFUNC_SEEK_SET ? 0
                  : origin == ZLIB_FILEFUNC_SEEK_CUR ? m->pos
                                                     : m->len;
    if (off > m->len - base)
        return -1;
    m->pos = base + (size_t)off;
    return 0;
}

static int ZCALLBACK mem_close(voidpf opaque, voidpf stream)
{
    (void)opaque, (void)stream;
    return 0;
}

static int ZCALLBACK mem_error(voidpf opaque, voidpf stream)
{
    (void)opaque, (void)stream;
    return 0;
}

/* Name and place of every entry of the zip's directory, read once: looking
 * each part up in the zip (unzLocateFile) reads the directory again from
 * its first entry, a few bytes at a time, and for a return of 117 rows its
 * five look-ups were a tenth of the read. An entry that cannot be listed
 * (a name past XLSX_NAME_MAX bytes, a damaged directory) leaves the list
 * partial, and parts are then looked up in the zip as before. 0, or -1 on
 * ENOMEM after reporting. */
static int list_entries(struct xlsx_book *b)
{
    size_t alloc = 0;
    int rc = unzGoToFirstFile(b->zip);
    for (; rc == UNZ_OK; rc = unzGoToNextFile(b->zip)) {
        char name[XLSX_NAME_MAX + 1];
        unz_file_info64 info;
        unz64_file_pos pos;
        if (unzGetCurrentFileInfo64(b->zip, &info, name, sizeof name, NULL, 0, NULL, 0) !=
                UNZ_OK ||
            info.size_filename > XLSX_NAME_MAX || unzGetFilePos64(b->zip, &pos) != UNZ_OK)
            break;
        if (array_grow((void **)&b->entry, &alloc, b->nentry + 1, sizeof *b->entry) != 0 ||
            !(b->entry[b->nentry].name = strdup(name))) {
            xlsx_error(b, NULL, LCME_ENOMEM, "out of memory");
            return -1;
        }
        b->entry[b->nentry++].pos = pos;
    }
    b->entries_partial = rc != UNZ_END_OF_LIST_OF_FILE;
    return 0;
}

/* The index of part's entry: its first of that name (any case), as
 * unzLocateFile finds it; SIZE_MAX when there is none or when the list is
 * partial. */
static size_t find_entry(const struct xlsx_book *b, const char *part)
{
    if (!b->entries_partial)
        for (size_t i = 0; i < b->nentry; i++)
            if (strcasecmp(b->entry[i].name, part) == 0)
                return i;
    return SIZE_MAX;
}

/* Make part the zip's current entry (entry i, or the look-up in the zip
 * when the list is partial). 0, or 1 when there is none. */
static int locate(struct xlsx_book *b, const char *part, size_t i)
{
    if (b->entries_partial)
        return unzLocateFile(b->zip, part, 2) == UNZ_OK ? 0 : 1;
    if (i == SIZE_MAX)
        return 1;
    return unzGoToFilePos64(b->zip, &b->entry[i].pos) == UNZ_OK ? 0 : 1;
}

/* minizip on b->mem: 0, or -1 when it cannot read the zip's directory. */
static int zip_minizip(struct xlsx_book *b)
{
    if (b->zip)
        return 0;
    zlib_filefunc64_def ff = {mem_open, mem_read, mem_write, mem_tell, mem_seek,
                              mem_close, mem_error, &b->mem};
    b->zip = unzOpen2_64("", &ff);
    return b->zip ? 0 : -1;
}

/* Open entry i (part) with minizip, when xlsx_dir.c read the directory
 * but declines the part or cannot hand it over whole: minizip checks it
 * again and reads it. 0, or -1 after reporting. */
static int part_minizip(struct xlsx_book *b, const char *part, size_t i)
{
    if (zip_minizip(b) != 0 || unzGoToFilePos64(b->zip, &b->entry[i].pos) != UNZ_OK ||
        unzOpenCurrentFile(b->zip) != UNZ_OK) {
        xlsx_error(b, NULL, LCME_EINPUT, "the part '%s' is damaged", part);
        return -1;
    }
    return 0;
}

/* Open the zip in b->mem. 0, or -1 after reporting what the file is. */
static int zip_open(struct xlsx_book *b)
{
    const unsigned char *p = b->mem.data;
    size_t n = b->mem.len;
    static const unsigned char ole[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    if (n >= 8 && memcmp(p, ole, 8) == 0) {
        xlsx_error(b, NULL, LCME_EINPUT,
                   "not an xlsx workbook: this is an old .xls workbook or a password-protected "
                   "one (save it as .xlsx, without a password)");
        return -1;
    }
    if (n < 4 || p[0] != 'P' || p[1] != 'K' || p[2] != 3 || p[3] != 4) {
        xlsx_error(b, NULL, LCME_EINPUT,
                   "not an xlsx workbook: the file is not a zip package (a CSV file must be "
                   "named .csv)");
        return -1;
    }
    if (b->scan & XLSX_SCAN_ZIP) {
        int r = xlsx_dir_list(b);
        if (r <= 0)
            return r;
    }
    if (zip_minizip(b) != 0) {
        xlsx_error(b, NULL, LCME_EINPUT,
                   "not an xlsx workbook: the zip package is damaged (its directory cannot be "
                   "read)");
        return -1;
    }
    return list_entries(b);
}

/* ---- streaming a part --------------------------------------------------- */

/* Report the XML error of ctx's reader in part. */
static void xml_failed(struct xlsx_pctx *ctx, const char *part)
{
    unsigned long line, col;
    enum xlsx_xml_status e = xlsx_xml_error(ctx->xp, &line, &col);
    if (e == XLSX_XML_NOMEM)
        xlsx_error(ctx->b, NULL, LCME_ENOMEM, "out of memory reading '%s'", part);
    else if (e == XLSX_XML_ENCODING)
        xlsx_error(ctx->b, ctx->at, LCME_EINPUT, "the part '%s' is not in UTF-8, the only "
                   "encoding read (save the workbook again with a spreadsheet program)", part);
    else if (e == XLSX_XML_DTD)
        xlsx_error(ctx->b, ctx->at, LCME_EINPUT,
                   "the workbook's XML declares a document type (DTD), which workbooks never "
                   "do; it is not read");
    else
        xlsx_error(ctx->b, ctx->at, LCME_EINPUT, "malformed XML in the part '%s': %s (its line "
                   "%lu, column %lu)", part, xlsx_xml_message(e), line, col + 1);
}

/* How a part was opened (part_open). */
struct part_at {
    size_t entry;   /* its index in b->entry; SIZE_MAX when the list is partial */
    size_t data;    /* where its data starts in the file */
    int in_zip;     /* minizip has it open (else xlsx_dir.c checked it) */
};

/* Locate and open part for reading; *info gets its zip entry and *pa where
 * it is. 0; 1 when absent; -1 after reporting. When xlsx_dir.c read the
 * directory, the entry is its and so is the check of the local header,
 * unless it declines the part: then minizip opens it. */
static int part_open(struct xlsx_book *b, const char *part, unz_file_info64 *info,
                     struct part_at *pa)
{
    pa->entry = find_entry(b, part);
    pa->in_zip = 0;
    if (b->dir_read) {
        if (pa->entry == SIZE_MAX)
            return 1;
        const struct xlsx_entry *en = &b->entry[pa->entry];
        memset(info, 0, sizeof *info);
        info->flag = en->flag;
        info->compression_method = en->method;
        info->crc = en->crc;
        info->compressed_size = en->csize;
        info->uncompressed_size = en->usize;
    } else if (locate(b, part, pa->entry) != 0) {
        return 1;
    } else if (unzGetCurrentFileInfo64(b->zip, info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK) {
        xlsx_error(b, NULL, LCME_EINPUT, "the part '%s' is damaged", part);
        return -1;
    }
    if (info->flag & 1) {
        xlsx_error(b, NULL, LCME_EINPUT,
                   "the part '%s' is encrypted (save the workbook without a password)", part);
        return -1;
    }
    if (info->compression_method != 0 && info->compression_method != Z_DEFLATED) {
        xlsx_error(b, NULL, LCME_EINPUT,
                   "the part '%s' is compressed with zip method %lu, which is not read (only "
                   "stored and deflated parts are)", part, (unsigned long)info->compression_method);
        return -1;
    }
    if (b->dir_read) {
        if (xlsx_dir_local(b, &b->entry[pa->entry], &pa->data) == 0)
            return 0;
        if (part_minizip(b, part, pa->entry) != 0)
            return -1;
    } else if (unzOpenCurrentFile(b->zip) != UNZ_OK) {
        xlsx_error(b, NULL, LCME_EINPUT, "the part '%s' is damaged", part);
        return -1;
    }
    pa->in_zip = 1;
    pa->data = (size_t)unzGetCurrentFileZStreamPos64(b->zip);
    return 0;
}

/* Inflate the open part whole with libdeflate, straight into the reader's
 * buffer, and read it in one call: 0, or -1 after reporting (a handler
 * that stopped the reader has reported). 2 when it cannot be read so (not
 * deflated, stated larger than limit, damaged, another size or CRC than its
 * entry states, no memory): nothing was read, and part_stream reads it. */
static int part_whole(struct xlsx_pctx *ctx, const char *part, size_t limit,
                      const unz_file_info64 *info, size_t at)
{
    struct xlsx_book *b = ctx->b;
    if (info->compression_method != Z_DEFLATED || info->uncompressed_size > limit)
        return 2;
    if (at > b->mem.len || info->compressed_size > b->mem.len - at)
        return 2;
    struct libdeflate_decompressor *inf = inflater(b);
    if (!inf)
        return 2;
    size_t n = (size_t)info->uncompressed_size, zn = (size_t)info->compressed_size, got;
    const unsigned char *z = b->mem.data + at;
    void *buf = xlsx_xml_buffer(ctx->xp, n);
    if (!buf)
        return 2;
    if (!ctx->memo || !memo_get(z, zn, n, info->crc, buf)) {
        if (libdeflate_deflate_decompress(inf, z, zn, buf, n, &got) != LIBDEFLATE_SUCCESS ||
            got != n || libdeflate_crc32(0, buf, n) != info->crc)
            return 2;
        if (ctx->memo)
            memo_put(z, zn, buf, n, info->crc);
    }
    ctx->whole = 1;
    int st = parse_whole(ctx, n);
    ctx->whole = 0;
    if (st < 0)
        xml_failed(ctx, part);
    return st != 0 ? -1 : 0;
}

/* Stream the open part through ctx's reader (xlsx_parse_part). */
static int part_stream(struct xlsx_pctx *ctx, const char *part, size_t limit)
{
    struct xlsx_book *b = ctx->b;
    int rc = 0;
    size_t total = 0;
    for (;;) {
        /* inflate straight into the reader's buffer: no copy in between */
        void *buf = xlsx_xml_buffer(ctx->xp, XLSX_CHUNK);
        if (!buf) {
            xlsx_error(b, NULL, LCME_ENOMEM, "out of memory reading '%s'", part);
            rc = -1;
            break;
        }
        int n = unzReadCurrentFile(b->zip, buf, XLSX_CHUNK);
        if (n < 0) {
            xlsx_error(b, ctx->at, LCME_EINPUT, "the part '%s' is damaged (it cannot be "
                       "inflated)", part);
            rc = -1;
            break;
        }
        if (n > 0 && (total += (size_t)n) > limit) {
            xlsx_error(b, ctx->at, LCME_ELIMIT, "the part '%s' is larger than the %zu MiB "
                       "limit once inflated", part, limit >> 20);
            rc = -1;
            break;
        }
        int st = xlsx_xml_parse(ctx->xp, (size_t)n, n == 0);
        if (st < 0)
            xml_failed(ctx, part);
        if (st != 0) {   /* malformed, or a handler stopped and reported */
            rc = -1;
            break;
        }
        if (n == 0)
            break;
    }
    if (unzCloseCurrentFile(b->zip) == UNZ_CRCERROR && rc == 0) {
        xlsx_error(b, NULL, LCME_EINPUT,
                   "the part '%s' is damaged (its checksum does not match)", part);
        rc = -1;
    }
    return rc;
}

int xlsx_parse_part(struct xlsx_pctx *ctx, struct xlsx_book *b, const struct xlsx_at *at,
                    const char *part, size_t limit, const struct xlsx_handlers *h)
{
    unz_file_info64 info;
    struct part_at pa;
    int rc = part_open(b, part, &info, &pa);
    if (rc != 0)
        return rc;
    ctx->b = b;
    ctx->at = at;
    ctx->stopped = ctx->whole = 0;
    ctx->rest = NULL;
    ctx->xp = reader_take(h, ctx);
    if (!ctx->xp) {
        if (pa.in_zip)
            unzCloseCurrentFile(b->zip);
        xlsx_error(b, NULL, LCME_ENOMEM, "out of memory");
        return -1;
    }
    rc = part_whole(ctx, part, limit, &info, pa.data);
    if (rc == 2 && !pa.in_zip)   /* not whole: minizip streams it */
        rc = part_minizip(b, part, pa.entry) == 0 ? 2 : -1;
    if (rc == 2)
        rc = part_stream(ctx, part, limit);
    else if (pa.in_zip)
        unzCloseCurrentFile(b->zip);
    reader_give(ctx->xp);
    ctx->xp = NULL;
    return rc;
}

/* ---- opening ------------------------------------------------------------ */

static void book_free(struct xlsx_book *b)
{
    if (b->zip)
        unzClose(b->zip);
    if (b->own_inflater)
        libdeflate_free_decompressor(b->inflater);
    for (size_t i = 0; i < b->nentry; i++)
        free(b->entry[i].name);
    free(b->entry);
    free(b->wb_part);
    for (size_t i = 0; i < b->nsheet; i++) {
        free(b->sheet[i].name);
        free(b->sheet[i].rid);
        free(b->sheet[i].part);
    }
    free(b->sheet);
    free(b->sst_part);
    free(b->styles_part);
    free(b->sst);
    free(b->sst_len);
    free(b->xf_date);
    xlsx_text_free(&b->text);
}

/* The sheet read: the one named "Data" (any case), else the first. */
static size_t pick_sheet(const struct xlsx_book *b)
{
    for (size_t i = 0; i < b->nsheet; i++)
        if (strcasecmp(b->sheet[i].name, "Data") == 0)
            return i;
    return 0;
}

int xlsx_open_mem(struct csv **out, const char *name, const void *data, size_t len,
                  const struct xlsx_limits *lim, struct diag *d)
{
    return xlsx_open_book(out, name, data, len, lim, XLSX_SCAN_ROWS | XLSX_SCAN_SST | XLSX_SCAN_ZIP,
                          NULL, d);
}

int xlsx_open_book(struct csv **out, const char *name, const void *data, size_t len,
                   const struct xlsx_limits *lim, int scan, int *scanned, struct diag *d)
{
    *out = NULL;
    struct xlsx_book b;
    memset(&b, 0, sizeof b);
    b.file = name;
    b.d = d;
    b.lim = lim ? *lim : xlsx_limits_default();
    b.mem.data = data;
    b.mem.len = len;
    b.scan = scan;
    int rc = -1;
    if (zip_open(&b) != 0 || xlsx_read_workbook(&b) != 0)
        goto done;
    size_t k = pick_sheet(&b);
    const struct xlsx_sheetref *s = &b.sheet[k];
    if (s->chart) {
        xlsx_error(&b, NULL, LCME_EINPUT, "the sheet '%s' is a chart, not a sheet of cells",
                   s->name);
        goto done;
    }
    if (!s->part) {
        xlsx_error(&b, NULL, LCME_EINPUT, "the sheet '%s' has no part in the workbook's "
                   "relationships", s->name);
        goto done;
    }
    if (xlsx_read_strings(&b) != 0)   /* the styles only when cells have them (xlsx_sheet.c) */
        goto done;
    rc = xlsx_sheet_read(&b, k, out);
done:
    if (scanned)
        *scanned = (b.scanned ? XLSX_SCAN_ROWS : 0) | (b.sst_scanned ? XLSX_SCAN_SST : 0) |
                   (b.dir_read ? XLSX_SCAN_ZIP : 0);
    book_free(&b);
    return rc;
}

int xlsx_open(struct csv **out, const char *path, char sha[SHA256_HEX_SIZE], struct diag *d)
{
    *out = NULL;
    struct csv *raw;
    if (csv_open(&raw, path, d) != 0)   /* the same checks and limit as a CSV file */
        return -1;
    sha256_hex(raw->buf, raw->len, sha);
    int rc = xlsx_open_mem(out, path, raw->buf, raw->len, NULL, d);
    csv_free(raw);
    return rc;
}
