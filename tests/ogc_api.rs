//! OGC API Features through the router, in process: collections, paging by next links,
//! bbox against a brute-force filter, RFC 7946 geometry, and a 4xx for every bad request.

mod common;

use std::collections::HashSet;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use energistasjon::api::AppState;
use energistasjon::config::RegionConfig;
use energistasjon::ingest::{load_region, LoadOptions, NoProgress};
use serde_json::Value;

fn state(config: &std::path::Path, data_dir: Option<std::path::PathBuf>) -> AppState {
    let config = RegionConfig::load(config).unwrap();
    let (region, report) = load_region(&config, &LoadOptions { data_dir }, &NoProgress);
    assert!(report.is_usable());
    AppState::new(region, report).unwrap()
}

fn demo() -> AppState {
    common::demo_state()
}

fn n1000() -> AppState {
    static S: OnceLock<AppState> = OnceLock::new();
    S.get_or_init(|| state(&common::n1000_preset(), Some(common::shared_data())))
        .clone()
}

async fn get(state: AppState, uri: &str) -> (StatusCode, String, Value) {
    common::request(state, Request::get(uri).body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn the_landing_page_links_conformance_and_collections() {
    let (s, _, body) = get(demo(), "/").await;
    assert_eq!(s, StatusCode::OK);
    let rels: Vec<&str> = body["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect();
    for rel in ["self", "conformance", "data"] {
        assert!(rels.contains(&rel), "{rels:?}");
    }
    let (_, _, conf) = get(demo(), "/conformance").await;
    assert!(conf["conformsTo"]
        .to_string()
        .contains("ogcapi-features-1/1.0/conf/core"));
}

#[tokio::test]
async fn every_input_layer_and_every_profile_is_a_collection_with_an_extent() {
    let (s, _, body) = get(demo(), "/collections").await;
    assert_eq!(s, StatusCode::OK);
    let ids: Vec<&str> = body["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    for id in [
        "municipalities",
        "landuse",
        "roads",
        "rail",
        "terminals",
        "hub-clusters",
        "grid",
        "stations",
        "exclusion",
        "candidates-mcs-corridor",
        "candidates-depot",
        "candidates-hydrogen",
        "candidates-biogas",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let (_, _, roads) = get(demo(), "/collections/roads").await;
    let bbox = roads["extent"]["spatial"]["bbox"][0].as_array().unwrap();
    // The demo region lies around Oslo: about 10–12° E, 59–60.5° N.
    assert!(
        bbox[0].as_f64().unwrap() > 9.5 && bbox[2].as_f64().unwrap() < 12.5,
        "{bbox:?}"
    );
}

/// Follow next links from `first` and return every feature id seen, with numberMatched.
async fn walk(state: AppState, first: &str) -> (Vec<String>, u64) {
    let mut uri = first.to_string();
    let mut seen = Vec::new();
    let mut matched = None;
    for _ in 0..10_000 {
        let (s, ctype, body) = get(state.clone(), &uri).await;
        assert_eq!(s, StatusCode::OK, "{uri}: {body}");
        assert_eq!(ctype, "application/geo+json");
        let m = body["numberMatched"].as_u64().unwrap();
        assert_eq!(
            *matched.get_or_insert(m),
            m,
            "numberMatched changed while paging"
        );
        let feats = body["features"].as_array().unwrap();
        assert_eq!(body["numberReturned"].as_u64().unwrap(), feats.len() as u64);
        seen.extend(feats.iter().map(|f| f["id"].as_str().unwrap().to_string()));
        let next = body["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next");
        match next {
            Some(l) => {
                let href = l["href"].as_str().unwrap();
                uri = href[href.find("/collections").unwrap()..].to_string();
            }
            None => break,
        }
    }
    (seen, matched.unwrap_or(0))
}

#[tokio::test]
async fn following_next_links_visits_every_feature_exactly_once() {
    for collection in ["landuse", "roads", "candidates-depot"] {
        let (seen, matched) =
            walk(demo(), &format!("/collections/{collection}/items?limit=7")).await;
        let unique: HashSet<&String> = seen.iter().collect();
        assert_eq!(
            unique.len(),
            seen.len(),
            "{collection}: a feature came twice"
        );
        assert_eq!(seen.len() as u64, matched, "{collection}");
        assert!(matched > 7, "{collection}: too few features to page");
    }
}

#[tokio::test]
async fn bbox_filtering_agrees_with_a_brute_force_filter_on_n1000() {
    let state = n1000();
    let roads = state.collections.iter().find(|c| c.id == "roads").unwrap();
    let bbox = [10.6, 59.8, 11.0, 60.0];
    let expected: HashSet<String> = (0..roads.len())
        .filter(|&i| {
            // Brute force over every coordinate's bounding box, from the GeoJSON itself.
            let mut b = [
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ];
            for pt in roads.geometry(i, false)["coordinates"].as_array().unwrap() {
                let (x, y) = (pt[0].as_f64().unwrap(), pt[1].as_f64().unwrap());
                b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
            }
            b[0] <= bbox[2] && b[2] >= bbox[0] && b[1] <= bbox[3] && b[3] >= bbox[1]
        })
        .map(|i| roads.id_of(i).to_string())
        .collect();
    assert!(expected.len() > 50, "{}", expected.len());
    let (seen, matched) = walk(
        state,
        "/collections/roads/items?bbox=10.6,59.8,11.0,60.0&limit=1000",
    )
    .await;
    assert_eq!(matched as usize, expected.len());
    assert_eq!(seen.into_iter().collect::<HashSet<_>>(), expected);
}

const EPSG_25833: &str = "http://www.opengis.net/def/crs/EPSG/0/25833";

fn points(geometry: &Value) -> Vec<(f64, f64)> {
    fn walk(v: &Value, out: &mut Vec<(f64, f64)>) {
        match v.as_array() {
            Some(a) if a.len() >= 2 && a[0].is_number() => {
                out.push((a[0].as_f64().unwrap(), a[1].as_f64().unwrap()))
            }
            Some(a) => a.iter().for_each(|x| walk(x, out)),
            None => {}
        }
    }
    let mut out = Vec::new();
    walk(&geometry["coordinates"], &mut out);
    out
}

#[tokio::test]
async fn crs_25833_output_matches_gdals_reprojection_of_the_crs84_output() {
    use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
    let state = n1000();
    let uri = "/collections/roads/items?bbox=10.6,59.8,11.0,60.0&limit=200";
    let (_, _, lonlat) = get(state.clone(), uri).await;
    let (s, _, metres) = get(state.clone(), &format!("{uri}&crs={EPSG_25833}")).await;
    assert_eq!(s, StatusCode::OK);
    let (_, headers) = {
        use tower::ServiceExt;
        let resp = energistasjon::api::router(state)
            .oneshot(
                Request::get(format!("{uri}&crs={EPSG_25833}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        (resp.status(), resp.headers().clone())
    };
    assert_eq!(headers["content-crs"], format!("<{EPSG_25833}>").as_str());
    let mut src = SpatialRef::from_epsg(4326).unwrap();
    src.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let mut dst = SpatialRef::from_epsg(25833).unwrap();
    dst.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let t = CoordTransform::new(&src, &dst).unwrap();
    let a = lonlat["features"].as_array().unwrap();
    let b = metres["features"].as_array().unwrap();
    assert_eq!(a.len(), b.len());
    assert!(a.len() > 50);
    for (fa, fb) in a.iter().zip(b) {
        assert_eq!(fa["id"], fb["id"]);
        let (pa, pb) = (points(&fa["geometry"]), points(&fb["geometry"]));
        assert_eq!(pa.len(), pb.len());
        let mut xs: Vec<f64> = pa.iter().map(|p| p.0).collect();
        let mut ys: Vec<f64> = pa.iter().map(|p| p.1).collect();
        t.transform_coords(&mut xs, &mut ys, &mut []).unwrap();
        for (i, (x, y)) in pb.iter().enumerate() {
            // CRS84 carries 7 decimals, about 1 cm.
            assert!(
                (x - xs[i]).abs() < 0.05 && (y - ys[i]).abs() < 0.05,
                "{}: {x},{y} vs {},{}",
                fa["id"],
                xs[i],
                ys[i]
            );
        }
    }
}

#[tokio::test]
async fn a_bbox_in_epsg_25833_agrees_with_a_brute_force_filter() {
    let state = n1000();
    let bbox = [250_000.0, 6_640_000.0, 275_000.0, 6_665_000.0];
    let roads = state.collections.iter().find(|c| c.id == "roads").unwrap();
    // From every coordinate of each feature's EPSG:25833 GeoJSON.
    let expected: HashSet<String> = (0..roads.len())
        .filter(|&i| {
            let p = points(&roads.geometry(i, true));
            let minx = p.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
            let maxx = p.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
            let miny = p.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
            let maxy = p.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
            minx <= bbox[2] && maxx >= bbox[0] && miny <= bbox[3] && maxy >= bbox[1]
        })
        .map(|i| roads.id_of(i).to_string())
        .collect();
    assert!(expected.len() > 20, "{}", expected.len());
    let (seen, matched) = walk(
        state,
        &format!(
            "/collections/roads/items?bbox=250000,6640000,275000,6665000&bbox-crs={EPSG_25833}&limit=7"
        ),
    )
    .await;
    assert_eq!(matched as usize, expected.len());
    assert_eq!(seen.into_iter().collect::<HashSet<_>>(), expected);
}

#[tokio::test]
async fn sortby_and_min_score_select_and_order_candidates_like_a_brute_force_pass() {
    let state = demo();
    let c = state
        .collections
        .iter()
        .find(|c| c.id == "candidates-depot")
        .unwrap();
    // From each candidate's full explanation, not the columns the API filters on.
    let mut expected: Vec<(f64, String)> = (0..c.len())
        .filter_map(|i| {
            let s = c.properties(i, &state.ctx)["score"].as_f64()?;
            (s >= 60.0).then(|| (s, c.id_of(i).to_string()))
        })
        .collect();
    expected.sort_by(|a, b| b.0.total_cmp(&a.0));
    assert!(expected.len() > 7, "{}", expected.len());
    let (_, _, page) = get(
        state.clone(),
        "/collections/candidates-depot/items?min_score=60&sortby=-score&limit=10000",
    )
    .await;
    assert_eq!(
        page["numberMatched"].as_u64().unwrap() as usize,
        expected.len()
    );
    let scores: Vec<f64> = page["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["score"].as_f64().unwrap())
        .collect();
    assert_eq!(scores.len(), expected.len());
    for (got, want) in scores.iter().zip(&expected) {
        // JSON text round trip: equal to the last digits.
        assert!((got - want.0).abs() < 1e-9, "{got} vs {}", want.0);
    }
    // Ascending, and combined with a municipality filter.
    let (_, _, asc) = get(
        state,
        "/collections/candidates-depot/items?sortby=%2Bscore&kommunenummer=3201&limit=10000",
    )
    .await;
    let asc: Vec<&Value> = asc["features"].as_array().unwrap().iter().collect();
    assert!(!asc.is_empty());
    assert!(asc
        .iter()
        .all(|f| f["properties"]["kommunenummer"] == "3201"));
    let s: Vec<f64> = asc
        .iter()
        .filter_map(|f| f["properties"]["score"].as_f64())
        .collect();
    assert!(s.windows(2).all(|w| w[0] <= w[1]), "{s:?}");
}

#[test]
fn candidate_columns_agree_with_the_full_explanation() {
    let state = demo();
    for c in state.collections.iter().filter(|c| c.scored().is_some()) {
        assert!(!c.is_empty(), "{}", c.id);
        for i in 0..c.len() {
            let full = c.properties(i, &state.ctx);
            for name in [
                "id",
                "kommunenummer",
                "score",
                "rank",
                "municipality_rank",
                "excluded",
            ] {
                assert_eq!(
                    c.property(i, name, &state.ctx).as_ref(),
                    full.get(name),
                    "{} {} {name}",
                    c.id,
                    c.id_of(i)
                );
            }
        }
    }
}

#[tokio::test]
async fn property_filters_select_exactly_the_matching_features() {
    let (_, _, body) = get(demo(), "/collections/municipalities/items?number=0301").await;
    assert_eq!(body["numberMatched"], 1);
    assert_eq!(body["features"][0]["properties"]["name"], "Oslo");
}

#[tokio::test]
async fn geometries_follow_rfc_7946() {
    let (_, _, body) = get(demo(), "/collections/landuse/items?limit=1000").await;
    for f in body["features"].as_array().unwrap() {
        assert_eq!(f["geometry"]["type"], "Polygon");
        let ring = f["geometry"]["coordinates"][0].as_array().unwrap();
        // Shoelace: positive area means counter-clockwise.
        let pts: Vec<(f64, f64)> = ring
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
            .collect();
        let area: f64 = pts
            .windows(2)
            .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
            .sum();
        assert!(area > 0.0, "{}: exterior ring is clockwise", f["id"]);
        for (x, y) in pts {
            assert!((-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y));
            assert!(
                ((x * 1e7).round() - x * 1e7).abs() < 1e-3,
                "more than 7 decimals: {x}"
            );
        }
    }
}

#[tokio::test]
async fn a_single_item_has_its_properties_and_a_score_breakdown() {
    let (_, _, page) = get(demo(), "/collections/candidates-mcs-corridor/items?limit=1").await;
    let id = page["features"][0]["id"].as_str().unwrap().to_string();
    let (s, ctype, f) = get(
        demo(),
        &format!("/collections/candidates-mcs-corridor/items/{id}"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ctype, "application/geo+json");
    assert_eq!(f["id"], id.as_str());
    let criteria = f["properties"]["criteria"].as_array().unwrap();
    // mcs-corridor has nine criteria, corridor access over the road graph among them.
    assert_eq!(criteria.len(), 9);
    assert!(criteria.iter().any(|c| c["id"] == "corridor_access"));
    let total: f64 = criteria.iter().map(|c| c["points"].as_f64().unwrap()).sum();
    if f["properties"]["excluded"] == false {
        assert!((total - f["properties"]["score"].as_f64().unwrap()).abs() < 1e-9);
    }
}

#[tokio::test]
async fn every_bad_request_is_a_problem_json_naming_the_parameter() {
    for (uri, status, parameter, words) in [
        (
            "/collections/roads/items?bbox=10,59,11",
            400,
            Some("bbox"),
            "4 numbers",
        ),
        (
            "/collections/roads/items?bbox=11,59,10,60",
            400,
            Some("bbox"),
            "greater than",
        ),
        (
            "/collections/roads/items?bbox=a,59,11,60",
            400,
            Some("bbox"),
            "not a number",
        ),
        (
            "/collections/roads/items?bbox=10,59,190,60",
            400,
            Some("bbox"),
            "out of range",
        ),
        (
            "/collections/roads/items?limit=0",
            400,
            Some("limit"),
            "1..10000",
        ),
        (
            "/collections/roads/items?limit=-1",
            400,
            Some("limit"),
            "1..10000",
        ),
        (
            "/collections/roads/items?limit=100000",
            400,
            Some("limit"),
            "1..10000",
        ),
        (
            "/collections/roads/items?offset=x",
            400,
            Some("offset"),
            "not a whole number",
        ),
        (
            "/collections/roads/items?colour=red",
            400,
            Some("colour"),
            "unknown parameter",
        ),
        (
            "/collections/roads/items?crs=EPSG:4258",
            400,
            Some("crs"),
            "not served",
        ),
        (
            "/collections/roads/items?bbox=1,2,3,4&bbox-crs=urn:nothing",
            400,
            Some("bbox-crs"),
            "not served",
        ),
        (
            "/collections/roads/items?bbox=275000,6640000,250000,6665000&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/25833",
            400,
            Some("bbox"),
            "greater than",
        ),
        (
            "/collections/candidates-depot/items?min_score=high",
            400,
            Some("min_score"),
            "not a number",
        ),
        (
            "/collections/roads/items?min_score=50",
            400,
            Some("min_score"),
            "has no score",
        ),
        (
            "/collections/candidates-depot/items?sortby=-colour",
            400,
            Some("sortby"),
            "cannot sort by 'colour'",
        ),
        (
            "/collections/roads/items/veg-e16-honefoss-hval?crs=EPSG:3857",
            400,
            Some("crs"),
            "not served",
        ),
        ("/collections/nope/items", 404, None, "no collection 'nope'"),
        (
            "/collections/roads/items/no-such-id",
            404,
            None,
            "no feature 'no-such-id'",
        ),
    ] {
        let (s, ctype, body) = get(demo(), uri).await;
        assert_eq!(s.as_u16(), status, "{uri}: {body}");
        assert_eq!(ctype, "application/problem+json", "{uri}");
        assert_eq!(body["status"], status);
        assert!(
            body["detail"].as_str().unwrap().contains(words),
            "{uri}: {body}"
        );
        if let Some(p) = parameter {
            assert_eq!(body["parameter"], p, "{uri}");
        }
    }
}

async fn raw(state: AppState, uri: &str) -> String {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let resp = energistasjon::api::router(state)
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{uri}");
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn pages_written_from_kept_explanations_say_what_a_fresh_service_says() {
    let kept = demo();
    for uri in [
        "/collections/candidates-mcs-corridor/items?limit=7",
        "/collections/candidates-depot/items?limit=5&offset=3&crs=http://www.opengis.net/def/crs/EPSG/0/25833",
        "/collections/landuse/items?limit=3",
    ] {
        // Cold, then from what the first request kept: the same bytes.
        let first = raw(kept.clone(), uri).await;
        let again = raw(kept.clone(), uri).await;
        assert!(first == again, "{uri}: the second answer differs");
        let value: Value = serde_json::from_str(&first).unwrap();
        let features = value["features"].as_array().unwrap();
        assert!(!features.is_empty(), "{uri}");
        // Each feature as a service that never explained it before gives it alone.
        let coll = uri.split('/').nth(2).unwrap();
        let crs = if uri.contains("crs=") {
            "?crs=http://www.opengis.net/def/crs/EPSG/0/25833"
        } else {
            ""
        };
        let fresh = state(&energistasjon::config::default_region_path(), None);
        for f in features {
            let fid = f["id"].as_str().unwrap();
            let one = raw(fresh.clone(), &format!("/collections/{coll}/items/{fid}{crs}")).await;
            let one: Value = serde_json::from_str(&one).unwrap();
            assert_eq!(&one, f, "{uri}: feature {fid}");
        }
    }
}
