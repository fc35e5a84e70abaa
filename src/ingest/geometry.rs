//! GDAL geometries → `geo` geometries, with repair of invalid polygons.
//!
//! The conversion is our own rather than gdal's `to_geo`, because that one rejects
//! 2.5D types and panics on some malformed collections; a planner's file must never
//! crash the service.

use gdal::cpl::CslStringList;
use gdal::vector::{
    geometry_type_flatten, Geometry as GdalGeometry, OGRwkbGeometryType as T, ToGdal,
};
use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};

/// Convert a GDAL geometry to a 2D `geo` geometry. Curves and other exotic types are
/// an error with a hint, not a crash.
pub fn to_geo(g: &GdalGeometry) -> Result<Geometry<f64>, String> {
    let kind = geometry_type_flatten(g.geometry_type());
    match kind {
        T::wkbPoint => {
            let (x, y, _) = g.get_point(0);
            Ok(Geometry::Point(Point::new(x, y)))
        }
        T::wkbLineString | T::wkbLinearRing => Ok(Geometry::LineString(line_string(g))),
        T::wkbPolygon => Ok(Geometry::Polygon(polygon(g))),
        T::wkbMultiPoint => {
            let mut points = Vec::with_capacity(g.geometry_count());
            for i in 0..g.geometry_count() {
                let (x, y, _) = g.get_geometry(i).get_point(0);
                points.push(Point::new(x, y));
            }
            Ok(Geometry::MultiPoint(MultiPoint(points)))
        }
        T::wkbMultiLineString => Ok(Geometry::MultiLineString(MultiLineString(
            (0..g.geometry_count())
                .map(|i| line_string(&g.get_geometry(i)))
                .collect(),
        ))),
        T::wkbMultiPolygon => Ok(Geometry::MultiPolygon(MultiPolygon(
            (0..g.geometry_count())
                .map(|i| polygon(&g.get_geometry(i)))
                .collect(),
        ))),
        T::wkbGeometryCollection => {
            let mut parts = Vec::with_capacity(g.geometry_count());
            for i in 0..g.geometry_count() {
                parts.push(to_geo(&g.get_geometry(i))?);
            }
            Ok(Geometry::GeometryCollection(geo::GeometryCollection(parts)))
        }
        other => Err(format!(
            "geometry type {} is not supported; convert it with `ogr2ogr -nlt CONVERT_TO_LINEAR`",
            gdal::vector::geometry_type_to_name(other)
        )),
    }
}

fn line_string(g: &GdalGeometry) -> LineString<f64> {
    let mut pts = Vec::with_capacity(g.point_count());
    g.get_points(&mut pts);
    LineString(pts.into_iter().map(|(x, y, _)| Coord { x, y }).collect())
}

fn polygon(g: &GdalGeometry) -> Polygon<f64> {
    let n = g.geometry_count();
    if n == 0 {
        return Polygon::new(LineString(vec![]), vec![]);
    }
    let exterior = line_string(&g.get_geometry(0));
    let interiors = (1..n).map(|i| line_string(&g.get_geometry(i))).collect();
    Polygon::new(exterior, interiors)
}

/// What happened to a geometry on its way in.
#[derive(Debug, PartialEq)]
pub enum Repair {
    None,
    /// Made valid by GDAL's MakeValid (GEOS); the reason is GEOS's own.
    Repaired(String),
}

/// Make a polygonal geometry valid where that is safe: the repaired shape must keep
/// a polygonal part with area. Lines and points pass unchanged.
pub fn repair(g: GdalGeometry) -> Result<(GdalGeometry, Repair), String> {
    let kind = geometry_type_flatten(g.geometry_type());
    let polygonal = matches!(kind, T::wkbPolygon | T::wkbMultiPolygon);
    if !polygonal || g.is_valid() {
        return Ok((g, Repair::None));
    }
    let reason = invalid_reason(&g);
    // GEOS refuses unclosed rings outright; geo's Polygon::new closes them, which is
    // what every GIS reading the file would assume anyway.
    let closed = to_geo(&g)
        .and_then(|geom| geom.to_gdal().map_err(|e| e.to_string()))
        .unwrap_or(g);
    let fixed = closed
        .make_valid(&CslStringList::new())
        .map_err(|e| format!("invalid polygon ({reason}) that GDAL could not repair: {e}"))?;
    let polygons = keep_polygons(fixed)?;
    if polygons.area() <= 0.0 {
        return Err(format!(
            "invalid polygon ({reason}) with no area left after repair"
        ));
    }
    Ok((polygons, Repair::Repaired(reason)))
}

