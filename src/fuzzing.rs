//! What each fuzz target (`fuzz/fuzz_targets/`) does with its input, and what must hold for
//! any input. The replay test (`tests/fuzz_corpus.rs`) runs every saved input through the
//! same functions on stable, so the corpus and each finding stay tests in the test command.
//!
//! A property that fails panics: that is what libFuzzer reports as a crash.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, Uri};
use tower::ServiceExt;

use crate::api::AppState;

/// What a target does with one input.
pub type Target = fn(&[u8]);

/// Every target by name, as `fuzz/fuzz_targets/<name>.rs` and `fuzz/corpus/<name>/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("config_toml", config_toml),
    ("items_query", items_query),
    ("tile_params", tile_params),
    ("proposal_geojson", proposal_geojson),
    ("upload", upload),
    ("traffic_csv", traffic_csv),
];

/// Region config, profile, programme or AFIR rules (the first byte chooses) from TOML text:
/// a value or an error that names the file, never a panic.
pub fn config_toml(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    const FILE: &str = "fuzz-input.toml";
    let error = match which % 4 {
        0 => crate::config::RegionConfig::parse(text, Path::new(FILE))
            .err()
            .map(|e| e.to_string()),
        1 => crate::domain::profile::parse_profile(text, FILE)
            .err()
            .map(|e| e.to_string()),
        2 => crate::domain::programme::Programme::parse(text, FILE)
            .err()
            .map(|e| e.to_string()),
        _ => crate::domain::afir::Rules::parse(text, FILE)
            .err()
            .map(|e| e.to_string()),
    };
    if let Some(message) = error {
        // A region config's error names it, or the corridors file it points at.
        assert!(
            message.contains(FILE) || message.starts_with("corridors file "),
            "an error that does not name the file: {message}"
        );
    }
}

/// The demo region's API state and a runtime to drive the router, built once per process.
fn demo() -> &'static (AppState, tokio::runtime::Runtime) {
    static DEMO: OnceLock<(AppState, tokio::runtime::Runtime)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let path = crate::config::default_region_path();
        let config = crate::config::RegionConfig::load(&path)
            .unwrap_or_else(|e| panic!("the demo region does not load: {e}"));
        let (region, report) = crate::ingest::load_region(
            &config,
            &crate::ingest::LoadOptions::default(),
            &crate::ingest::NoProgress,
        );
        let state = AppState::new(region, report)
            .unwrap_or_else(|e| panic!("the demo region has no API state: {e}"));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("no runtime: {e}"));
        (state, rt)
    })
}

/// GET `uri` through the router; any answer is well formed: no server error, every refusal
/// problem+json with a detail, every success with a body of its content type.
fn get_well_formed(uri: &str) {
    let Ok(uri) = uri.parse::<Uri>() else {
        return;
    };
    let (state, rt) = demo();
    let Ok(request) = Request::get(uri.clone()).body(Body::empty()) else {
        return;
    };
    let (status, ctype, body) = rt.block_on(async {
        let resp = crate::api::router(state.clone())
            .oneshot(request)
            .await
            .unwrap_or_else(|e| match e {});
        let status = resp.status();
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap_or_else(|e| panic!("{uri}: the body breaks off: {e}"));
        (status, ctype, body)
    });
    assert!(!status.is_server_error(), "{uri}: {status}");
    if status.is_client_error() {
        assert_eq!(ctype, "application/problem+json", "{uri}: {status}");
        let problem: serde_json::Value = serde_json::from_slice(&body)
            .unwrap_or_else(|e| panic!("{uri}: a problem that is not JSON: {e}"));
        assert!(
            problem["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{uri}: a problem without detail: {problem}"
        );
    } else if ctype.contains("json") {
        serde_json::from_slice::<serde_json::Value>(&body)
            .unwrap_or_else(|e| panic!("{uri}: an answer that is not JSON: {e}"));
    }
}

/// The collection the first byte picks, and the rest as text.
fn collection_and_text(data: &[u8]) -> Option<(String, &str)> {
    let (&which, rest) = data.split_first()?;
    let (state, _) = demo();
    let c = state
        .collections
        .get(which as usize % state.collections.len())?;
    Some((c.id.clone(), std::str::from_utf8(rest).ok()?))
}

/// `/collections/{c}/items?…`: bbox, bbox-crs, crs, limit, offset, sortby, min_score and
/// property filters.
pub fn items_query(data: &[u8]) {
    if let Some((c, query)) = collection_and_text(data) {
        get_well_formed(&format!("/collections/{c}/items?{query}"));
    }
}

/// `/tiles/{c}/…`: z, x, y and the query (weights, kommunenummer, status, min_score).
pub fn tile_params(data: &[u8]) {
    if let Some((c, rest)) = collection_and_text(data) {
        get_well_formed(&format!("/tiles/{c}/{rest}"));
    }
}

/// A proposal's JSON body: a geometry in EPSG:25833 with finite coordinates, or an error
/// that names the field.
pub fn proposal_geojson(data: &[u8]) {
    let Ok(req) = serde_json::from_slice::<crate::api::review::ProposalRequest>(data) else {
        return;
    };
    match crate::api::review::proposal_geometry(&req) {
        Ok(g) => {
            use geo::CoordsIter;
            assert!(
                g.coords_iter().all(|c| c.x.is_finite() && c.y.is_finite()),
                "a proposal with coordinates that are not finite: {g:?}"
            );
        }
        Err(e) => {
            let problem = e.to_string();
            assert!(!problem.is_empty());
        }
    }
}

/// An uploaded file (the first byte picks GeoJSON, GeoPackage or zipped Shapefile): sites
/// that are all valid, or an error.
pub fn upload(data: &[u8]) {
    use crate::ingest::upload::{read_sites, UploadFormat};
    use geo::Validation;
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let format = [
        UploadFormat::GeoJson,
        UploadFormat::GeoPackage,
        UploadFormat::ZippedShapefile,
    ][which as usize % 3];
    if let Ok(sites) = read_sites(rest, format, None) {
        assert!(
            !sites.is_empty(),
            "an upload read as no sites without an error"
        );
        for (label, g) in &sites {
            assert!(g.is_valid(), "site {label} read as an invalid geometry");
        }
    }
}

/// Trafikkdata CSV: counting points whose ÅDT is a finite count of vehicles, or an error
/// that names the file.
pub fn traffic_csv(data: &[u8]) {
    const FILE: &str = "fuzz-input.csv";
    match crate::ingest::trafikkdata::read_points_from(FILE, data) {
        Ok(points) => {
            let mut ids = BTreeMap::new();
            for (summary, _) in &points {
                assert!(summary.hours > 0, "point {} with no hours", summary.id);
                if let Some(aadt) = summary.aadt {
                    assert!(
                        aadt.is_finite() && aadt >= 0.0,
                        "ÅDT {aadt} of {}",
                        summary.id
                    );
                }
                assert!(
                    ids.insert(summary.id.clone(), ()).is_none(),
                    "{} twice",
                    summary.id
                );
            }
        }
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.contains(FILE),
                "an error that does not name the file: {message}"
            );
        }
    }
}
