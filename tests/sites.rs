//! Site areas and the shortlist: a hand-built grid whose areas are known by hand, the N1000
//! shortlist for every profile checked with GDAL and geo, determinism, the API against the
//! CLI, the `sites-*` collections, and every bad input named.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use energistasjon::scoring::areas::{
    shortlist, Adjacency, Grower, GrowthRules, Rejection, ShortlistRules,
};
use energistasjon::scoring::{Candidate, Origin};
use geo::{Distance, Euclidean, Geometry, Point};
use serde_json::{json, Value};

/// A 100 m grid cell at column x, row y, with its municipality.
fn cell(x: i64, y: i64, municipality: u32) -> Candidate {
    let p = [x as f64 * 100.0 + 50.0, y as f64 * 100.0 + 50.0];
    Candidate {
        id: format!("c{x}_{y}"),
        name: None,
        geometry: Geometry::Point(Point::new(p[0], p[1])),
        point: p,
        area_m2: None,
        municipality: Some(municipality),
        landuse: None,
        origin: Origin::Grid { size: 100.0 },
    }
}

/// Two peaks on a strip, a ridge beyond them, and a low hill two rows north:
///
/// ```text
/// row 5:  50 50
/// row 0:  90 85 70 40 88 82 60 60 60 60
///         x=0 1  2  3  4  5  6  7  8  9
/// ```
fn hand_built() -> (Vec<Candidate>, Vec<f64>) {
    let strip = [90.0, 85.0, 70.0, 40.0, 88.0, 82.0, 60.0, 60.0, 60.0, 60.0];
    let mut cands: Vec<Candidate> = (0..10).map(|x| cell(x, 0, 0)).collect();
    let mut scores = strip.to_vec();
    cands.push(cell(0, 5, 1));
    cands.push(cell(1, 5, 1));
    scores.extend([50.0, 50.0]);
    (cands, scores)
}

fn order(scores: &[f64]) -> Vec<u32> {
    energistasjon::scoring::order_by_score(scores)
}

const GROWTH: GrowthRules = GrowthRules {
    max_score_drop: 10.0,
    max_area_m2: 30_000.0,
};

fn ids(cands: &[Candidate], members: &[u32]) -> Vec<String> {
    let mut v: Vec<String> = members
        .iter()
        .map(|&m| cands[m as usize].id.clone())
        .collect();
    v.sort();
    v
}

#[test]
fn areas_grow_from_each_peak_until_the_score_drops_or_the_area_is_full() {
    let (cands, scores) = hand_built();
    let adj = Adjacency::new(&cands);
    let o = order(&scores);
    let areas: Vec<_> = Grower::new(&adj, &scores, o.iter().copied(), GROWTH).collect();
    let got: Vec<Vec<String>> = areas.iter().map(|a| ids(&cands, &a.members)).collect();
    // Worked by hand: the peak at x=0 takes x=1 (85 ≥ 90−10) but not x=2 (70); the peak at
    // x=4 takes x=5 but not the valley; x=2 is left alone; the ridge fills 3 cells (30,000 m²)
    // and leaves x=9; the northern hill is one area; the valley comes last.
    let want: Vec<Vec<&str>> = vec![
        vec!["c0_0", "c1_0"],
        vec!["c4_0", "c5_0"],
        vec!["c2_0"],
        vec!["c6_0", "c7_0", "c8_0"],
        vec!["c9_0"],
        vec!["c0_5", "c1_5"],
        vec!["c3_0"],
    ];
    assert_eq!(got, want);
    assert_eq!(areas[0].best_score, 90.0);
    assert_eq!(areas[0].mean_score, 87.5);
    assert_eq!(areas[3].area_m2, 30_000.0);
}

