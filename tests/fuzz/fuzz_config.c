/* fuzz_config.c: libFuzzer harness for the batch file (engine/config.c):
 * any bytes through config_load; a loaded config must have its required
 * fields and a settings text, and every level's method must be in range. */
#include "config.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfile(data, size, path, sizeof path);
    if (fd < 0)
        abort();
    struct diag d;
    diag_init(&d);
    struct config *c = NULL;
    int rc = config_load(&c, path, &d);
    close(fd);
    if (rc != 0 && c)
        abort();
    if (rc == 0) {
        if (!c->framework || !c->store || !c->output || c->ndata < 1 ||
            c->ndata > CONFIG_MAX_DATA)
            abort();
        for (int lv = 1; lv <= CONFIG_MAX_LEVELS; lv++) {
            const struct method *m = config_method(c, lv);
            if (!m || !norm_method_name(m->normalise) || !agg_method_name(m->aggregate))
                abort();
        }
        char *s = config_settings_text(c);
        if (!s)
            abort();
        free(s);
    }
    fuzz_drain(&d, rc != 0);
    config_free(c);
    return 0;
}
