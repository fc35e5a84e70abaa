//! The columns of an exported table: a candidate's score, ranks, municipality, area, every
//! criterion's raw value, unit, normalized value, points and reason, its exclusion reasons,
//! and the data version and time of the export. Also a layer's own properties. Pure: no IO.

use serde_json::Map;

use super::{Field, FieldType, Value};
use crate::domain::profile::Criterion;
use crate::scoring::report::CandidateReport;
use crate::scoring::sensitivity::Sensitivity;

/// What goes into a candidate table besides the fixed columns.
#[derive(Debug, Clone)]
pub struct Columns {
    pub sensitivity: bool,
    /// One-line reasons per criterion (large for grids).
    pub reasons: bool,
    pub english: bool,
    /// Hash of the region config and input files.
    pub data_version: String,
    /// RFC 3339, UTC.
    pub exported_at: String,
}

pub fn candidate_fields(criteria: &[Criterion], cols: &Columns) -> Vec<Field> {
    use FieldType::*;
    let mut f = vec![
        Field::new("id", Str),
        Field::new("name", Str),
        Field::new("profile", Str),
        Field::new("score", Real),
        Field::new("rank", Int),
        Field::new("rank_municipality", Int),
        Field::new("kommunenummer", Str),
        Field::new("kommunenavn", Str),
        Field::new("area_m2", Real),
        Field::new("landuse", Str),
        Field::new("excluded", Int),
        Field::new("exclusion_reasons", Str),
    ];
    for c in criteria {
        f.push(Field::new(format!("{}_raw", c.id), Real));
        f.push(Field::new(format!("{}_unit", c.id), Str));
        f.push(Field::new(format!("{}_norm", c.id), Real));
        f.push(Field::new(format!("{}_points", c.id), Real));
        if cols.reasons {
            f.push(Field::new(format!("{}_reason", c.id), Str));
        }
        if c.measure == crate::domain::profile::Measure::HeavyTraffic {
            f.push(Field::new(format!("{}_source", c.id), Str));
            f.push(Field::new(format!("{}_year", c.id), Int));
        }
    }
    if cols.sensitivity {
        f.push(Field::new("p_top_k", Real));
        f.push(Field::new("rank_min", Int));
        f.push(Field::new("rank_max", Int));
    }
    f.push(Field::new("data_version", Str));
    f.push(Field::new("exported_at", Str));
    f
}

/// Round for output: scores and points to 4 decimals, raw values to 2 (centimetres).
fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

fn opt_str(s: &Option<String>) -> Value {
    s.clone().map(Value::Str).unwrap_or(Value::Null)
}

