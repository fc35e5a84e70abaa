//! The review workflow through the HTTP router, on the demo region with a real SQLite
//! store: who may do what (401, 403, 409 each), sessions with CSRF, tokens that stop at
//! once when revoked, lockout, optimistic versions, bad input, and the audit log.

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use energistasjon::api::{router, AppState};
use energistasjon::auth::hash_password;
use energistasjon::domain::review::Role;
use energistasjon::store::sqlite::SqliteStore;
use energistasjon::store::{NewUser, Store};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

const PASSWORD: &str = "riktig hest batteri";

struct World {
    state: AppState,
    _dir: tempfile::TempDir,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("review.sqlite")).unwrap();
    let hash = hash_password(PASSWORD).unwrap();
    for (name, role, kommuner) in [
        ("kari", Role::Municipality, vec!["0301"]),
        ("per", Role::Municipality, vec!["3201"]),
        ("ola", Role::Coordinator, vec![]),
        ("eva", Role::Coordinator, vec![]),
        ("admin", Role::Admin, vec![]),
        ("sekr", Role::Secretariat, vec![]),
    ] {
        store
            .add_user(
                &NewUser {
                    username: name.into(),
                    role,
                    municipalities: kommuner.into_iter().map(String::from).collect(),
                    password_hash: hash.clone(),
                },
                "test",
            )
            .unwrap();
    }
    let mut state = common::demo_state().with_store(Arc::new(store));
    // The demo state is shared by every test here; each world counts its own logins, or
    // the tests together would hit the per-name rate limit.
    state.logins = Arc::default();
    World { state, _dir: dir }
}

/// How a request is signed.
#[derive(Clone)]
enum Auth {
    None,
    Bearer(String),
    /// Session cookie, with the CSRF header or without.
    Session {
        cookie: String,
        csrf: Option<String>,
    },
}

async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    auth: &Auth,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    match auth {
        Auth::None => {}
        Auth::Bearer(t) => req = req.header("authorization", format!("Bearer {t}")),
        Auth::Session { cookie, csrf } => {
            req = req.header("cookie", cookie.clone());
            if let Some(c) = csrf {
                req = req.header("x-csrf-token", c.clone());
            }
        }
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let resp = router(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Logs in; the session cookie and the CSRF token.
async fn login(state: &AppState, user: &str) -> Auth {
    let req = Request::post("/api/login")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"username": user, "password": PASSWORD}).to_string(),
        ))
        .unwrap();
    let resp = router(state.clone()).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "login {user}");
    let set = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let cookie = set.split(';').next().unwrap().to_string();
    let body: Value =
        serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap();
    Auth::Session {
        cookie,
        csrf: Some(body["csrf_token"].as_str().unwrap().to_string()),
    }
}

/// A bearer token for `user`.
async fn token(state: &AppState, user: &str) -> (i64, Auth) {
    let s = login(state, user).await;
    let (status, body) = call(state, "POST", "/api/tokens", &s, None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["id"].as_i64().unwrap(),
        Auth::Bearer(body["token"].as_str().unwrap().to_string()),
    )
}

/// A depot candidate of the demo region in `kommune`.
fn candidate_in(state: &AppState, kommune: &str) -> String {
    let c = state
        .collections
        .iter()
        .find(|c| c.id == "candidates-depot")
        .unwrap();
    (0..c.len())
        .find(|&i| {
            c.property(i, "kommunenummer", &state.ctx)
                .and_then(|v| v.as_str().map(String::from))
                .as_deref()
                == Some(kommune)
        })
        .map(|i| c.id_of(i).to_string())
        .unwrap_or_else(|| panic!("no candidate in {kommune}"))
}

fn point(lon: f64, lat: f64) -> Value {
    json!({"type": "Point", "coordinates": [lon, lat]})
}

