//! The road graph (issue #7, begun): topology from shared end points within a snapping
//! tolerance, lengths in metres, and connected components on the real N1000 roads.

mod common;

use energistasjon::config::RegionConfig;
use energistasjon::ingest::{load_region, LoadOptions, NoProgress};
use energistasjon::network::RoadGraph;

#[test]
fn the_largest_n1000_component_holds_at_least_95_percent_of_e_and_r_road_length() {
    let config = RegionConfig::load(&common::n1000_preset()).unwrap();
    let (region, report) = load_region(
        &config,
        &LoadOptions {
            data_dir: Some(common::shared_data()),
        },
        &NoProgress,
    );
    assert!(report.is_usable());
    let g = RoadGraph::build(&region, 1.0);
    let main_total: f64 = g.components.iter().map(|c| c.main_length_km).sum();
    let largest = &g.components[0];
    assert!(main_total > 5000.0, "{main_total} km of E and R roads");
    assert!(
        largest.main_length_km >= 0.95 * main_total,
        "the largest component holds {:.0} of {:.0} km of E and R roads ({} components)",
        largest.main_length_km,
        main_total,
        g.components.len()
    );
    // Lengths are metres of the links themselves: the graph holds every link.
    let total: f64 = g.components.iter().map(|c| c.length_km).sum();
    let links: f64 = region
        .roads
        .iter()
        .map(|r| {
            use geo::{Euclidean, Length};
            match &r.geometry {
                geo::Geometry::LineString(l) => Euclidean.length(l),
                geo::Geometry::MultiLineString(m) => m.0.iter().map(|l| Euclidean.length(l)).sum(),
                _ => 0.0,
            }
        })
        .sum::<f64>()
        / 1000.0;
    assert!((total - links).abs() < 1e-6 * links, "{total} vs {links}");
}

#[test]
fn end_points_within_the_tolerance_become_one_node_and_lengths_are_exact() {
    use energistasjon::domain::layers::{Oneway, Road, RoadCategory};
    use energistasjon::domain::{Feature, Region};
    use geo::{line_string, Geometry};
    let road = |id: &str, g: geo::LineString<f64>| Feature {
        id: id.into(),
        geometry: Geometry::LineString(g),
        attrs: Road {
            category: RoadCategory::European,
            number: Some(6),
            motorway: false,
            heavy_aadt: None,
            speed_kmh: None,
            oneway: Oneway::Both,
            ferry: false,
            name: None,
        },
    };
    let mut region = Region::new(String::from("fixture"));
    region.roads = vec![
        road("a", line_string![(x: 0.0, y: 0.0), (x: 3000.0, y: 4000.0)]),
        // Starts 0.4 m from a's end: joined at 1 m, apart at 0.1 m.
        road(
            "b",
            line_string![(x: 3000.4, y: 4000.0), (x: 6000.4, y: 4000.0)],
        ),
        road(
            "c",
            line_string![(x: 10_000.0, y: 0.0), (x: 10_100.0, y: 0.0)],
        ),
    ];
    let g = RoadGraph::build(&region, 1.0);
    assert_eq!(g.graph.node_count(), 5);
    assert_eq!(g.components.len(), 2);
    assert_eq!(g.components[0].length_km, 8.0);
    assert_eq!(g.components[1].length_km, 0.1);
    let strict = RoadGraph::build(&region, 0.1);
    assert_eq!(strict.components.len(), 3);
}
