//! The embedded store: one SQLite file (system libsqlite3 through rusqlite), versioned
//! migrations, WAL with `synchronous=FULL` so an acknowledged write survives a crash, and
//! one transaction per write that also appends the audit entry. Triggers make the audit
//! table append-only even for someone at the SQL prompt.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::json;

use super::{
    now, AuditEntry, Comment, NewProposal, NewUser, ProgrammeChange, Proposal, Result, Scenario,
    SiteState, Store, StoreError, Tick, User, Vote,
};
use crate::domain::review::{Actor, Role, Status};

/// Each entry moves the schema one version up; never edit one that has shipped.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    municipalities TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    created_at INTEGER NOT NULL
);
CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    revoked_at INTEGER
);
CREATE TABLE proposals (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kommunenummer TEXT NOT NULL,
    geometry TEXT NOT NULL,
    proposed_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE sites (
    site TEXT PRIMARY KEY,
    kommunenummer TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    author TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX comments_site ON comments(site);
CREATE TABLE votes (
    site TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    vote TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (site, user_id)
);
CREATE TABLE status_changes (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    reason TEXT,
    actor TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#,
    r#"
CREATE TABLE scenarios (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    profile TEXT NOT NULL,
    weights TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (profile, name)
);
"#,
    r#"
CREATE TABLE programme_changes (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    change TEXT NOT NULL,
    by TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX programme_changes_year ON programme_changes (year, id);
"#,
    r#"
CREATE TABLE checklist_ticks (
    site TEXT NOT NULL REFERENCES sites (site),
    checklist TEXT NOT NULL,
    item TEXT NOT NULL,
    done INTEGER NOT NULL,
    comment TEXT,
    author TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (site, checklist, item)
);
"#,
    r#"
CREATE TABLE login_attempts (
    username TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts (username, at);
CREATE INDEX login_attempts_at ON login_attempts (at);
"#,
    // A counter every change to the review state moves, so a service can tell in one read
    // whether its copy of that state (the overlay on tiles and items) is still current.
    // Idempotent: an older backup restored over a newer store leaves these in place.
    r#"
CREATE TABLE IF NOT EXISTS review_clock (n INTEGER NOT NULL);
INSERT INTO review_clock SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM review_clock);
CREATE TRIGGER IF NOT EXISTS sites_clock_insert AFTER INSERT ON sites
    BEGIN UPDATE review_clock SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS sites_clock_update AFTER UPDATE ON sites
    BEGIN UPDATE review_clock SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS sites_clock_delete AFTER DELETE ON sites
    BEGIN UPDATE review_clock SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS comments_clock_insert AFTER INSERT ON comments
    BEGIN UPDATE review_clock SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS comments_clock_update AFTER UPDATE ON comments
    BEGIN UPDATE review_clock SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS comments_clock_delete AFTER DELETE ON comments
    BEGIN UPDATE review_clock SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS votes_clock_insert AFTER INSERT ON votes
    BEGIN UPDATE review_clock SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS votes_clock_update AFTER UPDATE ON votes
    BEGIN UPDATE review_clock SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS votes_clock_delete AFTER DELETE ON votes
    BEGIN UPDATE review_clock SET n = n + 1; END;
"#,
];

pub struct SqliteStore {
    conn: Mutex<Connection>,
}

fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

fn audit(
    tx: &Transaction,
    actor: &str,
    action: &str,
    entity: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO audit (at, actor, action, entity, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            now(),
            actor,
            action,
            entity,
            before.map(|v| v.to_string()),
            after.map(|v| v.to_string())
        ],
    )
    .map_err(db)?;
    Ok(())
}

fn user_row(r: &rusqlite::Row) -> rusqlite::Result<User> {
    let role: String = r.get(2)?;
    let municipalities: String = r.get(3)?;
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        role: Role::parse(&role).unwrap_or(Role::Municipality),
        municipalities: municipalities
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        password_hash: r.get(4)?,
        failed_logins: r.get(5)?,
        locked_until: r.get(6)?,
    })
}

const USER_COLUMNS: &str =
    "id, username, role, municipalities, password_hash, failed_logins, locked_until";

fn proposal_row(r: &rusqlite::Row) -> rusqlite::Result<Proposal> {
    let id: i64 = r.get(0)?;
    let geometry: String = r.get(3)?;
    Ok(Proposal {
        id: format!("prop-{id}"),
        name: r.get(1)?,
        kommunenummer: r.get(2)?,
        geometry: serde_json::from_str(&geometry).unwrap_or(serde_json::Value::Null),
        proposed_by: r.get(4)?,
        created_at: r.get(5)?,
    })
}

