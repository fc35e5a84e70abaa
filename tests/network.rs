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

mod fixture {
    use energistasjon::domain::afir::Tent;
    use energistasjon::domain::corridor::{CorridorSpec, CorridorsFile, NetworkSettings};
    use energistasjon::domain::layers::{Oneway, Road, RoadCategory, Station, StationKind};
    use energistasjon::domain::{Feature, Region};
    use geo::{Geometry, LineString, Point};

    pub fn road(id: &str, cat: RoadCategory, n: Option<u32>, pts: &[(f64, f64)]) -> Feature<Road> {
        Feature {
            id: id.into(),
            geometry: Geometry::LineString(LineString::from(pts.to_vec())),
            attrs: Road {
                category: cat,
                number: n,
                motorway: false,
                heavy_aadt: None,
                speed_kmh: None,
                oneway: Oneway::Both,
                ferry: false,
                name: None,
            },
        }
    }

    pub fn station(
        id: &str,
        x: f64,
        y: f64,
        kw: Option<f64>,
        kind: StationKind,
    ) -> Feature<Station> {
        Feature {
            id: id.into(),
            geometry: Geometry::Point(Point::new(x, y)),
            attrs: Station {
                kind,
                name: Some(id.into()),
                power_kw: kw,
                max_point_kw: None,
                points: None,
                heavy: true,
            },
        }
    }

    /// A 200 km E6 from x = 0 to x = 200 km along y = 0, split where side roads join.
    pub fn corridor_region() -> Region {
        let e6 = |id: &str, a: f64, b: f64| {
            road(id, RoadCategory::European, Some(6), &[(a, 0.0), (b, 0.0)])
        };
        let mut r = Region::new("fixture corridor");
        r.roads = vec![
            e6("e6-a", 0.0, 30_000.0),
            e6("e6-b", 30_000.0, 100_000.0),
            e6("e6-c", 100_000.0, 150_000.0),
            e6("e6-d", 150_000.0, 170_000.0),
            e6("e6-e", 170_000.0, 200_000.0),
            // Side roads: 800 m at km 30, 2.5 km at km 170, 5 km at km 150.
            road(
                "k30",
                RoadCategory::Municipal,
                Some(1),
                &[(30_000.0, 0.0), (30_000.0, 800.0)],
            ),
            road(
                "k170",
                RoadCategory::Municipal,
                Some(2),
                &[(170_000.0, 0.0), (170_000.0, 2500.0)],
            ),
            road(
                "k150",
                RoadCategory::Municipal,
                Some(3),
                &[(150_000.0, 0.0), (150_000.0, 5000.0)],
            ),
        ];
        r.stations = vec![
            // At the end of the 800 m side road: km 30, 0.8 km off.
            station("s30", 30_000.0, 800.0, Some(4000.0), StationKind::Charging),
            // Beside the corridor itself: km 100, 10 m off.
            station("s100", 100_000.0, 10.0, Some(3600.0), StationKind::Charging),
            // 2.5 km up a side road: counts (3 km limit).
            station("s170", 170_000.0, 2500.0, None, StationKind::Charging),
            // 5 km up a side road: too far to count.
            station(
                "s150",
                150_000.0,
                5000.0,
                Some(4000.0),
                StationKind::Charging,
            ),
            // On the corridor but too small for 2030 core.
            station("s60", 60_000.0, 0.0, Some(1000.0), StationKind::Charging),
        ];
        r
    }

    pub fn file(name: &str, refs: &[&str], tent: Tent) -> CorridorsFile {
        CorridorsFile {
            network: NetworkSettings::default(),
            corridors: vec![CorridorSpec {
                name: name.into(),
                refs: refs.iter().map(|s| s.to_string()).collect(),
                tent,
                from: [0.0, 0.0],
                to: [0.0, 0.0],
                note: String::new(),
            }],
            urban_nodes: Vec::new(),
        }
    }
}

