#!/usr/bin/env python3
"""fill_returns.py OBS.csv WORKBOOK... [--text-every N]

Fill data-entry workbooks written by `lcme template` from a long CSV file,
as an office returning them would: for each row of the sheet 'Data' whose
unit, year and indicator have an observation in OBS.csv, the cells value,
se, n, lower and upper get that observation's text as numbers. With
--text-every N every Nth value is typed as text instead (a number stored as
text), which must read back the same. Each workbook is rewritten in place,
every other part of it unchanged. Python's standard library only.
"""
import csv
import sys
import zipfile
import xml.etree.ElementTree as ET

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
COLS = {"value": "G", "se": "J", "n": "K", "lower": "L", "upper": "M"}


def q(tag):
    return "{%s}%s" % (MAIN, tag)


def data_part(z):
    """The part of the sheet named Data, from the workbook and its rels."""
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rid = next(s.get("{%s}id" % REL) for s in wb.iter(q("sheet")) if s.get("name") == "Data")
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels.iter("{%s}Relationship" % PKG)
                  if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def shared_strings(z):
    if "xl/sharedStrings.xml" not in z.namelist():
        return []
    sst = ET.fromstring(z.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(q("t"))) for si in sst.iter(q("si"))]


def cell_text(c, sst):
    v = c.find(q("v"))
    if c.get("t") == "s":
        return sst[int(v.text)]
    if c.get("t") == "inlineStr":
        return "".join(t.text or "" for t in c.iter(q("t")))
    return v.text if v is not None else ""


def fill(path, obs, text_every, counter):
    with zipfile.ZipFile(path) as z:
        part = data_part(z)
        sst = shared_strings(z)
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    ET.register_namespace("", MAIN)
    ET.register_namespace("r", REL)
    root = ET.fromstring(dict((i.filename, b) for i, b in items)[part])
    filled = 0
    for row in root.iter(q("row")):
        cells = {c.get("r").rstrip("0123456789"): c for c in row.findall(q("c"))}
        if "A" not in cells or row.get("r") == "1":
            continue
        key = (cell_text(cells["A"], sst), cell_text(cells["C"], sst),
               cell_text(cells["D"], sst))
        o = obs.get(key)
        if not o:
            continue
        for name, col in COLS.items():
            text = o.get(name, "")
            if not text:
                continue
            c = cells[col]
            for child in list(c):
                c.remove(child)
            if name == "value":
                counter[0] += 1
            if name == "value" and text_every and counter[0] % text_every == 0:
                c.set("t", "inlineStr")
                ET.SubElement(ET.SubElement(c, q("is")), q("t")).text = text
            else:
                c.attrib.pop("t", None)
                ET.SubElement(c, q("v")).text = text
        filled += 1
    xml = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            z.writestr(info, xml if info.filename == part else data)
    return filled


def main(argv):
    text_every = 0
    if "--text-every" in argv:
        k = argv.index("--text-every")
        text_every = int(argv[k + 1])
        del argv[k:k + 2]
    with open(argv[1], newline="", encoding="utf-8-sig") as f:
        obs = {(r["unit"], r["year"], r["indicator"]): r for r in csv.DictReader(f)}
    counter = [0]
    total = sum(fill(p, obs, text_every, counter) for p in argv[2:])
    print("filled %d rows in %d workbooks" % (total, len(argv) - 2))


if __name__ == "__main__":
    main(sys.argv)
