//! Every index query equals a brute-force scan, on random geometries (proptest).

use energistasjon::index::{PartIndex, PolygonIndex};
use geo::{
    Area, BooleanOps, Contains, Distance, Euclidean, Geometry, LineString, MultiPolygon, Point,
    Polygon,
};
use proptest::prelude::*;

fn coord() -> impl Strategy<Value = (f64, f64)> {
    (-1000.0..1000.0f64, -1000.0..1000.0f64)
}

fn line_or_point() -> impl Strategy<Value = Geometry<f64>> {
    prop_oneof![
        coord().prop_map(|(x, y)| Geometry::Point(Point::new(x, y))),
        prop::collection::vec(coord(), 2..6)
            .prop_map(|c| Geometry::LineString(LineString::from(c))),
    ]
}

/// A star-shaped polygon around a centre: always simple, often concave.
fn star() -> impl Strategy<Value = Polygon<f64>> {
    (coord(), prop::collection::vec(20.0..300.0f64, 3..12)).prop_map(|((cx, cy), radii)| {
        let n = radii.len();
        let ring: Vec<(f64, f64)> = radii
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let a = i as f64 / n as f64 * std::f64::consts::TAU;
                (cx + r * a.cos(), cy + r * a.sin())
            })
            .collect();
        Polygon::new(LineString::from(ring), vec![])
    })
}

fn brute_nearest(geoms: &[Geometry<f64>], p: Point<f64>) -> f64 {
    geoms
        .iter()
        .map(|g| Euclidean.distance(g, &p))
        .fold(f64::INFINITY, f64::min)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn nearest_equals_a_brute_force_scan(geoms in prop::collection::vec(line_or_point(), 1..40), (x, y) in coord()) {
        let idx = PartIndex::new(&geoms);
        let (feature, d) = idx.nearest([x, y]).unwrap();
        let p = Point::new(x, y);
        let expected = brute_nearest(&geoms, p);
        prop_assert!((d - expected).abs() < 1e-6, "{d} vs {expected}");
        prop_assert!((Euclidean.distance(&geoms[feature as usize], &p) - d).abs() < 1e-6);
    }

    #[test]
    fn within_returns_exactly_the_features_a_scan_finds(geoms in prop::collection::vec(line_or_point(), 1..40), (x, y) in coord(), r in 0.0..600.0f64) {
        let idx = PartIndex::new(&geoms);
        let p = Point::new(x, y);
        let mut got: Vec<u32> = idx.within([x, y], r).into_iter().map(|(f, _)| f).collect();
        got.sort_unstable();
        let expected: Vec<u32> = geoms
            .iter()
            .enumerate()
            .filter(|(_, g)| Euclidean.distance(*g, &p) <= r)
            .map(|(i, _)| i as u32)
            .collect();
        // Floating-point ties at exactly r are the only allowed difference.
        let boundary = |i: &u32| (Euclidean.distance(&geoms[*i as usize], &p) - r).abs() < 1e-9;
        let diff: Vec<u32> = got.iter().filter(|i| !expected.contains(i)).chain(expected.iter().filter(|i| !got.contains(i))).copied().collect();
        prop_assert!(diff.iter().all(boundary), "got {got:?}, expected {expected:?}");
    }

    #[test]
    fn containment_equals_geo_contains(polys in prop::collection::vec(star(), 1..15), (x, y) in coord()) {
        let geoms: Vec<Geometry<f64>> = polys.iter().cloned().map(Geometry::Polygon).collect();
        let idx = PolygonIndex::new(&geoms);
        let p = Point::new(x, y);
        let expected: Vec<u32> = polys.iter().enumerate().filter(|(_, q)| q.contains(&p)).map(|(i, _)| i as u32).collect();
        prop_assert_eq!(idx.containing([x, y]), expected);
    }

    #[test]
    fn polygon_distance_is_zero_inside_and_to_the_boundary_outside(polys in prop::collection::vec(star(), 1..15), (x, y) in coord()) {
        let geoms: Vec<Geometry<f64>> = polys.iter().cloned().map(Geometry::Polygon).collect();
        let idx = PolygonIndex::new(&geoms);
        let p = Point::new(x, y);
        let (_, d) = idx.nearest([x, y]).unwrap();
        let expected = brute_nearest(&geoms, p);
        prop_assert!((d - expected).abs() < 1e-6, "{d} vs {expected}");
    }

    #[test]
    fn overlap_areas_equal_pairwise_intersections(polys in prop::collection::vec(star(), 1..10), probe in star()) {
        let geoms: Vec<Geometry<f64>> = polys.iter().cloned().map(Geometry::Polygon).collect();
        let idx = PolygonIndex::new(&geoms);
        let probe = MultiPolygon(vec![probe]);
        let got = idx.overlap_areas(&probe);
        for (i, q) in polys.iter().enumerate() {
            let area = MultiPolygon(vec![q.clone()]).intersection(&probe).unsigned_area();
            let found = got.iter().find(|(f, _)| *f == i as u32).map(|(_, a)| *a).unwrap_or(0.0);
            prop_assert!((area - found).abs() < 1e-6 * area.max(1.0), "polygon {i}: {found} vs {area}");
        }
    }
}
