//! The store's contract, as one suite any implementation must pass: users, tokens,
//! proposals, comments, votes, status changes with optimistic versions, and the audit log.
//! Run here against SQLite files.

use std::sync::Arc;

use energistasjon::domain::review::{Actor, Role, Status};
mod common;

use energistasjon::store::postgres::PgStore;
use energistasjon::store::sqlite::SqliteStore;
use energistasjon::store::{now, NewProposal, NewUser, Store, StoreError, Vote};
use serde_json::json;

fn coordinator(store: &dyn Store, name: &str) -> Actor {
    store
        .add_user(
            &NewUser {
                username: name.into(),
                role: Role::Coordinator,
                municipalities: vec![],
                password_hash: "$argon2id$test".into(),
            },
            "test",
        )
        .unwrap()
        .actor()
}

fn municipality_user(store: &dyn Store, name: &str, kommune: &str) -> Actor {
    store
        .add_user(
            &NewUser {
                username: name.into(),
                role: Role::Municipality,
                municipalities: vec![kommune.into()],
                password_hash: "$argon2id$test".into(),
            },
            "test",
        )
        .unwrap()
        .actor()
}

/// What every store must do.
fn suite(store: &dyn Store) {
    let kari = municipality_user(store, "kari", "0301");
    let ola = coordinator(store, "ola");

    // Users: unique names, found again with their municipalities.
    let dup = store.add_user(
        &NewUser {
            username: "kari".into(),
            role: Role::Admin,
            municipalities: vec![],
            password_hash: "x".into(),
        },
        "test",
    );
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let found = store.user_by_name("kari").unwrap().unwrap();
    assert_eq!(found.municipalities, vec!["0301"]);
    assert_eq!(found.role, Role::Municipality);

    // Tokens work until revoked or expired, and stop at once.
    let t = store
        .add_token(kari.user_id, "hash-1", "api", None)
        .unwrap();
    assert_eq!(
        store
            .user_by_token("hash-1", now())
            .unwrap()
            .unwrap()
            .username,
        "kari"
    );
    store.revoke_token(t, "kari").unwrap();
    assert!(store.user_by_token("hash-1", now()).unwrap().is_none());
    store
        .add_token(kari.user_id, "hash-2", "session", Some(now() - 1))
        .unwrap();
    assert!(
        store.user_by_token("hash-2", now()).unwrap().is_none(),
        "expired"
    );

    // Lockout is recorded and cleared.
    store.record_login(kari.user_id, false, None).unwrap();
    store
        .record_login(kari.user_id, false, Some(now() + 900))
        .unwrap();
    let u = store.user(kari.user_id).unwrap().unwrap();
    assert_eq!(u.failed_logins, 2);
    assert!(u.locked_until.is_some());
    store.record_login(kari.user_id, true, None).unwrap();
    assert_eq!(store.user(kari.user_id).unwrap().unwrap().failed_logins, 0);

    // Proposals get an id and a site in `proposed`.
    let p = store
        .add_proposal(
            &NewProposal {
                name: "Alnabru nord".into(),
                kommunenummer: "0301".into(),
                geometry: json!({"type": "Point", "coordinates": [267000.0, 6652000.0]}),
            },
            &kari,
        )
        .unwrap();
    assert!(p.id.starts_with("prop-"));
    assert_eq!(store.proposal(&p.id).unwrap().unwrap().name, "Alnabru nord");
    assert_eq!(store.proposals(Some("0301")).unwrap().len(), 1);
    assert!(store.proposals(Some("3201")).unwrap().is_empty());
    let s = store.site(&p.id, "0301").unwrap();
    assert_eq!((s.status, s.version), (Status::Proposed, 0));

    // Comments are kept verbatim, SQL-shaped or not.
    let nasty = "'); DROP TABLE comments; -- «Bærum» \u{1F69B}";
    store.add_comment(&p.id, "0301", nasty, &kari).unwrap();
    store
        .add_comment(&p.id, "0301", "Nettkapasitet bekreftet", &ola)
        .unwrap();
    let comments = store.comments(&p.id).unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0].text, nasty);
    assert_eq!(comments[1].author, "ola");

    // One vote per user, changeable.
    store.set_vote(&p.id, "0301", Vote::Oppose, &kari).unwrap();
    store.set_vote(&p.id, "0301", Vote::Support, &kari).unwrap();
    let s = store
        .set_vote(&p.id, "0301", Vote::NeedsInfo, &ola)
        .unwrap();
    assert_eq!(
        (s.support, s.oppose, s.needs_info, s.comments),
        (1, 0, 1, 2)
    );

    // Status changes need the version they saw.
    let s = store
        .set_status(&p.id, "0301", 0, Status::UnderReview, None, &ola)
        .unwrap();
    assert_eq!((s.status, s.version), (Status::UnderReview, 1));
    let stale = store.set_status(&p.id, "0301", 0, Status::Recommended, None, &ola);
    assert!(
        matches!(
            stale,
            Err(StoreError::Stale {
                current: 1,
                sent: 0
            })
        ),
        "{stale:?}"
    );
    assert_eq!(
        store.site(&p.id, "0301").unwrap().status,
        Status::UnderReview
    );

    // A candidate site (not a proposal) is reviewable too.
    let s = store
        .set_status(
            "g266500_6636500",
            "3101",
            0,
            Status::UnderReview,
            None,
            &ola,
        )
        .unwrap();
    assert_eq!(s.kommunenummer, "3101");
    assert_eq!(store.sites().unwrap().len(), 2);

    // Saved weight scenarios: unique per profile.
    let w = json!({"grid_capacity": 40, "main_road": 20});
    let sc = store
        .save_scenario("Nett først", "depot", &w, &ola)
        .unwrap();
    assert_eq!(sc.weights, w);
    assert!(matches!(
        store.save_scenario("Nett først", "depot", &w, &kari),
        Err(StoreError::Conflict(_))
    ));
    store
        .save_scenario("Nett først", "hydrogen", &w, &kari)
        .unwrap();
    assert_eq!(store.scenarios(Some("depot")).unwrap().len(), 1);
    assert_eq!(store.scenarios(None).unwrap().len(), 2);

    // Checklist ticks: one answer per item, the later replacing the earlier, kept per
    // checklist, with the tick before and after in the audit log.
    store
        .set_tick(
            &p.id,
            "3101",
            "depot",
            "zoning-purpose",
            false,
            Some("sjekkes"),
            &kari,
        )
        .unwrap();
    let t = store
        .set_tick(
            &p.id,
            "3101",
            "depot",
            "zoning-purpose",
            true,
            Some("regulert til næring"),
            &ola,
        )
        .unwrap();
    assert!(t.done);
    store
        .set_tick(&p.id, "3101", "depot", "early-meeting", true, None, &kari)
        .unwrap();
    let ticks = store.ticks(&p.id, "depot").unwrap();
    assert_eq!(ticks.len(), 2, "{ticks:?}");
    assert_eq!(ticks[0].item, "early-meeting");
    assert_eq!(ticks[0].comment, None);
    assert_eq!(ticks[1], t);
    assert_eq!(ticks[1].author, "ola");
    assert_eq!(ticks[1].comment.as_deref(), Some("regulert til næring"));
    assert!(store.ticks(&p.id, "hydrogen").unwrap().is_empty());
    let tick_log: Vec<_> = store
        .history(&format!("site:{}", p.id))
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "checklist.tick")
        .collect();
    assert_eq!(tick_log.len(), 3);
    assert_eq!(tick_log[1].before.as_ref().unwrap()["done"], false);
    assert_eq!(tick_log[1].after.as_ref().unwrap()["done"], true);
    assert_eq!(tick_log[1].actor, "ola");

    // The audit log has every change, newest first, with before and after.
    let log = store.audit(100).unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "user.add",
        "token.add",
        "token.revoke",
        "user.lock",
        "proposal.add",
        "comment.add",
        "vote.set",
        "status.set",
        "scenario.save",
        "checklist.tick",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    let change = log
        .iter()
        .find(|e| e.action == "status.set" && e.entity == format!("site:{}", p.id))
        .unwrap();
    assert_eq!(change.actor, "ola");
    assert_eq!(change.before.as_ref().unwrap()["status"], "proposed");
    assert_eq!(change.after.as_ref().unwrap()["status"], "under_review");
    assert!(log.windows(2).all(|w| w[0].id > w[1].id));
}

