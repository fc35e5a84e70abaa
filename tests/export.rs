//! Export, end to end: the CLI writes every format from the N1000 preset, GDAL's `ogrinfo`
//! reads each back (same ids, scores, geometries within 1 cm, Norwegian letters intact),
//! the API export selects exactly what the items endpoint selects, and bad requests are
//! refused without touching existing files.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// One feature as `ogrinfo -al` prints it.
#[derive(Debug, Default, Clone)]
struct Read {
    fields: HashMap<String, String>,
    point: Option<(f64, f64)>,
}

/// Every feature of `layer` in `path`, read by GDAL's own command-line tool.
fn ogrinfo(path: &Path, layer: Option<&str>) -> Vec<Read> {
    let mut cmd = std::process::Command::new("ogrinfo");
    cmd.args(["-ro", "-al", "-q"]).arg(path);
    if let Some(l) = layer {
        cmd.args(["-sql", &format!("SELECT * FROM \"{l}\"")]);
    }
    let o = cmd.output().expect("ogrinfo (gdal-bin) runs");
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let text = String::from_utf8(o.stdout).expect("ogrinfo prints UTF-8");
    let mut out = Vec::new();
    let mut cur: Option<Read> = None;
    for line in text.lines() {
        if line.starts_with("OGRFeature(") {
            out.extend(cur.take());
            cur = Some(Read::default());
        } else if let Some(f) = cur.as_mut() {
            let t = line.trim();
            if let Some(rest) = t.strip_prefix("POINT (") {
                let xy: Vec<f64> = rest
                    .trim_end_matches(')')
                    .split_whitespace()
                    .map(|v| v.parse().unwrap())
                    .collect();
                f.point = Some((xy[0], xy[1]));
            } else if let Some((k, v)) = t.split_once(" = ") {
                let name = k.split(" (").next().unwrap().to_string();
                f.fields.insert(name, v.to_string());
            }
        }
    }
    out.extend(cur);
    out
}

/// The cell centre a grid id names, in EPSG:25833 (`g{x}_{y}`).
fn centre(id: &str) -> (f64, f64) {
    let (x, y) = id.trim_start_matches('g').split_once('_').unwrap();
    (x.parse().unwrap(), y.parse().unwrap())
}

/// The service's own scores for the 2 km study-area grid of mcs-corridor, by id, rounded
/// as the export rounds them.
fn reference() -> &'static HashMap<String, Option<f64>> {
    static R: OnceLock<HashMap<String, Option<f64>>> = OnceLock::new();
    R.get_or_init(|| {
        use energistasjon::catalog::{candidates_collection, CandidateSet, GridSpec};
        use energistasjon::config::{load_profile, RegionConfig};
        use energistasjon::ingest::{load_region, LoadOptions, NoProgress};
        use energistasjon::scoring::{AreaFilter, ScoringContext};
        let config = RegionConfig::load(&common::n1000_preset()).unwrap();
        let (region, _) = load_region(
            &config,
            &LoadOptions {
                data_dir: Some(common::shared_data()),
            },
            &NoProgress,
        );
        let ctx = ScoringContext::new(&region);
        let spec = GridSpec {
            size: 2000.0,
            filter: AreaFilter {
                prefixes: ["03", "31", "32", "33", "39"].map(String::from).to_vec(),
            },
        };
        let profile = load_profile("mcs-corridor").unwrap();
        let c = candidates_collection(&ctx, &profile, CandidateSet::Grid, Some(&spec)).unwrap();
        (0..c.len())
            .map(|i| {
                let score = c.property(i, "score", &ctx).and_then(|v| v.as_f64());
                (
                    c.id_of(i).to_string(),
                    score.map(|s| (s * 1e4).round() / 1e4),
                )
            })
            .collect()
    })
}

