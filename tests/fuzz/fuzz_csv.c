/* fuzz_csv.c: libFuzzer harness for the CSV reader (engine/csv.c).
 *
 * Any bytes go through csv_open_mem and csv_next to the end; every field
 * must lie inside the buffer, be NUL-terminated at its recorded length and
 * hold no NUL byte; the line numbers never go backwards. Each field is also
 * fed to the number and year parsers and to csv_quote. Small limits are set
 * on some inputs so the field-length and column-count checks are reached.
 */
#include <math.h>

#include "csv.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag d;
    diag_init(&d);
    struct csv *c = NULL;
    if (csv_open_mem(&c, "fuzz.csv", (const char *)data, size, &d) != 0) {
        if (c)
            abort();
        fuzz_drain(&d, 1);
        return 0;
    }
    if (size > 0 && (data[0] & 1)) {   /* tighter limits on half the inputs */
        c->max_field = 16;
        c->max_cols = 8;
    }
    int r;
    long last_line = 0;
    size_t header_nf = 0;
    while ((r = csv_next(c, &d)) > 0) {
        if (c->nf < 1 || c->line_no < last_line || c->line_no < 1)
            abort();
        last_line = c->line_no;
        if (c->nrec == 1)
            header_nf = c->nf;
        else if (csv_check_width(c, &d, header_nf) != 0)
            diag_clear(&d);   /* a width problem is the caller's business */
        for (size_t i = 0; i < c->nf; i++) {
            const char *f = c->f[i];
            if (f < c->buf || f + c->flen[i] > c->buf + c->len + 1)
                abort();
            if (f[c->flen[i]] != '\0' || memchr(f, '\0', c->flen[i]))
                abort();
            double v;
            int y;
            char msg[128], q[96];
            enum csv_num k = csv_parse_double(f, c->flen[i], &v, msg, sizeof msg);
            if (k == CSV_NUM_OK && !isfinite(v))
                abort();
            if (k == CSV_NUM_MISSING && !isnan(v))
                abort();
            k = csv_parse_year(f, c->flen[i], &y, msg, sizeof msg);
            if (k == CSV_NUM_OK && (y < 1000 || y > 9999))
                abort();
            csv_quote(f, c->flen[i], q, sizeof q);
            if (strlen(q) >= sizeof q)
                abort();
            csv_name_is(f, c->flen[i], "unit");
            csv_blank(f, c->flen[i]);
        }
    }
    if (r < 0 && diag_count(&d) == 0)
        abort();
    if (r < 0 && csv_next(c, &d) != -1)   /* stays failed */
        abort();
    csv_free(c);
    diag_free(&d);
    return 0;
}