#[test]
fn the_shortlist_passes_over_an_area_too_close_and_areas_too_small() {
    let (cands, scores) = hand_built();
    let adj = Adjacency::new(&cands);
    let o = order(&scores);
    let rules = ShortlistRules {
        k: 3,
        min_area_m2: 15_000.0,
        min_spacing_m: 250.0,
        max_per_municipality: None,
    };
    let list = shortlist(
        Grower::new(&adj, &scores, o.iter().copied(), GROWTH),
        &adj,
        &cands,
        &rules,
    );
    let picked: Vec<Vec<String>> = list
        .picks
        .iter()
        .map(|&a| ids(&cands, &list.areas[a].members))
        .collect();
    assert_eq!(
        picked,
        vec![
            vec!["c0_0", "c1_0"],
            vec!["c6_0", "c7_0", "c8_0"],
            vec!["c0_5", "c1_5"]
        ]
    );
    // x=4–5 lies 200 m from the first pick, edge to edge (cells 0–200 m and 400–600 m).
    assert_eq!(
        list.rejected,
        vec![
            (
                1,
                Rejection::TooClose {
                    pick: 0,
                    distance_m: 200.0
                }
            ),
            (
                2,
                Rejection::TooSmall {
                    area_m2: 10_000.0,
                    min_area_m2: 15_000.0
                }
            ),
            (
                4,
                Rejection::TooSmall {
                    area_m2: 10_000.0,
                    min_area_m2: 15_000.0
                }
            ),
        ]
    );
    // Only as many areas are grown as the shortlist needed: the valley never was.
    assert_eq!(list.areas.len(), 6);
}

#[test]
fn a_municipality_cap_passes_over_a_second_area_in_the_same_municipality() {
    let (cands, scores) = hand_built();
    let adj = Adjacency::new(&cands);
    let o = order(&scores);
    let rules = ShortlistRules {
        k: 2,
        min_area_m2: 15_000.0,
        min_spacing_m: 250.0,
        max_per_municipality: Some(1),
    };
    let list = shortlist(
        Grower::new(&adj, &scores, o.iter().copied(), GROWTH),
        &adj,
        &cands,
        &rules,
    );
    let picked: Vec<Vec<String>> = list
        .picks
        .iter()
        .map(|&a| ids(&cands, &list.areas[a].members))
        .collect();
    assert_eq!(picked, vec![vec!["c0_0", "c1_0"], vec!["c0_5", "c1_5"]]);
    assert!(list
        .rejected
        .contains(&(3, Rejection::MunicipalityFull { max: 1 })));
}

#[test]
fn the_pieces_of_a_split_parcel_stay_one_area_whatever_their_scores() {
    use geo::{polygon, Area};
    let square = |x: f64| -> Geometry<f64> {
        Geometry::Polygon(
            polygon![(x: x, y: 0.0), (x: x + 100.0, y: 0.0), (x: x + 100.0, y: 100.0), (x: x, y: 100.0)],
        )
    };
    let piece = |i: usize, x: f64, landuse: u32| Candidate {
        id: format!("p{landuse}_{i}"),
        name: Some("Lierstranda næringsområde".into()),
        geometry: square(x),
        point: [x + 50.0, 50.0],
        area_m2: Some(10_000.0),
        municipality: Some(0),
        landuse: None,
        origin: Origin::Parcel { landuse },
    };
    // Three pieces of parcel 7 in a row, the last far below the others; parcel 9 touches
    // the last piece and scores within reach of the seed.
    let cands = vec![
        piece(0, 0.0, 7),
        piece(1, 100.0, 7),
        piece(2, 200.0, 7),
        piece(0, 300.0, 9),
    ];
    let scores = vec![80.0, 78.0, 20.0, 75.0];
    let adj = Adjacency::new(&cands);
    let o = order(&scores);
    let rules = GrowthRules {
        max_score_drop: 10.0,
        max_area_m2: 1e9,
    };
    let areas: Vec<_> = Grower::new(&adj, &scores, o.iter().copied(), rules).collect();
    assert_eq!(areas.len(), 1, "{areas:?}");
    assert_eq!(areas[0].members.len(), 4);
    assert_eq!(areas[0].area_m2, 40_000.0);
    let outline = energistasjon::scoring::areas::outline(&adj, &cands, &areas[0]);
    assert!((outline.unsigned_area() - 40_000.0).abs() < 1e-6);
}

fn n1000(args: &[&str]) -> std::process::Output {
    common::n1000(args)
}

/// The polygons of a shortlist file in EPSG:25833, read back with GDAL.
fn polygons(path: &std::path::Path) -> Vec<(String, Geometry<f64>, f64)> {
    use gdal::vector::LayerAccess;
    let ds = gdal::Dataset::open(path).unwrap();
    let mut layer = ds.layer(0).unwrap();
    layer
        .features()
        .map(|f| {
            let name = f
                .field_as_string(f.field_index("name").unwrap())
                .unwrap()
                .unwrap();
            let area = f
                .field_as_double(f.field_index("area_m2").unwrap())
                .unwrap()
                .unwrap();
            let g: Geometry<f64> = f.geometry().unwrap().to_geo().unwrap();
            (name, g, area)
        })
        .collect()
}

