//! Planning endpoints: the profiles (for the map's sliders) and re-scoring with new weights.
//! Re-scoring reuses each profile's cached measurements: new weights never repeat a
//! spatial query.

use std::collections::BTreeMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::error::bad;
use super::{ApiError, AppState};
use crate::catalog::{CandidateSet, Collection};
use crate::domain::profile::with_weights;

/// Every profile: its criteria with weights, value functions and units, and its constraints.
#[utoipa::path(get, path = "/api/profiles", tag = "Planning",
    responses((status = 200, description = "The profiles, for building weight sliders", body = serde_json::Value)))]
pub async fn profiles(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "profiles": state.scored.iter().filter(|s| s.set == CandidateSet::Parcels).map(|s| &s.profile).collect::<Vec<_>>()
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreRequest {
    /// The profile id: mcs-corridor, depot, hydrogen or biogas.
    pub profile: String,
    /// Criterion id → weight; criteria left out keep the profile's weight. All must sum to 100.
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
    /// `parcels` (default), or `grid` when the server was started with `--grid`.
    pub candidates: Option<String>,
    /// Only candidates in this municipality.
    pub kommunenummer: Option<String>,
    /// Only candidates scoring at least this under the request's weights.
    pub min_score: Option<f64>,
    /// Only candidates with this review status (proposed, under_review, …).
    pub status: Option<String>,
    /// Candidates per page, 1..10000 (default 100).
    pub limit: Option<usize>,
    #[serde(default)]
    pub offset: usize,
}

#[derive(Debug, Serialize)]
pub struct CriterionPoints {
    pub id: String,
    pub normalized: f64,
    pub weight: f64,
    pub points: f64,
}

#[derive(Debug, Serialize)]
pub struct Ranked {
    pub id: String,
    pub name: Option<String>,
    pub kommunenummer: Option<String>,
    pub score: f64,
    pub rank: u32,
    pub municipality_rank: u32,
    pub criteria: Vec<CriterionPoints>,
}

pub(crate) fn unknown_profile(state: &AppState, name: &str) -> ApiError {
    let known: Vec<&str> = state
        .scored
        .iter()
        .filter(|s| s.set == CandidateSet::Parcels)
        .map(|s| s.profile.id.as_str())
        .collect();
    bad(
        "profile",
        format!("unknown profile '{name}'; use one of {}", known.join(", ")),
    )
}

/// Re-weights and re-ranks a profile's candidates from cached measurements.
#[utoipa::path(post, path = "/api/score", tag = "Planning",
    request_body = ScoreRequest,
    responses(
        (status = 200, description = "The ranking with those weights, paged, each candidate with its points per criterion", body = serde_json::Value),
        (status = 400, description = "An unknown profile or criterion, weights not summing to 100, or a malformed body", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "A body over 10 MiB", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn score(
    State(state): State<AppState>,
    body: Result<Json<ScoreRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let req = super::error::json_body(body, "score request")?;
    // Ranking a grid takes tens of milliseconds: keep it off the async workers.
    tokio::task::spawn_blocking(move || rescore(&state, &req))
        .await
        .map_err(|e| ApiError::Internal(format!("scoring task failed: {e}")))?
        .map(Json)
}

/// `parcels` (the default) or `grid`, as request bodies name a candidate set.
pub fn candidate_set(name: Option<&str>) -> Result<CandidateSet, ApiError> {
    match name {
        None | Some("parcels") => Ok(CandidateSet::Parcels),
        Some("grid") => Ok(CandidateSet::Grid),
        Some(other) => Err(bad(
            "candidates",
            format!("unknown candidate set '{other}'; use parcels or grid"),
        )),
    }
}

fn rescore(state: &AppState, req: &ScoreRequest) -> Result<Value, ApiError> {
    let scored = scored_for(state, &req.profile, req.candidates.as_deref())?;
    let set = scored.set;
    let profile = if req.weights.is_empty() {
        scored.profile.clone()
    } else {
        with_weights(&scored.profile, &req.weights).map_err(|m| bad("weights", m))?
    };
    let limit = req.limit.unwrap_or(super::features::DEFAULT_LIMIT);
    if limit == 0 || limit > super::features::MAX_LIMIT {
        return Err(bad(
            "limit",
            format!("limit must lie in 1..{}", super::features::MAX_LIMIT),
        ));
    }
    let (status, overlay) = status_filter(state, req.status.as_deref())?;
    let weights: Vec<f64> = profile.criteria.iter().map(|c| c.weight).collect();
    let keep = |i: usize, score: f64| {
        req.kommunenummer
            .as_ref()
            .is_none_or(|n| scored.kommunenummer[i].as_deref() == Some(n.as_str()))
            && req.min_score.is_none_or(|m| score >= m)
            && status.is_none_or(|st| {
                overlay
                    .value(&scored.raw.candidates[i].id, "status")
                    .is_some_and(|v| v == st.name())
            })
    };
    // The page alone is selected and ranked: sorting a national grid per request took 1.3 s.
    let found = crate::scoring::page::page(
        &scored.raw,
        &scored.norm,
        &weights,
        &keep,
        req.offset,
        limit,
    );
    let page: Vec<Ranked> = found
        .rows
        .iter()
        .map(|row| {
            let i = row.index as usize;
            let c = &scored.raw.candidates[i];
            Ranked {
                id: c.id.clone(),
                name: c.name.clone(),
                kommunenummer: scored.kommunenummer[i].as_deref().map(str::to_string),
                score: row.score,
                rank: row.region_rank,
                municipality_rank: row.municipality_rank,
                criteria: profile
                    .criteria
                    .iter()
                    .enumerate()
                    .map(|(j, cr)| {
                        let normalized = scored.norm.get(i, j);
                        CriterionPoints {
                            id: cr.id.clone(),
                            normalized,
                            weight: cr.weight,
                            points: normalized * cr.weight,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(json!({
        "profile": profile.id,
        "candidates_set": set.name(),
        "weights": profile.criteria.iter().map(|c| (c.id.clone(), c.weight)).collect::<BTreeMap<_, _>>(),
        "numberMatched": found.matched,
        "numberReturned": page.len(),
        "excluded": scored.raw.len() - found.scored,
        "candidates": page,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProfileQuery {
    /// The profile id: mcs-corridor, depot, hydrogen or biogas.
    pub profile: Option<String>,
    /// Candidate ids, comma-separated (compare only).
    pub ids: Option<String>,
}

/// The profile's candidate collections: parcels, then the grid when served.
fn candidates_of<'a>(
    state: &'a AppState,
    profile: Option<&str>,
) -> Result<(&'a str, Vec<&'a Collection>), ApiError> {
    let profile = profile.ok_or_else(|| {
        bad(
            "profile",
            "add ?profile=mcs-corridor (or depot, hydrogen, biogas)",
        )
    })?;
    let sets: Vec<&Collection> = state
        .collections
        .iter()
        .filter(|c| c.scored().is_some_and(|s| s.profile.id == profile))
        .collect();
    match sets.first().and_then(|c| c.scored()) {
        Some(s) => Ok((s.profile.id.as_str(), sets)),
        None => Err(unknown_profile(state, profile)),
    }
}

/// The collection and index of a profile's candidate.
fn locate<'a>(sets: &[&'a Collection], id: &str) -> Option<(&'a Collection, usize)> {
    sets.iter().find_map(|c| c.find(id).map(|i| (*c, i)))
}

/// One candidate's full breakdown: every criterion's raw value, unit, normalized value,
/// points and reason, every failed constraint, and its ranks.
#[utoipa::path(get, path = "/api/candidates/{id}", tag = "Planning",
    params(("id" = String, Path, description = "The candidate id"), ProfileQuery),
    responses(
        (status = 200, description = "The candidate's breakdown, exclusion reasons and ranks", body = serde_json::Value),
        (status = 400, description = "A missing or unknown profile", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such candidate", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn candidate(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::extract::Query(q): axum::extract::Query<ProfileQuery>,
) -> Result<Json<Value>, ApiError> {
    let (profile, sets) = candidates_of(&state, q.profile.as_deref())?;
    let (c, i) = locate(&sets, &id).ok_or_else(|| {
        ApiError::NotFound(format!("profile '{profile}' has no candidate '{id}'"))
    })?;
    let mut properties = c.properties(i, &state.ctx);
    if c.scored().is_some() {
        let (st, cid) = (state.clone(), c.id.clone());
        // As `energistasjon score --sensitivity N` with its defaults (seed 1, ±20 %, top
        // 10); fewer draws on a large grid so a click stays under a second.
        let stability = tokio::task::spawn_blocking(move || {
            let s = st.collections.iter().find(|c| c.id == cid)?.scored()?;
            let draws = (5_000_000 / s.raw.len().max(1)).clamp(20, 200);
            crate::scoring::sensitivity::site(&s.raw, &s.norm, &s.weights, i, draws, 1, 0.2, 10)
        })
        .await
        .map_err(|e| ApiError::Internal(format!("stability task failed: {e}")))?;
        properties.insert("stability".into(), json!(stability));
    }
    Ok(Json(json!({
        "id": id,
        "collection": c.id,
        "geometry": c.geometry(i, false),
        "properties": properties,
    })))
}

/// Several candidates side by side, in the order asked for.
#[utoipa::path(get, path = "/api/compare", tag = "Planning",
    params(ProfileQuery),
    responses(
        (status = 200, description = "The candidates side by side", body = serde_json::Value),
        (status = 400, description = "A missing or unknown profile, fewer than 2 or more than 50 ids, or an unknown id", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn compare(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<ProfileQuery>,
) -> Result<Json<Value>, ApiError> {
    let (profile, sets) = candidates_of(&state, q.profile.as_deref())?;
    let ids: Vec<&str> = q
        .ids
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if ids.len() < 2 {
        return Err(bad(
            "ids",
            "give at least two candidate ids, comma-separated: ?ids=p1,p2",
        ));
    }
    if ids.len() > 50 {
        return Err(bad("ids", "compare at most 50 candidates at a time"));
    }
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let (c, i) = locate(&sets, id).ok_or_else(|| {
            bad(
                "ids",
                format!("profile '{profile}' has no candidate '{id}'"),
            )
        })?;
        out.push(json!({"id": id, "properties": c.properties(i, &state.ctx)}));
    }
    Ok(Json(json!({"profile": profile, "candidates": out})))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShortlistRequest {
    /// The profile id: mcs-corridor, depot, hydrogen or biogas.
    pub profile: String,
    /// Criterion id → weight, as for `POST /api/score`; all must sum to 100.
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
    /// `parcels` (default), or `grid` when the server was started with `--grid`.
    pub candidates: Option<String>,
    /// Only candidates in this municipality.
    pub kommunenummer: Option<String>,
    /// Only candidates scoring at least this under the request's weights.
    pub min_score: Option<f64>,
    /// Only candidates with this review status (proposed, under_review, …).
    pub status: Option<String>,
    /// How many areas, 1..100 (default: the profile's).
    pub k: Option<i64>,
    /// Least distance between chosen areas, km, straight line and edge to edge.
    pub min_spacing_km: Option<f64>,
    /// Least area of a chosen area, hectares.
    pub min_area_ha: Option<f64>,
    /// At most this many areas per municipality.
    pub max_per_municipality: Option<i64>,
    /// The demand scenario each area is sized under (chargers and MW for 2025 and 2030):
    /// `default`, `low` or `high`.
    pub demand_scenario: Option<String>,
}

/// The most areas one shortlist may ask for.
pub const MAX_SHORTLIST: i64 = 100;

/// The best distinct site areas under new weights and filters: neighbouring candidates
/// grouped into named areas, then the top k at least a minimum distance apart.
#[utoipa::path(post, path = "/api/shortlist", tag = "Planning",
    request_body = ShortlistRequest,
    responses(
        (status = 200, description = "The shortlist: each area's name, outline (CRS84), area, municipalities, best and mean score and the best candidate's breakdown; the areas passed over and why", body = serde_json::Value),
        (status = 400, description = "An unknown profile or criterion, weights not summing to 100, k outside 1..100, a negative spacing or area, or a malformed body", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn shortlist(
    State(state): State<AppState>,
    body: Result<Json<ShortlistRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let req = super::error::json_body(body, "shortlist request")?;
    tokio::task::spawn_blocking(move || run_shortlist(&state, &req))
        .await
        .map_err(|e| ApiError::Internal(format!("shortlist task failed: {e}")))?
        .map(Json)
}

/// A request's review-status filter, with the review overlay it reads (empty without one).
fn status_filter(
    state: &AppState,
    status: Option<&str>,
) -> Result<
    (
        Option<crate::domain::review::Status>,
        std::sync::Arc<crate::catalog::review::ReviewOverlay>,
    ),
    ApiError,
> {
    use crate::domain::review::Status;
    let Some(st) = status else {
        return Ok((None, Default::default()));
    };
    let parsed = Status::parse(st).ok_or_else(|| {
        bad(
            "status",
            format!(
                "unknown status '{st}'; use one of {}",
                Status::ALL.map(|s| s.name()).join(", ")
            ),
        )
    })?;
    Ok((
        Some(parsed),
        super::session::overlay(state)?.unwrap_or_default(),
    ))
}

/// The scored set a request names: its profile and candidate set.
fn scored_for<'a>(
    state: &'a AppState,
    profile: &str,
    candidates: Option<&str>,
) -> Result<&'a crate::catalog::Scored, ApiError> {
    let set = candidate_set(candidates)?;
    state
        .scored
        .iter()
        .find(|s| s.profile.id == profile && s.set == set)
        .map(|s| s.as_ref())
        .ok_or_else(|| {
            if state.scored.iter().any(|s| s.profile.id == profile) {
                bad(
                    "candidates",
                    format!(
                        "this server has no {} candidates; start it with `energistasjon serve --grid 250`",
                        set.name()
                    ),
                )
            } else {
                unknown_profile(state, profile)
            }
        })
}

fn run_shortlist(state: &AppState, req: &ShortlistRequest) -> Result<Value, ApiError> {
    use crate::catalog::sites::{self, SiteQuery};
    let scored = scored_for(state, &req.profile, req.candidates.as_deref())?;
    let profile = if req.weights.is_empty() {
        scored.profile.clone()
    } else {
        with_weights(&scored.profile, &req.weights).map_err(|m| bad("weights", m))?
    };
    let mut q = SiteQuery::defaults(&scored.profile);
    q.weights = profile.criteria.iter().map(|c| c.weight).collect();
    if let Some(k) = req.k {
        if !(1..=MAX_SHORTLIST).contains(&k) {
            return Err(bad(
                "k",
                format!("k must lie in 1..{MAX_SHORTLIST}, not {k}"),
            ));
        }
        q.rules.k = k as usize;
    }
    if let Some(km) = req.min_spacing_km {
        if !(km.is_finite() && km >= 0.0) {
            return Err(bad(
                "min_spacing_km",
                format!("min_spacing_km must be a distance ≥ 0 km, not {km}"),
            ));
        }
        q.rules.min_spacing_m = km * 1000.0;
    }
    if let Some(ha) = req.min_area_ha {
        if !(ha.is_finite() && ha >= 0.0) {
            return Err(bad(
                "min_area_ha",
                format!("min_area_ha must be an area ≥ 0 ha, not {ha}"),
            ));
        }
        q.rules.min_area_m2 = ha * 10_000.0;
    }
    if let Some(m) = req.max_per_municipality {
        if m < 1 {
            return Err(bad(
                "max_per_municipality",
                "max_per_municipality must be at least 1",
            ));
        }
        q.rules.max_per_municipality = Some(m as usize);
    }
    if let Some(s) = req.min_score {
        if !(s.is_finite() && (0.0..=100.0).contains(&s)) {
            return Err(bad("min_score", "min_score is a score from 0 to 100"));
        }
    }
    q.min_score = req.min_score;
    q.kommunenummer = req.kommunenummer.clone();
    let (status, overlay) = status_filter(state, req.status.as_deref())?;
    let keep = |i: usize| {
        status.is_none_or(|st| {
            overlay
                .value(&scored.raw.candidates[i].id, "status")
                .is_some_and(|v| v == st.name())
        })
    };
    let scenario = state.scenarios.get(req.demand_scenario.as_deref())?;
    let mut result = sites::run(&state.ctx, scored, &q, &keep);
    sites::size_sites(
        &state.ctx,
        scored,
        scenario,
        &sites::SIZED_YEARS,
        &mut result,
    )
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let t = crate::ingest::crs::ToCrs84::new().map_err(|e| ApiError::Internal(e.to_string()))?;
    sites::to_json(&result, &t).map_err(|e| ApiError::Internal(e.to_string()))
}
