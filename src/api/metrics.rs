//! Prometheus metrics: request counts and latency histograms per route, and the
//! `/metrics` endpoint that exposes them in the text format.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
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
    /// Series by route, then method: both found by `&str`, with no key built per request.
    series: Mutex<BTreeMap<String, BTreeMap<String, Series>>>,
    /// Tiles answered from the kept tiles, and tiles encoded.
    tiles_kept: AtomicU64,
    tiles_encoded: AtomicU64,
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        // A poisoned lock only means another request panicked mid-update; keep counting.
        let mut map = match self.series.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        if !map.contains_key(route) {
            map.insert(route.to_string(), BTreeMap::new());
        }
        let Some(methods) = map.get_mut(route) else {
            return;
        };
        if !methods.contains_key(method) {
            methods.insert(method.to_string(), Series::default());
        }
        let Some(s) = methods.get_mut(method) else {
            return;
        };
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
        let series = || {
            map.iter()
                .flat_map(|(route, m)| m.iter().map(move |(method, s)| (method, route, s)))
        };
        for (method, route, s) in series() {
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
        for (method, route, s) in series() {
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
        let kept = self.tiles_kept.load(Ordering::Relaxed);
        let encoded = self.tiles_encoded.load(Ordering::Relaxed);
        out.push_str(&format!(
            "# HELP energistasjon_tiles_total Vector tiles answered, by whether a kept tile served or one was encoded.\n\
             # TYPE energistasjon_tiles_total counter\n\
             energistasjon_tiles_total{{source=\"kept\"}} {kept}\n\
             energistasjon_tiles_total{{source=\"encoded\"}} {encoded}\n"
        ));
        out
    }

    /// Counts a tile answered, from the kept tiles or freshly encoded.
    pub fn tile_served(&self, kept: bool) {
        let n = if kept {
            &self.tiles_kept
        } else {
            &self.tiles_encoded
        };
        n.fetch_add(1, Ordering::Relaxed);
    }
}

/// Middleware: time every request and count it under its route template (not the raw
/// path, so ids do not multiply the series), and log it.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let route = route.as_ref().map_or("unmatched", |p| p.as_str());
    let response = next.run(req).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    tracing::info!(%method, %route, status, ms = seconds * 1000.0, "request");
    state
        .metrics
        .record(method.as_str(), route, status, seconds);
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
