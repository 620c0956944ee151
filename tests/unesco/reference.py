#!/usr/bin/env python3
"""Independent computation of the UNESCO SDG 4 batch's scores, for the
end-to-end test tests/e2e/unesco_sdg4.sh.

Re-implements, from the method descriptions (COINr's Impute, Screen and
Treat with their defaults; the JRC handbook's min-max and weighted
arithmetic mean) and not from lcme's code, what datasets/unesco-sdg4/
batch.ini asks for, in its order:

  1. impute = latest   each country's last reported value of an indicator is
                       carried forward to later years (never backward);
  2. screen = byNA     a country is dropped in a year when fewer than 66 % of
                       the framework's indicators have a value (after step 1);
  3. treat = winsorise for each indicator, over every year's values at once
                       (scope = pooled: one decision per indicator, so that
                       scores stay comparable across years), when |skew| >= 2
                       and kurtosis >= 3.5 (bias-corrected "type 2"
                       estimators, as R's e1071 and COINr compute them), the
                       most extreme value is set to the next one, on the side
                       of the skew, up to 5 points; if that does not pass,
                       the original values are log-transformed: log(x - min +
                       0.01 (max - min)) (COINr's log_CT);
  4. direction         indicators where lower is better are multiplied by -1;
  5. normalise minmax  (x - min) / (max - min) * 100, min and max over every
                       country and year (pooled);
  6. aggregate         weighted arithmetic mean of the children present, a
                       node scored only when they carry at least 66 % of its
                       children's weight (all weights are 1 in this
                       framework).

Python 3 standard library only. Run from the repository root:

    python3 tests/unesco/reference.py

It prints the figures that tests/e2e/unesco_sdg4.sh keeps, with 17
significant digits.

It also computes, from docs/methods-22.md and not from lcme's code, the
comparisons over time that must compare like with like:

  7. coverage          an indicator with a value covers 1; an aggregate the
                       weighted mean of its children's coverage (a child
                       without a score counts 0); a score is ranked only
                       when its coverage reaches min_coverage (0.66);
  8. changes since the base year, per aggregate and country: from 2015 when
                       the node has a score then, else its first year with
                       one, to its last; an indicator counts at a year when
                       it was observed (reported, not carried forward);
                       when the indicators present at both ends are exactly
                       those observed at both, the published scores are
                       compared ("constant"); otherwise the node is
                       aggregated again from the indicators observed at both
                       ends alone ("common"), and when that fails the
                       coverage rule the last end moves back to the node's
                       previous year with a score; the data carry no breaks
                       in series (no flags);
  9. composition changes: an indicator entering or leaving a node's
                       published score between the node's consecutive
                       scored years (it counts when it has a value and every
                       node from it up to the node has a score).
"""
import csv
import math
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FRAMEWORK = os.path.join(ROOT, "indicators", "unesco-sdg4.csv")
OBSERVATIONS = os.path.join(ROOT, "datasets", "unesco-sdg4", "observations.csv")
DAT_THRESH = 0.66
MIN_COVERAGE = 0.66
WINMAX = 5
SKEW_LIMIT, KURT_LIMIT = 2.0, 3.5


def load():
    nodes = list(csv.DictReader(open(FRAMEWORK, newline="", encoding="utf-8")))
    tree = [n for n in nodes if n["type"] in ("Indicator", "Aggregate")]
    inds = [n["code"] for n in tree if n["type"] == "Indicator"]
    direction = {n["code"]: int(n["direction"] or 1) for n in tree if n["type"] == "Indicator"}
    children = {}
    for n in tree:
        if n["parent"]:
            children.setdefault(n["parent"], []).append(n["code"])
    root = [n["code"] for n in tree if not n["parent"]][0]
    value = {}
    units, years = set(), set()
    for r in csv.DictReader(open(OBSERVATIONS, newline="", encoding="utf-8")):
        units.add(r["unit"])
        years.add(int(r["year"]))
        if r["indicator"] in direction:
            value[(r["unit"], r["indicator"], int(r["year"]))] = float(r["value"])
    return inds, direction, children, root, sorted(units), sorted(years), value


def impute_latest(x, units, inds, years):
    out = dict(x)
    for u in units:
        for i in inds:
            last = None
            for y in years:
                if (u, i, y) in x:
                    last = x[(u, i, y)]
                elif last is not None:
                    out[(u, i, y)] = last
    return out


def screen(x, units, inds, years):
    kept = {}
    for y in years:
        kept[y] = [u for u in units
                   if sum((u, i, y) in x for i in inds) / len(inds) >= DAT_THRESH]
    return kept


