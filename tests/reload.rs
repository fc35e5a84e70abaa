//! Hot reload: `kill -HUP` (or `POST /api/admin/reload`) swaps in new data without a
//! restart; a request already running finishes on the data it started with.

mod common;

use std::io::{BufRead, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

fn demo_copy(dir: &Path) -> std::path::PathBuf {
    for e in std::fs::read_dir(common::root().join("data/demo")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
    }
    dir.join("region.toml")
}

/// Sends a request over HTTP/1.0, so the body comes whole, not chunked, until close.
fn send(addr: &str, request: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    s
}

fn get(addr: &str, path: &str) -> Vec<u8> {
    let mut s = send(
        addr,
        &format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n"),
    );
    let mut all = Vec::new();
    s.read_to_end(&mut all).unwrap();
    body(&all)
}

fn body(response: &[u8]) -> Vec<u8> {
    let at = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header");
    assert!(
        response.starts_with(b"HTTP/1.0 200") || response.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&response[..at])
    );
    response[at + 4..].to_vec()
}

/// The CSV's rows without `exported_at`, which differs between two exports of the same data.
fn without_export_time(csv: &[u8]) -> Vec<Vec<String>> {
    let text = String::from_utf8_lossy(csv);
    let mut lines = text.lines();
    let header = common::split_csv(lines.next().unwrap());
    let at = header.iter().position(|h| h == "exported_at").unwrap();
    std::iter::once(header.clone())
        .chain(lines.map(common::split_csv))
        .map(|mut row| {
            row.remove(at);
            row
        })
        .collect()
}

fn json(addr: &str, path: &str) -> serde_json::Value {
    serde_json::from_slice(&get(addr, path)).unwrap()
}

/// Every free megawatt of the demo's substations set to zero, written to a new file that
/// replaces the old one, as a new export from the grid company would.
fn drain_substations(dir: &Path) {
    let path = dir.join("substations.geojson");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for f in v["features"].as_array_mut().unwrap() {
        f["properties"]["ledig_mw"] = serde_json::json!(0);
    }
    let tmp = dir.join("substations.geojson.new");
    std::fs::write(&tmp, serde_json::to_string(&v).unwrap()).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
}

#[test]
fn sighup_swaps_in_a_replaced_layer_while_a_running_export_completes_on_the_old_data() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let region = demo_copy(data.path());
    let db = tempfile::tempdir().unwrap();
    let mut child = common::bin()
        .arg("--db")
        .arg(db.path().join("review.sqlite"))
        .arg("--region")
        .arg(&region)
        .args(["serve", "--addr", "127.0.0.1:0", "--grid", "500"])
        .arg("--cache-dir")
        .arg(cache.path())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let addr = loop {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "stopped early");
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    let export = "/api/export?profile=depot&candidates=grid&format=csv";
    let before = get(&addr, export);
    let version_before = json(&addr, "/healthz")["data_version"].clone();
    let substation_before = json(&addr, "/collections/grid/items?limit=1");
    // The export must be far larger than what the sockets buffer, or it would be complete
    // before the reload and prove nothing.
    assert!(before.len() > 16 << 20, "{} bytes", before.len());

    // An export starts, and its reader takes the first bytes only.
    let mut running = send(
        &addr,
        &format!("GET {export} HTTP/1.0\r\nHost: {addr}\r\n\r\n"),
    );
    let mut first = vec![0u8; 64 * 1024];
    running.read_exact(&mut first).unwrap();

    drain_substations(data.path());
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut log = String::new();
    loop {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "stopped: {log}");
        log.push_str(&line);
        if line.contains("Nye data er tatt i bruk") {
            break;
        }
        assert!(!line.contains("feilet"), "{log}");
        assert!(Instant::now() < deadline, "no reload: {log}");
    }

    // The next answers come from the new file.
    assert_ne!(json(&addr, "/healthz")["data_version"], version_before);
    let substation_after = json(&addr, "/collections/grid/items?limit=1");
    assert_eq!(
        substation_after["features"][0]["properties"]["available_mw"],
        serde_json::json!(0.0),
        "{substation_after}"
    );
    assert_ne!(
        substation_before["features"][0]["properties"]["available_mw"],
        serde_json::json!(0.0)
    );
    let after = get(&addr, export);
    assert_ne!(
        after, before,
        "the depot grid scores must see the drained substations"
    );

    // The export that was running completes, whole, on the old data.
    let mut rest = Vec::new();
    running.read_to_end(&mut rest).unwrap();
    first.extend(rest);
    let completed = body(&first);
    assert_eq!(completed.len(), before.len());
    assert!(
        without_export_time(&completed) == without_export_time(&before),
        "the running export changed under the reload"
    );

    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn the_reload_endpoint_is_for_admins_only_and_names_what_to_do() {
    use tower::ServiceExt;
    let app = energistasjon::api::router(common::demo_state());
    let res = app
        .oneshot(
            axum::http::Request::post("/api/admin/reload")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
}
