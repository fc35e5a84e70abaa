#!/usr/bin/env bash
# Two `serve` instances over one PostGIS behind nginx, under wrk: items, tiles and healthz,
# round-robin across both. Prints wrk's figures and fails on any non-2xx answer or socket
# error. The nginx config is docs/deploy/nginx.conf with the instances' ports filled in.
#
#   bench/instances.sh [DATA_DIR]
#
# Environment: DURATION (seconds per wrk run, default 15), CONNECTIONS (default 16).
# Installs nginx and wrk on first use. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=$(realpath "${1:-../shared/data}")
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-16}
OUT=$(mktemp -d /tmp/energistasjon-instances.XXXXXX)
chmod 755 "$OUT"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$OUT/nginx.pid" ] && kill "$(cat "$OUT/nginx.pid")" 2>/dev/null || true
  if [ -n "${PG_TEST_PID:-}" ]; then kill -INT "$PG_TEST_PID" 2>/dev/null || true; sleep 1; rm -rf "$PG_TEST_DIR"; fi
  rm -rf "$OUT"
}
trap cleanup EXIT

bash scripts/install-deps.sh nginx wrk postgresql-15-postgis-3
cargo build --release --quiet
BIN=target/release/energistasjon
bash scripts/pg-test-server.sh > "$OUT/pg.env"
. "$OUT/pg.env"
DB=$ENERGISTASJON_TEST_PG
REGION=(--region data/presets/n1000/region.toml --data-dir "$DATA")

for port in 18081 18082; do
  $BIN --db "$DB" "${REGION[@]}" serve --addr 127.0.0.1:$port --grid 1000 > "$OUT/serve-$port.log" 2>&1 &
  PIDS+=($!)
done
for port in 18081 18082; do
  until curl -sf "http://127.0.0.1:$port/healthz" > /dev/null; do sleep 0.5; done
done
sed -e 's/127.0.0.1:8081/127.0.0.1:18081/; s/127.0.0.1:8082/127.0.0.1:18082/' \
    -e 's/listen 80;/listen 127.0.0.1:18080;/' docs/deploy/nginx.conf > "$OUT/site.conf"
cat > "$OUT/nginx.conf" <<CONF
pid $OUT/nginx.pid;
error_log $OUT/nginx-error.log;
worker_processes 2;
events { worker_connections 1024; }
http {
  access_log off;
  include $OUT/site.conf;
}
CONF
nginx -c "$OUT/nginx.conf"
until curl -sf http://127.0.0.1:18080/healthz > /dev/null; do sleep 0.2; done

cat > "$OUT/status.lua" <<'LUA'
local bad = 0
response = function(status) if status >= 300 then bad = bad + 1 end end
done = function() io.write(string.format("non-2xx answers: %d\n", bad)) end
LUA
run() { # name path
  echo "== $1: $2"
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$OUT/status.lua" "http://127.0.0.1:18080$2" | tee "$OUT/$1.txt" \
    | grep -E "Requests/sec|Latency |99%|50%|Socket errors|Non-2xx|non-2xx"
  if grep -qE "Socket errors|non-2xx answers: [1-9]" "$OUT/$1.txt"; then echo "errors in $1" >&2; exit 1; fi
}
run items "/collections/candidates-mcs-corridor-grid/items?bbox=10.5,59.8,11.0,60.1&limit=100"
run tiles "/tiles/candidates-mcs-corridor-grid/12/2170/1190.mvt"
run healthz "/healthz"
count() { curl -s "http://127.0.0.1:$1/metrics" | awk '/^energistasjon_http_requests_total/ {n += $NF} END {print n + 0}'; }
echo "requests answered per instance: 18081 $(count 18081), 18082 $(count 18082)"
