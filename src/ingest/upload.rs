//! A file of proposed sites that a planner uploads: GeoJSON, GeoPackage or a zipped
//! Shapefile. It is written to a private temporary folder and read by GDAL like any layer;
//! every site is checked before any is returned, so one bad site refuses the whole file.

use std::path::{Path, PathBuf};

use geo::{Geometry, Validation};

/// The formats an upload may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadFormat {
    GeoJson,
    GeoPackage,
    /// A zip holding one Shapefile's files.
    ZippedShapefile,
}

impl UploadFormat {
    /// `geojson`, `gpkg` or `shp`, as the API's `format` parameter names them.
    pub fn parse(s: &str) -> Option<UploadFormat> {
        match s {
            "geojson" => Some(UploadFormat::GeoJson),
            "gpkg" => Some(UploadFormat::GeoPackage),
            "shp" => Some(UploadFormat::ZippedShapefile),
            _ => None,
        }
    }

    fn extension(self) -> &'static str {
        match self {
            UploadFormat::GeoJson => "geojson",
            UploadFormat::GeoPackage => "gpkg",
            UploadFormat::ZippedShapefile => "zip",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The machine could not hold the file; nothing the uploader did.
    #[error("cannot keep the upload in a temporary folder: {0}")]
    Io(#[from] std::io::Error),
    /// The file itself is at fault; the message says how.
    #[error("{0}")]
    Bad(String),
}

fn bad(message: impl Into<String>) -> UploadError {
    UploadError::Bad(message.into())
}

/// The sites of an uploaded file in EPSG:25833, each with its label (its name, else `#n`).
/// `srs` is the file's CRS when it does not say.
pub fn read_sites(
    bytes: &[u8],
    format: UploadFormat,
    srs: Option<String>,
) -> Result<Vec<(String, Geometry<f64>)>, UploadError> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join(format!("upload.{}", format.extension()));
    std::fs::write(&path, bytes)?;
    let source = if format == UploadFormat::ZippedShapefile {
        // Braces keep the archive path whole: "//" would be collapsed on the way to GDAL.
        PathBuf::from(format!(
            "/vsizip/{{{}}}/{}",
            path.display(),
            shapefile_in_zip(&path)?
        ))
    } else {
        path.clone()
    };
    let (sites, report) = super::load_sites(&source, srs)
        .map_err(|e| bad(format!("the file cannot be read: {e}")))?;
    if let Some(issue) = report.issues.first() {
        return Err(bad(format!(
            "site {}: {}. {}",
            issue.feature, issue.message, issue.hint
        )));
    }
    if sites.is_empty() {
        return Err(bad("the file holds no sites"));
    }
    let mut out = Vec::with_capacity(sites.len());
    for (n, site) in sites.into_iter().enumerate() {
        let label = site.attrs.name.unwrap_or_else(|| format!("#{}", n + 1));
        if let Some(e) = site.geometry.validation_errors().first() {
            return Err(bad(format!("site {label}: the geometry is invalid: {e}")));
        }
        out.push((label, site.geometry));
    }
    Ok(out)
}

/// The one .shp in a zip, refusing entries that would leave the folder (`../x.shp`,
/// absolute paths).
fn shapefile_in_zip(path: &Path) -> Result<String, UploadError> {
    let file = std::fs::File::open(path)?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| bad(format!("not a zip file: {e}")))?;
    let mut shp = Vec::new();
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| bad(format!("a broken zip entry: {e}")))?;
        let name = entry.name().to_string();
        if name.starts_with('/') || name.split(['/', '\\']).any(|part| part == "..") {
            return Err(bad(format!(
                "the zip entry '{name}' points outside the archive; zip the Shapefile's files without folders"
            )));
        }
        if name.to_lowercase().ends_with(".shp") {
            shp.push(name);
        }
    }
    match shp.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(bad("the zip holds no .shp file")),
        _ => Err(bad(format!(
            "the zip holds {} .shp files; upload one at a time",
            shp.len()
        ))),
    }
}
