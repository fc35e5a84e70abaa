//! GDAL → domain: open every layer a region config names, reproject it to EPSG:25833,
//! map its attributes, repair or skip bad geometries, and report all of it.

pub mod attributes;
pub mod crs;
pub mod files;
pub mod geometry;
pub mod mapping;
pub mod reader;
pub mod registers;
pub mod report;
pub mod trafikkdata;
pub mod upload;

use std::path::PathBuf;
use std::sync::Once;

use rayon::prelude::*;

use crate::config::{ConfigError, RegionConfig};
use crate::domain::Region;

pub use report::{FeatureIssue, IssueKind, LayerReport, RegionReport};

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("file not found: {path}. Hint: {hint}")]
    MissingFile { path: String, hint: String },
    #[error("GDAL cannot open {path}: {message}. Hint: is it a vector format GDAL reads (GeoJSON, GeoPackage, Shapefile, FlatGeobuf, GML, CSV, OSM)? `ogrinfo {path}` shows what GDAL sees")]
    Open { path: String, message: String },
    #[error("{path} has no layer '{layer}'. Hint: set `layer` to one of: {available}")]
    NoSuchLayer {
        path: String,
        layer: String,
        available: String,
    },
    #[error("{path} has no layers")]
    NoLayers { path: String },
    #[error("{path}, layer '{layer}': the filter `{filter}` is not valid OGR SQL: {message}")]
    BadFilter {
        path: String,
        layer: String,
        filter: String,
        message: String,
    },
    #[error("{path}, layer '{layer}' has no CRS. Hint: add `srs = \"EPSG:4326\"` (or the CRS the coordinates are in) to this layer in the region config")]
    NoCrs { path: String, layer: String },
    #[error("{path}, layer '{layer}': {source}")]
    Crs {
        path: String,
        layer: String,
        source: crs::CrsError,
    },
    #[error("{0}")]
    MissingField(Box<MissingField>),
    #[error(transparent)]
    Mapping(#[from] mapping::MappingError),
    #[error("{path}: {message}. Hint: {hint}")]
    Register {
        path: String,
        message: String,
        hint: String,
    },
    #[error("{path}, layer '{layer}': none of the {read} features could be used (see the issues listed for the layer). Hint: check the field mapping and the CRS")]
    NothingUsable {
        path: String,
        layer: String,
        read: usize,
    },
}

/// A mapped field the layer does not have. Boxed: it is the largest error.
#[derive(Debug)]
pub struct MissingField {
    pub path: String,
    pub layer: String,
    /// The role attribute (or `id_field`) that names the field.
    pub attr: String,
    pub field: String,
    pub suggestion: Option<String>,
    pub available: String,
}

impl std::fmt::Display for MissingField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}, layer '{}': the field '{}' (mapped to '{}') does not exist.",
            self.path, self.layer, self.field, self.attr
        )?;
        if let Some(s) = &self.suggestion {
            write!(f, " Did you mean '{s}'?")?;
        }
        write!(
            f,
            " Available fields: {}. Hint: fix [layers.fields] in the region config",
            self.available
        )
    }
}

#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The folder `{data_dir}` in a region config refers to.
    pub data_dir: Option<PathBuf>,
}

/// Progress callbacks, so the CLI can draw bars without ingest knowing about terminals.
/// Layers load in parallel, so every call names its layer (by position in the config).
pub trait Progress: Sync {
    fn start_layer(&self, _layer: usize, _label: &str, _total: Option<u64>) {}
    fn inc(&self, _layer: usize, _n: u64) {}
    fn finish_layer(&self, _layer: usize, _report: &LayerReport) {}
}

/// Progress that goes nowhere (tests, the server).
pub struct NoProgress;
impl Progress for NoProgress {}

/// GDAL writes its own errors to stderr; route them to tracing instead, once per process.
pub fn init_gdal() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        gdal::config::set_error_handler(|class, number, message| {
            tracing::debug!(target: "gdal", ?class, number, "{message}");
        });
    });
}

/// GDAL's last error message on this thread, for errors the gdal crate reports only
/// by number (an attribute filter that does not parse, for example).
pub fn last_gdal_error() -> String {
    // SAFETY: CPLGetLastErrorMsg returns a pointer to a thread-local buffer that stays
    // valid until the next GDAL call on this thread; it is copied at once.
    unsafe {
        let ptr = gdal_sys::CPLGetLastErrorMsg();
        if ptr.is_null() {
            return String::new();
        }
        std::ffi::CStr::from_ptr(ptr)
            .to_string_lossy()
            .trim()
            .to_string()
    }
}

/// Load user-given candidate sites from any file GDAL reads. A `name` or `navn` field
/// becomes the site's name; every field is kept.
pub fn load_sites(
    path: &std::path::Path,
    srs: Option<String>,
) -> Result<
    (
        Vec<crate::domain::Feature<crate::domain::layers::Site>>,
        LayerReport,
    ),
    IngestError,
