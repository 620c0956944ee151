#!/usr/bin/env python3
"""make_xlsx.py: write the malformed workbooks of the bad-input catalogue
(data-xlsx-*.xlsx beside this script), each with its .expect line.

Every workbook is built part by part with Python's zipfile, so each is
exactly as malformed as its name says and no more. Run it again after
changing a case:  python3 tests/data/bad/make_xlsx.py
The cases are read against tests/data/good/mini-framework.csv (indicators
enrol, libs, drop, satis; enrol within 0..100).
"""
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
WHERE = "tests/data/bad"   # as the tests name the files
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

CONTENT_TYPES = DECL + (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>')
PACKAGE_RELS = DECL + (
    '<Relationships xmlns="%s"><Relationship Id="rId1" Type="%s/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>' % (PKG, REL))
WORKBOOK = DECL + (
    '<workbook xmlns="%s" xmlns:r="%s"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/>'
    '</sheets></workbook>' % (MAIN, REL))
WORKBOOK_RELS = DECL + (
    '<Relationships xmlns="%s">'
    '<Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="%s/sharedStrings" Target="sharedStrings.xml"/>'
    '<Relationship Id="rId3" Type="%s/styles" Target="styles.xml"/>'
    '</Relationships>' % (PKG, REL, REL, REL))
STYLES = DECL + (
    '<styleSheet xmlns="%s"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/>'
    '</cellXfs></styleSheet>' % MAIN)


def cell(ref, v=None, t=None, s=None, f=None, inline=None):
    a = ' r="%s"' % ref + (' t="%s"' % t if t else "") + (' s="%s"' % s if s else "")
    body = ("<f>%s</f>" % f if f else "") + ("<v>%s</v>" % v if v is not None else "")
    if inline is not None:
        body += "<is><t>%s</t></is>" % inline
    return "<c%s>%s</c>" % (a, body)


def text_row(r, values):
    """A row of inline strings (None: no cell)."""
    return [cell("%s%d" % (chr(65 + i), r), t="inlineStr", inline=v)
            for i, v in enumerate(values) if v is not None]


def long_row(r, unit, year, ind, value, t=None):
    return [cell("A%d" % r, t="inlineStr", inline=unit), cell("B%d" % r, year),
            cell("C%d" % r, t="inlineStr", inline=ind), cell("D%d" % r, value, t=t)]


HEADER = text_row(1, ["unit", "year", "indicator", "value"])
TEMPLATE_HEADER = text_row(1, ["unit", "unit_name", "year", "indicator", "indicator_name",
                               "unit_of_measure", "value", "previous_value", "previous_year",
                               "se", "n", "lower", "upper", "source", "comment"])


def sheet(rows, doctype=""):
    body = "".join('<row r="%d">%s</row>' % (i + 1, "".join(c)) for i, c in enumerate(rows)
                   if c is not None)
    return DECL + doctype + '<worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>' % (
        MAIN, body)


def sst(strings):
    return DECL + '<sst xmlns="%s" count="%d" uniqueCount="%d">%s</sst>' % (
        MAIN, len(strings), len(strings), "".join("<si><t>%s</t></si>" % s for s in strings))


def package(name, sheet_xml, strings=(), drop=(), method=zipfile.ZIP_DEFLATED):
    parts = {
        "[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": PACKAGE_RELS,
        "xl/workbook.xml": WORKBOOK, "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/styles.xml": STYLES, "xl/sharedStrings.xml": sst(strings),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    with zipfile.ZipFile(os.path.join(HERE, name), "w", method) as z:
        for part, text in parts.items():
            if part not in drop:
                info = zipfile.ZipInfo(part, date_time=(2026, 1, 1, 0, 0, 0))
                info.compress_type = method
                z.writestr(info, text.encode("utf-8"))


def expect(name, place, msg):
    with open(os.path.join(HERE, name[:-5] + ".expect"), "w") as f:
        f.write("%s/%s%s: error: %s\n" % (WHERE, name, place, msg))


def raw(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def main():
    ok = [HEADER, long_row(2, "HKG", 2023, "enrol", 47)]

    raw("data-xlsx-not-zip.xlsx", b"unit,year,indicator,value\nHKG,2023,enrol,47\n")
    expect("data-xlsx-not-zip.xlsx", "", "not an xlsx workbook: the file is not a zip "
           "package (a CSV file must be named .csv)")

    raw("data-xlsx-old-xls.xlsx", bytes([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) +
        bytes(504))
    expect("data-xlsx-old-xls.xlsx", "", "not an xlsx workbook: this is an old .xls workbook "
           "or a password-protected one (save it as .xlsx, without a password)")

    with zipfile.ZipFile(os.path.join(HERE, "data-xlsx-no-workbook.xlsx"), "w") as z:
        z.writestr(zipfile.ZipInfo("notes.txt", date_time=(2026, 1, 1, 0, 0, 0)), "a zip")
    expect("data-xlsx-no-workbook.xlsx", "", "not an xlsx workbook: the package has no "
           "workbook (its part 'xl/workbook.xml' is missing)")

    package("data-xlsx-sheet-missing.xlsx", sheet(ok), drop=("xl/worksheets/sheet1.xml",))
    expect("data-xlsx-sheet-missing.xlsx", "", "the sheet 'Data' is listed in the workbook "
           "but its part 'xl/worksheets/sheet1.xml' is missing from the package")

    # the example: text typed where a number goes, in a returned template
    strings = ["HKG", "Hong Kong", "enrol", "Adult enrolment rate", "Percent", "n/a"]

    def trow(r, value):
        return [cell("A%d" % r, 0, t="s"), cell("B%d" % r, 1, t="s"), cell("C%d" % r, 2023),
                cell("D%d" % r, 2, t="s"), cell("E%d" % r, 3, t="s"), cell("F%d" % r, 4, t="s"),
                value]
    package("data-xlsx-text-number.xlsx",
            sheet([TEMPLATE_HEADER, trow(2, cell("G2", 47)), trow(3, cell("G3", 5, t="s"))]),
            strings)
    expect("data-xlsx-text-number.xlsx", ":Data!G3", "'n/a' is not a number")

    package("data-xlsx-formula-no-value.xlsx",
            sheet([HEADER, long_row(2, "HKG", 2023, "enrol", None)[:3] +
                   [cell("D2", f="SUM(40,7)")]]))
    expect("data-xlsx-formula-no-value.xlsx", ":Data!D2", "a formula without a cached value "
           "(the workbook was saved without calculating it: open it in a spreadsheet program "
           "and save it again)")

    package("data-xlsx-error-value.xlsx",
            sheet([HEADER, long_row(2, "HKG", 2023, "enrol", "#DIV/0!", t="e")]))
    expect("data-xlsx-error-value.xlsx", ":Data!D2", "the cell holds the error #DIV/0! (a "
           "formula failed: correct it or clear the cell)")

    package("data-xlsx-beyond-header.xlsx",
            sheet([HEADER, long_row(2, "HKG", 2023, "enrol", 47) + [cell("F2", 1)]]))
    expect("data-xlsx-beyond-header.xlsx", ":Data!F2", "a value right of the header (the "
           "header row ends at column D)")

    package("data-xlsx-below-min.xlsx", sheet([HEADER, long_row(2, "HKG", 2023, "enrol", -5)]))
    expect("data-xlsx-below-min.xlsx", ":Data!D2",
           "value -5 is below the minimum 0 declared for 'enrol'")

    package("data-xlsx-duplicate.xlsx",
            sheet([HEADER, long_row(2, "HKG", 2023, "enrol", 47), None,
                   long_row(4, "HKG", 2023, "enrol", 48)]))
    expect("data-xlsx-duplicate.xlsx", ":Data!D4", "duplicate observation for unit 'HKG', "
           "year 2023, indicator 'enrol' (first given at "
           "%s/data-xlsx-duplicate.xlsx:Data!D2)" % WHERE)

    date_year = long_row(2, "HKG", None, "enrol", 47)
    date_year[1] = cell("B2", 44986, s="1")   # 2023-03-01 in a date format
    package("data-xlsx-date-year.xlsx", sheet([HEADER, date_year]))
    expect("data-xlsx-date-year.xlsx", ":Data!B2", "'2023-03-01' is not a year (expected a whole "
           "number from 1000 to 9999)")

    package("data-xlsx-empty-sheet.xlsx", sheet([]))
    expect("data-xlsx-empty-sheet.xlsx", ":Data!A1", "the sheet is empty")

    bad_xml = sheet(ok).replace("<v>47</v>", "<v>47</x>")
    package("data-xlsx-malformed.xlsx", bad_xml)
    expect("data-xlsx-malformed.xlsx", ":Data!D2", "malformed XML in the part "
           "'xl/worksheets/sheet1.xml': mismatched tag (its line 2, column %d)" %
           (bad_xml.split("\n")[1].index("</x>") + 3))   # expat points at the name

    package("data-xlsx-dtd.xlsx", sheet(ok, '<!DOCTYPE worksheet [<!ENTITY a "aaaa">]>'))
    expect("data-xlsx-dtd.xlsx", "", "the workbook's XML declares a document type (DTD), "
           "which workbooks never do; it is not read")

    # stored, not deflated, so one byte of the sheet can change under its CRC
    package("data-xlsx-damaged.xlsx", sheet(ok), method=zipfile.ZIP_STORED)
    path = os.path.join(HERE, "data-xlsx-damaged.xlsx")
    data = bytearray(open(path, "rb").read())
    k = data.index(b"<t>HKG</t>")
    data[k + 5] = ord("H")   # HKG -> HKH, still well-formed XML
    raw("data-xlsx-damaged.xlsx", bytes(data))
    expect("data-xlsx-damaged.xlsx", "", "the part 'xl/worksheets/sheet1.xml' is damaged "
           "(its checksum does not match)")


if __name__ == "__main__":
    main()