fn export_n1000(out: &Path, extra: &[&str]) {
    let region = common::n1000_preset();
    let data = common::shared_data();
    let mut args = vec![
        "--region",
        region.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
        "export",
        "--profile",
        "mcs-corridor",
        "--grid",
        "2000",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    let o = common::run(&args);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    common::assert_no_panic(&o);
}

/// GDAL reprojection of CRS84 lon/lat to EPSG:25833.
fn to_utm33(points: &mut [(f64, f64)]) {
    use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
    let mut src = SpatialRef::from_epsg(4326).unwrap();
    src.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let mut dst = SpatialRef::from_epsg(25833).unwrap();
    dst.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let t = CoordTransform::new(&src, &dst).unwrap();
    let mut xs: Vec<f64> = points.iter().map(|p| p.0).collect();
    let mut ys: Vec<f64> = points.iter().map(|p| p.1).collect();
    t.transform_coords(&mut xs, &mut ys, &mut []).unwrap();
    for (p, (x, y)) in points.iter_mut().zip(xs.into_iter().zip(ys)) {
        *p = (x, y);
    }
}

#[test]
fn every_format_round_trips_through_gdal_with_ids_scores_and_geometry() {
    let dir = tempfile::tempdir().unwrap();
    let expected = reference();
    assert!(expected.len() > 5000, "{}", expected.len());
    for (file, layer, lonlat) in [
        ("c.geojson", None, true),
        ("c.csv", None, true),
        ("c.gpkg", Some("candidates_mcs_corridor_grid"), false),
        ("c.fgb", None, false),
        ("c.shp.zip", None, false),
    ] {
        let path = dir.path().join(file);
        let extra: &[&str] = if file.ends_with(".csv") {
            &["--no-reasons"]
        } else {
            &[]
        };
        export_n1000(&path, extra);
        let mut rows = ogrinfo(&path, layer);
        assert_eq!(rows.len(), expected.len(), "{file}: feature count");
        let ids: HashSet<&str> = rows.iter().map(|r| r.fields["id"].as_str()).collect();
        assert_eq!(ids.len(), rows.len(), "{file}: duplicate ids");
        assert!(
            ids.iter().all(|id| expected.contains_key(*id)),
            "{file}: unknown ids"
        );
        for r in &rows {
            let want = expected[&r.fields["id"]];
            // FlatGeobuf leaves null fields out.
            let got = r.fields.get("score").and_then(|v| v.parse::<f64>().ok());
            match (want, got) {
                (Some(w), Some(g)) => assert!(
                    (w - g).abs() < 1e-9,
                    "{file} {}: {g} vs {w}",
                    r.fields["id"]
                ),
                (None, None) => {}
                other => panic!("{file} {}: {other:?}", r.fields["id"]),
            }
        }
        // Geometry: the CSV's WKT is read as a field, GeoJSON's as geometry.
        let mut points: Vec<(f64, f64)> = rows
            .iter_mut()
            .map(|r| {
                r.point
                    .or_else(|| {
                        let wkt = r.fields.get("WKT")?;
                        let xy: Vec<f64> = wkt
                            .trim_start_matches("POINT (")
                            .trim_end_matches(')')
                            .split_whitespace()
                            .map(|v| v.parse().unwrap())
                            .collect();
                        Some((xy[0], xy[1]))
                    })
                    .unwrap_or_else(|| panic!("{file}: a feature without a point"))
            })
            .collect();
        if lonlat {
            for (x, y) in &points {
                assert!((-180.0..=180.0).contains(x) && (-90.0..=90.0).contains(y));
            }
            to_utm33(&mut points);
        }
        for (r, (x, y)) in rows.iter().zip(&points) {
            let (cx, cy) = centre(&r.fields["id"]);
            assert!(
                (x - cx).abs() < 0.01 && (y - cy).abs() < 0.01,
                "{file} {}: ({x}, {y}) is not within 1 cm of ({cx}, {cy})",
                r.fields["id"]
            );
        }
        // Norwegian letters survive, in CSV and Shapefile too.
        let name_field = if file.ends_with(".shp.zip") {
            "kommunenav"
        } else {
            "kommunenavn"
        };
        let names: HashSet<&str> = rows
            .iter()
            .filter_map(|r| r.fields.get(name_field))
            .map(String::as_str)
            .collect();
        for n in ["Bærum", "Nordre Follo", "Ås"] {
            assert!(names.contains(n), "{file}: {n} is missing from {names:?}");
        }
    }
    // The GeoPackage says what produced it.
    let meta = ogrinfo(&dir.path().join("c.gpkg"), Some("metadata"));
    let meta: HashMap<&str, &str> = meta
        .iter()
        .map(|r| (r.fields["key"].as_str(), r.fields["value"].as_str()))
        .collect();
    assert_eq!(meta["profile"], "mcs-corridor");
    assert!(
        meta["weights"].contains("\"main_road\":10")
            && meta["weights"].contains("\"corridor_access\":15"),
        "{}",
        meta["weights"]
    );
    assert_eq!(meta["data_version"].len(), 16);
    // Others carry a sidecar; the Shapefile zip holds it with the field-name mapping.
    let sidecar: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("c.csv.metadata.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(sidecar["profile"], "mcs-corridor");
    let list = std::process::Command::new("unzip")
        .arg("-l")
        .arg(dir.path().join("c.shp.zip"))
        .output()
        .expect("unzip runs (scripts/test.sh installs it)");
    let names = common::text(&list.stdout);
    for f in [
        ".shp",
        ".shx",
        ".dbf",
        ".prj",
        ".cpg",
        "fields.csv",
        "metadata.json",
    ] {
        assert!(names.contains(f), "{f} missing from the zip: {names}");
    }
}

#[test]
fn geojson_export_follows_rfc_7946_for_polygons() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("depot.geojson");
    let o = common::run(&[
        "export",
        "--profile",
        "depot",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(doc.get("crs").is_none(), "RFC 7946 has no crs member");
    let features = doc["features"].as_array().unwrap();
    assert!(features.len() > 50);
    for f in features {
        let ring = f["geometry"]["coordinates"][0].as_array().unwrap();
        let pts: Vec<(f64, f64)> = ring
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
            .collect();
        let area: f64 = pts
            .windows(2)
            .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
            .sum();
        assert!(area > 0.0, "{}: exterior ring is clockwise", f["id"]);
        for (x, y) in pts {
            assert!((-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y));
            assert!(
                ((x * 1e7).round() - x * 1e7).abs() < 1e-3,
                "more than 7 decimals: {x}"
            );
        }
    }
    // Best first, like the ranking.
    let scores: Vec<f64> = features
        .iter()
        .filter_map(|f| f["properties"]["score"].as_f64())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]));
}

