//! The shared store: PostgreSQL with PostGIS, for deployments where several servers or
//! other tools use the same review data. Same contract as the SQLite store: versioned
//! migrations, a transaction per write with its audit entry, an append-only audit table
//! (a trigger refuses UPDATE and DELETE), and proposals as geometry(Geometry, 25833) with a
//! GiST index.
//!
//! The `postgres` client blocks; it runs on a few worker threads of its own, so the store
//! can be called from anywhere, async handlers included, like the SQLite one.

use std::sync::mpsc;
use std::sync::Mutex;

use postgres::{Client, NoTls, Transaction};
use serde_json::json;

use super::{
    now, AuditEntry, Comment, NewProposal, NewUser, ProgrammeChange, Proposal, Result, Scenario,
    SiteState, Store, StoreError, Tick, User, Vote,
};
use crate::domain::review::{Actor, Role, Status};

const MIGRATIONS: &[&str] = &[
    r#"
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    municipalities TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    created_at BIGINT NOT NULL
);
CREATE TABLE tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT
);
CREATE TABLE proposals (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    kommunenummer TEXT NOT NULL,
    geom geometry(Geometry, 25833) NOT NULL,
    proposed_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX proposals_geom ON proposals USING GIST (geom);
CREATE TABLE sites (
    site TEXT PRIMARY KEY,
    kommunenummer TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE TABLE comments (
    id BIGSERIAL PRIMARY KEY,
    site TEXT NOT NULL,
    author TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX comments_site ON comments(site);
CREATE TABLE votes (
    site TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    vote TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (site, user_id)
);
CREATE TABLE status_changes (
    id BIGSERIAL PRIMARY KEY,
    site TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    reason TEXT,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE TABLE audit (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"#,
    r#"
CREATE TABLE scenarios (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    profile TEXT NOT NULL,
    weights TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (profile, name)
);
"#,
    r#"
CREATE TABLE programme_changes (
    id BIGSERIAL PRIMARY KEY,
    year INTEGER NOT NULL,
    change TEXT NOT NULL,
    by_user TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX programme_changes_year ON programme_changes (year, id);
"#,
    r#"
CREATE TABLE checklist_ticks (
    site TEXT NOT NULL REFERENCES sites (site),
    checklist TEXT NOT NULL,
    item TEXT NOT NULL,
    done BOOLEAN NOT NULL,
    comment TEXT,
    author TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (site, checklist, item)
);
"#,
    r#"
CREATE TABLE login_attempts (
    username TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts (username, at);
CREATE INDEX login_attempts_at ON login_attempts (at);
"#,
    // A counter every change to the review state moves. The row lock it takes orders the
    // writers, so a reader that sees n has every change up to n committed. Idempotent: an
    // older backup restored over a newer database leaves these in place.
    r#"
CREATE TABLE IF NOT EXISTS review_clock (n BIGINT NOT NULL);
INSERT INTO review_clock SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM review_clock);
CREATE OR REPLACE FUNCTION review_tick() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE review_clock SET n = n + 1;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS sites_clock ON sites;
CREATE TRIGGER sites_clock AFTER INSERT OR UPDATE OR DELETE ON sites
    FOR EACH STATEMENT EXECUTE FUNCTION review_tick();
DROP TRIGGER IF EXISTS comments_clock ON comments;
CREATE TRIGGER comments_clock AFTER INSERT OR UPDATE OR DELETE ON comments
    FOR EACH STATEMENT EXECUTE FUNCTION review_tick();
DROP TRIGGER IF EXISTS votes_clock ON votes;
CREATE TRIGGER votes_clock AFTER INSERT OR UPDATE OR DELETE ON votes
    FOR EACH STATEMENT EXECUTE FUNCTION review_tick();
"#,
];

type Job = Box<dyn FnOnce(&mut Client) + Send>;

pub struct PgStore {
    jobs: Mutex<mpsc::Sender<Job>>,
}

fn db(e: postgres::Error) -> StoreError {
    // The client's own text is only "db error"; the server's message says what happened.
    StoreError::Database(match e.as_db_error() {
        Some(d) => format!("{} ({})", d.message(), d.code().code()),
        None => e.to_string(),
    })
}

/// Worker threads, each with its own connection.
const WORKERS: usize = 4;

impl PgStore {
    /// The schema version this program writes.
    pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

    /// A database at an earlier schema version, as that version's program made it: for the
    /// upgrade tests.
    #[doc(hidden)]
    pub fn create_at_version(url: &str, version: usize) -> Result<()> {
        let url = url.to_string();
        std::thread::spawn(move || {
            let mut c = Client::connect(&url, NoTls).map_err(db)?;
            migrate_to(&mut c, version)
        })
        .join()
        .map_err(|_| StoreError::Database("connecting to PostgreSQL panicked".into()))?
    }

    /// Connects, brings the schema up to date, and starts the workers. Connecting runs on
    /// a thread of its own: the blocking client may not run inside an async runtime.
    pub fn open(url: &str) -> Result<PgStore> {
        let url = url.to_string();
        std::thread::spawn(move || Self::open_here(&url))
            .join()
            .map_err(|_| StoreError::Database("connecting to PostgreSQL panicked".into()))?
    }

    fn open_here(url: &str) -> Result<PgStore> {
        let open_err = |e: postgres::Error| StoreError::Open {
            path: redact(url),
            message: e.to_string(),
        };
        let mut first = Client::connect(url, NoTls).map_err(open_err)?;
        migrate(&mut first)?;
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(Mutex::new(rx));
        let mut clients = vec![first];
        for _ in 1..WORKERS {
            clients.push(Client::connect(url, NoTls).map_err(open_err)?);
        }
        for mut client in clients {
            let rx = rx.clone();
            std::thread::spawn(move || loop {
                let job = {
                    let guard = rx.lock().unwrap_or_else(|p| p.into_inner());
                    guard.recv()
                };
                match job {
                    Ok(job) => job(&mut client),
                    Err(_) => break,
                }
            });
        }
        Ok(PgStore {
            jobs: Mutex::new(tx),
        })
    }

    /// Runs `f` on a worker and waits for its answer.
    fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (rtx, rrx) = mpsc::channel();
        self.jobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(Box::new(move |c| {
                let _ = rtx.send(f(c));
            }))
            .map_err(|_| StoreError::Database("the database workers have stopped".into()))?;
        rrx.recv()
            .map_err(|_| StoreError::Database("a database worker stopped mid-request".into()))?
    }

    /// Runs `f` in one transaction on a worker.
    fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Transaction) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.run(move |c| {
            let mut tx = c.transaction().map_err(db)?;
            let out = f(&mut tx)?;
            tx.commit().map_err(db)?;
            Ok(out)
        })
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// Advisory lock key held while migrating: several instances starting at once on a fresh
/// database would otherwise race to create the same tables.
const MIGRATION_LOCK: i64 = 0x656e_6572_6769;

fn migrate(c: &mut Client) -> Result<()> {
    migrate_to(c, MIGRATIONS.len())
}

/// Applies the migrations up to schema version `target`.
fn migrate_to(c: &mut Client, target: usize) -> Result<()> {
    // One migrator at a time, across processes, from the very first statement.
    let mut tx = c.transaction().map_err(db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(db)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
        .map_err(db)?;
    let version: i64 = tx
        .query_opt("SELECT version FROM schema_version", &[])
        .map_err(db)?
        .map(|r| r.get(0))
        .unwrap_or(0);
    let supported = target.min(MIGRATIONS.len()) as i64;
    if version > MIGRATIONS.len() as i64 {
        return Err(StoreError::TooNew {
            found: version,
            supported,
        });
    }
    for sql in MIGRATIONS.iter().take(target).skip(version as usize) {
        tx.batch_execute(sql).map_err(db)?;
    }
    tx.execute("DELETE FROM schema_version", &[]).map_err(db)?;
    tx.execute("INSERT INTO schema_version VALUES ($1)", &[&supported])
        .map_err(db)?;
    tx.commit().map_err(db)
}

fn audit(
    tx: &mut Transaction,
    actor: &str,
    action: &str,
    entity: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO audit (at, actor, action, entity, before, after) VALUES ($1, $2, $3, $4, $5, $6)",
        &[&now(), &actor, &action, &entity, &before.map(|v| v.to_string()), &after.map(|v| v.to_string())],
    )
    .map_err(db)?;
    Ok(())
}

const USER_COLUMNS: &str =
    "id, username, role, municipalities, password_hash, failed_logins, locked_until";

fn user_row(r: &postgres::Row) -> User {
    let role: String = r.get(2);
    let municipalities: String = r.get(3);
    User {
        id: r.get(0),
        username: r.get(1),
        role: Role::parse(&role).unwrap_or(Role::Municipality),
        municipalities: municipalities
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        password_hash: r.get(4),
        failed_logins: r.get(5),
        locked_until: r.get(6),
    }
}

const PROPOSAL_COLUMNS: &str =
    "id, name, kommunenummer, ST_AsGeoJSON(geom, 3), proposed_by, created_at";

fn proposal_row(r: &postgres::Row) -> Proposal {
    let id: i64 = r.get(0);
    let geometry: String = r.get(3);
    Proposal {
        id: format!("prop-{id}"),
        name: r.get(1),
        kommunenummer: r.get(2),
        geometry: serde_json::from_str(&geometry).unwrap_or(serde_json::Value::Null),
        proposed_by: r.get(4),
        created_at: r.get(5),
    }
}

fn site_state<C: postgres::GenericClient>(
    c: &mut C,
    site: &str,
    kommunenummer: &str,
) -> Result<SiteState> {
    let row = c
        .query_opt(
            "SELECT kommunenummer, status, version FROM sites WHERE site = $1",
            &[&site],
        )
        .map_err(db)?;
    let (kommunenummer, status, version) = match row {
        Some(r) => {
            let s: String = r.get(1);
            (
                r.get::<_, String>(0),
                Status::parse(&s).unwrap_or(Status::Proposed),
                r.get::<_, i64>(2),
            )
        }
        None => (kommunenummer.to_string(), Status::Proposed, 0),
    };
    let comments: i64 = c
        .query_one("SELECT count(*) FROM comments WHERE site = $1", &[&site])
        .map_err(db)?
        .get(0);
    let mut count = |v: Vote| -> Result<i64> {
        Ok(c.query_one(
            "SELECT count(*) FROM votes WHERE site = $1 AND vote = $2",
            &[&site, &v.name()],
        )
        .map_err(db)?
        .get(0))
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

fn tick_row(r: &postgres::Row) -> Tick {
    Tick {
        site: r.get(0),
        checklist: r.get(1),
        item: r.get(2),
        done: r.get(3),
        comment: r.get(4),
        author: r.get(5),
        updated_at: r.get(6),
    }
}

fn ensure_site(tx: &mut Transaction, site: &str, kommunenummer: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO sites (site, kommunenummer, status, version) VALUES ($1, $2, 'proposed', 0) ON CONFLICT (site) DO NOTHING",
        &[&site, &kommunenummer],
    )
    .map_err(db)?;
    Ok(())
}

impl Store for PgStore {
    fn add_user(&self, u: &NewUser, by: &str) -> Result<User> {
        let (u, by) = (u.clone(), by.to_string());
        self.write(move |tx| {
            let taken: bool = tx
                .query_one("SELECT count(*) > 0 FROM users WHERE username = $1", &[&u.username])
                .map_err(db)?
                .get(0);
            if taken {
                return Err(StoreError::Conflict(format!("a user named '{}' exists already", u.username)));
            }
            let row = tx
                .query_one(
                    &format!("INSERT INTO users (username, role, municipalities, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING {USER_COLUMNS}"),
                    &[&u.username, &u.role.name(), &u.municipalities.join(","), &u.password_hash, &now()],
                )
                .map_err(db)?;
            let user = user_row(&row);
            let after = json!({"id": user.id, "username": u.username, "role": u.role.name(), "municipalities": u.municipalities});
            audit(tx, &by, "user.add", &format!("user:{}", user.id), None, Some(&after))?;
            Ok(user)
        })
    }

    fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        let username = username.to_string();
        self.run(move |c| {
            Ok(c.query_opt(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1"),
                &[&username],
            )
            .map_err(db)?
            .map(|r| user_row(&r)))
        })
    }

    fn user(&self, id: i64) -> Result<Option<User>> {
        self.run(move |c| {
            Ok(c.query_opt(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
                &[&id],
            )
            .map_err(db)?
            .map(|r| user_row(&r)))
        })
    }

    fn record_login(&self, user_id: i64, ok: bool, lock_until: Option<i64>) -> Result<()> {
        self.write(move |tx| {
            if ok {
                tx.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1", &[&user_id])
                    .map_err(db)?;
            } else {
                tx.execute(
                    "UPDATE users SET failed_logins = failed_logins + 1, locked_until = coalesce($2, locked_until) WHERE id = $1",
                    &[&user_id, &lock_until],
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
        let (token_hash, kind) = (token_hash.to_string(), kind.to_string());
        self.write(move |tx| {
            let id: i64 = tx
                .query_one(
                    "INSERT INTO tokens (user_id, token_hash, kind, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    &[&user_id, &token_hash, &kind, &now(), &expires_at],
                )
                .map_err(db)?
                .get(0);
            if kind == "api" {
                audit(tx, &format!("user:{user_id}"), "token.add", &format!("token:{id}"), None, None)?;
            }
            Ok(id)
        })
    }

    fn user_by_token(&self, token_hash: &str, now: i64) -> Result<Option<User>> {
        let token_hash = token_hash.to_string();
        self.run(move |c| {
            let cols = USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ");
            Ok(c.query_opt(
                &format!("SELECT {cols} FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)"),
                &[&token_hash, &now],
            )
            .map_err(db)?
            .map(|r| user_row(&r)))
        })
    }

    fn revoke_token(&self, token_id: i64, by: &str) -> Result<()> {
        let by = by.to_string();
        self.write(move |tx| {
            let n = tx
                .execute(
                    "UPDATE tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                    &[&token_id, &now()],
                )
                .map_err(db)?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("no active token {token_id}")));
            }
            audit(
                tx,
                &by,
                "token.revoke",
                &format!("token:{token_id}"),
                None,
                None,
            )
        })
    }

    fn token_owner(&self, token_id: i64) -> Result<Option<i64>> {
        self.run(move |c| {
            Ok(
                c.query_opt("SELECT user_id FROM tokens WHERE id = $1", &[&token_id])
                    .map_err(db)?
                    .map(|r| r.get(0)),
            )
        })
    }

    fn end_session(&self, token_hash: &str) -> Result<()> {
        let token_hash = token_hash.to_string();
        self.write(move |tx| {
            tx.execute(
                "UPDATE tokens SET revoked_at = $2 WHERE token_hash = $1 AND kind = 'session' AND revoked_at IS NULL",
                &[&token_hash, &now()],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    fn add_proposal(&self, p: &NewProposal, by: &Actor) -> Result<Proposal> {
        let (p, by) = (p.clone(), by.clone());
        self.write(move |tx| {
            let row = tx
                .query_one(
                    &format!("INSERT INTO proposals (name, kommunenummer, geom, proposed_by, created_at) VALUES ($1, $2, ST_SetSRID(ST_GeomFromGeoJSON($3), 25833), $4, $5) RETURNING {PROPOSAL_COLUMNS}"),
                    &[&p.name, &p.kommunenummer, &p.geometry.to_string(), &by.username, &now()],
                )
                .map_err(db)?;
            let proposal = proposal_row(&row);
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
        self.run(move |c| {
            Ok(c.query_opt(
                &format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE id = $1"),
                &[&n],
            )
            .map_err(db)?
            .map(|r| proposal_row(&r)))
        })
    }

    fn proposals(&self, kommunenummer: Option<&str>) -> Result<Vec<Proposal>> {
        let k = kommunenummer.map(str::to_string);
        self.run(move |c| {
            Ok(c.query(
                &format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE $1::text IS NULL OR kommunenummer = $1 ORDER BY id"),
                &[&k],
            )
            .map_err(db)?
            .iter()
            .map(proposal_row)
            .collect())
        })
    }

    fn site(&self, site: &str, kommunenummer: &str) -> Result<SiteState> {
        let (site, k) = (site.to_string(), kommunenummer.to_string());
        self.run(move |c| site_state(c, &site, &k))
    }

    fn review_stamp(&self) -> Result<i64> {
        self.run(|c| {
            c.query_one("SELECT n FROM review_clock", &[])
                .map(|r| r.get(0))
                .map_err(db)
        })
    }

    fn sites(&self) -> Result<Vec<SiteState>> {
        // One query: the items endpoint asks for this on every page of candidates.
        self.run(move |c| {
            Ok(c.query(super::SITES_SQL, &[])
                .map_err(db)?
                .iter()
                .map(|r| {
                    let status: String = r.get(2);
                    SiteState {
                        site: r.get(0),
                        kommunenummer: r.get(1),
                        status: Status::parse(&status).unwrap_or(Status::Proposed),
                        version: r.get(3),
                        comments: r.get(4),
                        support: r.get(5),
                        oppose: r.get(6),
                        needs_info: r.get(7),
                    }
                })
                .collect())
        })
    }

    fn add_comment(
        &self,
        site: &str,
        kommunenummer: &str,
        text: &str,
        by: &Actor,
    ) -> Result<Comment> {
        let (site, k, text, by) = (
            site.to_string(),
            kommunenummer.to_string(),
            text.to_string(),
            by.clone(),
        );
        self.write(move |tx| {
            ensure_site(tx, &site, &k)?;
            let at = now();
            let id: i64 = tx
                .query_one(
                    "INSERT INTO comments (site, author, text, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                    &[&site, &by.username, &text, &at],
                )
                .map_err(db)?
                .get(0);
            let comment = Comment { id, site: site.clone(), author: by.username.clone(), text, created_at: at };
            audit(tx, &by.username, "comment.add", &format!("site:{site}"), None, serde_json::to_value(&comment).ok().as_ref())?;
            Ok(comment)
        })
    }

    fn comments(&self, site: &str) -> Result<Vec<Comment>> {
        let site = site.to_string();
        self.run(move |c| {
            Ok(c.query("SELECT id, site, author, text, created_at FROM comments WHERE site = $1 ORDER BY id", &[&site])
                .map_err(db)?
                .iter()
                .map(|r| Comment { id: r.get(0), site: r.get(1), author: r.get(2), text: r.get(3), created_at: r.get(4) })
                .collect())
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
        let tick = Tick {
            site: site.to_string(),
            checklist: checklist.to_string(),
            item: item.to_string(),
            done,
            comment: comment.map(str::to_string),
            author: by.username.clone(),
            updated_at: now(),
        };
        let (k, by) = (kommunenummer.to_string(), by.clone());
        self.write(move |tx| {
            ensure_site(tx, &tick.site, &k)?;
            let before = tx
                .query_opt(
                    "SELECT site, checklist, item, done, comment, author, updated_at FROM checklist_ticks WHERE site = $1 AND checklist = $2 AND item = $3",
                    &[&tick.site, &tick.checklist, &tick.item],
                )
                .map_err(db)?
                .map(|r| tick_row(&r));
            tx.execute(
                "INSERT INTO checklist_ticks (site, checklist, item, done, comment, author, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (site, checklist, item) DO UPDATE SET done = excluded.done, comment = excluded.comment, author = excluded.author, updated_at = excluded.updated_at",
                &[&tick.site, &tick.checklist, &tick.item, &tick.done, &tick.comment, &tick.author, &tick.updated_at],
            )
            .map_err(db)?;
            audit(
                tx,
                &by.username,
                "checklist.tick",
                &format!("site:{}", tick.site),
                before.and_then(|b| serde_json::to_value(b).ok()).as_ref(),
                serde_json::to_value(&tick).ok().as_ref(),
            )?;
            Ok(tick)
        })
    }

    fn login_attempt(&self, username: &str, now: i64, window_s: i64, max: u32) -> Result<bool> {
        let name = username.to_lowercase();
        self.write(move |tx| {
            // One counter per name at a time, across every instance on this database.
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtext('login:' || $1))",
                &[&name],
            )
            .map_err(db)?;
            // Every name's old attempts, not only this one's: names never tried again
            // would otherwise stay forever.
            tx.execute(
                "DELETE FROM login_attempts WHERE at <= $1",
                &[&(now - window_s)],
            )
            .map_err(db)?;
            let n: i64 = tx
                .query_one(
                    "SELECT COUNT(*) FROM login_attempts WHERE username = $1",
                    &[&name],
                )
                .map_err(db)?
                .get(0);
            if n >= i64::from(max) {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO login_attempts (username, at) VALUES ($1, $2)",
                &[&name, &now],
            )
            .map_err(db)?;
            Ok(true)
        })
    }

    fn ticks(&self, site: &str, checklist: &str) -> Result<Vec<Tick>> {
        let (site, checklist) = (site.to_string(), checklist.to_string());
        self.run(move |c| {
            Ok(c.query(
                "SELECT site, checklist, item, done, comment, author, updated_at FROM checklist_ticks WHERE site = $1 AND checklist = $2 ORDER BY item",
                &[&site, &checklist],
            )
            .map_err(db)?
            .iter()
            .map(tick_row)
            .collect())
        })
    }

    fn set_vote(
        &self,
        site: &str,
        kommunenummer: &str,
        vote: Vote,
        by: &Actor,
    ) -> Result<SiteState> {
        let (site, k, by) = (site.to_string(), kommunenummer.to_string(), by.clone());
        self.write(move |tx| {
            ensure_site(tx, &site, &k)?;
            let before: Option<String> = tx
                .query_opt("SELECT vote FROM votes WHERE site = $1 AND user_id = $2", &[&site, &by.user_id])
                .map_err(db)?
                .map(|r| r.get(0));
            tx.execute(
                "INSERT INTO votes (site, user_id, vote, at) VALUES ($1, $2, $3, $4) ON CONFLICT (site, user_id) DO UPDATE SET vote = excluded.vote, at = excluded.at",
                &[&site, &by.user_id, &vote.name(), &now()],
            )
            .map_err(db)?;
            audit(tx, &by.username, "vote.set", &format!("site:{site}"), before.map(|b| json!({"vote": b})).as_ref(), Some(&json!({"vote": vote.name()})))?;
            site_state(tx, &site, &k)
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
        let (site, k, reason, by) = (
            site.to_string(),
            kommunenummer.to_string(),
            reason.map(str::to_string),
            by.clone(),
        );
        self.write(move |tx| {
            ensure_site(tx, &site, &k)?;
            // Row lock: a concurrent change waits, then sees the new version.
            tx.execute("SELECT 1 FROM sites WHERE site = $1 FOR UPDATE", &[&site]).map_err(db)?;
            let before = site_state(tx, &site, &k)?;
            if before.version != version {
                return Err(StoreError::Stale { current: before.version, sent: version });
            }
            let n = tx
                .execute("UPDATE sites SET status = $2, version = version + 1 WHERE site = $1 AND version = $3", &[&site, &to.name(), &version])
                .map_err(db)?;
            if n != 1 {
                return Err(StoreError::Stale { current: before.version, sent: version });
            }
            tx.execute(
                "INSERT INTO status_changes (site, from_status, to_status, reason, actor, at) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&site, &before.status.name(), &to.name(), &reason, &by.username, &now()],
            )
            .map_err(db)?;
            let after = site_state(tx, &site, &k)?;
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
        let (name, profile, weights, by) = (
            name.to_string(),
            profile.to_string(),
            weights.clone(),
            by.clone(),
        );
        self.write(move |tx| {
            let taken: bool = tx
                .query_one("SELECT count(*) > 0 FROM scenarios WHERE profile = $1 AND name = $2", &[&profile, &name])
                .map_err(db)?
                .get(0);
            if taken {
                return Err(StoreError::Conflict(format!("profile {profile} has a scenario named '{name}' already; choose another name")));
            }
            let at = now();
            let id: i64 = tx
                .query_one(
                    "INSERT INTO scenarios (name, profile, weights, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    &[&name, &profile, &weights.to_string(), &by.username, &at],
                )
                .map_err(db)?
                .get(0);
            let scenario = Scenario { id, name, profile, weights, created_by: by.username.clone(), created_at: at };
            audit(tx, &by.username, "scenario.save", &format!("scenario:{id}"), None, serde_json::to_value(&scenario).ok().as_ref())?;
            Ok(scenario)
        })
    }

    fn scenarios(&self, profile: Option<&str>) -> Result<Vec<Scenario>> {
        let profile = profile.map(str::to_string);
        self.run(move |c| {
            Ok(c.query("SELECT id, name, profile, weights, created_by, created_at FROM scenarios WHERE $1::text IS NULL OR profile = $1 ORDER BY profile, name", &[&profile])
                .map_err(db)?
                .iter()
                .map(|r| {
                    let w: String = r.get(3);
                    Scenario { id: r.get(0), name: r.get(1), profile: r.get(2), weights: serde_json::from_str(&w).unwrap_or_default(), created_by: r.get(4), created_at: r.get(5) }
                })
                .collect())
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
        let audited = by.is_some();
        let change = change.clone();
        self.write(move |tx| {
            let at = now();
            let id: i64 = tx
                .query_one(
                    "INSERT INTO programme_changes (year, change, by_user, at) VALUES ($1, $2, $3, $4) RETURNING id",
                    &[&i32::from(year), &change.to_string(), &who, &at],
                )
                .map_err(db)?
                .get(0);
            // Computed readings are the service's own; people's changes are audited.
            if audited {
                audit(tx, &who, "programme.change", &format!("programme:{year}"), None, Some(&change))?;
            }
            Ok(ProgrammeChange { id, year, change: change.clone(), by: who.clone(), at })
        })
    }

    fn programme_changes(&self, year: u16) -> Result<Vec<ProgrammeChange>> {
        self.run(move |c| {
            Ok(c.query("SELECT id, year, change, by_user, at FROM programme_changes WHERE year = $1 ORDER BY id", &[&i32::from(year)])
                .map_err(db)?
                .iter()
                .map(|r| {
                    let text: String = r.get(2);
                    let y: i32 = r.get(1);
                    ProgrammeChange { id: r.get(0), year: y as u16, change: serde_json::from_str(&text).unwrap_or_default(), by: r.get(3), at: r.get(4) }
                })
                .collect())
        })
    }

    fn audit(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let limit = limit as i64;
        self.run(move |c| {
            audit_rows(c.query("SELECT id, at, actor, action, entity, before, after FROM audit ORDER BY id DESC LIMIT $1", &[&limit]).map_err(db)?)
        })
    }

    fn history(&self, entity: &str) -> Result<Vec<AuditEntry>> {
        let entity = entity.to_string();
        self.run(move |c| {
            audit_rows(c.query("SELECT id, at, actor, action, entity, before, after FROM audit WHERE entity = $1 ORDER BY id", &[&entity]).map_err(db)?)
        })
    }
}

fn audit_rows(rows: Vec<postgres::Row>) -> Result<Vec<AuditEntry>> {
    let parse = |s: Option<String>| s.and_then(|t| serde_json::from_str(&t).ok());
    Ok(rows
        .iter()
        .map(|r| AuditEntry {
            id: r.get(0),
            at: r.get(1),
            actor: r.get(2),
            action: r.get(3),
            entity: r.get(4),
            before: parse(r.get(5)),
            after: parse(r.get(6)),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_appear_in_messages() {
        assert_eq!(
            super::redact("postgres://kari:hemmelig@db.example:5432/es"),
            "postgres://kari:***@db.example:5432/es"
        );
        assert_eq!(super::redact("postgres://db/es"), "postgres://db/es");
    }
}
