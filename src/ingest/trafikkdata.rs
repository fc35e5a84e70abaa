//! Statens vegvesen's hourly traffic volumes (trafikkdata) as CSV, plain or gzipped: one file,
//! or a folder of them. Columns by name: `point_id`, `from`, `volume`, `coverage`, `lat`,
//! `lon`, and optionally `to` and `name`. Each point's hours become one ÅDT by the rules in
//! `domain::traffic`; points that do not count a road's both directions are reported and left
//! out. A broken row stops the layer with its file, row and field named: a silently dropped
//! hour would change the ÅDT without anyone knowing.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use geo::{Geometry, Point};

use super::report::{FeatureIssue, IssueKind, LayerReport};
use super::IngestError;
use crate::domain::layers::{Feature, RoadCategory, Traffic, TrafficBasis};
use crate::domain::traffic::{
    adt, classify, road_counts, road_in_name, CountedPoint, Hour, LocalTime, PointKind,
};
use crate::domain::Features;

const REQUIRED: [&str; 6] = ["point_id", "from", "volume", "coverage", "lat", "lon"];

/// The CSV files to read: the file itself, or every `*.csv` and `*.csv.gz` in the folder.
fn files(path: &Path) -> Result<Vec<PathBuf>, IngestError> {
    let out = super::files::in_source(path, &[".csv", ".csv.gz"])?;
    if out.is_empty() {
        return Err(IngestError::Register {
            path: path.display().to_string(),
            message: "the folder has no .csv or .csv.gz files".into(),
            hint: "point `source` at trafikkdata CSV files (point_id,from,to,volume,coverage,name,lat,lon)".into(),
        });
    }
    Ok(out)
}

fn open(file: &Path) -> Result<Box<dyn Read>, IngestError> {
    let f = std::fs::File::open(file).map_err(|e| IngestError::Register {
        path: file.display().to_string(),
        message: format!("cannot open the file: {e}"),
        hint: "check that the file exists and can be read".into(),
    })?;
    let gz = file.to_string_lossy().to_lowercase().ends_with(".gz");
    Ok(if gz {
        Box::new(flate2::read::GzDecoder::new(f))
    } else {
        Box::new(f)
    })
}

struct PointHours {
    name: String,
    lon: f64,
    lat: f64,
    /// UTC minute → hour; the first file read wins where files overlap.
    hours: BTreeMap<i64, Hour>,
}

/// Read every file into hours per point.
fn read_hours(path: &Path) -> Result<BTreeMap<String, PointHours>, IngestError> {
    let mut points: BTreeMap<String, PointHours> = BTreeMap::new();
    for file in files(path)? {
        read_file_hours(&file.display().to_string(), open(&file)?, &mut points)?;
    }
    Ok(points)
}

