/* cmd_gen.c: `lcme gen [OPTIONS] -o DIR`: write a synthetic batch (the
 * options and the generator are in engine/input/gen.h).
 */
#include <stdio.h>

#include "cli_int.h"
#include "gen.h"

int cmd_gen(int argc, char **argv)
{
    struct diag d;
    diag_init(&d);
    struct gen_options o;
    int rc = gen_parse_args(argc, argv, &o, &d);
    if (rc > 0) {          /* --help was asked for */
        fputs(gen_usage(), stdout);
        diag_free(&d);
        return 0;
    }
    if (rc != 0 || gen_write(&o, &d) != 0)
        rc = cli_report(&d, "nothing generated");
    else if (!cli_quiet)
        fprintf(stderr, "lcme: synthetic batch written to %s\n", o.outdir);
    gen_options_free(&o);
    diag_free(&d);
    return rc;
}
