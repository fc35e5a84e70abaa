#!/usr/bin/env bash
# One command on a fresh Debian machine with Rust: install what is missing, build,
# and serve the bundled demo region on http://127.0.0.1:8080 (Ctrl+C stops it).
# Extra arguments go to `energistasjon serve`, e.g. `scripts/start.sh --addr 0.0.0.0:8080`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh libgdal-dev libsqlite3-dev gdal-bin pkg-config
command -v npm >/dev/null || bash scripts/install-deps.sh nodejs npm
if [ -f web/package.json ]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
cargo build --release --locked
exec ./target/release/energistasjon serve "$@"
