//! Writing tables of features: GeoJSON (RFC 7946, CRS84) and CSV (WKT or lon/lat) with our
//! own streaming writers, and GeoPackage, FlatGeobuf (EPSG:25833 by default) and zipped
//! Shapefile with GDAL. Rows are produced on demand, so a large export never holds every
//! feature twice.

pub mod catalog;
pub mod qgis;
pub mod shapefile;
pub mod stream;
pub mod table;

use std::path::{Path, PathBuf};

use gdal::spatial_ref::CoordTransform;
use gdal::vector::{Feature, FieldDefn, LayerAccess, LayerOptions, OGRFieldType, ToGdal};
use gdal::DriverManager;
use geo::Geometry;

use crate::ingest::crs;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(
        "unknown output format for {path}. Hint: end the file name in .geojson, .gpkg, .csv, .fgb or .shp.zip, or give --format"
    )]
    UnknownFormat { path: PathBuf },
    #[error("unknown format '{name}'. Hint: use geojson, gpkg, csv, fgb or shp")]
    UnknownFormatName { name: String },
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} exists. Hint: pass --force to overwrite it, or choose another name")]
    Exists { path: PathBuf },
    #[error("the folder {dir} does not exist. Hint: create it first, or write somewhere else")]
    NoFolder { dir: PathBuf },
    #[error("cannot write {path}: {message}")]
    Gdal { path: PathBuf, message: String },
    #[error(transparent)]
    Crs(#[from] crs::CrsError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    GeoJson,
    Gpkg,
    Csv,
    Fgb,
    /// A zipped Shapefile.
    Shp,
}

impl Format {
    pub fn from_path(path: &Path) -> Result<Self, ExportError> {
        let name = path
            .file_name()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "geojson" | "json" => Ok(Format::GeoJson),
            "gpkg" => Ok(Format::Gpkg),
            "csv" => Ok(Format::Csv),
            "fgb" => Ok(Format::Fgb),
            "zip" | "shz" if name.ends_with(".shp.zip") || ext == "shz" => Ok(Format::Shp),
            _ => Err(ExportError::UnknownFormat {
                path: path.to_path_buf(),
            }),
        }
    }

    pub fn from_name(name: &str) -> Result<Self, ExportError> {
        match name.to_lowercase().as_str() {
            "geojson" | "json" => Ok(Format::GeoJson),
            "gpkg" | "geopackage" => Ok(Format::Gpkg),
            "csv" => Ok(Format::Csv),
            "fgb" | "flatgeobuf" => Ok(Format::Fgb),
            "shp" | "shapefile" => Ok(Format::Shp),
            _ => Err(ExportError::UnknownFormatName {
                name: name.to_string(),
            }),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::GeoJson => "geojson",
            Format::Gpkg => "gpkg",
            Format::Csv => "csv",
            Format::Fgb => "fgb",
            Format::Shp => "shp",
        }
    }

    /// The file name ending for this format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::GeoJson => "geojson",
            Format::Gpkg => "gpkg",
            Format::Csv => "csv",
            Format::Fgb => "fgb",
            Format::Shp => "shp.zip",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::GeoJson => "application/geo+json",
            Format::Gpkg => "application/geopackage+sqlite3",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Fgb => "application/flatgeobuf",
            Format::Shp => "application/zip",
        }
    }

    fn driver(self) -> &'static str {
        match self {
            Format::GeoJson => "GeoJSON",
            Format::Gpkg => "GPKG",
            Format::Csv => "CSV",
            Format::Fgb => "FlatGeobuf",
            Format::Shp => "ESRI Shapefile",
        }
    }

    /// The CRS the file is written in unless another is asked for.
    pub fn epsg(self) -> u32 {
        match self {
            Format::Gpkg | Format::Fgb | Format::Shp => crate::INTERNAL_EPSG,
            Format::GeoJson | Format::Csv => 4326,
        }
    }

    /// Whether `--crs` may change the output CRS (RFC 7946 fixes GeoJSON's).
    pub fn takes_crs(self) -> bool {
        matches!(self, Format::Gpkg | Format::Fgb | Format::Shp)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Str,
    Int,
    Real,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub ty: FieldType,
}

