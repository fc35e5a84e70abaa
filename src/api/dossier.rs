//! The site dossier over HTTP (`GET /api/sites/{id}/dossier`) and the logistics synergies
//! it holds. Gathers every section from the region, the scored sets and the store; the
//! `dossier` module renders it.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use geo::{Geometry, InteriorPoint};
use serde::Deserialize;
use serde_json::{json, Value};

use super::checklist::{profile_of, resolve, site_checklist, SiteRef};
use super::error::bad;
use super::{ApiError, AppState};
use crate::catalog::{CandidateSet, Scored};
use crate::domain::scenario::StationType;
use crate::dossier::map::Layer;
use crate::dossier::{Afir, Dossier, LandUse, LegendEntry, Location, Substation};
use crate::network::route::SnapIndex;
use crate::network::synergy::{self, Facility};
use crate::network::RoadGraph;
use crate::scoring::report::{breakdown, CandidateReport};

/// Half the width of the dossier's map, metres.
const MAP_HALF_M: f64 = 1200.0;
/// How far the dossier looks for substations, metres.
const GRID_RADIUS_M: f64 = 10_000.0;
/// How many substations it lists.
const GRID_LISTED: usize = 5;
/// The AFIR rule year the dossier checks: the first with the full spacing.
const AFIR_YEAR: u16 = 2030;

/// The graph, its snapping index and how far off the road a point may lie: the scoring
/// context's, shared with the synergy criterion.
pub(crate) fn roads(state: &AppState) -> (&RoadGraph, &SnapIndex, f64) {
    state.ctx.roads()
}

/// The region's terminals, and the approved and built sites of the store.
pub(crate) fn facilities(state: &AppState) -> Result<Vec<Facility>, ApiError> {
    let mut out = synergy::facilities_of(state.region);
    if let Some(st) = state.store.as_deref() {
        let sets = crate::catalog::planned::sets(&state.scored);
        let proposals = st.proposals(None)?;
        out.extend(
            crate::catalog::planned::from_review(&st.sites()?, &sets, &proposals)
                .iter()
                .map(|p| Facility::approved_site(&p.id, p.name.as_deref(), p.point)),
        );
    }
    Ok(out)
}

/// The site's synergies as JSON, each entry with its kind in words.
pub(crate) fn synergies_at(state: &AppState, site: &SiteRef) -> Result<Value, ApiError> {
    let (graph, snaps, max_snap) = roads(state);
    let all = facilities(state)?;
    // The site itself is not its own synergy when it is an approved site.
    let others: Vec<Facility> = all.into_iter().filter(|f| f.id != site.id).collect();
    let s = synergy::synergies(graph, snaps, site.candidate.point, &others, max_snap);
    let mut v = serde_json::to_value(&s).map_err(|e| ApiError::Internal(e.to_string()))?;
    for key in ["within_15", "within_30"] {
        let list = if key == "within_15" {
            &s.within_15
        } else {
            &s.within_30
        };
        if let Some(a) = v.get_mut(key).and_then(Value::as_array_mut) {
            for (e, r) in a.iter_mut().zip(list) {
                e["kind_label"] = r.kind.label_nb().into();
                e["kind_label_en"] = r.kind.label_en().into();
            }
        }
    }
    Ok(v)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DossierQuery {
    /// The profile id: mcs-corridor, depot, hydrogen or biogas. Its score, sizing and
    /// checklist lead.
    pub profile: Option<String>,
    /// html (default, printable), md or json.
    pub format: Option<String>,
    /// nb (default) or en.
    pub lang: Option<String>,
}

fn kind_of(state: &AppState, id: &str, site: &SiteRef, asked: &str) -> &'static str {
    if asked.starts_with("s-") {
        "site_area"
    } else if site.proposal_name.is_some() {
        "proposal"
    } else if state
        .scored
        .iter()
        .any(|s| s.raw.candidates.iter().any(|c| c.id == id))
    {
        "candidate"
    } else {
        "grid_cell"
    }
}