async fn get(uri: &str) -> (StatusCode, String, Vec<u8>) {
    let resp = energistasjon::api::router(common::demo_state())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let ctype = resp.headers()["content-type"].to_str().unwrap().to_string();
    (
        status,
        ctype,
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
}

#[tokio::test]
async fn api_export_selects_exactly_what_the_items_endpoint_selects() {
    for filter in [
        "min_score=60",
        "kommunenummer=3201",
        "bbox=10.4,59.8,11.0,60.1&min_score=40",
        "excluded=true",
    ] {
        let (s, _, items) = get(&format!(
            "/collections/candidates-depot/items?limit=10000&{filter}"
        ))
        .await;
        assert_eq!(s, StatusCode::OK);
        let items: serde_json::Value = serde_json::from_slice(&items).unwrap();
        let want: BTreeMap<String, serde_json::Value> = items["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["id"].as_str().unwrap().to_string(),
                    f["properties"]["score"].clone(),
                )
            })
            .collect();
        let (s, ctype, body) = get(&format!(
            "/api/export?profile=depot&format=geojson&{filter}"
        ))
        .await;
        assert_eq!(s, StatusCode::OK, "{filter}");
        assert_eq!(ctype, "application/geo+json");
        let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let got: BTreeMap<String, serde_json::Value> = doc["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["id"].as_str().unwrap().to_string(),
                    f["properties"]["score"].clone(),
                )
            })
            .collect();
        assert!(!want.is_empty(), "{filter}");
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "{filter}"
        );
        for (id, score) in &want {
            match (score.as_f64(), got[id].as_f64()) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-4, "{filter} {id}"),
                (None, None) => {}
                other => panic!("{filter} {id}: {other:?}"),
            }
        }
        assert_eq!(doc["metadata"]["profile"], "depot");
    }
    // A GeoPackage through the API, read back by GDAL.
    let (s, ctype, body) = get("/api/export?profile=depot&format=gpkg&kommunenummer=3201").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ctype, "application/geopackage+sqlite3");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.gpkg");
    std::fs::write(&path, body).unwrap();
    let rows = ogrinfo(&path, Some("candidates_depot"));
    assert!(!rows.is_empty());
    assert!(rows
        .iter()
        .all(|r| r.fields["kommunenummer"] == "3201" && r.fields["kommunenavn"] == "Bærum"));
}

