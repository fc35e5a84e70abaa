//! Reading a role's typed attributes from a GDAL feature, as the layer config maps them.

use std::collections::{BTreeMap, HashMap};

use gdal::vector::{Feature as GdalFeature, FieldValue};

use crate::config::{FieldSpec, LayerConfig};
use crate::domain::layers::{
    parse_enum, parse_road_ref, Exclusion, LandUse, Municipality, Oneway, Place, Rail, Road,
    RoadCategory, Site, Station, Substation, Terminal, Traffic, TrafficBasis, EXCLUSION_KINDS,
    STATION_KINDS, TERMINAL_KINDS,
};
use crate::domain::{LandUseClass, Role};

use super::mapping::MappingTable;

/// A problem with one attribute of one feature.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrProblem {
    pub field: String,
    pub message: String,
    pub hint: String,
}

/// Typed attributes of one feature, tagged by role.
#[derive(Debug, Clone)]
pub enum Attrs {
    Boundary(Municipality),
    Landuse(LandUse),
    Roads(Road),
    Rail(Rail),
    Terminals(Terminal),
    Grid(Substation),
    Stations(Station),
    Exclusion(Exclusion),
    Candidates(Site),
    Places(Place),
    Traffic(Traffic),
}

struct Mapped {
    field_idx: Option<usize>,
    field_name: Option<String>,
    constant: Option<String>,
    table: Option<MappingTable>,
    default: Option<String>,
    scale: Option<f64>,
}

/// Reads the mapped attributes of a layer's features. Built once per layer, after the
/// mapped fields were checked against the layer's schema.
pub struct AttributeReader {
    role: Role,
    mapped: HashMap<String, Mapped>,
    /// For candidates: every source field, kept as the user gave it.
    all_fields: Vec<String>,
}

impl AttributeReader {
    /// `field_index` finds a source field by name; `table` loads a mapping table.
    pub fn new<E>(
        layer: &LayerConfig,
        field_names: &[String],
        mut table: impl FnMut(&str) -> Result<MappingTable, E>,
    ) -> Result<Self, (String, E)> {
        let mut mapped = HashMap::new();
        for (attr, spec) in &layer.fields {
            let field_name = spec.field().map(str::to_string);
            let field_idx = field_name
                .as_ref()
                .and_then(|name| field_names.iter().position(|n| n == name));
            let table = match spec.table() {
                Some(name) => Some(table(name).map_err(|e| (attr.clone(), e))?),
                None => None,
            };
            mapped.insert(
                attr.clone(),
                Mapped {
                    field_idx,
                    field_name,
                    constant: spec.constant(),
                    table,
                    default: spec.default_value(),
                    scale: spec.scale(),
                },
            );
        }
        Ok(AttributeReader {
            role: layer.role,
            mapped,
            all_fields: field_names.to_vec(),
        })
    }

    /// Mapped source fields that the layer does not have: (attribute, field).
    pub fn missing_fields(layer: &LayerConfig, field_names: &[String]) -> Vec<(String, String)> {
        layer
            .fields
            .iter()
            .filter_map(|(attr, spec): (&String, &FieldSpec)| {
                let field = spec.field()?;
                (!field_names.iter().any(|n| n == field)).then(|| (attr.clone(), field.to_string()))
            })
            .collect()
    }

    fn field_label(&self, attr: &str) -> String {
        self.mapped
            .get(attr)
            .and_then(|m| m.field_name.clone())
            .unwrap_or_else(|| attr.to_string())
    }

    /// The attribute's text after constants, defaults and mapping tables; None when empty.
    fn text(&self, attr: &str, f: &GdalFeature) -> Result<Option<String>, AttrProblem> {
        let Some(m) = self.mapped.get(attr) else {
            return Ok(None);
        };
        let raw = match (&m.constant, m.field_idx) {
            (Some(c), _) => Some(c.clone()),
            (None, Some(idx)) => field_text(f, idx),
            (None, None) => None,
        };
        let raw = raw.or_else(|| m.default.clone());
        let Some(raw) = raw else { return Ok(None) };
        match &m.table {
            None => Ok(Some(raw)),
            Some(t) => match t.lookup(&raw) {
                Some(v) => Ok(Some(v.to_string())),
                None => Err(AttrProblem {
                    field: self.field_label(attr),
                    message: format!("unknown code '{raw}' (not in mapping table '{}')", t.name),
                    hint: format!(
                        "add \"{raw}\" to the table '{}' in data/mappings/, or map the layer to your own table",
                        t.name
                    ),
                }),
            },
        }
    }

