//! The AFIR gap analysis (`GET /api/corridors`) and site selection (`POST /api/select`),
//! counting approved and built sites from the review store.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::{bad, ApiError};
use super::planning::candidate_set;
use super::AppState;
use crate::catalog::planned::{self, Sets};
use crate::catalog::CandidateSet;
use crate::domain::afir::{Fuel, Rules};
use crate::domain::layers::StationKind;
use crate::ingest::crs::ToCrs84;
use crate::network::coverage::{analyse, Options, Planned};
use crate::network::select::{self, Objective, SelectError};
use crate::network::Network;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CorridorsQuery {
    /// Rule year: 2025, 2027 or 2030 (default).
    pub year: Option<u16>,
    /// Candidate ids to count as built, comma-separated.
    pub assume: Option<String>,
    /// Count every heavy-vehicle charging station whatever its power.
    #[serde(default)]
    pub ignore_power: bool,
}

fn network(state: &AppState) -> Result<&Network, ApiError> {
    let n = state.ctx.network.as_deref().ok_or_else(|| {
        ApiError::NotFound(
            "this region has no corridors. Add `corridors = \"corridors.toml\"` under [region] in the region config".into(),
        )
    })?;
    if let Some(p) = n.problems.first() {
        return Err(ApiError::Unavailable(format!(
            "the corridors file cannot be used: {p}"
        )));
    }
    Ok(n)
}

fn rules(year: u16) -> Result<Rules, ApiError> {
    let rules = Rules::builtin().map_err(|e| ApiError::Internal(e.to_string()))?;
    if !rules.years().contains(&year) {
        let years: Vec<String> = rules.years().iter().map(|y| y.to_string()).collect();
        return Err(bad(
            "year",
            format!("no AFIR rules for {year}; use one of {}", years.join(", ")),
        ));
    }
    Ok(rules)
}

/// Approved and built sites from the store, plus `assume`.
fn planned(
    state: &AppState,
    assume: &[String],
    kind: StationKind,
) -> Result<Vec<Planned>, ApiError> {
    let sets: Sets = planned::sets(&state.scored);
    let (sites, proposals) = match state.store.as_deref() {
        Some(st) => (st.sites()?, st.proposals(None)?),
        None => (Vec::new(), Vec::new()),
    };
    let mut out = planned::from_review(&sites, &sets, &proposals);
    let assumed = planned::assumed(assume, kind, &sets, &proposals).map_err(|unknown| {
        bad(
            "assume",
            format!(
                "no candidate {}; use ids from the candidates collections or proposals",
                unknown.join(", ")
            ),
        )
    })?;
    out.extend(assumed);
    Ok(out)
}

