//! The guide's checklist at a site over HTTP: every item with its source, the answer the
//! region's data give where they can, and the municipality's own ticks and comments.
//! Ticking follows the review rules: a municipality user ticks in their own municipality,
//! coordinators anywhere; every tick is audited.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::error::bad;
use super::session::{actor, store};
use super::{ApiError, AppState};
use crate::catalog::Scored;
use crate::domain::checklist::Checklist;
use crate::domain::review;
use crate::scoring::candidates::Candidate;
use crate::scoring::checklist::{answers, DataAnswer};
use crate::store::Tick;

/// The longest comment on a checklist item, as for site comments.
const MAX_TICK_COMMENT_CHARS: usize = review::MAX_COMMENT_CHARS;

/// The shipped checklists, read once on first use.
#[derive(Default)]
pub struct Checklists(OnceLock<BTreeMap<String, Result<Arc<Checklist>, String>>>);

impl Checklists {
    /// The checklist of a shipped profile; profile ids are checked by the caller.
    pub fn get(&self, profile: &str) -> Result<Arc<Checklist>, ApiError> {
        let all = self.0.get_or_init(|| {
            crate::config::toml_names(&crate::config::checklists_dir())
                .into_iter()
                .map(|n| {
                    let c = crate::config::load_checklist(&n)
                        .map(Arc::new)
                        .map_err(|e| e.to_string());
                    (n, c)
                })
                .collect()
        });
        match all.get(profile) {
            Some(Ok(c)) => Ok(c.clone()),
            Some(Err(e)) => Err(ApiError::Internal(e.clone())),
            None => Err(ApiError::NotFound(format!(
                "the profile '{profile}' has no checklist; add data/checklists/{profile}.toml"
            ))),
        }
    }
}

/// A site the way the dossier and the checklist see it: the profile's own candidate where
/// there is one, else the point of another profile's candidate, a proposal or a grid cell.
pub(crate) struct SiteRef {
    /// The id reviews are stored under: a site area (`s-…`) is its best candidate.
    pub id: String,
    pub candidate: Candidate,
    pub kommunenummer: Option<String>,
    /// A proposal's name, where the site is one.
    pub proposal_name: Option<String>,
}

/// The scored parcels of a profile, or a problem naming `profile`.
pub(crate) fn profile_of<'a>(
    state: &'a AppState,
    profile: Option<&str>,
) -> Result<&'a Arc<Scored>, ApiError> {
    let id = profile.ok_or_else(|| {
        bad(
            "profile",
            "add ?profile=mcs-corridor (or depot, hydrogen, biogas)",
        )
    })?;
    state
        .scored
        .iter()
        .find(|s| s.profile.id == id && s.set == crate::catalog::CandidateSet::Parcels)
        .ok_or_else(|| super::planning::unknown_profile(state, id))
}