/// One candidate's row, in `candidate_fields` order.
pub fn candidate_values(
    r: &CandidateReport,
    sens: Option<(&Sensitivity, usize)>,
    cols: &Columns,
) -> Vec<Value> {
    let en = cols.english;
    let mut v = vec![
        Value::Str(r.id.clone()),
        opt_str(&r.name),
        Value::Str(r.profile.clone()),
        r.score
            .map(|s| Value::Real(round(s, 4)))
            .unwrap_or(Value::Null),
        r.rank.map(|x| Value::Int(x.into())).unwrap_or(Value::Null),
        r.municipality_rank
            .map(|x| Value::Int(x.into()))
            .unwrap_or(Value::Null),
        opt_str(&r.kommunenummer),
        opt_str(&r.kommunenavn),
        r.area_m2
            .map(|a| Value::Real(round(a, 2)))
            .unwrap_or(Value::Null),
        r.landuse
            .map(|l| Value::Str(l.to_string()))
            .unwrap_or(Value::Null),
        Value::Int(r.excluded.into()),
        if r.exclusions.is_empty() {
            Value::Null
        } else {
            Value::Str(
                r.exclusions
                    .iter()
                    .map(|e| if en { &e.reason_en } else { &e.reason }.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        },
    ];
    for c in &r.criteria {
        v.push(
            c.raw
                .map(|x| Value::Real(round(x, 2)))
                .unwrap_or(Value::Null),
        );
        v.push(Value::Str(c.unit.to_string()));
        v.push(Value::Real(round(c.normalized, 4)));
        v.push(Value::Real(round(c.points, 4)));
        if cols.reasons {
            v.push(Value::Str(if en {
                c.reason_en.clone()
            } else {
                c.reason.clone()
            }));
        }
        if c.measure == crate::domain::profile::Measure::HeavyTraffic.name() {
            v.push(
                c.source
                    .map(|s| Value::Str(s.into()))
                    .unwrap_or(Value::Null),
            );
            v.push(c.year.map(|y| Value::Int(y.into())).unwrap_or(Value::Null));
        }
    }
    if let Some((s, i)) = sens {
        v.push(Value::Real(round(s.p_top_k[i], 4)));
        v.push(Value::Int(s.rank_min[i].into()));
        v.push(Value::Int(s.rank_max[i].into()));
    }
    v.push(Value::Str(cols.data_version.clone()));
    v.push(Value::Str(cols.exported_at.clone()));
    v
}

/// The sizing columns per year: chargers, MW and the area needed, and the grid verdict
/// (`feasible`, `short`, `unknown`) with the free MW and the shortfall. The shortlist and the
/// candidate export share them.
pub fn sizing_fields(years: &[i32]) -> Vec<Field> {
    use FieldType::*;
    let mut f = Vec::new();
    for y in years {
        f.push(Field::new(format!("chargers_{y}"), Int));
        f.push(Field::new(format!("mw_{y}"), Real));
        f.push(Field::new(format!("area_need_m2_{y}"), Real));
        f.push(Field::new(format!("grid_{y}"), Str));
        f.push(Field::new(format!("grid_free_mw_{y}"), Real));
        f.push(Field::new(format!("grid_short_mw_{y}"), Real));
    }
    f
}

/// The values of `sizing_fields(years)` from a site's sizings; nulls for a year not sized.
pub fn sizing_values(sizing: &[crate::domain::sizing::Sizing], years: &[i32]) -> Vec<Value> {
    use crate::domain::sizing::Grid;
    let mut v = Vec::new();
    for y in years {
        match sizing.iter().find(|z| z.year == *y) {
            Some(z) => {
                v.push(Value::Int(z.chargers as i64));
                v.push(Value::Real(round(z.peak_mw, 3)));
                v.push(Value::Real(z.area_m2.round()));
                let (verdict, free, short) = match &z.grid {
                    Grid::Feasible { free_mw } => ("feasible", Some(*free_mw), None),
                    Grid::Short { free_mw, more_mw } => ("short", Some(*free_mw), Some(*more_mw)),
                    Grid::Unknown => ("unknown", None, None),
                };
                v.push(Value::Str(verdict.into()));
                v.push(free.map(Value::Real).unwrap_or(Value::Null));
                v.push(
                    short
                        .map(|m| Value::Real(round(m, 3)))
                        .unwrap_or(Value::Null),
                );
            }
            None => v.extend(std::iter::repeat_n(Value::Null, 6)),
        }
    }
    v
}

/// The columns of an input layer: its properties, typed by the first value that is not null.
pub fn layer_fields(rows: &[&Map<String, serde_json::Value>]) -> Vec<Field> {
    let mut names: Vec<(String, FieldType)> = Vec::new();
    for row in rows {
        for (k, v) in *row {
            let ty = match v {
                serde_json::Value::Number(n) if n.is_i64() => FieldType::Int,
                serde_json::Value::Number(_) => FieldType::Real,
                _ => FieldType::Str,
            };
            match names.iter_mut().find(|(n, _)| n == k) {
                Some((_, t)) if *t != ty && !v.is_null() => {
                    *t = match (*t, ty) {
                        (FieldType::Int, FieldType::Real) | (FieldType::Real, FieldType::Int) => {
                            FieldType::Real
                        }
                        _ => FieldType::Str,
                    }
                }
                Some(_) => {}
                None => names.push((k.clone(), ty)),
            }
        }
    }
    names.into_iter().map(|(n, t)| Field::new(n, t)).collect()
}

pub fn layer_values(fields: &[Field], row: &Map<String, serde_json::Value>) -> Vec<Value> {
    fields
        .iter()
        .map(|f| match (row.get(&f.name), f.ty) {
            (None | Some(serde_json::Value::Null), _) => Value::Null,
            (Some(v), FieldType::Int) => v.as_i64().map(Value::Int).unwrap_or(Value::Null),
            (Some(v), FieldType::Real) => v.as_f64().map(Value::Real).unwrap_or(Value::Null),
            (Some(serde_json::Value::String(s)), FieldType::Str) => Value::Str(s.clone()),
            (Some(v), FieldType::Str) => Value::Str(v.to_string()),
        })
        .collect()
}

/// The review columns after a candidate's own: status, version, comments and votes.
pub fn review_fields() -> Vec<Field> {
    crate::catalog::review::FIELDS
        .iter()
        .map(|f| {
            let ty = if *f == "status" {
                FieldType::Str
            } else {
                FieldType::Int
            };
            Field::new(*f, ty)
        })
        .collect()
}

pub fn review_values(review: &crate::catalog::review::ReviewOverlay, site: &str) -> Vec<Value> {
    crate::catalog::review::FIELDS
        .iter()
        .map(|f| match review.value(site, f) {
            Some(serde_json::Value::String(s)) => Value::Str(s),
            Some(v) => v.as_i64().map(Value::Int).unwrap_or(Value::Null),
            None => Value::Null,
        })
        .collect()
}
