//! Logistics synergies by drive time (issue #18): the terminals a site at Alnabru reaches
//! within 15 and 30 minutes on the N1000 roads, checked against straight-line bounds from the
//! preset's own terminal layers, and bad input on the demo region.

mod common;

use serde_json::Value;

/// Alnabru, as in tests/logistics_hubs.rs.
const ALNABRU: (f64, f64) = (10.8465, 59.9335);

/// Every terminal of the N1000 preset: (name, lon, lat), from its two terminal layers.
fn preset_terminals() -> Vec<(String, f64, f64)> {
    let hubs = common::root().join("data/presets/n1000/logistics-hubs.geojson");
    let ports = common::shared_data().join("ports/wpi_norway_ports.geojson");
    let mut out = Vec::new();
    for (path, name_field) in [(hubs, "name"), (ports, "Main Port Name")] {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for f in v["features"].as_array().unwrap() {
            let c = &f["geometry"]["coordinates"];
            assert_eq!(f["geometry"]["type"], "Point", "{}", path.display());
            out.push((
                f["properties"][name_field].as_str().unwrap().to_string(),
                c[0].as_f64().unwrap(),
                c[1].as_f64().unwrap(),
            ));
        }
    }
    out
}

/// Great-circle kilometres.
fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, la2) = (a.1.to_radians(), b.1.to_radians());
    let dla = la2 - la1;
    let dlo = (b.0 - a.0).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

fn minutes(list: &Value) -> Vec<f64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["minutes"].as_f64().unwrap())
        .collect()
}

#[test]
fn a_site_at_alnabru_lists_the_terminals_within_15_minutes() {
    let at = format!("{},{}", ALNABRU.0, ALNABRU.1);
    let o = common::n1000(&["synergies", "--at", &at, "--json"]);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["snapped"], true, "{v}");
    let near = v["within_15"].as_array().unwrap();
    let alnabru = near
        .iter()
        .find(|r| r["name"] == "Alnabru godsterminal")
        .unwrap_or_else(|| panic!("Alnabru is not within 15 minutes: {v}"));
    assert_eq!(alnabru["kind"], "rail_freight");
    // About 100 m away: the time is mostly the legs off the road.
    assert!(alnabru["minutes"].as_f64().unwrap() < 5.0, "{alnabru}");

    // Each band holds only its times, nearest first.
    for (band, max) in [("within_15", 15.0), ("within_30", 30.0)] {
        let m = minutes(&v[band]);
        assert!(m.iter().all(|&t| (0.0..=max).contains(&t)), "{band}: {m:?}");
        assert!(m.windows(2).all(|w| w[0] <= w[1]), "{band}: {m:?}");
    }
    assert!(minutes(&v["within_30"]).iter().all(|&t| t >= 15.0));

    // Against the preset's layers: every terminal within 2 km in a straight line is within 15
    // minutes, and nothing within 15 minutes lies farther than 15 minutes at 110 km/h.
    let terminals = preset_terminals();
    let listed: Vec<&str> = near.iter().map(|r| r["name"].as_str().unwrap()).collect();
    for (name, lon, lat) in &terminals {
        if km(ALNABRU, (*lon, *lat)) <= 2.0 {
            assert!(listed.contains(&name.as_str()), "{name} is missing: {v}");
        }
    }
    for name in &listed {
        let nearest = terminals
            .iter()
            .filter(|t| t.0 == *name)
            .map(|t| km(ALNABRU, (t.1, t.2)))
            .fold(f64::INFINITY, f64::min);
        assert!(nearest <= 15.0 / 60.0 * 110.0, "{name}: {nearest} km away");
    }

    // The figure follows the documented weights: 3 rail/port, 2 logistics/air, 1 approved
    // site; half weight from 15 to 30 minutes.
    let weight = |r: &Value| match r["kind"].as_str().unwrap() {
        "rail_freight" | "port" => 3.0,
        "logistics" | "air_cargo" => 2.0,
        _ => 1.0,
    };
    let expected: f64 = near.iter().map(weight).sum::<f64>()
        + 0.5
            * v["within_30"]
                .as_array()
                .unwrap()
                .iter()
                .map(weight)
                .sum::<f64>();
    assert_eq!(v["figure"].as_f64().unwrap(), expected, "{v}");
}

#[test]
fn the_table_names_the_bands_and_the_figure_in_both_languages() {
    let at = "10.8465,59.9335";
    let o = common::run(&["synergies", "--at", at]);
    common::assert_no_panic(&o);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let nb = common::text(&o.stdout);
    assert!(
        nb.contains("Innen 15 minutter") && nb.contains("Synergitall"),
        "{nb}"
    );
    // The demo region draws Alnabru as a polygon; it is reached at a point inside it.
    assert!(nb.contains("Alnabru godsterminal"), "{nb}");
    let o = common::run(&["--lang", "en", "synergies", "--at", at]);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let en = common::text(&o.stdout);
    assert!(
        en.contains("Within 15 minutes") && en.contains("Synergy figure"),
        "{en}"
    );
}

#[test]
fn a_position_outside_the_world_is_refused_naming_at() {
    let o = common::run(&["synergies", "--at", "999,999"]);
    common::assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(2));
    let err = common::text(&o.stderr);
    assert!(err.contains("--at"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn an_unknown_site_is_refused_naming_site() {
    let o = common::run(&["synergies", "--site", "no-such-site"]);
    common::assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(2));
    let err = common::text(&o.stderr);
    assert!(err.contains("--site no-such-site"), "{err}");
}
