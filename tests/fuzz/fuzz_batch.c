/* fuzz_batch.c: libFuzzer harness for the way from a batch file to a run,
 * as `lcme run` reads it before touching the store: config_load, the
 * framework with the batch's weights, the units and data files, the cube,
 * then the statistical stages on it when it is small.
 *
 * An input is a tiny batch in up to four parts, separated by lines holding
 * only "--8<--": batch.ini, fw.csv, data.csv, units.csv. The parts are
 * written into one temporary folder (made once per process, removed at
 * exit), so the batch names its files as a user would ("framework =
 * fw.csv"). Every failure must come with a message and a success with none
 * (fuzz_drain); a loaded config must name its store and output folder;
 * every observation must point inside the set and lie no later than the
 * evaluation year.
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "config.h"
#include "cube.h"
#include "framework.h"
#include "fuzz_util.h"
#include "ingest.h"
#include "path.h"
#include "pipeline.h"

#define SEPARATOR "\n--8<--\n"

static char fuzz_dir[64];

static void remove_dir(void)
{
    path_remove_tree(fuzz_dir);
}

/* The folder the parts go into: on a memory file system when there is one. */
static const char *batch_dir(void)
{
    if (fuzz_dir[0])
        return fuzz_dir;
    struct stat st;
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/lcme-fuzz-batch-XXXXXX",
             stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp");
    if (!mkdtemp(fuzz_dir))
        abort();
    atexit(remove_dir);
    return fuzz_dir;
}

/* Write part k of data (the bytes between separators) to dir/name; an
 * absent part is an empty file. */
static void write_part(const uint8_t *data, size_t size, int k, const char *name)
{
    const char *p = (const char *)data, *end = p + size;
    size_t slen = sizeof SEPARATOR - 1;
    for (int i = 0; i < k && p; i++) {
        const char *s = memmem(p, (size_t)(end - p), SEPARATOR, slen);
        p = s ? s + slen : NULL;
    }
    const char *stop = p ? memmem(p, (size_t)(end - p), SEPARATOR, slen) : NULL;
    size_t len = !p ? 0 : stop ? (size_t)(stop - p) : (size_t)(end - p);
    char path[128];
    snprintf(path, sizeof path, "%s/%s", batch_dir(), name);
    FILE *fp = fopen(path, "wb");
    if (!fp || (len && fwrite(p, 1, len, fp) != len) || fclose(fp) != 0)
        abort();
}

static void check_obs(const struct obsset *s, const struct framework *fw, int year)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct obs *o = &s->v[i];
        if (o->unit < 0 || (size_t)o->unit >= s->nunit || o->ind < 0 ||
            o->ind >= fw->nnode + fw->ndenom || o->file < 0 || (size_t)o->file >= s->nfile ||
            o->year > year || o->value != o->value)
            abort();
    }
}

/* The stages on a cube small enough to keep the fuzzer fast. */
static int run_stages(const struct config *cfg, const struct framework *fw,
                      const struct cube *c, struct diag *d)
{
    if (c->nunit * c->nind * c->nyear > 4096)
        return 0;
    struct results *r = NULL;
    int rc = pipeline_run(cfg, fw, c, &r, d);
    results_free(r);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const part[] = {"batch.ini", "fw.csv", "data.csv", "units.csv"};
    for (int k = 0; k < 4; k++)
        write_part(data, size, k, part[k]);
    char path[128];
    snprintf(path, sizeof path, "%s/batch.ini", batch_dir());
    struct diag d;
    diag_init(&d);
    struct config *cfg = NULL;
    struct framework *fw = NULL;
    struct obsset *s = NULL;
    struct cube *c = NULL;
    int failed = 1;
    if (config_load(&cfg, path, &d) != 0)
        goto out;
    if (!cfg->store || !cfg->output || cfg->ndata < 1)
        abort();
    if (framework_load(&fw, cfg->framework, &d) != 0 || config_apply_weights(cfg, fw, &d) != 0)
        goto out;
    if (!(s = obsset_new()))
        abort();
    s->last_year = cfg->year;
    int bad = cfg->units && ingest_units(s, cfg->units, &d) != 0;
    for (int i = 0; i < cfg->ndata; i++)
        bad |= ingest_file(s, cfg->data[i], cfg->data_name[i], fw, &d) != 0;
    check_obs(s, fw, cfg->year);
    if (bad || obsset_to_cube(s, fw, cfg->ci_level, &c, &d) != 0)
        goto out;
    failed = run_stages(cfg, fw, c, &d) != 0;
out:
    fuzz_drain(&d, failed);
    cube_free(c);
    obsset_free(s);
    framework_free(fw);
    config_free(cfg);
    return 0;
}
