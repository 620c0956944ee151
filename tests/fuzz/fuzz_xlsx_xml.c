/* fuzz_xlsx_xml.c: libFuzzer harness holding the xlsx reader's XML reader
 * (engine/input/xlsx_xml.h) to expat's answers, a differential test.
 *
 * Any bytes go to both (tests/unit/xlsx_xml_diff.h): the reader in blocks
 * of 1 to 66 bytes (the last byte picks the size; 0 reads them whole), so
 * that block boundaries cut every kind of token, expat at once. They must
 * both accept with the same events (every start tag with its attributes,
 * end tag and run of text, in order) or both refuse; the one difference
 * allowed is an encoding other than UTF-8, which the reader refuses by
 * design. The handlers of the workbook reader act on those events alone,
 * so the same events give the same cells. Each input is also read by a
 * reader muted at its first or second start tag, the rest checked in one
 * pass (xlsx_xml.c's skim) and by the reader, which must agree
 * (xml_skim_same). The seed corpus
 * (corpus/xlsx_xml) holds the parts of real workbooks (libxlsxwriter,
 * Gnumeric, LibreOffice) and the cases of tests/unit/test_xlsx_xml.c.
 */
#include <stdint.h>

#include "../unit/xlsx_xml_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t chunk = size ? data[size - 1] % 67 : 0;
    const char *why;
    int r = xml_diff(data, size, chunk, &why);
    if (r == XML_DIFF_ACCEPT || r == XML_DIFF_EVENTS) {
        fprintf(stderr, "fuzz_xlsx_xml: %s (blocks of %zu bytes)\n", why, chunk);
        abort();
    }
    /* muted at its first or second start tag, the rest checked in one pass
       or by the reader: the same verdict, the same error at the same place */
    size_t cut = size > 1 ? (size_t)data[size - 2] * 257u % (size + 1) : 0;
    int skimmed;
    if (!xml_skim_same(data, size, cut, size > 2 && (data[size - 3] & 1), &skimmed)) {
        fprintf(stderr, "fuzz_xlsx_xml: the one pass on a muted reader's rest differs from the "
                "reader (cut at %zu)\n", cut);
        abort();
    }
    return 0;
}
