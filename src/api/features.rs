//! OGC API Features Part 1 (Core, GeoJSON): landing page, conformance, collections, items
//! with bbox, limit, offset, next links and simple property filters, and single items.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::collections::Collection;
use super::{ApiError, AppState};
use crate::scoring::ScoringContext;

pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 10_000;
pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
pub const EPSG_25833: &str = "http://www.opengis.net/def/crs/EPSG/0/25833";

/// The base URL clients used, so links work behind any host name.
fn base(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:8080");
    format!("http://{host}")
}

/// A GeoJSON response, with the `Content-Crs` header of OGC API Features Part 2.
fn geojson(body: Value, native: bool) -> Response {
    let crs = if native { EPSG_25833 } else { CRS84 };
    (
        [
            (header::CONTENT_TYPE, "application/geo+json".to_string()),
            (HeaderName::from_static("content-crs"), format!("<{crs}>")),
        ],
        Json(body),
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

fn bad(parameter: &str, detail: impl Into<String>) -> ApiError {
    ApiError::BadRequest {
        parameter: parameter.to_string(),
        detail: detail.into(),
    }
}

/// The four numbers of a bbox, in the `order` the message names.
fn parse_numbers(text: &str, order: &str) -> Result<[f64; 4], ApiError> {
    let parts: Vec<&str> = text.split(',').collect();
    if parts.len() != 4 {
        return Err(bad(
            "bbox",
            format!("bbox needs 4 numbers ({order}), got {}", parts.len()),
        ));
    }
    let mut v = [0.0; 4];
    for (i, p) in parts.iter().enumerate() {
        v[i] = p
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| bad("bbox", format!("bbox value '{p}' is not a number")))?;
    }
    Ok(v)
}

/// `bbox=minLon,minLat,maxLon,maxLat` in CRS84.
pub fn parse_bbox(text: &str) -> Result<[f64; 4], ApiError> {
    let v = parse_numbers(text, "minLon,minLat,maxLon,maxLat")?;
    if v[0] < -180.0 || v[2] > 180.0 || v[1] < -90.0 || v[3] > 90.0 {
        return Err(bad(
            "bbox",
            "bbox is out of range: longitudes lie in -180..180 and latitudes in -90..90",
        ));
    }
    if v[0] > v[2] || v[1] > v[3] {
        return Err(bad(
            "bbox",
            "bbox minimum is greater than its maximum; write minLon,minLat,maxLon,maxLat",
        ));
    }
    Ok(v)
}

/// `bbox=minX,minY,maxX,maxY` in EPSG:25833 metres (with `bbox-crs`).
fn parse_native_bbox(text: &str) -> Result<[f64; 4], ApiError> {
    let v = parse_numbers(text, "minX,minY,maxX,maxY")?;
    if v[0] > v[2] || v[1] > v[3] {
        return Err(bad(
            "bbox",
            "bbox minimum is greater than its maximum; write minX,minY,maxX,maxY",
        ));
    }
    Ok(v)
}

fn parse_count(name: &str, text: &str, min: usize, max: usize) -> Result<usize, ApiError> {
    let n: i64 = text
        .trim()
        .parse()
        .map_err(|_| bad(name, format!("{name} '{text}' is not a whole number")))?;
    if n < min as i64 || n > max as i64 {
        return Err(bad(
            name,
            format!("{name} must lie in {min}..{max}, not {n}"),
        ));
    }
    Ok(n as usize)
}

/// A property filter matches the property as text, so `kommunenummer=0301` and `rank=1`
/// both work.
fn matches(value: Option<&Value>, wanted: &str) -> bool {
    match value {
        Some(Value::String(s)) => s == wanted,
        Some(Value::Null) | None => false,
        Some(other) => *other == serde_json::from_str::<Value>(wanted).unwrap_or(Value::Null),
    }
}

fn intersects(a: &[f64; 4], b: &[f64; 4]) -> bool {
    a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1]
}

fn feature(c: &Collection, i: usize, b: &str, native: bool, ctx: &ScoringContext) -> Value {
    let id = c.id_of(i);
    json!({
        "type": "Feature",
        "id": id,
        "geometry": c.geometry(i, native),
        "properties": c.properties(i, ctx),
        "links": [
            {"href": format!("{b}/collections/{}/items/{id}", c.id), "rel": "self", "type": "application/geo+json"},
            {"href": format!("{b}/collections/{}", c.id), "rel": "collection", "type": "application/json"},
        ]
    })
}

/// What an items request asked for, checked.
#[derive(Debug, Default)]
struct ItemsQuery {
    /// In the CRS of `bbox_native`.
    bbox: Option<[f64; 4]>,
    bbox_native: bool,
    limit: usize,
    offset: usize,
    /// Output in EPSG:25833 instead of CRS84.
    native: bool,
    min_score: Option<f64>,
    /// Property and descending?
    sortby: Option<(String, bool)>,
    filters: Vec<(String, String)>,
}

/// The CRS a `crs` or `bbox-crs` parameter names: false for CRS84, true for EPSG:25833.
fn parse_crs(parameter: &str, v: &str) -> Result<bool, ApiError> {
    match v.trim() {
        CRS84 | "OGC:CRS84" | "EPSG:4326" | "http://www.opengis.net/def/crs/EPSG/0/4326" => {
            Ok(false)
        }
        EPSG_25833 | "EPSG:25833" => Ok(true),
        other => Err(bad(
            parameter,
            format!("{parameter} '{other}' is not served; use {CRS84} or {EPSG_25833}"),
        )),
    }
}