impl Field {
    pub fn new(name: impl Into<String>, ty: FieldType) -> Self {
        Field {
            name: name.into(),
            ty,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Real(f64),
    Null,
}

/// Check the output path before any work is done: format, folder, overwrite.
pub fn check_target(path: &Path, force: bool) -> Result<Format, ExportError> {
    let format = Format::from_path(path)?;
    check_path(path, force)?;
    Ok(format)
}

/// The folder exists, and the file does not unless `force`.
pub fn check_path(path: &Path, force: bool) -> Result<(), ExportError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            return Err(ExportError::NoFolder {
                dir: dir.to_path_buf(),
            });
        }
    }
    if path.exists() && !force {
        return Err(ExportError::Exists {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// Write `n` rows with the format the file name gives, in its default CRS.
pub fn write(
    path: &Path,
    layer_name: &str,
    fields: &[Field],
    n: usize,
    row: impl FnMut(usize) -> (Geometry<f64>, Vec<Value>),
    progress: &dyn Fn(usize),
) -> Result<(), ExportError> {
    let format = Format::from_path(path)?;
    write_gdal(
        path,
        &GdalTarget {
            format,
            epsg: format.epsg(),
            layer_name,
            metadata: None,
        },
        fields,
        n,
        row,
        progress,
    )
}

/// What GDAL writes: which format, in which CRS, with which metadata.
pub struct GdalTarget<'a> {
    pub format: Format,
    pub epsg: u32,
    pub layer_name: &'a str,
    /// Key–value pairs: a `metadata` table in a GeoPackage.
    pub metadata: Option<&'a [(String, String)]>,
}

/// Write `n` rows with GDAL; `row(i)` gives row i's geometry (EPSG:25833) and values, in
/// `fields` order. A Shapefile goes to a temporary folder first and is zipped to `path`.
pub fn write_gdal(
    path: &Path,
    target: &GdalTarget,
    fields: &[Field],
    n: usize,
    mut row: impl FnMut(usize) -> (Geometry<f64>, Vec<Value>),
    progress: &dyn Fn(usize),
) -> Result<(), ExportError> {
    crate::ingest::init_gdal();
    let format = target.format;
    let layer_name = target.layer_name;
    let shp_dir = if format == Format::Shp {
        Some(tempfile::tempdir().map_err(|source| ExportError::Io {
            path: path.to_path_buf(),
            source,
        })?)
    } else {
        None
    };
    let final_path = path;
    let shp_path = shp_dir
        .as_ref()
        .map(|d| d.path().join(format!("{layer_name}.shp")));
    let path = shp_path.as_deref().unwrap_or(path);
    // Shapefile field names are at most 10 characters.
    let names: Vec<String> = if format == Format::Shp {
        shapefile::short_names(&fields.iter().map(|f| f.name.clone()).collect::<Vec<_>>())
    } else {
        fields.iter().map(|f| f.name.clone()).collect()
    };
    let gdal_err = |e: gdal::errors::GdalError| ExportError::Gdal {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    if path.exists() {
        std::fs::remove_file(path).map_err(|e| ExportError::Gdal {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    }
    let driver = DriverManager::get_driver_by_name(format.driver()).map_err(gdal_err)?;
    let mut dataset = driver.create_vector_only(path).map_err(gdal_err)?;
    let srs = crs::spatial_ref(&format!("EPSG:{}", target.epsg))?;
    let transform = if target.epsg == crate::INTERNAL_EPSG {
        None
    } else {
        let from = crs::internal()?;
        Some(
            CoordTransform::new(&from, &srs).map_err(|e| crs::CrsError::Transform {
                from: "EPSG:25833".into(),
                to: target.epsg,
                message: e.to_string(),
            })?,
        )
    };
    let options: &[&str] = match format {
        Format::GeoJson => &["RFC7946=YES", "COORDINATE_PRECISION=7", "WRITE_NAME=NO"],
        Format::Csv => &["GEOMETRY=AS_WKT", "CREATE_CSVT=YES"],
        Format::Gpkg => &[],
        Format::Fgb => &["SPATIAL_INDEX=YES"],
        Format::Shp => &["ENCODING=UTF-8", "RESIZE=YES"],
    };
    let layer_options = LayerOptions {
        name: layer_name,
        srs: Some(&srs),
        ty: gdal::vector::OGRwkbGeometryType::wkbUnknown,
        options: Some(options),
    };
    let mut rows = |ds: &mut gdal::Dataset| -> Result<(), ExportError> {
        let layer = ds.create_layer(layer_options.clone()).map_err(gdal_err)?;
        for (f, name) in fields.iter().zip(&names) {
            let ty = match f.ty {
                FieldType::Str => OGRFieldType::OFTString,
                FieldType::Int => OGRFieldType::OFTInteger64,
                FieldType::Real => OGRFieldType::OFTReal,
            };
            FieldDefn::new(name, ty)
                .and_then(|d| {
                    // DBF strings are fixed width: reasons and names get the most a DBF
                    // allows (254 bytes), the rest GDAL's 80; RESIZE=YES trims all at close.
                    if format == Format::Shp && f.ty == FieldType::Str {
                        let long = f.name.ends_with("reason")
                            || f.name.ends_with("reasons")
                            || f.name == "name";
                        d.set_width(if long { 254 } else { 80 });
                    }
                    d.add_to_layer(&layer)
                })
                .map_err(gdal_err)?;
        }
        for i in 0..n {
            let (geometry, values) = row(i);
            let mut feature = Feature::new(layer.defn()).map_err(gdal_err)?;
            for (idx, v) in values.iter().enumerate() {
                match v {
                    Value::Str(s) => feature.set_field_string(idx, s),
                    Value::Int(x) => feature.set_field_integer64(idx, *x),
                    Value::Real(x) if x.is_finite() => feature.set_field_double(idx, *x),
                    Value::Real(_) | Value::Null => feature.set_field_null(idx),
                }
                .map_err(gdal_err)?;
            }
            let mut g = geometry.to_gdal().map_err(gdal_err)?;
            if let Some(t) = &transform {
                g.transform_inplace(t).map_err(gdal_err)?;
            }
            feature.set_geometry(g).map_err(gdal_err)?;
            feature.create(&layer).map_err(gdal_err)?;
            if i % 4096 == 4095 {
                progress(4096);
            }
        }
        progress(n % 4096);
        Ok(())
    };
    if format == Format::Gpkg {
        // One transaction: SQLite would otherwise sync after every feature.
        let mut txn = dataset.start_transaction().map_err(gdal_err)?;
        rows(&mut txn)?;
        if let Some(meta) = target.metadata {
            metadata_table(&mut txn, meta).map_err(gdal_err)?;
        }
        txn.commit().map_err(gdal_err)?;
    } else {
        rows(&mut dataset)?;
    }
    drop(dataset);
    if let (Some(dir), Format::Shp) = (&shp_dir, format) {
        let mapping: Vec<(String, String)> = fields
            .iter()
            .map(|f| f.name.clone())
            .zip(names.iter().cloned())
            .collect();
        let meta: serde_json::Map<String, serde_json::Value> = target
            .metadata
            .unwrap_or(&[])
            .iter()
            .map(|(k, v)| (k.clone(), parse_or_text(v)))
            .collect();
        if final_path.exists() {
            std::fs::remove_file(final_path).map_err(|source| ExportError::Io {
                path: final_path.to_path_buf(),
                source,
            })?;
        }
        shapefile::package(
            dir.path(),
            layer_name,
            &mapping,
            &serde_json::Value::Object(meta),
            final_path,
        )?;
    }
    Ok(())
}

/// A metadata value that is JSON (weights) stays JSON in the sidecar; text stays text.
fn parse_or_text(v: &str) -> serde_json::Value {
    serde_json::from_str(v).unwrap_or_else(|_| serde_json::Value::String(v.to_string()))
}

/// A `metadata` attribute table (key, value) in a GeoPackage: what produced the data.
fn metadata_table(ds: &mut gdal::Dataset, meta: &[(String, String)]) -> gdal::errors::Result<()> {
    let layer = ds.create_layer(LayerOptions {
        name: "metadata",
        srs: None,
        ty: gdal::vector::OGRwkbGeometryType::wkbNone,
        options: None,
    })?;
    FieldDefn::new("key", OGRFieldType::OFTString)?.add_to_layer(&layer)?;
    FieldDefn::new("value", OGRFieldType::OFTString)?.add_to_layer(&layer)?;
    for (k, v) in meta {
        let mut f = Feature::new(layer.defn())?;
        f.set_field_string(0, k)?;
        f.set_field_string(1, v)?;
        f.create(&layer)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_follows_the_file_name() {
        assert_eq!(
            Format::from_path(Path::new("a/b.GeoJSON")).unwrap(),
            Format::GeoJson
        );
        assert_eq!(
            Format::from_path(Path::new("b.gpkg")).unwrap(),
            Format::Gpkg
        );
        let err = Format::from_path(Path::new("b.xlsx"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(".geojson, .gpkg, .csv, .fgb or .shp.zip"),
            "{err}"
        );
    }

    #[test]
    fn an_existing_file_needs_force_and_a_missing_folder_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        std::fs::write(&p, "x").unwrap();
        assert!(matches!(
            check_target(&p, false),
            Err(ExportError::Exists { .. })
        ));
        assert!(check_target(&p, true).is_ok());
        let q = dir.path().join("nope/out.csv");
        let err = check_target(&q, true).unwrap_err().to_string();
        assert!(err.contains("nope"), "{err}");
    }
}

/// `EPSG:25832`, `25832` or the OGC URI, to an EPSG code.
pub fn parse_epsg(text: &str) -> Option<u32> {
    let t = text.trim();
    let code = t
        .strip_prefix("EPSG:")
        .or_else(|| t.strip_prefix("http://www.opengis.net/def/crs/EPSG/0/"))
        .unwrap_or(t);
    code.parse().ok()
}

/// The time now as RFC 3339 in UTC, to the second (`2026-11-27T05:58:00Z`), or the time
/// `SOURCE_DATE_EPOCH` gives, for reproducible output.
pub fn timestamp() -> String {
    let fixed = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok());
    let secs = fixed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    });
    rfc3339_of(secs)
}

/// Seconds since 1970 as RFC 3339 UTC (days to civil date after Howard Hinnant).
pub fn rfc3339_of(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod time_tests {
    #[test]
    fn timestamps_are_rfc_3339_in_utc() {
        assert_eq!(super::rfc3339_of(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339_of(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::rfc3339_of(1_795_755_480), "2026-11-27T04:58:00Z");
    }
}
