//! The query language shared by the OGC items endpoint, the export endpoint and the CLI
//! export: bbox (CRS84 or EPSG:25833), limit and offset, property filters, `min_score`
//! and `sortby`. One parser and one selection, so an export holds exactly what the same
//! filter shows on the map.

use std::collections::BTreeMap;

use serde_json::Value;

use super::review::ReviewOverlay;
use super::Collection;
use crate::scoring::ScoringContext;

pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 10_000;
pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
pub const EPSG_25833: &str = "http://www.opengis.net/def/crs/EPSG/0/25833";

/// A parameter that cannot be used, and why.
#[derive(Debug, thiserror::Error)]
#[error("{detail}")]
pub struct QueryError {
    pub parameter: String,
    pub detail: String,
}

fn bad(parameter: &str, detail: impl Into<String>) -> QueryError {
    QueryError {
        parameter: parameter.to_string(),
        detail: detail.into(),
    }
}

/// The four numbers of a bbox, in the `order` the message names.
fn parse_numbers(text: &str, order: &str) -> Result<[f64; 4], QueryError> {
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
pub fn parse_bbox(text: &str) -> Result<[f64; 4], QueryError> {
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
fn parse_native_bbox(text: &str) -> Result<[f64; 4], QueryError> {
    let v = parse_numbers(text, "minX,minY,maxX,maxY")?;
    if v[0] > v[2] || v[1] > v[3] {
        return Err(bad(
            "bbox",
            "bbox minimum is greater than its maximum; write minX,minY,maxX,maxY",
        ));
    }
    Ok(v)
}

pub fn parse_count(name: &str, text: &str, min: usize, max: usize) -> Result<usize, QueryError> {
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

/// What an items request asked for, checked.
#[derive(Debug, Default)]
pub struct ItemsQuery {
    /// In the CRS of `bbox_native`.
    pub bbox: Option<[f64; 4]>,
    pub bbox_native: bool,
    pub limit: usize,
    pub offset: usize,
    /// Output in EPSG:25833 instead of CRS84.
    pub native: bool,
    pub min_score: Option<f64>,
    /// Property and descending?
    pub sortby: Option<(String, bool)>,
    pub filters: Vec<(String, String)>,
}

/// The CRS a `crs` or `bbox-crs` parameter names: false for CRS84, true for EPSG:25833.
pub fn parse_crs(parameter: &str, v: &str) -> Result<bool, QueryError> {
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

impl ItemsQuery {
    /// Checks a request's parameters against the collection.
    pub fn parse(
        c: &Collection,
        query: &BTreeMap<String, String>,
    ) -> Result<ItemsQuery, QueryError> {
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

    /// The indices of the features the query selects, in the order asked for. Review
    /// properties (status, votes, comments) of candidates come from `review`.
    pub fn select(
        &self,
        c: &Collection,
        ctx: &ScoringContext,
        review: Option<&ReviewOverlay>,
    ) -> Vec<usize> {
        let q = self;
        let untouched = ReviewOverlay::default();
        let value = |i: usize, name: &str| -> Option<Value> {
            if c.scored().is_some() && super::review::FIELDS.contains(&name) {
                review.unwrap_or(&untouched).value(c.id_of(i), name)
            } else {
                c.property(i, name, ctx)
            }
        };
        let mut selected: Vec<usize> = (0..c.len())
            .filter(|&i| {
                q.bbox
                    .is_none_or(|b| intersects(&c.bbox(i, q.bbox_native), &b))
            })
            .filter(|&i| {
                q.filters
                    .iter()
                    .all(|(k, v)| matches(value(i, k).as_ref(), v))
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
            let keys: std::collections::HashMap<usize, Option<Value>> =
                selected.iter().map(|&i| (i, value(i, name))).collect();
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
        selected
    }
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
}
