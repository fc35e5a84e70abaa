//! Helpers shared by the readers that do not go through GDAL (registers, trafikkdata):
//! a source that is one file or a folder of them, and the extent of point features.

use std::path::{Path, PathBuf};

use geo::Geometry;

use super::IngestError;

/// The files to read: `path` itself, or every file in the folder whose lower-cased name ends
/// in one of `suffixes` (".json", ".csv.gz"), sorted by name so that reads are repeatable.
pub fn in_source(path: &Path, suffixes: &[&str]) -> Result<Vec<PathBuf>, IngestError> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| IngestError::Register {
            path: path.display().to_string(),
            message: format!("cannot list the folder: {e}"),
            hint: "check that the folder exists and can be read".into(),
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.to_string_lossy().to_lowercase();
            suffixes.iter().any(|s| name.ends_with(s))
        })
        .collect();
    out.sort();
    Ok(out)
}

/// The bounding box of the point geometries; other geometries are not counted.
pub fn points_bbox<'a>(geometries: impl Iterator<Item = &'a Geometry<f64>>) -> Option<[f64; 4]> {
    geometries.fold(None, |b, g| {
        let Geometry::Point(p) = g else {
            return b;
        };
        Some(match b {
            None => [p.x(), p.y(), p.x(), p.y()],
            Some(b) => [
                b[0].min(p.x()),
                b[1].min(p.y()),
                b[2].max(p.x()),
                b[3].max(p.y()),
            ],
        })
    })
}
