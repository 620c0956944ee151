/* fuzz_ingest.h: the body shared by the two observation-file harnesses.
 *
 * The framework is tests/data/good/mini-framework.csv, loaded once. Each
 * input is ingested as a data file; a failed ingest must leave the obsset
 * unchanged (no rows), a clean one must give a cube.
 */
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
    struct cube *c = NULL;
    int crc = obsset_to_cube(s, fuzz_fw, 0.95, &c, &d);
    fuzz_drain(&d, crc != 0);
    cube_free(c);
    obsset_free(s);
    return 0;
}
