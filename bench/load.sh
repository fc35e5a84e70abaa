#!/usr/bin/env bash
# HTTP load test: energistasjon's OGC API Features items and POST /api/score under wrk, and
# pygeoapi (PostgreSQL provider, gunicorn) serving the same scored candidates from PostGIS,
# on this machine. Checks that both servers match the same number of features for the bbox,
# then prints per endpoint requests/s, p50 and p99 latency, and the items throughput ratio
# ours / pygeoapi, at -c16 and at -c64.
#
#   bench/load.sh [DATA_DIR]
#
# Environment: DURATION (seconds per wrk run, default 20), BBOX (CRS84, default
# 10.5,59.8,11.0,60.1: Oslo and part of Akershus), CONNECTIONS (default "16 64"), PYGEOAPI_WORKERS
# (default 2, one per core), REGION (default: the N1000 preset), GRID (cell size in metres
# of the grid candidates served with `serve --grid`, default 1000).
#
# N1000 has no land-use parcels a profile accepts as a site (no industrial or commercial
# classes near Oslo), so the candidates are the study area's grid cells
# (`candidates-mcs-corridor-grid`), fetched from energistasjon and loaded into a throwaway
# PostGIS (scripts/pg-test-server.sh) with ogr2ogr: a GiST index on the points and a unique
# index on the id, as a pygeoapi deployment would have them. cargo bench --bench api
# measures the 250 m grid in process.
#
# pygeoapi 0.22 and later need Python 3.12 or later: the venv uses python3.12 where the
# machine has one (PATH, or pyenv under ~/.pyenv), else python3, and the results say which.
# Installs what it needs (wrk, gdal-bin, PostGIS, python3-venv, a venv with pygeoapi,
# gunicorn and psycopg2) on first use. Sends traffic to 127.0.0.1 only. Not part of the
# test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=$(realpath "${1:-../shared/data}")
DURATION=${DURATION:-20}
BBOX=${BBOX:-10.5,59.8,11.0,60.1}
CONNECTIONS=${CONNECTIONS:-16 64}
WORKERS=${PYGEOAPI_WORKERS:-2}
GRID=${GRID:-1000}
PROFILE=mcs-corridor
COLL=candidates-$PROFILE-grid
OUT=$(mktemp -d /tmp/energistasjon-load.XXXXXX)
OURS_PID=""
PEER_PID=""
PG_TEST_PID=""
PG_TEST_DIR=""
trap 'cleanup' EXIT
stop() { # pid: TERM, then KILL if it is still there after 10 s
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 0
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 20); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL "$1" 2>/dev/null || true
}
cleanup() {
  stop "$PEER_PID"
  stop "$OURS_PID"
  if [ -n "$PG_TEST_PID" ]; then
    kill -INT "$PG_TEST_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$PG_TEST_PID" 2>/dev/null || break; sleep 0.2; done
  fi
  [ -n "$PG_TEST_DIR" ] && rm -rf "$PG_TEST_DIR"
  rm -rf "$OUT"
}
die() { echo "load.sh: $*" >&2; exit 1; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
# wait_for URL PID SECONDS LOG: until URL answers 2xx; fails if PID dies or time runs out.
wait_for() {
  local t0=$SECONDS
  until curl -sf -o /dev/null --max-time 5 "$1"; do
    if ! kill -0 "$2" 2>/dev/null; then
      tail -20 "$4" >&2
      die "the server stopped before $1 answered (log above)"
    fi
    if [ $((SECONDS - t0)) -ge "$3" ]; then
      tail -20 "$4" >&2
      die "no answer from $1 within $3 s (log above)"
    fi
    sleep 1
  done
  echo "   ready after $((SECONDS - t0)) s"
}
json() { python3 -c "import json,sys;d=json.load(sys.stdin);print($1)"; }

bash scripts/install-deps.sh wrk python3-venv gdal-bin postgresql-15-postgis-3
PY=python3
for cand in python3.13 python3.12 "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python; do
  # A pyenv shim exists without a version behind it: ask each whether it runs.
  if "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    PY=$cand
    break
  fi
done
VENV=target/load-venv-$("$PY" -c 'import sys;print("%d%d" % sys.version_info[:2])')
if ! "$VENV/bin/python" -c "import pygeoapi, gunicorn, psycopg2, geoalchemy2, pygeofilter" 2>/dev/null; then
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check pygeoapi gunicorn psycopg2-binary geoalchemy2 sqlalchemy pygeofilter
fi
cargo build --release --locked -q

REGION_FILE=${REGION:-data/presets/n1000/region.toml}

OURS_PORT=$(free_port)
OURS=http://127.0.0.1:$OURS_PORT
echo "== energistasjon on $OURS (region $REGION_FILE, grid $GRID m)"
./target/release/energistasjon --region "$REGION_FILE" --data-dir "$DATA" --lang en serve \
  --addr "127.0.0.1:$OURS_PORT" --grid "$GRID" >"$OUT/ours.log" 2>&1 &
OURS_PID=$!
wait_for "$OURS/healthz" "$OURS_PID" "${STARTUP_TIMEOUT:-600}" "$OUT/ours.log"

echo "== fetching $COLL"
n_all=$(python3 bench/load/fetch_collection.py "$OURS" "$COLL" "$OUT/$COLL.geojson")
echo "   $n_all features, $(du -m "$OUT/$COLL.geojson" | cut -f1) MiB of GeoJSON"

echo "== PostGIS: loading them with ogr2ogr"
eval "$(bash scripts/pg-test-server.sh)"
PGPORT=${ENERGISTASJON_TEST_PG##*:}
PGPORT=${PGPORT%%/*}
TABLE=candidates
psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -c "CREATE EXTENSION IF NOT EXISTS postgis;"
ogr2ogr -f PostgreSQL "PG:host=127.0.0.1 port=$PGPORT user=postgres dbname=postgres" \
  "$OUT/$COLL.geojson" -nln "$TABLE" -lco GEOMETRY_NAME=geom -lco FID=fid -lco SPATIAL_INDEX=GIST \
  -mapFieldType "String(JSON)=String,StringList=String,IntegerList=String,RealList=String,Binary=String"
psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres \
  -c "CREATE UNIQUE INDEX ON $TABLE (id); ANALYZE $TABLE;"
echo "   $(psql -tA -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -c "SELECT count(*) FROM $TABLE") rows in $TABLE"

PEER_PORT=$(free_port)
PEER=http://127.0.0.1:$PEER_PORT
PG_VERSION=$("$VENV/bin/python" -c 'import pygeoapi;print(pygeoapi.__version__)')
GU_VERSION=$("$VENV/bin/python" -c 'import gunicorn;print(gunicorn.__version__)')
PY_VERSION=$("$VENV/bin/python" -c 'import platform;print(platform.python_version())')
echo "== pygeoapi $PG_VERSION (PostgreSQL provider) on Python $PY_VERSION under gunicorn $GU_VERSION, $WORKERS sync workers, on $PEER"
sed -e "s|@URL@|$PEER|" -e "s|@PGPORT@|$PGPORT|" -e "s|@TABLE@|$TABLE|" -e "s|@COLL@|$COLL|" bench/load/pygeoapi.config.yml >"$OUT/pygeoapi.yml"
export PYGEOAPI_CONFIG=$OUT/pygeoapi.yml PYGEOAPI_OPENAPI=$OUT/openapi.yml
"$VENV/bin/pygeoapi" config validate -c "$PYGEOAPI_CONFIG" >/dev/null
"$VENV/bin/pygeoapi" openapi generate "$PYGEOAPI_CONFIG" --output-file "$PYGEOAPI_OPENAPI" >/dev/null
# Long worker timeout: at -c64 requests queue behind two workers.
"$VENV/bin/gunicorn" --workers "$WORKERS" --bind "127.0.0.1:$PEER_PORT" --timeout 600 --graceful-timeout 5 \
  --log-level warning pygeoapi.flask_app:APP >"$OUT/pygeoapi.log" 2>&1 &
PEER_PID=$!
wait_for "$PEER/collections?f=json" "$PEER_PID" 60 "$OUT/pygeoapi.log"

OURS_ITEMS="$OURS/collections/$COLL/items?bbox=$BBOX&limit=100"
PEER_ITEMS="$PEER/collections/$COLL/items?bbox=$BBOX&limit=100&f=json"
echo "== same query on both: bbox=$BBOX limit=100"
ours_m=$(curl -sf --max-time 60 "$OURS_ITEMS" | json 'd["numberMatched"], d["numberReturned"]')
peer_m=$(curl -s --max-time 300 "$PEER_ITEMS" | tee "$OUT/peer-first.json" | json 'd["numberMatched"], d["numberReturned"]') ||
  { head -c 2000 "$OUT/peer-first.json" >&2; tail -30 "$OUT/pygeoapi.log" >&2; die "pygeoapi did not answer the bbox query with JSON"; }
echo "   energistasjon numberMatched, numberReturned: $ours_m"
echo "   pygeoapi      numberMatched, numberReturned: $peer_m"
[ "$ours_m" = "$peer_m" ] ||
  die "the servers disagree on the bbox query: energistasjon ($ours_m) vs pygeoapi ($peer_m); not like for like"
[ "${ours_m%% *}" -gt 100 ] || die "only ${ours_m%% *} candidates in bbox $BBOX; pick one with more than 100"

WEIGHTS=$(curl -sf --max-time 30 "$OURS/api/profiles" | python3 -c '
import json, sys
p = next(p for p in json.load(sys.stdin)["profiles"] if p["id"] == sys.argv[1])
w = {c["id"]: c["weight"] for c in p["criteria"]}
ids = list(w)
move = min(5.0, w[ids[0]])  # from the first criterion to the last: still 100 in all
w[ids[0]] -= move
w[ids[-1]] += move
assert abs(sum(w.values()) - 100) < 1e-9, w
print(json.dumps(w, separators=(",", ":")))' "$PROFILE")
export SCORE_BODY="{\"profile\":\"$PROFILE\",\"candidates\":\"grid\",\"weights\":$WEIGHTS}"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -H 'Content-Type: application/json' -d "$SCORE_BODY" "$OURS/api/score")
[ "$code" = 200 ] || die "POST /api/score answered $code to $SCORE_BODY"
echo "   /api/score body: $SCORE_BODY"

# A request still queued at pygeoapi when its run ends keeps a worker busy afterwards, so
# pygeoapi goes last. The wrk timeout is longer than the run: slow answers count as latency.
run() { # name, connections, wrk args...
  local name=$1 c=$2; shift 2
  local wrk_cmd=(wrk -t2 -c"$c" -d"${DURATION}s" --timeout "$((DURATION + 60))s" --latency)
  echo "== ${wrk_cmd[*]} $name"
  "${wrk_cmd[@]}" "$@" | tee "$OUT/$name.wrk" | sed 's/^/   /'
}
for c in $CONNECTIONS; do
  run "ours-items-c$c" "$c" "$OURS_ITEMS"
  run "ours-score-c$c" "$c" -s bench/load/score.lua "$OURS/api/score"
done
for c in $CONNECTIONS; do
  run "pygeoapi-items-c$c" "$c" "$PEER_ITEMS"
  sleep 5 # let the workers drain what is still queued
done
stop "$PEER_PID"

echo
echo "== results: $(nproc) cores; wrk -t2 -d${DURATION}s; pygeoapi $PG_VERSION (PostgreSQL provider, PostGIS 3,"
echo "   Python $PY_VERSION) with $WORKERS gunicorn workers;"
echo "   items = GET /collections/$COLL/items?bbox=$BBOX&limit=100 ($n_all features in the collection)"
for c in $CONNECTIONS; do
  echo "-- -c$c"
  python3 bench/load/table.py "energistasjon items" "pygeoapi items" \
    "energistasjon items=$OUT/ours-items-c$c.wrk" \
    "pygeoapi items=$OUT/pygeoapi-items-c$c.wrk" \
    "energistasjon POST /api/score=$OUT/ours-score-c$c.wrk"
done
