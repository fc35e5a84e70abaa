//! `GET /api/programme/{year}`: the action programme with the KPIs the service computes
//! from its own data filled in, each with when and from what it was computed, and
//! `GET /api/programme/{year}/report?format=md|html|csv`, the yearly report.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::error::bad;
use super::{ApiError, AppState};
use crate::domain::programme::{compute, KpiInputs, KpiValue, Programme, SiteFact};
use crate::programme::{file_of, render, Format};

/// The programme of `year` from the configured folder.
fn load(state: &AppState, year: &str) -> Result<Programme, ApiError> {
    let year: u16 = year
        .parse()
        .map_err(|_| bad("year", format!("'{year}' is not a year")))?;
    let path = file_of(&state.options.programme_dir, year);
    let text = std::fs::read_to_string(&path).map_err(|_| {
        ApiError::NotFound(format!(
            "no action programme for {year}: {} does not exist",
            path.display()
        ))
    })?;
    Programme::parse(&text, &path.display().to_string())
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// The most free capacity at a substation within the grid criterion's default radius.
fn substation(state: &AppState, point: [f64; 2]) -> Option<(String, f64)> {
    let radius = crate::scoring::criteria::grid::DEFAULT_RADIUS_M;
    state
        .ctx
        .grid
        .within(point, radius)
        .into_iter()
        .filter_map(|(i, _)| {
            let g = &state.region.grid[i as usize];
            g.attrs
                .available_mw
                .map(|mw| (g.attrs.name.clone().unwrap_or_else(|| g.id.clone()), mw))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
}

/// Where a site is: a scored candidate's measurement point, or a proposal's.
fn site_point(state: &AppState, id: &str) -> Option<[f64; 2]> {
    for s in state.scored.iter() {
        if let Some(c) = s.raw.candidates.iter().find(|c| c.id == id) {
            return Some(c.point);
        }
    }
    let p = state.store.as_ref()?.proposal(id).ok()??;
    let g: geojson::Geometry = serde_json::from_value(p.geometry).ok()?;
    let g: geo::Geometry<f64> = g.try_into().ok()?;
    crate::scoring::candidates::measurement_point(&g)
}

/// Computes every computed KPI now and appends the reading to its values.
pub fn fill_computed(state: &AppState, p: &mut Programme) -> Result<(), ApiError> {
    let members: Vec<String> = if p.members.is_empty() {
        state
            .region
            .boundary
            .iter()
            .map(|m| m.attrs.number.clone())
            .collect()
    } else {
        p.members.clone()
    };
    let mut sites = Vec::new();
    let mut last_change = None;
    if let Some(st) = state.store.as_deref() {
        let states = st.sites()?;
        let touched: std::collections::BTreeSet<String> =
            states.iter().map(|s| s.site.clone()).collect();
        for s in &states {
            sites.push(SiteFact {
                kommunenummer: s.kommunenummer.clone(),
                status: s.status.name().to_string(),
                substation: site_point(state, &s.site).and_then(|pt| substation(state, pt)),
            });
        }
        for pr in st.proposals(None)? {
            if !touched.contains(&pr.id) {
                sites.push(SiteFact {
                    kommunenummer: pr.kommunenummer.clone(),
                    status: "proposed".into(),
                    substation: None,
                });
            }
        }
        last_change = st.audit(1)?.first().map(|a| a.at);
    }
    let inputs = KpiInputs {
        members,
        afir_share_2030: super::network::charging_share(state, 2030)?,
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
    for m in &mut p.measures {
        for k in &mut m.kpis {
            if let Some(kind) = k.computed {
                if let Some(r) = compute(kind, &inputs) {
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
        }
    }
    Ok(())
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
    tokio::task::spawn_blocking(move || {
        let mut p = load(&state, &year)?;
        fill_computed(&state, &mut p)?;
        Ok(Json(p))
    })
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
        let mut p = load(&state, &year)?;
        fill_computed(&state, &mut p)?;
        Ok((
            [(header::CONTENT_TYPE, format.content_type())],
            render(&p, format),
        )
            .into_response())
    })
    .await
    .map_err(|e| ApiError::Internal(format!("report task failed: {e}")))?
}
