//! Exporting a selection of a catalog collection (a profile's candidates or an input layer)
//! in any format: what the CLI's `export` and the API's `/api/export` share.

use std::io::Write;
use std::path::Path;

use rayon::prelude::*;

use super::stream::{CsvGeometry, CsvWriter, GeoJsonWriter};
use super::table::{self, Columns};
use super::{ExportError, Field, Format, GdalTarget, Value};
use crate::catalog::review::ReviewOverlay;
use crate::catalog::sites::SIZED_YEARS;
use crate::catalog::Collection;
use crate::scoring::ScoringContext;

/// Rows are explained this many at a time, in parallel.
const CHUNK: usize = 4096;

/// How to write an export.
#[derive(Debug, Clone)]
pub struct Options {
    pub format: Format,
    /// Output EPSG code for GeoPackage, FlatGeobuf and Shapefile; None for the default.
    pub epsg: Option<u32>,
    pub csv_geometry: CsvGeometry,
    pub columns: Columns,
    /// What produced the data: profile, weights, filters, data version, time.
    pub metadata: Vec<(String, String)>,
    /// Review status and counts of candidates; everything `proposed` without one.
    pub review: Option<std::sync::Arc<ReviewOverlay>>,
    /// Size every candidate under this demand scenario: chargers, MW, area and the grid
    /// verdict for `SIZED_YEARS`. Estimates, computed per row.
    pub sizing: Option<std::sync::Arc<crate::domain::scenario::Scenario>>,
}

impl Options {
    /// Options for exporting `c`, with the metadata record that says what produced it:
    /// collection, region, data version, time, CRS, filters, and a profile's weights.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        c: &Collection,
        region: &str,
        data_version: &str,
        format: Format,
        epsg: Option<u32>,
        csv_geometry: CsvGeometry,
        reasons: bool,
        english: bool,
        filters: &std::collections::BTreeMap<String, String>,
    ) -> Options {
        let exported_at = super::timestamp();
        let mut metadata = vec![
            ("collection".to_string(), c.id.clone()),
            ("region".to_string(), region.to_string()),
            ("data_version".to_string(), data_version.to_string()),
            ("exported_at".to_string(), exported_at.clone()),
            (
                "crs".to_string(),
                format!("EPSG:{}", epsg.unwrap_or(format.epsg())),
            ),
            (
                "filters".to_string(),
                serde_json::to_string(filters).unwrap_or_default(),
            ),
        ];
        if let Some(s) = c.scored() {
            metadata.push(("profile".to_string(), s.profile.id.clone()));
            let weights: std::collections::BTreeMap<&str, f64> = s
                .profile
                .criteria
                .iter()
                .map(|c| (c.id.as_str(), c.weight))
                .collect();
            metadata.push((
                "weights".to_string(),
                serde_json::to_string(&weights).unwrap_or_default(),
            ));
        }
        Options {
            format,
            epsg,
            csv_geometry,
            columns: Columns {
                sensitivity: false,
                reasons,
                english,
                data_version: data_version.to_string(),
                exported_at,
            },
            metadata,
            review: None,
            sizing: None,
        }
    }

    /// Add the sizing columns under `scenario`, and say so in the metadata.
    pub fn with_sizing(mut self, scenario: crate::domain::scenario::Scenario) -> Options {
        self.metadata.push((
            "demand_scenario".to_string(),
            format!("{} (sizing columns are model estimates)", scenario.id),
        ));
        self.sizing = Some(std::sync::Arc::new(scenario));
        self
    }

    pub fn metadata_json(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.metadata
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        serde_json::from_str(v)
                            .unwrap_or_else(|_| serde_json::Value::String(v.clone())),
                    )
                })
                .collect(),
        )
    }
}

/// The columns of a collection's export.
pub fn fields(c: &Collection, ctx: &ScoringContext, opts: &Options) -> Vec<Field> {
    match c.scored() {
        Some(s) => {
            let mut f = table::candidate_fields(&s.profile.criteria, &opts.columns);
            if opts.sizing.is_some() {
                f.extend(table::sizing_fields(&SIZED_YEARS));
            }
            f.extend(table::review_fields());
            f
        }
        None => {
            let rows: Vec<serde_json::Map<String, serde_json::Value>> = (0..c.len().min(1000))
                .map(|i| c.properties(i, ctx))
                .collect();
            table::layer_fields(&rows.iter().collect::<Vec<_>>())
        }
    }
}

