#!/usr/bin/env bash
# Candidate-to-corridor network distances on the N1000 road graph, in energistasjon and in
# pgRouting, on the same graph, in one run. Both snap each of 10,000 study-area grid cells
# to its nearest non-ferry road link (within 1 km), run one Dijkstra from every corridor
# node at once (pgr_drivingDistance from a virtual source joined to every corridor node at
# zero cost), and take the cheaper end of the link.
# Checks that the distances agree, then prints the times and the ratio.
#
#   bench/compare_pgrouting.sh [DATA_DIR] [CANDIDATES]
#
# Installs postgresql-15-pgrouting on first use. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=$(realpath "${1:-../shared/data}")
N=${2:-10000}
OUT=$(mktemp -d /tmp/energistasjon-pgr.XXXXXX)
chmod 755 "$OUT"
PG_TEST_PID=""
cleanup() {
  if [ -n "$PG_TEST_PID" ]; then kill -INT "$PG_TEST_PID" 2>/dev/null || true; sleep 1; fi
  rm -rf "$OUT" "${PG_TEST_DIR:-/nonexistent}"
}
trap cleanup EXIT

bash scripts/install-deps.sh postgresql-15-postgis-3 postgresql-15-pgrouting bc
cargo build --release --locked -q

RUNS=${RUNS:-3}
best() { python3 -c "import sys;print(min(float(x) for x in sys.argv[1:]))" "$@"; }

echo "== energistasjon (best of $RUNS)"
times=()
for _ in $(seq "$RUNS"); do
  ./target/release/energistasjon bench-network --region data/presets/n1000/region.toml \
    --data-dir "$DATA" --candidates "$N" --out "$OUT/e" >"$OUT/e.json" 2>/dev/null
  times+=("$(python3 -c "import json;print(json.load(open('$OUT/e.json'))['distances_s'])")")
done
e_s=$(best "${times[@]}")
python3 -c "import json;d=json.load(open('$OUT/e.json'));print('   %d nodes, %d edges, %d corridor nodes, %d candidates (%d on the network)'%(d['nodes'],d['edges'],d['corridor_nodes'],d['candidates'],d['reached']))"
echo "   distances (one-to-all + snapping): ${e_s} s"