    fn required(&self, attr: &str, f: &GdalFeature) -> Result<String, AttrProblem> {
        self.text(attr, f)?.ok_or_else(|| AttrProblem {
            field: self.field_label(attr),
            message: format!("'{attr}' is empty"),
            hint: format!(
                "fill in {} for this feature, or give a default in [layers.fields] ({attr} = {{ field = \"…\", default = \"…\" }})",
                self.field_label(attr)
            ),
        })
    }

    fn number(&self, attr: &str, f: &GdalFeature, warnings: &mut Vec<AttrProblem>) -> Option<f64> {
        let text = match self.text(attr, f) {
            Ok(t) => t?,
            Err(p) => {
                warnings.push(p);
                return None;
            }
        };
        let scale = self.mapped.get(attr).and_then(|m| m.scale).unwrap_or(1.0);
        match text.trim().replace(',', ".").parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v * scale),
            _ => {
                warnings.push(AttrProblem {
                    field: self.field_label(attr),
                    message: format!("'{text}' is not a number"),
                    hint: format!("write {attr} as a plain number, for example 12.5"),
                });
                None
            }
        }
    }

    fn flag(&self, attr: &str, f: &GdalFeature, warnings: &mut Vec<AttrProblem>) -> bool {
        let text = match self.text(attr, f) {
            Ok(Some(t)) => t,
            Ok(None) => return false,
            Err(p) => {
                warnings.push(p);
                return false;
            }
        };
        match text.trim().to_lowercase().as_str() {
            "true" | "yes" | "ja" | "1" | "y" | "j" => true,
            "false" | "no" | "nei" | "0" | "n" | "" => false,
            _ => {
                warnings.push(AttrProblem {
                    field: self.field_label(attr),
                    message: format!("'{text}' is not yes or no"),
                    hint: format!(
                        "use true/false, yes/no or ja/nei for {attr}, or a mapping table"
                    ),
                });
                false
            }
        }
    }

    fn optional(
        &self,
        attr: &str,
        f: &GdalFeature,
        warnings: &mut Vec<AttrProblem>,
    ) -> Option<String> {
        self.text(attr, f).unwrap_or_else(|p| {
            warnings.push(p);
            None
        })
    }

    /// The feature's typed attributes, plus warnings for values that were not understood.
    /// An Err means the feature cannot be used.
    pub fn read(&self, f: &GdalFeature) -> Result<(Attrs, Vec<AttrProblem>), AttrProblem> {
        let mut w = Vec::new();
        let attrs = match self.role {
            Role::Boundary => Attrs::Boundary(Municipality {
                number: normalize_kommunenummer(&self.required("number", f)?),
                name: self.required("name", f)?,
            }),
            Role::Landuse => {
                let source_code =
                    self.mapped
                        .get("class")
                        .and_then(|m| match (&m.constant, m.field_idx) {
                            (Some(c), _) => Some(c.clone()),
                            (None, Some(idx)) => field_text(f, idx),
                            _ => None,
                        });
                let class = match self.text("class", f) {
                    Ok(Some(v)) => LandUseClass::parse(&v).unwrap_or_else(|| {
                        w.push(AttrProblem {
                            field: self.field_label("class"),
                            message: format!("'{v}' is not a land-use class"),
                            hint: format!(
                                "use one of {}, or map the codes with a table",
                                LandUseClass::ALL.map(|c| c.as_str()).join(", ")
                            ),
                        });
                        LandUseClass::Unclassified
                    }),
                    Ok(None) => {
                        w.push(AttrProblem {
                            field: self.field_label("class"),
                            message: "the land-use class is empty".into(),
                            hint: "fill in the class, or give a default in [layers.fields]".into(),
                        });
                        LandUseClass::Unclassified
                    }
                    // Kept as unclassified: the parcel still blocks other uses of the land.
                    Err(p) => {
                        w.push(p);
                        LandUseClass::Unclassified
                    }
                };
                Attrs::Landuse(LandUse {
                    class,
                    source_code,
                    name: self.optional("name", f, &mut w),
                })
            }
            Role::Roads => {
                let cat_text = self.required("category", f)?;
                let mut category: RoadCategory = cat_text.parse().map_err(|m| AttrProblem {
                    field: self.field_label("category"),
                    message: m,
                    hint: "map the source values with a table, or give a default".into(),
                })?;
                let mut number = None;
                if let Some(r) = self.optional("number", f, &mut w) {
                    match parse_road_ref(&r) {
                        Some((cat, n)) => {
                            // "E 6" in an OSM ref makes the road a europaveg whatever its highway tag.
                            if cat == Some(RoadCategory::European) {
                                category = RoadCategory::European;
                            }
                            number = n;
                        }
                        None => w.push(AttrProblem {
                            field: self.field_label("number"),
                            message: format!("'{r}' is not a road number"),
                            hint: "use a number (6) or a reference (E 6, E6, Rv4)".into(),
                        }),
                    }
                }
                let oneway = match self.optional("oneway", f, &mut w) {
                    None => Oneway::Both,
                    Some(t) => t.parse().unwrap_or_else(|m| {
                        w.push(AttrProblem {
                            field: self.field_label("oneway"),
                            message: m,
                            hint: "one-way values are yes/no/-1 (OSM) or FT/TF/B/N (NVDB)".into(),
                        });
                        Oneway::Both
                    }),
                };
                Attrs::Roads(Road {
                    category,
                    number,
                    motorway: self.flag("motorway", f, &mut w),
                    heavy_aadt: self.number("heavy_aadt", f, &mut w),
                    speed_kmh: self.number("speed_kmh", f, &mut w),
                    oneway,
                    ferry: self.flag("ferry", f, &mut w),
                    name: self.optional("name", f, &mut w),
                })
            }
            Role::Rail => Attrs::Rail(Rail {
                kind: self.optional("kind", f, &mut w),
                name: self.optional("name", f, &mut w),
            }),
            Role::Terminals => Attrs::Terminals(Terminal {
                kind: self.kind("kind", f, TERMINAL_KINDS)?,
                name: self.optional("name", f, &mut w),
            }),
            Role::Grid => Attrs::Grid(Substation {
                name: self.optional("name", f, &mut w),
                available_mw: self.number("available_mw", f, &mut w),
            }),
            Role::Stations => Attrs::Stations(Station {
                kind: self.kind("kind", f, STATION_KINDS)?,
                name: self.optional("name", f, &mut w),
                power_kw: self.number("power_kw", f, &mut w),
                max_point_kw: None,
                points: None,
                heavy: self.flag("heavy", f, &mut w),
            }),
            Role::Exclusion => Attrs::Exclusion(Exclusion {
                kind: self.kind("kind", f, EXCLUSION_KINDS)?,
                name: self.optional("name", f, &mut w),
            }),
            Role::Places => Attrs::Places(Place {
                name: self.required("name", f)?,
                kind: self.optional("kind", f, &mut w),
            }),
            Role::Traffic => Attrs::Traffic(self.traffic(f, &mut w)?),
            Role::Candidates => {
                let mut properties = BTreeMap::new();
                for (idx, name) in self.all_fields.iter().enumerate() {
                    if let Ok(Some(v)) = f.field(idx) {
                        properties.insert(name.clone(), field_json(v));
                    }
                }
                Attrs::Candidates(Site {
                    name: self.optional("name", f, &mut w),
                    properties,
                })
            }
        };
        Ok((attrs, w))
    }

    /// A traffic segment or point. Lists (NVDB's `vegkategori` on a link that spans two
    /// road references) count by their first value.
    fn traffic(&self, f: &GdalFeature, w: &mut Vec<AttrProblem>) -> Result<Traffic, AttrProblem> {
        let problem = |attr: &str, message: String, hint: &str| AttrProblem {
            field: self.field_label(attr),
            message,
            hint: hint.to_string(),
        };
        let mut strict = Vec::new();
        let aadt = self.number("aadt", f, &mut strict);
        if let Some(p) = strict.pop() {
            return Err(p);
        }
        let aadt = aadt.ok_or_else(|| {
            problem(
                "aadt",
                "the ÅDT is empty".into(),
                "fill in the ÅDT, or leave the feature out with a `filter`",
            )
        })?;
        if aadt < 0.0 {
            return Err(problem(
                "aadt",
                format!("ÅDT {aadt} is negative"),
                "an ÅDT is vehicles per day, 0 or more",
            ));
        }
        let heavy_share = self.number("heavy_share", f, &mut strict);
        if let Some(p) = strict.pop() {
            return Err(p);
        }
        if let Some(s) = heavy_share {
            if !(0.0..=1.0).contains(&s) {
                return Err(problem(
                    "heavy_share",
                    format!("heavy share {s} is outside 0–1 (0–100 %)"),
                    "a share in percent needs `scale = 0.01` on the field, for example heavy_share = { field = \"ådtAndelLangeKjøretøy\", scale = 0.01 }",
                ));
            }
        }
        let year = self.number("year", f, w).and_then(|y| {
            if y.fract() == 0.0 && (1900.0..=2200.0).contains(&y) {
                Some(y as i32)
            } else {
                w.push(problem(
                    "year",
                    format!("'{y}' is not a year"),
                    "write the year as four digits",
                ));
                None
            }
        });
        let first = |text: String| text.split(';').next().unwrap_or("").trim().to_string();
        let category = self.optional("category", f, w).map(first).and_then(|c| {
            c.parse::<RoadCategory>()
                .map_err(|m| w.push(problem("category", m, "map the values with a table")))
                .ok()
        });
        let number = self
            .optional("number", f, w)
            .map(first)
            .and_then(|n| parse_road_ref(&n))
            .and_then(|(_, n)| n);
        Ok(Traffic {
            aadt,
            heavy_share,
            year,
            period: None,
            days: None,
            basis: TrafficBasis::Measured,
            category,
            number,
            name: self.optional("name", f, w),
        })
    }

    fn kind<T: for<'de> serde::Deserialize<'de>>(
        &self,
        attr: &str,
        f: &GdalFeature,
        allowed: &[&str],
    ) -> Result<T, AttrProblem> {
        let text = self.required(attr, f)?;
        parse_enum(&text, allowed).map_err(|m| AttrProblem {
            field: self.field_label(attr),
            message: m,
            hint: "map the source values with a table, or set a constant with { value = \"…\" }"
                .into(),
        })
    }
}

