//! Real traffic in the heavy-traffic criterion: NVDB Trafikkmengde (object type 540) as GML,
//! Statens vegvesen's hourly counts at Oslo's counting points, and bad traffic input.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

fn gml() -> PathBuf {
    common::shared_data().join("traffic/nvdb_trafikkmengde_sample/Trafikkmengde.gml")
}

/// A Gudbrandsdalen region: one rectangle as its municipality, N1000 roads, and the NVDB
/// GML as its traffic layer, mapped as a user would map it.
fn gudbrandsdalen(dir: &Path) -> PathBuf {
    std::fs::write(
        dir.join("kommune.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"nr":"3431","navn":"Gudbrandsdalen"},"geometry":{"type":"Polygon","coordinates":[[[9.0,61.2],[10.8,61.2],[10.8,61.9],[9.0,61.9],[9.0,61.2]]]}}]}"#,
    )
    .unwrap();
    let config = format!(
        r#"[region]
name = "Gudbrandsdalen"

[[layers]]
role = "boundary"
source = "kommune.geojson"
[layers.fields]
number = "nr"
name = "navn"

[[layers]]
role = "roads"
source = "{roads}"
[layers.fields]
category = {{ field = "vegkategori", default = "other" }}
number = "vegnummer"

[[layers]]
role = "traffic"
label = "NVDB trafikkmengde"
source = "{gml}"
layer = "Trafikkmengde"
id_field = "lokalId"
[layers.fields]
aadt = "ådtTotal"
heavy_share = {{ field = "ådtAndelLangeKjøretøy", scale = 0.01 }}
year = "årGjelderFor"
category = "vegkategori"
number = "vegnummer"
"#,
        roads = common::shared_data()
            .join("roads/N1000_Veglenke.geojson")
            .display(),
        gml = gml().display(),
    );
    let path = dir.join("region.toml");
    std::fs::write(&path, config).unwrap();
    path
}

#[test]
fn all_120_nvdb_links_import_with_their_aadt_and_heavy_share() {
    use energistasjon::config::RegionConfig;
    use energistasjon::ingest::{load_region, LoadOptions, NoProgress};
    let dir = tempfile::tempdir().unwrap();
    let config = RegionConfig::load(&gudbrandsdalen(dir.path())).unwrap();
    let (region, report) = load_region(&config, &LoadOptions::default(), &NoProgress);
    assert!(report.is_usable(), "{:?}", report.layers);
    let layer = report
        .layers
        .iter()
        .find(|l| l.label == "NVDB trafikkmengde")
        .unwrap();
    assert_eq!(
        (layer.read, layer.loaded, layer.skipped),
        (120, 120, 0),
        "{:?}",
        layer.issues
    );
    assert_eq!(region.traffic.len(), 120);
    for t in &region.traffic {
        assert!(t.attrs.aadt > 0.0, "{}: {:?}", t.id, t.attrs);
        let share = t
            .attrs
            .heavy_share
            .unwrap_or_else(|| panic!("{} has no heavy share", t.id));
        assert!((0.0..=1.0).contains(&share), "{}: {share}", t.id);
    }
    // `ogr2ogr -f CSV /vsistdout/ Trafikkmengde.gml -select årGjelderFor | sort | uniq -c`
    let mut years = std::collections::BTreeMap::new();
    for t in &region.traffic {
        *years.entry(t.attrs.year).or_insert(0) += 1;
    }
    assert_eq!(
        years.into_iter().collect::<Vec<_>>(),
        [(Some(2009), 1), (Some(2010), 2), (Some(2015), 117)]
    );
    // By hand from the GML: lokalId 90355211 is E6 with ådtTotal 7376 and 18 % long vehicles.
    let link = region.traffic.iter().find(|t| t.id == "90355211").unwrap();
    assert_eq!(link.attrs.aadt, 7376.0);
    assert_eq!(link.attrs.heavy_share, Some(0.18));
    assert_eq!(link.attrs.reference().as_deref(), Some("E6"));
}

/// Score one candidate point (EPSG:25833) with mcs-corridor and return its properties.
fn score_at(region: &Path, dir: &Path, x: f64, y: f64, data_dir: Option<&Path>) -> Value {
    let site = dir.join("site.geojson");
    std::fs::write(
        &site,
        format!(
            r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::25833"}}}},"features":[{{"type":"Feature","properties":{{"name":"site"}},"geometry":{{"type":"Point","coordinates":[{x},{y}]}}}}]}}"#
        ),
    )
    .unwrap();
    let out = dir.join("scored.geojson");
    let mut args = vec!["--region".to_string(), region.display().to_string()];
    if let Some(d) = data_dir {
        args.extend(["--data-dir".into(), d.display().to_string()]);
    }
    args.extend(
        [
            "score",
            "--profile",
            "mcs-corridor",
            "--candidates",
            site.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--force",
        ]
        .map(String::from),
    );
    let o = common::run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    common::assert_no_panic(&o);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    v["features"][0]["properties"].clone()
}

#[test]
fn a_candidate_next_to_an_nvdb_link_gets_that_links_heavy_aadt() {
    use energistasjon::config::RegionConfig;
    use energistasjon::ingest::{load_region, LoadOptions, NoProgress};
    use geo::{Euclidean, Geometry, InterpolateLine};
    let dir = tempfile::tempdir().unwrap();
    let region_path = gudbrandsdalen(dir.path());
    let config = RegionConfig::load(&region_path).unwrap();
    let (region, _) = load_region(&config, &LoadOptions::default(), &NoProgress);
    let link = region.traffic.iter().find(|t| t.id == "90355211").unwrap();
    let Geometry::LineString(line) = &link.geometry else {
        panic!("{:?}", link.geometry)
    };
    // 30 m east of the link's midpoint.
    let mid = Euclidean.point_at_ratio_from_start(line, 0.5).unwrap();
    let p = score_at(&region_path, dir.path(), mid.x() + 30.0, mid.y(), None);
    // By hand: 7 376 vehicles/day × 18 % = 1 327.68 heavy vehicles/day.
    assert_eq!(p["heavy_traffic_raw"].as_f64(), Some(1327.68), "{p}");
    assert_eq!(p["heavy_traffic_source"], "measured", "{p}");
    assert_eq!(p["heavy_traffic_year"], 2015, "{p}");
    let reason = p["heavy_traffic_reason"].as_str().unwrap();
    assert!(
        reason.contains("NVDB 90355211") && reason.contains("18 % lange kjøretøy"),
        "{reason}"
    );
    assert!(
        reason.contains("7 376") && reason.contains("1 328 tunge/døgn"),
        "{reason}"
    );
}

/// `check-data --json` on the N1000 preset: the traffic summary's attached points.
fn n1000_traffic() -> Value {
    let o = common::n1000(&["check-data", "--json"]);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["traffic"].clone()
}

#[test]
fn the_computed_aadt_of_five_oslo_points_equals_a_hand_calculation_from_the_csv() {
    let traffic = n1000_traffic();
    let attached = traffic["attached"].as_array().unwrap();
    // Day sums by hand from traffic_20260511_2252.csv.gz (24 hours of coverage 100 each):
    // Sunday 12 April, then Monday to Wednesday 13–15 April 2026. ÅDT = 5/7 of the mean
    // weekday + 2/7 of the Sunday.
    let hand = [
        ("13447V625213", 66_574.0, [86_165.0, 87_206.0, 87_143.0]),
        ("52231V625294", 63_061.0, [84_283.0, 88_021.0, 93_452.0]),
        ("10254V625614", 963.0, [7_213.0, 7_458.0, 7_525.0]),
        ("03375V625405", 39_112.0, [54_101.0, 54_988.0, 55_425.0]),
        ("79854V625215", 46_989.0, [55_196.0, 56_348.0, 57_378.0]),
    ];
    for (id, sunday, weekdays) in hand {
        let expected = weekdays.iter().sum::<f64>() / 3.0 * 5.0 / 7.0 + sunday * 2.0 / 7.0;
        let p = attached
            .iter()
            .find(|p| p["id"] == id)
            .unwrap_or_else(|| panic!("{id} is not attached: {traffic}"));
        let got = p["aadt"].as_f64().unwrap();
        assert!((got - expected).abs() < 1e-6, "{id}: {got} vs {expected}");
        assert_eq!(p["period"], "2026-04-12–2026-04-15");
    }
}

#[test]
fn ramps_bicycle_counters_and_unpaired_directions_are_left_out_with_their_reasons() {
    let o = common::n1000(&["check-data", "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let layer = v["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["role"] == "traffic")
        .unwrap();
    let why = |id: &str| {
        layer["issues"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["feature"].as_str().unwrap().starts_with(id))
            .map(|i| i["message"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("{id} is not reported"))
    };
    assert!(why("36449V625237").contains("a ramp"));
    assert!(why("70429B619257").contains("bicycle"));
    assert!(why("04477V625649").contains("no complete day"));
    // Two one-direction points of E6 at Sandstuveien count as one, both directions.
    let traffic = &v["traffic"];
    let pair = traffic["attached"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "87424V625212+87434V625212")
        .unwrap_or_else(|| panic!("{traffic}"));
    assert_eq!(pair["road"], "E6");
    // A point whose name gives no road is not attached.
    assert!(traffic["unattached"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == "12357V625212"
            && p["reason"].as_str().unwrap().contains("gives no road")));
}

#[test]
fn on_n1000_e6_manglerud_is_counted_and_e18_by_larvik_is_estimated() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("sites.geojson");
    std::fs::write(
        &site,
        r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"manglerud","name":"Manglerud"},"geometry":{"type":"Point","coordinates":[10.8185,59.9005]}},
{"type":"Feature","properties":{"id":"larvik","name":"Larvik"},"geometry":{"type":"Point","coordinates":[10.0605,59.0862]}}]}"#,
    )
    .unwrap();
    let out = dir.path().join("scored.geojson");
    let o = common::n1000(&[
        "score",
        "--profile",
        "mcs-corridor",
        "--candidates",
        site.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let by_id = |id: &str| {
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["properties"]["id"] == id)
            .unwrap()["properties"]
            .clone()
    };
    let m = by_id("manglerud");
    assert_eq!(m["heavy_traffic_source"], "counted", "{m}");
    assert_eq!(m["heavy_traffic_year"], 2026);
    let reason = m["heavy_traffic_reason"].as_str().unwrap();
    assert!(
        reason.starts_with(
            "E6 Manglerud: 81 048 kjøretøy/døgn målt (tellepunkt 13447V625213, april 2026"
        ),
        "{reason}"
    );
    assert!(
        reason.contains("10 % tunge antatt → 8 105 tunge/døgn"),
        "{reason}"
    );
    // 81 048.29 vehicles/day × the assumed 10 %.
    assert_eq!(m["heavy_traffic_raw"].as_f64(), Some(8104.83));

    let l = by_id("larvik");
    assert_eq!(l["heavy_traffic_source"], "estimated", "{l}");
    assert!(l["heavy_traffic_year"].is_null());
    let reason = l["heavy_traffic_reason"].as_str().unwrap();
    assert!(
        reason.starts_with("E18: anslått 2 500 tunge kjøretøy/døgn"),
        "{reason}"
    );
}