fn property_names(c: &Collection) -> String {
    c.property_names().join(", ")
}

fn parse_items_query(
    c: &Collection,
    query: &BTreeMap<String, String>,
) -> Result<ItemsQuery, ApiError> {
    let mut q = ItemsQuery {
        limit: DEFAULT_LIMIT,
        ..ItemsQuery::default()
    };
    let mut bbox_text = None;
    for (k, v) in query {
        match k.as_str() {
            "bbox" => bbox_text = Some(v.as_str()),
            "bbox-crs" => q.bbox_native = parse_crs("bbox-crs", v)?,
            "crs" => q.native = parse_crs("crs", v)?,
            "limit" => q.limit = parse_count("limit", v, 1, MAX_LIMIT)?,
            "offset" => q.offset = parse_count("offset", v, 0, usize::MAX >> 1)?,
            "f" if v == "json" || v == "geojson" => {}
            "f" => return Err(bad("f", format!("format '{v}' is not served; use f=json"))),
            "min_score" => {
                if !c.has_property("score") {
                    return Err(bad(
                        "min_score",
                        format!("collection '{}' has no score; min_score works on candidates-* collections", c.id),
                    ));
                }
                q.min_score = Some(
                    v.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .ok_or_else(|| bad("min_score", format!("min_score '{v}' is not a number; write for example min_score=70")))?,
                );
            }
            "sortby" => {
                let (name, descending) = match v.trim() {
                    s if s.starts_with('-') => (&s[1..], true),
                    s => (s.trim_start_matches('+'), false),
                };
                if !c.has_property(name) {
                    return Err(bad(
                        "sortby",
                        format!(
                            "cannot sort by '{name}'; use a property, with - for descending: {}",
                            property_names(c)
                        ),
                    ));
                }
                q.sortby = Some((name.to_string(), descending));
            }
            other => {
                // Anything else filters on a property; a name no item has is a typo.
                if !c.has_property(other) {
                    return Err(bad(
                        other,
                        format!(
                            "unknown parameter '{other}'; use bbox, bbox-crs, crs, limit, offset, sortby, min_score, or a property: {}",
                            property_names(c)
                        ),
                    ));
                }
                q.filters.push((other.to_string(), v.clone()));
            }
        }
    }
    if let Some(text) = bbox_text {
        q.bbox = Some(if q.bbox_native {
            parse_native_bbox(text)?
        } else {
            parse_bbox(text)?
        });
    }
    Ok(q)
}

/// Sorts numbers numerically and text as text; items without the property go last.
fn compare_property(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .unwrap_or(f64::NAN)
            .total_cmp(&y.as_f64().unwrap_or(f64::NAN)),
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(Value::Null) | None, Some(Value::Null) | None) => Ordering::Equal,
        (Some(Value::Null) | None, _) => Ordering::Greater,
        (_, Some(Value::Null) | None) => Ordering::Less,
        (Some(x), Some(y)) => x.to_string().cmp(&y.to_string()),
    }
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
    let q = parse_items_query(c, &query)?;
    let ctx = &state.ctx;
    let mut selected: Vec<usize> = (0..c.len())
        .filter(|&i| {
            q.bbox
                .is_none_or(|b| intersects(&c.bbox(i, q.bbox_native), &b))
        })
        .filter(|&i| {
            q.filters
                .iter()
                .all(|(k, v)| matches(c.property(i, k, ctx).as_ref(), v))
        })
        .filter(|&i| {
            q.min_score.is_none_or(|m| {
                c.property(i, "score", ctx)
                    .and_then(|v| v.as_f64())
                    .is_some_and(|s| s >= m)
            })
        })
        .collect();
    if let Some((name, descending)) = &q.sortby {
        let keys: std::collections::HashMap<usize, Option<Value>> = selected
            .iter()
            .map(|&i| (i, c.property(i, name, ctx)))
            .collect();
        // Missing values stay last in both directions.
        let missing = |v: Option<&Value>| v.is_none_or(Value::is_null);
        selected.sort_by(|a, b| {
            let (x, y) = (keys[a].as_ref(), keys[b].as_ref());
            let o = compare_property(x, y);
            if *descending && !missing(x) && !missing(y) {
                o.reverse()
            } else {
                o
            }
        });
    }
    let matched = selected.len();
    let page: Vec<Value> = selected
        .iter()
        .skip(q.offset)
        .take(q.limit)
        .map(|&i| feature(c, i, &b, q.native, ctx))
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
    Ok(geojson(
        json!({
            "type": "FeatureCollection",
            "numberMatched": matched,
            "numberReturned": returned,
            "links": links,
            "features": page,
        }),
        q.native,
    ))
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
    Ok(geojson(
        feature(c, i, &base(&headers), native, &state.ctx),
        native,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_errors_name_the_problem() {
        assert!(parse_bbox("10,59,11,60").is_ok());
        for (text, needle) in [
            ("10,59,11", "4 numbers"),
            ("11,59,10,60", "greater than"),
            ("a,59,11,60", "not a number"),
            ("10,59,200,60", "out of range"),
        ] {
            let err = parse_bbox(text).unwrap_err().to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn limits_outside_the_range_are_refused() {
        assert_eq!(parse_count("limit", "7", 1, MAX_LIMIT).unwrap(), 7);
        for bad in ["0", "-1", "100000", "x"] {
            assert!(parse_count("limit", bad, 1, MAX_LIMIT).is_err(), "{bad}");
        }
    }

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
