//! The web map in a real browser: Debian's Chromium driven by playwright-core
//! (`web/e2e/*.test.mjs`) against `energistasjon serve` on the demo region. Each step
//! checks what a user sees; screenshots (1366×768) go to tests/output/screenshots.

mod common;

use std::process::Command;

fn browser_ready(root: &std::path::Path) {
    assert!(
        root.join("web/node_modules/playwright-core").is_dir()
            && std::path::Path::new("/usr/bin/chromium").exists(),
        "run the suite with scripts/test.sh, which installs chromium and web/'s npm packages"
    );
}

#[test]
fn a_municipality_user_proposes_by_drawing_a_coordinator_approves_and_the_filtered_list_exports() {
    const PASSWORD: &str = "e2e-passord-1234";
    let root = common::root();
    browser_ready(&root);
    let server = common::start_server(&[]);
    let db = server.db.path().join("review.sqlite");
    for (user, role, kommune) in [
        ("kari", "municipality", Some("0301")),
        ("ola", "coordinator", None),
    ] {
        let mut cmd = common::bin();
        cmd.arg("--db")
            .arg(&db)
            .args(["user", "add", "--username", user, "--role", role]);
        if let Some(k) = kommune {
            cmd.args(["--kommune", k]);
        }
        let o = cmd
            .env("ENERGISTASJON_PASSWORD", PASSWORD)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", common::text(&o.stderr));
    }
    let shots = root.join("tests/output/screenshots");
    let o = Command::new("node")
        .arg("e2e/review.test.mjs")
        .current_dir(root.join("web"))
        .env("BASE_URL", format!("http://{}", server.addr))
        .env("SHOTS", &shots)
        .env("MUNICIPALITY_USER", "kari")
        .env("COORDINATOR_USER", "ola")
        .env("PASSWORD", PASSWORD)
        .output()
        .expect("node runs");
    let out = common::text(&o.stdout);
    let err = common::text(&o.stderr);
    assert!(o.status.success(), "{out}\n{err}");
    for step in [
        "is the one GET /api/proposals/",
        "is on the map as proposed",
        "a site in Drammen is refused",
        "after approved, the offered changes are built",
        "approved-green on the map",
        "every exported site is in Oslo",
        "corridor checks of /api/corridors",
        "at tablet width",
    ] {
        assert!(out.contains(step), "missing step '{step}':\n{out}");
    }
    assert_eq!(
        out.matches("ok - axe-core finds no serious or critical violations")
            .count(),
        4,
        "{out}"
    );
    for shot in ["proposal.png", "review.png", "tablet.png"] {
        let len = std::fs::metadata(shots.join(shot))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(len > 10_000, "{shot}: {len} bytes");
    }
}

#[test]
fn the_programme_report_opens_in_chromium_without_console_errors() {
    let root = common::root();
    browser_ready(&root);
    let server = common::start_server(&[]);
    let shots = root.join("tests/output/screenshots");
    let o = Command::new("node")
        .arg("e2e/report.test.mjs")
        .current_dir(root.join("web"))
        .env("BASE_URL", format!("http://{}", server.addr))
        .env("SHOTS", &shots)
        .output()
        .expect("node runs");
    let out = common::text(&o.stdout);
    assert!(o.status.success(), "{out}\n{}", common::text(&o.stderr));
    assert!(out.contains("ok - no console errors"), "{out}");
    assert!(out.contains("ok - 6 KPI charts render"), "{out}");
    let len = std::fs::metadata(shots.join("report.png"))
        .map(|m| m.len())
        .unwrap_or(0);
    assert!(len > 10_000, "report.png: {len} bytes");
}

#[test]
fn the_map_loads_shows_a_breakdown_recolours_with_the_weights_switches_language_and_survives_errors(
) {
    let root = common::root();
    browser_ready(&root);
    let server = common::start_server(&[]);
    let shots = root.join("tests/output/screenshots");
    let o = Command::new("node")
        .arg("e2e/map.test.mjs")
        .current_dir(root.join("web"))
        .env("BASE_URL", format!("http://{}", server.addr))
        .env("SHOTS", &shots)
        .output()
        .expect("node runs");
    let out = common::text(&o.stdout);
    let err = common::text(&o.stderr);
    assert!(o.status.success(), "{out}\n{err}");
    assert!(out.contains("ok - the panel lists"), "{out}");
    assert!(out.contains("as the API ranks it"), "{out}");
    assert_eq!(
        out.matches("ok - axe-core finds no serious or critical violations")
            .count(),
        2,
        "{out}"
    );
    // The slider-to-idle time, for the README (a measurement, not a pass mark).
    if let Some(line) = out.lines().find(|l| l.starts_with("timing - ")) {
        eprintln!("{line}");
    }
    for shot in ["map.png", "site-panel.png", "error.png"] {
        let len = std::fs::metadata(shots.join(shot))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(len > 10_000, "{shot}: {len} bytes");
    }
}