def mean(v):
    return math.fsum(v) / len(v)


def central_moment(v, k):
    m = mean(v)
    return math.fsum((a - m) ** k for a in v) / len(v)


def skew(v):
    """Sample skewness, type 2 (bias-corrected G1); None below 3 values or
    when all are equal."""
    n = len(v)
    m2 = central_moment(v, 2) if n >= 3 else 0
    if m2 == 0:
        return None
    g1 = central_moment(v, 3) / m2 ** 1.5
    return g1 * math.sqrt(n * (n - 1)) / (n - 2)


def kurt(v):
    """Sample excess kurtosis, type 2 (G2); None below 4 values or when all
    are equal."""
    n = len(v)
    m2 = central_moment(v, 2) if n >= 4 else 0
    if m2 == 0:
        return None
    g2 = central_moment(v, 4) / m2 ** 2 - 3
    return ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3))


def passes(v):
    s, k = skew(v), kurt(v)
    if s is None or k is None:
        return True
    return abs(s) < SKEW_LIMIT or k < KURT_LIMIT


def treat_slice(v):
    """v: list of values of one indicator over every year (pooled scope);
    returns the treated list."""
    if len(v) < 4 or passes(v) or skew(v) is None:
        return v
    w = list(v)
    changed = set()
    while not passes(w) and len(changed) < WINMAX:
        high = skew(w) >= 0
        ext = max(w) if high else min(w)
        rest = [a for a in w if a != ext]
        if not rest:
            break
        nxt = max(rest) if high else min(rest)
        # a point moved before ties with the new extreme; it counts once
        for k, a in enumerate(w):
            if a == ext:
                w[k] = nxt
                changed.add(k)
    if passes(w):
        return w
    lo, hi = min(v), max(v)
    return [math.log(a - lo + 0.01 * (hi - lo)) for a in v]


def treat(x, kept, inds, years):
    """One slice per indicator: the values of every kept country in every
    year."""
    out = {}
    for i in inds:
        keys = [(u, i, y) for y in years for u in kept[y] if (u, i, y) in x]
        vals = treat_slice([x[k] for k in keys])
        for k, a in zip(keys, vals):
            out[k] = a
    return out


def normalise(x, inds, direction):
    out = {}
    for i in inds:
        keys = [k for k in x if k[1] == i]
        vals = [direction[i] * x[k] for k in keys]
        lo, hi = min(vals), max(vals)
        for k, a in zip(keys, vals):
            out[(k[0], k[2], i)] = 50.0 if hi == lo else (a - lo) / (hi - lo) * 100.0
    return out


def aggregate(score, node, children, units, years, memo):
    """Score of node for every (unit, year); None where not covered."""
    if node in memo:
        return memo[node]
    kids = children.get(node)
    if not kids:
        res = {(u, y): score.get((u, y, node)) for u in units for y in years}
    else:
        sub = [aggregate(score, c, children, units, years, memo) for c in kids]
        res = {}
        for u in units:
            for y in years:
                present = [s[(u, y)] for s in sub if s[(u, y)] is not None]
                if present and len(present) >= MIN_COVERAGE * len(kids) * (1 - 1e-12):
                    res[(u, y)] = math.fsum(present) / len(present)
                else:
                    res[(u, y)] = None
    memo[node] = res
    return res


def leaves_of(node, children):
    kids = children.get(node)
    if not kids:
        return [node]
    return [leaf for k in kids for leaf in leaves_of(k, children)]


def aggregate_one(value, node, children):
    """Score of node from leaf values value[leaf] (None: missing), with the
    coverage rule, for one country and year."""
    kids = children.get(node)
    if not kids:
        return value.get(node)
    present = [v for v in (aggregate_one(value, k, children) for k in kids) if v is not None]
    if present and len(present) >= MIN_COVERAGE * len(kids) * (1 - 1e-12):
        return math.fsum(present) / len(present)
    return None


def coverage(score, memo, node, children, u, y):
    """Share of node's weight present for country u in year y (0 when the
    node has no score)."""
    kids = children.get(node)
    if not kids:
        return 1.0 if (u, y, node) in score else 0.0
    if memo[node][(u, y)] is None:
        return 0.0
    return math.fsum(coverage(score, memo, k, children, u, y) for k in kids) / len(kids)


