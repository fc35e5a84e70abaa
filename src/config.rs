//! Region configs: which GDAL datasets feed which role, and how their attributes map.
//!
//! A region config is a TOML file. Paths in it are relative to the file itself, may
//! use `{data_dir}` (the `--data-dir` given on the command line) and `{config_dir}`,
//! and may be PostGIS connection strings (`PG:dbname=…`) or GDAL virtual paths (`/vsizip/…`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::domain::corridor::CorridorsFile;
use crate::domain::toml_file::describe_toml_error;
use crate::domain::Role;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read region config {path}: {source}. Hint: check the path given to --region")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("region config {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("region config {path}, layer {index} ({role}): {message}")]
    Layer {
        path: PathBuf,
        index: usize,
        role: Role,
        message: String,
    },
    #[error("corridors file {path}: {message}")]
    Corridors { path: PathBuf, message: String },
    #[error(
        "region config {path}, layer {index} ({role}): the source '{source_path}' uses {{data_dir}}, but no data directory was given. \
         Hint: pass --data-dir DIR (or set ENERGISTASJON_DATA_DIR)"
    )]
    NoDataDir {
        path: PathBuf,
        index: usize,
        role: Role,
        source_path: String,
    },
}

/// A profile file that cannot be found or used.
#[derive(Debug, thiserror::Error)]
pub enum ProfileLoadError {
    #[error("no profile '{name}'. Hint: use one of {known}, or a path to a .toml file")]
    NotFound { name: String, known: String },
    #[error("cannot read profile {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Invalid(#[from] crate::domain::profile::ProfileError),
}

/// A folder of shipped data files (`data/<name>`), looked up in the working directory
/// first and then beside the crate.
fn shipped_dir(name: &str) -> PathBuf {
    let local = Path::new("data").join(name);
    if local.is_dir() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name)
}

