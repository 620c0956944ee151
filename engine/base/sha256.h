/* sha256.h: SHA-256 (FIPS 180-2) as 64 lower-case hex digits, for the
 * checksums of input files (the store's source.sha256, the run id) and of
 * the cube's planes.
 *
 *   char hex[SHA256_HEX_SIZE];
 *   sha256_hex("abc", 3, hex);   // "ba7816bf...f20015ad"
 *   if (sha256_file("data.csv", hex) != 0) ... // cannot read it
 *
 * OpenSSL's libcrypto computes it (sha256.c has the speed).
 */
#ifndef LCME_SHA256_H
#define LCME_SHA256_H

#include <stddef.h>

#define SHA256_HEX_SIZE 65   /* 64 hex digits and the terminating NUL */

/* SHA-256 of len bytes at data into hex. Cannot fail. */
void sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_SIZE]);

/* SHA-256 of a file's bytes into hex. Returns 0, or -1 when the file cannot
 * be opened or read, or libcrypto has no memory for its context (hex is
 * then left as it was). */
int sha256_file(const char *path, char hex[SHA256_HEX_SIZE]);

#endif
