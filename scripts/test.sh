#!/usr/bin/env bash
# One command runs the whole test suite: installs what the tests need when it is
# missing, then format check, clippy with warnings as errors, and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
# util-linux's `script` gives the progress-bar test a terminal; gdal-bin is the reference GDAL CLI.
# chromium (Debian's, never downloaded by npm) runs the web map's end-to-end test; python3-qgis
# (QGIS 3.22, headless) opens the service's QGIS project in tests/qgis.rs.
bash scripts/install-deps.sh libgdal-dev libsqlite3-dev gdal-bin pkg-config bsdutils unzip python3 python3-venv \
  postgresql-15-postgis-3 chromium python3-qgis
# Node.js and npm for web/: Debian's, unless the machine already has them.
command -v npm >/dev/null || bash scripts/install-deps.sh nodejs npm
# A real PostGIS for the store tests, stopped by its pid when the run ends.
eval "$(bash scripts/pg-test-server.sh)"
stop_pg() {
  kill -INT "$PG_TEST_PID" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$PG_TEST_PID" 2>/dev/null || break; sleep 0.2; done
  rm -rf "$PG_TEST_DIR"
}
trap stop_pg EXIT
# openapi-spec-validator (PyPI) checks the service's OpenAPI document independently.
VENV=target/test-venv
if [ ! -x "$VENV/bin/openapi-spec-validator" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check openapi-spec-validator
fi
export OPENAPI_SPEC_VALIDATOR="$PWD/$VENV/bin/openapi-spec-validator"
if [ -f web/package.json ]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --locked --all-targets -- -D warnings
echo "== cargo test"
mkdir -p target
cargo test --locked 2>&1 | tee target/test-output.log
# One closing line over every test binary and the doc tests.
awk '/^test result:/ { p += $4; f += $6 } END { printf "total: %d passed, %d failed\n", p, f }' target/test-output.log
# The book (docs/): generated reference pages, the e2e run's screenshots, mdbook build, links checked.
echo "== the book"
bash scripts/book.sh
