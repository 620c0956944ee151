/* fuzz_ingest_long.c: libFuzzer harness for observation files read without a
 * units file (seeded with long-layout files; the fuzzer may turn them wide). */
#include "fuzz_ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ingest_one(data, size, 0);
}