/// `check-data` on a region of one traffic layer; returns (success, stdout + stderr).
fn check(dir: &Path, layer: &str) -> (bool, String) {
    let region = common::write_region(dir, layer);
    let o = common::run(&["--region", region.to_str().unwrap(), "check-data"]);
    common::assert_no_panic(&o);
    (
        o.status.success(),
        format!("{}{}", common::text(&o.stdout), common::text(&o.stderr)),
    )
}

const SEGMENTS_LAYER: &str = r#"[[layers]]
role = "traffic"
source = "segments.geojson"
id_field = "id"
[layers.fields]
aadt = "adt"
heavy_share = { field = "andel", scale = 0.01 }
"#;

fn segments(dir: &Path, bad: &str) {
    std::fs::write(
        dir.join("segments.geojson"),
        format!(
            r#"{{"type":"FeatureCollection","features":[
{{"type":"Feature","properties":{{"id":"ok","adt":5000,"andel":12}},"geometry":{{"type":"LineString","coordinates":[[10.7,59.9],[10.8,59.9]]}}}},
{{"type":"Feature","properties":{{"id":"bad",{bad}}},"geometry":{{"type":"LineString","coordinates":[[10.7,59.95],[10.8,59.95]]}}}}]}}"#
        ),
    )
    .unwrap();
}

