/* xlsx_zip.h: the compression level of the workbook's zip container.
 *
 * libxlsxwriter 1.1.4 deflates every part of a workbook at zlib's default
 * level (6) and has no option to change it. lcme compresses the XML parts
 * at level 1: on COINr's ASEM pipeline the workbook takes 37 ms instead of
 * 53 ms and is 21 % larger (345 KB against 286 KB). Chart images, PNGs
 * deflated already, are stored as they are: the Hong Kong workbook (73
 * images) takes 0.34 s instead of 0.59 s and is 8 % larger (13.3 MB against
 * 12.4 MB). See xlsx_zip.c for how.
 */
#ifndef LCME_XLSX_ZIP_H
#define LCME_XLSX_ZIP_H

#define XLSX_ZIP_LEVEL 1

/* The level the workbook's parts are deflated at: XLSX_ZIP_LEVEL when the
 * executable took over the zip call (it exports the symbol, see
 * CMakeLists.txt), else zlib's default 6. Calling it also links the
 * override into any program that writes workbooks. */
int xlsx_zip_level(void);

#endif
