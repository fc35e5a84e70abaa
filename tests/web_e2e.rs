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
        "a saved scenario loads back the same weights",
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
fn the_programme_report_and_page_open_in_chromium_with_the_secretariats_change() {
    const PASSWORD: &str = "e2e-passord-1234";
    const NOTE: &str = "Kartleggingen er i gang i tolv kommuner";
    let root = common::root();
    browser_ready(&root);
    let server = common::start_server(&[]);
    let db = server.db.path().join("review.sqlite");
    let o = common::bin()
        .arg("--db")
        .arg(&db)
        .args(["user", "add", "--username", "sekr", "--role", "secretariat"])
        .env("ENERGISTASJON_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    // The secretariat sets GN-1 in progress through the API, with a bearer token.
    let login = http(
        &server.addr,
        "POST",
        "/api/login",
        None,
        &format!(r#"{{"username":"sekr","password":"{PASSWORD}"}}"#),
    );
    let cookie = login
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = login
        .split("\"csrf_token\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let answer = http(
        &server.addr,
        "POST",
        "/api/programme/2025/changes",
        Some((&cookie, &csrf)),
        &format!(
            r#"{{"kind":"measure_status","measure":"GN-1","status":"in_progress","note":"{NOTE}"}}"#
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let answer = http(
        &server.addr,
        "POST",
        "/api/programme/2025/changes",
        Some((&cookie, &csrf)),
        r#"{"kind":"kpi_target","measure":"GN-1","kpi":"kommuner-med-omrade","target":20}"#,
    );
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let shots = root.join("tests/output/screenshots");
    for script in ["e2e/report.test.mjs", "e2e/programme.test.mjs"] {
        let o = Command::new("node")
            .arg(script)
            .current_dir(root.join("web"))
            .env("BASE_URL", format!("http://{}", server.addr))
            .env("SHOTS", &shots)
            .env("NOTE", NOTE)
            .env("SECRETARIAT_USER", "sekr")
            .env("PASSWORD", PASSWORD)
            .output()
            .expect("node runs");
        let out = common::text(&o.stdout);
        assert!(
            o.status.success(),
            "{script}: {out}\n{}",
            common::text(&o.stderr)
        );
        assert!(out.contains("ok - no "), "{out}");
    }
    for shot in ["report.png", "programme.png"] {
        let len = std::fs::metadata(shots.join(shot))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(len > 10_000, "{shot}: {len} bytes");
    }
}

/// Runs `web/e2e/{script}` against `server`; fails with its output unless it succeeds.
fn run_script(script: &str, server: &common::Server) -> String {
    run_script_with(script, server, &[])
}

/// As `run_script`, with extra environment for the script.
fn run_script_with(script: &str, server: &common::Server, env: &[(&str, &str)]) -> String {
    let root = common::root();
    let o = Command::new("node")
        .arg(format!("e2e/{script}"))
        .envs(env.iter().copied())
        .current_dir(root.join("web"))
        .env("BASE_URL", format!("http://{}", server.addr))
        .env("SHOTS", root.join("tests/output/screenshots"))
        .output()
        .expect("node runs");
    let out = common::text(&o.stdout);
    assert!(o.status.success(), "{out}\n{}", common::text(&o.stderr));
    out
}

/// Every screenshot named exists and is more than a blank image.
fn screenshots_taken(names: &[&str]) {
    let shots = common::root().join("tests/output/screenshots");
    for shot in names {
        let len = std::fs::metadata(shots.join(shot))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(len > 10_000, "{shot}: {len} bytes");
    }
}

/// A plain HTTP/1.1 request over a socket: status line, headers and body as text.
fn http(addr: &str, method: &str, path: &str, session: Option<(&str, &str)>, body: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n", body.len());
    if let Some((cookie, csrf)) = session {
        req.push_str(&format!("cookie: {cookie}\r\nx-csrf-token: {csrf}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn the_map_loads_shows_a_breakdown_recolours_with_the_weights_switches_language_and_survives_errors(
) {
    let root = common::root();
    browser_ready(&root);
    let server = common::start_server(&[]);
    let out = run_script("map.test.mjs", &server);
    assert!(out.contains("ok - the panel lists"), "{out}");
    assert!(out.contains("as the API ranks it"), "{out}");
    assert_eq!(
        out.matches("ok - axe-core finds no serious or critical violations")
            .count(),
        3,
        "{out}"
    );
    // The slider-to-idle time, for the README (a measurement, not a pass mark).
    if let Some(line) = out.lines().find(|l| l.starts_with("timing - ")) {
        eprintln!("{line}");
    }
    assert!(out.contains("ok - the map outlines"), "{out}");
    // The sizing section equals GET /api/sizing for two years and the shortlist's 2030 row.
    assert_eq!(out.matches("ok - 2030 chargers:").count(), 1, "{out}");
    assert_eq!(out.matches("ok - 2025 peak_mw:").count(), 1, "{out}");
    assert!(
        out.contains("ok - the shortlist sizes the area's best site as the panel does"),
        "{out}"
    );
    assert!(out.contains("ok - the high scenario shows"), "{out}");
    // The checklist in the panel answers as the API does, and the dossier button opens it.
    assert!(
        out.contains("ok - the panel lists the checklist's"),
        "{out}"
    );
    assert!(out.contains("ok - the dossier it opens is there"), "{out}");
    screenshots_taken(&[
        "site-checklist.png",
        "map.png",
        "site-panel.png",
        "site-area.png",
        "site-sizing.png",
        "error.png",
    ]);
}

#[test]
fn on_the_n1000_preset_the_map_opens_on_the_study_area_with_named_site_areas() {
    let root = common::root();
    browser_ready(&root);
    let preset = common::n1000_preset();
    let data = common::shared_data();
    // A 1 km grid: the first view depends on where the candidates are, not on their density.
    let server = common::start_server(&[
        "--region",
        preset.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
        "--grid",
        "1000",
    ]);
    let out = run_script("n1000.test.mjs", &server);
    assert!(out.contains("contains the study area"), "{out}");
    assert!(out.contains("the list names site areas"), "{out}");
    // The dossier of the first shortlisted area, as a municipality prints it.
    let out = run_script_with(
        "dossier.test.mjs",
        &server,
        &[("PROFILE", "mcs-corridor"), ("CANDIDATES", "grid")],
    );
    for step in [
        "the section \"sjekkliste\" is there",
        "as GET /api/sizing says",
        "the one GET /api/candidates gives",
        "the synergy figure",
        "no serious or critical violations on the dossier",
        "no script or console errors",
    ] {
        assert!(out.contains(step), "{step}: {out}");
    }
    screenshots_taken(&["n1000.png", "dossier.png", "dossier-map.png"]);
}