#[test]
fn on_n1000_every_profile_shortlists_ten_named_areas_at_least_its_spacing_apart() {
    let dir = tempfile::tempdir().unwrap();
    for (profile, spacing_km) in [
        ("mcs-corridor", 20.0),
        ("depot", 5.0),
        ("hydrogen", 15.0),
        ("biogas", 10.0),
    ] {
        let gpkg = dir.path().join(format!("{profile}.gpkg"));
        let o = n1000(&[
            "shortlist",
            "--profile",
            profile,
            "--grid",
            "250",
            "--k",
            "10",
            "--json",
            "--out",
            gpkg.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", common::text(&o.stderr));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            v["rules"]["min_spacing_m"],
            spacing_km * 1000.0,
            "{profile}"
        );
        let sites = v["sites"].as_array().unwrap();
        assert_eq!(sites.len(), 10, "{profile}");
        let criteria = v["weights"].as_object().unwrap().len();
        for s in sites {
            let name = s["name"].as_str().unwrap();
            let best = s["best_candidate"].as_str().unwrap();
            assert!(
                !name.contains(best) && !name.starts_with('g') && name.len() > 3,
                "{profile}: '{name}' reads like an id"
            );
            assert_eq!(s["geometry"]["type"], "MultiPolygon", "{profile}");
            assert!(s["area_m2"].as_f64().unwrap() >= 10_000.0, "{profile}");
            let b = &s["breakdown"];
            assert_eq!(b["id"], best);
            assert_eq!(b["criteria"].as_array().unwrap().len(), criteria);
            let points: f64 = b["criteria"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["points"].as_f64().unwrap())
                .sum();
            assert!((points - s["best_score"].as_f64().unwrap()).abs() < 1e-6);
        }
        // Independently of the product: GDAL reads the polygons back, geo measures them.
        let shapes = polygons(&gpkg);
        assert_eq!(shapes.len(), 10);
        for (i, (name, g, area)) in shapes.iter().enumerate() {
            use geo::Area;
            assert!((g.unsigned_area() - area).abs() < 1.0, "{profile} {name}");
            for (other, h, _) in &shapes[i + 1..] {
                let d = Euclidean.distance(g, h);
                assert!(
                    d >= spacing_km * 1000.0 - 1e-6,
                    "{profile}: {name} and {other} are {d:.0} m apart"
                );
            }
        }
        let names: std::collections::HashSet<&str> =
            shapes.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(names.len(), 10, "{profile}: names repeat");
    }
}

#[test]
fn the_same_inputs_give_the_same_areas_names_and_order_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for run in 0..2 {
        let file = dir.path().join(format!("run{run}.geojson"));
        let o = n1000(&[
            "shortlist",
            "--profile",
            "hydrogen",
            "--grid",
            "1000",
            "--k",
            "15",
            "--json",
            "--out",
            file.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", common::text(&o.stderr));
        outputs.push((o.stdout, std::fs::read(&file).unwrap()));
    }
    assert!(
        outputs[0].0 == outputs[1].0,
        "the JSON differs between runs"
    );
    assert!(
        outputs[0].1 == outputs[1].1,
        "the file differs between runs"
    );
}

async fn shortlist_api(state: energistasjon::api::AppState, body: Value) -> (StatusCode, Value) {
    let (s, _, v) = common::request(
        state,
        Request::post("/api/shortlist")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await;
    (s, v)
}

#[tokio::test]
async fn the_api_shortlist_with_new_weights_equals_the_clis() {
    let weights = "logistics=5,landuse=5,grid_capacity=40,grid_distance=20,main_road=20,area=10";
    let o = common::run(&[
        "shortlist",
        "--profile",
        "depot",
        "--k",
        "6",
        "--min-spacing-km",
        "3",
        "--weights",
        weights,
        "--json",
    ]);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let cli: Value = serde_json::from_slice(&o.stdout).unwrap();
    let (s, api) = shortlist_api(
        common::demo_state(),
        json!({"profile": "depot", "k": 6, "min_spacing_km": 3,
               "weights": {"logistics": 5, "landuse": 5, "grid_capacity": 40, "grid_distance": 20, "main_road": 20, "area": 10}}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{api}");
    assert_eq!(api["sites"].as_array().unwrap().len(), 6);
    assert_eq!(api["sites"], cli["sites"]);
    assert_eq!(api["passed_over"], cli["passed_over"]);
    assert_eq!(api["weights"]["grid_capacity"], 40.0);
    // The new weights changed the answer: the profile's own shortlist differs.
    let (_, own) = shortlist_api(
        common::demo_state(),
        json!({"profile": "depot", "k": 6, "min_spacing_km": 3}),
    )
    .await;
    assert_ne!(own["sites"], api["sites"]);
}

#[tokio::test]
async fn the_split_parts_of_one_parcel_are_listed_once() {
    let (s, v) = shortlist_api(
        common::demo_state(),
        json!({"profile": "mcs-corridor", "k": 10, "min_spacing_km": 0}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = v["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let lier = names
        .iter()
        .filter(|n| n.starts_with("Lierstranda næringsområde"))
        .count();
    assert_eq!(lier, 1, "{names:?}");
    let unique: std::collections::HashSet<&&str> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "{names:?}");
}

#[tokio::test]
async fn every_bad_shortlist_request_is_a_problem_json_naming_the_parameter() {
    for (body, parameter) in [
        (json!({"profile": "depot", "k": 0}), "k"),
        (json!({"profile": "depot", "k": 101}), "k"),
        (
            json!({"profile": "depot", "min_spacing_km": -1}),
            "min_spacing_km",
        ),
        (
            json!({"profile": "depot", "min_area_ha": -0.5}),
            "min_area_ha",
        ),
        (
            json!({"profile": "depot", "max_per_municipality": 0}),
            "max_per_municipality",
        ),
        (json!({"profile": "nope"}), "profile"),
        (
            json!({"profile": "depot", "weights": {"area": 50}}),
            "weights",
        ),
        (
            json!({"profile": "depot", "candidates": "grid"}),
            "candidates",
        ),
        (json!({"profile": "depot", "status": "sold"}), "status"),
    ] {
        let (s, v) = shortlist_api(common::demo_state(), body.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert_eq!(v["parameter"], parameter, "{body}: {v}");
    }
}

#[test]
fn bad_shortlist_flags_are_refused_before_any_loading_and_name_the_flag() {
    for (args, flag) in [
        (vec!["--k", "0"], "--k"),
        (vec!["--min-spacing-km", "-2"], "--min-spacing-km"),
        (vec!["--min-area-ha", "-1"], "--min-area-ha"),
        (vec!["--weights", "area=50"], "--weights"),
    ] {
        let mut all = vec!["shortlist", "--profile", "depot"];
        all.extend(args);
        let o = common::run(&all);
        common::assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(2), "{all:?}");
        let err = common::text(&o.stderr);
        assert!(err.contains(flag), "{all:?}: {err}");
    }
    let o = common::run(&["shortlist", "--profile", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(common::text(&o.stderr).contains("nope"));
}

#[test]
fn a_region_without_parcels_says_why_and_what_to_do_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.geojson");
    for args in [
        vec!["shortlist", "--profile", "mcs-corridor"],
        vec![
            "export",
            "--profile",
            "mcs-corridor",
            "--out",
            out.to_str().unwrap(),
        ],
        vec![
            "score",
            "--profile",
            "depot",
            "--parcels",
            "--out",
            out.to_str().unwrap(),
        ],
    ] {
        let o = n1000(&args);
        assert!(!o.status.success(), "{args:?} succeeded");
        let err = common::text(&o.stderr);
        assert!(
            err.contains("ingen kandidater") && err.contains("--grid 250"),
            "{args:?}: {err}"
        );
        assert!(!out.exists(), "{args:?} wrote a file");
    }
}

#[tokio::test]
async fn the_sites_collection_serves_named_polygons_best_first() {
    let state = common::demo_state();
    let (s, _, v) = common::request(
        state.clone(),
        Request::get("/collections/sites-depot/items?limit=5")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let f = v["features"].as_array().unwrap();
    assert_eq!(f.len(), 5);
    let scores: Vec<f64> = f
        .iter()
        .map(|x| x["properties"]["best_score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    for x in f {
        assert!(matches!(
            x["geometry"]["type"].as_str(),
            Some("Polygon" | "MultiPolygon")
        ));
        assert!(!x["properties"]["name"].as_str().unwrap().is_empty());
    }
    // The default shortlist's first is the collection's first.
    let (_, list) = shortlist_api(state, json!({"profile": "depot"})).await;
    assert_eq!(f[0]["id"], list["sites"][0]["id"]);
    assert_eq!(f[0]["properties"]["shortlist_rank"], 1);
}
