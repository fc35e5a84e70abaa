#!/usr/bin/env bash
# Tile benchmark: energistasjon's /tiles against martin 1.14 (the MapLibre tile server) serving the
# same candidate points from PostGIS, on the same tiles, on this machine.
#
#   bench/tiles_martin.sh [DATA_DIR]
#
# energistasjon serves the N1000 study area with `--grid 250` (435,240 cells per profile). The
# profile's grid candidates are exported (`energistasjon export --grid 250`), loaded into a throwaway
# PostGIS (scripts/pg-test-server.sh) as CRS84 points with the five properties energistasjon's tiles
# carry (id, score to one decimal, excluded, kommunenummer, status) and a GiST index, and served by
# martin under the same layer name. The tiles are every z12 and z13 tile over Oslo.
#
# Runs (wrk -t2 -d$DURATION cycling through the tiles, at each of $CONNECTIONS):
#   - energistasjon, warm: every tile drawn once before, then answered from its kept tiles;
#   - energistasjon under new weights (`?weights=`), different on every request, so every tile is
#     scored and encoded on request; the server's CPU time per tile comes from /proc, and the
#     service's own counter shows how many tiles it encoded;
#   - martin with its default tile cache, and with the cache off (every tile from PostGIS).
# Then the same new-weights run on one connection.
# Before the runs it compares the feature count of 40 of the tiles on both servers.
#
# Environment: DURATION (default 20), CONNECTIONS (default "16 64"), PROFILE (default depot),
# MARTIN (the binary; default `martin` on PATH, else /tmp/martin/bin/martin). Install martin with
#   cargo install martin --version 1.14.0 --locked --no-default-features --features postgres,metrics
# (later versions need a newer rustc; the default features download prebuilt parts at build time).
# Sends traffic to 127.0.0.1 only. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=$(realpath "${1:-../shared/data}")
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-16 64}
PROFILE=${PROFILE:-depot}
COLL=candidates-$PROFILE-grid
AREA=03,31,32,33,39 # the study area, serve's default
MARTIN=${MARTIN:-$(command -v martin || echo /tmp/martin/bin/martin)}
OUT=$(mktemp -d /tmp/energistasjon-tiles.XXXXXX)
OURS_PID=""
PEER_PID=""
PG_TEST_PID=""
PG_TEST_DIR=""
die() { echo "tiles_martin.sh: $*" >&2; exit 1; }
stop() {
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
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_for() { # url pid seconds log
  local t0=$SECONDS
  until curl -sf -o /dev/null --max-time 5 "$1"; do
    kill -0 "$2" 2>/dev/null || { tail -20 "$4" >&2; die "the server stopped before $1 answered"; }
    [ $((SECONDS - t0)) -lt "$3" ] || { tail -20 "$4" >&2; die "no answer from $1 within $3 s"; }
    sleep 1
  done
}

[ -x "$MARTIN" ] || die "no martin at $MARTIN; install it as the header says, or set MARTIN"
bash scripts/install-deps.sh wrk gdal-bin postgresql-15-postgis-3
cargo build --release --locked -q
BIN=./target/release/energistasjon
REGION=data/presets/n1000/region.toml

echo "== exporting the $PROFILE grid candidates (250 m, study area)"
"$BIN" --region "$REGION" --data-dir "$DATA" export --profile "$PROFILE" --grid 250 \
  --municipalities "$AREA" --no-reasons --out "$OUT/cands.gpkg" >"$OUT/export.log" 2>&1 || { cat "$OUT/export.log" >&2; die "export failed"; }

echo "== PostGIS: loading them with ogr2ogr"
eval "$(bash scripts/pg-test-server.sh)"
PGPORT=${ENERGISTASJON_TEST_PG##*:}
PGPORT=${PGPORT%%/*}
PSQL=(psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres)
"${PSQL[@]}" -c "CREATE EXTENSION IF NOT EXISTS postgis;"
ogr2ogr -f PostgreSQL "PG:host=127.0.0.1 port=$PGPORT user=postgres dbname=postgres" "$OUT/cands.gpkg" \
  "${COLL//-/_}" -nln raw_cands -t_srs EPSG:4326 -lco GEOMETRY_NAME=geom -lco FID=fid -lco SPATIAL_INDEX=NONE
# The properties energistasjon's tiles carry, as they carry them: score to one decimal and only
# for scored cells, status "proposed" without a review store.
"${PSQL[@]}" <<SQL
CREATE TABLE tile_cands AS
  SELECT fid, id, CASE WHEN excluded = 0 THEN round(score::numeric, 1)::float8 END AS score,
         excluded <> 0 AS excluded, kommunenummer, 'proposed'::text AS status,
         geom::geometry(Point, 4326) AS geom
  FROM raw_cands;
CREATE INDEX ON tile_cands USING gist (geom);
CREATE UNIQUE INDEX ON tile_cands (fid);
ANALYZE tile_cands;
SQL
echo "   $("${PSQL[@]}" -tA -c 'SELECT count(*) FROM tile_cands') points"

echo "== energistasjon"
OURS_PORT=$(free_port)
OURS=http://127.0.0.1:$OURS_PORT
"$BIN" --region "$REGION" --data-dir "$DATA" serve --addr "127.0.0.1:$OURS_PORT" --grid 250 \
  --municipalities "$AREA" --cache-dir "$OUT/cache" >"$OUT/ours.log" 2>&1 &
OURS_PID=$!
wait_for "$OURS/healthz" "$OURS_PID" 600 "$OUT/ours.log"
MARTIN_VERSION=$("$MARTIN" --version)

start_martin() { # cache size in MB (0: off)
  stop "$PEER_PID"
  PEER_PORT=$(free_port)
  PEER=http://127.0.0.1:$PEER_PORT
  cat >"$OUT/martin.yaml" <<YAML
listen_addresses: 127.0.0.1:$PEER_PORT
cache_size_mb: $1
postgres:
  connection_string: postgres://postgres@127.0.0.1:$PGPORT/postgres
  auto_publish: false
  tables:
    $COLL:
      schema: public
      table: tile_cands
      srid: 4326
      geometry_column: geom
      geometry_type: POINT
      id_column: fid
      properties:
        id: text
        score: float8
        excluded: bool
        kommunenummer: text
        status: text
YAML
  "$MARTIN" --config "$OUT/martin.yaml" >"$OUT/martin.log" 2>&1 &
  PEER_PID=$!
  wait_for "$PEER/catalog" "$PEER_PID" 60 "$OUT/martin.log"
}

# Every z12 and z13 tile over Oslo, and new weights for the profile (5 points moved).
python3 - "$OUT" "$OURS" "$PROFILE" "$COLL" <<'PY'
import json, math, sys, urllib.request
out, ours, profile, coll = sys.argv[1:]
def tile(lon, lat, z):
    n = 2 ** z
    return (int((lon + 180) / 360 * n),
            int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n))
paths = []
for z in (12, 13):
    x0, y1 = tile(10.48, 59.80, z)
    x1, y0 = tile(10.96, 60.14, z)
    paths += [f"{z}/{x}/{y}" for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
p = next(p for p in json.load(urllib.request.urlopen(f"{ours}/api/profiles"))["profiles"] if p["id"] == profile)
w = {c["id"]: c["weight"] for c in p["criteria"]}
ids = list(w)
move = min(5.0, w[ids[0]])
w[ids[0]] -= move
w[ids[-1]] += move
weights = ",".join(f"{k}:{v:g}" for k, v in w.items())
# For new weights on every request (none answered from kept tiles), the first criterion
# gives the last a further k millionths of a point; request r (threads interleaved, each
# run from its own RUN_BASE) draws tile r mod n with k = r div n, so no tile and weights
# come twice in any run.
first, last = w[ids[0]], w[ids[-1]]
moving_pre = ",".join(f"{k}:{v:g}" for k, v in w.items() if k not in (ids[0], ids[-1]))
open(f"{out}/paths.txt", "w").write("\n".join(paths) + "\n")
open(f"{out}/weights.txt", "w").write(weights)
def lua(name, fmt):
    items = ",".join('"%s"' % fmt.format(t=t) for t in paths)
    open(f"{out}/{name}.lua", "w").write(
        "paths = {" + items + "}\ni = 0\nrequest = function()\n  i = i + 1\n"
        "  return wrk.format(\"GET\", paths[(i % #paths) + 1])\nend\n")
lua("ours", f"/tiles/{coll}/{{t}}.mvt")
lua("martin", f"/{coll}/{{t}}")
items = ",".join('"%s"' % f"/tiles/{coll}/{t}.mvt" for t in paths)
fmt = f"{ids[0]}:%.6f,{moving_pre},{ids[-1]}:%.6f"
open(f"{out}/ours-new.lua", "w").write(
    "paths = {" + items + "}\n"
    "local threads = 0\n"
    "function setup(thread)\n  thread:set(\"id\", threads)\n  threads = threads + 1\nend\n"
    "i = 0\nbase = tonumber(os.getenv(\"RUN_BASE\") or \"0\")\n"
    "request = function()\n"
    "  local r = base + i * 2 + id\n  i = i + 1\n"
    "  local k = math.floor(r / #paths)\n"
    f"  local w = string.format(\"{fmt}\", ({first} * 1000000 - k) / 1000000, ({last} * 1000000 + k) / 1000000)\n"
    "  return wrk.format(\"GET\", paths[(r % #paths) + 1] .. \"?weights=\" .. w)\nend\n")
print(f"   {len(paths)} tiles (z12 and z13 over Oslo); new weights {weights}")
PY
N_TILES=$(wc -l <"$OUT/paths.txt")

start_martin 512
echo "== $MARTIN_VERSION on $PEER, PostGIS table with a GiST index"
echo "== same tiles, same features? 40 tiles, counted with ogrinfo's MVT driver"
count() { # file z x y
  local n
  n=$(ogrinfo -ro -al -so -oo "X=$3" -oo "Y=$4" -oo "Z=$2" "$1" 2>/dev/null | awk '/^Feature Count:/ {s += $3} END {print s + 0}')
  echo "$n"
}
same=0 differ=0 total_ours=0 total_peer=0
for t in $(awk -v n="$N_TILES" 'NR % int(n / 40) == 0' "$OUT/paths.txt" | head -40); do
  IFS=/ read -r z x y <<<"$t"
  curl -sf -o "$OUT/o.mvt" "$OURS/tiles/$COLL/$t.mvt"
  curl -sf -o "$OUT/m.mvt" "$PEER/$COLL/$t"
  a=$(count "$OUT/o.mvt" "$z" "$x" "$y")
  b=$(count "$OUT/m.mvt" "$z" "$x" "$y")
  total_ours=$((total_ours + a))
  total_peer=$((total_peer + b))
  if [ "$a" = "$b" ]; then same=$((same + 1)); else differ=$((differ + 1)); fi
done
echo "   equal feature counts on $same tiles, different on $differ; features in all: energistasjon $total_ours, martin $total_peer"

cpu() { # utime + stime of a process, in clock ticks
  awk '{print $14 + $15}' "/proc/$1/stat"
}
encoded() { # tiles energistasjon has encoded so far
  curl -sf "$OURS/metrics" | awk '/^energistasjon_tiles_total\{source="encoded"\}/ {print $2}'
}
run() { # name connections base lua
  local name=$1 c=$2 t=2
  [ "$c" -ge 2 ] || t=1
  echo "== wrk -t$t -c$c -d${DURATION}s $name"
  wrk -t"$t" -c"$c" -d"${DURATION}s" --timeout 30s --latency -s "$OUT/$4.lua" "$3" >"$OUT/$name.wrk"
  sed 's/^/   /' "$OUT/$name.wrk" | grep -E "Requests/sec|50%|99%|Non-2xx|Socket" || true
}
for c in $CONNECTIONS; do
  run "martin-cache-c$c" "$c" "$PEER" martin
done
start_martin 0
for c in $CONNECTIONS; do
  run "martin-nocache-c$c" "$c" "$PEER" martin
done
stop "$PEER_PID"
PEER_PID=""
# Warm: every tile drawn once before the runs, as a map's first visit does.
while read -r t; do curl -sf -o /dev/null "$OURS/tiles/$COLL/$t.mvt"; done <"$OUT/paths.txt"
for c in $CONNECTIONS; do
  run "ours-c$c" "$c" "$OURS" ours
done
# New weights: every request a tile never drawn before; the server's own CPU time per tile
# from /proc, and the encoder's counter to show none was answered from the kept tiles.
TICKS=$(getconf CLK_TCK)
RUN_BASE=0
for c in $CONNECTIONS 1; do
  e0=$(encoded) t0=$(cpu "$OURS_PID")
  RUN_BASE=$((RUN_BASE + 2000000))
  export RUN_BASE
  run "ours-new-c$c" "$c" "$OURS" ours-new
  e1=$(encoded) t1=$(cpu "$OURS_PID")
  n=$(awk '/requests in/ {print $1}' "$OUT/ours-new-c$c.wrk")
  python3 -c "import sys; t, n, e, k = map(float, sys.argv[1:]); print(f'   server CPU {1000 * t / k / n:.3f} ms per tile over {n:.0f} tiles, {e:.0f} encoded (target ≤ 0.3 ms)')" \
    "$((t1 - t0))" "$n" "$((e1 - e0))" "$TICKS" | tee "$OUT/ours-new-c$c.cpu"
done

echo
echo "== results: $(nproc) cores; $N_TILES tiles cycled; wrk -t2 -d${DURATION}s; $MARTIN_VERSION; layer $COLL"
for c in $CONNECTIONS; do
  echo "-- -c$c"
  RATIO_TEXT="warm tiles, energistasjon / martin with its cache" RATIO_TARGET=1 \
    python3 bench/load/table.py "energistasjon warm" "martin, cache" \
    "energistasjon warm=$OUT/ours-c$c.wrk" \
    "energistasjon new weights=$OUT/ours-new-c$c.wrk" \
    "martin, cache=$OUT/martin-cache-c$c.wrk" \
    "martin, no cache=$OUT/martin-nocache-c$c.wrk"
done
mean=$(awk '$1 == "Latency" && $2 ~ /^[0-9]/ {print $2}' "$OUT/ours-new-c1.wrk")
rps=$(awk '$1 == "Requests/sec:" {print $2}' "$OUT/ours-new-c1.wrk")
echo "one connection, new weights: mean latency $mean per tile, $rps tiles/s, HTTP round trip included"
for c in $CONNECTIONS 1; do echo "new weights at -c$c:$(cat "$OUT/ours-new-c$c.cpu")"; done