#[test]
fn shortest_distances_on_a_hand_built_graph_equal_the_hand_computed_ones() {
    use energistasjon::domain::afir::Tent;
    use energistasjon::domain::layers::{Oneway, RoadCategory};
    use energistasjon::network::Network;
    use fixture::road;
    // A 3-4-5 triangle A(0,0) B(3000,0) C(3000,4000) plus a 10 km detour D, a one-way link
    // from C back to A only, and a ferry from A to E with a 30 km penalty.
    let mut region = energistasjon::domain::Region::new("graph");
    let mut oneway = road(
        "ca",
        RoadCategory::County,
        Some(1),
        &[(3000.0, 4000.0), (0.0, 0.0)],
    );
    oneway.attrs.oneway = Oneway::Forward;
    let mut ferry = road(
        "ferry",
        RoadCategory::Other,
        None,
        &[(0.0, 0.0), (0.0, -2000.0)],
    );
    ferry.attrs.ferry = true;
    region.roads = vec![
        road(
            "ab",
            RoadCategory::European,
            Some(6),
            &[(0.0, 0.0), (3000.0, 0.0)],
        ),
        road(
            "bc",
            RoadCategory::European,
            Some(6),
            &[(3000.0, 0.0), (3000.0, 4000.0)],
        ),
        oneway,
        road(
            "cd",
            RoadCategory::County,
            Some(2),
            &[(3000.0, 4000.0), (13_000.0, 4000.0)],
        ),
        ferry,
        road(
            "e",
            RoadCategory::County,
            Some(3),
            &[(0.0, -2000.0), (0.0, -3000.0)],
        ),
    ];
    let file = fixture::file("E6 A–C", &["E6"], Tent::Core);
    let n = Network::with(&region, &file, &[([0.0, 0.0], [3000.0, 4000.0])]);
    assert!(n.problems.is_empty(), "{:?}", n.problems);
    assert_eq!(n.corridors[0].length_m, 7000.0);
    let d = |a: [f64; 2], b: [f64; 2]| n.distance(a, b).unwrap().unwrap();
    // C to A: the one-way diagonal, 5 km. A to C: the one-way is closed, so 3 + 4 km.
    assert_eq!(d([3000.0, 4000.0], [0.0, 0.0]), 5000.0);
    assert_eq!(d([0.0, 0.0], [3000.0, 4000.0]), 7000.0);
    // A to D: 7 km to C, then 10 km.
    assert_eq!(d([0.0, 0.0], [13_000.0, 4000.0]), 17_000.0);
    // Halfway along a link: 1.5 km from A towards B, then on to C.
    assert_eq!(d([1500.0, 0.0], [3000.0, 4000.0]), 5500.0);
    // Across the ferry: 2 km sailing plus the 30 km penalty, then 1 km of road.
    assert_eq!(d([0.0, 0.0], [0.0, -3000.0]), 33_000.0);
    // Corridor access: D lies 10 km from the corridor's node C.
    let (access, _) = n.corridor_access([13_000.0, 4000.0], "D").unwrap().unwrap();
    assert_eq!(access, 10_000.0);
    let pos = n
        .position(0, [13_000.0, 4000.0], 20_000.0, "D")
        .unwrap()
        .unwrap();
    assert_eq!((pos.chainage_m, pos.access_m), (7000.0, 10_000.0));
}

#[test]
fn gap_analysis_on_a_fixture_corridor_reports_exactly_the_expected_gaps() {
    use energistasjon::domain::afir::{Rules, Tent};
    use energistasjon::network::coverage::{analyse, Options};
    use energistasjon::network::Network;
    let region = fixture::corridor_region();
    let file = fixture::file("E6 fixture", &["E6"], Tent::Core);
    let n = Network::with(&region, &file, &[([0.0, 0.0], [200_000.0, 0.0])]);
    assert!(n.problems.is_empty(), "{:?}", n.problems);
    assert_eq!(n.corridors[0].length_m, 200_000.0);
    let rules = Rules::builtin().unwrap();
    let r = analyse(&n, &region, &rules, 2030, &[], Options::default());
    let check = r.corridors[0]
        .checks
        .iter()
        .find(|k| k.rule == "hdv-2030")
        .unwrap();
    let counted: Vec<(&str, f64, f64)> = check
        .stations
        .iter()
        .map(|s| (s.id.as_str(), s.chainage_km, s.access_km))
        .collect();
    assert_eq!(
        counted,
        vec![
            ("s30", 30.0, 0.8),
            ("s100", 100.0, 0.01),
            ("s170", 170.0, 2.5)
        ]
    );
    assert_eq!(check.not_counted.len(), 1, "{:?}", check.not_counted);
    assert_eq!(check.not_counted[0].id, "s60");
    let gaps: Vec<(f64, f64, f64)> = check
        .gaps
        .iter()
        .map(|g| (g.from_km, g.to_km, g.excess_km))
        .collect();
    assert_eq!(gaps, vec![(30.0, 100.0, 10.0), (100.0, 170.0, 10.0)]);
    // The gap's geometry is the corridor between its chainages.
    use geo::{Euclidean, Length};
    assert_eq!(Euclidean.length(&check.gaps[0].geometry), 70_000.0);
    assert_eq!(check.covered_km, 60.0);
    assert_eq!(check.share_covered, 0.3);
    assert!(!check.pass);
    // 2025: 120 km spacing, 15 % of the length; s60 is still below 1 400 kW.
    let r25 = analyse(&n, &region, &rules, 2025, &[], Options::default());
    let k25 = &r25.corridors[0].checks[0];
    assert_eq!(k25.stations.len(), 3);
    assert_eq!(k25.not_counted[0].id, "s60");
    assert!(k25.gaps.is_empty() && k25.pass);
    // Assuming a site at km 65 closes the first gap only.
    let planned = vec![energistasjon::network::coverage::Planned {
        id: "new".into(),
        name: None,
        point: [65_000.0, 100.0],
        kind: energistasjon::domain::layers::StationKind::Charging,
        origin: energistasjon::network::coverage::Origin::Assumed,
    }];
    let r2 = analyse(&n, &region, &rules, 2030, &planned, Options::default());
    let k2 = &r2.corridors[0].checks[0];
    let gaps: Vec<(f64, f64)> = k2.gaps.iter().map(|g| (g.from_km, g.to_km)).collect();
    assert_eq!(gaps, vec![(100.0, 170.0)]);
}

