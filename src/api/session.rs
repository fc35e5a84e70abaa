//! Who is asking: a bearer token (scripts) or a session cookie (the browser, with a CSRF
//! header on every write), checked against the store. Also login, logout, tokens and the
//! login rate limit.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::{ApiError, AppState};
use crate::auth;
use crate::catalog::review::ReviewOverlay;
use crate::domain::review::Actor;
use crate::store::{now, Store};

pub const SESSION_COOKIE: &str = "es_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Login attempts per user name and minute, whatever their outcome.
const LOGINS_PER_MINUTE: usize = 10;

/// Recent login attempts by user name, for the rate limit.
#[derive(Default)]
pub struct LoginLimiter {
    attempts: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl LoginLimiter {
    /// Counts an attempt; false when the name has had too many in the last minute.
    fn allow(&self, username: &str, now: i64) -> bool {
        let mut map = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        let q = map.entry(username.to_lowercase()).or_default();
        while q.front().is_some_and(|&t| t <= now - 60) {
            q.pop_front();
        }
        if q.len() >= LOGINS_PER_MINUTE {
            return false;
        }
        q.push_back(now);
        true
    }
}

pub fn store(state: &AppState) -> Result<&dyn Store, ApiError> {
    state.store.as_deref().ok_or_else(|| {
        ApiError::Unavailable(
            "this server runs without a review store; start it with `energistasjon serve --db FILE`"
                .into(),
        )
    })
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The signed-in user, or None for an anonymous viewer. A session cookie on a write must
/// come with the session's CSRF token in `X-CSRF-Token`.
pub fn actor(
    state: &AppState,
    headers: &HeaderMap,
    method: &Method,
) -> Result<Option<Actor>, ApiError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let (token, via_cookie) = match (bearer, cookie(headers, SESSION_COOKIE)) {
        (Some(t), _) => (t.trim(), false),
        (None, Some(c)) => (c, true),
        (None, None) => return Ok(None),
    };
    let user = store(state)?
        .user_by_token(&auth::token_hash(token), now())?
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "the token or session is unknown, revoked or expired; log in again".into(),
            )
        })?;
    let writes = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    if via_cookie && writes {
        let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        if sent != Some(auth::csrf_for(token).as_str()) {
            return Err(ApiError::Forbidden(
                "a write with a session cookie needs the X-CSRF-Token header from the login answer"
                    .into(),
            ));
        }
    }
    Ok(Some(user.actor()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub username: String,
    pub password: String,
}

/// Logs in: a session cookie (HttpOnly, SameSite=Strict, Secure behind HTTPS) and the CSRF
/// token for writes.
#[utoipa::path(post, path = "/api/login", tag = "Review", request_body = Login,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = serde_json::Value),
        (status = 401, description = "Wrong user name or password", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The account is locked after repeated failures", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts in a minute", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    b: Result<Json<Login>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let login = super::error::json_body(b, "login")?;
    let now = now();
    // Behind a proxy with several instances the store keeps the count, so the limit holds
    // whichever instance a request reaches; without a store, this process counts.
    let allowed = match &state.store {
        Some(st) => st.login_attempt(&login.username, now, 60, LOGINS_PER_MINUTE as u32)?,
        None => state.logins.allow(&login.username, now),
    };
    if !allowed {
        return Err(ApiError::TooManyRequests(format!(
            "too many login attempts for '{}'; wait a minute",
            login.username
        )));
    }
    let st = store(&state)?;
    let wrong = || ApiError::Unauthorized("wrong user name or password".into());
    let user = st.user_by_name(&login.username)?.ok_or_else(wrong)?;
    if auth::locked(user.locked_until, now) {
        return Err(ApiError::Forbidden(format!(
            "the account is locked after {} failed logins; try again in {} minutes or ask an admin",
            auth::MAX_FAILURES,
            (user.locked_until.unwrap_or(now) - now + 59) / 60
        )));
    }
    // Hashing takes tens of milliseconds: off the async workers.
    let (password, hash) = (login.password.clone(), user.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    if !ok {
        st.record_login(
            user.id,
            false,
            auth::lock_after_failure(user.failed_logins, now),
        )?;
        return Err(wrong());
    }
    st.record_login(user.id, true, None)?;
    let (token, hash) = auth::new_token("ses");
    st.add_token(user.id, &hash, "session", Some(now + auth::SESSION_SECONDS))?;
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        == Some("https");
    let cookie = format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
        auth::SESSION_SECONDS,
        if https { "; Secure" } else { "" }
    );
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(json!({"user": user.actor(), "csrf_token": auth::csrf_for(&token)})),
    )
        .into_response())
}