#[test]
fn the_sqlite_store_passes_the_store_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("review.sqlite")).unwrap();
    suite(&store);
}

#[test]
fn the_postgis_store_passes_the_store_suite() {
    let store = PgStore::open(&common::pg_database()).unwrap();
    suite(&store);
}

#[test]
fn two_coordinators_changing_the_same_site_from_the_same_version_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    same_version_race(Arc::new(
        SqliteStore::open(&dir.path().join("review.sqlite")).unwrap(),
    ));
}

#[test]
fn two_coordinators_on_postgis_from_the_same_version_lose_nothing() {
    same_version_race(Arc::new(PgStore::open(&common::pg_database()).unwrap()));
}

#[test]
fn the_postgis_audit_table_is_append_only_and_proposals_are_postgis_geometries() {
    let url = common::pg_database();
    let store = PgStore::open(&url).unwrap();
    let ola = coordinator(&store, "ola");
    store
        .add_proposal(
            &NewProposal {
                name: "Berger".into(),
                kommunenummer: "3201".into(),
                geometry: json!({"type": "Polygon", "coordinates": [[[250000.0, 6650000.0], [250100.0, 6650000.0], [250100.0, 6650100.0], [250000.0, 6650000.0]]]}),
            },
            &ola,
        )
        .unwrap();
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let row = c
        .query_one(
            "SELECT ST_SRID(geom), ST_Area(geom), GeometryType(geom) FROM proposals",
            &[],
        )
        .unwrap();
    assert_eq!(row.get::<_, i32>(0), 25833);
    assert!((row.get::<_, f64>(1) - 5000.0).abs() < 1e-6);
    assert_eq!(row.get::<_, String>(2), "POLYGON");
    let gist: i64 = c
        .query_one("SELECT count(*) FROM pg_indexes WHERE tablename = 'proposals' AND indexdef ILIKE '%gist%'", &[])
        .unwrap()
        .get(0);
    assert_eq!(gist, 1);
    let err = c.execute("DELETE FROM audit", &[]).unwrap_err().to_string();
    let err = format!(
        "{err} {:?}",
        c.execute("UPDATE audit SET actor = 'mallory'", &[]).err()
    );
    assert!(err.matches("append-only").count() >= 1, "{err}");
    assert!(!store.audit(10).unwrap().is_empty());
    // A second open finds the schema in place.
    drop(store);
    PgStore::open(&url).unwrap();
}

