//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real public data in `../shared/data` (CI has `shared/` beside the checkout).
/// A test that needs it fails loudly when it is missing: it is never skipped.
pub fn shared_data() -> PathBuf {
    let dir = std::env::var_os("ENERGISTASJON_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/data"));
    assert!(
        dir.join("SOURCES.md").exists(),
        "the shared data folder {} is missing; set ENERGISTASJON_SHARED_DATA",
        dir.display()
    );
    dir
}

pub fn n1000_preset() -> PathBuf {
    root().join("data/presets/n1000/region.toml")
}

pub fn fixtures() -> PathBuf {
    root().join("tests/fixtures")
}

/// The `energistasjon` binary Cargo built for this test run.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_energistasjon"));
    c.env_remove("ENERGISTASJON_REGION")
        .env_remove("ENERGISTASJON_DATA_DIR")
        .env_remove("ENERGISTASJON_LANG")
        .env_remove("ENERGISTASJON_PASSWORD")
        // A review store outside the source tree unless a test names its own with --db.
        .env(
            "ENERGISTASJON_DB",
            std::env::temp_dir().join(format!("energistasjon-test-{}.sqlite", std::process::id())),
        );
    c
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

pub fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

/// A panic in the binary exits with 101 and says "panicked"; neither may ever happen.
pub fn assert_no_panic(o: &Output) {
    let err = text(&o.stderr);
    assert_ne!(o.status.code(), Some(101), "the binary panicked: {err}");
    assert!(!err.contains("panicked"), "the binary panicked: {err}");
}

/// Write a region config with one layer into `dir` and return its path.
pub fn write_region(dir: &Path, layer_toml: &str) -> PathBuf {
    let path = dir.join("region.toml");
    std::fs::write(&path, format!("[region]\nname = \"test\"\n\n{layer_toml}")).unwrap();
    path
}

/// A running `energistasjon serve` on a free loopback port; killed when dropped.
pub struct Server {
    pub child: std::process::Child,
    pub addr: String,
    pub stderr: std::io::BufReader<std::process::ChildStderr>,
    /// Holds the server's review store.
    pub db: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_server(extra: &[&str]) -> Server {
    use std::io::BufRead;
    let db = tempfile::tempdir().unwrap();
    let mut child = bin()
        .arg("--db")
        .arg(db.path().join("review.sqlite"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("the server starts");
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let addr = loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "the server stopped before listening"
        );
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    Server {
        child,
        addr,
        stderr,
        db,
    }
}

/// Enough CSV for GDAL's output: quoted fields (the WKT) may hold commas.
pub fn split_csv(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    for ch in line.chars() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out
}

/// A CSV file as rows of column → value.
pub fn read_csv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = split_csv(lines.next().unwrap());
    lines
        .map(|l| header.iter().cloned().zip(split_csv(l)).collect())
        .collect()
}

/// The demo region's API state, built once per test binary.
pub fn demo_state() -> energistasjon::api::AppState {
    use energistasjon::config::{default_region_path, RegionConfig};
    use energistasjon::ingest::{load_region, LoadOptions, NoProgress};
    static S: std::sync::OnceLock<energistasjon::api::AppState> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let config = RegionConfig::load(&default_region_path()).unwrap();
        let (region, report) = load_region(&config, &LoadOptions::default(), &NoProgress);
        assert!(report.is_usable());
        energistasjon::api::AppState::new(region, report).unwrap()
    })
    .clone()
}

/// Send a request through the router in process: status, content type, JSON body.
pub async fn request(
    state: energistasjon::api::AppState,
    req: axum::http::Request<axum::body::Body>,
) -> (axum::http::StatusCode, String, serde_json::Value) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let resp = energistasjon::api::router(state)
        .oneshot(req)
        .await
        .unwrap();
    let status = resp.status();
    let ctype = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        ctype,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

/// A fresh, empty database on the test PostGIS that `scripts/test.sh` starts
/// (`ENERGISTASJON_TEST_PG`); its URL.
pub fn pg_database() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let admin = std::env::var("ENERGISTASJON_TEST_PG").expect(
        "ENERGISTASJON_TEST_PG is not set: run the suite with scripts/test.sh, which starts PostGIS",
    );
    let name = format!(
        "es_test_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let mut c =
        postgres::Client::connect(&admin, postgres::NoTls).expect("the test PostGIS answers");
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let base = admin.rsplit_once('/').unwrap().0;
    format!("{base}/{name}")
}

/// The binary on the N1000 preset over the shared data; it must not panic.
pub fn n1000(args: &[&str]) -> Output {
    let preset = n1000_preset();
    let data = shared_data();
    let mut all = vec![
        "--region",
        preset.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let o = run(&all);
    assert_no_panic(&o);
    o
}

/// The boundary layer of the hand-written fixture regions: `kommune.geojson` with `nr` and
/// `navn`, as region TOML.
pub const BOUNDARY_LAYER: &str = r#"[[layers]]
role = "boundary"
source = "kommune.geojson"
[layers.fields]
number = "nr"
name = "navn"
"#;

/// A roads layer from `source` with the road class in `kat` and the number in `nr`.
pub fn roads_layer(source: &str) -> String {
    format!(
        r#"[[layers]]
role = "roads"
source = "{source}"
[layers.fields]
category = "kat"
number = "nr"
"#
    )
}

/// `serve` on the review store `db` (a SQLite file or a PostgreSQL URL) with `extra`
/// arguments, its stderr drained; the child and its address.
pub fn serve_db(db: &str, extra: &[&str]) -> (std::process::Child, String) {
    use std::io::{BufRead, Read};
    let mut child = bin()
        .arg("--db")
        .arg(db)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let addr = loop {
        line.clear();
        assert!(
            err.read_line(&mut line).unwrap() > 0,
            "the server stopped before listening"
        );
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        let _ = err.read_to_string(&mut sink);
    });
    (child, addr)
}

/// One HTTP/1.1 request on its own connection: status and body.
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: Option<&serde_json::Value>,
) -> std::io::Result<(u16, String, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        req.push_str("Content-Type: application/json\r\n");
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(&body);
    s.write_all(req.as_bytes())?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status line"))?;
    Ok((status, head.to_string(), body.to_string()))
}

/// Logs in: the cookie and CSRF headers for writes.
pub fn login(addr: &str, user: &str, password: &str) -> Vec<(String, String)> {
    let (s, head, body) = http(
        addr,
        "POST",
        "/api/login",
        &[],
        Some(&serde_json::json!({"username": user, "password": password})),
    )
    .unwrap();
    assert_eq!(s, 200, "{body}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = serde_json::from_str::<serde_json::Value>(&body).unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    vec![("Cookie".into(), cookie), ("X-CSRF-Token".into(), csrf)]
}