#[tokio::test]
async fn anonymous_users_can_read_but_not_write() {
    let w = world();
    let site = candidate_in(&w.state, "0301");
    let (s, _) = call(
        &w.state,
        "GET",
        &format!("/api/sites/{site}"),
        &Auth::None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    for (method, uri, body) in [
        (
            "POST",
            "/api/proposals".to_string(),
            json!({"name": "x", "geometry": point(10.8, 59.92)}),
        ),
        (
            "POST",
            format!("/api/sites/{site}/comments"),
            json!({"text": "hei"}),
        ),
        (
            "POST",
            format!("/api/sites/{site}/votes"),
            json!({"vote": "support"}),
        ),
        (
            "POST",
            format!("/api/sites/{site}/status"),
            json!({"status": "under_review", "version": 0}),
        ),
    ] {
        let (s, p) = call(&w.state, method, &uri, &Auth::None, Some(body)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{uri}: {p}");
        assert!(p["detail"].as_str().unwrap().contains("log in"), "{p}");
    }
    let (s, _) = call(&w.state, "GET", "/api/audit", &Auth::None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_municipality_user_writes_only_in_its_own_municipality() {
    let w = world();
    let (_, kari) = token(&w.state, "kari").await;
    let own = candidate_in(&w.state, "0301");
    let other = candidate_in(&w.state, "3201");
    let (s, _) = call(
        &w.state,
        "POST",
        &format!("/api/sites/{own}/comments"),
        &kari,
        Some(json!({"text": "Godt egnet"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    for (uri, body) in [
        (
            format!("/api/sites/{other}/comments"),
            json!({"text": "hei"}),
        ),
        (
            format!("/api/sites/{other}/votes"),
            json!({"vote": "oppose"}),
        ),
    ] {
        let (s, p) = call(&w.state, "POST", &uri, &kari, Some(body)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{uri}: {p}");
        assert!(p["detail"].as_str().unwrap().contains("3201"), "{p}");
    }
    // Proposing: inside Oslo works and is scored; inside Bærum is refused.
    let (s, p) = call(
        &w.state,
        "POST",
        "/api/proposals",
        &kari,
        Some(json!({"name": "Alnabru nord", "geometry": point(10.84, 59.93)})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["kommunenummer"], "0301");
    assert_eq!(
        p["scores"].as_array().unwrap().len(),
        4,
        "scored against every profile"
    );
    assert!(p["scores"][0]["criteria"].as_array().unwrap().len() > 3);
    let (s, p) = call(
        &w.state,
        "POST",
        "/api/proposals",
        &kari,
        Some(json!({"name": "Sandvika", "geometry": point(10.52, 59.89)})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
    // A status change is not for municipality users at all.
    let (s, p) = call(
        &w.state,
        "POST",
        &format!("/api/sites/{own}/status"),
        &kari,
        Some(json!({"status": "under_review", "version": 0})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("coordinators"));
}

#[tokio::test]
async fn coordinators_move_sites_only_along_allowed_transitions() {
    let w = world();
    let (_, ola) = token(&w.state, "ola").await;
    let site = candidate_in(&w.state, "3201");
    let uri = format!("/api/sites/{site}/status");
    let (s, p) = call(
        &w.state,
        "POST",
        &uri,
        &ola,
        Some(json!({"status": "approved", "version": 0})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("under_review, rejected"),
        "{p}"
    );
    let (s, p) = call(
        &w.state,
        "POST",
        &uri,
        &ola,
        Some(json!({"status": "under_review", "version": 0})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(
        (p["status"].as_str(), p["version"].as_i64()),
        (Some("under_review"), Some(1))
    );
    let (s, p) = call(
        &w.state,
        "POST",
        &uri,
        &ola,
        Some(json!({"status": "rejected", "version": 1})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "rejecting needs a reason: {p}");
    let (s, p) = call(
        &w.state,
        "POST",
        &uri,
        &ola,
        Some(json!({"status": "finished", "version": 1})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(p["parameter"], "status");
    let (s, _) = call(
        &w.state,
        "POST",
        &uri,
        &ola,
        Some(json!({"status": "recommended", "version": 1})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, state) = call(
        &w.state,
        "GET",
        &format!("/api/sites/{site}"),
        &Auth::None,
        None,
    )
    .await;
    assert_eq!(state["site"]["status"], "recommended");
    assert_eq!(state["allowed_next"], json!(["approved", "rejected"]));
}

#[tokio::test]
async fn two_coordinators_from_the_same_version_one_gets_409_and_nothing_is_lost() {
    let w = world();
    let (_, ola) = token(&w.state, "ola").await;
    let (_, eva) = token(&w.state, "eva").await;
    let site = candidate_in(&w.state, "0301");
    let uri = format!("/api/sites/{site}/status");
    let (a, b) = tokio::join!(
        call(
            &w.state,
            "POST",
            &uri,
            &ola,
            Some(json!({"status": "under_review", "version": 0}))
        ),
        call(
            &w.state,
            "POST",
            &uri,
            &eva,
            Some(json!({"status": "rejected", "version": 0, "reason": "for nær boliger"}))
        ),
    );
    let codes = [a.0, b.0];
    assert!(
        codes.contains(&StatusCode::OK) && codes.contains(&StatusCode::CONFLICT),
        "{codes:?}"
    );
    let winner = if a.0 == StatusCode::OK { &a.1 } else { &b.1 };
    let loser = if a.0 == StatusCode::OK { &b.1 } else { &a.1 };
    assert!(
        loser["detail"].as_str().unwrap().contains("version"),
        "{loser}"
    );
    let (_, now) = call(
        &w.state,
        "GET",
        &format!("/api/sites/{site}"),
        &Auth::None,
        None,
    )
    .await;
    assert_eq!(now["site"]["status"], winner["status"]);
    assert_eq!(now["site"]["version"], 1);
}

#[tokio::test]
async fn a_revoked_token_stops_working_at_once() {
    let w = world();
    let (id, kari) = token(&w.state, "kari").await;
    let (s, me) = call(&w.state, "GET", "/api/me", &kari, None).await;
    assert_eq!((s, me["username"].as_str()), (StatusCode::OK, Some("kari")));
    // Someone else may not revoke it.
    let (_, per) = token(&w.state, "per").await;
    let (s, _) = call(&w.state, "DELETE", &format!("/api/tokens/{id}"), &per, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = call(
        &w.state,
        "DELETE",
        &format!("/api/tokens/{id}"),
        &kari,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, p) = call(&w.state, "GET", "/api/me", &kari, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{p}");
}

#[tokio::test]
async fn session_writes_need_the_csrf_token_and_logout_ends_the_session() {
    let w = world();
    let session = login(&w.state, "kari").await;
    let Auth::Session { cookie, .. } = session.clone() else {
        unreachable!()
    };
    let site = candidate_in(&w.state, "0301");
    let uri = format!("/api/sites/{site}/comments");
    let no_csrf = Auth::Session {
        cookie: cookie.clone(),
        csrf: None,
    };
    let (s, p) = call(
        &w.state,
        "POST",
        &uri,
        &no_csrf,
        Some(json!({"text": "hei"})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("X-CSRF-Token"));
    let wrong = Auth::Session {
        cookie: cookie.clone(),
        csrf: Some("0".repeat(64)),
    };
    let (s, _) = call(&w.state, "POST", &uri, &wrong, Some(json!({"text": "hei"}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = call(
        &w.state,
        "POST",
        &uri,
        &session,
        Some(json!({"text": "hei"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    // Reading needs no CSRF token.
    let (s, _) = call(&w.state, "GET", "/api/me", &no_csrf, None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = call(&w.state, "POST", "/api/logout", &session, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = call(&w.state, "GET", "/api/me", &no_csrf, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account_and_logins_are_rate_limited() {
    let w = world();
    let attempt = |user: &'static str, pw: &'static str| {
        let state = w.state.clone();
        async move {
            call(
                &state,
                "POST",
                "/api/login",
                &Auth::None,
                Some(json!({"username": user, "password": pw})),
            )
            .await
        }
    };
    for _ in 0..5 {
        let (s, p) = attempt("per", "feil passord!").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{p}");
        assert_eq!(p["detail"], "wrong user name or password");
    }
    let (s, p) = attempt("per", PASSWORD).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "locked even with the right password: {p}"
    );
    assert!(p["detail"].as_str().unwrap().contains("locked"));
    // An unknown user gets the same answer as a wrong password, until the rate limit.
    let mut codes = Vec::new();
    for _ in 0..12 {
        codes.push(attempt("nobody", "whatever123").await.0);
    }
    assert_eq!(codes[0], StatusCode::UNAUTHORIZED);
    assert_eq!(*codes.last().unwrap(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn bad_input_gets_a_4xx_naming_the_problem() {
    let w = world();
    let (_, kari) = token(&w.state, "kari").await;
    let cases = [
        (
            json!({"name": "ring", "geometry": {"type": "Polygon", "coordinates": [[[10.8, 59.9], [10.81, 59.9], [10.8, 59.9]]]}}),
            "geometry",
            "invalid",
        ),
        (
            json!({"name": "sløyfe", "geometry": {"type": "Polygon", "coordinates": [[[10.80, 59.90], [10.82, 59.92], [10.82, 59.90], [10.80, 59.92], [10.80, 59.90]]]}}),
            "geometry",
            "invalid",
        ),
        (
            json!({"name": "Nordsjøen", "geometry": point(3.0, 58.0)}),
            "geometry",
            "outside every municipality",
        ),
        (
            json!({"name": "linje", "geometry": {"type": "LineString", "coordinates": [[10.8, 59.9], [10.9, 59.9]]}}),
            "geometry",
            "Point, Polygon or MultiPolygon",
        ),
        (
            json!({"name": "utm", "geometry": point(10.8, 59.92), "crs": "EPSG:nope"}),
            "crs",
            "not an EPSG code",
        ),
        (
            json!({"name": "", "geometry": point(10.8, 59.92)}),
            "name",
            "1 to 200",
        ),
    ];
    for (body, parameter, words) in cases {
        let (s, p) = call(
            &w.state,
            "POST",
            "/api/proposals",
            &kari,
            Some(body.clone()),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {p}");
        assert_eq!(p["parameter"], parameter, "{p}");
        assert!(p["detail"].as_str().unwrap().contains(words), "{p}");
    }
    // In EPSG:25833 the same site is accepted.
    let (s, p) = call(&w.state, "POST", "/api/proposals", &kari, Some(json!({"name": "Alnabru", "geometry": point(267_000.0, 6_652_000.0), "crs": "EPSG:25833"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");

    let site = candidate_in(&w.state, "0301");
    let uri = format!("/api/sites/{site}/comments");
    let (s, p) = call(
        &w.state,
        "POST",
        &uri,
        &kari,
        Some(json!({"text": "x".repeat(4001)})),
    )
    .await;
    assert_eq!(
        (s, p["parameter"].as_str()),
        (StatusCode::BAD_REQUEST, Some("text")),
        "{p}"
    );
    let nasty = "Robert'); DROP TABLE comments;-- <script>alert(1)</script>";
    let (s, _) = call(&w.state, "POST", &uri, &kari, Some(json!({"text": nasty}))).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, state) = call(
        &w.state,
        "GET",
        &format!("/api/sites/{site}"),
        &Auth::None,
        None,
    )
    .await;
    assert_eq!(
        state["comments"][0]["text"], nasty,
        "stored and shown verbatim"
    );

    // A 20 MB upload is refused before it is read.
    let big = json!({"name": "stor", "geometry": point(10.8, 59.92), "pad": "x".repeat(20 * 1024 * 1024)});
    let (s, p) = call(&w.state, "POST", "/api/proposals", &kari, Some(big)).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{p}");
}

#[tokio::test]
async fn the_audit_log_records_every_change_for_coordinators() {
    let w = world();
    let (_, kari) = token(&w.state, "kari").await;
    let (_, ola) = token(&w.state, "ola").await;
    let site = candidate_in(&w.state, "0301");
    call(
        &w.state,
        "POST",
        &format!("/api/sites/{site}/comments"),
        &kari,
        Some(json!({"text": "Bærum, Ås, Nordre Follo"})),
    )
    .await;
    call(
        &w.state,
        "POST",
        &format!("/api/sites/{site}/status"),
        &ola,
        Some(json!({"status": "under_review", "version": 0})),
    )
    .await;
    let (s, _) = call(&w.state, "GET", "/api/audit", &kari, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, log) = call(&w.state, "GET", "/api/audit", &ola, None).await;
    assert_eq!(s, StatusCode::OK);
    let entries = log["entries"].as_array().unwrap();
    let status = entries
        .iter()
        .find(|e| e["action"] == "status.set")
        .unwrap();
    assert_eq!(status["actor"], "ola");
    assert_eq!(status["before"]["status"], "proposed");
    assert_eq!(status["after"]["status"], "under_review");
    assert!(entries
        .iter()
        .any(|e| e["action"] == "comment.add" && e["actor"] == "kari"));
    // As CSV, with the Norwegian letters intact.
    let Auth::Bearer(t) = &ola else {
        unreachable!()
    };
    let resp = router(w.state.clone())
        .oneshot(
            Request::get("/api/audit?f=csv")
                .header("authorization", format!("Bearer {t}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    let text = String::from_utf8(
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    assert!(text.starts_with("id,at,actor,action,entity,before,after\n"));
    assert!(text.contains("Bærum, Ås, Nordre Follo"), "{text}");
}

#[test]
fn user_add_on_the_cli_bootstraps_a_coordinator_with_a_hashed_password() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("review.sqlite");
    let run = |args: &[&str], password: &str| {
        common::bin()
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("ENERGISTASJON_PASSWORD", password)
            .output()
            .unwrap()
    };
    let o = run(
        &["user", "add", "--username", "ola", "--role", "coordinator"],
        PASSWORD,
    );
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    assert!(common::text(&o.stdout).contains("ola (coordinator"));
    // Each refusal names what to fix.
    for (args, password, words) in [
        (
            vec!["--username", "ola", "--role", "admin"],
            PASSWORD,
            "exists already",
        ),
        (
            vec!["--username", "kari", "--role", "municipality"],
            PASSWORD,
            "--kommune",
        ),
        (
            vec![
                "--username",
                "kari",
                "--role",
                "municipality",
                "--kommune",
                "Oslo",
            ],
            PASSWORD,
            "four digits",
        ),
        (
            vec![
                "--username",
                "kari",
                "--role",
                "municipality",
                "--kommune",
                "0301",
            ],
            "kort",
            "at least 10",
        ),
        (
            vec!["--username", "kari", "--role", "mayor"],
            PASSWORD,
            "unknown role",
        ),
    ] {
        let o = run(&[&["user", "add"][..], &args].concat(), password);
        assert!(!o.status.success(), "{args:?}");
        assert!(
            common::text(&o.stderr).contains(words),
            "{args:?}: {}",
            common::text(&o.stderr)
        );
        common::assert_no_panic(&o);
    }
    let store = SqliteStore::open(&db).unwrap();
    let ola = store.user_by_name("ola").unwrap().unwrap();
    assert_eq!(ola.role, Role::Coordinator);
    assert!(energistasjon::auth::verify_password(
        PASSWORD,
        &ola.password_hash
    ));
    assert!(store.user_by_name("kari").unwrap().is_none());
}

#[tokio::test]
async fn candidate_items_and_exports_carry_review_status_and_filter_by_it() {
    let w = world();
    let (_, ola) = token(&w.state, "ola").await;
    let (_, kari) = token(&w.state, "kari").await;
    let site = candidate_in(&w.state, "0301");
    // Read once before the review: the service keeps the explanation it built, and the
    // review state must still be today's on the next read.
    let item = format!("/collections/candidates-depot/items/{site}");
    let (_, before) = call(&w.state, "GET", &item, &Auth::None, None).await;
    assert_eq!(before["properties"]["status"], "proposed", "{before}");
    call(
        &w.state,
        "POST",
        &format!("/api/sites/{site}/status"),
        &ola,
        Some(json!({"status": "under_review", "version": 0})),
    )
    .await;
    call(
        &w.state,
        "POST",
        &format!("/api/sites/{site}/comments"),
        &kari,
        Some(json!({"text": "Ser bra ut"})),
    )
    .await;
    call(
        &w.state,
        "POST",
        &format!("/api/sites/{site}/votes"),
        &kari,
        Some(json!({"vote": "support"})),
    )
    .await;
    let (_, after) = call(&w.state, "GET", &item, &Auth::None, None).await;
    assert_eq!(
        (
            after["properties"]["status"].as_str(),
            after["properties"]["votes_support"].as_i64()
        ),
        (Some("under_review"), Some(1)),
        "{after}"
    );
    assert_eq!(
        after["properties"]["criteria"],
        before["properties"]["criteria"]
    );
    let (s, page) = call(
        &w.state,
        "GET",
        "/collections/candidates-depot/items?status=under_review",
        &Auth::None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(page["numberMatched"], 1);
    let p = &page["features"][0]["properties"];
    assert_eq!(p["id"], site.as_str());
    assert_eq!(
        (
            p["status"].as_str(),
            p["comments"].as_i64(),
            p["votes_support"].as_i64()
        ),
        (Some("under_review"), Some(1), Some(1))
    );
    let (_, rest) = call(
        &w.state,
        "GET",
        "/collections/candidates-depot/items?status=proposed&limit=1",
        &Auth::None,
        None,
    )
    .await;
    let total = w
        .state
        .collections
        .iter()
        .find(|c| c.id == "candidates-depot")
        .unwrap()
        .len();
    assert_eq!(rest["numberMatched"].as_u64().unwrap() as usize, total - 1);
    // The export has the same columns.
    let (s, doc) = call(
        &w.state,
        "GET",
        "/api/export?profile=depot&status=under_review",
        &Auth::None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["features"].as_array().unwrap().len(), 1);
    assert_eq!(doc["features"][0]["properties"]["status"], "under_review");
    assert_eq!(doc["features"][0]["properties"]["comments"], 1);
}

async fn upload(
    state: &AppState,
    auth: &Auth,
    format: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let Auth::Bearer(t) = auth else {
        panic!("bearer only")
    };
    let req = Request::post(format!("/api/proposals/upload?format={format}"))
        .header("authorization", format!("Bearer {t}"))
        .header("content-type", "application/octet-stream")
        .body(Body::from(bytes))
        .unwrap();
    let resp = router(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn sites_geojson(points: &[(&str, f64, f64)]) -> String {
    json!({"type": "FeatureCollection", "features": points.iter().map(|(name, x, y)| json!({
        "type": "Feature", "properties": {"name": name}, "geometry": {"type": "Point", "coordinates": [x, y]}
    })).collect::<Vec<_>>()})
    .to_string()
}

fn zip_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        for (name, data) in files {
            z.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            z.write_all(data).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

#[tokio::test]
async fn a_municipality_uploads_sites_as_geojson_geopackage_or_zipped_shapefile() {
    let w = world();
    let (_, kari) = token(&w.state, "kari").await;
    let dir = tempfile::tempdir().unwrap();
    let oslo = sites_geojson(&[("Alnabru", 10.84, 59.93), ("Bryn", 10.80, 59.92)]);
    let (s, p) = upload(&w.state, &kari, "geojson", oslo.clone().into_bytes()).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["proposals"].as_array().unwrap().len(), 2);
    assert_eq!(p["proposals"][0]["proposal"]["name"], "Alnabru");
    assert_eq!(p["proposals"][0]["scores"].as_array().unwrap().len(), 4);

    // GeoPackage and Shapefile written by GDAL's ogr2ogr from the same sites.
    let src = dir.path().join("sites.geojson");
    std::fs::write(&src, &oslo).unwrap();
    let gpkg = dir.path().join("sites.gpkg");
    let shp = dir.path().join("sites.shp");
    for (out, driver) in [(&gpkg, "GPKG"), (&shp, "ESRI Shapefile")] {
        let o = std::process::Command::new("ogr2ogr")
            .args(["-f", driver])
            .arg(out)
            .arg(&src)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", common::text(&o.stderr));
    }
    let (s, p) = upload(&w.state, &kari, "gpkg", std::fs::read(&gpkg).unwrap()).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let parts: Vec<(String, Vec<u8>)> = ["shp", "shx", "dbf", "prj"]
        .iter()
        .map(|e| {
            (
                format!("sites.{e}"),
                std::fs::read(dir.path().join(format!("sites.{e}"))).unwrap(),
            )
        })
        .collect();
    let zipped = zip_of(
        &parts
            .iter()
            .map(|(n, d)| (n.as_str(), d.clone()))
            .collect::<Vec<_>>(),
    );
    let (s, p) = upload(&w.state, &kari, "shp", zipped).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let (_, all) = call(
        &w.state,
        "GET",
        "/api/proposals?kommunenummer=0301",
        &Auth::None,
        None,
    )
    .await;
    assert_eq!(all["proposals"].as_array().unwrap().len(), 6);

    // A zip whose entry climbs out of the archive is refused.
    let evil = zip_of(&[
        ("../x.shp", parts[0].1.clone()),
        ("sites.dbf", parts[2].1.clone()),
    ]);
    let (s, p) = upload(&w.state, &kari, "shp", evil).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("outside the archive"),
        "{p}"
    );

    // One site in Bærum refuses the whole file, naming the site; nothing is stored.
    let mixed = sites_geojson(&[("Alnabru 2", 10.84, 59.93), ("Sandvika", 10.52, 59.89)]);
    let (s, p) = upload(&w.state, &kari, "geojson", mixed.into_bytes()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("Sandvika"), "{p}");
    let (_, all) = call(&w.state, "GET", "/api/proposals", &Auth::None, None).await;
    assert_eq!(all["proposals"].as_array().unwrap().len(), 6);

    // Not a file GDAL can read; an unknown format; 20 MB.
    let (s, p) = upload(&w.state, &kari, "gpkg", b"not a geopackage".to_vec()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
    let (s, p) = upload(&w.state, &kari, "kml", oslo.clone().into_bytes()).await;
    assert_eq!(
        (s, p["parameter"].as_str()),
        (StatusCode::BAD_REQUEST, Some("format"))
    );
    let (s, _) = upload(&w.state, &kari, "geojson", vec![b' '; 20 * 1024 * 1024]).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn weight_scenarios_are_saved_checked_and_listed() {
    let w = world();
    let (_, kari) = token(&w.state, "kari").await;
    let weights = json!({"logistics": 10, "landuse": 10, "grid_capacity": 50, "grid_distance": 10, "main_road": 10, "area": 10});
    let (s, p) = call(
        &w.state,
        "POST",
        "/api/scenarios",
        &Auth::None,
        Some(json!({"name": "Nett først", "profile": "depot", "weights": weights})),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{p}");
    let (s, p) = call(
        &w.state,
        "POST",
        "/api/scenarios",
        &kari,
        Some(json!({"name": "Nett først", "profile": "depot", "weights": weights})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["weights"]["grid_capacity"], 50.0);
    let (s, p) = call(
        &w.state,
        "POST",
        "/api/scenarios",
        &kari,
        Some(json!({"name": "Nett først", "profile": "depot", "weights": weights})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    let (s, p) = call(
        &w.state,
        "POST",
        "/api/scenarios",
        &kari,
        Some(json!({"name": "Feil", "profile": "depot", "weights": {"grid_capacity": 90}})),
    )
    .await;
    assert_eq!(
        (s, p["parameter"].as_str()),
        (StatusCode::BAD_REQUEST, Some("weights")),
        "{p}"
    );
    let (_, list) = call(
        &w.state,
        "GET",
        "/api/scenarios?profile=depot",
        &Auth::None,
        None,
    )
    .await;
    assert_eq!(list["scenarios"][0]["name"], "Nett først");
}

#[tokio::test]
async fn only_admins_add_users_and_the_new_user_can_log_in() {
    let w = world();
    let (_, admin) = token(&w.state, "admin").await;
    let (_, ola) = token(&w.state, "ola").await;
    let new = json!({"username": "siri", "role": "municipality", "kommuner": ["3201"], "password": PASSWORD});
    let (s, _) = call(&w.state, "POST", "/api/users", &ola, Some(new.clone())).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = call(
        &w.state,
        "POST",
        "/api/users",
        &Auth::None,
        Some(new.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, p) = call(&w.state, "POST", "/api/users", &admin, Some(new.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["municipalities"], json!(["3201"]));
    let (s, _) = call(&w.state, "POST", "/api/users", &admin, Some(new)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, p) = call(
        &w.state,
        "POST",
        "/api/users",
        &admin,
        Some(json!({"username": "x", "role": "coordinator", "password": "kort"})),
    )
    .await;
    assert_eq!(
        (s, p["parameter"].as_str()),
        (StatusCode::BAD_REQUEST, Some("password"))
    );
    let Auth::Session { .. } = login(&w.state, "siri").await else {
        unreachable!()
    };
}

/// An anonymous GET through the router.
async fn get(state: &AppState, uri: &str) -> (StatusCode, Value) {
    call(state, "GET", uri, &Auth::None, None).await
}

/// The request is refused with 400, naming `parameter`.
async fn refused(
    state: &AppState,
    method: &str,
    uri: &str,
    auth: &Auth,
    body: Option<Value>,
    parameter: &str,
) {
    let (status, answer) = call(state, method, uri, auth, body.clone()).await;
    assert_eq!(
        (status, answer["parameter"].as_str()),
        (StatusCode::BAD_REQUEST, Some(parameter)),
        "{method} {uri} {body:?}: {answer}"
    );
}

/// Raw bytes of a GET through the router.
async fn bytes(state: &AppState, uri: &str) -> (StatusCode, Vec<u8>) {
    let resp = router(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    (
        status,
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
}

#[tokio::test]
async fn a_kept_tile_is_served_again_until_the_review_state_changes() {
    let w = world();
    let ola = login(&w.state, "ola").await;
    let site = candidate_in(&w.state, "0301");
    // Filtered before thinning, the tile of sites under review shows the site once it is.
    let uri = "/tiles/candidates-depot/6/33/18.mvt?status=under_review";
    let (_, first) = bytes(&w.state, uri).await;
    assert!(!String::from_utf8_lossy(&first).contains(site.as_str()));
    let (_, again) = bytes(&w.state, uri).await;
    assert_eq!(first, again);
    let served = |metrics: &[u8], source: &str| -> u64 {
        let line = format!("energistasjon_tiles_total{{source=\"{source}\"}} ");
        String::from_utf8_lossy(metrics)
            .lines()
            .find_map(|l| l.strip_prefix(line.as_str())?.parse().ok())
            .unwrap()
    };
    let (_, metrics) = bytes(&w.state, "/metrics").await;
    assert_eq!(
        (served(&metrics, "encoded"), served(&metrics, "kept")),
        (1, 1)
    );
    // Another filter is another tile.
    let (_, oslo) = bytes(
        &w.state,
        "/tiles/candidates-depot/6/33/18.mvt?status=under_review&kommunenummer=0301",
    )
    .await;
    assert_eq!(oslo, first, "nothing under review anywhere yet");
    let (_, metrics) = bytes(&w.state, "/metrics").await;
    assert_eq!(served(&metrics, "encoded"), 2);

    let (status, body) = call(
        &w.state,
        "POST",
        &format!("/api/sites/{site}/status"),
        &ola,
        Some(json!({"status": "under_review", "version": 0})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The change shows at once: the kept tile is not served again.
    let (_, changed) = bytes(&w.state, uri).await;
    let text = String::from_utf8_lossy(&changed);
    assert!(text.contains(site.as_str()) && text.contains("under_review"));
    let (_, metrics) = bytes(&w.state, "/metrics").await;
    assert_eq!(
        (served(&metrics, "encoded"), served(&metrics, "kept")),
        (3, 1)
    );
}

#[tokio::test]
async fn the_map_sees_review_status_in_tiles_rankings_proposals_and_site_history() {
    let w = world();
    let kari = login(&w.state, "kari").await;
    let ola = login(&w.state, "ola").await;

    // A proposal comes back for the map in CRS84, where it was drawn, as proposed.
    let (status, made) = call(
        &w.state,
        "POST",
        "/api/proposals",
        &kari,
        Some(json!({"name": "Kartforslag", "geometry": point(10.80, 59.93)})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let pid = made["proposal"]["id"].as_str().unwrap().to_string();
    let (status, fc) = get(&w.state, "/api/proposals?f=geojson").await;
    assert_eq!(status, StatusCode::OK);
    let f = &fc["features"][0];
    assert_eq!(f["properties"]["id"], pid.as_str());
    assert_eq!(f["properties"]["status"], "proposed");
    let c = f["geometry"]["coordinates"].as_array().unwrap();
    assert!(
        (c[0].as_f64().unwrap() - 10.80).abs() < 1e-6
            && (c[1].as_f64().unwrap() - 59.93).abs() < 1e-6,
        "{c:?}"
    );
    // Scored again on demand for the coordinator, the same as when proposed.
    let (_, again) = get(&w.state, &format!("/api/proposals/{pid}")).await;
    assert_eq!(again["scores"], made["scores"]);
    let (status, _) = get(&w.state, "/api/proposals/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    refused(
        &w.state,
        "GET",
        "/api/proposals?f=kml",
        &Auth::None,
        None,
        "f",
    )
    .await;

    // A candidate put under review: the ranking filtered by status holds exactly it.
    let site = candidate_in(&w.state, "3201");
    let (status, body) = call(
        &w.state,
        "POST",
        &format!("/api/sites/{site}/status"),
        &ola,
        Some(json!({"status": "under_review", "version": 0})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, ranked) = call(
        &w.state,
        "POST",
        "/api/score",
        &Auth::None,
        Some(json!({"profile": "depot", "status": "under_review", "limit": 100})),
    )
    .await;
    let ids: Vec<&str> = ranked["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![site.as_str()]);
    let (_, all) = call(
        &w.state,
        "POST",
        "/api/score",
        &Auth::None,
        Some(json!({"profile": "depot", "limit": 10000})),
    )
    .await;
    let (_, above) = call(
        &w.state,
        "POST",
        "/api/score",
        &Auth::None,
        Some(json!({"profile": "depot", "min_score": 50, "limit": 10000})),
    )
    .await;
    let expected = all["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["score"].as_f64().unwrap() >= 50.0)
        .count();
    assert_eq!(above["numberMatched"].as_u64().unwrap() as usize, expected);
    refused(
        &w.state,
        "POST",
        "/api/score",
        &Auth::None,
        Some(json!({"profile": "depot", "status": "maybe"})),
        "status",
    )
    .await;

    // The tiles carry the status and filter on it before thinning, at every zoom.
    for (z, x, y) in [(0, 0, 0), (6, 33, 18)] {
        let (status, tile) = bytes(
            &w.state,
            &format!("/tiles/candidates-depot/{z}/{x}/{y}.mvt?status=under_review"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let text = String::from_utf8_lossy(&tile);
        assert!(
            text.contains(site.as_str()) && text.contains("under_review"),
            "z{z}"
        );
        let (_, everything) = bytes(
            &w.state,
            &format!("/tiles/candidates-depot/{z}/{x}/{y}.mvt"),
        )
        .await;
        assert!(
            everything.len() > tile.len(),
            "z{z}: the filter leaves the other sites out"
        );
    }
    let (_, tile) = bytes(
        &w.state,
        "/tiles/candidates-depot/6/33/18.mvt?kommunenummer=0301",
    )
    .await;
    assert!(
        !String::from_utf8_lossy(&tile).contains(site.as_str()),
        "a Bærum site is not in Oslo's tile"
    );
    for (q, parameter) in [("status=maybe", "status"), ("min_score=120", "min_score")] {
        refused(
            &w.state,
            "GET",
            &format!("/tiles/candidates-depot/6/33/18.mvt?{q}"),
            &Auth::None,
            None,
            parameter,
        )
        .await;
    }
    let (status, body) = get(&w.state, "/tiles/roads/6/33/18.mvt?status=approved").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // The site's history: who changed what, oldest first.
    let (_, state) = get(&w.state, &format!("/api/sites/{site}")).await;
    let history = state["history"].as_array().unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0]["action"], "status.set");
    assert_eq!(history[0]["actor"], "ola");
    let (_, state) = get(&w.state, &format!("/api/sites/{pid}")).await;
    assert_eq!(state["history"][0]["action"], "proposal.add");
}

/// The computed KPI `id` of GN-1 in the programme as served now: value and timestamp.
async fn kpi(state: &AppState, id: &str) -> (f64, String) {
    let (status, p) = call(state, "GET", "/api/programme/2025", &Auth::None, None).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    let gn1 = p["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "GN-1")
        .unwrap();
    let k = gn1["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == id)
        .unwrap();
    let v = k["values"].as_array().unwrap().last().unwrap();
    assert!(
        v["from"].as_str().unwrap().contains("behandlingslageret"),
        "{v}"
    );
    (
        v["value"].as_f64().unwrap(),
        v["at"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn approving_a_site_in_a_new_municipality_raises_the_programme_kpi_and_the_report_shows_it() {
    let w = world();
    let ola = login(&w.state, "ola").await;
    let (before, _) = kpi(&w.state, "kommuner-med-omrade").await;
    let (approved_before, _) = kpi(&w.state, "omrader-godkjent").await;
    // Walk a candidate with free grid capacity within 5 km to approved. The brute-force
    // capacity is what the grid KPI must then show.
    let free_mw = |point: [f64; 2]| {
        w.state
            .region
            .grid
            .iter()
            .filter_map(|g| {
                let geo::Geometry::Point(c) = &g.geometry else {
                    panic!("substation {} is not a point", g.id)
                };
                let d = ((c.x() - point[0]).powi(2) + (c.y() - point[1]).powi(2)).sqrt();
                (d <= 5000.0).then_some(g.attrs.available_mw?)
            })
            .fold(0.0f64, f64::max)
    };
    let depot = w
        .state
        .scored
        .iter()
        .find(|s| s.profile.id == "depot")
        .unwrap();
    let (site, expected) = depot
        .raw
        .candidates
        .iter()
        .map(|c| (c.id.clone(), free_mw(c.point)))
        .find(|(_, mw)| *mw > 0.0)
        .expect("a depot candidate near a substation with free capacity");
    for (version, to) in [(0, "under_review"), (1, "recommended"), (2, "approved")] {
        let (status, body) = call(
            &w.state,
            "POST",
            &format!("/api/sites/{site}/status"),
            &ola,
            Some(json!({"status": to, "version": version})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{to}: {body}");
    }
    let (after, at) = kpi(&w.state, "kommuner-med-omrade").await;
    assert_eq!(after, before + 1.0);
    assert_eq!(
        kpi(&w.state, "omrader-godkjent").await.0,
        approved_before + 1.0
    );
    // Free grid capacity at approved sites is now that of the site's substation.
    assert_eq!(kpi(&w.state, "ledig-nett-mw").await.0, expected);
    // Planned MCS power in 2030 is the approved site's sizing, read against the need: the
    // 2030 peak of the mcs-corridor shortlist, as POST /api/shortlist sizes it.
    let (_, sized) = call(
        &w.state,
        "GET",
        &format!("/api/sizing?profile=mcs-corridor&site={site}&year=2030"),
        &Auth::None,
        None,
    )
    .await;
    let planned = kpi(&w.state, "planlagt-mw-2030").await.0;
    assert!(
        (planned - sized["years"][0]["peak_mw"].as_f64().unwrap()).abs() < 0.0005,
        "{planned} {sized}"
    );
    let (_, short) = call(
        &w.state,
        "POST",
        "/api/shortlist",
        &Auth::None,
        Some(json!({"profile": "mcs-corridor"})),
    )
    .await;
    let need: f64 = short["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["sizing"]
                .as_array()
                .unwrap()
                .iter()
                .find(|z| z["year"] == 2030)
                .unwrap()["peak_mw"]
                .as_f64()
                .unwrap()
        })
        .sum();
    assert!(need > 0.0);
    assert!((kpi(&w.state, "behov-mw-2030").await.0 - need).abs() < 0.0005);
    let (_, p) = call(&w.state, "GET", "/api/programme/2025", &Auth::None, None).await;
    let target = p["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "GN-1")
        .unwrap()["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == "planlagt-mw-2030")
        .unwrap()["target"]
        .as_f64()
        .unwrap();
    assert!((target - need).abs() < 0.0005, "{target} {need}");
    // The report shows the new value with its timestamp, in every format.
    for format in ["md", "html", "csv"] {
        let resp = router(w.state.clone())
            .oneshot(
                Request::get(format!("/api/programme/2025/report?format={format}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{format}");
        let text = String::from_utf8(
            resp.into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes()
                .to_vec(),
        )
        .unwrap();
        let name = "Medlemskommuner med minst ett anbefalt, godkjent eller bygget område";
        let row = text
            .lines()
            .find(|l| l.contains(name) && l.contains(&at[..4]))
            .unwrap_or_else(|| panic!("{format}: no row with a timestamp:\n{text}"));
        // Computed when the report was made: no earlier than the reading above.
        let stamp = &row[row.find(&at[..4]).unwrap()..][..at.len()];
        assert!(
            stamp >= at.as_str() && stamp.ends_with('Z'),
            "{format}: {stamp} vs {at}"
        );
        assert!(row.contains(&format!("{after:.0}")), "{format}: {row}");
    }
    refused(
        &w.state,
        "GET",
        "/api/programme/2025/report?format=pdf",
        &Auth::None,
        None,
        "format",
    )
    .await;
    let (status, _) = get(&w.state, "/api/programme/1999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, years) = get(&w.state, "/api/programme").await;
    assert_eq!(years["years"], json!([2025]));
}

#[tokio::test]
async fn only_the_secretariat_changes_the_programme_and_every_change_is_audited() {
    let w = world();
    let change = json!({"kind": "measure_status", "measure": "GN-1", "status": "in_progress",
        "note": "Kartleggingen er i gang i 12 kommuner", "date": "2025-05-02"});
    let uri = "/api/programme/2025/changes";
    let (status, _) = call(&w.state, "POST", uri, &Auth::None, Some(change.clone())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for user in ["kari", "ola", "admin"] {
        let auth = login(&w.state, user).await;
        let (status, body) = call(&w.state, "POST", uri, &auth, Some(change.clone())).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}: {body}");
        assert!(
            body["detail"].as_str().unwrap().contains("secretariat"),
            "{body}"
        );
    }
    let sekr = login(&w.state, "sekr").await;
    let (status, body) = call(&w.state, "POST", uri, &sekr, Some(change.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["after"]["status"], "in_progress");
    // GN-1's KPIs are computed: entering a value by hand is refused, naming the KPI.
    refused(
        &w.state,
        "POST",
        uri,
        &sekr,
        Some(json!({"kind": "kpi_value",
        "measure": "GN-1", "kpi": "kommuner-med-omrade", "value": 3})),
        "kpi",
    )
    .await;
    // Targets can be set; the budget's actual figure too.
    let (status, body) = call(
        &w.state,
        "POST",
        uri,
        &sekr,
        Some(json!({"kind": "kpi_target",
        "measure": "GN-1", "kpi": "kommuner-med-omrade", "target": 20})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = call(
        &w.state,
        "POST",
        uri,
        &sekr,
        Some(json!({"kind": "budget_actual",
        "post": "Kontingentinntekter (kr 3,00 pr innbygger)", "actual_knok": 6990.5})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Bad changes name the field at fault.
    for (bad, parameter) in [
        (
            json!({"kind": "measure_status", "measure": "XX-9", "status": "done", "note": "n"}),
            "measure",
        ),
        (
            json!({"kind": "measure_status", "measure": "GN-1", "status": "done", "note": " "}),
            "note",
        ),
        (
            json!({"kind": "measure_status", "measure": "GN-1", "status": "done", "note": "n", "date": "2. mai"}),
            "date",
        ),
        (
            json!({"kind": "measure_text", "measure": "GN-1", "group": "styret-x"}),
            "group",
        ),
        (
            json!({"kind": "budget_actual", "post": "Lønn", "actual_knok": 1}),
            "post",
        ),
        (
            json!({"kind": "measure_status", "measure": "GN-1", "status": "begun", "note": "n"}),
            "change",
        ),
        (
            json!({"kind": "computed", "measure": "GN-1", "kpi": "omrader-godkjent", "value": 1, "at": "x", "from": "y"}),
            "kind",
        ),
    ] {
        refused(&w.state, "POST", uri, &sekr, Some(bad.clone()), parameter).await;
    }
    // The programme as served carries the changes; the filters find the measure.
    let (_, m) = get(&w.state, "/api/programme/2025/measures?status=in_progress").await;
    let ids: Vec<&str> = m["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["GN-1"]);
    assert_eq!(m["measures"][0]["notes"][0]["by"], "sekr");
    assert_eq!(m["measures"][0]["notes"][0]["date"], "2025-05-02");
    let (_, m) = get(&w.state, "/api/programme/2025/measures?theme=gronn-naeringstransport&group=koordineringsgruppe-gronn-naeringstransport").await;
    assert_eq!(m["measures"].as_array().unwrap().len(), 2);
    for (q, parameter) in [
        ("theme=nope", "theme"),
        ("group=nope", "group"),
        ("status=begun", "status"),
    ] {
        refused(
            &w.state,
            "GET",
            &format!("/api/programme/2025/measures?{q}"),
            &Auth::None,
            None,
            parameter,
        )
        .await;
    }
    let (_, k) = get(&w.state, "/api/programme/2025/kpis").await;
    let target = k["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["kpi"]["id"] == "kommuner-med-omrade")
        .unwrap();
    assert_eq!(target["kpi"]["target"], 20.0);
    // Every change is in the audit log, by whom.
    let ola = login(&w.state, "ola").await;
    let (_, audit) = call(&w.state, "GET", "/api/audit", &ola, None).await;
    let changes: Vec<&Value> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "programme.change")
        .collect();
    assert_eq!(changes.len(), 3, "{changes:?}");
    assert!(changes
        .iter()
        .all(|e| e["actor"] == "sekr" && e["entity"] == "programme:2025"));
    // Computed readings are recorded when they change: a series over time.
    let site = candidate_in(&w.state, "0301");
    for (version, to) in [(0, "under_review"), (1, "recommended")] {
        let (status, _) = call(
            &w.state,
            "POST",
            &format!("/api/sites/{site}/status"),
            &ola,
            Some(json!({"status": to, "version": version})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let _ = kpi(&w.state, "omrader-behandlet").await;
    }
    let (_, k) = get(&w.state, "/api/programme/2025/kpis").await;
    let series = k["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["kpi"]["id"] == "kommuner-med-omrade")
        .unwrap()["kpi"]["values"]
        .as_array()
        .unwrap()
        .clone();
    let values: Vec<f64> = series
        .iter()
        .map(|v| v["value"].as_f64().unwrap())
        .collect();
    assert_eq!(values, [0.0, 1.0], "{series:?}");
}

#[tokio::test]
async fn a_municipality_ticks_checklist_items_and_a_coordinator_sees_them_but_others_cannot() {
    let w = world();
    let site = candidate_in(&w.state, "0301");
    let uri = format!("/api/sites/{site}/checklist?profile=depot");
    let kari = login(&w.state, "kari").await;

    // Before any tick: every item with its source, data answers where the data can give one.
    let (status, before) = call(&w.state, "GET", &uri, &Auth::None, None).await;
    assert_eq!(status, StatusCode::OK, "{before}");
    let items = before["items"].as_array().unwrap();
    assert!(items.len() >= 10, "{before}");
    assert!(items
        .iter()
        .all(|i| !i["source"].as_str().unwrap().is_empty()));
    let zoning = items.iter().find(|i| i["id"] == "arealformal").unwrap();
    assert!(
        ["yes", "no", "unknown"].contains(&zoning["data"]["answer"].as_str().unwrap()),
        "{zoning}"
    );
    assert!(items.iter().all(|i| i["tick"].is_null()));
    assert_eq!(before["done"], 0);

    let tick = json!({"item": "forhandskonferanse", "done": true, "comment": "Møte holdt 3. mars"});
    let (status, body) = call(&w.state, "POST", &uri, &kari, Some(tick.clone())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["author"], "kari");
    let (status, _) = call(
        &w.state,
        "POST",
        &uri,
        &kari,
        Some(json!({"item": "tilknytningsavtale", "done": false, "comment": "Venter på svar fra Elvia"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // A user of another municipality, and anonymous users, cannot tick.
    let per = login(&w.state, "per").await;
    let (status, body) = call(&w.state, "POST", &uri, &per, Some(tick.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("0301"), "{body}");
    let (status, _) = call(&w.state, "POST", &uri, &Auth::None, Some(tick)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // An unknown item is refused, naming the parameter and the items there are.
    let (status, body) = call(
        &w.state,
        "POST",
        &uri,
        &kari,
        Some(json!({"item": "finnes-ikke", "done": true})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("forhandskonferanse"),
        "{body}"
    );

    // The coordinator sees both answers with their comments and authors.
    let ola = login(&w.state, "ola").await;
    let (status, seen) = call(&w.state, "GET", &uri, &ola, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen["done"], 1);
    let item = |id: &str| {
        seen["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(item("forhandskonferanse")["tick"]["done"], true);
    assert_eq!(
        item("forhandskonferanse")["tick"]["comment"],
        "Møte holdt 3. mars"
    );
    assert_eq!(item("tilknytningsavtale")["tick"]["done"], false);
    assert_eq!(item("tilknytningsavtale")["tick"]["author"], "kari");

    // The audit log holds both ticks, by kari, about this site; per's refused tick is not there.
    let (status, log) = call(&w.state, "GET", "/api/audit?limit=50", &ola, None).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let ticks: Vec<&Value> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "checklist.tick")
        .collect();
    assert_eq!(ticks.len(), 2, "{log}");
    assert!(ticks
        .iter()
        .all(|e| e["actor"] == "kari" && e["entity"] == format!("site:{site}")));

    // The coordinator may tick anywhere.
    let (status, _) = call(
        &w.state,
        "POST",
        &uri,
        &ola,
        Some(json!({"item": "soknad", "done": true})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}
