//! The optional `logistics_synergy` criterion (issue #18): commented out in the shipped depot
//! profile, it scores the synergy figure `energistasjon synergies` prints, from drive times
//! the scoring context precomputes once per terminal instead of one search per candidate.

mod common;

use energistasjon::config::{default_region_path, load_profile, RegionConfig};
use energistasjon::domain::profile::Measure;
use energistasjon::ingest::{load_region, LoadOptions, NoProgress};
use energistasjon::network::synergy::{self, FAR_S};
use energistasjon::scoring::ScoringContext;
use serde_json::Value;

/// Next to Alnabru godsterminal, as in tests/synergy.rs.
const ALNABRU: (f64, f64) = (10.8465, 59.9335);
/// On the E16 at Hønefoss, about 40 km from the demo region's nearest terminal.
const HONEFOSS: (f64, f64) = (10.26, 60.165);
/// Drammen havn (Holmen), a port beside another terminal (Lierstranda).
const DRAMMEN: (f64, f64) = (10.228, 59.736);

/// The shipped depot profile with its synergy criterion turned on the way its comment says:
/// "logistics" down to weight 20, the commented lines uncommented.
fn depot_with_synergy(dir: &std::path::Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(common::root().join("data/profiles/depot.toml")).unwrap();
    let weight = "measure = \"logistics_distance\"\nweight = 30";
    assert!(text.contains(weight));
    let mut out = String::new();
    let mut inside = false;
    for line in text
        .replacen(weight, "measure = \"logistics_distance\"\nweight = 20", 1)
        .lines()
    {
        inside = (inside || line == "# [[criteria]]") && !line.is_empty();
        out.push_str(if inside {
            line.strip_prefix("# ").unwrap()
        } else {
            line
        });
        out.push('\n');
    }
    assert!(out.contains("\nmeasure = \"logistics_synergy\"\n"), "{out}");
    let path = dir.join("depot-synergy.toml");
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn the_shipped_depot_profile_leaves_the_synergy_criterion_off() {
    let p = load_profile("depot").unwrap();
    assert!(p
        .criteria
        .iter()
        .all(|c| c.measure != Measure::LogisticsSynergy));
}

#[test]
fn raw_synergy_values_equal_the_figure_energistasjon_synergies_reports() {
    let dir = tempfile::tempdir().unwrap();
    let profile = depot_with_synergy(dir.path());
    let points = [
        ("alnabru", ALNABRU),
        ("drammen", DRAMMEN),
        ("honefoss", HONEFOSS),
    ];
    let features: Vec<String> = points
        .iter()
        .map(|(name, (lon, lat))| {
            format!(
                r#"{{"type":"Feature","properties":{{"name":"{name}"}},"geometry":{{"type":"Point","coordinates":[{lon},{lat}]}}}}"#
            )
        })
        .collect();
    let sites = dir.path().join("sites.geojson");
    std::fs::write(
        &sites,
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        ),
    )
    .unwrap();
    let out = dir.path().join("scored.geojson");
    let o = common::run(&[
        "score",
        "--profile",
        profile.to_str().unwrap(),
        "--candidates",
        sites.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    common::assert_no_panic(&o);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let scored = v["features"].as_array().unwrap();
    assert_eq!(scored.len(), points.len());
    let mut raw = std::collections::HashMap::new();
    for (name, (lon, lat)) in points {
        let props = &scored
            .iter()
            .find(|f| f["properties"]["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not in {v}"))["properties"];
        let got = props["synergy_raw"].as_f64().unwrap();
        let o = common::run(&["synergies", "--at", &format!("{lon},{lat}"), "--json"]);
        assert!(o.status.success(), "{}", common::text(&o.stderr));
        let s: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(got, s["figure"].as_f64().unwrap(), "{name}: {props} vs {s}");
        let reason = props["synergy_reason"].as_str().unwrap();
        assert!(
            reason.contains(&format!("synergitall {got:.1}")),
            "{name}: {reason}"
        );
        // The reason names the nearest terminal within 15 minutes, as the command lists it.
        if let Some(first) = s["within_15"].as_array().unwrap().first() {
            let named = format!(
                "{} {:.1} min",
                first["name"].as_str().unwrap(),
                first["minutes"].as_f64().unwrap()
            );
            assert!(reason.contains(&named), "{name}: {reason}, not {named}");
        }
        raw.insert(name, got);
    }
    assert!(raw["alnabru"] >= 3.0, "{raw:?}");
    assert!(raw["alnabru"] > raw["honefoss"], "{raw:?}");
    assert!(raw["drammen"] > raw["honefoss"], "{raw:?}");
}

#[test]
fn the_precomputed_reach_agrees_with_a_search_from_each_site_on_the_demo_region() {
    let config = RegionConfig::load(&default_region_path()).unwrap();
    let (region, report) = load_region(&config, &LoadOptions::default(), &NoProgress);
    assert!(report.is_usable());
    let ctx = ScoringContext::new(&region);
    let (graph, snaps, max_snap_m) = ctx.roads();
    let reach = ctx.terminal_reach();
    let fs = reach.facilities();
    assert_eq!(fs.len(), region.terminals.len());
    // A 60 × 60 grid over the region's roads, and every terminal itself.
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for n in 0..graph.node_count() as u32 {
        let p = graph.node_xy(n);
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    let mut sites: Vec<[f64; 2]> = fs.iter().map(|f| f.xy).collect();
    for i in 0..60 {
        for j in 0..60 {
            sites.push([
                lo[0] + (hi[0] - lo[0]) * i as f64 / 59.0,
                lo[1] + (hi[1] - lo[1]) * j as f64 / 59.0,
            ]);
        }
    }
    let (mut on_road, mut reached, mut positive) = (0, 0, 0);
    for p in sites {
        let got = reach.drive_times(graph, snaps, p);
        let want = synergy::drive_times(graph, snaps, p, fs, max_snap_m, FAR_S);
        let s = synergy::synergies(graph, snaps, p, fs, max_snap_m);
        let (Some(got), Some(want)) = (got.clone(), want) else {
            assert!(got.is_none() && !s.snapped, "{p:?}: {got:?}");
            continue;
        };
        on_road += 1;
        let want: Vec<(usize, f64)> = want
            .iter()
            .enumerate()
            .filter_map(|(i, d)| Some((i, d.as_ref()?.seconds)))
            .collect();
        assert_eq!(
            got.iter().map(|g| g.0).collect::<Vec<_>>(),
            want.iter().map(|w| w.0).collect::<Vec<_>>(),
            "{p:?}"
        );
        for (g, w) in got.iter().zip(&want) {
            assert!(
                (g.1 - w.1).abs() < 1e-6,
                "{p:?} to {}: {} vs {}",
                g.0,
                g.1,
                w.1
            );
        }
        assert_eq!(synergy::figure_of(fs, &got), s.figure, "{p:?}");
        reached += got.len();
        positive += (s.figure > 0.0) as usize;
    }
    assert!(
        on_road > 300 && reached > 300 && positive > 100,
        "{on_road} {reached} {positive}"
    );
}
