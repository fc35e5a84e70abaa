#!/usr/bin/env bash
# A report, not a test: the ÅDT energistasjon computes from Oslo's hourly counts next to the
# official 2020 ÅDT of the same counting points (Statens vegvesen, via snohan/byindeks).
# Prints a Markdown table for the README.
#
#   bench/traffic_vs_official.sh [DATA_DIR]     (default: ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
cargo build --release --locked --quiet
./target/release/energistasjon counts "$data/traffic/oslo_counting_points" --json > /tmp/energistasjon-counts.json
python3 - "$data" <<'PY'
import csv, json, sys
data = sys.argv[1]
ours = {p["id"]: p for p in json.load(open("/tmp/energistasjon-counts.json"))}
def official(kind):
    rows = csv.DictReader(open(f"{data}/traffic/adt_2020_per_point/trp_aadts_{kind}.csv", encoding="latin-1"), delimiter=";")
    return {r["trp_id"]: r for r in rows if r["year"] == "2020" and r["adt"] not in ("", "NA")}
wd, we = official("weekday"), official("weekend")
def n(v):
    return "–" if v is None else f"{v:,.0f}".replace(",", " ")
rows = []
for pid, p in sorted(ours.items()):
    if pid not in wd or p["aadt"] is None:
        continue
    w, e = wd[pid], we.get(pid)
    ow = float(w["adt"])
    # The official yearly ÅDT from its two day types, weighted by their days in 2020.
    if e:
        oe = float(e["adt"])
        nw, ne = float(w["n_days_of_year"]), float(e["n_days_of_year"])
        oy = (ow * nw + oe * ne) / (nw + ne)
    else:
        oe, oy = None, None
    ratio = p["aadt"] / oy if oy else None
    rows.append((pid, p["name"][:34], p["counts"].split(",")[0], p["period"], p["weekday"], ow, p["weekend"], oe, p["aadt"], oy, ratio, float(w["coverage"].replace(",", "."))))
print("| point | name | counts | period | weekday (ours) | weekday 2020 | weekend (ours) | weekend 2020 | ÅDT (ours) | ÅDT 2020 | ours / 2020 |")
print("|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|")
for r in rows:
    print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {n(r[4])} | {n(r[5])} | {n(r[6])} | {n(r[7])} | {n(r[8])} | {n(r[9])} | {'–' if r[10] is None else f'{r[10]:.2f}'} |")
ratios = sorted(r[10] for r in rows if r[10])
road = sorted(r[10] for r in rows if r[10] and r[2] == "road")
med = lambda v: v[len(v) // 2] if v else float("nan")
print()
print(f"{len(rows)} points in both; ours / 2020: median {med(ratios):.2f} (all), {med(road):.2f} (points that count a road's both directions, n = {len(road)}); range {ratios[0]:.2f}–{ratios[-1]:.2f}")
PY
