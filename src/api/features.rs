//! OGC API Features Part 1 (Core, GeoJSON): landing page, conformance, collections, items
//! with bbox, limit, offset, next links and simple property filters, and single items.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::collections::{Collection, Item};
use super::{ApiError, AppState};

pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 10_000;
const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// The base URL clients used, so links work behind any host name.
fn base(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:8080");
    format!("http://{host}")
}

fn geojson(body: Value) -> Response {
    ([(header::CONTENT_TYPE, "application/geo+json")], Json(body)).into_response()
}

pub async fn landing(State(state): State<AppState>, headers: HeaderMap) -> Json<Value> {
    let b = base(&headers);
    Json(json!({
        "title": format!("energistasjon: {}", state.region.name),
        "description": "Energistasjoner for tungtransport: kandidatområder, scoring og datagrunnlag (OGC API Features)",
        "links": [
            {"href": format!("{b}/"), "rel": "self", "type": "application/json", "title": "this document"},
            {"href": format!("{b}/conformance"), "rel": "conformance", "type": "application/json", "title": "conformance classes"},
            {"href": format!("{b}/collections"), "rel": "data", "type": "application/json", "title": "collections"},
        ]
    }))
}

pub async fn conformance() -> Json<Value> {
    Json(json!({
        "conformsTo": [
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        ]
    }))
}

fn describe(c: &Collection, b: &str) -> Value {
    let mut v = json!({
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "itemType": "feature",
        "crs": [CRS84],
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

/// `bbox=minLon,minLat,maxLon,maxLat` in CRS84.
pub fn parse_bbox(text: &str) -> Result<[f64; 4], ApiError> {
    let parts: Vec<&str> = text.split(',').collect();
    if parts.len() != 4 {
        return Err(bad(
            "bbox",
            format!(
                "bbox needs 4 numbers (minLon,minLat,maxLon,maxLat), got {}",
                parts.len()
            ),
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

/// A property filter matches the item's property as text, so `kommunenummer=0301` and
/// `rank=1` both work.
fn matches(item: &Item, filters: &[(String, String)]) -> bool {
    filters.iter().all(|(k, v)| match item.properties.get(k) {
        Some(Value::String(s)) => s == v,
        Some(Value::Null) | None => false,
        Some(other) => *other == serde_json::from_str::<Value>(v).unwrap_or(Value::Null),
    })
}

fn intersects(a: &[f64; 4], b: &[f64; 4]) -> bool {
    a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1]
}

fn feature(c: &Collection, item: &Item, b: &str) -> Value {
    json!({
        "type": "Feature",
        "id": item.id,
        "geometry": item.geometry,
        "properties": item.properties,
        "links": [
            {"href": format!("{b}/collections/{}/items/{}", c.id, item.id), "rel": "self", "type": "application/geo+json"},
            {"href": format!("{b}/collections/{}", c.id), "rel": "collection", "type": "application/json"},
        ]
    })
}

pub async fn items(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let c = find(&state, &id)?;
    let b = base(&headers);
    let mut bbox = None;
    let mut limit = DEFAULT_LIMIT;
    let mut offset = 0usize;
    let mut filters = Vec::new();
    for (k, v) in &query {
        match k.as_str() {
            "bbox" => bbox = Some(parse_bbox(v)?),
            "limit" => limit = parse_count("limit", v, 1, MAX_LIMIT)?,
            "offset" => offset = parse_count("offset", v, 0, usize::MAX >> 1)?,
            "f" if v == "json" || v == "geojson" => {}
            "f" => return Err(bad("f", format!("format '{v}' is not served; use f=json"))),
            "bbox-crs" if v == CRS84 => {}
            "bbox-crs" => {
                return Err(bad(
                    "bbox-crs",
                    format!("bbox-crs '{v}' is not supported yet; use {CRS84}"),
                ))
            }
            other => {
                // Anything else filters on a property; a name no item has is a typo.
                if !c.items.iter().any(|i| i.properties.contains_key(other)) {
                    let mut names: Vec<&str> = c
                        .items
                        .first()
                        .map(|i| i.properties.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    names.sort_unstable();
                    return Err(bad(
                        other,
                        format!(
                            "unknown parameter '{other}'; use bbox, limit, offset, or a property: {}",
                            names.join(", ")
                        ),
                    ));
                }
                filters.push((other.to_string(), v.clone()));
            }
        }
    }
    let selected: Vec<&Item> = c
        .items
        .iter()
        .filter(|i| bbox.is_none_or(|b| intersects(&i.bbox, &b)))
        .filter(|i| matches(i, &filters))
        .collect();
    let matched = selected.len();
    let page: Vec<Value> = selected
        .iter()
        .skip(offset)
        .take(limit)
        .map(|i| feature(c, i, &b))
        .collect();
    let returned = page.len();
    let self_query = query_string(&query, None);
    let mut links = vec![
        json!({"href": format!("{b}/collections/{id}/items?{self_query}"), "rel": "self", "type": "application/geo+json"}),
    ];
    if offset + returned < matched {
        let next = query_string(&query, Some(offset + returned));
        links.push(json!({"href": format!("{b}/collections/{id}/items?{next}"), "rel": "next", "type": "application/geo+json"}));
    }
    if offset > 0 {
        let prev = query_string(&query, Some(offset.saturating_sub(limit)));
        links.push(json!({"href": format!("{b}/collections/{id}/items?{prev}"), "rel": "prev", "type": "application/geo+json"}));
    }
    Ok(geojson(json!({
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": returned,
        "links": links,
        "features": page,
    })))
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

pub async fn item(
    State(state): State<AppState>,
    Path((id, fid)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let c = find(&state, &id)?;
    let it = c
        .item(&fid)
        .ok_or_else(|| ApiError::NotFound(format!("collection '{id}' has no feature '{fid}'")))?;
    Ok(geojson(feature(c, it, &base(&headers))))
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