/// Each parcels profile's breakdown of the site: from the scored set where the site is one
/// of its candidates, else measured on its own (and then unranked).
fn scores(state: &AppState, lead: &Scored, site: &SiteRef) -> Vec<CandidateReport> {
    use crate::scoring::{measure, rank, Normalized};
    let mut sets: Vec<&Arc<Scored>> = state
        .scored
        .iter()
        .filter(|s| s.set == CandidateSet::Parcels)
        .collect();
    sets.sort_by_key(|s| s.profile.id != lead.profile.id);
    sets.iter()
        .filter_map(|s| {
            // The profile's parcels or its grid, whichever holds the site: its own ranks.
            let holder = state
                .scored
                .iter()
                .filter(|h| h.profile.id == s.profile.id)
                .find_map(|h| {
                    let i = h.raw.candidates.iter().position(|c| c.id == site.id)?;
                    Some((h, i))
                });
            if let Some((h, i)) = holder {
                return Some(breakdown(
                    &state.ctx, &h.raw, &h.norm, &h.ranking, &h.weights, i,
                ));
            }
            let raw = measure(
                &state.ctx,
                &s.profile,
                vec![site.candidate.clone()],
                &|_| {},
            );
            if raw.is_empty() {
                return None;
            }
            let norm = Normalized::new(&raw, &s.profile);
            let ranking = rank(&raw, &norm, &s.weights);
            let mut r = breakdown(&state.ctx, &raw, &norm, &ranking, &s.weights, 0);
            // Ranked among one: no rank to report.
            r.rank = None;
            r.municipality_rank = None;
            Some(r)
        })
        .collect()
}

fn substations(state: &AppState, p: [f64; 2]) -> Vec<Substation> {
    state
        .ctx
        .grid
        .within(p, GRID_RADIUS_M)
        .into_iter()
        .take(GRID_LISTED)
        .filter_map(|(i, d)| {
            let s = state.region.grid.get(i as usize)?;
            Some(Substation {
                name: s.attrs.name.clone(),
                distance_km: (d / 100.0).round() / 10.0,
                available_mw: s.attrs.available_mw,
            })
        })
        .collect()
}

fn layer<'a>(
    fill: &'static str,
    stroke: &'static str,
    width: f64,
    label: String,
    geometries: Vec<&'a Geometry<f64>>,
) -> Layer<'a> {
    Layer {
        fill,
        stroke,
        width,
        label,
        geometries,
    }
}

