//! Where review work is kept: users, API tokens and sessions, proposals, comments, votes,
//! status changes and the append-only audit log. One `Store` trait; SQLite (embedded, the
//! default) implements it in `sqlite.rs`. Every write is one transaction that also appends
//! its audit entry, so a change and its record are never apart.
//!
//! The rules (who may do what, which transitions exist) live in `domain::review`; the store
//! records what the caller has decided is allowed, and enforces only what needs the data:
//! optimistic versions and unique names.

pub mod backup;
pub mod postgres;
pub mod sqlite;

use serde::{Deserialize, Serialize};

use crate::domain::review::{Actor, Role, Status};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the store at {path}: {message}. Hint: check that the folder exists and is writable")]
    Open { path: String, message: String },
    #[error("the store's schema is version {found}, newer than this program's {supported}. Hint: upgrade energistasjon")]
    TooNew { found: i64, supported: i64 },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("the site changed since you read it: it is now at version {current}, you sent {sent}. Reload and try again")]
    Stale { current: i64, sent: i64 },
    #[error("store error: {0}")]
    Database(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A user as stored, with what login needs.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub municipalities: Vec<String>,
    #[serde(skip)]
    pub password_hash: String,
    pub failed_logins: i64,
    /// Unix seconds until which login is refused.
    pub locked_until: Option<i64>,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.id,
            username: self.username.clone(),
            role: self.role,
            municipalities: self.municipalities.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub role: Role,
    pub municipalities: Vec<String>,
    /// Already hashed (argon2id PHC string).
    pub password_hash: String,
}

/// A site proposed by a municipality: a point or polygon in EPSG:25833, as GeoJSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Proposal {
    pub id: String,
    pub name: String,
    pub kommunenummer: String,
    /// GeoJSON geometry in EPSG:25833.
    pub geometry: serde_json::Value,
    pub proposed_by: String,
    pub created_at: i64,
}

impl Proposal {
    /// The stored geometry as a geo type, in EPSG:25833; the message says what is wrong.
    pub fn native_geometry(&self) -> std::result::Result<geo::Geometry<f64>, String> {
        let g: geojson::Geometry = serde_json::from_value(self.geometry.clone())
            .map_err(|e| format!("stored proposal {}: {e}", self.id))?;
        g.try_into()
            .map_err(|e| format!("stored proposal {}: {e}", self.id))
    }
}

#[derive(Debug, Clone)]
pub struct NewProposal {
    pub name: String,
    pub kommunenummer: String,
    pub geometry: serde_json::Value,
}

/// A site's review state: candidates and proposals alike.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteState {
    pub site: String,
    pub kommunenummer: String,
    pub status: Status,
    /// Raised by every status change; a change must name the version it saw.
    pub version: i64,
    pub comments: i64,
    pub support: i64,
    pub oppose: i64,
    pub needs_info: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vote {
    Support,
    Oppose,
    NeedsInfo,
}

impl Vote {
    pub fn name(self) -> &'static str {
        match self {
            Vote::Support => "support",
            Vote::Oppose => "oppose",
            Vote::NeedsInfo => "needs_info",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comment {
    pub id: i64,
    pub site: String,
    pub author: String,
    pub text: String,
    pub created_at: i64,
}

/// A municipality's answer to one item of a site's checklist, with who gave it and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tick {
    pub site: String,
    /// The checklist's name (its profile), e.g. `depot`.
    pub checklist: String,
    pub item: String,
    pub done: bool,
    pub comment: Option<String>,
    pub author: String,
    pub updated_at: i64,
}

/// One stored change to an action programme, replayed over its TOML file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgrammeChange {
    pub id: i64,
    pub year: u16,
    pub change: serde_json::Value,
    pub by: String,
    pub at: i64,
}

/// Named weights for a profile, saved for the map's sliders.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    pub id: i64,
    pub name: String,
    pub profile: String,
    /// Criterion id → weight.
    pub weights: serde_json::Value,
    pub created_by: String,
    pub created_at: i64,
}

/// One line of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Every touched site with its counts, in SQL both backends speak.
pub(crate) const SITES_SQL: &str = "SELECT s.site, s.kommunenummer, s.status, s.version,
    (SELECT count(*) FROM comments c WHERE c.site = s.site),
    (SELECT count(*) FROM votes v WHERE v.site = s.site AND v.vote = 'support'),
    (SELECT count(*) FROM votes v WHERE v.site = s.site AND v.vote = 'oppose'),
    (SELECT count(*) FROM votes v WHERE v.site = s.site AND v.vote = 'needs_info')
FROM sites s ORDER BY s.site";