#[test]
fn a_heavy_share_over_100_percent_is_refused_with_its_file_feature_and_field() {
    let dir = tempfile::tempdir().unwrap();
    segments(dir.path(), r#""adt":5000,"andel":120"#);
    let (_, text) = check(dir.path(), SEGMENTS_LAYER);
    assert!(text.contains("segments.geojson"), "{text}");
    assert!(text.contains("feature bad, field 'andel'"), "{text}");
    assert!(text.contains("heavy share 1.2 is outside 0–1"), "{text}");
    assert!(
        text.contains("traffic") && text.contains("1 objekter (0 reparert, 1 hoppet over)"),
        "{text}"
    );
}

#[test]
fn a_negative_aadt_is_refused_with_its_file_feature_and_field() {
    let dir = tempfile::tempdir().unwrap();
    segments(dir.path(), r#""adt":-40,"andel":10"#);
    let (_, text) = check(dir.path(), SEGMENTS_LAYER);
    assert!(
        text.contains("feature bad, field 'adt': ÅDT -40 is negative"),
        "{text}"
    );
}

#[test]
fn a_traffic_layer_without_its_mapped_field_names_the_field_and_what_there_is() {
    let dir = tempfile::tempdir().unwrap();
    segments(dir.path(), r#""adt":100,"andel":10"#);
    let (ok, text) = check(
        dir.path(),
        &SEGMENTS_LAYER.replace("\"adt\"", "\"aadt_total\""),
    );
    assert!(!ok, "{text}");
    assert!(
        text.contains("the field 'aadt_total' (mapped to 'aadt') does not exist"),
        "{text}"
    );
    assert!(text.contains("Available fields: id, adt, andel"), "{text}");
}

const COUNTS_LAYER: &str = r#"[[layers]]
role = "traffic"
source = "counts.csv"
format = "trafikkdata"
"#;

/// A day of hourly counts for one point, as trafikkdata writes them.
fn counts_csv(header: &str, broken_row: Option<(usize, &str)>) -> String {
    let mut out = format!("{header}\n");
    for h in 0..24 {
        let row = match broken_row {
            Some((n, text)) if n == h => text.to_string(),
            _ => {
                let to = if h == 23 {
                    "2026-04-14 00:00:00+02:00".to_string()
                } else {
                    format!("2026-04-13 {:02}:00:00+02:00", h + 1)
                };
                format!("13447V625213,2026-04-13 {h:02}:00:00+02:00,{to},100,100.0,E6 Manglerud,59.901192,10.818019")
            }
        };
        out.push_str(&row);
        out.push('\n');
    }
    out
}

const HEADER: &str = "point_id,from,to,volume,coverage,name,lat,lon";

#[test]
fn a_counting_csv_with_a_broken_timestamp_names_its_file_row_and_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("counts.csv"),
        counts_csv(
            HEADER,
            Some((
                4,
                "13447V625213,2026-04-13 4 o'clock,2026-04-13 05:00:00+02:00,100,100.0,E6 Manglerud,59.901192,10.818019",
            )),
        ),
    )
    .unwrap();
    let (ok, text) = check(dir.path(), COUNTS_LAYER);
    assert!(!ok, "{text}");
    assert!(
        text.contains("counts.csv: row 6, field `from`: '2026-04-13 4 o'clock' is not a timestamp"),
        "{text}"
    );
}

#[test]
fn a_counting_csv_with_a_negative_volume_or_a_missing_column_says_which() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("counts.csv"),
        counts_csv(
            HEADER,
            Some((
                0,
                "13447V625213,2026-04-13 00:00:00+02:00,2026-04-13 01:00:00+02:00,-5,100.0,E6 Manglerud,59.901192,10.818019",
            )),
        ),
    )
    .unwrap();
    let (ok, text) = check(dir.path(), COUNTS_LAYER);
    assert!(!ok, "{text}");
    assert!(
        text.contains("row 2, field `volume`: -5 is negative"),
        "{text}"
    );

    std::fs::write(
        dir.path().join("counts.csv"),
        counts_csv("point_id,from,to,volume,name,lat,lon", None).replace(",100.0,", ","),
    )
    .unwrap();
    let (ok, text) = check(dir.path(), COUNTS_LAYER);
    assert!(!ok, "{text}");
    assert!(text.contains("the column `coverage` is missing (the header has: point_id, from, to, volume, name, lat, lon)"), "{text}");
}

