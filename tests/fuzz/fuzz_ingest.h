/* fuzz_ingest.h: the body shared by the two observation-file harnesses.
 *
 * The framework is tests/data/good/mini-framework.csv, loaded once. Each
 * input is ingested as a data file; a failed ingest must leave the obsset
 * unchanged (no rows), a clean one must give a cube.
 */
#include <string.h>

#include "cube.h"
#include "framework.h"
#include "fuzz_util.h"
#include "ingest.h"

#ifndef LCME_SOURCE_DIR
#error "build with -DLCME_SOURCE_DIR=\"/path/to/repo\""
#endif

static struct framework *fuzz_fw;

static void fuzz_ingest_init(void)
{
    if (fuzz_fw)
        return;
    struct diag d;
    diag_init(&d);
    if (framework_load(&fuzz_fw, LCME_SOURCE_DIR "/tests/data/good/mini-framework.csv", &d) != 0)
        abort();
    diag_free(&d);
}

/* 1 when s reads back as itself in a CSV field: not empty, no control
 * character, comma or quote, no space at either end. */
static int plain_field(const char *s)
{
    size_t n = strlen(s);
    if (!n || s[0] == ' ' || s[n - 1] == ' ')
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7F || *s == ',' || *s == '"')
            return 0;
    return 1;
}

/* A return after the clean file: one row repeating the set's first
 * (unit, year, indicator), which must be refused with the set unchanged;
 * against a set of eight rows or more it is checked with the set's key
 * index (ingest_dedup.c). Codes a CSV field would need quotes for are left
 * out. */
static void fuzz_ingest_again(struct obsset *s, struct diag *d)
{
    if (s->n == 0)
        return;
    const struct obs *o = &s->v[0];
    const char *unit = s->unit[o->unit], *ind = obs_ind_code(fuzz_fw, o->ind);
    if (!plain_field(unit) || !plain_field(ind))
        return;
    char text[512];
    int n = snprintf(text, sizeof text, "unit,year,indicator,value\n%s,%d,%s,1\n", unit, o->year,
                     ind);
    if (n < 0 || (size_t)n >= sizeof text)
        return;
    char path[64];
    int fd = fuzz_memfile((const uint8_t *)text, (size_t)n, path, sizeof path);
    if (fd < 0)
        abort();
    size_t rows = s->n, files = s->nfile;
    if (ingest_file(s, path, "again.csv", fuzz_fw, d) == 0 || s->n != rows ||
        s->nfile != files)
        abort();   /* a duplicate accepted, or the set changed */
    close(fd);
    fuzz_drain(d, 1);
}

/* with_units: read tests/data/good/mini-units.csv first, so unknown units
 * become errors and unit attributes are known column names. */
static int fuzz_ingest_one(const uint8_t *data, size_t size, int with_units)
{
    fuzz_ingest_init();
    struct obsset *s = obsset_new();
    if (!s)
        abort();
    struct diag d;
    diag_init(&d);
    if (with_units &&
        ingest_units(s, LCME_SOURCE_DIR "/tests/data/good/mini-units.csv", &d) != 0)
        abort();
    char path[64];
    int fd = fuzz_memfile(data, size, path, sizeof path);
    if (fd < 0)
        abort();
    int rc = ingest_file(s, path, "fuzz.csv", fuzz_fw, &d);
    close(fd);
    if (rc != 0) {
        if (s->n != 0)
            abort();   /* rows appended from a file with problems */
        fuzz_drain(&d, 1);
        obsset_free(s);
        return 0;
    }
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].unit < 0 || (size_t)s->v[i].unit >= s->nunit || s->v[i].ind < 0 ||
            s->v[i].ind >= fuzz_fw->nnode + fuzz_fw->ndenom || s->v[i].value != s->v[i].value)
            abort();
    fuzz_ingest_again(s, &d);
    struct cube *c = NULL;
    int crc = obsset_to_cube(s, fuzz_fw, 0.95, &c, &d);
    fuzz_drain(&d, crc != 0);
    cube_free(c);
    obsset_free(s);
    return 0;
}