/// The store. Implementations are safe to share between request threads.
pub trait Store: Send + Sync {
    fn add_user(&self, user: &NewUser, by: &str) -> Result<User>;
    fn user_by_name(&self, username: &str) -> Result<Option<User>>;
    fn user(&self, id: i64) -> Result<Option<User>>;
    /// Counts a failed login (locking the account until `lock_until` when given), or clears
    /// the count after a good one.
    fn record_login(&self, user_id: i64, ok: bool, lock_until: Option<i64>) -> Result<()>;

    /// Stores a token's hash (`kind` is `api` or `session`); returns its id.
    fn add_token(
        &self,
        user_id: i64,
        token_hash: &str,
        kind: &str,
        expires_at: Option<i64>,
    ) -> Result<i64>;
    /// The user a token belongs to, if it is neither revoked nor expired at `now`.
    fn user_by_token(&self, token_hash: &str, now: i64) -> Result<Option<User>>;
    fn revoke_token(&self, token_id: i64, by: &str) -> Result<()>;
    /// The user a token id belongs to, revoked or not.
    fn token_owner(&self, token_id: i64) -> Result<Option<i64>>;
    /// Ends a session by its token's hash (logout).
    fn end_session(&self, token_hash: &str) -> Result<()>;

    fn add_proposal(&self, p: &NewProposal, by: &Actor) -> Result<Proposal>;
    fn proposal(&self, id: &str) -> Result<Option<Proposal>>;
    fn proposals(&self, kommunenummer: Option<&str>) -> Result<Vec<Proposal>>;

    /// A site's state; a site never touched is `proposed` at version 0.
    fn site(&self, site: &str, kommunenummer: &str) -> Result<SiteState>;
    /// Every touched site's state, for joining with candidates.
    fn sites(&self) -> Result<Vec<SiteState>>;
    fn add_comment(
        &self,
        site: &str,
        kommunenummer: &str,
        text: &str,
        by: &Actor,
    ) -> Result<Comment>;
    fn comments(&self, site: &str) -> Result<Vec<Comment>>;
    fn set_vote(
        &self,
        site: &str,
        kommunenummer: &str,
        vote: Vote,
        by: &Actor,
    ) -> Result<SiteState>;
    /// Moves a site to `to` if it is still at `version`; `Stale` otherwise.
    fn set_status(
        &self,
        site: &str,
        kommunenummer: &str,
        version: i64,
        to: Status,
        reason: Option<&str>,
        by: &Actor,
    ) -> Result<SiteState>;

    /// Ticks (or unticks) one checklist item of a site and keeps its comment, audited as
    /// `checklist.tick` with the answer before and after.
    #[allow(clippy::too_many_arguments)]
    fn set_tick(
        &self,
        site: &str,
        kommunenummer: &str,
        checklist: &str,
        item: &str,
        done: bool,
        comment: Option<&str>,
        by: &Actor,
    ) -> Result<Tick>;
    /// A site's ticks for one checklist, in item order of storage (by item id).
    fn ticks(&self, site: &str, checklist: &str) -> Result<Vec<Tick>>;

    /// Counts a login attempt for `username` (case-insensitive) at `now`, unless it already
    /// had `max` in the `window_s` seconds before: then false, and nothing is counted. Kept
    /// in the store so that every instance over the same store shares the limit.
    fn login_attempt(&self, username: &str, now: i64, window_s: i64, max: u32) -> Result<bool>;

    /// Saves named weights; a name is unique per profile.
    fn save_scenario(
        &self,
        name: &str,
        profile: &str,
        weights: &serde_json::Value,
        by: &Actor,
    ) -> Result<Scenario>;
    fn scenarios(&self, profile: Option<&str>) -> Result<Vec<Scenario>>;

    /// Records a change to a year's action programme (a measure's status, a KPI value, a
    /// budget figure), with its audit entry; `by` None records a computed KPI reading.
    fn add_programme_change(
        &self,
        year: u16,
        change: &serde_json::Value,
        by: Option<&Actor>,
    ) -> Result<ProgrammeChange>;
    /// A year's programme changes, oldest first.
    fn programme_changes(&self, year: u16) -> Result<Vec<ProgrammeChange>>;

    /// The newest audit entries first, at most `limit`.
    fn audit(&self, limit: usize) -> Result<Vec<AuditEntry>>;
    /// Every audit entry about one entity (`site:p12`), oldest first: a site's history.
    fn history(&self, entity: &str) -> Result<Vec<AuditEntry>>;

    /// A number every change to sites, votes or comments moves on, by any instance over
    /// this store: `sites()` read after it holds every change up to it.
    fn review_stamp(&self) -> Result<i64>;
}

/// Seconds since 1970.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
