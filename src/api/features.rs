//! OGC API Features Part 1 (Core, GeoJSON): landing page, conformance, collections, items
//! with bbox, limit, offset, next links and simple property filters, and single items.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName};
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::error::bad;
use super::{ApiError, AppState};
use crate::catalog::query::{parse_crs, ItemsQuery};
use crate::catalog::review::ReviewOverlay;
use crate::catalog::Collection;
use crate::scoring::ScoringContext;

pub use crate::catalog::query::{CRS84, DEFAULT_LIMIT, EPSG_25833, MAX_LIMIT};

/// The base URL clients used, so links work behind any host name.
pub(super) fn base(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:8080");
    format!("http://{host}")
}

/// A GeoJSON response, with the `Content-Crs` header of OGC API Features Part 2.
fn geojson(body: String, native: bool) -> Response {
    let crs = if native { EPSG_25833 } else { CRS84 };
    (
        [
            (header::CONTENT_TYPE, "application/geo+json".to_string()),
            (HeaderName::from_static("content-crs"), format!("<{crs}>")),
        ],
        body,
    )
        .into_response()
}

/// Whether a request to `/` wants HTML: `f=html`, or a browser's `Accept` that lists
/// text/html before any JSON type. `f=json` always gets JSON.
fn wants_html(headers: &HeaderMap, f: Option<&str>) -> bool {
    match f {
        Some("html") => return true,
        Some(_) => return false,
        None => {}
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let html = accept.find("text/html");
    let json = accept.find("json");
    match (html, json) {
        (Some(h), Some(j)) => h < j,
        (Some(_), None) => true,
        _ => false,
    }
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LandingParams {
    /// `json`, or `html` for the browser page. Without it, the `Accept` header decides.
    pub f: Option<String>,
    /// The language of the HTML page: `nb` (default) or `en`.
    pub lang: Option<String>,
}

/// The landing page: JSON links for clients, an HTML page for browsers.
#[utoipa::path(
    get,
    path = "/",
    tag = "OGC API Features",
    params(LandingParams),
    responses(
        (status = 200, description = "Links to the API description, conformance and the collections",
            content((serde_json::Value = "application/json"), (String = "text/html"))),
        (status = 400, description = "An unknown format", body = super::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn landing(
    State(state): State<AppState>,
    Query(q): Query<LandingParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(f) = q.f.as_deref() {
        if f != "json" && f != "html" {
            return Err(bad(
                "f",
                format!("format '{f}' is not served; use f=json or f=html"),
            ));
        }
    }
    // Browsers get the web map; `?f=html` keeps the OGC landing page as HTML.
    if q.f.is_none() && wants_html(&headers, None) {
        if let Some(page) = super::web::index() {
            return Ok(axum::response::Html(page).into_response());
        }
    }
    if wants_html(&headers, q.f.as_deref()) {
        let lang = super::html::Lang::from_param(q.lang.as_deref());
        return Ok(axum::response::Html(super::html::landing(
            &state.region.name,
            &state.collections,
            lang,
        ))
        .into_response());
    }
    let b = base(&headers);
    Ok(Json(json!({
        "title": format!("energistasjon: {}", state.region.name),
        "description": "Energistasjoner for tungtransport: kandidatområder, scoring og datagrunnlag (OGC API Features)",
        "links": [
            {"href": format!("{b}/?f=json"), "rel": "self", "type": "application/json", "title": "this document"},
            {"href": format!("{b}/?f=html"), "rel": "alternate", "type": "text/html", "title": "this document as HTML"},
            {"href": format!("{b}/api"), "rel": "service-desc", "type": super::openapi::MEDIA_TYPE, "title": "the API definition (OpenAPI 3.1)"},
            {"href": format!("{b}/api.html"), "rel": "service-doc", "type": "text/html", "title": "the API documentation"},
            {"href": format!("{b}/conformance"), "rel": "conformance", "type": "application/json", "title": "conformance classes"},
            {"href": format!("{b}/collections"), "rel": "data", "type": "application/json", "title": "collections"},
        ]
    }))
    .into_response())
}

/// The conformance classes the service implements.
#[utoipa::path(get, path = "/conformance", tag = "OGC API Features",
    responses((status = 200, description = "The conformance classes", body = serde_json::Value)))]
pub async fn conformance() -> Json<Value> {
    Json(json!({
        "conformsTo": [
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
            "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        ]
    }))
}

fn describe(c: &Collection, b: &str) -> Value {
    let mut v = json!({
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "itemType": "feature",
        "crs": [CRS84, EPSG_25833],
        "storageCrs": EPSG_25833,
        "links": [
            {"href": format!("{b}/collections/{}", c.id), "rel": "self", "type": "application/json"},
            {"href": format!("{b}/collections/{}/items", c.id), "rel": "items", "type": "application/geo+json"},
        ]
    });
    if let Some(e) = c.extent {
        v["extent"] = json!({"spatial": {"bbox": [e], "crs": CRS84}});
    }
    v
}

/// Every collection: the input layers and each profile's scored candidates.
#[utoipa::path(get, path = "/collections", tag = "OGC API Features",
    responses((status = 200, description = "The collections, each with its extent and CRS", body = serde_json::Value)))]
pub async fn collections(State(state): State<AppState>, headers: HeaderMap) -> Json<Value> {
    let b = base(&headers);
    Json(json!({
        "links": [{"href": format!("{b}/collections"), "rel": "self", "type": "application/json"}],
        "collections": state.collections.iter().map(|c| describe(c, &b)).collect::<Vec<_>>(),
    }))
}

fn find<'a>(state: &'a AppState, id: &str) -> Result<&'a Collection, ApiError> {
    state
        .collections
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "no collection '{id}'; the collections are {}",
                state
                    .collections
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

