//! `GET /api/programme/{year}`: the action programme with the KPIs the service computes
//! from its own data filled in, each with when and from what it was computed, and
//! `GET /api/programme/{year}/report?format=md|html|csv`, the yearly report.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::bad;
use super::{ApiError, AppState};
use crate::domain::programme::{
    compute, Change, KpiInputs, KpiValue, MeasureStatus, Programme, ProgrammeError, SiteFact,
};
use crate::domain::review::Status;
use crate::programme::{file_of, render, Format};

impl From<ProgrammeError> for ApiError {
    fn from(e: ProgrammeError) -> Self {
        match e {
            ProgrammeError::Change { parameter, message } => bad(parameter, message),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

fn year_of(year: &str) -> Result<u16, ApiError> {
    year.parse()
        .map_err(|_| bad("year", format!("'{year}' is not a year")))
}

/// The day of a store timestamp, YYYY-MM-DD.
fn day(secs: i64) -> String {
    crate::export::rfc3339_of(secs)[..10].to_string()
}

/// The programme of `year` from the configured folder, with the stored changes replayed.
fn load(state: &AppState, year: &str) -> Result<Programme, ApiError> {
    let year = year_of(year)?;
    let path = file_of(&state.options.programme_dir, year);
    let text = std::fs::read_to_string(&path).map_err(|_| {
        ApiError::NotFound(format!(
            "no action programme for {year}: {} does not exist",
            path.display()
        ))
    })?;
    let mut p = Programme::parse(&text, &path.display().to_string())?;
    if let Some(st) = state.store.as_deref() {
        for c in st.programme_changes(year)? {
            // A change the edited file no longer fits is kept in the store and skipped here.
            let applied = serde_json::from_value::<Change>(c.change.clone())
                .map_err(|e| e.to_string())
                .and_then(|ch| p.apply(&ch, &c.by, &day(c.at)).map_err(|e| e.to_string()));
            if let Err(e) = applied {
                tracing::warn!(
                    "programme {year}: stored change {} no longer applies: {e}",
                    c.id
                );
            }
        }
    }
    Ok(p)
}

/// The region's MCS need in 2030: the summed 2030 peak MW of the corridor profile's shortlist
/// (its default k areas and rules) under `scenario`. Estimated.
fn need_2030(
    state: &AppState,
    mcs: &crate::catalog::Scored,
    scenario: &crate::domain::scenario::Scenario,
) -> Result<Option<f64>, ApiError> {
    use crate::catalog::sites;
    let q = sites::SiteQuery::defaults(&mcs.profile);
    let mut result = sites::run(&state.ctx, mcs, &q, &|_| true);
    if result.sites.is_empty() {
        return Ok(None);
    }
    sites::size_sites(&state.ctx, mcs, scenario, &[2030], &mut result)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mw: f64 = result
        .sites
        .iter()
        .filter_map(|s| s.sizing.first().map(|z| z.peak_mw))
        .sum();
    Ok(Some((mw * 1000.0).round() / 1000.0))
}

/// Computes every computed KPI now and appends the reading to its values.
pub fn fill_computed(state: &AppState, p: &mut Programme) -> Result<(), ApiError> {
    let members = members(state, p);
    // MCS sizing under the default scenario: the planned sites and the shortlist's need.
    let scenario = state.scenarios.get(None)?;
    let mcs = state.scored.iter().find(|s| {
        s.set == crate::catalog::CandidateSet::Parcels
            && s.profile.sizing_station == crate::domain::scenario::StationType::Mcs
    });
    let need_mw_2030 = match mcs {
        Some(m) => need_2030(state, m, scenario)?,
        None => None,
    };
    let mut sites = Vec::new();
    let mut last_change = None;
    if let Some(st) = state.store.as_deref() {
        let states = st.sites()?;
        let proposals = st.proposals(None)?;
        let sets = crate::catalog::planned::sets(&state.scored);
        let touched: std::collections::BTreeSet<&str> =
            states.iter().map(|s| s.site.as_str()).collect();
        for s in &states {
            // Free grid capacity and planned MW matter for approved sites only.
            let at = matches!(s.status, Status::Approved | Status::Built)
                .then(|| crate::catalog::planned::locate(&s.site, &sets, &proposals))
                .flatten()
                .map(|(pt, _)| pt);
            let substation = at
                .and_then(|pt| {
                    let radius = crate::scoring::criteria::grid::DEFAULT_RADIUS_M;
                    crate::scoring::criteria::grid::most_free(&state.ctx, pt, radius)
                })
                .map(|(i, mw)| (state.region.grid[i as usize].id.clone(), mw));
            let mw_2030 = match (at, mcs) {
                (Some(pt), Some(m)) => {
                    crate::scoring::sizing::at(&state.ctx, &m.profile, scenario, 2030, pt)
                        .ok()
                        .map(|z| z.peak_mw)
                }
                _ => None,
            };
            sites.push(SiteFact {
                kommunenummer: s.kommunenummer.clone(),
                status: s.status,
                substation,
                mw_2030,
            });
        }
        for pr in &proposals {
            if !touched.contains(pr.id.as_str()) {
                sites.push(SiteFact {
                    kommunenummer: pr.kommunenummer.clone(),
                    status: Status::Proposed,
                    substation: None,
                    mw_2030: None,
                });
            }
        }
        last_change = st.audit(1)?.first().map(|a| a.at);
    }
    let inputs = KpiInputs {
        members,
        afir_share_2030: super::network::charging_share(state, 2030)?,
        need_mw_2030,
        sites,
    };
    let at = crate::export::rfc3339_of(crate::store::now());
    let from = format!(
        "{} steder i behandlingslageret{}; regiondata {}; AFIR-reglene for 2030",
        inputs.sites.len(),
        last_change
            .map(|t| format!(", sist endret {}", crate::export::rfc3339_of(t)))
            .unwrap_or_default(),
        state.report.data_version
    );
    let year = p.year;
    for m in &mut p.measures {
        for k in &mut m.kpis {
            let Some(kind) = k.computed else { continue };
            let Some(r) = compute(kind, &inputs) else {
                continue;
            };
            // Planned MW is read against the need unless the secretariat set a target.
            if kind == crate::domain::programme::Computed::PlannedMw2030 && k.target.is_none() {
                k.target = inputs.need_mw_2030;
            }
            // A reading is recorded when the value changes, so the series shows each change
            // with when and from what it was computed.
            let unchanged = k
                .values
                .last()
                .is_some_and(|v| v.from.is_some() && v.value == r.value);
            if unchanged {
                continue;
            }
            if let Some(st) = state.store.as_deref() {
                let change = Change::Computed {
                    measure: m.id.clone(),
                    kpi: k.id.clone(),
                    value: r.value,
                    at: at.clone(),
                    from: from.clone(),
                };
                st.add_programme_change(year, &json!(change), None)?;
            }
            k.values.push(KpiValue {
                at: at.clone(),
                value: r.value,
                note: (!r.per_municipality.is_empty()).then(|| {
                    r.per_municipality
                        .iter()
                        .map(|(k, v)| format!("{k}: {v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }),
                from: Some(from.clone()),
            });
        }
    }
    Ok(())
}

/// The programme as served: file, stored changes, computed KPIs as of now.
pub fn current(state: &AppState, year: &str) -> Result<Programme, ApiError> {
    let mut p = load(state, year)?;
    fill_computed(state, &mut p)?;
    Ok(p)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeasureQuery {
    /// A theme id, or `overall`.
    pub theme: Option<String>,
    /// A responsible group's id.
    pub group: Option<String>,
    /// planned, in_progress, done, postponed or cancelled.
    pub status: Option<String>,
}

/// The measures of a year, filtered by theme, responsible group and status.
#[utoipa::path(get, path = "/api/programme/{year}/measures", tag = "Programme",
    params(("year" = String, Path, description = "The programme year"), MeasureQuery),
    responses(
        (status = 200, description = "The measures that match", body = serde_json::Value),
        (status = 400, description = "An unknown theme, group or status", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn measures(
    State(state): State<AppState>,
    Path(year): Path<String>,
    Query(q): Query<MeasureQuery>,
) -> Result<Json<Value>, ApiError> {
    tokio::task::spawn_blocking(move || {
        let p = current(&state, &year)?;
        if let Some(t) = &q.theme {
            if t != "overall" && !p.themes.iter().any(|x| &x.id == t) {
                let known: Vec<&str> = p.themes.iter().map(|x| x.id.as_str()).collect();
                return Err(bad(
                    "theme",
                    format!(
                        "no theme '{t}'; the themes are overall, {}",
                        known.join(", ")
                    ),
                ));
            }
        }
        if let Some(g) = &q.group {
            if !p.groups.iter().any(|x| &x.id == g) {
                let known: Vec<&str> = p.groups.iter().map(|x| x.id.as_str()).collect();
                return Err(bad(
                    "group",
                    format!("no group '{g}'; the groups are {}", known.join(", ")),
                ));
            }
        }
        let status = match &q.status {
            None => None,
            Some(s) => Some(MeasureStatus::parse(s).ok_or_else(|| {
                bad(
                    "status",
                    format!(
                        "unknown status '{s}'; use one of {}",
                        MeasureStatus::ALL.map(|x| x.name()).join(", ")
                    ),
                )
            })?),
        };
        let list: Vec<_> = p
            .measures
            .iter()
            .filter(|m| q.theme.as_ref().is_none_or(|t| &m.theme == t))
            .filter(|m| q.group.as_ref().is_none_or(|g| m.group.as_ref() == Some(g)))
            .filter(|m| status.is_none_or(|s| m.status == s))
            .collect();
        Ok(Json(json!({"year": p.year, "measures": list})))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("programme task failed: {e}")))?
}

/// Every KPI of a year with its values over time and its target: the charts' data.
#[utoipa::path(get, path = "/api/programme/{year}/kpis", tag = "Programme",
    params(("year" = String, Path, description = "The programme year")),
    responses((status = 200, description = "Each KPI with its measure, unit, target and values", body = serde_json::Value)))]
pub async fn kpis(
    State(state): State<AppState>,
    Path(year): Path<String>,
) -> Result<Json<Value>, ApiError> {
    tokio::task::spawn_blocking(move || {
        let p = current(&state, &year)?;
        let series: Vec<Value> = p
            .measures
            .iter()
            .flat_map(|m| {
                m.kpis
                    .iter()
                    .map(move |k| json!({"measure": m.id, "theme": m.theme, "kpi": k}))
            })
            .collect();
        Ok(Json(json!({"year": p.year, "kpis": series})))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("programme task failed: {e}")))?
}

/// Changes the programme (the secretariat only): a measure's status with a note, its text,
/// a KPI value or target, or a budget post's actual figure. Every change is audited.
#[utoipa::path(post, path = "/api/programme/{year}/changes", tag = "Programme",
    params(("year" = String, Path, description = "The programme year")),
    request_body(content = serde_json::Value, description = "A change: {\"kind\": \"measure_status\", \"measure\": \"GN-1\", \"status\": \"in_progress\", \"note\": \"…\"}, or kind measure_text, kpi_value, kpi_target, budget_actual"),
    responses(
        (status = 201, description = "The stored change and the measure or budget after it", body = serde_json::Value),
        (status = 400, description = "A change that does not fit the programme (the field is named)", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the secretariat", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn change(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(year): Path<String>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let who = super::session::actor(&state, &headers, &method)?;
    crate::domain::review::may_edit_programme(who.as_ref())?;
    let who = who.ok_or_else(|| ApiError::Unauthorized("log in first".into()))?;
    let body = super::error::json_body(b, "change")?;
    let c: Change = serde_json::from_value(body.clone())
        .map_err(|e| bad("change", format!("not a programme change: {e}")))?;
    if matches!(c, Change::Computed { .. }) {
        return Err(bad(
            "kind",
            "computed KPI readings are recorded by the service, not entered",
        ));
    }
    tokio::task::spawn_blocking(move || {
        let mut p = load(&state, &year)?;
        // Checked against the programme as it stands before it is stored.
        let today = day(crate::store::now());
        p.apply(&c, &who.username, &today)?;
        let stored =
            super::session::store(&state)?.add_programme_change(p.year, &body, Some(&who))?;
        let after = match &c {
            Change::BudgetActual { post, .. } => json!(p.budget.iter().find(|b| &b.post == post)),
            Change::MeasureStatus { measure, .. }
            | Change::MeasureText { measure, .. }
            | Change::KpiValue { measure, .. }
            | Change::KpiTarget { measure, .. }
            | Change::Computed { measure, .. } => json!(p.measure(measure)),
        };
        Ok((
            StatusCode::CREATED,
            Json(json!({"change": stored, "after": after})),
        )
            .into_response())
    })
    .await
    .map_err(|e| ApiError::Internal(format!("programme task failed: {e}")))?
}

/// The action programme of a year, with its computed KPIs as of now.
#[utoipa::path(get, path = "/api/programme/{year}", tag = "Programme",
    params(("year" = String, Path, description = "The programme year, e.g. 2025")),
    responses(
        (status = 200, description = "Vision, goals, themes, measures with KPIs (computed ones as of now), budget", body = serde_json::Value),
        (status = 404, description = "No programme for that year", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn programme(
    State(state): State<AppState>,
    Path(year): Path<String>,
) -> Result<Json<Programme>, ApiError> {
    tokio::task::spawn_blocking(move || Ok(Json(current(&state, &year)?)))
        .await
        .map_err(|e| ApiError::Internal(format!("programme task failed: {e}")))?
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// md (default), html or csv.
    pub format: Option<String>,
}

/// The yearly report: per theme each measure's status, latest note and KPIs against
/// targets, and the Klimasats phase II section with the computed KPIs.
#[utoipa::path(get, path = "/api/programme/{year}/report", tag = "Programme",
    params(("year" = String, Path, description = "The programme year"), ReportQuery),
    responses(
        (status = 200, description = "The report", content_type = "text/markdown", body = String),
        (status = 400, description = "An unknown format", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No programme for that year", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn report(
    State(state): State<AppState>,
    Path(year): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let format = match q.format.as_deref() {
        None => Format::Markdown,
        Some(f) => Format::parse(f).ok_or_else(|| {
            bad(
                "format",
                format!("unknown format '{f}'; use md, html or csv"),
            )
        })?,
    };
    tokio::task::spawn_blocking(move || {
        let p = current(&state, &year)?;
        // The fees when a population table is configured.
        let fees = fees_of(&state, &p).ok();
        Ok((
            [(header::CONTENT_TYPE, format.content_type())],
            render(&p, fees.as_ref(), format),
        )
            .into_response())
    })
    .await
    .map_err(|e| ApiError::Internal(format!("report task failed: {e}")))?
}

/// The members of a programme: its own list, or every municipality of the region.
fn members(state: &AppState, p: &Programme) -> Vec<String> {
    if p.members.is_empty() {
        state
            .region
            .boundary
            .iter()
            .map(|m| m.attrs.number.clone())
            .collect()
    } else {
        p.members.clone()
    }
}

/// Each member's fee (population × the programme's rate per inhabitant) and the total.
pub fn fees_of(
    state: &AppState,
    p: &Programme,
) -> Result<crate::domain::programme::Fees, ApiError> {
    let path = state.options.population.as_ref().ok_or_else(|| {
        ApiError::NotFound(
            "no population table: start the service with --population FILE (kommunenummer,population CSV)".into(),
        )
    })?;
    let text = std::fs::read_to_string(path).map_err(|e| {
        ApiError::Internal(format!(
            "cannot read the population table {}: {e}",
            path.display()
        ))
    })?;
    let pop = crate::domain::programme::parse_population(&text)
        .map_err(|e| ApiError::Internal(format!("{}: {e}", path.display())))?;
    Ok(crate::domain::programme::membership_fees(
        p.membership_fee_nok_per_inhabitant,
        &members(state, p),
        &pop,
    ))
}

/// The membership fee of every member municipality and the total.
#[utoipa::path(get, path = "/api/programme/{year}/fees", tag = "Programme",
    params(("year" = String, Path, description = "The programme year")),
    responses(
        (status = 200, description = "Rate, each member's population and fee, the total, and members the table lacks", body = serde_json::Value),
        (status = 404, description = "No programme for that year, or no population table configured", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn fees(
    State(state): State<AppState>,
    Path(year): Path<String>,
) -> Result<Json<Value>, ApiError> {
    tokio::task::spawn_blocking(move || {
        let p = load(&state, &year)?;
        Ok(Json(json!(fees_of(&state, &p)?)))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("programme task failed: {e}")))?
}

/// The years that have an action programme, newest first.
#[utoipa::path(get, path = "/api/programme", tag = "Programme",
    responses((status = 200, description = "The programme years", body = serde_json::Value)))]
pub async fn years(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let dir = &state.options.programme_dir;
    let mut years: Vec<u16> = std::fs::read_dir(dir)
        .map_err(|e| ApiError::Internal(format!("cannot list {}: {e}", dir.display())))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_suffix(".toml")?.parse::<u16>().ok()
        })
        .collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    Ok(Json(json!({"years": years})))
}