eval "$(bash scripts/pg-test-server.sh)"
PSQL=(psql -q -X -v ON_ERROR_STOP=1 "$ENERGISTASJON_TEST_PG")
cp "$OUT"/e/*.csv "$OUT/"
chmod 644 "$OUT"/*.csv
"${PSQL[@]}" <<SQL
CREATE EXTENSION postgis;
CREATE EXTENSION pgrouting;
CREATE TABLE edges (id bigint PRIMARY KEY, source bigint, target bigint, cost float8, reverse_cost float8, ferry boolean, wkt text);
\copy edges FROM '$OUT/edges.csv' CSV HEADER
ALTER TABLE edges ADD COLUMN geom geometry(LineString, 25833);
UPDATE edges SET geom = ST_GeomFromText(wkt, 25833);
CREATE INDEX ON edges USING gist (geom);
CREATE TABLE corridor_nodes (node bigint);
\copy corridor_nodes FROM '$OUT/corridor_nodes.csv' CSV HEADER
-- A virtual source joined to every corridor node at zero cost: one Dijkstra from it gives each
-- node's distance to the nearest corridor, as energistasjon's multi-source search does.
CREATE TABLE routing AS
  SELECT id, source, target, cost, reverse_cost FROM edges
  UNION ALL
  SELECT (SELECT max(id) FROM edges) + row_number() OVER (), -1, node, 0, -1 FROM corridor_nodes;
CREATE TABLE candidates (id int, x float8, y float8, edge text, distance_m text);
\copy candidates FROM '$OUT/candidates.csv' CSV HEADER
ALTER TABLE candidates ADD COLUMN geom geometry(Point, 25833);
UPDATE candidates SET geom = ST_SetSRID(ST_MakePoint(x, y), 25833);
ANALYZE;
SQL
echo "== pgRouting $("${PSQL[@]}" -At -c "SELECT pgr_version()") on PostGIS $("${PSQL[@]}" -At -c "SELECT postgis_lib_version()") (best of $RUNS)"
# The tree goes into an indexed temporary table before the join: joining a CTE of 11k rows
# 10,000 times twice makes the planner loop, and that would measure the SQL, not pgRouting.
QUERY="
SET client_min_messages = warning;
DROP TABLE IF EXISTS tree, result;
CREATE TEMP TABLE tree AS
  SELECT node, agg_cost FROM pgr_drivingDistance(
    'SELECT id, source, target, cost, reverse_cost FROM routing', -1, 1e12, directed => true);
CREATE INDEX ON tree (node);
ANALYZE tree;
CREATE TEMP TABLE result AS
WITH snapped AS (
  SELECT c.id, e.id AS edge, e.source, e.target, e.cost AS fwd, e.reverse_cost AS bwd,
         ST_Length(e.geom) AS len, ST_LineLocatePoint(e.geom, c.geom) * ST_Length(e.geom) AS along,
         ST_Distance(e.geom, c.geom) AS offroad
  FROM candidates c
  CROSS JOIN LATERAL (
    SELECT id, source, target, cost, reverse_cost, geom FROM edges
    WHERE NOT ferry AND ST_DWithin(geom, c.geom, 1000)
    ORDER BY geom <-> c.geom LIMIT 1) e
)
SELECT s.id, s.edge, s.offroad + LEAST(
  CASE WHEN s.fwd >= 0 THEN ts.agg_cost + s.along END,
  CASE WHEN s.bwd >= 0 THEN tt.agg_cost + s.len - s.along END) AS distance_m
FROM snapped s
LEFT JOIN tree ts ON ts.node = s.source
LEFT JOIN tree tt ON tt.node = s.target;"
now() { date +%s.%N; }
times=()
for _ in $(seq "$RUNS"); do
  t0=$(now)
  "${PSQL[@]}" -c "BEGIN;" -c "$QUERY" -c "COMMIT;" >/dev/null
  times+=("$(echo "$(now) - $t0" | bc)")
done
p_s=$(best "${times[@]}")
echo "   distances (pgr_drivingDistance + KNN snapping, one psql session): ${p_s} s"
tree_s=$("${PSQL[@]}" -At <<SQL | grep -E '^Time' | tail -1 | awk '{print $2/1000}'
\\timing on
SELECT count(*) FROM pgr_drivingDistance('SELECT id, source, target, cost, reverse_cost FROM routing', -1, 1e12, directed => true);
SQL
)
echo "   of which the one-to-all pgr_drivingDistance alone: ${tree_s} s"

# Same inputs, same answers: compare per candidate.
"${PSQL[@]}" -At <<SQL | tee "$OUT/check.txt"
$QUERY
SELECT 'candidates compared: ' || count(*) ||
       ', same nearest link: ' || count(*) FILTER (WHERE c.edge <> '' AND c.edge::bigint = r.edge) ||
       ', distances within 1 m: ' || count(*) FILTER (WHERE c.distance_m <> '' AND abs(c.distance_m::float8 - r.distance_m) <= 1.0) ||
       ', both unreached: ' || count(*) FILTER (WHERE c.distance_m = '' AND r.distance_m IS NULL)
FROM candidates c LEFT JOIN result r ON r.id = c.id;
SELECT 'largest differences (id, energistasjon m, pgRouting m):';
SELECT c.id || ' ' || round(c.distance_m::numeric, 1) || ' ' || round(r.distance_m::numeric, 1)
FROM candidates c JOIN result r ON r.id = c.id WHERE c.distance_m <> ''
ORDER BY abs(c.distance_m::float8 - r.distance_m) DESC LIMIT 5;
SQL
echo "== ratio pgRouting / energistasjon: $(python3 -c "print(round($p_s/$e_s, 1))")×"
