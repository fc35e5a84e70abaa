//! The HTTP API on the N1000 study-area grid (250 m, about 435 000 cells per profile),
//! through the router in process: `POST /api/score` with changed weights (target ≤ 100 ms),
//! and a bbox page of grid candidates.
//!
//! cargo bench --bench api

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use criterion::{criterion_group, criterion_main, Criterion};
use energistasjon::api::{router, AppState};
use energistasjon::catalog::GridSpec;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// Sends one request and reads the whole body, as a client would.
async fn call(state: &AppState, req: Request<Body>) -> usize {
    let resp = router(state.clone()).oneshot(req).await.expect("response");
    assert_eq!(resp.status(), StatusCode::OK);
    resp.into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .len()
}

fn bench_api(c: &mut Criterion) {
    let (region, report) = common::n1000();
    let spec = GridSpec {
        size: 250.0,
        filter: common::study_area(),
    };
    let state = AppState::with_grid(region, report, Some(&spec)).expect("state");
    let cells = state
        .collections
        .iter()
        .find(|c| c.id == "candidates-mcs-corridor-grid")
        .expect("grid collection")
        .len();
    let rt = tokio::runtime::Runtime::new().expect("runtime");

    // What a slider does: ten points from the road to grid capacity.
    let body = r#"{"profile":"mcs-corridor","candidates":"grid","limit":100,
        "weights":{"main_road":15,"heavy_traffic":20,"grid_capacity":30,"grid_distance":10,"station_gap":10,"logistics":5,"landuse":5,"area":5}}"#;
    let mut g = c.benchmark_group(format!("api, grid {cells} cells"));
    g.sample_size(30);
    g.bench_function("POST /api/score, new weights, top 100", |b| {
        b.iter(|| {
            rt.block_on(call(
                &state,
                Request::post("/api/score")
                    .header("content-type", "application/json")
                    .body(Body::from(body))
                    .expect("request"),
            ))
        })
    });
    g.bench_function("GET grid items, bbox, limit 100", |b| {
        b.iter(|| {
            rt.block_on(call(
                &state,
                Request::get(
                    "/collections/candidates-mcs-corridor-grid/items?bbox=10.6,59.8,11.0,60.0&limit=100",
                )
                .body(Body::empty())
                .expect("request"),
            ))
        })
    });
    g.finish();
}

criterion_group!(benches, bench_api);
criterion_main!(benches);
