//! The Kartverket N1000 preset on the real national data in ../shared/data.

mod common;

use std::process::Command;

use common::{assert_no_panic, text};

fn check_n1000(extra: &[&str]) -> std::process::Output {
    let preset = common::n1000_preset();
    let data = common::shared_data();
    let mut args = vec![
        "check-data",
        "--region",
        preset.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = common::run(&args);
    assert_no_panic(&out);
    out
}

#[test]
fn check_data_reports_the_national_counts_of_every_main_layer() {
    let out = check_n1000(&["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let layer = |label: &str| {
        report["layers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["label"] == label)
            .unwrap_or_else(|| panic!("no layer {label}"))
            .clone()
    };
    for (label, role, count) in [
        ("kommuner", "boundary", 357),
        ("veglenker", "roads", 14_466),
        ("jernbane", "rail", 304),
        ("havner", "terminals", 141),
        ("nettkapasitet", "grid", 855),
    ] {
        let l = layer(label);
        assert_eq!(l["role"], role);
        assert_eq!(l["loaded"], count, "{label}: {l}");
        assert_eq!(l["read"], count, "{label}");
        assert_eq!(l["skipped"], 0, "{label}");
        assert_eq!(l["source_crs"], "EPSG:4326 (WGS 84)", "{label}");
    }
    // Every bbox is in EPSG:25833: Norway spans about x -80 km..1 120 km, y 6 450..7 940 km.
    let roads = layer("veglenker");
    let b: Vec<f64> = roads["bbox_25833"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(
        b[0] > -100_000.0 && b[2] < 1_200_000.0 && b[1] > 6_400_000.0 && b[3] < 8_000_000.0,
        "{b:?}"
    );
    // The unclosed substation polygons in the grid file are repaired, not dropped.
    assert_eq!(layer("nettkapasitet")["repaired"], 10);
}

#[test]
fn check_data_prints_plain_lines_when_piped() {
    let out = check_n1000(&[]);
    assert_eq!(out.status.code(), Some(0));
    let err = text(&out.stderr);
    assert!(
        err.contains("lastet roads veglenker: 14466 objekter"),
        "{err}"
    );
    assert!(
        !err.contains('\u{1b}') && !err.contains('\r'),
        "escape codes in piped output: {err:?}"
    );
    let report = text(&out.stdout);
    assert!(
        report.contains("veglenker") && report.contains("14466"),
        "{report}"
    );
    assert!(report.contains("Alle påkrevde lag kan brukes."), "{report}");
}

#[test]
fn check_data_draws_progress_bars_on_a_terminal() {
    // `script` (util-linux) gives the command a pseudo-terminal, as a planner's shell would.
    let cmd = format!(
        "{} check-data --region {} --data-dir {}",
        env!("CARGO_BIN_EXE_energistasjon"),
        common::n1000_preset().display(),
        common::shared_data().display()
    );
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .expect("script (util-linux) runs");
    let all = text(&out.stdout);
    assert!(out.status.success(), "{all}");
    assert!(all.contains("Laster veglenker"), "no progress bar: {all:?}");
    assert!(all.contains('█'), "no bar drawn: {all:?}");
    assert!(
        all.contains("14466/14466") || all.contains("14,466/14,466"),
        "bar not finished: {all:?}"
    );
}