/// A small region on a straight E6 (west to east, EPSG:25833): links A–B, B–C, C–D of 2 km
/// each, Rv4 meeting at C, and one counting point with a given ÅDT on A–B.
fn junction_region(dir: &Path) -> PathBuf {
    let crs = r#""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::25833"}}"#;
    std::fs::write(
        dir.join("kommune.geojson"),
        format!(
            r#"{{"type":"FeatureCollection",{crs},"features":[{{"type":"Feature","properties":{{"nr":"0301","navn":"Oslo"}},"geometry":{{"type":"Polygon","coordinates":[[[260000,6640000],[270000,6640000],[270000,6650000],[260000,6650000],[260000,6640000]]]}}}}]}}"#
        ),
    )
    .unwrap();
    let link = |a: f64, b: f64, kat: &str, nr: u32| {
        format!(
            r#"{{"type":"Feature","properties":{{"kat":"{kat}","nr":{nr}}},"geometry":{{"type":"LineString","coordinates":[[{a},6645000],[{b},6645000]]}}}}"#
        )
    };
    std::fs::write(
        dir.join("veg.geojson"),
        format!(
            r#"{{"type":"FeatureCollection",{crs},"features":[{},{},{},{{"type":"Feature","properties":{{"kat":"R","nr":4}},"geometry":{{"type":"LineString","coordinates":[[265000,6645000],[265000,6649000]]}}}}]}}"#,
            link(261000.0, 263000.0, "E", 6),
            link(263000.0, 265000.0, "E", 6),
            link(265000.0, 267000.0, "E", 6),
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("punkt.geojson"),
        format!(
            r#"{{"type":"FeatureCollection",{crs},"features":[{{"type":"Feature","properties":{{"id":"P1","adt":50000,"veg":"E","nr":6,"aar":2024}},"geometry":{{"type":"Point","coordinates":[262000,6645040]}}}}]}}"#
        ),
    )
    .unwrap();
    common::write_region(
        dir,
        &(common::BOUNDARY_LAYER.to_string()
            + "\n"
            + &common::roads_layer("veg.geojson")
            + r#"
[[layers]]
role = "traffic"
source = "punkt.geojson"
id_field = "id"
[layers.fields]
aadt = "adt"
category = "veg"
number = "nr"
year = "aar"
"#),
    )
}

#[test]
fn a_counted_value_carries_along_its_road_and_stops_at_a_junction_with_another_main_road() {
    let dir = tempfile::tempdir().unwrap();
    let region = junction_region(dir.path());
    // On the point's own link: its ÅDT, the heavy share assumed for E roads (10 %).
    let own = score_at(&region, dir.path(), 262_500.0, 6_645_100.0, None);
    assert_eq!(own["heavy_traffic_raw"].as_f64(), Some(5000.0), "{own}");
    assert_eq!(own["heavy_traffic_source"], "measured");
    assert_eq!(own["heavy_traffic_year"], 2024);
    let reason = own["heavy_traffic_reason"].as_str().unwrap();
    assert_eq!(
        reason,
        "E6: ÅDT 50 000 kjøretøy/døgn (punkt P1, 2024), 10 % tunge antatt → 5 000 tunge/døgn"
    );
    // The next link of E6, before the junction: the same value, carried.
    let next = score_at(&region, dir.path(), 264_000.0, 6_644_900.0, None);
    assert_eq!(next["heavy_traffic_raw"].as_f64(), Some(5000.0), "{next}");
    let reason = next["heavy_traffic_reason"].as_str().unwrap();
    assert!(reason.contains("overført 2.0 km langs vegen"), "{reason}");
    // Past the junction with Rv4 the count no longer holds: the road-class estimate.
    let past = score_at(&region, dir.path(), 266_000.0, 6_644_900.0, None);
    assert_eq!(past["heavy_traffic_source"], "estimated", "{past}");
    assert_eq!(past["heavy_traffic_raw"].as_f64(), Some(2500.0));
}