fn same_version_race(store: Arc<dyn Store>) {
    let a = coordinator(store.as_ref(), "a");
    let b = coordinator(store.as_ref(), "b");
    for round in 0..50 {
        let site = format!("site-{round}");
        let results: Vec<_> = [
            (a.clone(), Status::UnderReview),
            (b.clone(), Status::Rejected),
        ]
        .into_iter()
        .map(|(who, to)| {
            let store = store.clone();
            let site = site.clone();
            std::thread::spawn(move || {
                store.set_status(&site, "0301", 0, to, Some("for test"), &who)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
        let ok: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        let stale = results
            .iter()
            .filter(|r| matches!(r, Err(StoreError::Stale { .. })))
            .count();
        assert_eq!((ok.len(), stale), (1, 1), "{results:?}");
        // The winner's change is the one stored, and the log shows exactly one change.
        let now = store.site(&site, "0301").unwrap();
        assert_eq!((now.status, now.version), (ok[0].status, 1));
        let changes = store
            .audit(10_000)
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "status.set" && e.entity == format!("site:{site}"))
            .count();
        assert_eq!(changes, 1);
    }
}

#[test]
fn the_sqlite_file_keeps_everything_across_reopening_and_refuses_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.sqlite");
    {
        let store = SqliteStore::open(&path).unwrap();
        let ola = coordinator(&store, "ola");
        store.add_comment("g1", "0301", "første", &ola).unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.comments("g1").unwrap()[0].text, "første");
    let version = store.schema_version().unwrap();
    assert!(version >= 1);
    drop(store);
    // The audit table refuses changes even at the SQL prompt.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let err = conn
        .execute("DELETE FROM audit", [])
        .unwrap_err()
        .to_string();
    assert!(err.contains("append-only"), "{err}");
    let err = conn
        .execute("UPDATE audit SET actor = 'mallory'", [])
        .unwrap_err()
        .to_string();
    assert!(err.contains("append-only"), "{err}");
    conn.execute_batch(&format!("PRAGMA user_version = {}", version + 1))
        .unwrap();
    drop(conn);
    let err = SqliteStore::open(&path).err().unwrap().to_string();
    assert!(err.contains("newer") && err.contains("upgrade"), "{err}");
}

#[test]
fn a_store_in_a_missing_folder_names_the_path() {
    let err = SqliteStore::open(std::path::Path::new("/no/such/folder/review.sqlite"))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("/no/such/folder/review.sqlite"), "{err}");
}

#[test]
fn instances_opening_one_new_sqlite_file_at_once_both_start_and_share_login_limits() {
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("review.sqlite");
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(3));
        let opening: Vec<_> = (0..3)
            .map(|_| {
                let (path, barrier) = (path.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    SqliteStore::open(&path)
                })
            })
            .collect();
        let stores: Vec<SqliteStore> = opening
            .into_iter()
            .map(|t| t.join().unwrap().expect("every instance opens the file"))
            .collect();
        for n in 0..10 {
            assert!(stores[n % 3].login_attempt("kari", 1000, 60, 10).unwrap());
        }
        for s in &stores {
            assert!(!s.login_attempt("KARI", 1001, 60, 10).unwrap());
        }
        // A minute later the name may try again.
        assert!(stores[0].login_attempt("kari", 1061, 60, 10).unwrap());
    }
}
