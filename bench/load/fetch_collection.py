"""Fetch every item of an OGC API Features collection, following `next` links, and write
them as one GeoJSON FeatureCollection.

    python3 fetch_collection.py BASE_URL COLLECTION OUT.geojson

Prints the number of features written. Fails if that differs from numberMatched.
"""
import json
import sys
import urllib.request

base, collection, out = sys.argv[1:4]
url = f"{base}/collections/{collection}/items?limit=10000"
features, matched = [], None
while url:
    with urllib.request.urlopen(url, timeout=120) as r:
        page = json.load(r)
    if matched is None:
        matched = page.get("numberMatched")
    features.extend(page["features"])
    url = next((l["href"] for l in page.get("links", []) if l.get("rel") == "next"), None)
if matched is not None and matched != len(features):
    sys.exit(f"fetched {len(features)} features but numberMatched was {matched}")
if not features:
    sys.exit(f"collection {collection} has no features")
with open(out, "w") as f:
    json.dump({"type": "FeatureCollection", "features": features}, f)
print(len(features))
