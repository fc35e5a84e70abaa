//! The start-up cache of `serve --grid`: a second start reads the grid's measurements
//! instead of measuring, gives the same answers, and a changed input or a damaged file is
//! never trusted.

mod common;

use std::io::{BufRead, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Starts `serve --grid 500` on `region` with the cache in `cache`, waits until it listens,
/// returns what it logged before that and the answer to a re-weighted grid score.
fn start(region: &Path, cache: &Path) -> (String, serde_json::Value) {
    let db = tempfile::tempdir().unwrap();
    let mut child = common::bin()
        .env("ENERGISTASJON_LOG", "energistasjon::catalog=info")
        .arg("--db")
        .arg(db.path().join("review.sqlite"))
        .arg("--region")
        .arg(region)
        .args(["serve", "--addr", "127.0.0.1:0", "--grid", "500"])
        .arg("--cache-dir")
        .arg(cache)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut log = String::new();
    let addr = loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "the server stopped before listening: {log}"
        );
        log.push_str(&line);
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    let body = r#"{"profile":"depot","candidates":"grid","limit":50,"weights":{"main_road":40,"landuse":10,"grid_capacity":20,"grid_distance":10,"logistics":10,"area":10}}"#;
    let answer = post(&addr, "/api/score", body);
    let _ = child.kill();
    let _ = child.wait();
    (log, answer)
}

fn post(addr: &str, path: &str, body: &str) -> serde_json::Value {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).unwrap();
    let resp = String::from_utf8_lossy(&resp).into_owned();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    let body = resp.split("\r\n\r\n").nth(1).unwrap();
    // axum may send the body chunked; the JSON object is inside.
    let json = &body[body.find('{').unwrap()..=body.rfind('}').unwrap()];
    serde_json::from_str(json).unwrap()
}

fn cache_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// A copy of the demo region that a test may change.
fn demo_copy(dir: &Path) -> PathBuf {
    for e in std::fs::read_dir(common::root().join("data/demo")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
    }
    dir.join("region.toml")
}

#[test]
fn a_second_start_reads_the_cache_and_answers_exactly_as_the_first() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let region = demo_copy(data.path());

    let (log, first) = start(&region, cache.path());
    assert!(log.contains("no start-up cache"), "{log}");
    assert!(log.contains("written to the start-up cache"), "{log}");
    let files = cache_files(cache.path());
    assert_eq!(files.len(), 1, "{files:?}");

    let (log, second) = start(&region, cache.path());
    assert!(log.contains("read from the start-up cache"), "{log}");
    assert!(!log.contains("written to the start-up cache"), "{log}");
    assert!(
        first["candidates"]
            .as_array()
            .is_some_and(|c| !c.is_empty()),
        "{first}"
    );
    assert_eq!(first, second);
}

#[test]
fn a_changed_input_file_gets_a_new_cache_and_is_measured_again() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let region = demo_copy(data.path());
    let (_, before) = start(&region, cache.path());
    let old = cache_files(cache.path());

    // One substation loses all its free capacity: the depot's grid criterion must see it.
    let path = data.path().join("substations.geojson");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for f in v["features"].as_array_mut().unwrap() {
        let props = f["properties"].as_object_mut().unwrap();
        for (k, val) in props.iter_mut() {
            if (k.contains("mw") || k.contains("capacity")) && val.is_number() {
                *val = serde_json::json!(0.0);
            }
        }
    }
    std::fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();

    let (log, after) = start(&region, cache.path());
    assert!(log.contains("no start-up cache"), "{log}");
    let new = cache_files(cache.path());
    assert_eq!(new.len(), 2, "{new:?}");
    assert!(new.iter().any(|p| !old.contains(p)));
    assert_ne!(
        before, after,
        "the changed capacities must change the scores"
    );
}

#[test]
fn a_truncated_or_corrupt_cache_is_rebuilt_with_a_log_line_and_never_trusted() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let region = demo_copy(data.path());
    let (_, good) = start(&region, cache.path());
    let file = cache_files(cache.path()).pop().unwrap();
    let bytes = std::fs::read(&file).unwrap();

    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let (log, answer) = start(&region, cache.path());
    assert!(log.contains("is not usable (truncated"), "{log}");
    assert!(log.contains("written to the start-up cache"), "{log}");
    assert_eq!(answer, good);
    assert_eq!(std::fs::read(&file).unwrap(), bytes, "rewritten whole");

    let mut flipped = bytes.clone();
    let at = bytes.len() - 100;
    flipped[at] ^= 0xff;
    std::fs::write(&file, &flipped).unwrap();
    let (log, answer) = start(&region, cache.path());
    assert!(log.contains("checksum mismatch"), "{log}");
    assert_eq!(answer, good);

    std::fs::write(&file, b"not a cache").unwrap();
    let (log, answer) = start(&region, cache.path());
    assert!(log.contains("is not usable"), "{log}");
    assert!(!log.contains("panicked"), "{log}");
    assert_eq!(answer, good);
}
