#!/usr/bin/env bash
# The store benchmark on SQLite and on a throwaway PostGIS: proposals per second and
# p50/p99 write latency with one and four writers. Not part of the test suite.
#
#   bench/store.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh postgresql-15-postgis-3 python3
eval "$(bash scripts/pg-test-server.sh)"
trap 'kill -INT "$PG_TEST_PID" 2>/dev/null || true; sleep 1; rm -rf "$PG_TEST_DIR"' EXIT
cargo bench --locked --bench store