/// MakeValid may return a collection with stray lines; keep the polygons only.
fn keep_polygons(g: GdalGeometry) -> Result<GdalGeometry, String> {
    let kind = geometry_type_flatten(g.geometry_type());
    if matches!(kind, T::wkbPolygon | T::wkbMultiPolygon) {
        return Ok(g);
    }
    let mut out = GdalGeometry::empty(T::wkbMultiPolygon).map_err(|e| e.to_string())?;
    for i in 0..g.geometry_count() {
        let part = g.get_geometry(i);
        match geometry_type_flatten(part.geometry_type()) {
            T::wkbPolygon => out.add_geometry(part.clone()).map_err(|e| e.to_string())?,
            T::wkbMultiPolygon => {
                for j in 0..part.geometry_count() {
                    out.add_geometry(part.get_geometry(j).clone())
                        .map_err(|e| e.to_string())?;
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// geo's validator says what is wrong in words a planner can act on.
fn invalid_reason(g: &GdalGeometry) -> String {
    use geo::Validation;
    to_geo(g)
        .ok()
        .and_then(|geom| geom.check_validation().err())
        .map(|e| e.to_string())
        .unwrap_or_else(|| "self-intersection or bad ring".to_string())
}

/// Every coordinate finite: PROJ marks failed transforms with infinities.
pub fn all_finite(g: &Geometry<f64>) -> bool {
    use geo::CoordsIter;
    g.coords_iter().all(|c| c.x.is_finite() && c.y.is_finite())
}

/// A GeoJSON geometry object → a `geo` geometry. Every position is checked for an x and a y
/// that are finite numbers first: the geojson crate's conversion indexes positions without
/// looking and panics on `[1]`.
pub fn from_geojson(value: &serde_json::Value) -> Result<Geometry<f64>, String> {
    let g: geojson::Geometry = serde_json::from_value(value.clone())
        .map_err(|e| format!("not a GeoJSON geometry: {e}"))?;
    check_positions(&g.value)?;
    g.try_into()
        .map_err(|e: geojson::Error| format!("not a usable geometry: {e}"))
}

fn check_positions(v: &geojson::GeometryValue) -> Result<(), String> {
    use geojson::GeometryValue as V;
    let one = |p: &geojson::Position| -> Result<(), String> {
        if p.len() < 2 || !p.as_slice().iter().all(|c| c.is_finite()) {
            return Err(format!(
                "the position {p:?} is not an x and a y (finite numbers)"
            ));
        }
        Ok(())
    };
    match v {
        V::Point { coordinates } => one(coordinates),
        V::MultiPoint { coordinates } | V::LineString { coordinates } => {
            coordinates.iter().try_for_each(one)
        }
        V::MultiLineString { coordinates } | V::Polygon { coordinates } => {
            coordinates.iter().flatten().try_for_each(one)
        }
        V::MultiPolygon { coordinates } => coordinates.iter().flatten().flatten().try_for_each(one),
        V::GeometryCollection { geometries } => geometries
            .iter()
            .try_for_each(|g| check_positions(&g.value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_geojson_position_without_a_y_is_an_error_not_a_panic() {
        // Found by the proposal_geojson fuzz target: the geojson crate indexes [1] unchecked.
        let g = serde_json::json!({"type": "Polygon", "coordinates": [[[600000.0], [1.0, 2.0]]]});
        let e = from_geojson(&g).unwrap_err();
        assert!(e.contains("not an x and a y"), "{e}");
        let ok = serde_json::json!({"type": "Point", "coordinates": [10.8, 59.9]});
        assert!(matches!(from_geojson(&ok), Ok(Geometry::Point(_))));
    }

    #[test]
    fn a_bowtie_polygon_is_repaired_into_two_triangles() {
        let g = GdalGeometry::from_wkt("POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))").unwrap();
        let (fixed, repair) = repair(g).unwrap();
        assert!(matches!(repair, Repair::Repaired(_)));
        assert!((fixed.area() - 50.0).abs() < 1e-9);
        match to_geo(&fixed).unwrap() {
            Geometry::MultiPolygon(mp) => assert_eq!(mp.0.len(), 2),
            other => panic!("expected a multipolygon, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_polygon_passes_unchanged() {
        let g = GdalGeometry::from_wkt("POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))").unwrap();
        let (_, repair) = repair(g).unwrap();
        assert_eq!(repair, Repair::None);
    }

    #[test]
    fn three_d_lines_convert_to_two_d() {
        let g = GdalGeometry::from_wkt("LINESTRING Z (0 0 5, 1 1 6)").unwrap();
        match to_geo(&g).unwrap() {
            Geometry::LineString(ls) => assert_eq!(
                ls.0,
                vec![Coord { x: 0.0, y: 0.0 }, Coord { x: 1.0, y: 1.0 }]
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn curves_are_an_error_with_a_hint_not_a_panic() {
        let g = GdalGeometry::from_wkt("CIRCULARSTRING (0 0, 1 1, 2 0)").unwrap();
        let err = to_geo(&g).unwrap_err();
        assert!(err.contains("CONVERT_TO_LINEAR"), "{err}");
    }
}