/// Kommunenummer is four digits; sources that store it as an integer lose the leading zero.
fn normalize_kommunenummer(raw: &str) -> String {
    let t = raw.trim();
    if !t.is_empty() && t.len() < 4 && t.chars().all(|c| c.is_ascii_digit()) {
        format!("{t:0>4}")
    } else {
        t.to_string()
    }
}

/// A field's value as text; None for null and empty strings.
pub fn field_text(f: &GdalFeature, idx: usize) -> Option<String> {
    let v = f.field(idx).ok()??;
    let text = match v {
        FieldValue::StringValue(s) => s,
        FieldValue::IntegerValue(i) => i.to_string(),
        FieldValue::Integer64Value(i) => i.to_string(),
        FieldValue::RealValue(r) if r.fract() == 0.0 && r.abs() < 1e15 => format!("{}", r as i64),
        FieldValue::RealValue(r) => r.to_string(),
        FieldValue::DateValue(d) => d.to_string(),
        FieldValue::DateTimeValue(d) => d.to_string(),
        FieldValue::StringListValue(l) => l.join(";"),
        FieldValue::IntegerListValue(l) => join(&l),
        FieldValue::Integer64ListValue(l) => join(&l),
        FieldValue::RealListValue(l) => join(&l),
    };
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

fn join<T: ToString>(l: &[T]) -> String {
    l.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(";")
}

fn field_json(v: FieldValue) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        FieldValue::StringValue(s) => J::String(s),
        FieldValue::IntegerValue(i) => J::from(i),
        FieldValue::Integer64Value(i) => J::from(i),
        FieldValue::RealValue(r) => serde_json::Number::from_f64(r)
            .map(J::Number)
            .unwrap_or(J::Null),
        FieldValue::DateValue(d) => J::String(d.to_string()),
        FieldValue::DateTimeValue(d) => J::String(d.to_string()),
        FieldValue::StringListValue(l) => J::from(l),
        FieldValue::IntegerListValue(l) => J::from(l),
        FieldValue::Integer64ListValue(l) => J::from(l),
        FieldValue::RealListValue(l) => J::from(l),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kommunenummer_stored_as_an_integer_gets_its_leading_zero_back() {
        assert_eq!(normalize_kommunenummer("301"), "0301");
        assert_eq!(normalize_kommunenummer("3201"), "3201");
        assert_eq!(normalize_kommunenummer("K-1"), "K-1");
    }
}
