//! Prometheus metrics: request counts and latency histograms per route, and the
//! `/metrics` endpoint that exposes them in the text format.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Series {
    /// Requests per status code.
    by_status: BTreeMap<u16, u64>,
    /// Cumulative counts per bucket, then the total count and sum of seconds.
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String), Series>>,
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        // A poisoned lock only means another request panicked mid-update; keep counting.
        let mut map = match self.series.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        let s = map
            .entry((method.to_string(), route.to_string()))
            .or_default();
        *s.by_status.entry(status).or_default() += 1;
        for (b, upper) in s.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= upper {
                *b += 1;
            }
        }
        s.count += 1;
        s.sum += seconds;
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        let map = match self.series.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        let mut out = String::from(
            "# HELP energistasjon_http_requests_total HTTP requests by method, route and status.\n\
             # TYPE energistasjon_http_requests_total counter\n",
        );
        for ((method, route), s) in map.iter() {
            for (status, n) in &s.by_status {
                out.push_str(&format!(
                    "energistasjon_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}\n"
                ));
            }
        }
        out.push_str(
            "# HELP energistasjon_http_request_duration_seconds Time to answer, by method and route.\n\
             # TYPE energistasjon_http_request_duration_seconds histogram\n",
        );
        for ((method, route), s) in map.iter() {
            let labels = format!("method=\"{method}\",route=\"{route}\"");
            for (b, upper) in s.buckets.iter().zip(BUCKETS) {
                out.push_str(&format!(
                    "energistasjon_http_request_duration_seconds_bucket{{{labels},le=\"{upper}\"}} {b}\n"
                ));
            }
            out.push_str(&format!(
                "energistasjon_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\n",
                s.count
            ));
            out.push_str(&format!(
                "energistasjon_http_request_duration_seconds_sum{{{labels}}} {}\n",
                s.sum
            ));
            out.push_str(&format!(
                "energistasjon_http_request_duration_seconds_count{{{labels}}} {}\n",
                s.count
            ));
        }
        out
    }
}

/// Middleware: time every request and count it under its route template (not the raw
/// path, so ids do not multiply the series), and log it.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let response = next.run(req).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    tracing::info!(%method, %route, status, ms = seconds * 1000.0, "request");
    state.metrics.record(&method, &route, status, seconds);
    response
}

/// Prometheus metrics: request counts and latency histograms per route.
#[utoipa::path(get, path = "/metrics", tag = "Operations",
    responses((status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}
