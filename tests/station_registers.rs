//! Open Charge Map's export as a station layer: the Voss sample is one pool of 22 points with a
//! 350 kW maximum and 1,300 kW in all (7 × 50 + 4 × 150 + 1 × 350 kW, by hand from the file),
//! and the AFIR coverage of a fixture corridor through Voss counts it as the rules say.

mod common;

use serde_json::Value;

fn ocm_sample() -> std::path::PathBuf {
    common::shared_data().join("stations/ocm_sample/OCM-103104.json")
}

/// A one-corridor region through Voss (the sample's site lies on the road), its stations from
/// the OCM sample; `heavy` is the layer's heavy-vehicle flag.
fn voss_region(dir: &std::path::Path, heavy: Option<bool>) -> std::path::PathBuf {
    std::fs::write(
        dir.join("kommune.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"nr":"4621","navn":"Voss"},"geometry":{"type":"Polygon","coordinates":[[[6.2,60.5],[6.7,60.5],[6.7,60.75],[6.2,60.75],[6.2,60.5]]]}}]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("veg.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"kat":"E","nr":16},"geometry":{"type":"LineString","coordinates":[[6.30,60.62758],[6.41762,60.62758],[6.55,60.62758]]}}]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("corridors.toml"),
        "[network]\nsnap_m = 1.0\npoint_snap_m = 1000.0\n\n[[corridor]]\nname = \"E16 Voss\"\nrefs = [\"E16\"]\ntent = \"core\"\nfrom = [6.30, 60.62758]\nto = [6.55, 60.62758]\n",
    )
    .unwrap();
    let heavy = match heavy {
        Some(h) => format!("heavy = {{ value = {h} }}\n"),
        None => String::new(),
    };
    let config = format!(
        r#"[region]
name = "Voss fixture"
corridors = "corridors.toml"

{boundary}
{roads}
[[layers]]
role = "stations"
label = "ocm"
source = "{}"
format = "ocm"
[layers.fields]
{heavy}"#,
        ocm_sample().display(),
        boundary = common::BOUNDARY_LAYER,
        roads = common::roads_layer("veg.geojson"),
    );
    let path = dir.join("region.toml");
    std::fs::write(&path, config).unwrap();
    path
}

#[test]
fn the_ocm_sample_is_one_pool_of_22_points_with_350_kw_at_most_and_1300_kw_in_all() {
    use energistasjon::config::RegionConfig;
    use energistasjon::ingest::{load_region, LoadOptions, NoProgress};
    let dir = tempfile::tempdir().unwrap();
    let config = RegionConfig::load(&voss_region(dir.path(), Some(true))).unwrap();
    let (region, report) = load_region(&config, &LoadOptions::default(), &NoProgress);
    assert!(report.is_usable(), "{:?}", report.layers);
    assert_eq!(region.stations.len(), 1);
    let s = &region.stations[0];
    assert_eq!(s.id, "ocm-103104");
    assert_eq!(s.attrs.name.as_deref(), Some("Tinghusplassen P-plass"));
    assert_eq!(s.attrs.points, Some(22));
    assert_eq!(s.attrs.max_point_kw, Some(350.0));
    assert_eq!(s.attrs.power_kw, Some(1300.0));
    assert!(s.attrs.heavy);
    // In EPSG:25833, as `gdaltransform -s_srs EPSG:4326 -t_srs EPSG:25833` gives for
    // 6.41762 60.62758: 31305.537 6751982.307.
    let geo::Geometry::Point(p) = s.geometry else {
        panic!("not a point")
    };
    assert!(
        (p.x() - 31_305.537).abs() < 0.01 && (p.y() - 6_751_982.307).abs() < 0.01,
        "{p:?}"
    );
}

fn corridor_check(region: &std::path::Path, year: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "--region",
        region.to_str().unwrap(),
        "corridors",
        "--year",
        year,
        "--json",
    ];
    args.extend_from_slice(extra);
    let o = common::run(&args);
    common::assert_no_panic(&o);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["corridors"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["fuel"] == "electric")
        .unwrap()
        .clone()
}