#[tokio::test]
async fn api_export_refuses_bad_requests_with_problem_json() {
    for (uri, parameter, words) in [
        (
            "/api/export?profile=depot&format=xlsx",
            "format",
            "unknown format 'xlsx'",
        ),
        (
            "/api/export?profile=depot&format=geojson&crs=EPSG:25832",
            "crs",
            "always CRS84",
        ),
        (
            "/api/export?profile=depot&format=gpkg&crs=EPSG:999999",
            "crs",
            "not a known EPSG code",
        ),
        (
            "/api/export?profile=tram",
            "profile",
            "no collection 'candidates-tram'",
        ),
        (
            "/api/export?profile=depot&candidates=grid",
            "candidates",
            "--grid",
        ),
        (
            "/api/export?profile=depot&limit=10",
            "limit",
            "every selected feature",
        ),
        (
            "/api/export?profile=depot&min_score=high",
            "min_score",
            "not a number",
        ),
        (
            "/api/export?profile=depot&csv_geometry=geohash",
            "csv_geometry",
            "wkt or lonlat",
        ),
    ] {
        let (s, ctype, body) = get(uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(ctype, "application/problem+json", "{uri}");
        let p: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(p["parameter"], parameter, "{uri}: {p}");
        assert!(p["detail"].as_str().unwrap().contains(words), "{uri}: {p}");
    }
}

#[test]
fn the_cli_refuses_an_unknown_format_a_missing_folder_and_overwriting_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.xlsx");
    let o = common::run(&[
        "export",
        "--profile",
        "depot",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", common::text(&o.stderr));
    assert!(
        common::text(&o.stderr).contains(".shp.zip"),
        "{}",
        common::text(&o.stderr)
    );
    let o = common::run(&[
        "export",
        "--profile",
        "depot",
        "--format",
        "xlsx",
        "--out",
        "x.gpkg",
    ]);
    assert!(
        common::text(&o.stderr).contains("unknown format 'xlsx'"),
        "{}",
        common::text(&o.stderr)
    );

    let missing = dir.path().join("no/such/folder/x.gpkg");
    let o = common::run(&[
        "export",
        "--profile",
        "depot",
        "--out",
        missing.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(
        common::text(&o.stderr).contains("folder"),
        "{}",
        common::text(&o.stderr)
    );

    let existing = dir.path().join("keep.gpkg");
    std::fs::write(&existing, b"precious").unwrap();
    let o = common::run(&[
        "export",
        "--profile",
        "depot",
        "--out",
        existing.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(
        common::text(&o.stderr).contains("--force"),
        "{}",
        common::text(&o.stderr)
    );
    assert_eq!(
        std::fs::read(&existing).unwrap(),
        b"precious",
        "the file was touched"
    );
    let o = common::run(&[
        "export",
        "--profile",
        "depot",
        "--force",
        "--out",
        existing.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    assert!(ogrinfo(&existing, Some("candidates_depot")).len() > 50);

    let o = common::run(&[
        "export",
        "--profile",
        "depot",
        "--format",
        "geojson",
        "--crs",
        "EPSG:25832",
        "--out",
        dir.path().join("y.geojson").to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(
        common::text(&o.stderr).contains("RFC 7946"),
        "{}",
        common::text(&o.stderr)
    );
    common::assert_no_panic(&o);
}

#[test]
fn an_input_layer_exports_with_its_own_properties() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("kommuner.fgb");
    let o = common::run(&[
        "export",
        "--layer",
        "municipalities",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let rows = ogrinfo(&out, None);
    assert_eq!(rows.len(), 29);
    assert!(
        rows.iter()
            .any(|r| r.fields.get("name").map(String::as_str) == Some("Bærum")),
        "{:?}",
        rows[0]
    );
    let o = common::run(&[
        "export",
        "--layer",
        "railways",
        "--out",
        dir.path().join("r.gpkg").to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(
        common::text(&o.stderr).contains("the layers are"),
        "{}",
        common::text(&o.stderr)
    );
}

#[tokio::test]
async fn a_gzip_compressed_export_arrives_whole() {
    // Browsers ask for gzip; the streamed body must end cleanly through the compression
    // layer (it once panicked after the last chunk, and the browser cancelled the download).
    use std::io::Read;
    for format in ["geojson", "csv"] {
        let resp = energistasjon::api::router(common::demo_state())
            .oneshot(
                Request::get(format!("/api/export?profile=depot&format={format}"))
                    .header("accept-encoding", "gzip")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["content-encoding"], "gzip");
        let zipped = resp.into_body().collect().await.unwrap().to_bytes();
        let mut text = String::new();
        flate2::read::GzDecoder::new(&zipped[..])
            .read_to_string(&mut text)
            .unwrap();
        let (_, _, plain) = get(&format!("/api/export?profile=depot&format={format}")).await;
        let plain = String::from_utf8(plain).unwrap();
        // Equal but for the export time in the GeoJSON metadata, which keeps its length.
        assert_eq!(text.len(), plain.len(), "{format}");
        if format == "geojson" {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert!(!v["features"].as_array().unwrap().is_empty());
        } else {
            assert_eq!(text, plain);
        }
    }
}
