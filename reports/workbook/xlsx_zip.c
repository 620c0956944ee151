/* xlsx_zip.c: the workbook's parts deflated at XLSX_ZIP_LEVEL (see
 * xlsx_zip.h for why).
 *
 * libxlsxwriter adds each part to the zip file with minizip's
 * zipOpenNewFileInZip4_64, passing Z_DEFAULT_COMPRESSION. An executable
 * that defines and exports a function of that name (the link options in
 * CMakeLists.txt) is found first when the shared library resolves the call,
 * so this definition receives it, replaces the default level with
 * XLSX_ZIP_LEVEL (PNG images, deflated already, are stored) and hands
 * everything else unchanged to the next definition, minizip's own, found
 * with dlsym(RTLD_NEXT). An explicit level is passed through. libxlsxwriter
 * is the only caller of minizip's zip writer in lcme (the workbook reader,
 * engine/input/xlsx_read.c, uses only its unzip side).
 *
 * What keeps it from breaking silently:
 * - the prototype: where minizip's header is installed (Debian:
 *   libminizip-dev, which build.sh installs), it is included here, so a
 *   declaration below that differs from minizip's in any parameter is a
 *   compile error ("conflicting types"); CMakeLists.txt says when it is
 *   missing and the check is skipped;
 * - the call: the override records that it fired (xlsx_zip_level), and
 *   tests/unit/test_workbook.c and tests/e2e/workbook_zip.sh fail when the
 *   parts of a written workbook are not at XLSX_ZIP_LEVEL, as happens when
 *   libxlsxwriter is built with its own copy of minizip or the executable
 *   stops exporting the symbol;
 * - no minizip behind the override: the workbook fails (ZIP_INTERNALERROR),
 *   it is not written at some other level.
 */
#define _GNU_SOURCE
#include "xlsx_zip.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include <zlib.h>

#ifdef LCME_HAVE_MINIZIP_ZIP_H
#include <minizip/zip.h>
#else
/* minizip 1.1's zip.h (without STRICTZIP), of which only these are used */
typedef voidp zipFile;
typedef struct zip_fileinfo_s zip_fileinfo;   /* only pointed to */
#define ZIP_INTERNALERROR (-104)
#endif

/* minizip's zipOpenNewFileInZip4_64, parameter for parameter (checked
 * against <minizip/zip.h> where it is installed). */
typedef int open4_fn(zipFile file, const char *filename, const zip_fileinfo *zipfi,
                     const void *extrafield_local, uInt size_extrafield_local,
                     const void *extrafield_global, uInt size_extrafield_global,
                     const char *comment, int method, int level, int raw, int windowBits,
                     int memLevel, int strategy, const char *password, uLong crcForCrypting,
                     uLong versionMadeBy, uLong flagBase, int zip64);
open4_fn zipOpenNewFileInZip4_64;

static open4_fn *next_open4;
static int overridden;           /* the override has been called */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void find_next(void)
{
    next_open4 = (open4_fn *)(size_t)dlsym(RTLD_NEXT, "zipOpenNewFileInZip4_64");
}

int zipOpenNewFileInZip4_64(zipFile file, const char *filename, const zip_fileinfo *zipfi,
                            const void *extrafield_local, uInt size_extrafield_local,
                            const void *extrafield_global, uInt size_extrafield_global,
                            const char *comment, int method, int level, int raw,
                            int windowBits, int memLevel, int strategy, const char *password,
                            uLong crcForCrypting, uLong versionMadeBy, uLong flagBase,
                            int zip64)
{
    pthread_once(&once, find_next);
    if (!next_open4)
        return ZIP_INTERNALERROR;   /* no minizip behind: the workbook fails */
    overridden = 1;
    if (level == Z_DEFAULT_COMPRESSION) {
        size_t n = filename ? strlen(filename) : 0;
        if (method == Z_DEFLATED && n > 4 && strcmp(filename + n - 4, ".png") == 0) {
            method = 0;   /* stored: a PNG is deflated already */
            level = 0;
        } else {
            level = XLSX_ZIP_LEVEL;
        }
    }
    return next_open4(file, filename, zipfi, extrafield_local, size_extrafield_local,
                      extrafield_global, size_extrafield_global, comment, method, level, raw,
                      windowBits, memLevel, strategy, password, crcForCrypting, versionMadeBy,
                      flagBase, zip64);
}

int xlsx_zip_level(void)
{
    return overridden ? XLSX_ZIP_LEVEL : 6;   /* zlib's Z_DEFAULT_COMPRESSION */
}
