#!/usr/bin/env bash
# The web map's slider-to-idle time on the N1000 250 m grid (about 435,000 candidates per
# profile): starts `energistasjon serve --grid 250` on the N1000 preset, waits until it
# listens, and runs web/e2e/slider_timing.mjs in Debian's Chromium. Not part of the tests.
#
#   bench/map_slider.sh [DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=$(realpath "${1:-../shared/data}")
bash scripts/install-deps.sh chromium
(cd web && npm ci --no-audit --no-fund --loglevel=error)
cargo build --release --locked -q
LOG=$(mktemp)
DB=$(mktemp -d)
./target/release/energistasjon --db "$DB/r.sqlite" serve --region data/presets/n1000/region.toml \
  --data-dir "$DATA" --grid 250 --addr 127.0.0.1:0 2>"$LOG" &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$LOG" "$DB"' EXIT
started=$(date +%s)
until grep -q "http://" "$LOG"; do
  kill -0 $PID 2>/dev/null || { cat "$LOG"; exit 1; }
  sleep 1
done
ADDR=$(grep -o "http://[0-9.:]*" "$LOG" | head -1)
echo "server ready after $(( $(date +%s) - started )) s at $ADDR"
(cd web && BASE_URL="$ADDR" node e2e/slider_timing.mjs)
