//! Mapping tables: source codes → normalized values. The tables are data files in
//! `data/mappings/`; the built-in ones are compiled in so the binary runs anywhere.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use crate::domain::toml_file::describe_toml_error;

#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("mapping table '{name}' is not built in and is not a .toml path. Hint: use one of {known}, or a path ending in .toml")]
    Unknown { name: String, known: String },
    #[error("cannot read mapping table {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("mapping table {path} is not valid: {message}")]
    Parse { path: String, message: String },
}

/// The built-in tables, by name.
const BUILTIN: &[(&str, &str)] = &[
    (
        "sosi-arealformal",
        include_str!("../../data/mappings/sosi-arealformal.toml"),
    ),
    (
        "osm-landuse",
        include_str!("../../data/mappings/osm-landuse.toml"),
    ),
    (
        "osm-highway",
        include_str!("../../data/mappings/osm-highway.toml"),
    ),
    ("osm-hgv", include_str!("../../data/mappings/osm-hgv.toml")),
    (
        "n1000-motorvegtype",
        include_str!("../../data/mappings/n1000-motorvegtype.toml"),
    ),
    (
        "n1000-typeveg-ferry",
        include_str!("../../data/mappings/n1000-typeveg-ferry.toml"),
    ),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    name: String,
    #[serde(default)]
    #[allow(dead_code)]
    description: String,
    #[serde(default)]
    #[allow(dead_code)]
    source: String,
    codes: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct MappingTable {
    pub name: String,
    codes: HashMap<String, String>,
}

impl MappingTable {
    fn from_text(text: &str, origin: &str) -> Result<Self, MappingError> {
        let raw: RawTable = toml::from_str(text).map_err(|e| MappingError::Parse {
            path: origin.to_string(),
            message: describe_toml_error(text, &e),
        })?;
        Ok(MappingTable {
            name: raw.name,
            codes: raw
                .codes
                .into_iter()
                .map(|(k, v)| (normalize_code(&k), v))
                .collect(),
        })
    }

    /// A built-in table; None when no table has that name. Every built-in table is
    /// checked by a unit test, so a parse error here is a packaging bug, reported as such.
    pub fn builtin(name: &str) -> Option<Result<Self, MappingError>> {
        BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, text)| Self::from_text(text, n))
    }

    /// A built-in table by name, or a TOML file when `resolved_path` is given.
    pub fn load(name: &str, resolved_path: Option<&Path>) -> Result<Self, MappingError> {
        if let Some(path) = resolved_path {
            let text = std::fs::read_to_string(path).map_err(|source| MappingError::Read {
                path: path.display().to_string(),
                source,
            })?;
            return Self::from_text(&text, &path.display().to_string());
        }
        Self::builtin(name).unwrap_or_else(|| {
            Err(MappingError::Unknown {
                name: name.to_string(),
                known: BUILTIN
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        })
    }

    pub fn lookup(&self, code: &str) -> Option<&str> {
        self.codes.get(&normalize_code(code)).map(String::as_str)
    }
}

/// Codes compare case-insensitively, and "1300.0" from a Real field equals "1300".
pub fn normalize_code(code: &str) -> String {
    let t = code.trim();
    if let Some(int) = t.strip_suffix(".0") {
        if int.chars().all(|c| c.is_ascii_digit()) && !int.is_empty() {
            return int.to_string();
        }
    }
    t.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::LandUseClass;

    #[test]
    fn every_built_in_table_parses() {
        for (name, text) in BUILTIN {
            let t = MappingTable::from_text(text, name).unwrap();
            assert_eq!(&t.name, name);
            assert!(!t.codes.is_empty());
        }
    }

    #[test]
    fn land_use_tables_only_name_known_classes() {
        for name in ["sosi-arealformal", "osm-landuse"] {
            let t = MappingTable::builtin(name).unwrap().unwrap();
            for (code, class) in &t.codes {
                assert!(
                    LandUseClass::parse(class).is_some(),
                    "{name}: code {code} maps to unknown class {class}"
                );
            }
        }
    }

    #[test]
    fn sosi_codes_follow_the_design_table() {
        let t = MappingTable::builtin("sosi-arealformal").unwrap().unwrap();
        assert_eq!(t.lookup("1340"), Some("industrial"));
        assert_eq!(t.lookup("1501.0"), Some("freight_terminal"));
        assert_eq!(t.lookup(" 1110 "), Some("residential"));
        assert_eq!(t.lookup("9999"), None);
    }

    #[test]
    fn an_unknown_table_name_lists_the_built_in_ones() {
        let err = MappingTable::load("nope", None).unwrap_err().to_string();
        assert!(err.contains("sosi-arealformal"), "{err}");
    }
}