/// The map's layers around `p`, bottom to top, and the legend.
fn map(state: &AppState, site: &SiteRef, en: bool) -> (String, Vec<LegendEntry>) {
    let r = state.region;
    let ctx = &state.ctx;
    let p = site.candidate.point;
    // The window's corner is √2 × half away; anything reaching into it is within that.
    let reach = MAP_HALF_M * 1.5;
    let pick = |hits: Vec<(u32, f64)>, geoms: &dyn Fn(usize) -> Option<&'static Geometry<f64>>| {
        hits.into_iter()
            .filter_map(|(i, _)| geoms(i as usize))
            .collect::<Vec<_>>()
    };
    let t = |nb: &str, e: &str| if en { e.to_string() } else { nb.to_string() };
    let landuse_hits = ctx.landuse.within(p, reach);
    let business: Vec<&Geometry<f64>> = landuse_hits
        .iter()
        .filter_map(|&(i, _)| r.landuse.get(i as usize))
        .filter(|l| crate::scoring::checklist::zoned_for_it(l.attrs.class))
        .map(|l| &l.geometry)
        .collect();
    let other_land: Vec<&Geometry<f64>> = landuse_hits
        .iter()
        .filter_map(|&(i, _)| r.landuse.get(i as usize))
        .filter(|l| !crate::scoring::checklist::zoned_for_it(l.attrs.class))
        .map(|l| &l.geometry)
        .collect();
    let roads: Vec<&Geometry<f64>> = pick(ctx.roads.index.within(p, reach), &|i| {
        r.roads
            .get(ctx.roads.original(i as u32))
            .map(|f| &f.geometry)
    });
    let main: Vec<&Geometry<f64>> = pick(ctx.main_roads.index.within(p, reach), &|i| {
        r.roads
            .get(ctx.main_roads.original(i as u32))
            .map(|f| &f.geometry)
    });
    // Substations and stations are places: a layer may draw them as areas (a supply area,
    // a site outline), which would cover the map, so each is drawn at its interior point.
    let as_points = |hits: Vec<(u32, f64)>,
                     geoms: &dyn Fn(usize) -> Option<&'static Geometry<f64>>| {
        pick(hits, geoms)
            .into_iter()
            .filter_map(|g| g.interior_point().map(Geometry::Point))
            .collect::<Vec<Geometry<f64>>>()
    };
    let substation_points = as_points(ctx.grid.within(p, reach), &|i| {
        r.grid.get(i).map(|f| &f.geometry)
    });
    let station_points = as_points(ctx.all_stations.within(p, reach), &|i| {
        r.stations.get(i).map(|f| &f.geometry)
    });
    let layers = vec![
        layer(
            "#e3e8d8",
            "#b9c2a5",
            0.5,
            t("Annen arealbruk", "Other land use"),
            other_land,
        ),
        layer(
            "#c9c3e6",
            "#8c82c2",
            0.6,
            t(
                "Nærings-, industri- og samferdselsformål",
                "Business, industry and transport land",
            ),
            business,
        ),
        layer(
            "#f4a3a3",
            "#c04040",
            0.6,
            t("Verne- og fareområder", "Protected and hazard areas"),
            pick(ctx.exclusion.within(p, reach), &|i| {
                r.exclusion.get(i).map(|f| &f.geometry)
            }),
        ),
        layer(
            "#f0b56b",
            "#a0601a",
            1.0,
            t("Godsterminaler og havner", "Freight terminals and ports"),
            pick(ctx.terminals.within(p, reach), &|i| {
                r.terminals.get(i).map(|f| &f.geometry)
            }),
        ),
        layer("none", "#9a9a9a", 1.2, t("Veger", "Roads"), roads),
        layer(
            "none",
            "#d9822b",
            3.0,
            t("Europa- og riksveger", "European and national roads"),
            main,
        ),
        layer(
            "none",
            "#333333",
            1.5,
            t("Jernbane", "Railway"),
            pick(ctx.rail.within(p, reach), &|i| {
                r.rail.get(i).map(|f| &f.geometry)
            }),
        ),
        layer(
            "#2b7bb9",
            "#ffffff",
            1.0,
            t("Nettstasjoner", "Substations"),
            substation_points.iter().collect(),
        ),
        layer(
            "#1a9850",
            "#ffffff",
            1.0,
            t("Energistasjoner i dag", "Energy stations today"),
            station_points.iter().collect(),
        ),
    ];
    let legend = layers
        .iter()
        .filter(|l| !l.geometries.is_empty())
        .map(|l| LegendEntry {
            label: l.label.clone(),
            fill: if l.fill == "none" { l.stroke } else { l.fill },
            stroke: l.stroke,
        })
        .chain(std::iter::once(LegendEntry {
            label: t("Stedet", "The site"),
            fill: "#d7301f",
            stroke: "#b30000",
        }))
        .collect();
    let title = format!(
        "{} {} {}",
        t("Kart over", "Map of"),
        site.candidate.name.as_deref().unwrap_or(&site.id),
        t(
            "og omgivelsene, 2,4 km bredt",
            "and its surroundings, 2.4 km wide"
        ),
    );
    let svg = crate::dossier::map::svg(p, MAP_HALF_M, &layers, &site.candidate.geometry, &title);
    (svg, legend)
}

