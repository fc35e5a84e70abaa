//! The N1000 preset's logistics hubs (rail freight terminals, logistics parks, air cargo):
//! Alnabru counts as a logistics hub for the depot profile, and its depot score rises
//! through the logistics criterion against the same preset without the hubs layer.

mod common;

use serde_json::Value;

/// A depot score of one point at Alnabru (lon, lat) with the given region config.
fn score_alnabru(region: &std::path::Path, dir: &std::path::Path, tag: &str) -> Value {
    let site = dir.join("alnabru.geojson");
    std::fs::write(
        &site,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Alnabru"},"geometry":{"type":"Point","coordinates":[10.8465,59.9335]}}]}"#,
    )
    .unwrap();
    let out = dir.join(format!("{tag}.geojson"));
    let data = common::shared_data();
    let o = common::run(&[
        "--region",
        region.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
        "score",
        "--profile",
        "depot",
        "--candidates",
        site.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    common::assert_no_panic(&o);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    v["features"][0]["properties"].clone()
}

#[test]
fn alnabru_counts_as_a_logistics_hub_for_depot_and_its_score_rises() {
    let dir = tempfile::tempdir().unwrap();
    let preset = common::n1000_preset();
    let with = score_alnabru(&preset, dir.path(), "with");
    let reason = with["logistics_reason"].as_str().unwrap();
    assert!(reason.contains("Alnabru godsterminal"), "{reason}");
    assert!(with["logistics_raw"].as_f64().unwrap() < 1000.0, "{with}");

    // The same preset without the hubs layer: only the World Port Index ports remain.
    let text = std::fs::read_to_string(&preset).unwrap();
    let cut = text
        .find("# The region's rail freight terminals")
        .expect("the hubs layer is in the preset");
    let folder = preset.parent().unwrap();
    let without = text[..cut]
        .replace(
            "corridors = \"corridors.toml\"",
            &format!(
                "corridors = \"{}\"",
                folder.join("corridors.toml").display()
            ),
        )
        .replace(
            "source = \"../../demo/stations.geojson\"",
            &format!(
                "source = \"{}\"",
                folder.join("../../demo/stations.geojson").display()
            ),
        );
    let region = dir.path().join("without-hubs.toml");
    std::fs::write(&region, without).unwrap();
    let before = score_alnabru(&region, dir.path(), "without");
    assert!(
        !before["logistics_reason"]
            .as_str()
            .unwrap()
            .contains("Alnabru"),
        "{before}"
    );
    let gain =
        with["logistics_points"].as_f64().unwrap() - before["logistics_points"].as_f64().unwrap();
    let rise = with["score"].as_f64().unwrap() - before["score"].as_f64().unwrap();
    assert!(gain > 5.0, "the logistics criterion gains {gain} points");
    // Only the logistics criterion changed, so the score rises by exactly its gain.
    assert!(
        (rise - gain).abs() < 1e-3,
        "score rises {rise}, logistics {gain}"
    );
}
