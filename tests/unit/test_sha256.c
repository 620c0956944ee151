/* test_sha256.c: SHA-256 against the FIPS 180-2 test vectors (appendix B:
 * "abc", the 448-bit message, one million 'a'), the empty message, the
 * lengths around the padding boundaries and a file read in several pieces.
 * The digests that are not FIPS 180-2's were computed with Python's
 * hashlib.sha256, independently of lcme:
 *   python3 -c "import hashlib; print(hashlib.sha256(b'a' * 55).hexdigest())"
 *   python3 -c "import hashlib; print(hashlib.sha256(bytes(i % 251
 *               for i in range(200003))).hexdigest())"
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sha256.h"

/* A temporary file holding len bytes of data; the caller unlinks path. */
static void write_file(char *path, const void *data, size_t len)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static void test_fips_vectors(void **state)
{
    (void)state;
    char hex[SHA256_HEX_SIZE];
    /* B.1: one block */
    sha256_hex("abc", 3, hex);
    assert_string_equal(hex,
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /* B.2: 448 bits, so the padding needs a second block */
    const char *m2 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    assert_int_equal(strlen(m2) * 8, 448);
    sha256_hex(m2, strlen(m2), hex);
    assert_string_equal(hex,
                        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* B.3: one million 'a', from memory and from a file (16 reads of 64 KiB
     * and a partial one) */
    size_t n = 1000000;
    char *a = malloc(n);
    assert_non_null(a);
    memset(a, 'a', n);
    const char *want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    sha256_hex(a, n, hex);
    assert_string_equal(hex, want);
    char path[] = "/tmp/lcme-test-sha-XXXXXX";
    write_file(path, a, n);
    memset(hex, 0, sizeof hex);
    assert_int_equal(sha256_file(path, hex), 0);
    assert_string_equal(hex, want);
    unlink(path);
    free(a);
}

static void test_padding_boundaries(void **state)
{
    (void)state;
    /* 55 bytes leave room for the 0x80 and the length in one block; 56 to 63
     * do not; 64, 119 and 120 end on and around the next block */
    static const struct {
        size_t len;
        const char *hex;
    } v[] = {
        {0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
        {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
        {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
    };
    char a[128], hex[SHA256_HEX_SIZE];
    memset(a, 'a', sizeof a);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        sha256_hex(a, v[i].len, hex);
        assert_string_equal(hex, v[i].hex);
    }
}

static void test_file(void **state)
{
    (void)state;
    /* 200,003 bytes 0, 1, ..., 250, 0, 1, ...: three whole reads and a
     * partial one, whose blocks straddle the read boundaries */
    size_t n = 200003;
    unsigned char *b = malloc(n);
    assert_non_null(b);
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)(i % 251);
    const char *want = "49cbf04ab31e40bccff20650404805fc4a1f508e56d891f406ec592a2176d2e4";
    char hex[SHA256_HEX_SIZE];
    sha256_hex(b, n, hex);
    assert_string_equal(hex, want);
    char path[] = "/tmp/lcme-test-sha-XXXXXX";
    write_file(path, b, n);
    assert_int_equal(sha256_file(path, hex), 0);
    assert_string_equal(hex, want);
    unlink(path);
    free(b);
    /* a file that cannot be opened: -1, hex untouched */
    memset(hex, 'x', sizeof hex);
    assert_int_equal(sha256_file("/nonexistent/file", hex), -1);
    assert_int_equal(hex[0], 'x');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fips_vectors),
        cmocka_unit_test(test_padding_boundaries),
        cmocka_unit_test(test_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
