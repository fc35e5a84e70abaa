#!/usr/bin/env bash
# Builds the book (docs/, mdBook) into target/book and fails on a broken link.
#   1. writes the generated reference pages: every command's help (from clap, through the
#      binary) and the HTTP API (from the service's OpenAPI document);
#   2. copies the screenshots the book shows from the web map's e2e run (tests/output/screenshots,
#      written by `cargo test --test web_e2e`) and the QGIS test's map (tests/output/qgis) into
#      docs/src/images;
#   3. mdbook build, then checks every link and image in the HTML it wrote.
# scripts/test.sh runs it after the tests. BIN (default target/debug/energistasjon) is the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/debug/energistasjon}
[ -x "$BIN" ] || cargo build --locked -q
command -v mdbook >/dev/null || cargo install --locked mdbook --version 0.5.4 --no-default-features

echo "== book: the CLI reference from clap"
python3 docs/tools/cli_reference.py "$BIN" > docs/src/reference/cli.md

echo "== book: the HTTP API reference from the OpenAPI document"
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
log=$(mktemp)
db=$(mktemp -u /tmp/energistasjon-book.XXXXXX.sqlite)
"$BIN" --db "$db" --lang en serve --addr "127.0.0.1:$port" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log" "$db"*' EXIT
for _ in $(seq 120); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break
  kill -0 $pid 2>/dev/null || { cat "$log" >&2; echo "book.sh: serve stopped" >&2; exit 1; }
  sleep 0.5
done
curl -sf "http://127.0.0.1:$port/api" | python3 docs/tools/api_reference.py > docs/src/reference/api.md
kill $pid

echo "== book: screenshots from the e2e run"
shots=tests/output/screenshots
for img in docs/src/images/*.png; do
  name=$(basename "$img")
  src=$shots/$name
  # The QGIS test (tests/qgis.rs) renders its map image beside its project.
  [ "$name" = qgis-map.png ] && src=tests/output/qgis/map.png
  if [ -f "$src" ]; then cp "$src" "$img"
  elif [ "${CI:-}" = true ]; then echo "book.sh: the test run wrote no $src" >&2; exit 1
  fi
done

echo "== mdbook build docs"
mdbook build docs
python3 docs/tools/check_links.py target/book
