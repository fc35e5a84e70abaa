//! The OpenAPI document: generated from the handlers, valid by an independent validator,
//! and listing exactly the routes the router serves. Also the landing page's links and its
//! HTML for browsers.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;

async fn get(uri: &str, accept: &str) -> (StatusCode, String, Value) {
    common::request(
        common::demo_state(),
        Request::get(uri)
            .header("accept", accept)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

async fn text(uri: &str, accept: &str) -> (StatusCode, String, String) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let resp = energistasjon::api::router(common::demo_state())
        .oneshot(
            Request::get(uri)
                .header("accept", accept)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = resp.status();
    let ctype = resp.headers()["content-type"].to_str().unwrap().to_string();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, ctype, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn document() -> Value {
    let (s, ctype, doc) = get("/api", "application/json").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        ctype.starts_with("application/vnd.oai.openapi+json"),
        "{ctype}"
    );
    doc
}

#[tokio::test]
async fn the_landing_page_links_its_api_description_and_documentation() {
    let (s, ctype, body) = get("/", "application/json").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ctype, "application/json");
    let link = |rel: &str| {
        body["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == rel)
            .unwrap_or_else(|| panic!("no {rel} link in {body}"))["href"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for rel in ["self", "service-desc", "service-doc", "conformance", "data"] {
        let href = link(rel);
        let path = href.split_once("//").unwrap().1;
        let path = &path[path.find('/').unwrap()..];
        let (s, _, _) = text(path, "*/*").await;
        assert_eq!(s, StatusCode::OK, "{rel} → {href}");
    }
    assert!(link("service-desc").ends_with("/api"));
}

#[tokio::test]
async fn a_browser_gets_html_at_the_root_and_a_json_client_gets_json() {
    let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    // A browser gets the web map (scripts/test.sh installs MapLibre into web/).
    let (s, ctype, html) = text("/", browser).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ctype.starts_with("text/html"), "{ctype}");
    assert!(
        html.contains("id=\"map\"") && html.contains("/web/app.js"),
        "{html}"
    );
    let (s, ctype, _) = text("/web/vendor/maplibre-gl/maplibre-gl.mjs", "*/*").await;
    assert_eq!(s, StatusCode::OK);
    assert!(ctype.starts_with("text/javascript"), "{ctype}");
    let (s, _, _) = text("/web/..%2Fsecret", "*/*").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The OGC landing page as HTML is still there.
    let (_, _, html) = text("/?f=html", browser).await;
    assert!(
        html.contains("lang=\"nb\"") && html.contains("Samlinger"),
        "{html}"
    );
    assert!(html.contains("candidates-depot"));
    let (_, _, english) = text("/?f=html&lang=en", browser).await;
    assert!(english.contains("lang=\"en\"") && english.contains("Collections"));
    // f=json wins over a browser's Accept; f=html over a JSON client's.
    let (_, ctype, _) = text("/?f=json", browser).await;
    assert_eq!(ctype, "application/json");
    let (_, ctype, _) = text("/?f=html", "application/json").await;
    assert!(ctype.starts_with("text/html"));
    let (s, ctype, body) = get("/?f=xml", "application/json").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(ctype, "application/problem+json");
    assert_eq!(body["parameter"], "f");
}

/// A concrete request for a documented path: path parameters filled with real ids.
fn concrete(path: &str) -> String {
    path.replace(
        "/collections/{id}/items/{featureId}",
        "/collections/roads/items/veg-e16-honefoss-hval",
    )
    .replace("/collections/{id}", "/collections/roads")
    .replace(
        "/api/candidates/{id}",
        "/api/candidates/FIRST?profile=depot",
    )
    .replace(
        "/api/compare",
        "/api/compare?profile=depot&ids=FIRST,SECOND",
    )
    .replace("/api/export", "/api/export?profile=depot&format=csv")
    .replace("/api/sizing", "/api/sizing?profile=depot&site=FIRST")
    .replace("/api/tokens/{id}", "/api/tokens/1")
    .replace(
        "/api/sites/{id}/dossier",
        "/api/sites/FIRST/dossier?profile=depot&format=json",
    )
    .replace(
        "/api/sites/{id}/checklist",
        "/api/sites/FIRST/checklist?profile=depot",
    )
    .replace("/api/sites/{id}", "/api/sites/FIRST")
    .replace("/api/programme/{year}", "/api/programme/2025")
    .replace(
        "/tiles/{collection}/{z}/{x}/{y}",
        "/tiles/municipalities/8/135/74.mvt",
    )
}

#[tokio::test]
async fn every_documented_route_is_served_and_every_served_route_is_documented() {
    let doc = document().await;
    let paths = doc["paths"].as_object().unwrap();
    // What users and the README rely on; a route missing here is missing from the document.
    for expected in [
        "/",
        "/conformance",
        "/collections",
        "/collections/{id}",
        "/collections/{id}/items",
        "/collections/{id}/items/{featureId}",
        "/api/profiles",
        "/api/score",
        "/api/candidates/{id}",
        "/api/compare",
        "/api/sizing",
        "/api/export",
        "/api/login",
        "/api/logout",
        "/api/me",
        "/api/tokens",
        "/api/tokens/{id}",
        "/api/proposals",
        "/api/proposals/upload",
        "/api/scenarios",
        "/api/users",
        "/api/sites/{id}",
        "/api/sites/{id}/comments",
        "/api/sites/{id}/votes",
        "/api/sites/{id}/status",
        "/api/sites/{id}/checklist",
        "/api/sites/{id}/dossier",
        "/api/audit",
        "/api/corridors",
        "/api/select",
        "/tiles/{collection}/{z}/{x}/{y}",
        "/healthz",
        "/metrics",
        "/api",
        "/api.html",
    ] {
        assert!(paths.contains_key(expected), "{expected} is not documented");
    }
    let (_, _, depot) = get("/collections/candidates-depot/items?limit=2", "*/*").await;
    let id = |i: usize| depot["features"][i]["id"].as_str().unwrap().to_string();
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let uri = concrete(path)
                .replace("FIRST", &id(0))
                .replace("SECOND", &id(1));
            let req = Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&uri)
                .header("content-type", "application/json")
                .body(Body::from(r#"{"profile":"depot"}"#))
                .unwrap();
            let (s, _, body) = common::request(common::demo_state(), req).await;
            // Served: not the fallback's 404 and not 405. Reading routes answer 200 even
            // anonymously; writing ones may want a login (401) or a store (503).
            assert_ne!(s, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
            let fallback = body["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("no resource at"));
            assert!(!fallback, "{method} {uri} is documented but not served");
            let public = method == "get"
                && ![
                    "/api/me",
                    "/api/audit",
                    "/api/proposals",
                    "/api/proposals/{id}",
                    // Needs --population.
                    "/api/programme/{year}/fees",
                    "/api/sites/{id}",
                    "/api/scenarios",
                ]
                .contains(&path.as_str());
            if public || path == "/api/score" {
                assert_eq!(s, StatusCode::OK, "{method} {uri}: {body}");
            }
        }
    }
    // Conversely, a path the router does not document is not served either.
    let (s, _, body) = get("/api/not-a-route", "*/*").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(body["detail"].as_str().unwrap().contains("no resource"));
}

#[tokio::test]
async fn the_openapi_document_passes_an_independent_validator() {
    let doc = document().await;
    assert_eq!(doc["openapi"], "3.1.0");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    // scripts/test.sh installs openapi-spec-validator (PyPI) into target/test-venv.
    let validator = std::env::var("OPENAPI_SPEC_VALIDATOR").unwrap_or_else(|_| {
        common::root()
            .join("target/test-venv/bin/openapi-spec-validator")
            .display()
            .to_string()
    });
    let out = std::process::Command::new(&validator)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {validator} ({e}); scripts/test.sh installs it, or set OPENAPI_SPEC_VALIDATOR")
        });
    assert!(
        out.status.success(),
        "openapi-spec-validator refused the document:\n{}{}",
        common::text(&out.stdout),
        common::text(&out.stderr)
    );
    assert!(common::text(&out.stdout).contains("OK"));
}

#[tokio::test]
async fn the_documentation_page_describes_every_operation_with_its_parameters() {
    let doc = document().await;
    let (s, ctype, html) = text("/api.html", "text/html").await;
    assert_eq!(s, StatusCode::OK);
    assert!(ctype.starts_with("text/html"));
    for path in doc["paths"].as_object().unwrap().keys() {
        assert!(html.contains(&format!("{path}</code>")), "{path} missing");
    }
    for parameter in ["bbox-crs", "sortby", "min_score", "limit"] {
        assert!(
            html.contains(&format!("<code>{parameter}</code>")),
            "{parameter}"
        );
    }
}