/// Ends the session.
#[utoipa::path(post, path = "/api/logout", tag = "Review",
    responses((status = 204, description = "Signed out")))]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        // Logging out is a write: it needs the CSRF token like any other.
        actor(&state, &headers, &Method::POST)?;
        store(&state)?.end_session(&auth::token_hash(token))?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
        )],
    )
        .into_response())
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/me", tag = "Review",
    responses(
        (status = 200, description = "The user", body = serde_json::Value),
        (status = 401, description = "Not signed in", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn me(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
) -> Result<Json<Actor>, ApiError> {
    actor(&state, &headers, &method)?
        .map(Json)
        .ok_or_else(|| ApiError::Unauthorized("not signed in".into()))
}

/// A new API token for scripts, shown once.
#[utoipa::path(post, path = "/api/tokens", tag = "Review",
    responses(
        (status = 201, description = "The token, shown only now, and its id for revoking", body = serde_json::Value),
        (status = 401, description = "Not signed in", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_token(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let who = actor(&state, &headers, &method)?
        .ok_or_else(|| ApiError::Unauthorized("log in to create a token".into()))?;
    let (token, hash) = auth::new_token("es");
    let id = store(&state)?.add_token(who.user_id, &hash, "api", None)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": id, "token": token, "note": "store it now: it is not shown again"})),
    )
        .into_response())
}

/// Revokes an API token at once.
#[utoipa::path(delete, path = "/api/tokens/{id}", tag = "Review",
    params(("id" = i64, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such active token", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn revoke_token(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let who = actor(&state, &headers, &method)?
        .ok_or_else(|| ApiError::Unauthorized("log in to revoke a token".into()))?;
    let st = store(&state)?;
    match st.token_owner(id)? {
        None => return Err(ApiError::NotFound(format!("no token {id}"))),
        Some(owner) if owner != who.user_id && who.role != crate::domain::review::Role::Admin => {
            return Err(ApiError::Forbidden(format!(
                "token {id} belongs to another user; only its owner or an admin may revoke it"
            )))
        }
        Some(_) => {}
    }
    st.revoke_token(id, &who.username)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The review state of every touched site, for candidate items and exports; None without
/// a store.
pub fn overlay(state: &AppState) -> Result<Option<Arc<ReviewOverlay>>, ApiError> {
    Ok(stamped_overlay(state)?.map(|(_, o)| o))
}

/// The review overlay with the store's review stamp it was read at. The store is asked
/// for its stamp on every call, so a change made through any instance shows at once, but
/// the sites themselves are read only when the stamp has moved.
pub fn stamped_overlay(state: &AppState) -> Result<Option<(i64, Arc<ReviewOverlay>)>, ApiError> {
    let Some(st) = state.store.as_deref() else {
        return Ok(None);
    };
    let generation = state.reviews.generation();
    let stamp = st.review_stamp()?;
    state.reviews.read_at(stamp, generation);
    if let Some((s, o)) = state.reviews.kept().as_ref() {
        if *s == stamp {
            return Ok(Some((stamp, o.clone())));
        }
    }
    let overlay = Arc::new(ReviewOverlay::new(st.sites()?));
    let mut kept = state.reviews.kept();
    // Two requests may read at once: keep the later state.
    if kept.as_ref().is_none_or(|(s, _)| *s <= stamp) {
        *kept = Some((stamp, overlay.clone()));
    }
    Ok(Some((stamp, overlay)))
}

/// How long a review stamp read from the store stands for tiles without asking again. A
/// change made through this instance is seen at once (every write request clears it); one
/// made through another instance over the same PostGIS reaches this one's tiles within it.
pub const STAMP_FRESH: std::time::Duration = std::time::Duration::from_millis(50);

/// The review overlay last read, with its stamp; shared by every request of a store.
pub struct Reviews {
    kept: std::sync::Mutex<Option<(i64, Arc<ReviewOverlay>)>>,
    /// The stamp last read from the store, and when (ms after `epoch`, 0 for never or
    /// cleared by a write).
    stamp: AtomicI64,
    read_ms: AtomicU64,
    /// Moved by every write, so a read that began before it does not mark its stamp fresh.
    writes: AtomicU64,
    epoch: std::time::Instant,
}

impl Default for Reviews {
    fn default() -> Self {
        Reviews {
            kept: Default::default(),
            stamp: AtomicI64::new(0),
            read_ms: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            epoch: std::time::Instant::now(),
        }
    }
}

impl Reviews {
    fn kept(&self) -> std::sync::MutexGuard<'_, Option<(i64, Arc<ReviewOverlay>)>> {
        // The value is replaced whole, so a poisoned lock still holds a consistent one.
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64 + 1
    }

    fn generation(&self) -> u64 {
        self.writes.load(Ordering::SeqCst)
    }

    /// Notes a stamp just read from the store, unless a write came in since the read began.
    /// Sequentially consistent: this store-then-load and `written`'s mirror image must not
    /// both miss each other.
    fn read_at(&self, stamp: i64, generation: u64) {
        self.stamp.store(stamp, Ordering::SeqCst);
        self.read_ms.store(self.now_ms(), Ordering::SeqCst);
        if self.writes.load(Ordering::SeqCst) != generation {
            self.read_ms.store(0, Ordering::SeqCst);
        }
    }

    /// The stamp, if it was read from the store within `STAMP_FRESH` and no write through
    /// this instance came after.
    pub fn recent_stamp(&self) -> Option<i64> {
        let at = self.read_ms.load(Ordering::SeqCst);
        let age = self.now_ms().saturating_sub(at);
        (at != 0 && age <= STAMP_FRESH.as_millis() as u64)
            .then(|| self.stamp.load(Ordering::SeqCst))
    }

    /// The kept overlay and its stamp, if that stamp is recent (see `recent_stamp`).
    pub fn recent(&self) -> Option<(i64, Arc<ReviewOverlay>)> {
        let stamp = self.recent_stamp()?;
        let kept = self.kept();
        let (s, o) = kept.as_ref()?;
        (*s == stamp).then(|| (stamp, o.clone()))
    }

    /// A write went through this instance: the next tile asks the store again.
    pub fn written(&self) {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.read_ms.store(0, Ordering::SeqCst);
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    pub username: String,
    /// municipality, coordinator or admin.
    pub role: String,
    /// Kommunenummer a municipality user works in.
    #[serde(default)]
    pub kommuner: Vec<String>,
    pub password: String,
}

/// Adds a user (admins only).
#[utoipa::path(post, path = "/api/users", tag = "Review", request_body = NewUserRequest,
    responses(
        (status = 201, description = "The user", body = serde_json::Value),
        (status = 400, description = "An unknown role, a bad kommunenummer or a weak password", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The user name is taken", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_user(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    b: Result<Json<NewUserRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    use crate::domain::review::may_manage_users;
    let who = actor(&state, &headers, &method)?;
    may_manage_users(who.as_ref())?;
    let who = who.ok_or_else(|| ApiError::Unauthorized("log in first".into()))?;
    let req = super::error::json_body(b, "user")?;
    let role = crate::domain::review::check_new_user(&req.username, &req.role, &req.kommuner)?;
    let password = req.password.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| super::error::bad("password", e.to_string()))?;
    let user = store(&state)?.add_user(
        &crate::store::NewUser {
            username: req.username.trim().to_string(),
            role,
            municipalities: req.kommuner,
            password_hash: hash,
        },
        &who.username,
    )?;
    Ok((StatusCode::CREATED, Json(user.actor())).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_is_trusted_only_until_a_write_or_its_age_says_otherwise() {
        let r = Reviews::default();
        assert_eq!(r.recent_stamp(), None, "never read");
        let g = r.generation();
        r.read_at(7, g);
        assert_eq!(r.recent_stamp(), Some(7));
        r.written();
        assert_eq!(r.recent_stamp(), None, "a write clears it");
        // A read that began before a write must not mark its (older) stamp fresh.
        let g = r.generation();
        r.written();
        r.read_at(7, g);
        assert_eq!(r.recent_stamp(), None);
        let g = r.generation();
        r.read_at(8, g);
        assert_eq!(r.recent_stamp(), Some(8));
        std::thread::sleep(STAMP_FRESH * 2);
        assert_eq!(r.recent_stamp(), None, "too old");
    }
}