fn site_state(tx: &Connection, site: &str, kommunenummer: &str) -> Result<SiteState> {
    let row: Option<(String, String, i64)> = tx
        .query_row(
            "SELECT kommunenummer, status, version FROM sites WHERE site = ?1",
            params![site],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .map_err(db)?;
    let (kommunenummer, status, version) = match row {
        Some((k, s, v)) => (k, Status::parse(&s).unwrap_or(Status::Proposed), v),
        None => (kommunenummer.to_string(), Status::Proposed, 0),
    };
    let comments: i64 = tx
        .query_row(
            "SELECT count(*) FROM comments WHERE site = ?1",
            params![site],
            |r| r.get(0),
        )
        .map_err(db)?;
    let count = |v: Vote| -> Result<i64> {
        tx.query_row(
            "SELECT count(*) FROM votes WHERE site = ?1 AND vote = ?2",
            params![site, v.name()],
            |r| r.get(0),
        )
        .map_err(db)
    };
    Ok(SiteState {
        site: site.to_string(),
        kommunenummer,
        status,
        version,
        comments,
        support: count(Vote::Support)?,
        oppose: count(Vote::Oppose)?,
        needs_info: count(Vote::NeedsInfo)?,
    })
}

fn tick_row(r: &rusqlite::Row) -> rusqlite::Result<Tick> {
    Ok(Tick {
        site: r.get(0)?,
        checklist: r.get(1)?,
        item: r.get(2)?,
        done: r.get(3)?,
        comment: r.get(4)?,
        author: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

fn ensure_site(tx: &Transaction, site: &str, kommunenummer: &str) -> Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO sites (site, kommunenummer, status, version) VALUES (?1, ?2, 'proposed', 0)",
        params![site, kommunenummer],
    )
    .map_err(db)?;
    Ok(())
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

impl SqliteStore {
    /// Opens (or creates) the store file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let open_err = |e: rusqlite::Error| StoreError::Open {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let mut conn = Connection::open(path).map_err(open_err)?;
        // The busy timeout first: another process opening the same new file holds it while it
        // switches to WAL or migrates, and this one waits instead of failing.
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_err)?;
        // WAL lets readers go on during a write; FULL makes a commit durable before it is
        // acknowledged.
        // Switching a new file to WAL needs it to itself, and SQLite answers "locked" at once,
        // without the busy handler, while another process does the same: try again for 5 s.
        let mut tries = 0;
        loop {
            match conn.execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
            ) {
                Ok(()) => break,
                Err(e) if tries < 50 && is_busy(&e) => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => return Err(open_err(e)),
            }
        }
        migrate(&mut conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    /// The schema version this program writes.
    pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

    /// A store file at an earlier schema version, as that version's program made it: for
    /// the upgrade tests.
    #[doc(hidden)]
    pub fn create_at_version(path: &Path, version: usize) -> Result<()> {
        let mut conn = Connection::open(path).map_err(|e| StoreError::Open {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        migrate_to(&mut conn, version)
    }

    /// The schema version this file is at.
    pub fn schema_version(&self) -> Result<i64> {
        self.with(|c| {
            c.query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(db)
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        // A panic while holding the lock cannot leave SQLite half-written: the transaction
        // rolls back. So a poisoned lock is safe to take over.
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut conn)
    }

    fn write<T>(&self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        self.with(|c| {
            let tx = c
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(db)?;
            let out = f(&tx)?;
            tx.commit().map_err(db)?;
            Ok(out)
        })
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, MIGRATIONS.len())
}

/// Applies the migrations up to schema version `target`.
fn migrate_to(conn: &mut Connection, target: usize) -> Result<()> {
    // Immediate: two instances opening one file at once take turns, and the second reads
    // the version the first left.
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(db)?;
    let version: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(db)?;
    let supported = MIGRATIONS.len() as i64;
    if version > supported {
        return Err(StoreError::TooNew {
            found: version,
            supported,
        });
    }
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target)
        .skip(version as usize)
    {
        tx.execute_batch(sql).map_err(db)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
            .map_err(db)?;
    }
    tx.commit().map_err(db)
}

impl Store for SqliteStore {
    fn add_user(&self, u: &NewUser, by: &str) -> Result<User> {
        self.write(|tx| {
            let taken: bool = tx
                .query_row(
                    "SELECT count(*) > 0 FROM users WHERE username = ?1",
                    params![u.username],
                    |r| r.get(0),
                )
                .map_err(db)?;
            if taken {
                return Err(StoreError::Conflict(format!(
                    "a user named '{}' exists already",
                    u.username
                )));
            }
            tx.execute(
                "INSERT INTO users (username, role, municipalities, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![u.username, u.role.name(), u.municipalities.join(","), u.password_hash, now()],
            )
            .map_err(db)?;
            let id = tx.last_insert_rowid();
            let after = json!({"id": id, "username": u.username, "role": u.role.name(), "municipalities": u.municipalities});
            audit(tx, by, "user.add", &format!("user:{id}"), None, Some(&after))?;
            tx.query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"),
                params![id],
                user_row,
            )
            .map_err(db)
        })
    }

    fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1"),
                params![username],
                user_row,
            )
            .optional()
            .map_err(db)
        })
    }

    fn user(&self, id: i64) -> Result<Option<User>> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"),
                params![id],
                user_row,
            )
            .optional()
            .map_err(db)
        })
    }

    fn record_login(&self, user_id: i64, ok: bool, lock_until: Option<i64>) -> Result<()> {
        self.write(|tx| {
            if ok {
                tx.execute(
                    "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?1",
                    params![user_id],
                )
                .map_err(db)?;
            } else {
                tx.execute(
                    "UPDATE users SET failed_logins = failed_logins + 1, locked_until = coalesce(?2, locked_until) WHERE id = ?1",
                    params![user_id, lock_until],
                )
                .map_err(db)?;
                if lock_until.is_some() {
                    audit(tx, "system", "user.lock", &format!("user:{user_id}"), None, Some(&json!({"locked_until": lock_until})))?;
                }
            }
            Ok(())
        })
    }

    fn add_token(
        &self,
        user_id: i64,
        token_hash: &str,
        kind: &str,
        expires_at: Option<i64>,
    ) -> Result<i64> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO tokens (user_id, token_hash, kind, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![user_id, token_hash, kind, now(), expires_at],
            )
            .map_err(db)?;
            let id = tx.last_insert_rowid();
            if kind == "api" {
                audit(tx, &format!("user:{user_id}"), "token.add", &format!("token:{id}"), None, None)?;
            }
            Ok(id)
        })
    }

    fn user_by_token(&self, token_hash: &str, now: i64) -> Result<Option<User>> {
        self.with(|c| {
            c.query_row(
                &format!(
                    "SELECT {} FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?2)",
                    USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
                ),
                params![token_hash, now],
                user_row,
            )
            .optional()
            .map_err(db)
        })
    }

    fn revoke_token(&self, token_id: i64, by: &str) -> Result<()> {
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                    params![token_id, now()],
                )
                .map_err(db)?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("no active token {token_id}")));
            }
            audit(
                tx,
                by,
                "token.revoke",
                &format!("token:{token_id}"),
                None,
                None,
            )
        })
    }

    fn token_owner(&self, token_id: i64) -> Result<Option<i64>> {
        self.with(|c| {
            c.query_row(
                "SELECT user_id FROM tokens WHERE id = ?1",
                params![token_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)
        })
    }

    fn end_session(&self, token_hash: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE tokens SET revoked_at = ?2 WHERE token_hash = ?1 AND kind = 'session' AND revoked_at IS NULL",
                params![token_hash, now()],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    fn add_proposal(&self, p: &NewProposal, by: &Actor) -> Result<Proposal> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO proposals (name, kommunenummer, geometry, proposed_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![p.name, p.kommunenummer, p.geometry.to_string(), by.username, now()],
            )
            .map_err(db)?;
            let id = tx.last_insert_rowid();
            let proposal = tx
                .query_row(
                    "SELECT id, name, kommunenummer, geometry, proposed_by, created_at FROM proposals WHERE id = ?1",
                    params![id],
                    proposal_row,
                )
                .map_err(db)?;
            ensure_site(tx, &proposal.id, &p.kommunenummer)?;
            let after = serde_json::to_value(&proposal).ok();
            audit(tx, &by.username, "proposal.add", &format!("site:{}", proposal.id), None, after.as_ref())?;
            Ok(proposal)
        })
    }

    fn proposal(&self, id: &str) -> Result<Option<Proposal>> {
        let Some(n) = id.strip_prefix("prop-").and_then(|n| n.parse::<i64>().ok()) else {
            return Ok(None);
        };
        self.with(|c| {
            c.query_row(
                "SELECT id, name, kommunenummer, geometry, proposed_by, created_at FROM proposals WHERE id = ?1",
                params![n],
                proposal_row,
            )
            .optional()
            .map_err(db)
        })
    }

    fn proposals(&self, kommunenummer: Option<&str>) -> Result<Vec<Proposal>> {
        self.with(|c| {
            let mut stmt = c
                .prepare("SELECT id, name, kommunenummer, geometry, proposed_by, created_at FROM proposals WHERE ?1 IS NULL OR kommunenummer = ?1 ORDER BY id")
                .map_err(db)?;
            let rows = stmt
                .query_map(params![kommunenummer], proposal_row)
                .map_err(db)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(db);
            rows
        })
    }

    fn site(&self, site: &str, kommunenummer: &str) -> Result<SiteState> {
        self.with(|c| site_state(c, site, kommunenummer))
    }

    fn review_stamp(&self) -> Result<i64> {
        self.with(|c| {
            c.prepare_cached("SELECT n FROM review_clock")
                .and_then(|mut st| st.query_row([], |r| r.get(0)))
                .map_err(db)
        })
    }

    fn sites(&self) -> Result<Vec<SiteState>> {
        // One query: the items endpoint asks for this on every page of candidates.
        self.with(|c| {
            let mut stmt = c.prepare(super::SITES_SQL).map_err(db)?;
            let rows = stmt
                .query_map([], |r| {
                    let status: String = r.get(2)?;
                    Ok(SiteState {
                        site: r.get(0)?,
                        kommunenummer: r.get(1)?,
                        status: Status::parse(&status).unwrap_or(Status::Proposed),
                        version: r.get(3)?,
                        comments: r.get(4)?,
                        support: r.get(5)?,
                        oppose: r.get(6)?,
                        needs_info: r.get(7)?,
                    })
                })
                .map_err(db)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(db);
            rows
        })
    }

    fn add_comment(
        &self,
        site: &str,
        kommunenummer: &str,
        text: &str,
        by: &Actor,
    ) -> Result<Comment> {
        self.write(|tx| {
            ensure_site(tx, site, kommunenummer)?;
            let at = now();
            tx.execute(
                "INSERT INTO comments (site, author, text, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![site, by.username, text, at],
            )
            .map_err(db)?;
            let comment = Comment {
                id: tx.last_insert_rowid(),
                site: site.to_string(),
                author: by.username.clone(),
                text: text.to_string(),
                created_at: at,
            };
            audit(
                tx,
                &by.username,
                "comment.add",
                &format!("site:{site}"),
                None,
                serde_json::to_value(&comment).ok().as_ref(),
            )?;
            Ok(comment)
        })
    }

    fn comments(&self, site: &str) -> Result<Vec<Comment>> {
        self.with(|c| {
            let mut stmt = c
                .prepare("SELECT id, site, author, text, created_at FROM comments WHERE site = ?1 ORDER BY id")
                .map_err(db)?;
            let rows = stmt
                .query_map(params![site], |r| {
                    Ok(Comment {
                        id: r.get(0)?,
                        site: r.get(1)?,
                        author: r.get(2)?,
                        text: r.get(3)?,
                        created_at: r.get(4)?,
                    })
                })
                .map_err(db)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(db);
            rows
        })
    }

    fn set_tick(
        &self,
        site: &str,
        kommunenummer: &str,
        checklist: &str,
        item: &str,
        done: bool,
        comment: Option<&str>,
        by: &Actor,
    ) -> Result<Tick> {
        self.write(|tx| {
            ensure_site(tx, site, kommunenummer)?;
            let before = tx
                .query_row(
                    "SELECT site, checklist, item, done, comment, author, updated_at FROM checklist_ticks WHERE site = ?1 AND checklist = ?2 AND item = ?3",
                    params![site, checklist, item],
                    tick_row,
                )
                .optional()
                .map_err(db)?;
            let tick = Tick {
                site: site.to_string(),
                checklist: checklist.to_string(),
                item: item.to_string(),
                done,
                comment: comment.map(str::to_string),
                author: by.username.clone(),
                updated_at: now(),
            };
            tx.execute(
                "INSERT INTO checklist_ticks (site, checklist, item, done, comment, author, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (site, checklist, item) DO UPDATE SET done = excluded.done, comment = excluded.comment, author = excluded.author, updated_at = excluded.updated_at",
                params![tick.site, tick.checklist, tick.item, tick.done, tick.comment, tick.author, tick.updated_at],
            )
            .map_err(db)?;
            audit(
                tx,
                &by.username,
                "checklist.tick",
                &format!("site:{site}"),
                before.and_then(|b| serde_json::to_value(b).ok()).as_ref(),
                serde_json::to_value(&tick).ok().as_ref(),
            )?;
            Ok(tick)
        })
    }

    fn login_attempt(&self, username: &str, now: i64, window_s: i64, max: u32) -> Result<bool> {
        let name = username.to_lowercase();
        // Immediate: two instances counting at once take turns, so neither sees a stale count.
        self.write(|tx| {
            tx.execute(
                "DELETE FROM login_attempts WHERE at <= ?1",
                params![now - window_s],
            )
            .map_err(db)?;
            let n: i64 = tx
                .query_row(
                    "SELECT COUNT(*) FROM login_attempts WHERE username = ?1",
                    params![name],
                    |r| r.get(0),
                )
                .map_err(db)?;
            if n >= i64::from(max) {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO login_attempts (username, at) VALUES (?1, ?2)",
                params![name, now],
            )
            .map_err(db)?;
            Ok(true)
        })
    }

    fn ticks(&self, site: &str, checklist: &str) -> Result<Vec<Tick>> {
        self.with(|c| {
            let mut stmt = c
                .prepare("SELECT site, checklist, item, done, comment, author, updated_at FROM checklist_ticks WHERE site = ?1 AND checklist = ?2 ORDER BY item")
                .map_err(db)?;
            let rows = stmt
                .query_map(params![site, checklist], tick_row)
                .map_err(db)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(db);
            rows
        })
    }

    fn set_vote(
        &self,
        site: &str,
        kommunenummer: &str,
        vote: Vote,
        by: &Actor,
    ) -> Result<SiteState> {
        self.write(|tx| {
            ensure_site(tx, site, kommunenummer)?;
            let before: Option<String> = tx
                .query_row(
                    "SELECT vote FROM votes WHERE site = ?1 AND user_id = ?2",
                    params![site, by.user_id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db)?;
            tx.execute(
                "INSERT INTO votes (site, user_id, vote, at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (site, user_id) DO UPDATE SET vote = excluded.vote, at = excluded.at",
                params![site, by.user_id, vote.name(), now()],
            )
            .map_err(db)?;
            audit(tx, &by.username, "vote.set", &format!("site:{site}"), before.map(|b| json!({"vote": b})).as_ref(), Some(&json!({"vote": vote.name()})))?;
            site_state(tx, site, kommunenummer)
        })
    }

    fn set_status(
        &self,
        site: &str,
        kommunenummer: &str,
        version: i64,
        to: Status,
        reason: Option<&str>,
        by: &Actor,
    ) -> Result<SiteState> {
        self.write(|tx| {
            ensure_site(tx, site, kommunenummer)?;
            let before = site_state(tx, site, kommunenummer)?;
            if before.version != version {
                return Err(StoreError::Stale {
                    current: before.version,
                    sent: version,
                });
            }
            // The version in the WHERE clause makes the check and the change one step.
            let n = tx
                .execute(
                    "UPDATE sites SET status = ?2, version = version + 1 WHERE site = ?1 AND version = ?3",
                    params![site, to.name(), version],
                )
                .map_err(db)?;
            if n != 1 {
                return Err(StoreError::Stale {
                    current: before.version,
                    sent: version,
                });
            }
            tx.execute(
                "INSERT INTO status_changes (site, from_status, to_status, reason, actor, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![site, before.status.name(), to.name(), reason, by.username, now()],
            )
            .map_err(db)?;
            let after = site_state(tx, site, kommunenummer)?;
            audit(
                tx,
                &by.username,
                "status.set",
                &format!("site:{site}"),
                Some(&json!({"status": before.status.name(), "version": before.version})),
                Some(&json!({"status": to.name(), "version": after.version, "reason": reason})),
            )?;
            Ok(after)
        })
    }

    fn save_scenario(
        &self,
        name: &str,
        profile: &str,
        weights: &serde_json::Value,
        by: &Actor,
    ) -> Result<Scenario> {
        self.write(|tx| {
            let taken: bool = tx
                .query_row("SELECT count(*) > 0 FROM scenarios WHERE profile = ?1 AND name = ?2", params![profile, name], |r| r.get(0))
                .map_err(db)?;
            if taken {
                return Err(StoreError::Conflict(format!("profile {profile} has a scenario named '{name}' already; choose another name")));
            }
            let at = now();
            tx.execute(
                "INSERT INTO scenarios (name, profile, weights, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![name, profile, weights.to_string(), by.username, at],
            )
            .map_err(db)?;
            let scenario = Scenario { id: tx.last_insert_rowid(), name: name.into(), profile: profile.into(), weights: weights.clone(), created_by: by.username.clone(), created_at: at };
            audit(tx, &by.username, "scenario.save", &format!("scenario:{}", scenario.id), None, serde_json::to_value(&scenario).ok().as_ref())?;
            Ok(scenario)
        })
    }

    fn scenarios(&self, profile: Option<&str>) -> Result<Vec<Scenario>> {
        self.with(|c| {
            let mut stmt = c
                .prepare("SELECT id, name, profile, weights, created_by, created_at FROM scenarios WHERE ?1 IS NULL OR profile = ?1 ORDER BY profile, name")
                .map_err(db)?;
            let rows = stmt
                .query_map(params![profile], |r| {
                    let w: String = r.get(3)?;
                    Ok(Scenario { id: r.get(0)?, name: r.get(1)?, profile: r.get(2)?, weights: serde_json::from_str(&w).unwrap_or_default(), created_by: r.get(4)?, created_at: r.get(5)? })
                })
                .map_err(db)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(db);
            rows
        })
    }

    fn add_programme_change(
        &self,
        year: u16,
        change: &serde_json::Value,
        by: Option<&Actor>,
    ) -> Result<ProgrammeChange> {
        let who = by
            .map(|a| a.username.clone())
            .unwrap_or_else(|| "system".into());
        self.write(|tx| {
            let at = now();
            tx.execute(
                "INSERT INTO programme_changes (year, change, by, at) VALUES (?1, ?2, ?3, ?4)",
                params![year, change.to_string(), who, at],
            )
            .map_err(db)?;
            let c = ProgrammeChange {
                id: tx.last_insert_rowid(),
                year,
                change: change.clone(),
                by: who.clone(),
                at,
            };
            // Computed readings are the service's own; people's changes are audited.
            if by.is_some() {
                audit(
                    tx,
                    &who,
                    "programme.change",
                    &format!("programme:{year}"),
                    None,
                    Some(change),
                )?;
            }
            Ok(c)
        })
    }

    fn programme_changes(&self, year: u16) -> Result<Vec<ProgrammeChange>> {
        self.with(|c| {
            let mut stmt = c
                .prepare("SELECT id, year, change, by, at FROM programme_changes WHERE year = ?1 ORDER BY id")
                .map_err(db)?;
            let rows = stmt
                .query_map(params![year], |r| {
                    let text: String = r.get(2)?;
                    Ok(ProgrammeChange { id: r.get(0)?, year: r.get(1)?, change: serde_json::from_str(&text).unwrap_or_default(), by: r.get(3)?, at: r.get(4)? })
                })
                .map_err(db)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(db);
            rows
        })
    }

    fn audit(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        self.audit_rows(
            "SELECT id, at, actor, action, entity, before, after FROM audit ORDER BY id DESC LIMIT ?1",
            &(limit as i64),
        )
    }

    fn history(&self, entity: &str) -> Result<Vec<AuditEntry>> {
        self.audit_rows(
            "SELECT id, at, actor, action, entity, before, after FROM audit WHERE entity = ?1 ORDER BY id",
            &entity,
        )
    }
}

impl SqliteStore {
    fn audit_rows(&self, sql: &str, arg: &dyn rusqlite::ToSql) -> Result<Vec<AuditEntry>> {
        self.with(|c| {
            let mut stmt = c.prepare(sql).map_err(db)?;
            let parse = |s: Option<String>| s.and_then(|t| serde_json::from_str(&t).ok());
            let rows = stmt
                .query_map([arg], |r| {
                    Ok(AuditEntry {
                        id: r.get(0)?,
                        at: r.get(1)?,
                        actor: r.get(2)?,
                        action: r.get(3)?,
                        entity: r.get(4)?,
                        before: parse(r.get(5)?),
                        after: parse(r.get(6)?),
                    })
                })
                .map_err(db)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(db);
            rows
        })
    }
}
