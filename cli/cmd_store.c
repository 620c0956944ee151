/* cmd_store.c: `lcme store copy FROM TO`: a store moved between SQLite and
 * PostgreSQL (or copied within either), every table as it is. FROM and TO
 * are a SQLite file or a postgresql:// URI each, as a batch's store key
 * names them (a relative path is relative to the current folder); FROM is
 * opened read-only, TO is created when it is a missing file and must hold
 * nothing yet. A copy that fails leaves TO as it was (and removes a file it
 * created). Prints what it copied on stderr unless --quiet.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli_int.h"
#include "pguri.h"
#include "store.h"

static void store_usage(FILE *fp)
{
    fputs("Usage: lcme store copy FROM TO [--quiet]\n"
          "\n"
          "Copy every table of the store FROM into the new store TO: a SQLite file or a\n"
          "PostgreSQL connection URI (postgresql://USER@HOST/DATABASE) each, in either\n"
          "direction. TO must be a missing file, or hold no store data yet. Passwords come\n"
          "from PGPASSWORD or ~/.pgpass, never from the URI.\n", fp);
}

/* The rows copied, one table a line. */
static void say_copied(const char *from, const char *to, const struct store_copy_count *n)
{
    char a[1024], b[1024];
    fprintf(stderr, "lcme: copied %s to %s:\n", pguri_scrub(from, a, sizeof a),
            pguri_scrub(to, b, sizeof b));
    for (int k = 0; k < STORE_COPY_NTABLE; k++)
        fprintf(stderr, "  %-15s %lld row%s\n", n[k].table, n[k].rows,
                n[k].rows == 1 ? "" : "s");
}

static int store_copy_main(const char *from, const char *to)
{
    struct diag d;
    diag_init(&d);
    struct store *src = NULL, *dst = NULL;
    struct store_copy_count n[STORE_COPY_NTABLE];
    if (pguri_is_keywords(from) || pguri_is_keywords(to)) {
        fprintf(stderr, "lcme: store copy: a PostgreSQL store is named by its URI, "
                "postgresql://USER@HOST:PORT/DBNAME, not by libpq keywords (host=..., "
                "dbname=...)\n");
        diag_free(&d);
        return 1;
    }
    int created = !pguri_is(to) && access(to, F_OK) != 0 && errno == ENOENT;
    int rc = 0;
    if (!pguri_is(from) && access(from, F_OK) != 0) {
        fprintf(stderr, "lcme: store copy: cannot open '%s': %s\n", from, strerror(errno));
        diag_free(&d);
        return 1;
    }
    if (store_open(&src, from, 1, &d) != 0 || store_open(&dst, to, 0, &d) != 0 ||
        store_copy(src, dst, n, &d) != 0) {
        rc = cli_report(&d, "nothing copied");
        store_close(dst);
        dst = NULL;
        if (created)
            unlink(to);
    } else if (!cli_quiet) {
        say_copied(from, to, n);
    }
    store_close(dst);
    store_close(src);
    diag_free(&d);
    return rc;
}

int cmd_store(int argc, char **argv)
{
    static const struct option opts[] = {
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (ch) {
        case 'q': cli_quiet = 1; break;
        case 'h': store_usage(stdout); return 0;
        default: store_usage(stderr); return 2;
        }
    }
    if (argc - optind != 3 || strcmp(argv[optind], "copy") != 0) {
        fprintf(stderr, "lcme: store needs 'copy FROM TO'\n");
        store_usage(stderr);
        return 2;
    }
    return store_copy_main(argv[optind + 1], argv[optind + 2]);
}
