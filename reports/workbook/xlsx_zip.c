/* xlsx_zip.c: the workbook's parts deflated at XLSX_ZIP_LEVEL (see
 * xlsx_zip.h).
 *
 * libxlsxwriter adds each part to the zip file with minizip's
 * zipOpenNewFileInZip4_64, passing Z_DEFAULT_COMPRESSION. An executable
 * that exports a function of that name (the link option
 * --export-dynamic-symbol in CMakeLists.txt) is found first when the
 * library resolves the call, so this definition receives it, replaces the
 * default level with XLSX_ZIP_LEVEL (PNG images, deflated already, are
 * stored) and hands everything else unchanged to the next definition,
 * minizip's own. An explicit level is passed through.
 * libxlsxwriter is the only caller of minizip in lcme.
 */
#define _GNU_SOURCE
#include "xlsx_zip.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

/* minizip's types (zip.h, not installed with libminizip's runtime): zipFile
 * is a pointer, uInt and uLong are zlib's unsigned int and unsigned long. */
typedef void *zipFile;
typedef unsigned int zip_uint;
typedef unsigned long zip_ulong;
struct zip_fileinfo_s;

typedef int (*open4_fn)(zipFile, const char *, const struct zip_fileinfo_s *, const void *,
                        zip_uint, const void *, zip_uint, const char *, int, int, int, int,
                        int, int, const char *, zip_ulong, zip_ulong, zip_ulong, int);

#define Z_DEFAULT_LEVEL (-1)     /* zlib's Z_DEFAULT_COMPRESSION */
#define ZIP_INTERNAL_ERROR (-104) /* minizip's ZIP_INTERNALERROR */
#define Z_DEFLATED_METHOD 8       /* zlib's Z_DEFLATED */

static open4_fn next_open4;
static int overridden;           /* the override has been called */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void find_next(void)
{
    next_open4 = (open4_fn)(size_t)dlsym(RTLD_NEXT, "zipOpenNewFileInZip4_64");
}

int zipOpenNewFileInZip4_64(zipFile file, const char *filename,
                            const struct zip_fileinfo_s *zipfi, const void *extra_local,
                            zip_uint size_extra_local, const void *extra_global,
                            zip_uint size_extra_global, const char *comment, int method,
                            int level, int raw, int window_bits, int mem_level,
                            int strategy, const char *password, zip_ulong crc,
                            zip_ulong version_made_by, zip_ulong flag_base, int zip64)
{
    pthread_once(&once, find_next);
    if (!next_open4)
        return ZIP_INTERNAL_ERROR;   /* no minizip behind: the workbook fails */
    overridden = 1;
    if (level == Z_DEFAULT_LEVEL) {
        size_t n = filename ? strlen(filename) : 0;
        if (method == Z_DEFLATED_METHOD && n > 4 && strcmp(filename + n - 4, ".png") == 0) {
            method = 0;   /* stored: a PNG is deflated already */
            level = 0;
        } else {
            level = XLSX_ZIP_LEVEL;
        }
    }
    return next_open4(file, filename, zipfi, extra_local, size_extra_local, extra_global,
                      size_extra_global, comment, method, level, raw, window_bits, mem_level,
                      strategy, password, crc, version_made_by, flag_base, zip64);
}

int xlsx_zip_level(void)
{
    return overridden ? XLSX_ZIP_LEVEL : 6;
}
