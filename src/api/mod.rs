//! The HTTP API. `router(state)` is all a server or a test needs.

pub mod error;
pub mod health;

use std::sync::Arc;

use axum::routing::get;
use axum::Router;

use crate::domain::Region;
use crate::ingest::RegionReport;

pub use error::ApiError;

/// Shared, read-only state behind every request.
#[derive(Clone)]
pub struct AppState {
    pub region: Arc<Region>,
    pub report: Arc<RegionReport>,
}

impl AppState {
    pub fn new(region: Region, report: RegionReport) -> Self {
        AppState {
            region: Arc::new(region),
            report: Arc::new(report),
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .fallback(not_found)
        .with_state(state)
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!("no resource at {}", uri.path()))
}