def change_since_base(node, u, years, raw, score, memo, children):
    """(base year, last year, change, how) of node for country u; how is
    'constant', 'common' or None (no change)."""
    pub = [y for y in years if memo[node][(u, y)] is not None]
    if len(pub) < 2:
        return None
    base = 2015 if 2015 in pub else pub[0]
    leaves = leaves_of(node, children)
    observed = lambda i, y: (u, i, y) in raw and (u, y, i) in score
    present = lambda i, y: (u, y, i) in score
    for last in sorted((y for y in pub if y > base), reverse=True):
        common = [i for i in leaves if observed(i, base) and observed(i, last)]
        if all(present(i, base) == present(i, last) == (i in common) for i in leaves):
            return base, last, memo[node][(u, last)] - memo[node][(u, base)], "constant"
        x0 = aggregate_one({i: score[(u, base, i)] for i in common}, node, children)
        x1 = aggregate_one({i: score[(u, last, i)] for i in common}, node, children)
        if x0 is not None and x1 is not None:
            return base, last, x1 - x0, "common"
    return base, None, None, None


def composition_changes(units, years, score, memo, children, root):
    """Count of (country, aggregate, year, indicator) entering or leaving."""
    parent = {k: p for p, ks in children.items() for k in ks}
    n = 0
    for node in memo:
        if node not in children:
            continue
        leaves = leaves_of(node, children)

        def counts(i, u, y):
            if (u, y, i) not in score:
                return False
            a = parent[i]
            while True:
                if memo[a][(u, y)] is None:
                    return False
                if a == node:
                    return True
                a = parent[a]
        for u in units:
            pub = [y for y in years if memo[node][(u, y)] is not None]
            for y0, y1 in zip(pub, pub[1:]):
                n += sum(counts(i, u, y0) != counts(i, u, y1) for i in leaves)
    return n


def comparisons(units, years, raw, score, memo, children, root):
    ev = years[-1]
    scored = [u for u in units if memo[root][(u, ev)] is not None]
    unranked = [u for u in scored if coverage(score, memo, root, children, u, ev) < MIN_COVERAGE * (1 - 1e-12)]
    print("index scores in %d not ranked (coverage below %g): %d of %d" % (
        ev, MIN_COVERAGE, len(unranked), len(scored)))
    how = {"constant": 0, "common": 0, None: 0}
    root_how = {"constant": 0, "common": 0, None: 0}
    for node in memo:
        if node not in children:
            continue
        for u in units:
            c = change_since_base(node, u, years, raw, score, memo, children)
            if c is None:
                continue
            how[c[3]] += 1
            if node == root:
                root_how[c[3]] += 1
    print("aggregate changes since the base year: %d constant, %d common, %d none" % (
        how["constant"], how["common"], how[None]))
    print("index changes since the base year: %d constant, %d common, %d none" % (
        root_how["constant"], root_how["common"], root_how[None]))
    for u, node in (("fin", root), ("ind", root), ("bra", "A2"), ("deu", "A1"), ("arg", "F2_1")):
        c = change_since_base(node, u, years, raw, score, memo, children)
        print("%s %s change since base: %s" % (u, node, "none" if c is None or c[3] is None else
                                               "%d-%d %.17g %s" % c))
    print("composition changes: %d" % composition_changes(units, years, score, memo,
                                                          children, root))


def main():
    inds, direction, children, root, units, years, raw = load()
    x = impute_latest(raw, units, inds, years)
    kept = screen(x, units, inds, years)
    x = {k: a for k, a in x.items() if k[0] in kept[k[2]]}
    x = treat(x, kept, inds, years)
    score = normalise(x, inds, direction)
    memo = {}
    aggregate(score, root, children, units, years, memo)
    ev, base = years[-1], years[0]

    print("countries kept by screening in %d: %d of %d" % (ev, len(kept[ev]), len(units)))
    print("countries kept by screening in %d: %d" % (base, len(kept[base])))
    print("indicator values present in %d: %d" % (
        ev, sum(1 for (u, y, i) in score if y == ev)))
    print("indicators with a value in %d: %d of %d" % (
        ev, len({i for (u, y, i) in score if y == ev}), len(inds)))
    print("index scores in %d: %d; in %d: %d" % (
        ev, sum(memo[root][(u, ev)] is not None for u in units),
        base, sum(memo[root][(u, base)] is not None for u in units)))
    for u, node in (("cub", root), ("fin", root), ("ind", root), ("bra", "A2"),
                    ("blr", "A1"), ("deu", "K2_5_3")):
        print("%s %s %d: %.17g" % (u, node, ev, memo[node][(u, ev)]))
    for u, i in (("arg", "ger_5t8"), ("pak", "rofst_1_cp")):
        print("%s %s %d: %.17g" % (u, i, ev, score[(u, ev, i)]))
    comparisons(units, years, raw, score, memo, children, root)


if __name__ == "__main__":
    main()
