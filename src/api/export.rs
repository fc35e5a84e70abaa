//! `GET /api/export`: a profile's candidates or an input layer, filtered exactly like
//! `/collections/{id}/items`, as a file download. GeoJSON and CSV stream as they are
//! written; GeoPackage, FlatGeobuf and Shapefile are written to a temporary file by GDAL
//! and then streamed from it. Memory stays flat either way.

use std::collections::BTreeMap;
use std::io::Write;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::error::bad;
use super::{ApiError, AppState};
use crate::catalog::query::ItemsQuery;
use crate::export::catalog::{write_file, write_stream, Options};
use crate::export::stream::CsvGeometry;
use crate::export::{self, Format};

/// The query parameters of an export, besides the filters of the items endpoint.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ExportParams {
    /// A profile's candidates: mcs-corridor, depot, hydrogen or biogas.
    profile: Option<String>,
    /// `parcels` (default) or `grid` (when the server was started with `--grid`).
    candidates: Option<String>,
    /// An input layer instead of candidates, e.g. `roads`.
    collection: Option<String>,
    /// geojson (default), gpkg, csv, fgb or shp (a zip).
    format: Option<String>,
    /// Output CRS for gpkg, fgb and shp, e.g. EPSG:25832 (default EPSG:25833).
    crs: Option<String>,
    /// CSV geometry: `wkt` (default) or `lonlat`.
    csv_geometry: Option<String>,
    /// `false` leaves out the one-line reasons per criterion.
    reasons: Option<bool>,
    /// Adds sizing columns for 2025 and 2030 under this demand scenario (default, low or high):
    /// chargers, MW, area needed and the grid verdict. Candidates only; model estimates.
    demand_scenario: Option<String>,
    /// Filters as on the items endpoint: a CRS84 bbox.
    bbox: Option<String>,
    /// Only candidates scoring at least this.
    min_score: Option<f64>,
    /// Order; candidates default to `-score`.
    sortby: Option<String>,
    /// Any other parameter filters on a property, e.g. `kommunenummer=0301`.
    kommunenummer: Option<String>,
}

/// Bytes written on a blocking thread, sent to the response body in 64 KiB pieces.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= 64 * 1024 {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        // A closed channel means the client went away: stop writing.
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client disconnected")
        })
    }
}

fn receiver_body(rx: tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>) -> Body {
    use futures_util::StreamExt;
    // Fused: the gzip layer polls once more after the end, which a bare unfold panics on.
    Body::from_stream(
        futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        })
        .fuse(),
    )
}

