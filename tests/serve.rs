//! `energistasjon serve`: the demo region over HTTP, /healthz, problem+json, clean stop.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};

async fn get(path: &str) -> (StatusCode, String, serde_json::Value) {
    common::request(
        common::demo_state(),
        Request::get(path).body(Body::empty()).unwrap(),
    )
    .await
}

#[tokio::test]
async fn healthz_counts_every_layer_of_the_demo_region() {
    let (status, ctype, body) = get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.starts_with("application/json"), "{ctype}");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["demonstration"], true);
    for role in [
        "boundary",
        "landuse",
        "roads",
        "rail",
        "terminals",
        "grid",
        "stations",
        "exclusion",
    ] {
        let n = body["layers"][role].as_u64().unwrap_or(0);
        assert!(n > 0, "the demo region has no {role}: {body}");
    }
    // Per-source counts add up to the per-role counts.
    let sum: u64 = body["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["role"] == "roads")
        .map(|s| s["loaded"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, body["layers"]["roads"].as_u64().unwrap());
}

#[tokio::test]
async fn an_unknown_path_is_a_problem_json_404_naming_the_path() {
    let (status, ctype, body) = get("/no/such/thing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(ctype, "application/problem+json");
    assert_eq!(body["status"], 404);
    assert!(
        body["detail"].as_str().unwrap().contains("/no/such/thing"),
        "{body}"
    );
}

fn http_get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let status = resp.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = resp.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

#[test]
fn the_binary_serves_the_demo_region_and_stops_cleanly_on_sigterm() {
    let mut server = common::start_server(&[]);
    let (status, body) = http_get(&server.addr, "/healthz");
    assert_eq!(status, 200);
    // axum may send the body chunked; the JSON object is inside.
    let json = &body[body.find('{').unwrap()..=body.rfind('}').unwrap()];
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    assert!(v["layers"]["roads"].as_u64().unwrap() > 0, "{v}");

    let pid = server.child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status:?}");
    let mut rest = String::new();
    server.stderr.read_to_string(&mut rest).unwrap();
    assert!(rest.contains("Stopper"), "{rest}");
}

#[test]
fn serve_refuses_to_start_when_a_required_layer_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let region = common::write_region(
        dir.path(),
        "[[layers]]\nrole = \"roads\"\nsource = \"nowhere.gpkg\"\n[layers.fields]\ncategory = { value = \"E\" }\n",
    );
    let out = common::run(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--region",
        region.to_str().unwrap(),
    ]);
    common::assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let err = common::text(&out.stderr);
    assert!(
        err.contains("nowhere.gpkg") && err.contains("starter ikke"),
        "{err}"
    );
}

#[tokio::test]
async fn metrics_count_requests_per_route_with_latency_histograms() {
    use energistasjon::config::{default_region_path, RegionConfig};
    use energistasjon::ingest::{load_region, LoadOptions, NoProgress};
    // A state of its own: other tests' requests must not change the counts.
    let config = RegionConfig::load(&default_region_path()).unwrap();
    let (region, report) = load_region(&config, &LoadOptions::default(), &NoProgress);
    let state = energistasjon::api::AppState::new(region, report).unwrap();
    for _ in 0..3 {
        common::request(
            state.clone(),
            Request::get("/healthz").body(Body::empty()).unwrap(),
        )
        .await;
    }
    for id in ["roads", "rail"] {
        let uri = format!("/collections/{id}/items?limit=2");
        common::request(
            state.clone(),
            Request::get(uri).body(Body::empty()).unwrap(),
        )
        .await;
    }
    common::request(
        state.clone(),
        Request::get("/collections/roads/items?limit=0")
            .body(Body::empty())
            .unwrap(),
    )
    .await;

    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let resp = energistasjon::api::router(state)
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = String::from_utf8(
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    for line in [
        r#"energistasjon_http_requests_total{method="GET",route="/healthz",status="200"} 3"#,
        // Route templates, not raw paths: both collections count under one series.
        r#"energistasjon_http_requests_total{method="GET",route="/collections/{id}/items",status="200"} 2"#,
        r#"energistasjon_http_requests_total{method="GET",route="/collections/{id}/items",status="400"} 1"#,
        r#"energistasjon_http_request_duration_seconds_count{method="GET",route="/healthz"} 3"#,
        r#"energistasjon_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="+Inf"} 3"#,
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing `{line}` in:\n{text}"
        );
    }
}
