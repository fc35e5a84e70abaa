#!/usr/bin/env bash
# Streaming export of half a million grid candidates through the API (issue #5): serves the
# N1000 preset with a grid fine enough for >= 500,000 cells per profile, records the
# server's resting RSS, then downloads /api/export as GeoJSON and as GeoPackage while
# sampling the server's RSS from /proc every 100 ms. Prints features, bytes, throughput and
# the RSS above rest (budget: 200 MiB), and compares the GeoPackage export with ogr2ogr
# converting the exported GeoJSON to GeoPackage.
#
#   bench/export_stream.sh [DATA_DIR] [GRID_METRES]
#
# Installs gdal-bin when missing. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=$(realpath "${1:-../shared/data}")
GRID=${2:-230}
PROFILE=${PROFILE:-mcs-corridor}
OUT=$(mktemp -d /tmp/energistasjon-export.XXXXXX)
PID=""
SAMPLER=""
cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null || true
  [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
  rm -rf "$OUT"
}
trap cleanup EXIT
die() { echo "export_stream.sh: $*" >&2; exit 1; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }

bash scripts/install-deps.sh gdal-bin curl bc
cargo build --release --locked -q
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
echo "== serving the N1000 preset with a $GRID m grid on $URL"
./target/release/energistasjon --region data/presets/n1000/region.toml --data-dir "$DATA" --lang en \
  serve --addr "127.0.0.1:$PORT" --grid "$GRID" >"$OUT/server.log" 2>&1 &
PID=$!
t0=$SECONDS
until curl -sf -o /dev/null "$URL/healthz"; do
  kill -0 "$PID" 2>/dev/null || { tail "$OUT/server.log" >&2; die "the server stopped"; }
  [ $((SECONDS - t0)) -lt 600 ] || die "the server did not answer within 600 s"
  sleep 1
done
echo "   ready after $((SECONDS - t0)) s"
sleep 3
REST=$(rss_kib)
CELLS=$(curl -sf "$URL/collections/candidates-$PROFILE-grid/items?limit=1" | python3 -c 'import json,sys;print(json.load(sys.stdin)["numberMatched"])')
echo "   $CELLS grid candidates for $PROFILE; resting RSS $((REST / 1024)) MiB"
[ "$CELLS" -ge 500000 ] || die "only $CELLS cells; use a smaller GRID_METRES"

# download NAME FORMAT: time one export while sampling the server's RSS.
download() {
  local name=$1 format=$2
  : >"$OUT/rss.$name"
  (while kill -0 "$PID" 2>/dev/null; do rss_kib >>"$OUT/rss.$name"; sleep 0.1; done) &
  SAMPLER=$!
  local start end
  start=$(date +%s.%N)
  curl -sf -o "$OUT/$name" "$URL/api/export?profile=$PROFILE&candidates=grid&format=$format&reasons=false" ||
    die "the $format export failed"
  end=$(date +%s.%N)
  kill "$SAMPLER" 2>/dev/null || true
  wait "$SAMPLER" 2>/dev/null || true
  SAMPLER=""
  local peak secs bytes
  peak=$(sort -n "$OUT/rss.$name" | tail -1)
  secs=$(echo "$end - $start" | bc -l)
  bytes=$(stat -c %s "$OUT/$name")
  printf '%-8s %9d features  %7.1f MiB  %6.1f s  %8.0f features/s  %6.1f MiB/s  RSS peak %5d MiB, +%d MiB over rest\n' \
    "$format" "$CELLS" "$(echo "$bytes / 1048576" | bc -l)" "$secs" "$(echo "$CELLS / $secs" | bc -l)" \
    "$(echo "$bytes / 1048576 / $secs" | bc -l)" "$((peak / 1024))" "$(((peak - REST) / 1024))"
  eval "SECS_$format=$secs"
  eval "DELTA_$format=$(((peak - REST) / 1024))"
}
echo "== /api/export, reasons=false"
download c.geojson geojson
download c.gpkg gpkg
download c.csv csv

n=$(ogrinfo -ro -so -al "$OUT/c.gpkg" "candidates_${PROFILE//-/_}_grid" | awk '/Feature Count/ {print $3}')
[ "$n" = "$CELLS" ] || die "the GeoPackage holds $n features, not $CELLS"
echo "== ogr2ogr -f GPKG from the exported GeoJSON (the peer)"
start=$(date +%s.%N)
ogr2ogr -f GPKG "$OUT/peer.gpkg" "$OUT/c.geojson"
end=$(date +%s.%N)
PEER=$(echo "$end - $start" | bc -l)
printf 'ogr2ogr GeoJSON -> GPKG: %.1f s; energistasjon /api/export gpkg (scoring explained, reprojection-free, written and sent): %.1f s; ratio x%.2f\n' \
  "$PEER" "$SECS_gpkg" "$(echo "$PEER / $SECS_gpkg" | bc -l)"
for f in geojson gpkg csv; do
  d=$(eval echo "\$DELTA_$f")
  if [ "$d" -le 200 ]; then echo "RSS budget $f: +$d MiB <= 200 MiB: met"; else echo "RSS budget $f: +$d MiB > 200 MiB: NOT met"; fi
done