fn values(
    c: &Collection,
    i: usize,
    ctx: &ScoringContext,
    fields: &[Field],
    opts: &Options,
) -> Vec<Value> {
    match c.report(i, ctx) {
        Some(r) => {
            let mut v = table::candidate_values(&r, None, &opts.columns);
            if let (Some(scenario), Some(s)) = (&opts.sizing, c.scored()) {
                let point = s.raw.candidates[i].point;
                // A year the scenario lacks leaves its columns empty rather than failing
                // the whole export.
                let sized: Vec<_> = SIZED_YEARS
                    .iter()
                    .filter_map(|&y| {
                        crate::scoring::sizing::at(ctx, &s.profile, scenario, y, point).ok()
                    })
                    .collect();
                v.extend(table::sizing_values(&sized, &SIZED_YEARS));
            }
            let untouched = ReviewOverlay::default();
            let review = opts.review.as_deref().unwrap_or(&untouched);
            v.extend(table::review_values(review, c.id_of(i)));
            v
        }
        None => table::layer_values(fields, &c.properties(i, ctx)),
    }
}

/// The rows of `rows[start..]`, at most CHUNK, explained in parallel.
fn chunk(
    c: &Collection,
    rows: &[usize],
    start: usize,
    ctx: &ScoringContext,
    fields: &[Field],
    opts: &Options,
) -> Vec<(serde_json::Value, Vec<Value>)> {
    rows[start..(start + CHUNK).min(rows.len())]
        .par_iter()
        .map(|&i| (c.geometry(i, false), values(c, i, ctx, fields, opts)))
        .collect()
}

/// GeoJSON or CSV, streamed to `out` as rows are explained.
pub fn write_stream<W: Write>(
    c: &Collection,
    rows: &[usize],
    ctx: &ScoringContext,
    opts: &Options,
    out: W,
) -> std::io::Result<W> {
    let fields = fields(c, ctx, opts);
    match opts.format {
        Format::Csv => {
            let mut w = CsvWriter::new(out, &fields, opts.csv_geometry)?;
            for start in (0..rows.len()).step_by(CHUNK) {
                for (g, v) in chunk(c, rows, start, ctx, &fields, opts) {
                    w.row(&g, &v)?;
                }
            }
            w.finish()
        }
        _ => {
            let mut w = GeoJsonWriter::new(out, &c.id, &opts.metadata_json())?;
            for start in (0..rows.len()).step_by(CHUNK) {
                let ids = &rows[start..(start + CHUNK).min(rows.len())];
                for (&i, (g, v)) in ids.iter().zip(chunk(c, rows, start, ctx, &fields, opts)) {
                    w.feature(c.id_of(i), &g, &fields, &v)?;
                }
            }
            w.finish()
        }
    }
}

/// Any format to a file. GeoJSON and CSV stream; the others go through GDAL. Formats
/// without a metadata table get a sidecar `FILE.metadata.json` (Shapefile: in the zip).
pub fn write_file(
    c: &Collection,
    rows: &[usize],
    ctx: &ScoringContext,
    opts: &Options,
    path: &Path,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<(), ExportError> {
    let io = |source: std::io::Error| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    match opts.format {
        Format::GeoJson | Format::Csv => {
            let file = std::fs::File::create(path).map_err(io)?;
            write_stream(c, rows, ctx, opts, std::io::BufWriter::new(file)).map_err(io)?;
            progress(rows.len());
        }
        format => {
            let fields = fields(c, ctx, opts);
            let mut cached: Vec<Vec<Value>> = Vec::new();
            let mut cached_start = 0;
            super::write_gdal(
                path,
                &GdalTarget {
                    format,
                    epsg: opts.epsg.unwrap_or(format.epsg()),
                    layer_name: &c.id.replace('-', "_"),
                    metadata: Some(&opts.metadata),
                },
                &fields,
                rows.len(),
                |r| {
                    if r == 0 || r >= cached_start + cached.len() {
                        cached_start = r;
                        cached = rows[r..(r + CHUNK).min(rows.len())]
                            .par_iter()
                            .map(|&i| values(c, i, ctx, &fields, opts))
                            .collect();
                    }
                    let v = std::mem::take(&mut cached[r - cached_start]);
                    (c.native(rows[r]).clone(), v)
                },
                progress,
            )?;
        }
    }
    if matches!(opts.format, Format::GeoJson | Format::Csv | Format::Fgb) {
        let mut sidecar = path.as_os_str().to_owned();
        sidecar.push(".metadata.json");
        std::fs::write(
            &sidecar,
            serde_json::to_string_pretty(&opts.metadata_json()).unwrap_or_default(),
        )
        .map_err(|source| ExportError::Io {
            path: sidecar.into(),
            source,
        })?;
    }
    Ok(())
}
