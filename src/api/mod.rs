//! The HTTP API. `router(state)` is all a server or a test needs.

pub mod collections;
pub mod error;
pub mod features;
pub mod health;
pub mod metrics;
pub mod planning;

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
    /// The OGC API collections, in CRS84, built once at start-up.
    pub collections: Arc<Vec<collections::Collection>>,
    /// Each profile's measured candidates, for re-weighting without spatial queries.
    pub scored: Arc<Vec<collections::Scored>>,
    pub metrics: Arc<metrics::Metrics>,
}

impl AppState {
    /// Builds the collections too: reprojects every layer and scores every profile's parcels.
    pub fn new(region: Region, report: RegionReport) -> Result<Self, crate::ingest::crs::CrsError> {
        let (collections, scored) = collections::build(&region)?;
        Ok(AppState {
            region: Arc::new(region),
            report: Arc::new(report),
            collections: Arc::new(collections),
            scored: Arc::new(scored),
            metrics: Arc::new(metrics::Metrics::default()),
        })
    }
}

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(features::landing))
        .route("/conformance", get(features::conformance))
        .route("/collections", get(features::collections))
        .route("/collections/{id}", get(features::collection))
        .route("/collections/{id}/items", get(features::items))
        .route("/collections/{id}/items/{fid}", get(features::item))
        .route("/api/profiles", get(planning::profiles))
        .route("/api/score", axum::routing::post(planning::score))
        .route("/api/candidates/{id}", get(planning::candidate))
        .route("/api/compare", get(planning::compare))
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(metrics::metrics))
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!("no resource at {}", uri.path()))
}
