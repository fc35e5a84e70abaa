//! Bad input, one test per case, through the CLI a planner runs. Each message names
//! the file, the layer, the feature and the field, and says what to do; nothing panics.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{assert_no_panic, text};

const BOUNDARY_FIELDS: &str =
    "[layers.fields]\nnumber = \"kommunenummer\"\nname = \"kommunenavn\"\n";

fn boundary_layer(source: &str, extra: &str) -> String {
    format!("[[layers]]\nrole = \"boundary\"\nsource = \"{source}\"\n{extra}{BOUNDARY_FIELDS}")
}

fn landuse_layer(source: &str) -> String {
    format!(
        "[[layers]]\nrole = \"landuse\"\nsource = \"{source}\"\nid_field = \"pid\"\n[layers.fields]\nclass = {{ field = \"arealformal\", table = \"sosi-arealformal\" }}\n"
    )
}

fn feature(pid: &str, code: &str, geometry: &str) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{"pid":"{pid}","arealformal":{code}}},"geometry":{geometry}}}"#
    )
}

const GOOD_SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[10.84,59.93],[10.85,59.93],[10.85,59.94],[10.84,59.94],[10.84,59.93]]]}"#;

fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

fn parcels(dir: &Path, features: &[String]) -> PathBuf {
    write(
        dir,
        "parcels.geojson",
        &format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        ),
    )
}

fn check(dir: &Path, layer: &str) -> Output {
    let region = common::write_region(dir, layer);
    let out = common::run(&[
        "--lang",
        "en",
        "check-data",
        "--region",
        region.to_str().unwrap(),
    ]);
    assert_no_panic(&out);
    out
}

fn stdout(o: &Output) -> String {
    text(&o.stdout)
}

#[test]
fn a_missing_file_names_the_path_and_fails_the_layer() {
    let dir = tempfile::tempdir().unwrap();
    let out = check(dir.path(), &boundary_layer("kommuner.geojson", ""));
    assert_eq!(out.status.code(), Some(1));
    let report = stdout(&out);
    assert!(report.contains("file not found"), "{report}");
    assert!(
        report.contains(&dir.path().join("kommuner.geojson").display().to_string()),
        "{report}"
    );
    assert!(report.contains("Hint: check the `source` path"), "{report}");
    assert!(
        text(&out.stderr).contains("1 required layers cannot be used: boundary"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_file_gdal_cannot_open_says_so_and_how_to_check_it() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "kommuner.geojson",
        "this is not GeoJSON, it is a note to self\n",
    );
    let out = check(dir.path(), &boundary_layer("kommuner.geojson", ""));
    assert_eq!(out.status.code(), Some(1));
    let report = stdout(&out);
    assert!(report.contains("GDAL cannot open"), "{report}");
    assert!(report.contains("kommuner.geojson"), "{report}");
    assert!(report.contains("ogrinfo"), "{report}");
}

#[test]
fn a_missing_mapped_attribute_names_the_field_and_the_nearest_one() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "kommuner.geojson",
        &format!(
            r#"{{"type":"FeatureCollection","name":"kommuner","features":[{{"type":"Feature","properties":{{"kommunenummer":"0301","kommunenamn":"Oslo"}},"geometry":{GOOD_SQUARE}}}]}}"#
        ),
    );
    let out = check(dir.path(), &boundary_layer("kommuner.geojson", ""));
    assert_eq!(out.status.code(), Some(1));
    let report = stdout(&out);
    assert!(report.contains("layer 'kommuner'"), "{report}");
    assert!(
        report.contains("the field 'kommunenavn' (mapped to 'name') does not exist"),
        "{report}"
    );
    assert!(report.contains("Did you mean 'kommunenamn'?"), "{report}");
    assert!(report.contains("[layers.fields]"), "{report}");
}