/// One collection's description.
#[utoipa::path(get, path = "/collections/{id}", tag = "OGC API Features",
    params(("id" = String, Path, description = "The collection id, e.g. `roads` or `candidates-depot`")),
    responses(
        (status = 200, description = "The collection, with its extent and CRS", body = serde_json::Value),
        (status = 404, description = "No such collection", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn collection(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(describe(find(&state, &id)?, &base(&headers))))
}

/// Candidates' explained properties, kept once built and serialized: explaining a
/// candidate (reasons, provenance, ranks) and writing it out costs many times what copying
/// the text does, and maps and clients page over the same candidates again and again.
/// Bounded: emptied when full. Review state is not part of it; it is merged into each answer.
#[derive(Default)]
pub struct Explained {
    map: std::sync::Mutex<std::collections::HashMap<(String, u32), Pairs>>,
}

/// Properties as (key, value as JSON text), in key order, as a `Map` holds them.
type Pairs = Arc<Vec<(String, String)>>;

/// Explained candidates kept at most, a few kilobytes each.
const EXPLAINED_MAX: usize = 20_000;

fn pairs(p: Map<String, Value>) -> Vec<(String, String)> {
    p.into_iter().map(|(k, v)| (k, v.to_string())).collect()
}

impl Explained {
    fn pairs(&self, c: &Collection, i: usize, ctx: &ScoringContext) -> Pairs {
        if c.scored().is_none() {
            return Arc::new(pairs(c.properties(i, ctx)));
        }
        let key = (c.id.clone(), i as u32);
        let lock = || self.map.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = lock().get(&key).cloned() {
            return p;
        }
        let p = Arc::new(pairs(c.properties(i, ctx)));
        let mut m = lock();
        if m.len() >= EXPLAINED_MAX {
            m.clear();
        }
        m.insert(key, p.clone());
        p
    }
}

/// One feature as GeoJSON text: what serializing it as a `serde_json::Value` gives, keys in
/// order, written from the kept properties without building the value.
fn feature(
    state: &AppState,
    c: &Collection,
    i: usize,
    b: &str,
    native: bool,
    review: Option<&ReviewOverlay>,
) -> String {
    let id = c.id_of(i);
    let kept = state.explained.pairs(c, i, &state.ctx);
    let mut extra = Map::new();
    if c.scored().is_some() {
        review
            .unwrap_or(&ReviewOverlay::default())
            .extend(id, &mut extra);
    }
    let text = |v: &str| Value::from(v).to_string();
    let mut out = String::with_capacity(
        kept.iter()
            .map(|(k, v)| k.len() + v.len() + 4)
            .sum::<usize>()
            + 512,
    );
    out.push_str("{\"geometry\":");
    out.push_str(&c.geometry(i, native).to_string());
    out.push_str(",\"id\":");
    out.push_str(&text(id));
    out.push_str(",\"links\":[{\"href\":");
    out.push_str(&text(&format!("{b}/collections/{}/items/{id}", c.id)));
    out.push_str(",\"rel\":\"self\",\"type\":\"application/geo+json\"},{\"href\":");
    out.push_str(&text(&format!("{b}/collections/{}", c.id)));
    out.push_str(",\"rel\":\"collection\",\"type\":\"application/json\"}],\"properties\":{");
    // Both lists are in key order: merge them, the review's value winning on a shared key.
    let (mut a, mut r) = (kept.iter().peekable(), extra.iter().peekable());
    let mut first = true;
    loop {
        let (k, v) = match (a.peek(), r.peek()) {
            (Some((ka, _)), Some((kr, _))) if ka.as_str() < kr.as_str() => {
                a.next().map(|(k, v)| (k.as_str(), v.clone()))
            }
            (Some((ka, _)), Some((kr, _))) if ka.as_str() == kr.as_str() => {
                a.next();
                r.next().map(|(k, v)| (k.as_str(), v.to_string()))
            }
            (_, Some(_)) => r.next().map(|(k, v)| (k.as_str(), v.to_string())),
            (Some(_), None) => a.next().map(|(k, v)| (k.as_str(), v.clone())),
            (None, None) => None,
        }
        .unzip();
        let (Some(k), Some(v)) = (k, v) else { break };
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(&text(k));
        out.push(':');
        out.push_str(&v);
    }
    out.push_str("},\"type\":\"Feature\"}");
    out
}

/// A page of a collection's features, filtered and sorted.
#[utoipa::path(get, path = "/collections/{id}/items", tag = "OGC API Features",
    params(("id" = String, Path, description = "The collection id"), super::openapi::ItemsParams),
    responses(
        (status = 200, description = "A GeoJSON FeatureCollection with numberMatched, numberReturned and next/prev links",
            content_type = "application/geo+json", body = serde_json::Value),
        (status = 400, description = "A bad parameter, named in `parameter`", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such collection", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn items(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let c = find(&state, &id)?;
    let b = base(&headers);
    let q = ItemsQuery::parse(c, &query)?;
    let ctx = &state.ctx;
    let review = if c.scored().is_some() {
        super::session::overlay(&state)?
    } else {
        None
    };
    let selected = q.select(c, ctx, review.as_deref());
    let matched = selected.len();
    let page: Vec<String> = selected
        .iter()
        .skip(q.offset)
        .take(q.limit)
        .map(|&i| feature(&state, c, i, &b, q.native, review.as_deref()))
        .collect();
    let returned = page.len();
    let self_query = query_string(&query, None);
    let mut links = vec![
        json!({"href": format!("{b}/collections/{id}/items?{self_query}"), "rel": "self", "type": "application/geo+json"}),
    ];
    if q.offset + returned < matched {
        let next = query_string(&query, Some(q.offset + returned));
        links.push(json!({"href": format!("{b}/collections/{id}/items?{next}"), "rel": "next", "type": "application/geo+json"}));
    }
    if q.offset > 0 {
        let prev = query_string(&query, Some(q.offset.saturating_sub(q.limit)));
        links.push(json!({"href": format!("{b}/collections/{id}/items?{prev}"), "rel": "prev", "type": "application/geo+json"}));
    }
    // Keys in order, as a serialized `Value` would have them.
    let mut body = String::with_capacity(page.iter().map(|f| f.len() + 1).sum::<usize>() + 1024);
    body.push_str("{\"features\":[");
    body.push_str(&page.join(","));
    body.push_str("],\"links\":");
    body.push_str(&Value::from(links).to_string());
    body.push_str(&format!(
        ",\"numberMatched\":{matched},\"numberReturned\":{returned},\"type\":\"FeatureCollection\"}}"
    ));
    Ok(geojson(body, q.native))
}

/// The request's query with `offset` replaced, for next/prev links.
fn query_string(query: &BTreeMap<String, String>, offset: Option<usize>) -> String {
    let mut q = query.clone();
    if let Some(o) = offset {
        q.insert("offset".into(), o.to_string());
    }
    q.iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// One feature.
#[utoipa::path(get, path = "/collections/{id}/items/{featureId}", tag = "OGC API Features",
    params(("id" = String, Path, description = "The collection id"),
        ("featureId" = String, Path, description = "The feature id"),
        super::openapi::ItemParams),
    responses(
        (status = 200, description = "A GeoJSON Feature", content_type = "application/geo+json", body = serde_json::Value),
        (status = 400, description = "A bad parameter", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such collection or feature", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn item(
    State(state): State<AppState>,
    Path((id, fid)): Path<(String, String)>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let c = find(&state, &id)?;
    let mut native = false;
    for (k, v) in &query {
        match k.as_str() {
            "crs" => native = parse_crs("crs", v)?,
            "f" if v == "json" || v == "geojson" => {}
            other => {
                return Err(bad(
                    other,
                    format!("unknown parameter '{other}'; a single feature takes crs and f"),
                ))
            }
        }
    }
    let i = c
        .find(&fid)
        .ok_or_else(|| ApiError::NotFound(format!("collection '{id}' has no feature '{fid}'")))?;
    let review = if c.scored().is_some() {
        super::session::overlay(&state)?
    } else {
        None
    };
    Ok(geojson(
        feature(&state, c, i, &base(&headers), native, review.as_deref()),
        native,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links_keep_the_other_parameters() {
        let q = BTreeMap::from([
            ("limit".to_string(), "7".to_string()),
            ("kommunenavn".to_string(), "Bærum".to_string()),
        ]);
        assert_eq!(
            query_string(&q, Some(14)),
            "kommunenavn=B%C3%A6rum&limit=7&offset=14"
        );
    }
}
