//! Several `serve` processes over one PostGIS, as behind a reverse proxy: a session opened
//! on one instance writes through the other, the login rate limit counts attempts on every
//! instance together, and a review made on one shows on the other.

mod common;

use serde_json::{json, Value};

const PASSWORD: &str = "riktig hest batteri";

fn add_user(db: &str, user: &str, role: &str, kommune: Option<&str>) {
    let mut cmd = common::bin();
    cmd.arg("--db")
        .arg(db)
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

/// A GET whose body is bytes (a vector tile), on a connection of its own.
fn get_bytes(addr: &str, path: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let at = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    assert!(out.starts_with(b"HTTP/1.1 200"), "{path}");
    out.split_off(at + 4)
}

fn holds(tile: &[u8], text: &str) -> bool {
    tile.windows(text.len()).any(|w| w == text.as_bytes())
}

fn get(addr: &str, path: &str) -> Value {
    let (s, _, body) = common::http(addr, "GET", path, &[], None).unwrap();
    assert_eq!(s, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

#[test]
fn two_instances_over_one_postgis_share_sessions_login_limits_and_reviews() {
    let db = common::pg_database();
    // Both start at once on the empty database: their migrations must not collide.
    let starting: Vec<_> = (0..2)
        .map(|_| {
            let db = db.clone();
            std::thread::spawn(move || common::serve_db(&db, &[]))
        })
        .collect();
    let mut started = starting.into_iter().map(|t| t.join().unwrap());
    let (mut a, addr_a) = started.next().unwrap();
    let (mut b, addr_b) = started.next().unwrap();
    add_user(&db, "kari", "municipality", Some("0301"));
    add_user(&db, "ola", "coordinator", None);

    // A session opened on A writes through B.
    let kari = common::login(&addr_a, "kari", PASSWORD);
    let items = get(&addr_a, "/collections/candidates-depot/items?limit=10000");
    let site = items["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["kommunenummer"] == "0301")
        .and_then(|f| f["id"].as_str())
        .unwrap()
        .to_string();
    let (s, _, body) = common::http(
        &addr_b,
        "POST",
        &format!("/api/sites/{site}/comments"),
        &kari,
        Some(&json!({"text": "skrevet gjennom B"})),
    )
    .unwrap();
    assert!((200..300).contains(&s), "{s} {body}");
    let seen = get(&addr_a, &format!("/api/sites/{site}"));
    assert!(seen.to_string().contains("skrevet gjennom B"), "{seen}");

    // A status set through B is in A's candidates and tiles' overlay. A has drawn and kept
    // the tile of sites under review before the change; it must not serve that one again.
    let under_review = "/tiles/candidates-depot/0/0/0.mvt?status=under_review";
    let before = get_bytes(&addr_a, under_review);
    assert!(!holds(&before, &site));
    assert_eq!(get_bytes(&addr_a, under_review), before);
    let ola = common::login(&addr_b, "ola", PASSWORD);
    let (s, _, body) = common::http(
        &addr_b,
        "POST",
        &format!("/api/sites/{site}/status"),
        &ola,
        Some(&json!({"status": "under_review", "version": 0})),
    )
    .unwrap();
    assert!((200..300).contains(&s), "{s} {body}");
    let one = get(
        &addr_a,
        &format!("/collections/candidates-depot/items/{site}"),
    );
    assert_eq!(one["properties"]["status"], "under_review", "{one}");
    // Tiles trust a stamp read within the last 50 ms; a change through another instance is
    // in them after that.
    std::thread::sleep(std::time::Duration::from_millis(100));
    let after = get_bytes(&addr_a, under_review);
    assert!(
        holds(&after, &site) && holds(&after, "under_review"),
        "A's tile shows B's change"
    );

    // Ten attempts a minute per name, over both instances together.
    let attempt = |addr: &str| {
        common::http(
            addr,
            "POST",
            "/api/login",
            &[],
            Some(&json!({"username": "nobody", "password": "feil"})),
        )
        .unwrap()
        .0
    };
    for n in 0..10 {
        let addr = if n % 2 == 0 { &addr_a } else { &addr_b };
        assert_eq!(attempt(addr), 401, "attempt {n}");
    }
    assert_eq!(attempt(&addr_a), 429);
    assert_eq!(attempt(&addr_b), 429);
    // Another name is not held back.
    let _ = common::login(&addr_a, "ola", PASSWORD);

    for child in [&mut a, &mut b] {
        let _ = child.kill();
        let _ = child.wait();
    }
}