#[test]
fn afir_coverage_counts_the_ocm_pool_by_its_total_power_and_heavy_vehicle_flag() {
    let dir = tempfile::tempdir().unwrap();
    let heavy = voss_region(dir.path(), Some(true));
    // 2025: pools of at least 1,400 kW; the Voss pool has 1,300 kW.
    let c = corridor_check(&heavy, "2025", &[]);
    assert_eq!(c["stations"].as_array().unwrap().len(), 0, "{c}");
    let reason = c["not_counted"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("1300 kW") && reason.contains("1400 kW"),
        "{reason}"
    );
    // Spacing alone: the pool counts, at its place on the corridor.
    let c = corridor_check(&heavy, "2025", &["--ignore-power"]);
    let counted = c["stations"].as_array().unwrap();
    assert_eq!(counted.len(), 1, "{c}");
    assert_eq!(counted[0]["id"], "ocm-103104");
    assert_eq!(counted[0]["power_kw"], 1300.0);
    assert!(counted[0]["access_km"].as_f64().unwrap() < 0.01);
    // OCM has no heavy-vehicle flag: without the layer saying so, the site is a car park.
    let dir2 = tempfile::tempdir().unwrap();
    let cars = voss_region(dir2.path(), None);
    let c = corridor_check(&cars, "2025", &["--ignore-power"]);
    assert_eq!(c["stations"].as_array().unwrap().len(), 0, "{c}");
    assert!(c["not_counted"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("heavy vehicles"));
}

#[test]
fn a_broken_ocm_export_is_named_with_file_and_field_and_nothing_panics() {
    let dir = tempfile::tempdir().unwrap();
    let region = voss_region(dir.path(), Some(true));
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"[{"ID": 1, "AddressInfo": {"Title": "x", "Latitude": 95.0, "Longitude": 6.4}, "Connections": []},
            {"ID": 2, "AddressInfo": {"Title": "y", "Latitude": 60.6, "Longitude": 6.4}, "Connections": [{"PowerKW": 150}]}]"#,
    )
    .unwrap();
    let text = std::fs::read_to_string(&region).unwrap().replace(
        &ocm_sample().display().to_string(),
        &bad.display().to_string(),
    );
    std::fs::write(&region, text).unwrap();
    let o = common::run(&["--region", region.to_str().unwrap(), "check-data", "--json"]);
    common::assert_no_panic(&o);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let layer = v["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["label"] == "ocm")
        .unwrap();
    assert_eq!(
        (layer["read"].as_u64(), layer["loaded"].as_u64()),
        (Some(2), Some(1))
    );
    let issue = &layer["issues"][0];
    assert_eq!(issue["field"], "Latitude");
    assert!(
        issue["feature"]
            .as_str()
            .unwrap()
            .contains("bad.json, site 1"),
        "{issue}"
    );
    // Not JSON at all: the layer fails with the file named.
    std::fs::write(&bad, "{ not json").unwrap();
    let o = common::run(&["--region", region.to_str().unwrap(), "check-data"]);
    common::assert_no_panic(&o);
    assert_ne!(o.status.code(), Some(0));
    let all = format!("{}{}", common::text(&o.stdout), common::text(&o.stderr));
    assert!(
        all.contains("bad.json") && all.contains("not JSON"),
        "{all}"
    );
}

#[test]
fn a_pool_with_enough_power_but_no_350_kw_point_does_not_count() {
    let dir = tempfile::tempdir().unwrap();
    let region = voss_region(dir.path(), Some(true));
    // Ten 150 kW points at the sample's place: 1,500 kW, but no point of 350 kW.
    let slow = dir.path().join("slow.json");
    std::fs::write(
        &slow,
        r#"{"ID": 7, "NumberOfPoints": 10, "AddressInfo": {"Title": "Ti 150 kW", "Latitude": 60.62758, "Longitude": 6.41762},
            "Connections": [{"PowerKW": 150, "Quantity": 10}]}"#,
    )
    .unwrap();
    let text = std::fs::read_to_string(&region).unwrap().replace(
        &ocm_sample().display().to_string(),
        &slow.display().to_string(),
    );
    std::fs::write(&region, text).unwrap();
    let c = corridor_check(&region, "2025", &[]);
    assert_eq!(c["stations"].as_array().unwrap().len(), 0, "{c}");
    let reason = c["not_counted"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("strongest point 150 kW") && reason.contains("350 kW"),
        "{reason}"
    );
}

#[test]
fn a_nobil_dump_reads_as_pools_with_power_per_connector_and_names_a_broken_position() {
    use energistasjon::config::RegionConfig;
    use energistasjon::ingest::{load_region, LoadOptions, NoProgress};
    let dir = tempfile::tempdir().unwrap();
    let dump = common::fixtures().join("nobil-dump.json");
    let region = common::write_region(
        dir.path(),
        &format!(
            "[[layers]]\nrole = \"stations\"\nlabel = \"nobil\"\nsource = \"{}\"\nformat = \"nobil\"\n[layers.fields]\nheavy = {{ value = true }}\n",
            dump.display()
        ),
    );
    let config = RegionConfig::load(&region).unwrap();
    let (region, report) = load_region(&config, &LoadOptions::default(), &NoProgress);
    let layer = &report.layers[0];
    assert_eq!(
        (layer.read, layer.loaded, layer.skipped),
        (2, 1, 1),
        "{layer:?}"
    );
    let issue = &layer.issues[0];
    assert_eq!(issue.field.as_deref(), Some("csmd.Position"));
    assert!(
        issue.message.contains("'(59.9,' is not a position"),
        "{issue:?}"
    );
    let s = &region.stations[0];
    assert_eq!(s.id, "nobil-NOR_90001");
    assert_eq!(s.attrs.name.as_deref(), Some("Testlader Berger"));
    // By hand: 4 × 350 + 50 + √3 × 400 V × 16 A (11.1 kW) = 1 461.1 kW; 6 points.
    assert_eq!(s.attrs.power_kw, Some(1461.1));
    assert_eq!(s.attrs.max_point_kw, Some(350.0));
    assert_eq!(s.attrs.points, Some(6));
    assert!(s.attrs.heavy);
}