/// Exports a selection as a file.
#[utoipa::path(get, path = "/api/export", tag = "Planning",
    params(ExportParams),
    responses(
        (status = 200, description = "The file, streamed, with Content-Disposition", content_type = "application/octet-stream", body = String),
        (status = 400, description = "An unknown format, profile, collection, CRS or filter", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn export(
    State(state): State<AppState>,
    Query(mut query): Query<BTreeMap<String, String>>,
) -> Result<Response, ApiError> {
    let format = match query.remove("format") {
        None => Format::GeoJson,
        Some(f) => Format::from_name(&f).map_err(|e| bad("format", e.to_string()))?,
    };
    let epsg = match query.remove("crs") {
        None => None,
        Some(_) if !format.takes_crs() => {
            return Err(bad(
                "crs",
                format!("crs does not apply to {}: it is always CRS84 (RFC 7946); use it with gpkg, fgb or shp", format.name()),
            ))
        }
        Some(text) => {
            let code = export::parse_epsg(&text)
                .filter(|c| crate::ingest::crs::spatial_ref(&format!("EPSG:{c}")).is_ok())
                .ok_or_else(|| bad("crs", format!("crs '{text}' is not a known EPSG code; write for example EPSG:25832")))?;
            Some(code)
        }
    };
    let csv_geometry = match query.remove("csv_geometry").as_deref() {
        None | Some("wkt") => CsvGeometry::Wkt,
        Some("lonlat") => CsvGeometry::LonLat,
        Some(other) => {
            return Err(bad(
                "csv_geometry",
                format!("csv_geometry '{other}' is unknown; use wkt or lonlat"),
            ))
        }
    };
    let reasons = match query.remove("reasons").as_deref() {
        None | Some("true") => true,
        Some("false") => false,
        Some(other) => {
            return Err(bad(
                "reasons",
                format!("reasons must be true or false, not '{other}'"),
            ))
        }
    };
    let sizing = query.remove("demand_scenario");
    for p in ["limit", "offset"] {
        if query.contains_key(p) {
            return Err(bad(p, "an export holds every selected feature; narrow it with bbox, kommunenummer or min_score"));
        }
    }
    let id = match (query.remove("profile"), query.remove("collection")) {
        (Some(p), None) => match query.remove("candidates").as_deref() {
            None | Some("parcels") => format!("candidates-{p}"),
            Some("grid") => format!("candidates-{p}-grid"),
            Some(other) => {
                return Err(bad(
                    "candidates",
                    format!("unknown candidate set '{other}'; use parcels or grid"),
                ))
            }
        },
        (None, Some(c)) => c,
        _ => {
            return Err(bad(
                "profile",
                "give profile=… (candidates) or collection=… (an input layer), not both",
            ))
        }
    };
    let index = state
        .collections
        .iter()
        .position(|c| c.id == id)
        .ok_or_else(|| {
            let known: Vec<&str> = state.collections.iter().map(|c| c.id.as_str()).collect();
            if id.ends_with("-grid") {
                bad(
                    "candidates",
                    format!(
                        "this server has no '{id}'; start it with `energistasjon serve --grid 250`"
                    ),
                )
            } else {
                bad(
                    "profile",
                    format!(
                        "no collection '{id}'; the collections are {}",
                        known.join(", ")
                    ),
                )
            }
        })?;
    let c = &state.collections[index];
    if c.scored().is_some() && !query.contains_key("sortby") {
        query.insert("sortby".into(), "-score".into());
    }
    let q = ItemsQuery::parse(c, &query)?;
    let review = if c.scored().is_some() {
        super::session::overlay(&state)?
    } else {
        None
    };
    let mut opts = Options::new(
        c,
        &state.region.name,
        &state.report.data_version,
        format,
        epsg,
        csv_geometry,
        reasons,
        false,
        &query,
    );
    opts.review = review;
    if let Some(name) = sizing {
        if c.scored().is_none() {
            return Err(bad(
                "demand_scenario",
                "sizing columns apply to a profile's candidates, not to an input layer",
            ));
        }
        opts = opts.with_sizing(state.scenarios.get(Some(&name))?.clone());
    }
    let filename = format!("{}.{}", c.id, format.extension());
    let headers = [
        (header::CONTENT_TYPE, format.media_type().to_string()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ),
    ];
    match format {
        Format::GeoJson | Format::Csv => {
            let (tx, rx) = tokio::sync::mpsc::channel(8);
            let err_tx = tx.clone();
            tokio::task::spawn_blocking(move || {
                let c = &state.collections[index];
                let rows = q.select(c, &state.ctx, opts.review.as_deref());
                let writer = ChannelWriter {
                    tx,
                    buf: Vec::with_capacity(64 * 1024),
                };
                if let Err(e) =
                    write_stream(c, &rows, &state.ctx, &opts, writer).and_then(|mut w| w.flush())
                {
                    // The headers are gone already; the client sees a cut-off body.
                    tracing::warn!(collection = %c.id, error = %e, "export stopped");
                    let _ = err_tx.blocking_send(Err(e));
                }
            });
            Ok((headers, receiver_body(rx)).into_response())
        }
        _ => {
            let file = tokio::task::spawn_blocking(move || -> Result<std::fs::File, ApiError> {
                let c = &state.collections[index];
                let rows = q.select(c, &state.ctx, opts.review.as_deref());
                let dir = tempfile::tempdir()
                    .map_err(|e| ApiError::Internal(format!("no temporary folder: {e}")))?;
                let path = dir.path().join(format!("export.{}", format.extension()));
                write_file(c, &rows, &state.ctx, &opts, &path, &|_| {})
                    .map_err(|e| ApiError::Internal(e.to_string()))?;
                // Open, then let the folder go: the open file streams on without a name.
                std::fs::File::open(&path)
                    .map_err(|e| ApiError::Internal(format!("cannot reopen the export: {e}")))
            })
            .await
            .map_err(|e| ApiError::Internal(format!("export task failed: {e}")))??;
            let stream = tokio_util::io::ReaderStream::with_capacity(
                tokio::fs::File::from_std(file),
                64 * 1024,
            );
            Ok((headers, Body::from_stream(stream)).into_response())
        }
    }
}
