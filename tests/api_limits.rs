//! What protects the service and its callers: compression, CORS only when configured, and
//! a per-request timeout that answers with problem+json instead of hanging.

mod common;

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use energistasjon::api::{router, ApiOptions};
use http_body_util::BodyExt;
use tower::ServiceExt;

#[tokio::test]
async fn responses_are_gzipped_for_clients_that_accept_it() {
    use std::io::Read;
    let resp = router(common::demo_state())
        .oneshot(
            Request::get("/collections/landuse/items?limit=100")
                .header("accept-encoding", "gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-encoding"], "gzip");
    let zipped = resp.into_body().collect().await.unwrap().to_bytes();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&zipped[..])
        .read_to_string(&mut text)
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["type"], "FeatureCollection");
    assert!(
        zipped.len() * 3 < text.len(),
        "gzip should shrink GeoJSON well"
    );

    // Without Accept-Encoding, plain JSON.
    let resp = router(common::demo_state())
        .oneshot(Request::get("/collections").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert!(resp.headers().get("content-encoding").is_none());
}

async fn cors_header(options: ApiOptions, origin: &str) -> Option<String> {
    let state = common::demo_state().with_options(options);
    let resp = router(state)
        .oneshot(
            Request::get("/collections")
                .header("origin", origin)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    resp.headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_string())
}

#[tokio::test]
async fn cors_is_off_by_default_and_allows_only_configured_origins() {
    assert_eq!(
        cors_header(ApiOptions::default(), "https://kart.example").await,
        None
    );
    let allowed = ApiOptions {
        cors_origins: vec!["https://kart.example".into()],
        ..ApiOptions::default()
    };
    assert_eq!(
        cors_header(allowed.clone(), "https://kart.example")
            .await
            .as_deref(),
        Some("https://kart.example")
    );
    assert_eq!(cors_header(allowed, "https://evil.example").await, None);
    let any = ApiOptions {
        cors_origins: vec!["*".into()],
        ..ApiOptions::default()
    };
    assert_eq!(
        cors_header(any, "https://anyone.example").await.as_deref(),
        Some("*")
    );
}

/// A request body that never arrives: a stalled or malicious client.
struct Stalled;

impl http_body::Body for Stalled {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        Poll::Pending
    }
}

#[tokio::test]
async fn a_request_that_outlasts_the_timeout_gets_a_503_problem_json() {
    let state = common::demo_state().with_options(ApiOptions {
        timeout: Duration::from_millis(300),
        ..ApiOptions::default()
    });
    let req = Request::post("/api/score")
        .header("content-type", "application/json")
        .body(Body::new(Stalled))
        .unwrap();
    // The test itself must not hang if the timeout failed.
    let resp = tokio::time::timeout(Duration::from_secs(10), router(state).oneshot(req))
        .await
        .expect("the server answered before the test gave up")
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value =
        serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body["status"], 503);
    assert!(body["detail"].as_str().unwrap().contains("0.3 s"), "{body}");
}

#[test]
fn serve_refuses_a_timeout_that_is_not_a_positive_number() {
    let o = common::run(&["serve", "--timeout", "0", "--addr", "127.0.0.1:0"]);
    assert!(!o.status.success());
    let err = common::text(&o.stderr);
    assert!(err.contains("--timeout"), "{err}");
    common::assert_no_panic(&o);
}
