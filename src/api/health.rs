//! `GET /healthz`: the service is up, and what it loaded.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use super::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    status: &'static str,
    region: String,
    demonstration: bool,
    /// A hash of the region config and every input file: changes when a reload brings new
    /// data.
    data_version: String,
    /// Features per role, over every layer of that role.
    layers: BTreeMap<String, usize>,
    /// Features per configured source layer.
    sources: Vec<SourceCount>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SourceCount {
    role: String,
    label: String,
    loaded: usize,
    skipped: usize,
    repaired: usize,
}

/// The service is up, and what it loaded.
#[utoipa::path(get, path = "/healthz", tag = "Operations",
    responses((status = 200, description = "Feature counts per role and per source layer", body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> Json<Health> {
    let layers = state
        .region
        .counts()
        .into_iter()
        .map(|(role, n)| (role.to_string(), n))
        .collect();
    let sources = state
        .report
        .layers
        .iter()
        .map(|l| SourceCount {
            role: l.role.to_string(),
            label: l.label.clone(),
            loaded: l.loaded,
            skipped: l.skipped,
            repaired: l.repaired,
        })
        .collect();
    Json(Health {
        status: "ok",
        region: state.region.name.clone(),
        demonstration: state.report.demonstration,
        data_version: state.report.data_version.clone(),
        layers,
        sources,
    })
}