#[test]
fn greedy_selection_is_compared_with_the_brute_force_optimum_on_small_cases() {
    use energistasjon::domain::afir::{Fuel, Rules, Tent};
    use energistasjon::network::select::{compare, select, Candidate, Objective, Options, Problem};
    use energistasjon::network::Network;
    let mut region = fixture::corridor_region();
    region.stations.clear();
    let file = fixture::file("E6 fixture", &["E6"], Tent::Core);
    let n = Network::with(&region, &file, &[([0.0, 0.0], [200_000.0, 0.0])]);
    let rules = Rules::builtin().unwrap();
    // 24 candidates beside the corridor at pseudo-random chainages.
    let mut seed = 7u64;
    let candidates: Vec<Candidate> = (0..24)
        .map(|i| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let km = (seed >> 33) as f64 / (1u64 << 31) as f64 * 200.0;
            Candidate {
                id: format!("c{i}"),
                point: [km * 1000.0, 50.0],
                score: 50.0 + i as f64,
            }
        })
        .collect();
    let mut report = Vec::new();
    for objective in [Objective::CloseGaps, Objective::CoverTraffic] {
        for k in 1..=5 {
            let o = Options {
                objective,
                k,
                year: 2030,
                fuel: Fuel::Electric,
                min_spacing_km: 5.0,
                radius_km: Some(30.0),
                ignore_power: false,
            };
            let p = Problem::new(&n, &region, &rules, &[], candidates.clone(), &o).unwrap();
            let c = compare(&p, k);
            assert!(c.greedy_gain <= c.optimal_gain + 1e-9, "{c:?}");
            // Coverage is submodular: greedy keeps at least 1 - 1/e of the optimum.
            if objective == Objective::CoverTraffic {
                assert!(c.ratio >= 1.0 - 1.0 / std::f64::consts::E, "{c:?}");
            }
            let s = select(&n, &region, &rules, &[], candidates.clone(), &o).unwrap();
            // The reported gains add up to the objective's change.
            let sum: f64 = s.picks.iter().map(|p| p.gain).sum();
            assert!((sum - (s.objective_before - s.objective_after).abs()).abs() < 1e-6);
            report.push(format!(
                "{} k={k}: greedy {:.1}, optimum {:.1}, ratio {:.3}",
                objective.name(),
                c.greedy_gain,
                c.optimal_gain,
                c.ratio
            ));
        }
    }
    // The table the issue note quotes.
    eprintln!("{}", report.join("\n"));
    // Three picks are enough to close every gap of a 200 km corridor with no stations.
    let o = Options {
        objective: Objective::CloseGaps,
        k: 5,
        year: 2030,
        fuel: Fuel::Electric,
        min_spacing_km: 5.0,
        radius_km: None,
        ignore_power: false,
    };
    let s = select(&n, &region, &rules, &[], candidates, &o).unwrap();
    assert_eq!(s.objective_after, 0.0, "{s:?}");
    assert!(s.remaining_gaps.is_empty());
}

