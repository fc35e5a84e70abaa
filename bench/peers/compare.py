"""Check that the workload results of energistasjon and its peers agree.

usage: compare.py REFERENCE.csv OTHER.csv [NAME]
Same candidates (by centre), same municipality, land cover and protected flag, and every
distance within 0.01 m. Exits 1 on any disagreement and prints the first few.
"""
import csv
import sys

TOL = 0.01
DIST = ["d_main_road", "d_road", "d_rail", "d_port", "d_grid"]


def load(path):
    rows = {}
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows[(round(float(r["x"]), 3), round(float(r["y"]), 3))] = r
    return rows


ref, other = load(sys.argv[1]), load(sys.argv[2])
name = sys.argv[3] if len(sys.argv) > 3 else sys.argv[2]
problems = []
if set(ref) != set(other):
    only_ref, only_other = set(ref) - set(other), set(other) - set(ref)
    problems.append(f"{len(only_ref)} centres only in energistasjon, {len(only_other)} only in {name}")
worst = {k: 0.0 for k in DIST}
for key in set(ref) & set(other):
    a, b = ref[key], other[key]
    for k in ("kommunenummer", "landcover"):
        if (a[k] or "") != (b[k] or ""):
            problems.append(f"{key}: {k} {a[k]!r} vs {b[k]!r}")
    if int(float(a["protected"])) != int(float(b["protected"])):
        problems.append(f"{key}: protected {a['protected']} vs {b['protected']}")
    for k in DIST:
        d = abs(float(a[k]) - float(b[k]))
        worst[k] = max(worst[k], d)
        if d > TOL:
            problems.append(f"{key}: {k} {a[k]} vs {b[k]}")
print(f"{name}: {len(other)} candidates; largest distance difference " + ", ".join(f"{k} {v:.4f} m" for k, v in worst.items()))
if problems:
    print(f"{name} DISAGREES in {len(problems)} places, for example:")
    for p in problems[:10]:
        print("  " + p)
    sys.exit(1)
print(f"{name} agrees with energistasjon on every candidate.")