/// Add one file's hours to `points`; `shown` names the file in errors.
fn read_file_hours(
    shown: &str,
    input: impl Read,
    points: &mut BTreeMap<String, PointHours>,
) -> Result<(), IngestError> {
    let shown = shown.to_string();
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let bad = |row: u64, field: &str, message: String, hint: &str| IngestError::Register {
        path: shown.clone(),
        message: format!("row {row}, field `{field}`: {message}"),
        hint: hint.to_string(),
    };
    let header = reader
        .headers()
        .map_err(|e| {
            bad(
                1,
                "header",
                e.to_string(),
                "the file must be CSV with a header row",
            )
        })?
        .clone();
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    if let Some(missing) = REQUIRED.iter().find(|c| col(c).is_none()) {
        return Err(IngestError::Register {
            path: shown,
            message: format!(
                "the column `{missing}` is missing (the header has: {})",
                header.iter().collect::<Vec<_>>().join(", ")
            ),
            hint: "trafikkdata CSV has the columns point_id,from,to,volume,coverage,name,lat,lon; for a point layer with a ready ÅDT, leave out `format` and map `aadt`".into(),
        });
    }
    let [id_c, from_c, vol_c, cov_c, lat_c, lon_c] = REQUIRED.map(|c| col(c).unwrap_or(0));
    let (to_c, name_c) = (col("to"), col("name"));
    for record in reader.records() {
        let record = record.map_err(|e| {
            let row = e.position().map(|p| p.line()).unwrap_or(0);
            bad(
                row,
                "row",
                e.to_string(),
                "every row needs as many fields as the header; quote names with commas",
            )
        })?;
        let row = record.position().map(|p| p.line()).unwrap_or(0);
        let get = |c: usize| record.get(c).unwrap_or("").trim();
        let id = get(id_c);
        if id.is_empty() {
            return Err(bad(
                row,
                "point_id",
                "empty".into(),
                "every row needs its counting point's id",
            ));
        }
        let time = |c: usize, field: &str| {
            LocalTime::parse(get(c)).map_err(|m| {
                bad(
                    row,
                    field,
                    m,
                    "write timestamps as trafikkdata does: 2026-04-11 22:00:00+02:00",
                )
            })
        };
        let from = time(from_c, "from")?;
        if let Some(to_c) = to_c {
            let to = time(to_c, "to")?;
            if to.utc_minutes() - from.utc_minutes() != 60 {
                return Err(bad(
                    row,
                    "to",
                    format!(
                        "'{}' is not one hour after `from` ('{}')",
                        get(to_c),
                        get(from_c)
                    ),
                    "each row must be one hour",
                ));
            }
        }
        let number = |c: usize, field: &str, what: &str| -> Result<f64, IngestError> {
            get(c)
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    bad(
                        row,
                        field,
                        format!("'{}' is not {what}", get(c)),
                        "fix the value or remove the row",
                    )
                })
        };
        let volume = number(vol_c, "volume", "a number of vehicles")?;
        if volume < 0.0 {
            return Err(bad(
                row,
                "volume",
                format!("{volume} is negative"),
                "a volume is a count of vehicles, 0 or more",
            ));
        }
        let coverage = number(cov_c, "coverage", "a percentage")?;
        if !(0.0..=100.0).contains(&coverage) {
            return Err(bad(
                row,
                "coverage",
                format!("{coverage} is not between 0 and 100"),
                "coverage is the percent of the hour with valid data",
            ));
        }
        let lat = number(lat_c, "lat", "a latitude")?;
        let lon = number(lon_c, "lon", "a longitude")?;
        if lat.abs() > 90.0 || lon.abs() > 180.0 {
            return Err(bad(
                row,
                "lat",
                format!("({lat}, {lon}) is not a position in degrees"),
                "lat and lon are WGS 84 degrees",
            ));
        }
        let entry = points.entry(id.to_string()).or_insert_with(|| PointHours {
            name: name_c.map(|c| get(c).to_string()).unwrap_or_default(),
            lon,
            lat,
            hours: BTreeMap::new(),
        });
        entry.hours.entry(from.utc_minutes()).or_insert(Hour {
            from,
            volume,
            coverage,
        });
    }
    Ok(())
}

/// One counting point as read: its hours' ÅDT (None without a complete day) and what it counts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PointSummary {
    pub id: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    /// Hours read, after overlapping files were merged.
    pub hours: usize,
    /// "road", "direction" or what else it counts ("a ramp, …").
    pub counts: String,
    pub aadt: Option<f64>,
    pub weekday: Option<f64>,
    pub weekend: Option<f64>,
    pub days: Option<u32>,
    pub period: Option<String>,
    pub balanced: Option<bool>,
}

/// Every counting point of trafikkdata CSV (a file or a folder), with its ÅDT.
pub fn read_points(source: &str) -> Result<Vec<(PointSummary, Option<CountedPoint>)>, IngestError> {
    Ok(summarise(read_hours(Path::new(source))?))
}

/// Every counting point of one trafikkdata CSV already open (plain, not gzipped); `name`
/// names it in errors.
pub fn read_points_from(
    name: &str,
    input: impl Read,
) -> Result<Vec<(PointSummary, Option<CountedPoint>)>, IngestError> {
    let mut points = BTreeMap::new();
    read_file_hours(name, input, &mut points)?;
    Ok(summarise(points))
}

