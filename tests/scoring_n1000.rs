//! Scoring on the real N1000 data: named places rank as a planner expects, every
//! exclusion says why, and the numbers agree with GDAL/SpatiaLite measured by hand.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use energistasjon::ingest::crs::reproject_point;

type Row = HashMap<String, String>;

fn score_sites(profile: &str, out: &Path, extra: &[&str]) -> Vec<Row> {
    let preset = common::n1000_preset();
    let data = common::shared_data();
    let sites = common::fixtures().join("places/n1000_sites.geojson");
    let mut args = vec![
        "--lang",
        "en",
        "score",
        "--region",
        preset.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
        "--profile",
        profile,
        "--candidates",
        sites.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = common::run(&args);
    common::assert_no_panic(&o);
    assert!(
        o.status.success(),
        "{}\n{}",
        common::text(&o.stdout),
        common::text(&o.stderr)
    );
    common::read_csv(out)
}

fn by_id(rows: &[Row]) -> HashMap<String, Row> {
    rows.iter().map(|r| (r["id"].clone(), r.clone())).collect()
}

fn num(r: &Row, k: &str) -> f64 {
    r[k].parse().unwrap_or_else(|_| panic!("{k} = {:?}", r[k]))
}

/// The sum of points a site would get without its constraints.
fn unconstrained(r: &Row) -> f64 {
    r.iter()
        .filter(|(k, _)| k.ends_with("_points"))
        .map(|(_, v)| v.parse::<f64>().unwrap())
        .sum()
}

#[test]
fn sites_beside_the_e6_and_e18_outrank_the_middle_of_nordmarka() {
    let dir = tempfile::tempdir().unwrap();
    let rows = score_sites("mcs-corridor", &dir.path().join("sites.csv"), &[]);
    let s = by_id(&rows);
    for id in ["gardermoen-e6", "berger-e6", "lier-e18"] {
        assert_eq!(
            s[id]["excluded"], "0",
            "{id}: {:?}",
            s[id]["exclusion_reasons"]
        );
        // Above 70 although the demo stations at Berger, Gardermoen and Lierskogen take
        // most of the station-gap points: a station already stands there.
        assert!(num(&s[id], "score") > 70.0, "{id}: {}", s[id]["score"]);
        assert!(num(&s[id], "station_gap_points") < 2.0, "{id}");
        assert!(num(&s[id], "rank") <= 3.0, "{id}");
        // Within AFIR's 3 km of driving from a corridor, measured on the road graph.
        assert!(num(&s[id], "corridor_access_raw") < 1000.0, "{id}");
    }
    assert_eq!(s["gardermoen-e6"]["kommunenavn"], "Ullensaker");
    assert_eq!(s["berger-e6"]["kommunenavn"], "Vestby");
    assert_eq!(s["lier-e18"]["kommunenavn"], "Lier");
    assert!(
        s["berger-e6"]["main_road_reason"].contains("E6"),
        "{}",
        s["berger-e6"]["main_road_reason"]
    );
    assert!(s["lier-e18"]["main_road_reason"].contains("E18"));
    // The sites' own attributes are kept; names we use ourselves get a src_ prefix.
    assert_eq!(s["berger-e6"]["forslagsstiller"], "Vestby kommune");
    assert_eq!(s["berger-e6"]["tomteareal_daa"], "12.5");
    assert_eq!(s["berger-e6"]["src_name"], "E6 ved Berger (Vestby)");

    // Nordmarka is 12 km from the nearest E or R road: excluded, and even unconstrained it
    // would score far below every corridor site.
    let n = &s["nordmarka"];
    assert_eq!(n["excluded"], "1");
    // 3.9 km from any road is beyond the network's snapping limit: said so, not a zero.
    assert!(
        n["corridor_access_reason"].contains("not on the road network"),
        "{}",
        n["corridor_access_reason"]
    );
    assert_eq!(n["corridor_access_raw"], "");
    assert_eq!(n["rank"], "");
    assert!(
        n["exclusion_reasons"].contains("from the nearest E or R road; the limit is 3.0 km"),
        "{}",
        n["exclusion_reasons"]
    );
    for id in ["gardermoen-e6", "berger-e6", "lier-e18"] {
        assert!(
            unconstrained(n) + 20.0 < num(&s[id], "score"),
            "{id}: {} vs {}",
            unconstrained(n),
            s[id]["score"]
        );
    }
    // The ranked sites come first in the file, best first.
    let ranks: Vec<&str> = rows.iter().map(|r| r["rank"].as_str()).collect();
    assert_eq!(&ranks[..3], &["1", "2", "3"]);
}

#[test]
fn a_site_in_a_national_park_or_a_lake_is_excluded_with_that_reason() {
    let dir = tempfile::tempdir().unwrap();
    let s = by_id(&score_sites("depot", &dir.path().join("sites.csv"), &[]));
    let park = &s["hallingskarvet"];
    assert_eq!(park["excluded"], "1");
    assert!(
        park["exclusion_reasons"].contains("lies in an excluded area: Hallingskarvet (protected)"),
        "{}",
        park["exclusion_reasons"]
    );
    let lake = &s["tyrifjorden"];
    assert_eq!(lake["excluded"], "1");
    assert!(
        lake["exclusion_reasons"].contains("land use 'water' is ruled out"),
        "{}",
        lake["exclusion_reasons"]
    );
    assert!(
        lake["exclusion_reasons"].contains("(water)"),
        "{}",
        lake["exclusion_reasons"]
    );
}

/// Distance from a lon/lat point to the nearest E or R road (ferries left out), measured
/// by GDAL with SpatiaLite's ST_Distance on the same data, reprojected by ogr2ogr.
fn spatialite_main_road_distance(dir: &Path, lon: f64, lat: f64) -> f64 {
    let gpkg = dir.join("main_roads.gpkg");
    if !gpkg.exists() {
        let st = Command::new("ogr2ogr")
            .args(["-f", "GPKG", gpkg.to_str().unwrap()])
            .arg(common::shared_data().join("roads/N1000_Veglenke.geojson"))
            .args(["-t_srs", "EPSG:25833", "-nln", "roads", "-where"])
            .arg("vegkategori IN ('E','R') AND (typeVeg IS NULL OR typeVeg NOT IN ('bilferje','passasjerferje'))")
            .status()
            .expect("ogr2ogr (gdal-bin) runs");
        assert!(st.success());
    }
    let (x, y) = reproject_point(lon, lat, "EPSG:4326").unwrap();
    let out = Command::new("ogrinfo")
        .args(["-ro", "-q", "-dialect", "SQLite", "-sql"])
        .arg(format!(
            "SELECT MIN(ST_Distance(geom, MakePoint({x}, {y}, 25833))) AS d FROM roads"
        ))
        .arg(&gpkg)
        .output()
        .unwrap();
    let text = common::text(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.contains("d (Real) ="))
        .unwrap_or_else(|| panic!("{text}"));
    line.split('=').nth(1).unwrap().trim().parse().unwrap()
}

#[test]
fn the_breakdown_agrees_with_a_spatialite_measurement() {
    let dir = tempfile::tempdir().unwrap();
    let s = by_id(&score_sites(
        "mcs-corridor",
        &dir.path().join("sites.csv"),
        &[],
    ));
    let sites: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::fixtures().join("places/n1000_sites.geojson")).unwrap(),
    )
    .unwrap();
    for f in sites["features"].as_array().unwrap() {
        let id = f["properties"]["id"].as_str().unwrap();
        let c = f["geometry"]["coordinates"].as_array().unwrap();
        let expected = spatialite_main_road_distance(
            dir.path(),
            c[0].as_f64().unwrap(),
            c[1].as_f64().unwrap(),
        );
        let got = num(&s[id], "main_road_raw");
        assert!(
            (got - expected).abs() <= 0.01,
            "{id}: energistasjon {got} m, SpatiaLite {expected} m"
        );
        assert_eq!(s[id]["main_road_unit"], "m");
    }
    // By hand: the profile goes linearly from 1.0 at 0 m to 0.9 at 500 m, and the
    // criterion weighs 10.
    let berger = &s["berger-e6"];
    let d = num(berger, "main_road_raw");
    let norm = 1.0 - 0.1 * d / 500.0;
    assert!(
        (num(berger, "main_road_norm") - norm).abs() < 1e-4,
        "{} vs {norm}",
        berger["main_road_norm"]
    );
    assert!((num(berger, "main_road_points") - 10.0 * norm).abs() < 1e-3);
    // And the score is the sum of the points.
    assert!((unconstrained(berger) - num(berger, "score")).abs() < 0.01);
}
