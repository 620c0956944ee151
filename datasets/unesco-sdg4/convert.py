#!/usr/bin/env python3
"""Convert UNESCO's SDG 4 data, as packaged by Gapminder, into this batch.

Reads two checked-out DDF packages and writes observations.csv and units.csv
beside this script (or into --out), byte for byte as they are committed:

  --unesco DIR  open-numbers/ddf--unesco--education (the indicator values,
                their names in ddf--concepts--continuous.csv, country names in
                ddf--entities--geo--country.csv)
  --geo DIR     open-numbers/ddf--gapminder--geo_entity_domain (the region
                and income group of each country: the UNESCO package lists
                income groups as entities but does not say which country is in
                which)

Which series are converted is read from the framework, ../../indicators/
unesco-sdg4.csv: every row of type Indicator or Other. Each code is the
package's own (the file national_datapoints/ddf--datapoints--CODE--by--
country--year.csv) and each name must equal the package's name for it, so a
value in the batch can be traced back to its file and line. Values are
copied as the package writes them, never reformatted; years outside
FIRST_YEAR..LAST_YEAR are left out. Python 3 standard library only.
"""
import argparse
import csv
import os
import sys

FIRST_YEAR = 2015   # the SDG 4 baseline
LAST_YEAR = 2023    # the evaluation year: the last with most series reported
HERE = os.path.dirname(os.path.abspath(__file__))
FRAMEWORK = os.path.join(HERE, "..", "..", "indicators", "unesco-sdg4.csv")


def fail(msg):
    sys.exit("convert.py: " + msg)


def read_csv(path):
    try:
        with open(path, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    except OSError as e:
        fail("cannot read '%s': %s" % (path, e.strerror))


def framework_series(path, concepts):
    """Codes of the Indicator and Other rows, in file order, names checked."""
    codes = []
    for row in read_csv(path):
        if row["type"] not in ("Indicator", "Other"):
            continue
        code = row["code"]
        if code not in concepts:
            fail("%s: '%s' is not a concept of the UNESCO package" % (path, code))
        if row["name"] != concepts[code]:
            fail("%s: the name of '%s' is not the package's: '%s'"
                 % (path, code, concepts[code]))
        codes.append(code)
    return codes


def series(unesco, code):
    """(country, year, value text) of one series within the years kept."""
    path = os.path.join(unesco, "national_datapoints",
                        "ddf--datapoints--%s--by--country--year.csv" % code)
    out = []
    for row in read_csv(path):
        year = int(row["year"])
        if FIRST_YEAR <= year <= LAST_YEAR and row[code] != "":
            out.append((row["country"], year, row[code]))
    return out


def entity_names(path, key):
    return {r[key]: r["name"] for r in read_csv(path)}


def write_csv(path, header, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--unesco", required=True)
    ap.add_argument("--geo", required=True)
    ap.add_argument("--out", default=HERE)
    a = ap.parse_args()

    concepts = {r["concept"]: r["name"] for r in read_csv(
        os.path.join(a.unesco, "ddf--concepts--continuous.csv"))}
    codes = framework_series(FRAMEWORK, concepts)
    order = {c: k for k, c in enumerate(codes)}

    obs = []
    for code in codes:
        obs.extend((u, y, code, v) for (u, y, v) in series(a.unesco, code))
    obs.sort(key=lambda r: (r[0], r[1], order[r[2]]))

    names = entity_names(os.path.join(a.unesco, "ddf--entities--geo--country.csv"),
                         "country")
    geo = {r["country"]: r for r in read_csv(
        os.path.join(a.geo, "ddf--entities--geo--country.csv"))}
    region = entity_names(os.path.join(a.geo, "ddf--entities--geo--world_6region.csv"),
                          "geo")
    income = entity_names(os.path.join(a.geo, "ddf--entities--geo--income_groups.csv"),
                          "income_groups")
    units = []
    for u in sorted({r[0] for r in obs}):
        if u not in names:
            fail("unit '%s' has data but no entity in the UNESCO package" % u)
        g = geo.get(u, {})
        units.append((u, names[u], region.get(g.get("world_6region", ""), ""),
                      income.get(g.get("income_groups", ""), "")))

    write_csv(os.path.join(a.out, "observations.csv"),
              ("unit", "year", "indicator", "value"), obs)
    write_csv(os.path.join(a.out, "units.csv"),
              ("unit", "name", "region", "income_group"), units)
    print("%d observations of %d series for %d units, %d-%d"
          % (len(obs), len(codes), len(units), FIRST_YEAR, LAST_YEAR))


if __name__ == "__main__":
    main()