fn ids(text: Option<&str>) -> Vec<String> {
    text.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn lonlat(t: &ToCrs84, g: &geo::Geometry<f64>) -> Result<Value, ApiError> {
    let g = t.apply(g).map_err(|e| ApiError::Internal(e.to_string()))?;
    serde_json::to_value(geojson::Geometry::new(geojson::GeometryValue::from(&g)))
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// Every corridor against the AFIR rules of a year: stations counted (existing, approved,
/// built, assumed), gaps with chainage and geometry, share covered, pass or fail.
#[utoipa::path(get, path = "/api/corridors", tag = "Planning",
    params(CorridorsQuery),
    responses(
        (status = 200, description = "The AFIR report per corridor; each gap has a GeoJSON geometry in CRS84", body = serde_json::Value),
        (status = 400, description = "An unknown year or candidate id", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "The region has no corridors file", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn corridors(
    State(state): State<AppState>,
    q: Result<Query<CorridorsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let q = super::error::query(q)?;
    tokio::task::spawn_blocking(move || report(&state, &q))
        .await
        .map_err(|e| ApiError::Internal(format!("corridor task failed: {e}")))?
        .map(Json)
}

/// The share of corridor length meeting the AFIR charging spacing of `year`, counting the
/// stations layer and the approved and built sites of the review store; None without a
/// road network or corridors.
pub fn charging_share(state: &AppState, year: u16) -> Result<Option<f64>, ApiError> {
    let Ok(n) = network(state) else {
        return Ok(None);
    };
    let rules = rules(year)?;
    let planned = planned(state, &[], StationKind::Charging)?;
    let r = analyse(
        n,
        state.region,
        &rules,
        year,
        &planned,
        Options {
            ignore_power: false,
        },
    );
    let (covered, length) = r
        .corridors
        .iter()
        .flat_map(|c| c.checks.iter().map(move |k| (c, k)))
        .filter(|(_, k)| k.fuel == crate::domain::afir::Fuel::Electric)
        .fold((0.0, 0.0), |(a, b), (c, k)| {
            (a + k.covered_km, b + c.length_km)
        });
    Ok((length > 0.0).then(|| covered / length))
}

/// What counting `site` as a station of `kind` would change on the corridors in `year`;
/// None when the region has no usable corridors.
pub(crate) fn site_effect(
    state: &AppState,
    site: &str,
    kind: StationKind,
    year: u16,
) -> Result<Option<Vec<crate::network::coverage::GapChange>>, ApiError> {
    let Ok(n) = network(state) else {
        return Ok(None);
    };
    let rules = rules(year)?;
    let base = planned(state, &[], kind)?;
    // A site already approved or built counts in both; its effect is then nothing new.
    let with = planned(state, &[site.to_string()], kind)?;
    let opts = Options {
        ignore_power: false,
    };
    let before = analyse(n, state.region, &rules, year, &base, opts);
    let after = analyse(n, state.region, &rules, year, &with, opts);
    Ok(Some(crate::network::coverage::site_effect(
        &before, &after, site,
    )))
}

fn report(state: &AppState, q: &CorridorsQuery) -> Result<Value, ApiError> {
    let year = q.year.unwrap_or(2030);
    let rules = rules(year)?;
    let n = network(state)?;
    let planned = planned(state, &ids(q.assume.as_deref()), StationKind::Charging)?;
    let r = analyse(
        n,
        state.region,
        &rules,
        year,
        &planned,
        Options {
            ignore_power: q.ignore_power,
        },
    );
    let t = ToCrs84::new().map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut v = serde_json::to_value(&r).map_err(|e| ApiError::Internal(e.to_string()))?;
    for (ci, c) in r.corridors.iter().enumerate() {
        for (ki, k) in c.checks.iter().enumerate() {
            for (gi, g) in k.gaps.iter().enumerate() {
                v["corridors"][ci]["checks"][ki]["gaps"][gi]["geometry"] =
                    lonlat(&t, &geo::Geometry::LineString(g.geometry.clone()))?;
            }
        }
    }
    Ok(v)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectRequest {
    /// The profile whose candidates to choose from.
    pub profile: String,
    /// How many sites to choose, 1..200.
    pub k: usize,
    /// `close-gaps` (default) or `cover-traffic`.
    pub objective: Option<String>,
    /// Rule year (default 2030).
    pub year: Option<u16>,
    /// `parcels` (default), or `grid` when the server was started with `--grid`.
    pub candidates: Option<String>,
    /// Only candidates scoring at least this (0–100).
    #[serde(default)]
    pub min_score: f64,
    /// No two picks closer than this many km (default 10).
    pub min_spacing_km: Option<f64>,
    /// cover-traffic: a pick covers roads within this driving distance.
    pub radius_km: Option<f64>,
    /// Candidate ids to count as built before choosing.
    #[serde(default)]
    pub assume: Vec<String>,
    #[serde(default)]
    pub ignore_power: bool,
}

/// Chooses up to k candidates, greedily with lazy evaluation, each with its marginal gain,
/// and says which gaps stay open and why.
#[utoipa::path(post, path = "/api/select", tag = "Planning",
    request_body = SelectRequest,
    responses(
        (status = 200, description = "The picks with their gains, the objective before and after, and the gaps left with reasons", body = serde_json::Value),
        (status = 400, description = "An unknown profile, objective, year or candidate set, k out of range, or a malformed body", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "The region has no corridors file", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn select(
    State(state): State<AppState>,
    body: Result<Json<SelectRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let req = super::error::json_body(body, "select request")?;
    tokio::task::spawn_blocking(move || run_select(&state, &req))
        .await
        .map_err(|e| ApiError::Internal(format!("selection task failed: {e}")))?
        .map(Json)
}

fn run_select(state: &AppState, req: &SelectRequest) -> Result<Value, ApiError> {
    let objective = match req.objective.as_deref() {
        None | Some("close-gaps") => Objective::CloseGaps,
        Some("cover-traffic") => Objective::CoverTraffic,
        Some(other) => {
            return Err(bad(
                "objective",
                format!("unknown objective '{other}'; use close-gaps or cover-traffic"),
            ))
        }
    };
    let set = candidate_set(req.candidates.as_deref())?;
    if !(req.min_score.is_finite() && (0.0..=100.0).contains(&req.min_score)) {
        return Err(bad("min_score", "a score from 0 to 100"));
    }
    let year = req.year.unwrap_or(2030);
    let rules = rules(year)?;
    let n = network(state)?;
    let scored = state
        .scored
        .iter()
        .find(|s| s.profile.id == req.profile && s.set == set)
        .ok_or_else(|| {
            let known: Vec<&str> = state
                .scored
                .iter()
                .filter(|s| s.set == CandidateSet::Parcels)
                .map(|s| s.profile.id.as_str())
                .collect();
            bad(
                "profile",
                format!(
                    "no {} candidates for profile '{}'; the profiles are {}",
                    set.name(),
                    req.profile,
                    known.join(", ")
                ),
            )
        })?;
    let fuel = match (scored.profile.station_kind, objective) {
        (StationKind::Charging, _) => Fuel::Electric,
        (StationKind::Hydrogen, _) => Fuel::Hydrogen,
        (StationKind::Biogas, Objective::CoverTraffic) => Fuel::Electric,
        (StationKind::Biogas, Objective::CloseGaps) => return Err(bad(
            "objective",
            "AFIR sets no spacing for biogas; use cover-traffic, or a charging or hydrogen profile",
        )),
    };
    let planned = planned(state, &req.assume, scored.profile.station_kind)?;
    // Site areas are the unit: one candidate per area, its best.
    let eligible: Vec<(usize, select::Candidate)> =
        crate::catalog::sites::area_bests(scored, req.min_score)
            .into_iter()
            .map(|i| {
                (
                    i,
                    select::Candidate {
                        id: scored.raw.candidates[i].id.clone(),
                        point: scored.raw.candidates[i].point,
                        score: scored.ranking.scores[i],
                    },
                )
            })
            .collect();
    let index: std::collections::HashMap<String, usize> =
        eligible.iter().map(|(i, c)| (c.id.clone(), *i)).collect();
    let o = select::Options {
        objective,
        k: req.k,
        year,
        fuel,
        min_spacing_km: req.min_spacing_km.unwrap_or(10.0),
        radius_km: req.radius_km,
        ignore_power: req.ignore_power,
    };
    let s = select::select(
        n,
        state.region,
        &rules,
        &planned,
        eligible.into_iter().map(|(_, c)| c).collect(),
        &o,
    )
    .map_err(|e| match e {
        SelectError::K { .. } => bad("k", e.to_string()),
        SelectError::NoRule { .. } => bad("year", e.to_string()),
        SelectError::Km(p) => bad(p, e.to_string()),
    })?;
    let mut s = s;
    for p in &mut s.picks {
        if let Some(&i) = index.get(&p.id) {
            let (area, name) = crate::catalog::sites::area_name(&state.ctx, scored, i);
            p.area = Some(area);
            p.name = Some(name.name);
        }
    }
    let features: Vec<Value> = s
        .picks
        .iter()
        .filter_map(|p| {
            let i = *index.get(&p.id)?;
            Some(json!({
                "type": "Feature",
                "id": p.id,
                "geometry": serde_json::to_value(geojson::Geometry::new(
                    geojson::GeometryValue::from(scored.lonlat.geometry(i).as_ref()),
                )).ok()?,
                "properties": {"order": p.order, "score": p.score, "gain": p.gain, "name": p.name, "area": p.area},
            }))
        })
        .collect();
    let mut v = serde_json::to_value(&s).map_err(|e| ApiError::Internal(e.to_string()))?;
    v["profile"] = json!(scored.profile.id);
    v["picks_geojson"] = json!({"type": "FeatureCollection", "features": features});
    Ok(v)
}