/// Every file under `dir`, in path order.
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A hash of the shipped files that scoring reads at run time: profiles, demand scenarios
/// and mapping tables. With the data version, it says whether measurements are still valid.
pub fn shipped_version() -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for dir in [profiles_dir(), scenarios_dir(), shipped_dir("mappings")] {
        for f in files_under(&dir) {
            h.update(f.to_string_lossy().as_bytes());
            h.update(std::fs::read(&f).unwrap_or_default());
        }
    }
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The stems of the `.toml` files in `dir`, sorted.
pub(crate) fn toml_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter_map(|e| {
                    let p = e.path();
                    (p.extension().is_some_and(|x| x == "toml"))
                        .then(|| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                        .flatten()
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// A shipped file by name (`dir/<name>.toml`), or a path when it ends in `.toml`; with its
/// text. `Err(None)` means it does not exist; `Err(Some)` that it cannot be read.
fn read_named(
    dir: &Path,
    name_or_path: &str,
) -> Result<(PathBuf, String), Option<(PathBuf, std::io::Error)>> {
    let path = if name_or_path.ends_with(".toml") {
        PathBuf::from(name_or_path)
    } else {
        dir.join(format!("{name_or_path}.toml"))
    };
    if !path.exists() {
        return Err(None);
    }
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok((path, text)),
        Err(e) => Err(Some((path, e))),
    }
}

/// `data/profiles`, looked up in the working directory first and then beside the crate.
pub fn profiles_dir() -> PathBuf {
    shipped_dir("profiles")
}

/// The names of the shipped profiles, sorted.
pub fn profile_names() -> Vec<String> {
    toml_names(&profiles_dir())
}

/// Load a profile by name (`mcs-corridor`) or by path (`my-profile.toml`).
pub fn load_profile(
    name_or_path: &str,
) -> Result<crate::domain::profile::Profile, ProfileLoadError> {
    let (path, text) = read_named(&profiles_dir(), name_or_path).map_err(|e| match e {
        None => ProfileLoadError::NotFound {
            name: name_or_path.to_string(),
            known: profile_names().join(", "),
        },
        Some((path, source)) => ProfileLoadError::Read { path, source },
    })?;
    Ok(crate::domain::profile::parse_profile(
        &text,
        &path.display().to_string(),
    )?)
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioLoadError {
    #[error("no scenario '{name}'. Hint: use one of {known}, or a path to a .toml file")]
    NotFound { name: String, known: String },
    #[error("cannot read scenario {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Invalid(#[from] crate::domain::scenario::ScenarioError),
}

/// `data/scenarios`, looked up in the working directory first and then beside the crate.
pub fn scenarios_dir() -> PathBuf {
    shipped_dir("scenarios")
}

/// Load a scenario by name (`default`, `low`, `high`) or by path (`my-scenario.toml`).
pub fn load_scenario(
    name_or_path: &str,
) -> Result<crate::domain::scenario::Scenario, ScenarioLoadError> {
    let dir = scenarios_dir();
    let (path, text) = read_named(&dir, name_or_path).map_err(|e| match e {
        None => ScenarioLoadError::NotFound {
            name: name_or_path.to_string(),
            known: toml_names(&dir).join(", "),
        },
        Some((path, source)) => ScenarioLoadError::Read { path, source },
    })?;
    Ok(crate::domain::scenario::parse_scenario(
        &text,
        &path.display().to_string(),
    )?)
}

#[derive(Debug, thiserror::Error)]
pub enum ChecklistLoadError {
    #[error("no checklist '{name}'. Hint: use one of {known}, or a path to a .toml file")]
    NotFound { name: String, known: String },
    #[error("cannot read checklist {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Invalid(#[from] crate::domain::checklist::ChecklistError),
}

/// `data/checklists`, looked up in the working directory first and then beside the crate.
pub fn checklists_dir() -> PathBuf {
    shipped_dir("checklists")
}

/// Load a checklist by name (a profile id, `mcs-corridor`) or by path (`my-list.toml`).
pub fn load_checklist(
    name_or_path: &str,
) -> Result<crate::domain::checklist::Checklist, ChecklistLoadError> {
    let dir = checklists_dir();
    let (path, text) = read_named(&dir, name_or_path).map_err(|e| match e {
        None => ChecklistLoadError::NotFound {
            name: name_or_path.to_string(),
            known: toml_names(&dir).join(", "),
        },
        Some((path, source)) => ChecklistLoadError::Read { path, source },
    })?;
    Ok(crate::domain::checklist::parse_checklist(
        &text,
        &path.display().to_string(),
    )?)
}

/// Where a role attribute's value comes from.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum FieldSpec {
    /// The name of a source field, taken as it is.
    Field(String),
    Detailed(FieldSpecTable),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpecTable {
    /// The source field to read.
    pub field: Option<String>,
    /// A constant for every feature of the layer, instead of a field.
    pub value: Option<toml::Value>,
    /// A mapping table from source codes to the attribute's values: a built-in name
    /// (`sosi-arealformal`) or a path to a TOML file relative to the config.
    pub table: Option<String>,
    /// The value to use where the field is empty.
    pub default: Option<toml::Value>,
    /// A factor applied to numbers, for example 0.001 to turn W into kW.
    pub scale: Option<f64>,
}

impl FieldSpec {
    pub fn field(&self) -> Option<&str> {
        match self {
            FieldSpec::Field(f) => Some(f),
            FieldSpec::Detailed(t) => t.field.as_deref(),
        }
    }

    pub fn constant(&self) -> Option<String> {
        match self {
            FieldSpec::Field(_) => None,
            FieldSpec::Detailed(t) => t.value.as_ref().map(toml_value_text),
        }
    }

    pub fn table(&self) -> Option<&str> {
        match self {
            FieldSpec::Field(_) => None,
            FieldSpec::Detailed(t) => t.table.as_deref(),
        }
    }

    pub fn default_value(&self) -> Option<String> {
        match self {
            FieldSpec::Field(_) => None,
            FieldSpec::Detailed(t) => t.default.as_ref().map(toml_value_text),
        }
    }

    pub fn scale(&self) -> Option<f64> {
        match self {
            FieldSpec::Field(_) => None,
            FieldSpec::Detailed(t) => t.scale,
        }
    }
}

fn toml_value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerConfig {
    pub role: Role,
    /// A GDAL dataset: a file path, `PG:…`, or `/vsi…`.
    pub source: String,
    /// The layer inside the dataset; the first layer when not given.
    pub layer: Option<String>,
    /// An OGR SQL WHERE clause applied before reading.
    pub filter: Option<String>,
    /// The CRS to assume where the source has none, as `EPSG:4326` or any GDAL definition.
    pub srs: Option<String>,
    /// Use `srs` even where the source declares another CRS.
    #[serde(default)]
    pub srs_override: bool,
    /// GDAL open options (`KEY=VALUE`), for example the OSM driver's `CONFIG_FILE`.
    #[serde(default)]
    pub open_options: Vec<String>,
    /// A source field that holds a stable feature id; GDAL's FID otherwise.
    pub id_field: Option<String>,
    /// A layer that may fail to load without failing the region.
    #[serde(default)]
    pub optional: bool,
    /// A short label for reports; the layer or file name otherwise.
    pub label: Option<String>,
    /// A register GDAL does not read, instead of a GDAL dataset: `ocm` on a stations layer
    /// (Open Charge Map's export: one JSON object per site, an array of them, or a folder of
    /// such files), or `trafikkdata` on a traffic layer (Statens vegvesen's hourly counts as
    /// CSV or CSV.gz, a file or a folder).
    pub format: Option<String>,
    #[serde(default)]
    pub fields: BTreeMap<String, FieldSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionMeta {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// True for data made up for demonstration. Shown wherever the region is.
    #[serde(default)]
    pub demonstration: bool,
    /// Attribution to show with the data.
    #[serde(default)]
    pub attribution: String,
    /// The corridors file (TEN-T corridors and network settings), relative to this config.
    #[serde(default)]
    pub corridors: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegionConfig {
    region: RegionMeta,
    #[serde(default)]
    layers: Vec<LayerConfig>,
}

/// A parsed and checked region config.
#[derive(Debug, Clone)]
pub struct RegionConfig {
    pub path: PathBuf,
    pub meta: RegionMeta,
    pub layers: Vec<LayerConfig>,
    /// The parsed corridors file, when `[region] corridors` names one.
    pub corridors: Option<CorridorsFile>,
}

impl RegionConfig {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parse config text; `path` is where relative sources are resolved from.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let raw: RawRegionConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: describe_toml_error(text, &e),
        })?;
        let mut config = RegionConfig {
            path: path.to_path_buf(),
            meta: raw.region,
            layers: raw.layers,
            corridors: None,
        };
        config.validate()?;
        if let Some(file) = config.corridors_path() {
            config.corridors = Some(load_corridors(&file)?);
        }
        Ok(config)
    }

    /// Where `[region] corridors` points, resolved against the config's folder.
    pub fn corridors_path(&self) -> Option<PathBuf> {
        self.meta.corridors.as_ref().map(|c| self.dir().join(c))
    }

    fn validate(&self) -> Result<(), ConfigError> {
        for (i, layer) in self.layers.iter().enumerate() {
            let err = |message: String| ConfigError::Layer {
                path: self.path.clone(),
                index: i + 1,
                role: layer.role,
                message,
            };
            if let Some(format) = &layer.format {
                // A register brings its own attributes; only the heavy-vehicle flag is set here.
                let known = ((format == "ocm" || format == "nobil")
                    && layer.role == Role::Stations)
                    || (format == "trafikkdata" && layer.role == Role::Traffic);
                if !known {
                    return Err(err(format!(
                        "`format = \"{format}\"` is not a register this layer can read. Hint: `format = \"ocm\"` (Open Charge Map) or `format = \"nobil\"` (NOBIL) on a stations layer, `format = \"trafikkdata\"` (hourly counts) on a traffic layer, or leave `format` out for any format GDAL reads"
                    )));
                }
                if format == "trafikkdata" {
                    if let Some(key) = layer.fields.keys().next() {
                        return Err(err(format!(
                            "[layers.fields] has '{key}', which a trafikkdata layer takes from its columns (point_id, from, to, volume, coverage, name, lat, lon). Hint: remove [layers.fields]"
                        )));
                    }
                    continue;
                }
                if let Some(key) = layer.fields.keys().find(|k| k.as_str() != "heavy") {
                    return Err(err(format!(
                        "[layers.fields] has '{key}', which a register layer (Open Charge Map, NOBIL) takes from the register. Hint: only `heavy = {{ value = true }}` may be set"
                    )));
                }
                continue;
            }
            let allowed = layer.role.attributes();
            for (key, spec) in &layer.fields {
                if !allowed.iter().any(|(name, _)| name == key) {
                    let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
                    return Err(err(format!(
                        "[layers.fields] has '{key}', which a {} layer does not have. Hint: use one of {}",
                        layer.role,
                        names.join(", ")
                    )));
                }
                if spec.field().is_none() && spec.constant().is_none() {
                    return Err(err(format!(
                        "field '{key}' needs either `field = \"…\"` or `value = \"…\"`"
                    )));
                }
                if spec.field().is_some() && spec.constant().is_some() {
                    return Err(err(format!(
                        "field '{key}' has both `field` and `value`; give one of them"
                    )));
                }
            }
            for (name, required) in allowed {
                if *required && !layer.fields.contains_key(*name) {
                    return Err(err(format!(
                        "a {} layer must map '{name}'. Hint: add `{name} = \"SOURCE_FIELD\"` or `{name} = {{ value = \"…\" }}` under [layers.fields]",
                        layer.role
                    )));
                }
            }
            if layer.srs_override && layer.srs.is_none() {
                return Err(err("srs_override = true needs srs = \"EPSG:…\"".into()));
            }
        }
        Ok(())
    }

    pub fn dir(&self) -> PathBuf {
        self.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }

    /// Expand `{data_dir}` and `{config_dir}` in a string from layer `index` (0-based).
    pub fn expand(
        &self,
        index: usize,
        text: &str,
        data_dir: Option<&Path>,
    ) -> Result<String, ConfigError> {
        let mut out = text.replace("{config_dir}", &self.dir().to_string_lossy());
        if out.contains("{data_dir}") {
            let Some(dir) = data_dir else {
                return Err(ConfigError::NoDataDir {
                    path: self.path.clone(),
                    index: index + 1,
                    role: self.layers[index].role,
                    source_path: text.to_string(),
                });
            };
            out = out.replace("{data_dir}", &dir.to_string_lossy());
        }
        Ok(out)
    }

    /// The dataset name to hand to GDAL for layer `index` (0-based).
    pub fn resolve_source(
        &self,
        index: usize,
        data_dir: Option<&Path>,
    ) -> Result<String, ConfigError> {
        let raw = &self.layers[index].source;
        let source = self.expand(index, raw, data_dir)?;
        // A data dir given on the command line is relative to the working directory.
        let from_cli = raw.starts_with("{data_dir}");
        if is_connection_string(&source) || Path::new(&source).is_absolute() || from_cli {
            return Ok(source);
        }
        Ok(self.dir().join(source).to_string_lossy().into_owned())
    }

    /// Resolve a mapping table reference: a path when it ends in `.toml`.
    pub fn resolve_table_path(&self, table: &str) -> Option<PathBuf> {
        table.ends_with(".toml").then(|| self.dir().join(table))
    }
}

/// Read and check a corridors file; errors name the file, the line and the key.
pub fn load_corridors(path: &Path) -> Result<CorridorsFile, ConfigError> {
    let err = |message: String| ConfigError::Corridors {
        path: path.to_path_buf(),
        message,
    };
    let text = read_small_text(path).map_err(|e| {
        err(format!(
            "cannot read it: {e}. Hint: check `corridors = \"…\"` under [region]; it is relative to the region config"
        ))
    })?;
    let file: CorridorsFile =
        toml::from_str(&text).map_err(|e| err(describe_toml_error(&text, &e)))?;
    file.validate().map_err(err)?;
    Ok(file)
}

/// The most a settings file the config refers to may hold. A corridors file is a few KiB.
const MAX_SETTINGS_BYTES: u64 = 4 * 1024 * 1024;

/// A settings file's text: only a regular file, and only up to `MAX_SETTINGS_BYTES`, so a
/// config that points at `/dev/zero` or a huge file gets an error instead of a hang.
fn read_small_text(path: &Path) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind, Read};
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "it is not a regular file",
        ));
    }
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_SETTINGS_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_SETTINGS_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!("it is larger than {} MiB", MAX_SETTINGS_BYTES / 1024 / 1024),
        ));
    }
    Ok(text)
}

