/* sha256.c: SHA-256 (FIPS 180-2) through OpenSSL's libcrypto, over a buffer
 * or a file read in 64 KiB pieces; the contract is in sha256.h. The
 * file's hash fails (-1) when it cannot be read or libcrypto cannot make
 * its context.
 *
 * libcrypto picks the fastest code the CPU runs (the SHA extensions where
 * there are some): 871 MB/s on the 2-core build VM against 118 MB/s for the
 * portable C it replaced (the same 100 MB buffer, one run each, the machine
 * loaded), so hashing the network-scale observations file (12.6 MB) takes
 * about 15 ms instead of 69 to 107.
 */
#include "sha256.h"

#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

/* The 32-byte digest md as 64 lower-case hex digits. */
static void to_hex(const unsigned char *md, char hex[SHA256_HEX_SIZE])
{
    static const char digit[] = "0123456789abcdef";
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
        hex[2 * i] = digit[md[i] >> 4];
        hex[2 * i + 1] = digit[md[i] & 15];
    }
    hex[2 * SHA256_DIGEST_LENGTH] = '\0';
}

void sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_SIZE])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(data, len, md);   /* one-shot: allocates nothing, cannot fail */
    to_hex(md, hex);
}

int sha256_file(const char *path, char hex[SHA256_HEX_SIZE])
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
    unsigned char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, fp)) > 0)
        ok = EVP_DigestUpdate(ctx, buf, n) == 1;
    ok = ok && !ferror(fp);
    fclose(fp);
    unsigned char md[SHA256_DIGEST_LENGTH];
    unsigned int mdlen = 0;
    ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == SHA256_DIGEST_LENGTH;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return -1;
    to_hex(md, hex);
    return 0;
}