fn summarise(points: BTreeMap<String, PointHours>) -> Vec<(PointSummary, Option<CountedPoint>)> {
    points
        .into_iter()
        .map(|(id, p)| {
            let hours: Vec<Hour> = p.hours.into_values().collect();
            let a = adt(&hours);
            let counts = match classify(&id, &p.name) {
                PointKind::Road => "road".to_string(),
                PointKind::Direction { .. } => "direction".to_string(),
                PointKind::Other(what) => what.to_string(),
            };
            let summary = PointSummary {
                id: id.clone(),
                name: p.name.clone(),
                lon: p.lon,
                lat: p.lat,
                hours: hours.len(),
                counts,
                aadt: a.as_ref().map(|a| a.aadt),
                weekday: a.as_ref().and_then(|a| a.weekday),
                weekend: a.as_ref().and_then(|a| a.weekend),
                days: a.as_ref().map(|a| a.days),
                period: a.as_ref().map(|a| a.period.clone()),
                balanced: a.as_ref().map(|a| a.balanced),
            };
            let counted = a.map(|adt| CountedPoint {
                id,
                name: p.name,
                lon: p.lon,
                lat: p.lat,
                adt,
            });
            (summary, counted)
        })
        .collect()
}

/// Read trafikkdata CSV into counting points with their ÅDT, in EPSG:25833.
pub fn read(source: &str, report: &mut LayerReport) -> Result<Features, IngestError> {
    report.driver = Some("Statens vegvesen trafikkdata CSV".into());
    report.source_crs = Some("EPSG:4326 (WGS 84)".into());
    let points = read_points(source)?;
    report.read = points.len();
    let mut counted = Vec::new();
    for (summary, point) in points {
        match point {
            Some(p) => counted.push(p),
            None => report.issues.push(FeatureIssue {
                kind: IssueKind::Skipped,
                feature: summary.id,
                field: Some("from".into()),
                message: format!("no complete day among its {} hours", summary.hours),
                hint: "a day counts when all its hours are there with coverage ≥ 95 %".into(),
            }),
        }
    }
    let (counts, left_out) = road_counts(counted);
    for (p, why) in left_out {
        report.issues.push(FeatureIssue {
            kind: IssueKind::Skipped,
            feature: format!("{} ({})", p.id, p.name),
            field: Some("name".into()),
            message: why,
            hint: "only points that count both directions of a road give the road's ÅDT".into(),
        });
    }
    report.skipped = report.read
        - counts
            .iter()
            .map(|c| c.id.split('+').count())
            .sum::<usize>();
    let mut xs: Vec<f64> = counts.iter().map(|c| c.lon).collect();
    let mut ys: Vec<f64> = counts.iter().map(|c| c.lat).collect();
    if !xs.is_empty() {
        let crs_err = |e| IngestError::Crs {
            path: source.to_string(),
            layer: "trafikkdata".into(),
            source: e,
        };
        let mut src = super::crs::spatial_ref("EPSG:4326").map_err(crs_err)?;
        let ct = super::crs::to_internal(&mut src).map_err(crs_err)?;
        let mut zs = vec![0.0; xs.len()];
        ct.transform_coords(&mut xs, &mut ys, &mut zs)
            .map_err(|e| IngestError::Register {
                path: source.to_string(),
                message: format!("cannot reproject the counting points: {e}"),
                hint: "check that lat and lon are WGS 84 degrees".into(),
            })?;
    }
    let features: Vec<Feature<Traffic>> = counts
        .into_iter()
        .zip(xs.into_iter().zip(ys))
        .map(|(c, (x, y))| {
            let road = road_in_name(&c.name);
            Feature {
                id: c.id,
                geometry: Geometry::Point(Point::new(x, y)),
                attrs: Traffic {
                    aadt: c.adt.aadt,
                    heavy_share: None,
                    year: Some(c.adt.year),
                    period: Some(c.adt.period),
                    days: Some(c.adt.days),
                    basis: TrafficBasis::Counted,
                    category: road
                        .and_then(|(cat, _)| cat.to_string().parse::<RoadCategory>().ok()),
                    number: road.map(|(_, n)| n),
                    name: Some(c.name),
                },
            }
        })
        .collect();
    report.loaded = features.len();
    report.bbox_25833 = super::files::points_bbox(features.iter().map(|f| &f.geometry));
    if features.is_empty() {
        return Err(IngestError::NothingUsable {
            path: source.to_string(),
            layer: "trafikkdata".into(),
            read: report.read,
        });
    }
    Ok(Features::Traffic(features))
}
