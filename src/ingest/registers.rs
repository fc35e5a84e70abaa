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
        "nobil" => read_nobil(Path::new(source), cfg, report),
        "trafikkdata" => super::trafikkdata::read(source, report),
        other => Err(IngestError::Register {
            path: source.to_string(),
            message: format!("unknown register format '{other}'"),
            hint: "use format = \"ocm\" (Open Charge Map), \"nobil\" (NOBIL) or \"trafikkdata\" (hourly counts), or leave `format` out for any format GDAL reads".into(),
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
    super::files::in_source(path, &[".json"])
}

fn read_ocm(
    path: &Path,
    cfg: &LayerConfig,
    report: &mut LayerReport,
) -> Result<Features, IngestError> {
    report.driver = Some("Open Charge Map JSON".into());
    read_sites(
        path,
        cfg,
        report,
        "ocm",
        |value| match value {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        },
        ocm_site,
    )
}

/// NOBIL's data dump (API v3 JSON): `{"chargerstations": [{"csmd": …, "attr": …}, …]}`, or
/// the array of stations alone. Every `conn` entry is one connector; its power is read from
/// attribute 5, "Charging capacity".
fn read_nobil(
    path: &Path,
    cfg: &LayerConfig,
    report: &mut LayerReport,
) -> Result<Features, IngestError> {
    report.driver = Some("NOBIL JSON (API v3)".into());
    read_sites(
        path,
        cfg,
        report,
        "nobil",
        |value| match value {
            Value::Array(a) => a.iter().collect(),
            other => match other.get("chargerstations").and_then(Value::as_array) {
                Some(a) => a.iter().collect(),
                None => vec![other],
            },
        },
        nobil_site,
    )
}

type SiteParser = fn(&Value) -> Result<Feature<Station>, (&'static str, String)>;

/// Read JSON files of sites with `sites` (the sites of one file) and `parse` (one site in
/// lon/lat), and reproject them.
fn read_sites(
    path: &Path,
    cfg: &LayerConfig,
    report: &mut LayerReport,
    layer: &str,
    sites: impl Fn(&Value) -> Vec<&Value>,
    parse: SiteParser,
) -> Result<Features, IngestError> {
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
            hint: "an Open Charge Map export is one JSON object per site or an array of them; a NOBIL dump is an object with `chargerstations`"
                .into(),
        })?;
        for (n, site) in sites(&value).into_iter().enumerate() {
            report.read += 1;
            match parse(site) {
                Ok(s) => stations.push(Feature {
                    attrs: Station { heavy, ..s.attrs },
                    ..s
                }),
                Err((field, message)) => {
                    report.skipped += 1;
                    let id = site
                        .get("ID")
                        .or_else(|| site.get("csmd").and_then(|c| c.get("id")))
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
        let mut src =
            super::crs::spatial_ref("EPSG:4326").map_err(|e| crs_error(path, layer, e))?;
        let ct = super::crs::to_internal(&mut src).map_err(|e| crs_error(path, layer, e))?;
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
    report.bbox_25833 = super::files::points_bbox(stations.iter().map(|s| &s.geometry));
    if stations.is_empty() && report.read > 0 {
        return Err(IngestError::NothingUsable {
            path: path.display().to_string(),
            layer: layer.into(),
            read: report.read,
        });
    }
    Ok(Features::Stations(stations))
}

fn crs_error(path: &Path, layer: &str, e: super::crs::CrsError) -> IngestError {
    IngestError::Crs {
        path: path.display().to_string(),
        layer: layer.into(),
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

/// One NOBIL station as a charging pool in lon/lat; Err names the field at fault.
fn nobil_site(site: &Value) -> Result<Feature<Station>, (&'static str, String)> {
    let csmd = site
        .get("csmd")
        .ok_or(("csmd", "the station has no csmd (station data)".to_string()))?;
    let id = csmd
        .get("International_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| csmd.get("id").map(|v| v.to_string()))
        .ok_or(("csmd.id", "the station has no id".to_string()))?;
    let position = csmd
        .get("Position")
        .and_then(Value::as_str)
        .ok_or(("csmd.Position", "the station has no Position".to_string()))?;
    let bad_position = || {
        (
            "csmd.Position",
            format!("'{position}' is not a position like (59.91,10.75)"),
        )
    };
    let (lat, lon) = position
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split_once(',')
        .ok_or_else(bad_position)?;
    let (lat, lon) = (
        lat.trim().parse::<f64>().map_err(|_| bad_position())?,
        lon.trim().parse::<f64>().map_err(|_| bad_position())?,
    );
    if !(lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0) {
        return Err(bad_position());
    }
    let connections: Vec<Connection> = site
        .get("attr")
        .and_then(|a| a.get("conn"))
        .and_then(Value::as_object)
        .map(|conns| {
            conns
                .values()
                .map(|c| Connection {
                    power_kw: c
                        .get("5")
                        .and_then(|cap| cap.get("trans"))
                        .and_then(Value::as_str)
                        .and_then(crate::domain::pool::capacity_kw),
                    quantity: Some(1),
                })
                .collect()
        })
        .unwrap_or_default();
    let points = csmd
        .get("Number_charging_points")
        .and_then(Value::as_u64)
        .map(|n| n as u32);
    let p = pool(&connections, points);
    Ok(Feature {
        id: format!("nobil-{id}"),
        geometry: Geometry::Point(Point::new(lon, lat)),
        attrs: Station {
            kind: StationKind::Charging,
            name: csmd.get("name").and_then(Value::as_str).map(str::to_string),
            power_kw: p.map(|p| p.total_kw),
            max_point_kw: p.map(|p| p.max_kw),
            points: p.map(|p| p.points).or(points),
            heavy: false,
        },
    })
}
