//! Sizing at a site: how many chargers, how many MW and how much land a candidate, grid cell,
//! proposal or point needs per year, and whether the grid nearby can feed it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;

use super::error::bad;
use super::{ApiError, AppState};
use crate::domain::scenario::Scenario;

/// The demand scenarios the API offers; it never reads a path a caller gives.
pub const SHIPPED: [&str; 3] = ["default", "low", "high"];

/// The shipped scenarios, read once on first use rather than on every request.
#[derive(Default)]
pub struct Scenarios(OnceLock<Result<BTreeMap<String, Scenario>, String>>);

impl Scenarios {
    /// A shipped scenario by name (`default` when None), or a problem naming `demand_scenario`.
    pub fn get(&self, name: Option<&str>) -> Result<&Scenario, ApiError> {
        let name = name.unwrap_or("default");
        if !SHIPPED.contains(&name) {
            return Err(bad(
                "demand_scenario",
                format!(
                    "'{name}' is not a demand scenario; use one of {}",
                    SHIPPED.join(", ")
                ),
            ));
        }
        let all = self
            .0
            .get_or_init(|| {
                SHIPPED
                    .iter()
                    .map(|n| {
                        crate::config::load_scenario(n)
                            .map(|s| (n.to_string(), s))
                            .map_err(|e| e.to_string())
                    })
                    .collect()
            })
            .as_ref()
            .map_err(|e| ApiError::Internal(e.clone()))?;
        all.get(name)
            .ok_or_else(|| ApiError::Internal(format!("the scenario '{name}' was not loaded")))
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SizingQuery {
    /// The profile id: mcs-corridor, depot, hydrogen or biogas. Its station type is sized.
    pub profile: Option<String>,
    /// A candidate id, a grid cell id (g<x>_<y>) or a proposal id. Or give lon and lat.
    pub site: Option<String>,
    /// Longitude in degrees (WGS 84), with lat, instead of site.
    pub lon: Option<f64>,
    /// Latitude in degrees (WGS 84), with lon, instead of site.
    pub lat: Option<f64>,
    /// One year of the scenario (2025, 2027, 2030, 2035); every year when left out.
    pub year: Option<i32>,
    /// default (Norway's national targets), low or high.
    pub demand_scenario: Option<String>,
}

/// A site's sizing per year: arrivals in the peak hour from heavy traffic and the scenario,
/// chargers from an M/M/c (Erlang C) queue meeting the service level, peak MW, area, fuel
/// per day and storage for hydrogen, and the grid verdict against the best substation within
/// the profile's radius. Every figure is a model estimate (`estimated: true`).
#[utoipa::path(get, path = "/api/sizing", tag = "Planning",
    params(SizingQuery),
    responses(
        (status = 200, description = "The sizing per year, with the traffic figure it starts from", body = serde_json::Value),
        (status = 400, description = "A missing or unknown profile, site, position, year or scenario (the parameter is named)", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn sizing(
    State(state): State<AppState>,
    q: Result<Query<SizingQuery>, QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let q = super::error::query(q)?;
    tokio::task::spawn_blocking(move || run(&state, &q))
        .await
        .map_err(|e| ApiError::Internal(format!("sizing task failed: {e}")))?
        .map(Json)
}

fn run(state: &AppState, q: &SizingQuery) -> Result<serde_json::Value, ApiError> {
    let profile_id = q.profile.as_deref().ok_or_else(|| {
        bad(
            "profile",
            "add ?profile=mcs-corridor (or depot, hydrogen, biogas)",
        )
    })?;
    let scored = state
        .scored
        .iter()
        .find(|s| s.profile.id == profile_id)
        .ok_or_else(|| super::planning::unknown_profile(state, profile_id))?;
    let scenario = state.scenarios.get(q.demand_scenario.as_deref())?;
    let years: Vec<i32> = match q.year {
        Some(y) if scenario.years.contains_key(&y) => vec![y],
        Some(y) => {
            return Err(bad(
                "year",
                format!(
                    "the scenario '{}' has no year {y}; use one of {}",
                    scenario.id,
                    scenario
                        .years
                        .keys()
                        .map(i32::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
        }
        None => scenario.years.keys().copied().collect(),
    };
    let point = match q.site.as_deref().and_then(|id| {
        // The profile's own candidates first: parcels are cut per profile.
        state
            .scored
            .iter()
            .filter(|s| s.profile.id == profile_id)
            .find_map(|s| s.raw.candidates.iter().find(|c| c.id == id))
    }) {
        Some(c) if q.lon.is_none() && q.lat.is_none() => c.point,
        _ => point_of(state, q)?,
    };
    let report =
        crate::scoring::sizing::report(&state.ctx, &scored.profile, scenario, &years, point)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut v = serde_json::to_value(&report).map_err(|e| ApiError::Internal(e.to_string()))?;
    // The grid verdict in words for the panel, beside the structured one.
    if let Some(years) = v.get_mut("years").and_then(|y| y.as_array_mut()) {
        for (y, s) in years.iter_mut().zip(&report.years) {
            let (nb, en) = s.grid.describe();
            y["grid_text"] = nb.into();
            y["grid_text_en"] = en.into();
        }
    }
    if let Some(site) = &q.site {
        v["site"] = site.clone().into();
    }
    Ok(v)
}

/// The point to size (EPSG:25833): the named site's measurement point, or lon/lat.
fn point_of(state: &AppState, q: &SizingQuery) -> Result<[f64; 2], ApiError> {
    match (&q.site, q.lon, q.lat) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            Err(bad("site", "give either site or lon and lat, not both"))
        }
        (Some(id), None, None) => {
            let sets = crate::catalog::planned::sets(&state.scored);
            let proposals = match state.store.as_deref() {
                Some(st) => st.proposals(None)?,
                None => Vec::new(),
            };
            crate::catalog::planned::locate(id, &sets, &proposals)
                .map(|(p, _)| p)
                .ok_or_else(|| {
                    ApiError::NotFound(format!("no candidate, grid cell or proposal '{id}'"))
                })
        }
        (None, Some(lon), Some(lat)) => {
            if !(lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= 90.0) {
                return Err(bad(
                    "lon",
                    format!(
                        "{lon},{lat} is not a position; give degrees, e.g. lon=10.8185&lat=59.9005"
                    ),
                ));
            }
            crate::ingest::crs::reproject_point(lon, lat, "EPSG:4326")
                .map(|(x, y)| [x, y])
                .map_err(|e| ApiError::Internal(e.to_string()))
        }
        (None, None, _) | (None, _, None) => {
            Err(bad("site", "add ?site=<candidate id> or both lon and lat"))
        }
    }
}
