//! Nothing acknowledged is lost: several clients send 2,000 writes (comments, proposals,
//! status changes) to a real server on SQLite, the server is killed with SIGKILL in the
//! middle, restarted on the same file, and every write that got a 2xx is there, with an
//! audit entry for every stored change.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

const PASSWORD: &str = "riktig hest batteri";

fn spawn(db: &str) -> (std::process::Child, String) {
    common::serve_db(db, &[])
}

fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: Option<&Value>,
) -> std::io::Result<(u16, String, String)> {
    common::http(addr, method, path, headers, body)
}

fn login(addr: &str, user: &str) -> Vec<(String, String)> {
    common::login(addr, user, PASSWORD)
}

#[derive(Debug, Clone)]
enum Ack {
    Comment { site: String, text: String },
    Proposal { id: String },
    Status { site: String },
}

#[test]
fn every_acknowledged_write_survives_a_sigkill_on_sqlite_and_the_audit_log_matches() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("review.sqlite");
    kill_in_the_middle(db.to_str().unwrap());
}

#[test]
fn every_acknowledged_write_survives_a_sigkill_on_postgis_and_the_audit_log_matches() {
    kill_in_the_middle(&common::pg_database());
}

/// 2,000 writes from 4 clients, SIGKILL after half, restart, check.
fn kill_in_the_middle(db: &str) {
    for (user, role, kommune) in [
        ("kari", "municipality", Some("0301")),
        ("ola", "coordinator", None),
    ] {
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
    let (mut server, addr) = spawn(db);

    // Sites: Oslo's candidates for comments, every candidate for status changes.
    let (_, _, items) = http(
        &addr,
        "GET",
        "/collections/candidates-depot/items?limit=10000",
        &[],
        None,
    )
    .unwrap();
    let items: Value = serde_json::from_str(&items).unwrap();
    let features = items["features"].as_array().unwrap();
    let oslo: Vec<String> = features
        .iter()
        .filter(|f| f["properties"]["kommunenummer"] == "0301")
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    let all: Vec<String> = features
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    assert!(oslo.len() >= 5 && all.len() >= 100);

    const CLIENTS: usize = 4;
    const WRITES: usize = 500;
    let acks: Arc<Mutex<Vec<Ack>>> = Arc::default();
    let sent = Arc::new(AtomicUsize::new(0));
    let dead = Arc::new(AtomicBool::new(false));
    let kari = login(&addr, "kari");
    let ola = login(&addr, "ola");
    let handles: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (addr, acks, sent, dead) = (addr.clone(), acks.clone(), sent.clone(), dead.clone());
            let (kari, ola, oslo, all) = (kari.clone(), ola.clone(), oslo.clone(), all.clone());
            std::thread::spawn(move || {
                let mut status_sites = all.iter().skip(c).step_by(CLIENTS);
                for n in 0..WRITES {
                    sent.fetch_add(1, Ordering::SeqCst);
                    let result = match n % 20 {
                        0 | 10 => {
                            let name = format!("forslag {c}-{n}");
                            http(&addr, "POST", "/api/proposals", &kari, Some(&json!({"name": name, "geometry": {"type": "Point", "coordinates": [10.84, 59.93]}})))
                                .map(|(s, _, b)| (s, Ack::Proposal { id: serde_json::from_str::<Value>(&b).ok().and_then(|v| v["proposal"]["id"].as_str().map(String::from)).unwrap_or_default() }))
                        }
                        5 => match status_sites.next() {
                            Some(site) => http(&addr, "POST", &format!("/api/sites/{site}/status"), &ola, Some(&json!({"status": "under_review", "version": 0})))
                                .map(|(s, _, _)| (s, Ack::Status { site: site.clone() })),
                            None => continue,
                        },
                        _ => {
                            let site = &oslo[(c + n) % oslo.len()];
                            let text = format!("kommentar {c}-{n} æøå");
                            http(&addr, "POST", &format!("/api/sites/{site}/comments"), &kari, Some(&json!({"text": text})))
                                .map(|(s, _, _)| (s, Ack::Comment { site: site.clone(), text }))
                        }
                    };
                    match result {
                        Ok((s, ack)) if (200..300).contains(&s) => acks.lock().unwrap().push(ack),
                        Ok((s, _)) if !dead.load(Ordering::SeqCst) => panic!("client {c} write {n} got {s} before the kill"),
                        _ => {
                            if dead.load(Ordering::SeqCst) {
                                break;
                            }
                        }
                    }
                }
            })
        })
        .collect();
    // Kill in the middle of the traffic.
    while sent.load(Ordering::SeqCst) < CLIENTS * WRITES / 2 {
        std::thread::sleep(Duration::from_millis(5));
    }
    dead.store(true, Ordering::SeqCst);
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    for h in handles {
        h.join().unwrap();
    }
    let acks = acks.lock().unwrap().clone();
    assert!(
        acks.len() >= 500,
        "only {} writes were acknowledged before the kill",
        acks.len()
    );

    let (mut server, addr) = spawn(db);
    let ola = login(&addr, "ola");
    let site = |id: &str| -> Value {
        let (s, _, b) = http(&addr, "GET", &format!("/api/sites/{id}"), &[], None).unwrap();
        assert_eq!(s, 200, "{b}");
        serde_json::from_str(&b).unwrap()
    };
    let mut comments: HashMap<String, HashSet<String>> = HashMap::new();
    for id in &oslo {
        let v = site(id);
        comments.insert(
            id.clone(),
            v["comments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["text"].as_str().unwrap().to_string())
                .collect(),
        );
    }
    let (_, _, props) = http(&addr, "GET", "/api/proposals", &[], None).unwrap();
    let props: Value = serde_json::from_str(&props).unwrap();
    let proposal_ids: HashSet<String> = props["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    let mut changed = 0;
    for ack in &acks {
        match ack {
            Ack::Comment { site, text } => assert!(
                comments[site].contains(text),
                "lost comment {text:?} on {site}"
            ),
            Ack::Proposal { id } => assert!(proposal_ids.contains(id), "lost proposal {id}"),
            Ack::Status { site: s } => {
                changed += 1;
                assert_eq!(
                    site(s)["site"]["status"],
                    "under_review",
                    "lost status change on {s}"
                );
            }
        }
    }
    assert!(changed > 0);
    // The audit log has exactly one entry per stored change.
    let (s, _, log) = http(&addr, "GET", "/api/audit?limit=100000", &ola, None).unwrap();
    assert_eq!(s, 200, "{log}");
    let log: Value = serde_json::from_str(&log).unwrap();
    let count = |action: &str| {
        log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == action)
            .count()
    };
    let stored_comments: usize = comments.values().map(HashSet::len).sum();
    assert_eq!(count("comment.add"), stored_comments);
    assert_eq!(count("proposal.add"), proposal_ids.len());
    let under_review = all
        .iter()
        .filter(|id| site(id)["site"]["status"] == "under_review")
        .count();
    assert_eq!(count("status.set"), under_review);
    server.kill().unwrap();
    server.wait().unwrap();
}
