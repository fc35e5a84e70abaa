//! `energistasjon corridors` and `select` end to end: the AFIR report on N1000 with the
//! demo stations, a selection that closes the 2030 core gaps (checked by feeding its picks
//! back into the gap analysis), and bad corridors files.

mod common;

use std::path::Path;

use serde_json::Value;

fn n1000(args: &[&str]) -> std::process::Output {
    common::n1000(args)
}

fn json(o: &std::process::Output) -> Value {
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// (corridor, from_km, to_km) of every charging gap, on core corridors only or on all.
fn gaps(report: &Value, core_only: bool) -> Vec<(String, f64, f64)> {
    let mut out = Vec::new();
    for c in report["corridors"].as_array().unwrap() {
        if core_only && c["tent"] != "core" {
            continue;
        }
        for k in c["checks"].as_array().unwrap() {
            if k["fuel"] != "electric" {
                continue;
            }
            for g in k["gaps"].as_array().unwrap() {
                out.push((
                    c["name"].as_str().unwrap().to_string(),
                    g["from_km"].as_f64().unwrap(),
                    g["to_km"].as_f64().unwrap(),
                ));
            }
        }
    }
    out
}

#[test]
fn the_n1000_report_lists_the_core_gaps_over_60_km_with_the_demo_stations() {
    let r = json(&n1000(&["corridors", "--year", "2030", "--json"]));
    assert_eq!(r["year"], 2030);
    let gaps = gaps(&r, true);
    // The demo stations are 350–1 200 kW, below the 3 600 kW of a 2030 core pool, so every
    // core corridor longer than 60 km is one gap from end to end.
    let names: Vec<&str> = gaps.iter().map(|g| g.0.as_str()).collect();
    assert_eq!(
        names,
        vec!["E6 Svinesund–Oslo", "E6 Oslo–Minnesund", "E18 Ørje–Oslo"]
    );
    for (_, from, to) in &gaps {
        assert_eq!(*from, 0.0);
        assert!(to - from > 60.0);
    }
    // Every check names its article.
    for c in r["corridors"].as_array().unwrap() {
        for k in c["checks"].as_array().unwrap() {
            let src = k["source"].as_str().unwrap();
            assert!(src.contains("art. 4") || src.contains("art. 6"), "{src}");
        }
    }
    // Spacing alone: Berger, Råde and Vinterbro count on E6 south, which then has no gap.
    let r = json(&n1000(&["corridors", "--ignore-power", "--json"]));
    let e6 = &r["corridors"][0];
    assert_eq!(e6["name"], "E6 Svinesund–Oslo");
    let k = &e6["checks"][0];
    assert_eq!(k["stations"].as_array().unwrap().len(), 3);
    assert!(k["gaps"].as_array().unwrap().is_empty());
    assert_eq!(k["pass"], true);
    // Oslo's urban node has the demo hydrogen station at Alnabru.
    assert_eq!(r["urban_nodes"][0]["stations"][0], "st-alnabru-h2");
    // The text report, in English.
    let o = n1000(&["--lang", "en", "corridors"]);
    let text = common::text(&o.stdout);
    assert!(
        text.contains("E6 Svinesund–Oslo") && text.contains("FAIL"),
        "{text}"
    );
    assert!(text.contains("3600 kW"), "{text}");
}

#[test]
fn select_closes_the_2030_core_gaps_on_n1000_and_the_gap_analysis_agrees() {
    let s = json(&n1000(&[
        "select",
        "--profile",
        "mcs-corridor",
        "--grid",
        "2000",
        "--k",
        "10",
        "--objective",
        "close-gaps",
        "--json",
    ]));
    assert_eq!(s["objective"], "close-gaps");
    assert_eq!(s["method"], "greedy with lazy evaluation");
    let picks: Vec<String> = s["picks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!picks.is_empty());
    for p in s["picks"].as_array().unwrap() {
        assert!(p["gain"].as_f64().unwrap() > 0.0, "{p}");
    }
    // Feed the picks back into the gap analysis: what is left is what select says is left,
    // and every gap left has its reason.
    let r = json(&n1000(&[
        "corridors",
        "--assume",
        &picks.join(","),
        "--json",
    ]));
    let left = gaps(&r, false);
    let reported: Vec<(String, f64, f64)> = s["remaining_gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            assert!(!g["reason"].as_str().unwrap().is_empty());
            (
                g["corridor"].as_str().unwrap().to_string(),
                g["from_km"].as_f64().unwrap(),
                g["to_km"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(left.len(), reported.len(), "{left:?} vs {reported:?}");
    for ((c1, f1, t1), (c2, f2, t2)) in left.iter().zip(&reported) {
        assert_eq!(c1, c2);
        assert!(
            (f1 - f2).abs() < 0.01 && (t1 - t2).abs() < 0.01,
            "{left:?} vs {reported:?}"
        );
    }
    if left.is_empty() {
        assert_eq!(s["objective_after"], 0.0);
    }
    // With ten picks allowed, no core gap over 60 km is left on N1000.
    assert!(gaps(&r, true).is_empty(), "{:?}", gaps(&r, true));
}

/// The demo region in a temporary folder with its own corridors file.
fn demo_with(corridors: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let demo = common::root().join("data/demo");
    for e in std::fs::read_dir(&demo).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "geojson" || x == "toml") {
            std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(dir.path().join("corridors.toml"), corridors).unwrap();
    dir
}

fn corridors_in(dir: &Path) -> std::process::Output {
    let region = dir.join("region.toml");
    let o = common::run(&[
        "--lang",
        "en",
        "--region",
        region.to_str().unwrap(),
        "corridors",
    ]);
    common::assert_no_panic(&o);
    o
}

#[test]
fn a_corridor_ref_missing_from_the_data_is_named_with_the_refs_that_exist() {
    let dir = demo_with(
        "[[corridor]]\nname = \"E99 nowhere\"\nrefs = [\"E99\"]\ntent = \"core\"\nfrom = [10.8, 59.9]\nto = [11.2, 59.1]\n",
    );
    let o = corridors_in(dir.path());
    assert!(!o.status.success());
    let err = common::text(&o.stderr);
    assert!(
        err.contains("corridor 'E99 nowhere'") && err.contains("no link of E99"),
        "{err}"
    );
    assert!(err.contains("E6, E16, E18"), "{err}");
    // check-data says the same and fails.
    let region = dir.path().join("region.toml");
    let o = common::run(&[
        "--lang",
        "en",
        "--region",
        region.to_str().unwrap(),
        "check-data",
    ]);
    assert!(!o.status.success());
    assert!(common::text(&o.stdout).contains("no link of E99"));
}

#[test]
fn a_disconnected_corridor_says_where_its_links_break() {
    // In the demo data E18 runs on E6 between Taraldrud and Ryen: E18 alone breaks there.
    let dir = demo_with(
        "[[corridor]]\nname = \"E18 alone\"\nrefs = [\"E18\"]\ntent = \"core\"\nfrom = [11.655, 59.48]\nto = [10.758, 59.906]\n",
    );
    let o = corridors_in(dir.path());
    assert!(!o.status.success());
    let err = common::text(&o.stderr);
    assert!(
        err.contains("corridor 'E18 alone'") && err.contains("do not connect"),
        "{err}"
    );
    assert!(
        err.contains("break after") && err.contains("EPSG:25833"),
        "{err}"
    );
    assert!(err.contains("snap_m"), "{err}");
}

#[test]
fn a_malformed_corridors_file_gets_the_file_line_and_key() {
    let dir = demo_with("[[corridor]]\nname = \"E6\"\nrefs = [\"E6\"]\ntent = \"core-ish\"\nfrom = [10.8, 59.9]\nto = [11.2, 59.1]\n");
    let o = corridors_in(dir.path());
    assert!(!o.status.success());
    let err = common::text(&o.stderr);
    assert!(
        err.contains("corridors.toml") && err.contains("line 4"),
        "{err}"
    );
    let dir = demo_with("[[corridor]]\nname = \"X\"\nrefs = [\"X6\"]\ntent = \"core\"\nfrom = [10.8, 59.9]\nto = [11.2, 59.1]\n");
    let err = common::text(&corridors_in(dir.path()).stderr);
    assert!(err.contains("'X6' is not a road reference"), "{err}");
}

#[test]
fn a_candidate_beyond_the_snapping_limit_is_off_the_network_not_a_zero() {
    let dir = tempfile::tempdir().unwrap();
    // One site beside E6 at Berger, one 6 km out in Oslofjorden.
    let sites = dir.path().join("sites.geojson");
    std::fs::write(
        &sites,
        r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"id":"berger"},"geometry":{"type":"Point","coordinates":[10.7265,59.5530]}},
        {"type":"Feature","properties":{"id":"fjord"},"geometry":{"type":"Point","coordinates":[10.55,59.55]}}]}"#,
    )
    .unwrap();
    let out = dir.path().join("scored.csv");
    let o = common::run(&[
        "--lang",
        "en",
        "score",
        "--profile",
        "mcs-corridor",
        "--candidates",
        sites.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    common::assert_no_panic(&o);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let rows = common::read_csv(&out);
    let by: std::collections::HashMap<&str, &std::collections::HashMap<String, String>> =
        rows.iter().map(|r| (r["id"].as_str(), r)).collect();
    let fjord = by["fjord"];
    assert_eq!(fjord["excluded"], "1");
    assert_eq!(fjord["corridor_access_raw"], "");
    assert!(
        fjord["corridor_access_reason"].contains("not on the road network"),
        "{}",
        fjord["corridor_access_reason"]
    );
    assert!(fjord["exclusion_reasons"].contains("not on the road network"));
    let berger = by["berger"];
    let d: f64 = berger["corridor_access_raw"].parse().unwrap();
    assert!(d < 500.0, "{d}");
    assert!(berger["corridor_access_reason"].contains("E6 Svinesund–Oslo"));
}
