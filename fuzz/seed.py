#!/usr/bin/env python3
"""Writes the fuzz targets' seed inputs into fuzz/corpus/<target>/ from the project's own
data and fixtures (never from ../shared/data). Run once; libFuzzer grows the corpus from
these, and bench/fuzz.sh keeps it minimised."""
import io, math, os, pathlib, zipfile

root = pathlib.Path(__file__).resolve().parent.parent
corpus = root / "fuzz" / "corpus"

def put(target, name, data):
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())

# config_toml: first byte 0 region, 1 profile, 2 programme, 3 AFIR rules.
put("config_toml", "region", b"\x00" + (root / "data/demo/region.toml").read_bytes())
for p in sorted((root / "data/profiles").glob("*.toml")):
    put("config_toml", "profile-" + p.stem, b"\x01" + p.read_bytes())
put("config_toml", "programme", b"\x02" + (root / "data/programme/2025.toml").read_bytes())
put("config_toml", "afir", b"\x03" + (root / "data/afir.toml").read_bytes())

# items_query: first byte picks the collection, the rest is the query string.
queries = [
    "limit=5&bbox=10.7,59.8,10.9,60.0",
    "sortby=-score&min_score=50&limit=3",
    "kommunenummer=0301&offset=2",
    "bbox=250000,6640000,270000,6660000&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/25833"
    "&crs=http://www.opengis.net/def/crs/EPSG/0/25833",
    "f=json&sortby=name",
]
for i in range(16):
    put("items_query", f"c{i:02}", bytes([i]) + queries[i % len(queries)].encode())

# tile_params: first byte picks the collection, the rest is z/x/y.mvt?query.
def tile(z, lon, lat):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y
tails = []
for z in (5, 9, 12, 14):
    zz, x, y = tile(z, 10.75, 59.91)
    tails.append(f"{zz}/{x}/{y}.mvt")
tails.append(tails[2] + "?weights=main_road:10,grid_capacity:30&status=proposed&min_score=40")
tails.append(tails[1] + "?kommunenummer=0301")
for i in range(16):
    put("tile_params", f"c{i:02}", bytes([i]) + tails[i % len(tails)].encode())

# proposal_geojson: request bodies.
put("proposal_geojson", "point", '{"name":"Alnabru","geometry":{"type":"Point","coordinates":[10.84,59.93]}}')
put("proposal_geojson", "polygon-25832",
    '{"name":"Tomt","crs":"EPSG:25832","geometry":{"type":"Polygon","coordinates":'
    '[[[600000,6640000],[600100,6640000],[600100,6640100],[600000,6640100],[600000,6640000]]]}}')
put("proposal_geojson", "multipolygon",
    '{"name":"To","geometry":{"type":"MultiPolygon","coordinates":[[[[10.8,59.9],[10.81,59.9],'
    '[10.81,59.91],[10.8,59.9]]],[[[10.9,59.9],[10.91,59.9],[10.91,59.91],[10.9,59.9]]]]}}')

# upload: first byte 0 GeoJSON, 1 GeoPackage, 2 zipped Shapefile.
formats = root / "tests/fixtures/formats"
put("upload", "geojson", b"\x00" + (formats / "parcels.geojson").read_bytes())
put("upload", "gpkg", b"\x01" + (formats / "parcels.gpkg").read_bytes())
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    for ext in ("shp", "shx", "dbf", "prj", "cpg"):
        z.write(formats / f"parcels.{ext}", f"parcels.{ext}")
put("upload", "shp-zip", b"\x02" + buf.getvalue())

# traffic_csv: trafikkdata hours, two directions of one road and a road point.
def hours(pid, name, days, volume):
    rows = []
    for d in range(days):
        for h in range(24):
            day = 13 + d
            nxt = f"2026-04-{day:02} {h + 1:02}:00:00+02:00" if h < 23 else f"2026-04-{day + 1:02} 00:00:00+02:00"
            rows.append(f"{pid},2026-04-{day:02} {h:02}:00:00+02:00,{nxt},{volume + h},100.0,{name},59.901192,10.818019")
    return rows
header = "point_id,from,to,volume,coverage,name,lat,lon"
put("traffic_csv", "one-day", "\n".join([header] + hours("13447V625213", "E6 Manglerud", 1, 100)) + "\n")
put("traffic_csv", "directions", "\n".join([header] + hours("1V1", "E18 Fiskevollen retning Oslo", 2, 50)
                                     + hours("2V2", "E18 Fiskevollen retning Ski", 2, 60)) + "\n")
put("traffic_csv", "no-to", "point_id,from,volume,coverage,lat,lon\n1,2026-04-13 00:00:00+02:00,5,99,59.9,10.8\n")