#[test]
fn a_layer_without_a_crs_asks_for_srs_in_the_config() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "kommuner.csv",
        "WKT,kommunenummer,kommunenavn\n\"POLYGON ((262000 6649000,263000 6649000,263000 6650000,262000 6650000,262000 6649000))\",0301,Oslo\n",
    );
    let out = check(dir.path(), &boundary_layer("kommuner.csv", ""));
    assert_eq!(out.status.code(), Some(1));
    let report = stdout(&out);
    assert!(
        report.contains("kommuner.csv, layer 'kommuner' has no CRS"),
        "{report}"
    );
    assert!(report.contains("add `srs = \"EPSG:4326\"`"), "{report}");

    // With the CRS given, the same file loads.
    let out = check(
        dir.path(),
        &boundary_layer("kommuner.csv", "srs = \"EPSG:25833\"\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn a_self_intersecting_polygon_is_repaired_and_reported_with_its_feature_id() {
    let dir = tempfile::tempdir().unwrap();
    let bowtie = r#"{"type":"Polygon","coordinates":[[[10.80,59.90],[10.82,59.92],[10.82,59.90],[10.80,59.92],[10.80,59.90]]]}"#;
    parcels(
        dir.path(),
        &[
            feature("ok-1", "1340", GOOD_SQUARE),
            feature("bowtie-7", "1300", bowtie),
        ],
    );
    let out = check(dir.path(), &landuse_layer("parcels.geojson"));
    assert_eq!(out.status.code(), Some(0), "a repaired layer is usable");
    let report = stdout(&out);
    assert!(report.contains("[repaired]"), "{report}");
    assert!(
        report.contains("parcels.geojson, layer 'parcels', feature bowtie-7"),
        "{report}"
    );
    assert!(report.contains("self-intersection"), "{report}");
    let json = common::run(&[
        "check-data",
        "--json",
        "--region",
        dir.path().join("region.toml").to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["layers"][0]["loaded"], 2);
    assert_eq!(v["layers"][0]["repaired"], 1);
    assert_eq!(v["layers"][0]["issues"][0]["feature"], "bowtie-7");
}

#[test]
fn an_empty_geometry_is_skipped_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let empty = r#"{"type":"Polygon","coordinates":[]}"#;
    parcels(
        dir.path(),
        &[
            feature("ok-1", "1340", GOOD_SQUARE),
            feature("empty-3", "1340", empty),
        ],
    );
    let out = check(dir.path(), &landuse_layer("parcels.geojson"));
    assert_eq!(out.status.code(), Some(0));
    let report = stdout(&out);
    assert!(report.contains("[skipped]"), "{report}");
    assert!(
        report.contains("feature empty-3: the geometry is empty"),
        "{report}"
    );
}

#[test]
fn coordinates_out_of_range_are_skipped_with_a_hint_about_the_crs() {
    let dir = tempfile::tempdir().unwrap();
    // UTM metres written into a lon/lat GeoJSON: a classic mix-up.
    let utm = r#"{"type":"Polygon","coordinates":[[[262000,6649000],[263000,6649000],[263000,6650000],[262000,6649000]]]}"#;
    parcels(
        dir.path(),
        &[
            feature("ok-1", "1340", GOOD_SQUARE),
            feature("utm-2", "1340", utm),
        ],
    );
    let out = check(dir.path(), &landuse_layer("parcels.geojson"));
    assert_eq!(out.status.code(), Some(0));
    let report = stdout(&out);
    assert!(
        report.contains("feature utm-2: coordinates out of range"),
        "{report}"
    );
    assert!(report.contains("srs_override"), "{report}");
}

#[test]
fn an_unknown_class_code_names_the_field_and_the_table_to_extend() {
    let dir = tempfile::tempdir().unwrap();
    parcels(
        dir.path(),
        &[
            feature("ok-1", "1340", GOOD_SQUARE),
            feature("odd-4", "9999", GOOD_SQUARE),
        ],
    );
    let out = check(dir.path(), &landuse_layer("parcels.geojson"));
    assert_eq!(out.status.code(), Some(0), "the layer is still usable");
    let report = stdout(&out);
    assert!(report.contains("[warning]"), "{report}");
    assert!(
        report.contains("feature odd-4, field 'arealformal': unknown code '9999'"),
        "{report}"
    );
    assert!(report.contains("sosi-arealformal"), "{report}");
}

#[test]
fn a_layer_whose_every_feature_is_unusable_fails() {
    let dir = tempfile::tempdir().unwrap();
    let empty = r#"{"type":"Polygon","coordinates":[]}"#;
    parcels(dir.path(), &[feature("empty-1", "1340", empty)]);
    let out = check(dir.path(), &landuse_layer("parcels.geojson"));
    assert_eq!(out.status.code(), Some(1));
    let report = stdout(&out);
    assert!(
        report.contains("none of the 1 features could be used"),
        "{report}"
    );
    assert!(
        report.contains("feature empty-1: the geometry is empty"),
        "{report}"
    );
}

#[test]
fn a_broken_region_config_names_the_line_and_exits_with_two() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "region.toml",
        "[region]\nname = \"x\"\n[[layers]]\nrole = roads\n",
    );
    let out = common::run(&["check-data", "--region", path.to_str().unwrap()]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("region.toml") && err.contains("line 4"),
        "{err}"
    );
}

#[test]
fn a_missing_data_dir_is_asked_for_by_name() {
    let out = common::run(&[
        "check-data",
        "--region",
        common::n1000_preset().to_str().unwrap(),
    ]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("--data-dir"),
        "{}",
        text(&out.stdout)
    );
}