#[test]
fn a_corridor_whose_links_do_not_meet_is_reported_with_where_it_breaks() {
    use energistasjon::domain::afir::Tent;
    use energistasjon::domain::layers::RoadCategory;
    use energistasjon::network::{Network, NetworkError};
    let mut region = energistasjon::domain::Region::new("broken");
    region.roads = vec![
        fixture::road(
            "a",
            RoadCategory::European,
            Some(6),
            &[(0.0, 0.0), (40_000.0, 0.0)],
        ),
        // Starts 50 m after a ends: more than the 1 m snapping tolerance.
        fixture::road(
            "b",
            RoadCategory::European,
            Some(6),
            &[(40_050.0, 0.0), (90_000.0, 0.0)],
        ),
    ];
    let file = fixture::file("E6 broken", &["E6"], Tent::Core);
    let n = Network::with(&region, &file, &[([0.0, 0.0], [90_000.0, 0.0])]);
    assert!(n.corridors.is_empty());
    match &n.problems[..] {
        [NetworkError::Disconnected {
            corridor,
            reached_km,
            gap_m,
            ..
        }] => {
            assert_eq!(corridor, "E6 broken");
            assert_eq!(*reached_km, 40.0);
            assert_eq!(*gap_m, 50.0);
        }
        other => panic!("{other:?}"),
    }
    let text = n.problems[0].to_string();
    assert!(
        text.contains("do not connect") && text.contains("snap_m"),
        "{text}"
    );
}

fn n1000() -> energistasjon::domain::Region {
    let config = RegionConfig::load(&common::n1000_preset()).unwrap();
    let (region, report) = load_region(
        &config,
        &LoadOptions {
            data_dir: Some(common::shared_data()),
        },
        &NoProgress,
    );
    assert!(report.is_usable());
    region
}

#[test]
fn alnabru_to_svinesund_by_road_is_within_3_percent_of_the_e6_polyline() {
    use energistasjon::domain::layers::RoadCategory;
    use energistasjon::ingest::crs::reproject_point;
    use energistasjon::network::Network;
    use geo::{Distance, Euclidean};
    let region = n1000();
    let n = Network::build(&region).unwrap();
    assert!(n.problems.is_empty(), "{:?}", n.problems);
    let (ax, ay) = reproject_point(10.8470, 59.9260, "EPSG:4326").unwrap();
    let (sx, sy) = reproject_point(11.2490, 59.0950, "EPSG:4326").unwrap();
    let by_road = n.distance([ax, ay], [sx, sy]).unwrap().unwrap();
    // The E6 polyline between the two: the corridor is the path over E6 links alone, from
    // Svinesund to Alnabru, taking the shorter branch where E6 splits near Oslo.
    let corridor = n.corridors[n.corridor_index("E6 Svinesund–Oslo").unwrap()].length_m;
    let c = &n.corridors[n.corridor_index("E6 Svinesund–Oslo").unwrap()];
    // Every vertex of that path lies on an E6 link of the source data.
    let e6: Vec<&geo::Geometry<f64>> = region
        .roads
        .iter()
        .filter(|r| r.attrs.category == RoadCategory::European && r.attrs.number == Some(6))
        .map(|r| &r.geometry)
        .collect();
    for p in c.line.points().step_by(25) {
        let d = e6
            .iter()
            .map(|g| Euclidean.distance(*g, &p))
            .fold(f64::INFINITY, f64::min);
        assert!(d < 0.01, "corridor vertex {p:?} is {d} m from E6");
    }
    eprintln!("Alnabru–Svinesund: by road {by_road:.0} m, along E6 {corridor:.0} m");
    assert!(corridor > 100_000.0 && corridor < 130_000.0, "{corridor}");
    assert!(
        (by_road - corridor).abs() / corridor <= 0.03,
        "by road {by_road:.0} m, along E6 {corridor:.0} m"
    );
}

#[test]
fn check_data_prints_the_components_and_the_corridors() {
    let data = common::shared_data();
    let preset = common::n1000_preset();
    let o = common::run(&[
        "check-data",
        "--region",
        preset.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
        "--json",
    ]);
    common::assert_no_panic(&o);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let net = &j["network"];
    assert_eq!(net["snap_m"], 1.0);
    assert!(net["main_share_largest"].as_f64().unwrap() >= 0.95, "{net}");
    assert!(net["components"].as_u64().unwrap() > 1);
    assert_eq!(net["corridors"].as_array().unwrap().len(), 8);
    // The text report has the same, in bokmål.
    let o = common::run(&["check-data"]);
    let text = common::text(&o.stdout);
    assert!(
        text.contains("Vegnett:") && text.contains("snappetoleranse 1 m"),
        "{text}"
    );
    assert!(
        text.contains("sammenhengende deler") && text.contains("E6 Svinesund–Oslo"),
        "{text}"
    );
}