/// Sources GDAL opens by name rather than as a local file.
pub fn is_connection_string(source: &str) -> bool {
    source.starts_with("PG:")
        || source.starts_with("/vsi")
        || source.starts_with("OAPIF:")
        || source.starts_with("WFS:")
}

/// The action programmes shipped with the crate: `data/programme/`, in the working
/// directory first and then beside the crate's sources.
pub fn default_programme_dir() -> PathBuf {
    let local = PathBuf::from("data/programme");
    if local.is_dir() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/programme")
}

/// The demo region shipped with the crate: `data/demo/region.toml`, looked up in the
/// working directory first and then beside the crate's sources.
pub fn default_region_path() -> PathBuf {
    let local = PathBuf::from("data/demo/region.toml");
    if local.exists() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo/region.toml")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[region]
name = "t"

[[layers]]
role = "boundary"
source = "{data_dir}/k.geojson"
[layers.fields]
number = "kommunenummer"
name = { field = "navn", default = "ukjent" }
"#;

    #[test]
    fn a_minimal_config_parses_and_resolves_data_dir() {
        let c = RegionConfig::parse(MINIMAL, Path::new("/cfg/region.toml")).unwrap();
        assert_eq!(
            c.resolve_source(0, Some(Path::new("/data"))).unwrap(),
            "/data/k.geojson"
        );
        let err = c.resolve_source(0, None).unwrap_err().to_string();
        assert!(err.contains("--data-dir"), "{err}");
    }

    #[test]
    fn relative_sources_resolve_beside_the_config_and_pg_strings_stay() {
        let text = MINIMAL.replace("{data_dir}/k.geojson", "sub/k.gpkg");
        let c = RegionConfig::parse(&text, Path::new("/cfg/region.toml")).unwrap();
        assert_eq!(c.resolve_source(0, None).unwrap(), "/cfg/sub/k.gpkg");
        let text = MINIMAL.replace("{data_dir}/k.geojson", "PG:dbname=x");
        let c = RegionConfig::parse(&text, Path::new("/cfg/region.toml")).unwrap();
        assert_eq!(c.resolve_source(0, None).unwrap(), "PG:dbname=x");
    }

    #[test]
    fn an_unknown_attribute_is_rejected_with_the_allowed_names() {
        let text = MINIMAL.replace("number = ", "nummer = ");
        let err = RegionConfig::parse(&text, Path::new("r.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("'nummer'"), "{err}");
        assert!(err.contains("number, name"), "{err}");
    }

    #[test]
    fn a_missing_required_attribute_names_the_attribute() {
        let text = MINIMAL.replace("number = \"kommunenummer\"\n", "");
        let err = RegionConfig::parse(&text, Path::new("r.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("must map 'number'"), "{err}");
    }

    #[test]
    fn a_toml_syntax_error_names_the_line() {
        let text = MINIMAL.replace("role = \"boundary\"", "role = boundary");
        let err = RegionConfig::parse(&text, Path::new("r.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 6"), "{err}");
    }

    #[test]
    fn every_shipped_profile_loads_and_an_unknown_one_lists_them() {
        let names = profile_names();
        assert_eq!(names, vec!["biogas", "depot", "hydrogen", "mcs-corridor"]);
        for n in &names {
            let p = load_profile(n).unwrap();
            assert_eq!(&p.id, n);
            let total: f64 = p.criteria.iter().map(|c| c.weight).sum();
            assert!((total - 100.0).abs() < 1e-9);
        }
        let err = load_profile("tram").unwrap_err().to_string();
        assert!(err.contains("mcs-corridor"), "{err}");
    }

    #[test]
    fn an_unknown_role_is_rejected() {
        let text = MINIMAL.replace("\"boundary\"", "\"borders\"");
        let err = RegionConfig::parse(&text, Path::new("r.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("borders"), "{err}");
    }
}
