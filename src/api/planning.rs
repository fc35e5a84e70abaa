//! Planning endpoints: the profiles (for the map's sliders) and re-scoring with new weights.
//! Re-scoring reuses each profile's cached measurements: new weights never repeat a
//! spatial query.

use std::collections::BTreeMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{ApiError, AppState};
use crate::domain::profile::with_weights;
use crate::scoring::rank;

pub async fn profiles(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "profiles": state.scored.iter().map(|s| &s.profile).collect::<Vec<_>>()
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreRequest {
    pub profile: String,
    /// Criterion id → weight; criteria left out keep the profile's weight. All must sum to 100.
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
    pub kommunenummer: Option<String>,
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

fn bad(parameter: &str, detail: impl Into<String>) -> ApiError {
    ApiError::BadRequest {
        parameter: parameter.into(),
        detail: detail.into(),
    }
}

fn unknown_profile(state: &AppState, name: &str) -> ApiError {
    let known: Vec<&str> = state.scored.iter().map(|s| s.profile.id.as_str()).collect();
    bad(
        "profile",
        format!("unknown profile '{name}'; use one of {}", known.join(", ")),
    )
}

/// A JSON body that does not parse, or is too large, becomes problem+json like every error.
fn body_error(e: JsonRejection) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::TooLarge(format!(
            "the request body is larger than {} MiB",
            super::MAX_BODY_BYTES / 1024 / 1024
        ));
    }
    bad(
        "body",
        format!(
            "the request body is not a valid score request: {}",
            e.body_text()
        ),
    )
}

pub async fn score(
    State(state): State<AppState>,
    body: Result<Json<ScoreRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(req) = body.map_err(body_error)?;
    let scored = state
        .scored
        .iter()
        .find(|s| s.profile.id == req.profile)
        .ok_or_else(|| unknown_profile(&state, &req.profile))?;
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
    let weights: Vec<f64> = profile.criteria.iter().map(|c| c.weight).collect();
    let ranking = rank(&scored.raw, &scored.norm, &weights);
    let k = scored.norm.k;
    let selected: Vec<u32> = ranking
        .order
        .iter()
        .copied()
        .filter(|&i| {
            req.kommunenummer
                .as_ref()
                .is_none_or(|n| scored.kommunenummer[i as usize].as_ref() == Some(n))
        })
        .collect();
    let page: Vec<Ranked> = selected
        .iter()
        .skip(req.offset)
        .take(limit)
        .map(|&i| {
            let i = i as usize;
            let c = &scored.raw.candidates[i];
            Ranked {
                id: c.id.clone(),
                name: c.name.clone(),
                kommunenummer: scored.kommunenummer[i].clone(),
                score: ranking.scores[i],
                rank: ranking.region_rank[i],
                municipality_rank: ranking.municipality_rank[i],
                criteria: profile
                    .criteria
                    .iter()
                    .enumerate()
                    .map(|(j, cr)| {
                        let normalized = scored.norm.values[i * k + j];
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
    Ok(Json(json!({
        "profile": profile.id,
        "weights": profile.criteria.iter().map(|c| (c.id.clone(), c.weight)).collect::<BTreeMap<_, _>>(),
        "numberMatched": selected.len(),
        "numberReturned": page.len(),
        "excluded": scored.raw.len() - ranking.order.len(),
        "candidates": page,
    })))
}

#[derive(Debug, Deserialize)]
pub struct ProfileQuery {
    pub profile: Option<String>,
    pub ids: Option<String>,
}

fn candidates_of<'a>(
    state: &'a AppState,
    profile: Option<&str>,
) -> Result<&'a super::collections::Collection, ApiError> {
    let profile = profile.ok_or_else(|| {
        bad(
            "profile",
            "add ?profile=mcs-corridor (or depot, hydrogen, biogas)",
        )
    })?;
    state
        .collections
        .iter()
        .find(|c| c.id == format!("candidates-{profile}"))
        .ok_or_else(|| unknown_profile(state, profile))
}

/// One candidate's full breakdown: every criterion's raw value, unit, normalized value,
/// points and reason, every failed constraint, and its ranks.
pub async fn candidate(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::extract::Query(q): axum::extract::Query<ProfileQuery>,
) -> Result<Json<Value>, ApiError> {
    let c = candidates_of(&state, q.profile.as_deref())?;
    let item = c.item(&id).ok_or_else(|| {
        ApiError::NotFound(format!(
            "profile '{}' has no candidate '{id}'",
            c.id.trim_start_matches("candidates-")
        ))
    })?;
    Ok(Json(
        json!({"id": item.id, "geometry": item.geometry, "properties": item.properties}),
    ))
}

/// Several candidates side by side, in the order asked for.
pub async fn compare(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<ProfileQuery>,
) -> Result<Json<Value>, ApiError> {
    let c = candidates_of(&state, q.profile.as_deref())?;
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
        let item = c.item(id).ok_or_else(|| {
            bad(
                "ids",
                format!(
                    "profile '{}' has no candidate '{id}'",
                    c.id.trim_start_matches("candidates-")
                ),
            )
        })?;
        out.push(json!({"id": item.id, "properties": item.properties}));
    }
    Ok(Json(
        json!({"profile": c.id.trim_start_matches("candidates-"), "candidates": out}),
    ))
}
