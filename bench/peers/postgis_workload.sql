-- The peer-comparison workload in PostGIS: GiST indexes, ST_Contains joins and KNN
-- (<->) nearest-neighbour subqueries with LATERAL. Tables were loaded by ogr2ogr in
-- EPSG:25833 with -makevalid. :size is the grid spacing.
\set ON_ERROR_STOP on
CREATE INDEX ON kommuner USING gist (geom);
CREATE INDEX ON roads USING gist (geom);
CREATE INDEX ON rail USING gist (geom);
CREATE INDEX ON ports USING gist (geom);
CREATE INDEX ON grid_cap USING gist (geom);
CREATE INDEX ON forest USING gist (geom);
CREATE INDEX ON bog USING gist (geom);
CREATE INDEX ON lake USING gist (geom);
CREATE INDEX ON protected USING gist (geom);
CREATE TABLE main_roads AS SELECT geom FROM roads WHERE vegkategori IN ('E', 'R');
-- Substations are points; the grid file's polygons are capacity regions.
DELETE FROM grid_cap WHERE GeometryType(geom) <> 'POINT';
CREATE INDEX ON main_roads USING gist (geom);
ANALYZE;

CREATE TABLE pts AS
WITH e AS (
  SELECT ST_Extent(geom) AS b FROM kommuner WHERE left(kommunenummer, 2) IN ('03', '31', '32', '33', '39')
)
SELECT ix * :size + :size / 2.0 AS x, iy * :size + :size / 2.0 AS y,
       ST_SetSRID(ST_MakePoint(ix * :size + :size / 2.0, iy * :size + :size / 2.0), 25833) AS geom
FROM e,
     generate_series(floor(ST_XMin(b) / :size)::int, ceil(ST_XMax(b) / :size)::int - 1) AS ix,
     generate_series(floor(ST_YMin(b) / :size)::int, ceil(ST_YMax(b) / :size)::int - 1) AS iy;

CREATE TABLE cand AS
SELECT p.x, p.y, p.geom, k.kommunenummer
FROM pts p
CROSS JOIN LATERAL (
  SELECT kommunenummer FROM kommuner k WHERE ST_Contains(k.geom, p.geom) ORDER BY k.ogc_fid LIMIT 1
) k
WHERE left(k.kommunenummer, 2) IN ('03', '31', '32', '33', '39');

CREATE TABLE result AS
SELECT c.x, c.y, c.kommunenummer,
  (SELECT ST_Distance(r.geom, c.geom) FROM main_roads r ORDER BY r.geom <-> c.geom LIMIT 1) AS d_main_road,
  (SELECT ST_Distance(r.geom, c.geom) FROM roads r ORDER BY r.geom <-> c.geom LIMIT 1) AS d_road,
  (SELECT ST_Distance(r.geom, c.geom) FROM rail r ORDER BY r.geom <-> c.geom LIMIT 1) AS d_rail,
  (SELECT ST_Distance(r.geom, c.geom) FROM ports r ORDER BY r.geom <-> c.geom LIMIT 1) AS d_port,
  (SELECT ST_Distance(r.geom, c.geom) FROM grid_cap r ORDER BY r.geom <-> c.geom LIMIT 1) AS d_grid,
  CASE
    WHEN EXISTS (SELECT 1 FROM forest f WHERE ST_Contains(f.geom, c.geom)) THEN 'forest'
    WHEN EXISTS (SELECT 1 FROM bog f WHERE ST_Contains(f.geom, c.geom)) THEN 'bog'
    WHEN EXISTS (SELECT 1 FROM lake f WHERE ST_Contains(f.geom, c.geom)) THEN 'lake'
    ELSE ''
  END AS landcover,
  CASE WHEN EXISTS (SELECT 1 FROM protected f WHERE ST_Contains(f.geom, c.geom)) THEN 1 ELSE 0 END AS protected
FROM cand c;
