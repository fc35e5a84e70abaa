//! Station registers that are not GDAL layers. Open Charge Map's export: one JSON object per
//! site (`OCM-103104.json`), a folder of such files, or the API's array. Each site becomes one
//! charging pool (`domain::pool`): its total power, its largest point and its points.
//!
//! OCM says nothing about heavy vehicles, so a site counts as built for them only when the
//! layer says so for all its sites: `heavy = { value = true }` in `[layers.fields]`.

use std::path::Path;

use geo::{Geometry, Point};
use serde_json::Value;

use super::report::{FeatureIssue, IssueKind, LayerReport};
use super::IngestError;
use crate::config::{FieldSpec, LayerConfig};
use crate::domain::layers::{Feature, Station, StationKind};
use crate::domain::pool::{pool, Connection};
use crate::domain::Features;

/// Read a register layer of `format` from `source` (a file or a folder).
pub fn read(
    format: &str,
    source: &str,
    cfg: &LayerConfig,
    report: &mut LayerReport,
) -> Result<Features, IngestError> {
    match format {
        "ocm" => read_ocm(Path::new(source), cfg, report),
        "trafikkdata" => super::trafikkdata::read(source, report),
        other => Err(IngestError::Register {
            path: source.to_string(),
            message: format!("unknown register format '{other}'"),
            hint: "use format = \"ocm\" (Open Charge Map) or \"trafikkdata\" (hourly counts), or leave `format` out for any format GDAL reads".into(),
        }),
    }
}

fn heavy(cfg: &LayerConfig) -> bool {
    match cfg.fields.get("heavy") {
        Some(FieldSpec::Detailed(t)) => t.value.as_ref().and_then(|v| v.as_bool()).unwrap_or(false),
        _ => false,
    }
}

/// The JSON files to read: the file itself, or every `*.json` in the folder, by name.
fn files(path: &Path) -> Result<Vec<std::path::PathBuf>, IngestError> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let io = |e: std::io::Error| IngestError::Register {
        path: path.display().to_string(),
        message: format!("cannot list the folder: {e}"),
        hint: "check that the folder exists and can be read".into(),
    };
    let mut out: Vec<std::path::PathBuf> = std::fs::read_dir(path)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("json"))
        })
        .collect();
    out.sort();
    Ok(out)
}

