//! The answers a user sees, pinned as insta snapshots on the demo region (`tests/snapshots/`):
//! the landing page, a collection, one candidate's breakdown, a shortlist, a dossier, the
//! programme report and a CLI table. A change in an answer's shape shows up in review as a
//! changed `.snap` file. Times and hashes that differ from run to run are filtered out.
//! After an intended change: `INSTA_UPDATE=always cargo test --test snapshots`, then review
//! the diff of the `.snap` files before committing them.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

mod common;

/// Filters for what differs between runs: timestamps, data and build hashes, temporary paths.
fn stable() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "[time]");
    s.add_filter(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? ?(UTC)?", "[time]");
    // A hash follows a space or a quote; a decimal's digits follow a point and stay.
    s.add_filter(r"([ \x22])[0-9a-f]{16}\b", "$1[hash]");
    s.add_filter(r"/tmp/[^\s\x22)]+", "[tmp]");
    s.set_prepend_module_to_snapshot(false);
    s
}

async fn send(req: Request<Body>) -> (StatusCode, String) {
    let resp = energistasjon::api::router(common::demo_state())
        .oneshot(req)
        .await
        .unwrap();
    let status = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

async fn get(uri: &str) -> String {
    let (status, body) = send(Request::get(uri).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    body
}

fn pretty(json: &str) -> String {
    serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(json).unwrap()).unwrap()
}

#[tokio::test]
async fn the_landing_page_keeps_its_shape() {
    let body = pretty(&get("/?f=json").await);
    stable().bind(|| insta::assert_snapshot!("landing", body));
}

#[tokio::test]
async fn a_candidate_collection_keeps_its_shape() {
    let body = pretty(&get("/collections/candidates-depot?f=json").await);
    stable().bind(|| insta::assert_snapshot!("collection_candidates_depot", body));
}

#[tokio::test]
async fn one_candidates_breakdown_keeps_its_numbers_and_reasons() {
    let body = pretty(&get("/collections/candidates-depot/items/p9_3?f=json").await);
    stable().bind(|| insta::assert_snapshot!("breakdown_depot_p9_3", body));
}

#[tokio::test]
async fn a_shortlist_keeps_its_sites_names_and_order() {
    let req = Request::post("/api/shortlist")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"profile":"depot","k":5}"#))
        .unwrap();
    let (status, body) = send(req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let body = pretty(&body);
    stable().bind(|| insta::assert_snapshot!("shortlist_depot_k5", body));
}

#[tokio::test]
async fn a_dossier_keeps_its_sections_and_figures() {
    let md = get("/api/sites/p9_3/dossier?profile=depot&format=md").await;
    stable().bind(|| insta::assert_snapshot!("dossier_depot_p9_3", md));
}

#[test]
fn the_programme_report_keeps_its_tables() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.sqlite");
    let out = common::run(&["--db", db.to_str().unwrap(), "report", "--year", "2025"]);
    assert!(out.status.success(), "{}", common::text(&out.stderr));
    let report = common::text(&out.stdout);
    stable().bind(|| insta::assert_snapshot!("programme_report_2025", report));
}

#[test]
fn the_check_data_table_keeps_its_columns() {
    let out = common::run(&["check-data"]);
    assert!(out.status.success(), "{}", common::text(&out.stderr));
    let table = common::text(&out.stdout);
    stable().bind(|| insta::assert_snapshot!("check_data_demo", table));
}
