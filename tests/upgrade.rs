//! Upgrades: a store made at every earlier schema version, holding what users had written
//! by then (written by that version's migrations and tables, not through today's code),
//! opens with today's program, is brought up to date, and has lost nothing. On SQLite and
//! on PostGIS.

mod common;

use energistasjon::domain::review::{Role, Status};
use energistasjon::store::postgres::PgStore;
use energistasjon::store::sqlite::SqliteStore;
use energistasjon::store::Store;

/// What the first schema holds, written as rows of its own tables.
const FIXTURE: &str = r#"
INSERT INTO users (id, username, role, municipalities, password_hash, failed_logins, created_at)
    VALUES (1, 'kari', 'municipality', '0301', '$argon2id$fixture', 0, 1700000000);
INSERT INTO sites (site, kommunenummer, status, version) VALUES ('g-alnabru', '0301', 'under_review', 1);
INSERT INTO comments (site, author, text, created_at) VALUES ('g-alnabru', 'kari', 'Nettkapasitet avklart – «ja»', 1700000002);
INSERT INTO votes (site, user_id, vote, at) VALUES ('g-alnabru', 1, 'support', 1700000003);
INSERT INTO audit (at, actor, action, entity, before, after)
    VALUES (1700000004, 'kari', 'status.set', 'site:g-alnabru', '{"status":"proposed"}', '{"status":"under_review"}');
"#;

/// Everything the fixture wrote is there, and the upgraded store takes new writes.
fn nothing_lost(store: &dyn Store, from: usize) {
    let kari = store
        .user_by_name("kari")
        .unwrap()
        .unwrap_or_else(|| panic!("from version {from}: the user is gone"));
    assert_eq!(kari.role, Role::Municipality);
    assert_eq!(kari.municipalities, vec!["0301".to_string()]);
    let sites = store.sites().unwrap();
    let site = sites
        .iter()
        .find(|s| s.site == "g-alnabru")
        .unwrap_or_else(|| panic!("from version {from}: the site is gone"));
    assert_eq!(
        (site.status, site.version, site.comments, site.support),
        (Status::UnderReview, 1, 1, 1),
        "from version {from}"
    );
    let comments = store.comments("g-alnabru").unwrap();
    assert_eq!(comments[0].text, "Nettkapasitet avklart – «ja»");
    let history = store.history("site:g-alnabru").unwrap();
    assert_eq!(history.len(), 1, "from version {from}");
    assert_eq!(history[0].action, "status.set");
    // It works as a store of today: a new comment moves the review stamp.
    let stamp = store.review_stamp().unwrap();
    store
        .add_comment("g-alnabru", "0301", "etter oppgradering", &kari.actor())
        .unwrap();
    assert!(store.review_stamp().unwrap() > stamp, "from version {from}");
    assert_eq!(store.comments("g-alnabru").unwrap().len(), 2);
}

#[test]
fn sqlite_stores_from_every_earlier_schema_version_upgrade_with_nothing_lost() {
    const { assert!(SqliteStore::SCHEMA_VERSION >= 2) };
    for from in 1..SqliteStore::SCHEMA_VERSION {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        SqliteStore::create_at_version(&path, from).unwrap();
        let c = rusqlite::Connection::open(&path).unwrap();
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v as usize, from);
        c.execute_batch(FIXTURE).unwrap();
        drop(c);
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(
            store.schema_version().unwrap() as usize,
            SqliteStore::SCHEMA_VERSION
        );
        nothing_lost(&store, from);
    }
}

#[test]
fn postgis_databases_from_every_earlier_schema_version_upgrade_with_nothing_lost() {
    const { assert!(PgStore::SCHEMA_VERSION >= 2) };
    for from in 1..PgStore::SCHEMA_VERSION {
        let url = common::pg_database();
        PgStore::create_at_version(&url, from).unwrap();
        let fixture = FIXTURE.to_string();
        let u = url.clone();
        std::thread::spawn(move || {
            let mut c = postgres::Client::connect(&u, postgres::NoTls).unwrap();
            let v: i64 = c
                .query_one("SELECT version FROM schema_version", &[])
                .unwrap()
                .get(0);
            assert_eq!(v as usize, from);
            c.batch_execute(&fixture).unwrap();
            // Serial ids continue after the rows written with explicit ids.
            c.batch_execute("SELECT setval(pg_get_serial_sequence('users', 'id'), 1)")
                .unwrap();
        })
        .join()
        .unwrap();
        let store = PgStore::open(&url).unwrap();
        nothing_lost(&store, from);
    }
}
