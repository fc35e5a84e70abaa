"""The peer-comparison workload in geopandas / shapely 2, written the idiomatic,
vectorized way: read with pyogrio, reproject, repair with make_valid, sjoin for
containment, sjoin_nearest for distances.

usage: geopandas_workload.py DATA_DIR OUT_CSV [GRID_M]
Prints one JSON line of timings.
"""
import json
import math
import sys
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

data, out = sys.argv[1], sys.argv[2]
size = float(sys.argv[3]) if len(sys.argv) > 3 else 250.0
prefixes = ("03", "31", "32", "33", "39")

t0 = time.perf_counter()


def read(path):
    # on_invalid="fix" closes the unclosed rings in the grid-capacity file, as energistasjon does.
    df = gpd.read_file(f"{data}/{path}", engine="pyogrio", on_invalid="fix").to_crs(25833)
    # energistasjon repairs invalid polygons with GEOS MakeValid on load; do the same.
    df["geometry"] = shapely.make_valid(df.geometry.values)
    return df[~df.geometry.is_empty]


kommuner = read("boundaries/robhop_Kommuner-M.geojson")
roads = read("roads/N1000_Veglenke.geojson")
rail = read("rail/N1000_Bane.geojson")
ports = read("ports/wpi_norway_ports.geojson")
grid_cap = read("power/grid_capacity_wattapp_norway.geojson")
forest = read("landuse/N1000_Skog_osloregion.geojson")
bog = read("landuse/N1000_Myr_osloregion.geojson")
lake = read("landuse/N1000_Innsjo_osloregion.geojson")
protected = read("protected/N1000_Naturvernomrade.geojson")
load_s = time.perf_counter() - t0

t1 = time.perf_counter()
study = kommuner[kommuner["kommunenummer"].str[:2].isin(prefixes)]
minx, miny, maxx, maxy = study.total_bounds
xs = np.arange(math.floor(minx / size), math.ceil(maxx / size)) * size + size / 2
ys = np.arange(math.floor(miny / size), math.ceil(maxy / size)) * size + size / 2
X, Y = np.meshgrid(xs, ys)
pts = gpd.GeoDataFrame({"x": X.ravel(), "y": Y.ravel()}, geometry=gpd.points_from_xy(X.ravel(), Y.ravel()), crs=25833)

# The municipality each centre lies in (lowest feature id where polygons overlap).
k = gpd.sjoin(pts, kommuner[["kommunenummer", "geometry"]], predicate="within", how="inner")
k = k.sort_values("index_right").groupby(level=0).first()
pts = pts.loc[k.index]
pts["kommunenummer"] = k["kommunenummer"]
pts = pts[pts["kommunenummer"].str[:2].isin(prefixes)]


def nearest(layer):
    j = gpd.sjoin_nearest(pts[["geometry"]], layer[["geometry"]], distance_col="d")
    return j.groupby(level=0)["d"].min()


er = roads[roads["vegkategori"].isin(["E", "R"])]
res = pd.DataFrame({"x": pts["x"], "y": pts["y"], "kommunenummer": pts["kommunenummer"]})
res["d_main_road"] = nearest(er)
res["d_road"] = nearest(roads)
res["d_rail"] = nearest(rail)
res["d_port"] = nearest(ports)
res["d_grid"] = nearest(grid_cap[grid_cap.geom_type == "Point"])  # substations; the areas are regions


def inside(layer):
    j = gpd.sjoin(pts[["geometry"]], layer[["geometry"]], predicate="within", how="inner")
    return pts.index.isin(j.index)


in_forest, in_bog, in_lake = inside(forest), inside(bog), inside(lake)
res["landcover"] = np.where(in_forest, "forest", np.where(in_bog, "bog", np.where(in_lake, "lake", "")))
res["protected"] = inside(protected).astype(int)
workload_s = time.perf_counter() - t1

t2 = time.perf_counter()
res.to_csv(out, index=False, float_format="%.4f")
write_s = time.perf_counter() - t2
print(json.dumps({"candidates": len(res), "load_s": load_s, "workload_s": workload_s, "write_s": write_s}))