> {
    init_gdal();
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let config = RegionConfig {
        path: absolute.with_file_name("candidates.toml"),
        meta: crate::config::RegionMeta {
            name: "candidates".into(),
            description: String::new(),
            demonstration: false,
            attribution: String::new(),
            corridors: None,
        },
        corridors: None,
        layers: vec![crate::config::LayerConfig {
            role: crate::domain::Role::Candidates,
            source: absolute.display().to_string(),
            layer: None,
            filter: None,
            srs,
            srs_override: false,
            open_options: Vec::new(),
            id_field: None,
            optional: false,
            label: Some("candidates".into()),
            format: None,
            fields: Default::default(),
        }],
    };
    let mut report = report::LayerReport::new(
        crate::domain::Role::Candidates,
        "candidates".into(),
        absolute.display().to_string(),
        None,
        false,
    );
    let features = reader::read_layer(
        &config,
        0,
        &LoadOptions::default(),
        &mut report,
        &NoProgress,
    )?;
    let crate::domain::Features::Candidates(mut sites) = features else {
        return Ok((Vec::new(), report));
    };
    for s in &mut sites {
        if s.attrs.name.is_none() {
            s.attrs.name = ["name", "navn", "Name", "NAVN"].iter().find_map(|k| {
                s.attrs
                    .properties
                    .get(*k)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            });
        }
        // A stable id from the file, where it has one.
        if let Some(id) = ["id", "ID", "site_id"].iter().find_map(|k| {
            s.attrs.properties.get(*k).map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            })
        }) {
            s.id = id;
        }
    }
    Ok((sites, report))
}

/// Load every layer of a region. A layer that fails is reported, not fatal here: the
/// caller decides with [`RegionReport::is_usable`].
pub fn load_region(
    config: &RegionConfig,
    options: &LoadOptions,
    progress: &dyn Progress,
) -> (Region, RegionReport) {
    init_gdal();
    let mut region = Region::new(config.meta.name.clone());
    // Layers load in parallel, each with its own GDAL dataset; results keep config order.
    let loaded: Vec<(Option<crate::domain::Features>, LayerReport)> = (0..config.layers.len())
        .into_par_iter()
        .map(|i| {
            let layer_cfg = &config.layers[i];
            let source = config
                .resolve_source(i, options.data_dir.as_deref())
                .unwrap_or_else(|_| layer_cfg.source.clone());
            let label = layer_cfg.label.clone().unwrap_or_else(|| {
                layer_cfg.layer.clone().unwrap_or_else(|| {
                    std::path::Path::new(&source)
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_else(|| source.clone())
                })
            });
            let mut report = report::LayerReport::new(
                layer_cfg.role,
                label,
                source,
                layer_cfg.layer.clone(),
                layer_cfg.optional,
            );
            let started = std::time::Instant::now();
            let features = match reader::read_layer(config, i, options, &mut report, progress) {
                Ok(features) => Some(features),
                Err(e) => {
                    report.error = Some(e.to_string());
                    None
                }
            };
            report.load_ms = started.elapsed().as_millis() as u64;
            progress.finish_layer(i, &report);
            (features, report)
        })
        .collect();
    let mut layers = Vec::with_capacity(loaded.len());
    for (features, report) in loaded {
        if let Some(f) = features {
            region.add(f);
        }
        layers.push(report);
    }
    if let Some(file) = &config.corridors {
        // Validated lon/lat always reprojects; NaN would make the corridor's ends unsnappable,
        // which resolving the corridor reports.
        let to_xy = |p: [f64; 2]| {
            crs::reproject_point(p[0], p[1], "EPSG:4326")
                .map(|(x, y)| [x, y])
                .unwrap_or([f64::NAN, f64::NAN])
        };
        region.corridors = Some(crate::domain::RegionCorridors {
            file: file.clone(),
            ends: file
                .corridors
                .iter()
                .map(|c| (to_xy(c.from), to_xy(c.to)))
                .collect(),
        });
    }
    let report = RegionReport {
        region: config.meta.name.clone(),
        config: config.path.display().to_string(),
        demonstration: config.meta.demonstration,
        data_version: data_version(config, &layers),
        layers,
    };
    (region, report)
}

pub use crate::config::files_under;

/// Whether `data_version` saw the bytes of every source: false when one is a database or a
/// remote service, whose changes only a reload or restart can notice.
pub fn sources_hashed(layers: &[report::LayerReport]) -> bool {
    layers.iter().all(|l| {
        let p = std::path::Path::new(&l.source);
        p.is_file() || p.is_dir()
    })
}

/// A short hash of the region config and the bytes of every local input file (a shapefile
/// with its sidecars, every file of a folder source), so an export says exactly which data
/// produced it. Database and remote sources count by their connection string.
pub fn data_version(config: &RegionConfig, layers: &[report::LayerReport]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(std::fs::read(&config.path).unwrap_or_default());
    if let Some(corridors) = config.corridors_path() {
        h.update(std::fs::read(corridors).unwrap_or_default());
    }
    let mut sources: Vec<&str> = layers.iter().map(|l| l.source.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();
    for source in sources {
        h.update(source.as_bytes());
        let path = std::path::Path::new(source);
        let mut files = vec![path.to_path_buf()];
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("shp"))
        {
            for ext in ["dbf", "shx", "prj", "cpg"] {
                files.push(path.with_extension(ext));
            }
        }
        if path.is_dir() {
            // A folder source (station registers, counting-point CSVs, a .gdb): every file
            // in it, by name and bytes, in name order.
            files = files_under(path);
        }
        for f in files.iter().filter(|f| f.is_file()) {
            if let Ok(bytes) = std::fs::read(f) {
                h.update(f.to_string_lossy().as_bytes());
                h.update(&bytes);
            }
        }
    }
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}
