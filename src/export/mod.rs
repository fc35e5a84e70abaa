//! Writing tables of features with GDAL: GeoJSON (RFC 7946, CRS84), GeoPackage
//! (EPSG:25833) and CSV (WKT in lon/lat). Rows are produced on demand, so a large
//! export never holds every feature twice.

use std::path::{Path, PathBuf};

use gdal::spatial_ref::CoordTransform;
use gdal::vector::{Feature, FieldDefn, LayerAccess, LayerOptions, OGRFieldType, ToGdal};
use gdal::DriverManager;
use geo::Geometry;

use crate::ingest::crs;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(
        "unknown output format for {path}. Hint: end the file name in .geojson, .gpkg or .csv"
    )]
    UnknownFormat { path: PathBuf },
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
}

impl Format {
    pub fn from_path(path: &Path) -> Result<Self, ExportError> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "geojson" | "json" => Ok(Format::GeoJson),
            "gpkg" => Ok(Format::Gpkg),
            "csv" => Ok(Format::Csv),
            _ => Err(ExportError::UnknownFormat {
                path: path.to_path_buf(),
            }),
        }
    }

    fn driver(self) -> &'static str {
        match self {
            Format::GeoJson => "GeoJSON",
            Format::Gpkg => "GPKG",
            Format::Csv => "CSV",
        }
    }

    /// The CRS the file is written in.
    pub fn epsg(self) -> u32 {
        match self {
            Format::Gpkg => crate::INTERNAL_EPSG,
            Format::GeoJson | Format::Csv => 4326,
        }
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
    Ok(format)
}

/// Write `n` rows; `row(i)` gives row i's geometry (EPSG:25833) and values, in `fields` order.
pub fn write(
    path: &Path,
    layer_name: &str,
    fields: &[Field],
    n: usize,
    mut row: impl FnMut(usize) -> (Geometry<f64>, Vec<Value>),
    progress: &dyn Fn(usize),
) -> Result<(), ExportError> {
    crate::ingest::init_gdal();
    let format = Format::from_path(path)?;
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
    let srs = crs::spatial_ref(&format!("EPSG:{}", format.epsg()))?;
    let transform = if format.epsg() == crate::INTERNAL_EPSG {
        None
    } else {
        let from = crs::internal()?;
        Some(
            CoordTransform::new(&from, &srs).map_err(|e| crs::CrsError::Transform {
                from: "EPSG:25833".into(),
                to: format.epsg(),
                message: e.to_string(),
            })?,
        )
    };
    let options: &[&str] = match format {
        Format::GeoJson => &["RFC7946=YES", "COORDINATE_PRECISION=7", "WRITE_NAME=NO"],
        Format::Csv => &["GEOMETRY=AS_WKT", "CREATE_CSVT=YES"],
        Format::Gpkg => &[],
    };
    let layer_options = LayerOptions {
        name: layer_name,
        srs: Some(&srs),
        ty: gdal::vector::OGRwkbGeometryType::wkbUnknown,
        options: Some(options),
    };
    let mut rows = |ds: &mut gdal::Dataset| -> Result<(), ExportError> {
        let layer = ds.create_layer(layer_options.clone()).map_err(gdal_err)?;
        for f in fields {
            let ty = match f.ty {
                FieldType::Str => OGRFieldType::OFTString,
                FieldType::Int => OGRFieldType::OFTInteger64,
                FieldType::Real => OGRFieldType::OFTReal,
            };
            FieldDefn::new(&f.name, ty)
                .and_then(|d| d.add_to_layer(&layer))
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
        txn.commit().map_err(gdal_err)?;
    } else {
        rows(&mut dataset)?;
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
        assert!(err.contains(".geojson, .gpkg or .csv"), "{err}");
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