pub(crate) fn resolve(state: &AppState, scored: &Scored, id: &str) -> Result<SiteRef, ApiError> {
    let id = id.strip_prefix("s-").unwrap_or(id);
    let kommune = |c: &Candidate| {
        c.municipality
            .and_then(|m| state.region.boundary.get(m as usize))
            .map(|b| b.attrs.number.clone())
    };
    let own = scored.raw.candidates.iter().find(|c| c.id == id);
    let other = || {
        state
            .scored
            .iter()
            .find_map(|s| s.raw.candidates.iter().find(|c| c.id == id))
    };
    if let Some(c) = own.or_else(other) {
        return Ok(SiteRef {
            id: id.to_string(),
            kommunenummer: kommune(c),
            candidate: c.clone(),
            proposal_name: None,
        });
    }
    let proposals = match state.store.as_deref() {
        Some(st) => st.proposals(None)?,
        None => Vec::new(),
    };
    let sets = crate::catalog::planned::sets(&state.scored);
    let (point, _) = crate::catalog::planned::locate(id, &sets, &proposals).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no candidate, site area, grid cell or proposal '{id}'"
        ))
    })?;
    let mut candidate = crate::scoring::candidates::at_point(&state.ctx, id, point);
    let proposal = proposals.into_iter().find(|p| p.id == id);
    if let Some(p) = &proposal {
        if let Ok(g) = p.native_geometry() {
            candidate.geometry = g;
        }
        candidate.name = Some(p.name.clone());
    }
    Ok(SiteRef {
        id: id.to_string(),
        kommunenummer: proposal
            .as_ref()
            .map(|p| p.kommunenummer.clone())
            .or_else(|| kommune(&candidate)),
        candidate,
        proposal_name: proposal.map(|p| p.name),
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChecklistQuery {
    /// The profile id: mcs-corridor, depot, hydrogen or biogas. Its checklist is shown.
    pub profile: Option<String>,
}

/// One item as the site sees it: the text and source, the data's answer, the municipality's tick.
#[derive(Debug, Serialize)]
pub struct SiteItem<'a> {
    pub step: &'a str,
    pub id: &'a str,
    pub text: &'a str,
    pub text_en: &'a str,
    pub source: &'a str,
    /// What the region's data say, where they can answer the item.
    pub data: Option<&'a DataAnswer>,
    /// The municipality's answer, if anyone ticked or commented.
    pub tick: Option<&'a Tick>,
}

/// The checklist of `profile` at the site, with data answers and ticks, as JSON.
pub(crate) fn site_checklist(
    state: &AppState,
    scored: &Scored,
    site: &SiteRef,
) -> Result<serde_json::Value, ApiError> {
    let list = state.checklists.get(&scored.profile.id)?;
    let answered = answers(&state.ctx, &scored.profile, &list, &site.candidate);
    let ticks = match state.store.as_deref() {
        Some(st) => st.ticks(&site.id, &list.id)?,
        None => Vec::new(),
    };
    let items: Vec<SiteItem> = list
        .items()
        .map(|(step, item)| SiteItem {
            step: &step.id,
            id: &item.id,
            text: &item.text,
            text_en: &item.text_en,
            source: &item.source,
            data: answered.iter().find(|a| a.item == item.id),
            tick: ticks.iter().find(|t| t.item == item.id),
        })
        .collect();
    let steps: Vec<serde_json::Value> = list
        .steps
        .iter()
        .map(|s| serde_json::json!({"id": s.id, "name": s.name, "name_en": s.name_en}))
        .collect();
    Ok(serde_json::json!({
        "site": site.id,
        "kommunenummer": site.kommunenummer,
        "profile": scored.profile.id,
        "checklist": list.id,
        "title": list.title,
        "title_en": list.title_en,
        "guide": list.guide,
        "guide_url": crate::domain::checklist::GUIDE_URL,
        "steps": steps,
        "items": items,
        "done": ticks.iter().filter(|t| t.done).count(),
        "total": items.len(),
    }))
}

/// The guide's checklist at a site: each item's source, the data's answer where the region
/// can give one, and the municipality's ticks and comments.
#[utoipa::path(get, path = "/api/sites/{id}/checklist", tag = "Review",
    params(("id" = String, Path, description = "A candidate, site area (s-…), grid cell or proposal id"), ChecklistQuery),
    responses(
        (status = 200, description = "The checklist's steps and items, data answers and ticks", body = serde_json::Value),
        (status = 400, description = "A missing or unknown profile", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn checklist(
    State(state): State<AppState>,
    Path(id): Path<String>,
    q: Result<Query<ChecklistQuery>, QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let q = super::error::query(q)?;
    tokio::task::spawn_blocking(move || {
        let scored = profile_of(&state, q.profile.as_deref())?;
        let site = resolve(&state, scored, &id)?;
        site_checklist(&state, scored, &site)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("checklist task failed: {e}")))?
    .map(Json)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TickRequest {
    /// The item id, as in the checklist file.
    pub item: String,
    /// Whether the item is done (answered yes, or settled).
    pub done: bool,
    /// What was found or decided; replaces an earlier comment on the item.
    pub comment: Option<String>,
}

/// Ticks or unticks one item of the site's checklist, with a comment. Municipality users
/// tick in their own municipality; coordinators anywhere. Audited as `checklist.tick`.
#[utoipa::path(post, path = "/api/sites/{id}/checklist", tag = "Review", request_body = TickRequest,
    params(("id" = String, Path, description = "A candidate, site area (s-…), grid cell or proposal id"), ChecklistQuery),
    responses(
        (status = 200, description = "The stored tick", body = serde_json::Value),
        (status = 400, description = "A missing profile, an unknown item or an over-long comment", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another municipality's site", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn tick(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Result<Query<ChecklistQuery>, QueryRejection>,
    b: Result<Json<TickRequest>, JsonRejection>,
) -> Result<Json<Tick>, ApiError> {
    let q = super::error::query(q)?;
    let who = actor(&state, &headers, &method)?.ok_or_else(|| {
        ApiError::Unauthorized("log in first: anonymous users can only read".into())
    })?;
    let req = super::error::json_body(b, "request")?;
    tokio::task::spawn_blocking(move || {
        let scored = profile_of(&state, q.profile.as_deref())?;
        let list = state.checklists.get(&scored.profile.id)?;
        if !list.items().any(|(_, i)| i.id == req.item) {
            return Err(bad(
                "item",
                format!(
                    "the checklist '{}' has no item '{}'; use one of {}",
                    list.id,
                    req.item,
                    list.items()
                        .map(|(_, i)| i.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let comment = req.comment.as_deref().map(str::trim).filter(|c| !c.is_empty());
        if let Some(c) = comment {
            let n = c.chars().count();
            if n > MAX_TICK_COMMENT_CHARS {
                return Err(bad(
                    "comment",
                    format!("a comment holds at most {MAX_TICK_COMMENT_CHARS} characters; this one has {n}"),
                ));
            }
        }
        let site = resolve(&state, scored, &id)?;
        let k = site.kommunenummer.as_deref().ok_or_else(|| {
            bad(
                "id",
                format!("the site '{}' lies outside every municipality, so nobody can tick it", site.id),
            )
        })?;
        review::may_write_in(Some(&who), k)?;
        Ok(store(&state)?.set_tick(&site.id, k, &list.id, &req.item, req.done, comment, &who)?)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("checklist task failed: {e}")))?
    .map(Json)
}
