//! `/tiles/{collection}/{z}/{x}/{y}.mvt` through the router, read back with GDAL's MVT
//! driver: the features are where they should be, scores follow `?weights=`, low zooms
//! are thinned, and bad tiles get a 4xx.

mod common;

use std::process::Command;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use energistasjon::api::AppState;
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn fetch(state: AppState, uri: &str) -> (StatusCode, String, Vec<u8>) {
    let resp = energistasjon::api::router(state)
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let ctype = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        status,
        ctype,
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
}

/// `ogrinfo -al` of a tile saved as z/x/y.pbf, which is how GDAL learns where it lies.
fn ogrinfo(bytes: &[u8], z: u8, x: u32, y: u32) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{z}/{x}"));
    std::fs::create_dir_all(&path).unwrap();
    let file = path.join(format!("{y}.pbf"));
    std::fs::write(&file, bytes).unwrap();
    let o = Command::new("ogrinfo")
        .args(["-ro", "-al", "-oo", "CLIP=NO"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    common::text(&o.stdout)
}

fn count(info: &str) -> usize {
    info.lines()
        .find_map(|l| l.strip_prefix("Feature Count: "))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_municipality_tile_reads_back_in_gdal_where_oslo_is() {
    // Oslo S lies in tile 8/135/74.
    let (s, ctype, bytes) = fetch(common::demo_state(), "/tiles/municipalities/8/135/74.mvt").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ctype, "application/vnd.mapbox-vector-tile");
    let info = ogrinfo(&bytes, 8, 135, 74);
    assert!(info.contains("Layer name: municipalities"), "{info}");
    assert!(info.contains("= 0301") && info.contains("Oslo"), "{info}");
    assert!(count(&info) >= 5, "{info}");
    // GDAL places the features in EPSG:3857 around Oslo (x ≈ 1.2e6, y ≈ 8.4e6).
    let extent = info
        .lines()
        .find_map(|l| l.strip_prefix("Extent: "))
        .unwrap()
        .to_string();
    let nums: Vec<f64> = extent
        .replace(['(', ')', ',', '-'], " ")
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    // Oslo S in EPSG:3857 lies inside it, and the extent stays near the tile (features are
    // not clipped, so whole municipalities reach past its edges).
    let (ox, oy) = (1_196_939.0, 8_380_400.0);
    assert!(
        nums[0] < ox && ox < nums[2] && nums[1] < oy && oy < nums[3],
        "{extent}"
    );
    assert!(
        nums[0] > 1.0e6 && nums[2] < 1.4e6 && nums[1] > 8.1e6 && nums[3] < 8.6e6,
        "{extent}"
    );
}

fn grid_state() -> AppState {
    use energistasjon::catalog::GridSpec;
    use energistasjon::config::{default_region_path, RegionConfig};
    use energistasjon::ingest::{load_region, LoadOptions, NoProgress};
    static S: std::sync::OnceLock<AppState> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let config = RegionConfig::load(&default_region_path()).unwrap();
        let (region, report) = load_region(&config, &LoadOptions::default(), &NoProgress);
        let spec = GridSpec {
            size: 500.0,
            filter: Default::default(),
        };
        AppState::with_grid(region, report, Some(&spec)).unwrap()
    })
    .clone()
}

#[tokio::test]
async fn low_zooms_keep_the_best_candidate_per_cell_and_weights_change_the_scores() {
    let state = grid_state();
    let c = "candidates-depot-grid";
    let total = state.collections.iter().find(|x| x.id == c).unwrap().len();
    // Zoom 6: the whole demo region in one tile (6/33/18), thinned.
    let (s, _, bytes) = fetch(state.clone(), &format!("/tiles/{c}/6/33/18.mvt")).await;
    assert_eq!(s, StatusCode::OK);
    let low = ogrinfo(&bytes, 6, 33, 18);
    let n_low = count(&low);
    assert!(n_low > 100 && n_low < total / 4, "{n_low} of {total}");
    // Zoom 12 near Oslo: every candidate in view, none thinned away.
    let (_, _, bytes) = fetch(state.clone(), &format!("/tiles/{c}/12/2170/1190.mvt")).await;
    let high = ogrinfo(&bytes, 12, 2170, 1190);
    assert!(count(&high) > 10, "{high}");
    // Re-weighting: the tile's scores are those POST /api/score gives for the same weights.
    let w = "grid_capacity:45,logistics:5";
    let (s, _, bytes) = fetch(
        state.clone(),
        &format!("/tiles/{c}/12/2170/1190.mvt?weights={w}"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let reweighted = ogrinfo(&bytes, 12, 2170, 1190);
    assert_ne!(high, reweighted);
    let (_, _, api) = common::request(
        state,
        Request::post("/api/score")
            .header("content-type", "application/json")
            .body(Body::from(
                serde_json::json!({"profile": "depot", "candidates": "grid",
                    "weights": {"grid_capacity": 45, "logistics": 5}, "limit": 10000})
                .to_string(),
            ))
            .unwrap(),
    )
    .await;
    let mut checked = 0;
    for cand in api["candidates"].as_array().unwrap() {
        let id = cand["id"].as_str().unwrap();
        if let Some(pos) = reweighted.find(&format!("id (String) = {id}\n")) {
            let rest = &reweighted[pos..];
            let score_line = rest
                .lines()
                .find(|l| l.contains("score (Real) = "))
                .unwrap();
            let got: f64 = score_line
                .split('=')
                .nth(1)
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            let want = (cand["score"].as_f64().unwrap() * 10.0).round() / 10.0;
            assert!((got - want).abs() < 1e-9, "{id}: tile {got}, API {want}");
            checked += 1;
        }
    }
    assert!(checked > 5, "{checked}");
}

#[tokio::test]
async fn bad_tiles_and_weights_get_a_4xx_naming_the_parameter() {
    let state = common::demo_state();
    for (uri, status, parameter) in [
        ("/tiles/nope/1/0/0.mvt", StatusCode::NOT_FOUND, None),
        (
            "/tiles/municipalities/21/0/0.mvt",
            StatusCode::BAD_REQUEST,
            Some("z"),
        ),
        (
            "/tiles/municipalities/2/4/0.mvt",
            StatusCode::BAD_REQUEST,
            Some("x"),
        ),
        (
            "/tiles/municipalities/2/1/1.png",
            StatusCode::BAD_REQUEST,
            Some("y"),
        ),
        (
            "/tiles/municipalities/2/1/1.mvt?weights=a:1",
            StatusCode::BAD_REQUEST,
            Some("weights"),
        ),
        (
            "/tiles/candidates-depot/8/135/74.mvt?weights=nope:50",
            StatusCode::BAD_REQUEST,
            Some("weights"),
        ),
    ] {
        let (s, _, v) = common::request(
            state.clone(),
            Request::get(uri).body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(s, status, "{uri}: {v}");
        if let Some(p) = parameter {
            assert_eq!(v["parameter"], p, "{uri}: {v}");
        }
    }
}
