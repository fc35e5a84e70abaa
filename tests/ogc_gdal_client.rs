//! A real OGC API client: GDAL's OAPIF driver lists every collection of a served instance
//! and copies a profile's candidates into a GeoPackage, with the same ids and scores as
//! the CLI's `score`.

mod common;

use std::collections::BTreeMap;
use std::process::Command;

fn csv_id_score(path: &std::path::Path) -> BTreeMap<String, f64> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = common::split_csv(lines.next().unwrap());
    let (id, score) = (
        header.iter().position(|h| *h == "id").unwrap(),
        header.iter().position(|h| *h == "score").unwrap(),
    );
    lines
        .map(|l| {
            let f = common::split_csv(l);
            (f[id].clone(), f[score].parse().unwrap_or(f64::NAN))
        })
        .collect()
}

#[test]
fn gdal_lists_every_collection_and_copies_candidates_with_the_cli_scores() {
    let server = common::start_server(&[]);
    let url = format!("OAPIF:http://{}/", server.addr);
    // GDAL fetches over libcurl; a proxy in the environment must not take loopback requests.
    let gdal = |program: &str| {
        let mut c = Command::new(program);
        c.env("NO_PROXY", "127.0.0.1,localhost")
            .env("no_proxy", "127.0.0.1,localhost");
        c
    };
    let out = gdal("ogrinfo")
        .args(["-ro", "-q", &url])
        .output()
        .expect("ogrinfo (gdal-bin) runs");
    let listing = common::text(&out.stdout);
    assert!(out.status.success(), "{}", common::text(&out.stderr));
    for id in [
        "municipalities",
        "roads",
        "rail",
        "terminals",
        "hub-clusters",
        "grid",
        "stations",
        "exclusion",
        "landuse",
        "candidates-depot",
        "candidates-mcs-corridor",
        "candidates-hydrogen",
        "candidates-biogas",
    ] {
        assert!(
            listing.contains(&format!(": {id} ")),
            "{id} not listed:\n{listing}"
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let gpkg = dir.path().join("depot.gpkg");
    let st = gdal("ogr2ogr")
        .args(["-f", "GPKG"])
        .arg(&gpkg)
        .args([&url, "candidates-depot"])
        .status()
        .unwrap();
    assert!(st.success());
    let via_api = dir.path().join("via_api.csv");
    let st = Command::new("ogr2ogr")
        .args(["-f", "CSV"])
        .arg(&via_api)
        .arg(&gpkg)
        .args(["candidates-depot", "-select", "id,score"])
        .status()
        .unwrap();
    assert!(st.success());

    let via_cli = dir.path().join("via_cli.csv");
    let o = common::run(&[
        "score",
        "--profile",
        "depot",
        "--parcels",
        "--no-reasons",
        "--out",
        via_cli.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", common::text(&o.stderr));

    let (api, cli) = (csv_id_score(&via_api), csv_id_score(&via_cli));
    assert!(api.len() > 10, "{}", api.len());
    assert_eq!(api.len(), cli.len(), "the same number of candidates");
    assert!(api.keys().eq(cli.keys()), "the same candidate ids");
    for (id, s) in &cli {
        let a = api[id];
        assert!(
            (s.is_nan() && a.is_nan()) || (s - a).abs() < 1e-4,
            "{id}: CLI {s}, API {a}"
        );
    }
}
