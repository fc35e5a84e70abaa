#!/usr/bin/env bash
# Soak run: MINUTES of mixed load on one `serve` with a SQLite store, then on one with a
# PostGIS store, on the N1000 preset's study area (grid candidates). The mix, per 100 requests
# (bench/soak/mix.lua): 40 tiles (mostly kept), 8 tiles under new weights, 18 OGC API items
# pages, 8 site states, 8 POST /api/score and 4 POST /api/shortlist under new weights, and
# 8 comments and 4 votes by a signed-in coordinator.
#
#   bench/soak.sh [DATA_DIR]
#
# Environment: MINUTES (default 10), WARMUP (seconds before the first memory reading, default
# 180: the kept tiles (32 MiB) and the explained candidates fill up in it; at PostGIS's pace
# 60 s was not enough, and the growth then measured was the caches filling), CONNECTIONS (default 16),
# STORES (default "sqlite postgis"), GRID (default 1000).
#
# Prints per store the requests, throughput, p50 and p99 latency, refusals (any 4xx or 5xx)
# and socket errors, and the resident memory after the warm-up and at the end, with memory
# sampled every 30 s in between. Fails on any error or on memory growth over 10 %.
# Installs wrk and PostGIS on first use. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=$(realpath "${1:-../shared/data}")
MINUTES=${MINUTES:-10}
WARMUP=${WARMUP:-180}
CONNECTIONS=${CONNECTIONS:-16}
STORES=${STORES:-sqlite postgis}
GRID=${GRID:-1000}
PROFILE=mcs-corridor
COLL=candidates-$PROFILE-grid
OUT=$(mktemp -d /tmp/energistasjon-soak.XXXXXX)
chmod 755 "$OUT"
SERVE_PID=""
PG_TEST_PID=""
PG_TEST_DIR=""
cleanup() {
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null || true
  if [ -n "$PG_TEST_PID" ]; then
    kill -INT "$PG_TEST_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$PG_TEST_PID" 2>/dev/null || break; sleep 0.2; done
    rm -rf "$PG_TEST_DIR"
  fi
  rm -rf "$OUT"
}
trap cleanup EXIT
die() { echo "soak.sh: $*" >&2; exit 1; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
rss_mib() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

bash scripts/install-deps.sh wrk postgresql-15-postgis-3
cargo build --release --locked -q
BIN=target/release/energistasjon
REGION=(--region data/presets/n1000/region.toml --data-dir "$DATA")
export ENERGISTASJON_PASSWORD='soak løper lenge'

soak() { # store name, --db value
  local store=$1 db=$2 dir=$OUT/$1
  mkdir -p "$dir"
  $BIN --db "$db" user add --username soak --role coordinator >/dev/null
  local port
  port=$(free_port)
  local url=http://127.0.0.1:$port
  echo "== $store: serve on $url (--grid $GRID)"
  $BIN --db "$db" "${REGION[@]}" --lang en serve --addr "127.0.0.1:$port" --grid "$GRID" \
    >"$dir/serve.log" 2>&1 &
  SERVE_PID=$!
  local t0=$SECONDS
  until curl -sf -o /dev/null "$url/healthz"; do
    kill -0 "$SERVE_PID" 2>/dev/null || { tail -20 "$dir/serve.log" >&2; die "serve stopped"; }
    [ $((SECONDS - t0)) -lt 900 ] || die "serve not ready in 900 s"
    sleep 1
  done
  # The plan: tiles over Oslo at z12-13, the first 300 candidates as sites to review, items
  # pages, the profile's weights, and a signed-in session.
  python3 - "$dir" "$url" "$PROFILE" "$COLL" <<'PY'
import json, math, sys, urllib.request
out, url, profile, coll = sys.argv[1:]
def get(path):
    return json.load(urllib.request.urlopen(url + path))
def tile(lon, lat, z):
    n = 2 ** z
    return (int((lon + 180) / 360 * n),
            int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n))
tiles = []
for z in (12, 13):
    x0, y1 = tile(10.48, 59.80, z)
    x1, y0 = tile(10.96, 60.14, z)
    tiles += [f"{z}/{x}/{y}" for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
open(f"{out}/tiles.txt", "w").write("\n".join(tiles) + "\n")
page = get(f"/collections/{coll}/items?bbox=10.48,59.80,10.96,60.14&limit=300")
sites = [f["id"] for f in page["features"]]
assert len(sites) >= 50, f"only {len(sites)} candidates over Oslo"
open(f"{out}/sites.txt", "w").write("\n".join(sites) + "\n")
items = []
for i in range(40):
    lon, lat = 10.48 + (i % 8) * 0.06, 59.80 + (i // 8) * 0.07
    items.append(f"/collections/{coll}/items?bbox={lon:.2f},{lat:.2f},{lon + 0.1:.2f},{lat + 0.1:.2f}&limit=50")
items += [f"/collections/{coll}/items?limit=100&offset={o}&sortby=-score" for o in range(0, 2000, 100)]
items += ["/collections", "/", "/conformance"]
open(f"{out}/items.txt", "w").write("\n".join(items) + "\n")
p = next(p for p in get("/api/profiles")["profiles"] if p["id"] == profile)
open(f"{out}/weights.txt", "w").write("".join(f"{c['id']} {c['weight']}\n" for c in p["criteria"]))
req = urllib.request.Request(url + "/api/login", method="POST",
    data=json.dumps({"username": "soak", "password": "soak løper lenge"}).encode(),
    headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req) as r:
    cookie = r.headers["set-cookie"].split(";")[0]
    csrf = json.load(r)["csrf_token"]
open(f"{out}/session.txt", "w").write(f"{cookie}\n{csrf}\n{coll}\n{profile}\n")
print(f"   ready; plan: {len(tiles)} tiles, {len(sites)} sites, {len(items)} item pages")
PY
  echo "   ready after $((SECONDS - t0)) s"
  local wrk_cmd=(wrk -t2 -c"$CONNECTIONS" --timeout 60s --latency -s bench/soak/mix.lua)
  echo "== $store: warm-up, ${WARMUP} s"
  SOAK_DIR=$dir "${wrk_cmd[@]}" -d"${WARMUP}s" "$url" >"$dir/warmup.wrk" 2>"$dir/warmup.err"
  grep '^SOAK errors' "$dir/warmup.wrk" | sed 's/^/   /'
  local rss0
  rss0=$(rss_mib "$SERVE_PID")
  echo "   resident memory after the warm-up: $rss0 MiB"
  echo "== $store: soak, $MINUTES min at -c$CONNECTIONS"
  ( while kill -0 "$SERVE_PID" 2>/dev/null; do echo "$(date +%s) $(rss_mib "$SERVE_PID")"; sleep 30; done ) \
    >"$dir/rss.txt" &
  local sampler=$!
  SOAK_DIR=$dir "${wrk_cmd[@]}" -d"$((MINUTES * 60))s" "$url" >"$dir/soak.wrk" 2>"$dir/soak.err"
  local rss1
  rss1=$(rss_mib "$SERVE_PID")
  kill "$sampler" 2>/dev/null || true
  sed 's/^/   /' "$dir/soak.wrk" | grep -v '^   SOAK'
  head -5 "$dir/soak.err" | sed 's/^/   /'
  echo "   memory every 30 s (MiB): $(awk '{ printf "%s ", $2 }' "$dir/rss.txt")"
  local comments
  comments=$(curl -sf "$url/api/audit?limit=1" -H "Cookie: $(sed -n 1p "$dir/session.txt")" |
    python3 -c 'import json,sys; e=json.load(sys.stdin)["entries"]; print(e[0]["id"] if e else 0)')
  kill "$SERVE_PID"
  wait "$SERVE_PID" 2>/dev/null || true
  SERVE_PID=""
  val() { awk -v k="$1" '$1 == "SOAK" && $2 == k { print $3 }' "$dir/soak.wrk"; }
  echo "$store $(val requests) $(val seconds) $(val p50_ms) $(val p99_ms) $(val errors_http) $(val errors_socket) $rss0 $rss1 $comments" \
    >>"$OUT/results.txt"
}

for store in $STORES; do
  case $store in
    sqlite) soak sqlite "$OUT/soak.sqlite" ;;
    postgis)
      eval "$(bash scripts/pg-test-server.sh)"
      soak postgis "$ENERGISTASJON_TEST_PG" ;;
    *) die "unknown store '$store'; use sqlite or postgis" ;;
  esac
done

echo
echo "== soak results: $(nproc) cores, wrk -t2 -c$CONNECTIONS, $MINUTES min after a ${WARMUP} s warm-up, N1000 study area, --grid $GRID"
python3 - "$OUT/results.txt" <<'PY'
import sys
ok = True
print(f"{'store':8} {'requests':>10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'RSS start':>10} {'RSS end':>9} {'growth':>7} {'audit rows':>10}")
for line in open(sys.argv[1]):
    store, n, secs, p50, p99, eh, es, r0, r1, audit = line.split()
    errors = int(eh) + int(es)
    growth = (float(r1) - float(r0)) / float(r0) * 100
    ok &= errors == 0 and growth <= 10
    print(f"{store:8} {int(n):>10} {int(n) / float(secs):>8.0f} {float(p50):>8.2f} {float(p99):>8.2f} {errors:>7} {r0:>10} {r1:>9} {growth:>6.1f}% {audit:>10}")
sys.exit(0 if ok else 1)
PY