/// Every section of the dossier of site `id` for `profile`.
pub fn assemble(
    state: &AppState,
    profile: Option<&str>,
    id: &str,
    en: bool,
) -> Result<Dossier, ApiError> {
    let lead = profile_of(state, profile)?;
    let site = resolve(state, lead, id)?;
    let c = &site.candidate;
    let (lon, lat) = crate::ingest::crs::ToCrs84::new()
        .and_then(|t| t.apply(&Geometry::Point(geo::Point::new(c.point[0], c.point[1]))))
        .map(|g| match g {
            Geometry::Point(p) => (p.x(), p.y()),
            _ => (f64::NAN, f64::NAN),
        })
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let municipality = c
        .municipality
        .and_then(|m| state.region.boundary.get(m as usize));
    let checklist = site_checklist(state, lead, &site)?;
    let zoning = checklist["items"].as_array().and_then(|items| {
        items.iter().find(|i| {
            let list = state.checklists.get(&lead.profile.id).ok();
            list.is_some_and(|l| {
                l.items().any(|(_, it)| {
                    it.id == i["id"].as_str().unwrap_or("")
                        && it.answer == Some(crate::domain::checklist::Answerable::Landuse)
                })
            })
        })
    });
    let scenario = state.scenarios.get(None)?;
    let years: Vec<i32> = scenario.years.keys().copied().collect();
    let sizing =
        crate::scoring::sizing::report(&state.ctx, &lead.profile, scenario, &years, c.point)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    let depot = lead.profile.sizing_station == StationType::Depot;
    let changes =
        super::network::site_effect(state, &site.id, lead.profile.station_kind, AFIR_YEAR)?;
    let review = match state.store.as_deref() {
        Some(st) => {
            let k = site.kommunenummer.clone().unwrap_or_default();
            let s = st.site(&site.id, &k)?;
            Some(json!({
                "site": s,
                "comments": st.comments(&site.id)?,
                "history": st.history(&format!("site:{}", site.id))?,
            }))
        }
        None => None,
    };
    let (map_svg, legend) = map(state, &site, en);
    let list = state.checklists.get(&lead.profile.id)?;
    Ok(Dossier {
        profile: lead.profile.id.clone(),
        profile_name: if en { lead.profile.name_en.clone() } else { lead.profile.name.clone() },
        guide: list.guide.clone(),
        guide_url: crate::domain::checklist::GUIDE_URL,
        data_version: state.report.data_version.clone(),
        location: Location {
            id: site.id.clone(),
            // A grid cell has no name of its own: named as the shortlist names areas.
            name: c
                .name
                .clone()
                .or_else(|| site.proposal_name.clone())
                .or_else(|| {
                    let n = crate::scoring::naming::name(&state.ctx, c);
                    Some(if en { n.name_en } else { n.name })
                }),
            kind: kind_of(state, &site.id, &site, id),
            lon,
            lat,
            point_25833: c.point,
            kommunenummer: site.kommunenummer.clone(),
            kommunenavn: municipality.map(|m| m.attrs.name.clone()),
            area_m2: c.area_m2,
        },
        landuse: LandUse {
            class: c.landuse.map(|l| l.as_str().to_string()),
            label: c.landuse.map(|l| l.label_nb().to_string()),
            label_en: c.landuse.map(|l| l.as_str().replace('_', " ")),
            zoning_answer: zoning.and_then(|z| z["data"]["answer"].as_str().map(str::to_string)),
            zoning_reason: zoning.and_then(|z| z["data"]["reason"].as_str().map(str::to_string)),
            zoning_reason_en: zoning.and_then(|z| z["data"]["reason_en"].as_str().map(str::to_string)),
        },
        map_svg,
        legend,
        scores: scores(state, lead, &site),
        afir: Afir {
            available: changes.is_some(),
            year: AFIR_YEAR,
            note: depot.then(|| "Depotlading er ikke offentlig og teller ikke etter AFIR; tabellen viser hva en offentlig stasjon her ville lukket.".to_string()),
            note_en: depot.then(|| "Depot charging is not public and does not count under AFIR; the table shows what a public station here would close.".to_string()),
            changes: changes.unwrap_or_default(),
        },
        substations: substations(state, c.point),
        sizing,
        synergies: synergies_at(state, &site)?,
        review,
        checklist,
    })
}

/// The dossier (saksgrunnlag) of a candidate, site area, grid cell or proposal: location,
/// land use, a map, score per profile with reasons, AFIR gaps it would close, substations,
/// sizing, logistics synergies, review and the guide's checklist. HTML prints to PDF.
#[utoipa::path(get, path = "/api/sites/{id}/dossier", tag = "Review",
    params(("id" = String, Path, description = "A candidate, site area (s-…), grid cell or proposal id"), DossierQuery),
    responses(
        (status = 200, description = "The dossier as HTML, Markdown or JSON", body = serde_json::Value),
        (status = 400, description = "A missing or unknown profile, format or language", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn dossier(
    State(state): State<AppState>,
    Path(id): Path<String>,
    q: Result<Query<DossierQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = super::error::query(q)?;
    let format = q.format.clone().unwrap_or_else(|| "html".into());
    if !["html", "md", "json"].contains(&format.as_str()) {
        return Err(bad(
            "format",
            format!("'{format}' is not a dossier format; use html, md or json"),
        ));
    }
    let en = match q.lang.as_deref() {
        None | Some("nb") => false,
        Some("en") => true,
        Some(other) => {
            return Err(bad(
                "lang",
                format!("'{other}' is not a language here; use nb or en"),
            ))
        }
    };
    let d = tokio::task::spawn_blocking(move || assemble(&state, q.profile.as_deref(), &id, en))
        .await
        .map_err(|e| ApiError::Internal(format!("dossier task failed: {e}")))??;
    Ok(match format.as_str() {
        "md" => (
            [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
            crate::dossier::markdown(&d, en),
        )
            .into_response(),
        "json" => axum::Json(d).into_response(),
        _ => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            crate::dossier::html(&d, en),
        )
            .into_response(),
    })
}
