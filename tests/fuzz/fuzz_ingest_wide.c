/* fuzz_ingest_wide.c: libFuzzer harness for observation files read after the
 * units file (seeded with wide-layout files, COINr's iData; unit attributes
 * such as 'region' are then known columns and unknown units are errors). */
#include "fuzz_ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ingest_one(data, size, 1);
}
