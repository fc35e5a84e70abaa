//! Every route of the OpenAPI document, walked with malformed path segments, query values
//! and bodies, and with methods it does not take, through the router: every refusal is
//! problem+json with a detail, and none is a server error.

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use energistasjon::api::{openapi_document, router, AppState};
use energistasjon::store::sqlite::SqliteStore;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// Values no path segment or query parameter of the API accepts all of.
const HOSTILE: [&str; 7] = [
    "abc",
    "-1",
    "%FF",
    "99999999999999999999999",
    "1e999",
    "%00",
    "..%2F..%2Fetc",
];

struct Answer {
    status: StatusCode,
    ctype: String,
    body: Vec<u8>,
}

async fn send(state: &AppState, method: &str, uri: &str, body: Option<&str>) -> Answer {
    let mut req = Request::builder().method(method).uri(uri);
    if body.is_some() {
        req = req.header("content-type", "application/json");
    }
    let req = req
        .body(body.map(|b| Body::from(b.to_string())).unwrap_or_default())
        .unwrap();
    let resp = router(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let ctype = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Answer {
        status,
        ctype,
        body,
    }
}

/// What is wrong with an answer, if anything.
fn fault(a: &Answer) -> Option<String> {
    if a.status.is_server_error() && a.status != StatusCode::SERVICE_UNAVAILABLE {
        return Some(format!("a server error {}", a.status));
    }
    if !(a.status.is_client_error() || a.status.is_server_error()) {
        return None;
    }
    if a.ctype != "application/problem+json" {
        return Some(format!(
            "{} as '{}': {}",
            a.status,
            a.ctype,
            String::from_utf8_lossy(&a.body)
        ));
    }
    let p: Value = match serde_json::from_slice(&a.body) {
        Ok(p) => p,
        Err(e) => return Some(format!("a problem body that is not JSON: {e}")),
    };
    let detail = p["detail"].as_str().unwrap_or("");
    if p["status"] != a.status.as_u16() || p["title"].as_str().is_none() || detail.is_empty() {
        return Some(format!("an incomplete problem: {p}"));
    }
    // A refused parameter is named, so the user knows what to change.
    if a.status == StatusCode::BAD_REQUEST && p["parameter"].as_str().is_none() {
        return Some(format!("a 400 that names no parameter: {p}"));
    }
    None
}

#[tokio::test]
async fn every_route_refuses_malformed_paths_queries_bodies_and_methods_with_problem_json() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("review.sqlite")).unwrap();
    let state = common::demo_state().with_store(Arc::new(store));
    let doc = serde_json::to_value(openapi_document()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut faults = Vec::new();
    let mut sent = 0;
    for (path, item) in paths {
        let item = item.as_object().unwrap();
        for (method, op) in item {
            let method = method.to_uppercase();
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let of = |place: &str| -> Vec<String> {
                params
                    .iter()
                    .filter(|p| p["in"] == place)
                    .filter_map(|p| p["name"].as_str().map(str::to_string))
                    .collect()
            };
            let (in_path, in_query) = (of("path"), of("query"));
            let takes_body = op.get("requestBody").is_some();
            for bad in HOSTILE {
                let mut uri = path.clone();
                for name in &in_path {
                    uri = uri.replace(&format!("{{{name}}}"), bad);
                }
                let mut tries: Vec<(String, Option<&str>)> = vec![(uri.clone(), None)];
                for q in &in_query {
                    tries.push((format!("{uri}?{q}={bad}"), None));
                    tries.push((format!("{uri}?{q}="), None));
                }
                tries.push((format!("{uri}?no_such_parameter={bad}"), None));
                if takes_body {
                    for body in ["{", "[]", "null", "{\"no_such_field\": 1}"] {
                        tries.push((uri.clone(), Some(body)));
                    }
                }
                for (uri, body) in tries {
                    let a = send(&state, &method, &uri, body).await;
                    sent += 1;
                    if let Some(f) = fault(&a) {
                        faults.push(format!("{method} {uri} {}: {f}", body.unwrap_or("")));
                    }
                }
            }
        }
        // A method the path does not take: 405, as a problem.
        let concrete = path.replace('{', "x").replace('}', "");
        for method in ["PUT", "PATCH"] {
            if item.contains_key(&method.to_lowercase()) {
                continue;
            }
            let a = send(&state, method, &concrete, None).await;
            sent += 1;
            if a.status != StatusCode::METHOD_NOT_ALLOWED && a.status != StatusCode::NOT_FOUND {
                faults.push(format!("{method} {concrete}: {} not 405", a.status));
            }
            if let Some(f) = fault(&a) {
                faults.push(format!("{method} {concrete}: {f}"));
            }
        }
    }
    let a = send(&state, "GET", "/no/such/resource", None).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(fault(&a), None);
    assert!(
        sent > 1000,
        "only {sent} requests: the document lost its paths?"
    );
    assert!(
        faults.is_empty(),
        "{} of {sent} answers are not problem+json:\n{}",
        faults.len(),
        faults.join("\n")
    );
}

#[tokio::test]
async fn the_framework_refusals_name_the_parameter_at_fault() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("review.sqlite")).unwrap();
    let state = common::demo_state().with_store(Arc::new(store));
    for (method, uri, parameter) in [
        ("GET", "/api/audit?limit=", "limit"),
        ("GET", "/api/audit?limit=many", "limit"),
        ("POST", "/api/proposals/upload", "format"),
        ("DELETE", "/api/tokens/abc", "id"),
    ] {
        let a = send(&state, method, uri, None).await;
        assert_eq!(fault(&a), None, "{method} {uri}");
        let p: Value = serde_json::from_slice(&a.body).unwrap();
        assert_eq!(p["parameter"], parameter, "{method} {uri}: {p}");
    }
    let a = send(&state, "DELETE", "/collections", None).await;
    assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED);
    let p: Value = serde_json::from_slice(&a.body).unwrap();
    assert!(p["detail"].as_str().unwrap().contains("GET"), "{p}");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_a_request_id_that_problems_repeat() {
    let state = common::demo_state();
    for uri in ["/", "/web/index.html", "/collections", "/no/such/resource"] {
        let resp = router(state.clone())
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let h = resp.headers().clone();
        let csp = h["content-security-policy"].to_str().unwrap();
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "worker-src 'self' blob:",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ] {
            assert!(csp.contains(directive), "{uri}: {csp}");
        }
        assert!(!csp.contains("unsafe-eval"), "{uri}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{uri}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{uri}");
        assert_eq!(h["x-frame-options"], "DENY", "{uri}");
        let id = h["x-request-id"].to_str().unwrap().to_string();
        assert!(!id.is_empty(), "{uri}");
        if resp.status().is_client_error() {
            let body = resp.into_body().collect().await.unwrap().to_bytes();
            let p: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(p["request_id"], id.as_str(), "{p}");
        }
    }
    // A client's own id is kept; one that could forge log lines is replaced.
    for (given, kept) in [("abc-123", true), ("a b\"c", false)] {
        let resp = router(state.clone())
            .oneshot(
                Request::get("/collections/nope")
                    .header("x-request-id", given)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let id = resp.headers()["x-request-id"].to_str().unwrap().to_string();
        assert_eq!(id == given, kept, "{given:?} -> {id}");
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        let p: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(p["request_id"], id.as_str());
    }
}
