/* xlsx_zip.h: the compression level of the workbook's zip container.
 *
 * libxlsxwriter 1.1.4 deflates every part of a workbook at zlib's default
 * level (6) and has no option to change it. lcme deflates the XML parts at
 * level 1 and stores the chart images (PNGs, deflated already); xlsx_zip.c
 * says how and what keeps it from breaking silently.
 *
 * Measured on the network-scale batch (lcme gen --units 356
 * --indicators-per-feature 3 --first-year 2016 --years 11 --missing 0.05
 * --seed 1; run with --replications 0 --no-charts; 280 MB of XML, Scores
 * 185 MB): zlib alone takes 1.7 s of CPU at level 1 against 4.7 s at level
 * 6 on those parts; the workbook stage (--timings) took a median 8.5 s
 * against 10.6 s (5 runs each, machine lightly loaded) and 15.8 s against
 * 21.6 s (12 runs each, shared machine under load); the file is 50.1 MB
 * against 39.3 MB (+28 %). On the Hong Kong sample, with its 73 chart images:
 * zlib 0.12 s against 0.68 s, the workbook stage a median 1.6 s against
 * 2.0 s, the file 15.9 MB against 14.0 MB (+13 %).
 */
#ifndef LCME_XLSX_ZIP_H
#define LCME_XLSX_ZIP_H

#define XLSX_ZIP_LEVEL 1

/* The level the parts of the workbooks written so far were deflated at:
 * XLSX_ZIP_LEVEL once the override has fired, else zlib's default 6 (no
 * workbook written yet, or the override not reached: see xlsx_zip.c). For
 * tests. */
int xlsx_zip_level(void);

#endif
