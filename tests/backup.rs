//! `energistasjon backup` while four writers go on, then `energistasjon restore`: every
//! write acknowledged before the backup began is in the restored store, on SQLite and on
//! PostGIS. A bad backup or an existing store is refused without touching anything.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use energistasjon::domain::review::{Actor, Role};
use energistasjon::store::postgres::PgStore;
use energistasjon::store::sqlite::SqliteStore;
use energistasjon::store::{NewUser, Store};

const WRITERS: usize = 4;

fn coordinator(store: &dyn Store) -> Actor {
    store
        .add_user(
            &NewUser {
                username: "ola".into(),
                role: Role::Coordinator,
                municipalities: vec![],
                password_hash: "$argon2id$test".into(),
            },
            "test",
        )
        .unwrap()
        .actor()
}

/// Runs `WRITERS` threads of comments against stores from `open`, starts `backup` after a
/// while, and returns the comments acknowledged before it started.
fn write_during(
    open: impl Fn() -> Arc<dyn Store> + Send + Sync + 'static,
    who: Actor,
    backup: impl FnOnce(),
) -> HashSet<String> {
    let open = Arc::new(open);
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<Mutex<Vec<(Instant, String)>>> = Arc::default();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (open, stop, acked, who) = (open.clone(), stop.clone(), acked.clone(), who.clone());
            std::thread::spawn(move || {
                let store = open();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    let text = format!("w{w}-{n}");
                    store
                        .add_comment(&format!("b{w}"), "0301", &text, &who)
                        .unwrap();
                    acked.lock().unwrap().push((Instant::now(), text));
                    n += 1;
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(400));
    let started = Instant::now();
    backup();
    // Writes go on after the backup, and must not break it.
    std::thread::sleep(Duration::from_millis(100));
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap();
    assert!(acked.len() > 20, "the writers wrote only {}", acked.len());
    acked
        .iter()
        .filter(|(at, _)| *at < started)
        .map(|(_, t)| t.clone())
        .collect()
}

fn comments(store: &dyn Store) -> HashSet<String> {
    (0..WRITERS)
        .flat_map(|w| store.comments(&format!("b{w}")).unwrap())
        .map(|c| c.text)
        .collect()
}

fn cli(db: &str, args: &[&str]) -> std::process::Output {
    common::bin()
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_sqlite_backup_taken_under_four_writers_restores_every_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("review.sqlite");
    let file = dir.path().join("backup.sqlite");
    let who = coordinator(&SqliteStore::open(&db).unwrap());
    let db_s = db.to_str().unwrap().to_string();
    let before = {
        let db = db.clone();
        let (db_s, file) = (db_s.clone(), file.clone());
        write_during(
            move || Arc::new(SqliteStore::open(&db).unwrap()),
            who,
            move || {
                let o = cli(&db_s, &["backup", "--out", file.to_str().unwrap()]);
                assert!(o.status.success(), "{}", common::text(&o.stderr));
                assert!(common::text(&o.stdout).contains("backed up to"));
            },
        )
    };
    let restored = dir.path().join("restored.sqlite");
    let o = cli(
        restored.to_str().unwrap(),
        &["restore", "--from", file.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let got = comments(&SqliteStore::open(&restored).unwrap());
    let missing: Vec<_> = before.difference(&got).collect();
    assert!(
        missing.is_empty(),
        "lost {} writes: {missing:?}",
        missing.len()
    );

    // Restoring over a store needs --force, and keeps the old one.
    let live = comments(&SqliteStore::open(&db).unwrap());
    let o = cli(&db_s, &["restore", "--from", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::text(&o.stderr).contains("--force"),
        "{}",
        common::text(&o.stderr)
    );
    assert_eq!(comments(&SqliteStore::open(&db).unwrap()), live);
    // A truncated backup is refused, and the store is untouched.
    let bytes = std::fs::read(&file).unwrap();
    let broken = dir.path().join("broken.sqlite");
    std::fs::write(&broken, &bytes[..bytes.len() / 3]).unwrap();
    let o = cli(
        &db_s,
        &["restore", "--force", "--from", broken.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2), "{}", common::text(&o.stderr));
    assert!(
        common::text(&o.stderr).contains("not an energistasjon store backup"),
        "{}",
        common::text(&o.stderr)
    );
    assert_eq!(comments(&SqliteStore::open(&db).unwrap()), live);
    // With --force it replaces the store, and the old one stays beside it.
    let o = cli(
        &db_s,
        &["restore", "--force", "--from", file.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    assert_eq!(comments(&SqliteStore::open(&db).unwrap()), got);
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("before-restore"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(comments(&SqliteStore::open(&kept[0].path()).unwrap()), live);
}

#[test]
fn a_postgis_backup_taken_under_four_writers_restores_every_acknowledged_write() {
    let db = common::pg_database();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.pgdump");
    let who = coordinator(&PgStore::open(&db).unwrap());
    let before = {
        let (db2, file) = (db.clone(), file.clone());
        let db3 = db.clone();
        write_during(
            move || Arc::new(PgStore::open(&db3).unwrap()),
            who,
            move || {
                let o = cli(&db2, &["backup", "--out", file.to_str().unwrap()]);
                assert!(o.status.success(), "{}", common::text(&o.stderr));
            },
        )
    };
    let target = common::pg_database();
    let o = cli(&target, &["restore", "--from", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let got = comments(&PgStore::open(&target).unwrap());
    let missing: Vec<_> = before.difference(&got).collect();
    assert!(
        missing.is_empty(),
        "lost {} writes: {missing:?}",
        missing.len()
    );
    assert!(got.len() >= before.len());
    // A database that holds a store is not replaced without --force.
    let o = cli(&target, &["restore", "--from", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", common::text(&o.stderr));
    assert!(common::text(&o.stderr).contains("--force"));
    assert_eq!(comments(&PgStore::open(&target).unwrap()), got);
}