fn read_ocm(
    path: &Path,
    cfg: &LayerConfig,
    report: &mut LayerReport,
) -> Result<Features, IngestError> {
    report.driver = Some("Open Charge Map JSON".into());
    report.source_crs = Some("EPSG:4326 (WGS 84)".into());
    let heavy = heavy(cfg);
    let mut stations = Vec::new();
    for file in files(path)? {
        let shown = file.display().to_string();
        let text = std::fs::read_to_string(&file).map_err(|e| IngestError::Register {
            path: shown.clone(),
            message: format!("cannot read the file: {e}"),
            hint: "check that the file exists and can be read".into(),
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| IngestError::Register {
            path: shown.clone(),
            message: format!("not JSON: {e}"),
            hint: "an Open Charge Map export is one JSON object per site, or an array of them"
                .into(),
        })?;
        let sites: Vec<&Value> = match &value {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        for (n, site) in sites.into_iter().enumerate() {
            report.read += 1;
            match ocm_site(site) {
                Ok(s) => stations.push(Feature {
                    attrs: Station { heavy, ..s.attrs },
                    ..s
                }),
                Err((field, message)) => {
                    report.skipped += 1;
                    let id = site
                        .get("ID")
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| format!("#{}", n + 1));
                    report.issues.push(FeatureIssue {
                        kind: IssueKind::Skipped,
                        feature: format!("{shown}, site {id}"),
                        field: Some(field.into()),
                        message,
                        hint: "fix the site in the export, or leave it out".into(),
                    });
                }
            }
        }
    }
    // Reprojected in one pass: one transformation for the whole register.
    let mut xs: Vec<f64> = stations.iter().map(|s| point_x(&s.geometry)).collect();
    let mut ys: Vec<f64> = stations.iter().map(|s| point_y(&s.geometry)).collect();
    if !xs.is_empty() {
        let mut src = super::crs::spatial_ref("EPSG:4326").map_err(|e| crs_error(path, e))?;
        let ct = super::crs::to_internal(&mut src).map_err(|e| crs_error(path, e))?;
        let mut zs = vec![0.0; xs.len()];
        ct.transform_coords(&mut xs, &mut ys, &mut zs)
            .map_err(|e| IngestError::Register {
                path: path.display().to_string(),
                message: format!("cannot reproject the sites: {e}"),
                hint: "check that every site's Latitude and Longitude are in degrees".into(),
            })?;
        for ((s, x), y) in stations.iter_mut().zip(xs).zip(ys) {
            s.geometry = Geometry::Point(Point::new(x, y));
        }
    }
    report.loaded = stations.len();
    report.bbox_25833 = stations
        .iter()
        .map(|s| [point_x(&s.geometry), point_y(&s.geometry)])
        .fold(None, |b: Option<[f64; 4]>, p| {
            Some(match b {
                None => [p[0], p[1], p[0], p[1]],
                Some(b) => [
                    b[0].min(p[0]),
                    b[1].min(p[1]),
                    b[2].max(p[0]),
                    b[3].max(p[1]),
                ],
            })
        });
    if stations.is_empty() && report.read > 0 {
        return Err(IngestError::NothingUsable {
            path: path.display().to_string(),
            layer: "ocm".into(),
            read: report.read,
        });
    }
    Ok(Features::Stations(stations))
}

fn crs_error(path: &Path, e: super::crs::CrsError) -> IngestError {
    IngestError::Crs {
        path: path.display().to_string(),
        layer: "ocm".into(),
        source: e,
    }
}

fn point_x(g: &Geometry<f64>) -> f64 {
    match g {
        Geometry::Point(p) => p.x(),
        _ => f64::NAN,
    }
}

fn point_y(g: &Geometry<f64>) -> f64 {
    match g {
        Geometry::Point(p) => p.y(),
        _ => f64::NAN,
    }
}

/// One OCM site as a station in lon/lat; Err names the field at fault.
fn ocm_site(site: &Value) -> Result<Feature<Station>, (&'static str, String)> {
    let id = site
        .get("ID")
        .and_then(Value::as_i64)
        .ok_or(("ID", "the site has no numeric ID".to_string()))?;
    let address = site
        .get("AddressInfo")
        .ok_or(("AddressInfo", "the site has no AddressInfo".to_string()))?;
    let coord = |key: &'static str, limit: f64| -> Result<f64, (&'static str, String)> {
        let v = address
            .get(key)
            .and_then(Value::as_f64)
            .ok_or((key, format!("AddressInfo.{key} is missing or not a number")))?;
        if !(v.is_finite() && v.abs() <= limit) {
            return Err((
                key,
                format!("AddressInfo.{key} = {v} is outside ±{limit} degrees"),
            ));
        }
        Ok(v)
    };
    let (lat, lon) = (coord("Latitude", 90.0)?, coord("Longitude", 180.0)?);
    let connections: Vec<Connection> = site
        .get("Connections")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|c| Connection {
                    power_kw: c.get("PowerKW").and_then(Value::as_f64),
                    quantity: c.get("Quantity").and_then(Value::as_u64).map(|q| q as u32),
                })
                .collect()
        })
        .unwrap_or_default();
    for c in &connections {
        if let Some(kw) = c.power_kw {
            if !(kw.is_finite() && kw >= 0.0) {
                return Err((
                    "Connections.PowerKW",
                    format!("a connection's PowerKW is {kw}, not a power ≥ 0"),
                ));
            }
        }
    }
    let points = site
        .get("NumberOfPoints")
        .and_then(Value::as_u64)
        .map(|n| n as u32);
    let p = pool(&connections, points);
    Ok(Feature {
        id: format!("ocm-{id}"),
        geometry: Geometry::Point(Point::new(lon, lat)),
        attrs: Station {
            kind: StationKind::Charging,
            name: address
                .get("Title")
                .and_then(Value::as_str)
                .map(str::to_string),
            power_kw: p.map(|p| p.total_kw),
            max_point_kw: p.map(|p| p.max_kw),
            points: p.map(|p| p.points).or(points),
            heavy: false,
        },
    })
}
