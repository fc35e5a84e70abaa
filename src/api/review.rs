//! The review workflow over HTTP: proposals (scored at once against every profile), a
//! site's state with comments, votes and status changes (optimistic versions), and the
//! audit log for coordinators. Rules come from `domain::review`; records go to the store.

use std::collections::BTreeMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use geo::{Geometry, Validation};
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::bad;
use super::session::{actor, store};
use super::{ApiError, AppState};
use crate::domain::review::{self, Actor, Status, MAX_COMMENT_CHARS};
use crate::ingest::upload::{read_sites, UploadError, UploadFormat};
use crate::store::{NewProposal, Vote};

fn signed_in(state: &AppState, headers: &HeaderMap, method: &Method) -> Result<Actor, ApiError> {
    actor(state, headers, method)?
        .ok_or_else(|| ApiError::Unauthorized("log in first: anonymous users can only read".into()))
}

/// The municipality a site lies in: a proposal's own, or a scored candidate's.
fn site_kommune(state: &AppState, site: &str) -> Result<String, ApiError> {
    if let Some(p) = store(state)?.proposal(site)? {
        return Ok(p.kommunenummer);
    }
    for c in state.collections.iter().filter(|c| c.scored().is_some()) {
        if let Some(i) = c.find(site) {
            return c
                .property(i, "kommunenummer", &state.ctx)
                .and_then(|v| v.as_str().map(str::to_string))
                .ok_or_else(|| {
                    bad(
                        "site",
                        format!("site '{site}' lies outside every municipality"),
                    )
                });
        }
    }
    Err(ApiError::NotFound(format!(
        "no candidate or proposal '{site}'"
    )))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalRequest {
    pub name: String,
    /// A GeoJSON Point, Polygon or MultiPolygon.
    #[schema(value_type = Object)]
    pub geometry: Value,
    /// The geometry's CRS, e.g. EPSG:25832; default CRS84 (lon/lat).
    pub crs: Option<String>,
}

/// Checks a proposed geometry and brings it to EPSG:25833.
pub fn proposal_geometry(req: &ProposalRequest) -> Result<Geometry<f64>, ApiError> {
    let g = crate::ingest::geometry::from_geojson(&req.geometry).map_err(|e| bad("geometry", e))?;
    if !matches!(
        g,
        Geometry::Point(_) | Geometry::Polygon(_) | Geometry::MultiPolygon(_)
    ) {
        return Err(bad(
            "geometry",
            "a site is a Point, Polygon or MultiPolygon",
        ));
    }
    if let Some(e) = g.validation_errors().first() {
        return Err(bad(
            "geometry",
            format!("the geometry is invalid: {e}. Fix it in your GIS (QGIS: Vector › Geometry Tools › Fix Geometries) and try again"),
        ));
    }
    let from = match req.crs.as_deref() {
        None => "EPSG:4326".to_string(),
        Some(text) => {
            let code = crate::export::parse_epsg(text).ok_or_else(|| {
                bad(
                    "crs",
                    format!("crs '{text}' is not an EPSG code; write for example EPSG:25832"),
                )
            })?;
            format!("EPSG:{code}")
        }
    };
    crate::ingest::crs::geometry_to_internal(&g, &from)
        .map_err(|e| bad("crs", format!("cannot reproject from {from}: {e}")))
}

/// Proposes a site; it is scored at once against every profile.
#[utoipa::path(post, path = "/api/proposals", tag = "Review", request_body = ProposalRequest,
    responses(
        (status = 201, description = "The proposal, its municipality, and its score and failed criteria per profile", body = serde_json::Value),
        (status = 400, description = "A bad geometry, a site outside every municipality, or a bad CRS", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The site lies in another municipality", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn propose(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    b: Result<Json<ProposalRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let who = signed_in(&state, &headers, &method)?;
    let req = super::error::json_body(b, "request")?;
    if req.name.trim().is_empty() || req.name.chars().count() > 200 {
        return Err(bad("name", "give the site a name of 1 to 200 characters"));
    }
    let geometry = proposal_geometry(&req)?;
    let point = crate::scoring::candidates::measurement_point(&geometry)
        .ok_or_else(|| bad("geometry", "the geometry is empty"))?;
    let m = state.ctx.municipality_at(point).ok_or_else(|| {
        bad(
            "geometry",
            "the site lies outside every municipality of the region (in the sea, or in the wrong CRS?)",
        )
    })?;
    let kommunenummer = state.region.boundary[m as usize].attrs.number.clone();
    review::may_write_in(Some(&who), &kommunenummer)?;
    let native = geojson::Geometry::new(geojson::GeometryValue::from(&geometry));
    let proposal = store(&state)?.add_proposal(
        &NewProposal {
            name: req.name.trim().to_string(),
            kommunenummer: kommunenummer.clone(),
            geometry: serde_json::to_value(&native).unwrap_or(Value::Null),
        },
        &who,
    )?;
    let scores = score_site(&state, &proposal.id, &req.name, geometry);
    Ok((
        StatusCode::CREATED,
        Json(json!({"proposal": proposal, "kommunenummer": kommunenummer, "scores": scores})),
    )
        .into_response())
}

/// The site against every profile: score, and the constraints it fails.
fn score_site(state: &AppState, id: &str, name: &str, geometry: Geometry<f64>) -> Value {
    use crate::domain::layers::{Feature, Site};
    use crate::scoring::{candidates, measure, rank, report::breakdown, Normalized};
    let site = Feature {
        id: id.to_string(),
        geometry,
        attrs: Site {
            name: Some(name.to_string()),
            properties: BTreeMap::new(),
        },
    };
    let mut out = Vec::new();
    for s in state
        .scored
        .iter()
        .filter(|s| s.set == crate::catalog::CandidateSet::Parcels)
    {
        let cands = candidates::from_sites(&state.ctx, std::slice::from_ref(&site));
        let raw = measure(&state.ctx, &s.profile, cands, &|_| {});
        if raw.is_empty() {
            continue;
        }
        let norm = Normalized::new(&raw, &s.profile);
        let ranking = rank(&raw, &norm, &s.weights);
        let r = breakdown(&state.ctx, &raw, &norm, &ranking, &s.weights, 0);
        out.push(json!({
            "profile": s.profile.id,
            "score": r.score,
            "excluded": r.excluded,
            "fails": r.exclusions.iter().map(|e| json!({"constraint": e.constraint, "reason": e.reason, "reason_en": e.reason_en})).collect::<Vec<_>>(),
            "criteria": r.criteria.iter().map(|c| json!({"id": c.id, "raw": c.raw, "unit": c.unit, "points": c.points, "reason": c.reason})).collect::<Vec<_>>(),
        }));
    }
    Value::Array(out)
}

/// One proposal, scored now against every profile, as the coordinator reviewing it sees it.
#[utoipa::path(get, path = "/api/proposals/{id}", tag = "Review",
    params(("id" = String, Path, description = "A proposal id")),
    responses(
        (status = 200, description = "The proposal, its municipality, and its score and failed criteria per profile", body = serde_json::Value),
        (status = 404, description = "No such proposal", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn proposal(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let p = store(&state)?
        .proposal(&id)?
        .ok_or_else(|| ApiError::NotFound(format!("no proposal '{id}'")))?;
    let g = p.native_geometry().map_err(ApiError::Internal)?;
    let scores = score_site(&state, &p.id, &p.name, g);
    Ok(Json(
        json!({"kommunenummer": p.kommunenummer, "scores": scores, "proposal": p}),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KommuneQuery {
    /// Only this municipality's proposals.
    pub kommunenummer: Option<String>,
    /// `geojson` for a FeatureCollection in CRS84 with each site's review state, as the
    /// map draws it.
    pub f: Option<String>,
}

/// Proposals, optionally of one municipality; `f=geojson` for the map.
#[utoipa::path(get, path = "/api/proposals", tag = "Review", params(KommuneQuery),
    responses(
        (status = 200, description = "The proposals", body = serde_json::Value),
        (status = 400, description = "An unknown f", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn proposals(
    State(state): State<AppState>,
    Query(q): Query<KommuneQuery>,
) -> Result<Json<Value>, ApiError> {
    let st = store(&state)?;
    let list = st.proposals(q.kommunenummer.as_deref())?;
    match q.f.as_deref() {
        None | Some("json") => Ok(Json(json!({"proposals": list}))),
        Some("geojson") => {
            let overlay = crate::catalog::review::ReviewOverlay::new(st.sites()?);
            let to = crate::ingest::crs::ToCrs84::new()
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            let mut features = Vec::with_capacity(list.len());
            for p in list {
                let g = p.native_geometry().map_err(ApiError::Internal)?;
                let g = to
                    .apply(&g)
                    .map_err(|e| ApiError::Internal(e.to_string()))?;
                let mut props = serde_json::Map::new();
                props.insert("id".into(), json!(p.id));
                props.insert("name".into(), json!(p.name));
                props.insert("kommunenummer".into(), json!(p.kommunenummer));
                props.insert("proposed_by".into(), json!(p.proposed_by));
                props.insert("created_at".into(), json!(p.created_at));
                overlay.extend(&p.id, &mut props);
                features.push(json!({
                    "type": "Feature",
                    "id": p.id,
                    "geometry": geojson::Geometry::new(geojson::GeometryValue::from(&g)),
                    "properties": props,
                }));
            }
            Ok(Json(
                json!({"type": "FeatureCollection", "features": features}),
            ))
        }
        Some(other) => Err(bad(
            "f",
            format!("unknown f '{other}'; use json or geojson"),
        )),
    }
}

/// A site's review state, comments and history.
#[utoipa::path(get, path = "/api/sites/{id}", tag = "Review",
    params(("id" = String, Path, description = "A candidate or proposal id")),
    responses(
        (status = 200, description = "Status, version, votes and comments", body = serde_json::Value),
        (status = 404, description = "No such site", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn site(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let k = site_kommune(&state, &id)?;
    let st = store(&state)?;
    let s = st.site(&id, &k)?;
    Ok(Json(json!({
        "site": s,
        "allowed_next": s.status.next().iter().map(|x| x.name()).collect::<Vec<_>>(),
        "comments": st.comments(&id)?,
        "history": st.history(&format!("site:{id}"))?,
    })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    pub text: String,
}

/// Comments on a site in the user's municipality (coordinators: anywhere).
#[utoipa::path(post, path = "/api/sites/{id}/comments", tag = "Review", request_body = CommentRequest,
    params(("id" = String, Path, description = "A candidate or proposal id")),
    responses(
        (status = 201, description = "The comment", body = serde_json::Value),
        (status = 400, description = "An empty or over-long comment", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another municipality's site", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn comment(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    b: Result<Json<CommentRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let who = signed_in(&state, &headers, &method)?;
    let req = super::error::json_body(b, "request")?;
    let n = req.text.chars().count();
    if req.text.trim().is_empty() || n > MAX_COMMENT_CHARS {
        return Err(bad(
            "text",
            format!("a comment holds 1 to {MAX_COMMENT_CHARS} characters; this one has {n}"),
        ));
    }
    let k = site_kommune(&state, &id)?;
    review::may_write_in(Some(&who), &k)?;
    let c = store(&state)?.add_comment(&id, &k, &req.text, &who)?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteRequest {
    #[schema(value_type = String)]
    pub vote: Vote,
}

/// Votes support, oppose or needs_info; a user's later vote replaces the earlier.
#[utoipa::path(post, path = "/api/sites/{id}/votes", tag = "Review", request_body = VoteRequest,
    params(("id" = String, Path, description = "A candidate or proposal id")),
    responses(
        (status = 200, description = "The site's state", body = serde_json::Value),
        (status = 401, description = "Not signed in", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another municipality's site", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn vote(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    b: Result<Json<VoteRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let who = signed_in(&state, &headers, &method)?;
    let req = super::error::json_body(b, "request")?;
    let k = site_kommune(&state, &id)?;
    review::may_write_in(Some(&who), &k)?;
    Ok(Json(json!(
        store(&state)?.set_vote(&id, &k, req.vote, &who)?
    )))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// proposed, under_review, recommended, approved, rejected or built.
    pub status: String,
    /// The version of the site the change was made from.
    pub version: i64,
    /// Why; required when rejecting.
    pub reason: Option<String>,
}

/// Sets a site's status (coordinators), along the allowed transitions, from the version
/// the coordinator saw.
#[utoipa::path(post, path = "/api/sites/{id}/status", tag = "Review", request_body = StatusRequest,
    params(("id" = String, Path, description = "A candidate or proposal id")),
    responses(
        (status = 200, description = "The site's new state", body = serde_json::Value),
        (status = 403, description = "Not a coordinator", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A transition that is not allowed (the allowed ones are named), or a stale version", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn set_status(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    b: Result<Json<StatusRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let who = signed_in(&state, &headers, &method)?;
    let req = super::error::json_body(b, "request")?;
    let to = Status::parse(&req.status).ok_or_else(|| {
        bad(
            "status",
            format!(
                "unknown status '{}'; use one of {}",
                req.status,
                Status::ALL.map(|s| s.name()).join(", ")
            ),
        )
    })?;
    let k = site_kommune(&state, &id)?;
    let st = store(&state)?;
    let now = st.site(&id, &k)?;
    review::may_set_status(Some(&who), now.status, to, req.reason.as_deref())?;
    Ok(Json(json!(st.set_status(
        &id,
        &k,
        req.version,
        to,
        req.reason.as_deref(),
        &who
    )?)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// At most this many entries, newest first (default 1000).
    pub limit: Option<usize>,
    /// `csv` for a spreadsheet.
    pub f: Option<String>,
}

/// The audit log, for coordinators and admins; `f=csv` as a file.
#[utoipa::path(get, path = "/api/audit", tag = "Review", params(AuditQuery),
    responses(
        (status = 200, description = "Audit entries, newest first", body = serde_json::Value),
        (status = 401, description = "Not signed in", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn audit(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Query(q): Query<AuditQuery>,
) -> Result<Response, ApiError> {
    let who = signed_in(&state, &headers, &method)?;
    if !matches!(who.role, review::Role::Coordinator | review::Role::Admin) {
        return Err(ApiError::Forbidden(
            "only coordinators and admins read the audit log".into(),
        ));
    }
    let entries = store(&state)?.audit(q.limit.unwrap_or(1000).min(100_000))?;
    match q.f.as_deref() {
        Some("csv") => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let text = |v: &Option<Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
            let internal = |e: csv::Error| ApiError::Internal(format!("audit CSV: {e}"));
            w.write_record(["id", "at", "actor", "action", "entity", "before", "after"])
                .map_err(internal)?;
            for e in &entries {
                w.write_record([
                    e.id.to_string(),
                    crate::export::rfc3339_of(e.at),
                    e.actor.clone(),
                    e.action.clone(),
                    e.entity.clone(),
                    text(&e.before),
                    text(&e.after),
                ])
                .map_err(internal)?;
            }
            let out = w
                .into_inner()
                .map_err(|e| ApiError::Internal(format!("audit CSV: {}", e.error())))?;
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"audit.csv\"",
                    ),
                ],
                out,
            )
                .into_response())
        }
        None | Some("json") => Ok(Json(json!({"entries": entries})).into_response()),
        Some(other) => Err(bad(
            "f",
            format!("format '{other}' is not served; use json or csv"),
        )),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// geojson, gpkg or shp (a zipped Shapefile).
    pub format: String,
    /// The file's CRS when it does not say, e.g. EPSG:25832.
    pub crs: Option<String>,
}

/// Proposes every site in a file (GeoJSON, GeoPackage or zipped Shapefile). Every site is
/// checked first; one bad site refuses the whole file, naming it.
#[utoipa::path(post, path = "/api/proposals/upload", tag = "Review", params(UploadQuery),
    request_body(content = String, content_type = "application/octet-stream", description = "The file"),
    responses(
        (status = 201, description = "The proposals, each scored against every profile", body = serde_json::Value),
        (status = 400, description = "A file that cannot be read, a bad site (named), or a zip entry outside the archive", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "A site in another municipality", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "A file over 10 MiB", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn upload(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Query(q): Query<UploadQuery>,
    bytes: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, ApiError> {
    let who = signed_in(&state, &headers, &method)?;
    let bytes = bytes.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge(format!(
                "the file is larger than {} MiB; split it",
                super::MAX_BODY_BYTES / 1024 / 1024
            ))
        } else {
            bad("body", e.body_text())
        }
    })?;
    let format = UploadFormat::parse(&q.format).ok_or_else(|| {
        bad(
            "format",
            format!(
                "format '{}' is not read here; use geojson, gpkg or shp (zipped)",
                q.format
            ),
        )
    })?;
    let srs = match q.crs.as_deref() {
        None => None,
        Some(t) => Some(format!(
            "EPSG:{}",
            crate::export::parse_epsg(t)
                .ok_or_else(|| bad("crs", format!("crs '{t}' is not an EPSG code")))?
        )),
    };
    let st = state.clone();
    tokio::task::spawn_blocking(move || -> Result<Response, ApiError> {
        let sites = read_sites(&bytes, format, srs).map_err(|e| match e {
            UploadError::Io(e) => ApiError::Internal(e.to_string()),
            UploadError::Bad(message) => bad("body", message),
        })?;
        // Check every site before storing any.
        let mut checked = Vec::with_capacity(sites.len());
        for (label, geometry) in sites {
            let point = crate::scoring::candidates::measurement_point(&geometry)
                .ok_or_else(|| bad("body", format!("site {label}: the geometry is empty")))?;
            let m = st.ctx.municipality_at(point).ok_or_else(|| {
                bad(
                    "body",
                    format!("site {label} lies outside every municipality of the region"),
                )
            })?;
            let k = st.region.boundary[m as usize].attrs.number.clone();
            review::may_write_in(Some(&who), &k).map_err(|e| match e.status_code() {
                403 => ApiError::Forbidden(format!("site {label}: {e}")),
                _ => e.into(),
            })?;
            checked.push((label, k, geometry));
        }
        let store = store(&st)?;
        let mut out = Vec::new();
        for (label, k, geometry) in checked {
            let native = geojson::Geometry::new(geojson::GeometryValue::from(&geometry));
            let p = store.add_proposal(
                &NewProposal {
                    name: label.clone(),
                    kommunenummer: k,
                    geometry: serde_json::to_value(&native).unwrap_or(Value::Null),
                },
                &who,
            )?;
            let scores = score_site(&st, &p.id, &label, geometry);
            out.push(json!({"proposal": p, "scores": scores}));
        }
        Ok((StatusCode::CREATED, Json(json!({"proposals": out}))).into_response())
    })
    .await
    .map_err(|e| ApiError::Internal(format!("upload task failed: {e}")))?
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRequest {
    pub name: String,
    pub profile: String,
    /// Criterion id → weight; criteria left out keep the profile's weight; all sum to 100.
    pub weights: BTreeMap<String, f64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScenarioQuery {
    /// Only this profile's scenarios.
    pub profile: Option<String>,
}

/// Saved weight scenarios.
#[utoipa::path(get, path = "/api/scenarios", tag = "Review", params(ScenarioQuery),
    responses((status = 200, description = "The scenarios", body = serde_json::Value)))]
pub async fn scenarios(
    State(state): State<AppState>,
    Query(q): Query<ScenarioQuery>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({"scenarios": store(&state)?.scenarios(q.profile.as_deref())?}),
    ))
}

/// Saves named weights for a profile; checked like `POST /api/score`.
#[utoipa::path(post, path = "/api/scenarios", tag = "Review", request_body = ScenarioRequest,
    responses(
        (status = 201, description = "The scenario, with every criterion's weight", body = serde_json::Value),
        (status = 400, description = "Unknown profile or criterion, or weights not summing to 100", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The name is taken for this profile", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn save_scenario(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    b: Result<Json<ScenarioRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let who = signed_in(&state, &headers, &method)?;
    let req = super::error::json_body(b, "request")?;
    if req.name.trim().is_empty() || req.name.chars().count() > 100 {
        return Err(bad(
            "name",
            "give the scenario a name of 1 to 100 characters",
        ));
    }
    let base = state
        .scored
        .iter()
        .find(|s| s.profile.id == req.profile)
        .ok_or_else(|| bad("profile", format!("unknown profile '{}'", req.profile)))?;
    let profile = crate::domain::profile::with_weights(&base.profile, &req.weights)
        .map_err(|m| bad("weights", m))?;
    let weights: BTreeMap<&str, f64> = profile
        .criteria
        .iter()
        .map(|c| (c.id.as_str(), c.weight))
        .collect();
    let s = store(&state)?.save_scenario(req.name.trim(), &req.profile, &json!(weights), &who)?;
    Ok((StatusCode::CREATED, Json(s)).into_response())
}
