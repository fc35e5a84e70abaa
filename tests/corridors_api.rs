//! `GET /api/corridors`, `POST /api/select` and the `corridor-gaps` collection through the
//! router on the demo region: an approved candidate counts as a station, and bad input
//! gets a 4xx naming the parameter.

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use energistasjon::api::AppState;
use energistasjon::domain::review::{Actor, Role, Status};
use energistasjon::store::sqlite::SqliteStore;
use energistasjon::store::{NewUser, Store};
use serde_json::{json, Value};

async fn get(state: AppState, uri: &str) -> (StatusCode, Value) {
    let (s, _, v) = common::request(state, Request::get(uri).body(Body::empty()).unwrap()).await;
    (s, v)
}

async fn select(state: AppState, body: Value) -> (StatusCode, Value) {
    let (s, _, v) = common::request(
        state,
        Request::post("/api/select")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await;
    (s, v)
}

/// The 2030 electric check of a corridor.
fn check<'a>(report: &'a Value, corridor: &str) -> &'a Value {
    report["corridors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == corridor)
        .unwrap_or_else(|| panic!("no {corridor}"))["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["fuel"] == "electric")
        .unwrap()
}

#[tokio::test]
async fn the_corridor_report_has_gaps_with_chainage_and_geometry() {
    let (s, r) = get(common::demo_state(), "/api/corridors?year=2030").await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let k = check(&r, "E18 Ørje–Oslo");
    assert_eq!(k["pass"], false);
    let gap = &k["gaps"][0];
    assert_eq!(gap["from_km"], 0.0);
    assert!(gap["length_km"].as_f64().unwrap() > 60.0);
    assert_eq!(gap["geometry"]["type"], "LineString");
    for c in gap["geometry"]["coordinates"].as_array().unwrap() {
        let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        assert!(
            (10.0..12.0).contains(&lon) && (59.0..60.5).contains(&lat),
            "{c}"
        );
    }
    assert!(k["source"].as_str().unwrap().contains("art. 4"));
    // Years: 2025 has the 15 % share rule.
    let (_, r25) = get(common::demo_state(), "/api/corridors?year=2025").await;
    assert_eq!(check(&r25, "E6 Svinesund–Oslo")["min_share"], 0.15);
}

#[tokio::test]
async fn an_approved_candidate_counts_as_a_station_and_closes_its_gap() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("r.sqlite")).unwrap());
    let user = store
        .add_user(
            &NewUser {
                username: "ola".into(),
                role: Role::Coordinator,
                municipalities: vec![],
                password_hash: "x".into(),
            },
            "test",
        )
        .unwrap();
    let state = common::demo_state().with_store(store.clone());
    // The site that closes the E18 gap, as selection picks it.
    let (s, sel) = select(
        state.clone(),
        json!({"profile": "mcs-corridor", "k": 5, "objective": "close-gaps"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{sel}");
    let pick = sel["picks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["corridors"][0][0] == "E18 Ørje–Oslo")
        .unwrap_or_else(|| panic!("{sel}"));
    let id = pick["id"].as_str().unwrap();
    assert_eq!(
        sel["picks_geojson"]["features"].as_array().unwrap().len(),
        sel["picks"].as_array().unwrap().len()
    );
    // Approve it: proposed → under review → recommended → approved.
    let scored = state
        .scored
        .iter()
        .find(|s| s.profile.id == "mcs-corridor")
        .unwrap();
    let i = scored
        .raw
        .candidates
        .iter()
        .position(|c| c.id == id)
        .unwrap();
    let kommune = scored.kommunenummer[i].clone().unwrap();
    let actor = Actor {
        user_id: user.id,
        username: "ola".into(),
        role: Role::Coordinator,
        municipalities: vec![],
    };
    let mut version = 0;
    for to in [Status::UnderReview, Status::Recommended, Status::Approved] {
        version = store
            .set_status(id, &kommune, version, to, None, &actor)
            .unwrap()
            .version;
    }
    let (_, r) = get(state.clone(), "/api/corridors").await;
    let k = check(&r, "E18 Ørje–Oslo");
    let approved: Vec<&Value> = k["stations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["origin"] == "approved")
        .collect();
    assert_eq!(approved.len(), 1, "{k}");
    assert_eq!(approved[0]["id"], id);
    assert!(k["gaps"].as_array().unwrap().is_empty(), "{k}");
    assert_eq!(k["pass"], true);
    // Selection now starts from it: the E18 gap is no longer there to close.
    let (_, sel2) = select(state, json!({"profile": "mcs-corridor", "k": 5})).await;
    assert!(sel2["objective_before"].as_f64().unwrap() < sel["objective_before"].as_f64().unwrap());
}

#[tokio::test]
async fn bad_corridor_and_selection_requests_name_the_parameter() {
    let state = common::demo_state();
    for (uri, parameter) in [
        ("/api/corridors?year=2031", "year"),
        ("/api/corridors?assume=no-such-site", "assume"),
    ] {
        let (s, v) = get(state.clone(), uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert_eq!(v["parameter"], parameter, "{uri}: {v}");
    }
    for (body, parameter) in [
        (json!({"profile": "mcs-corridor", "k": 0}), "k"),
        (json!({"profile": "mcs-corridor", "k": 500}), "k"),
        (
            json!({"profile": "mcs-corridor", "k": 3, "objective": "fastest"}),
            "objective",
        ),
        (json!({"profile": "biogas", "k": 3}), "objective"),
        (json!({"profile": "nope", "k": 3}), "profile"),
        (
            json!({"profile": "mcs-corridor", "k": 3, "candidates": "grid"}),
            "profile",
        ),
        (
            json!({"profile": "mcs-corridor", "k": 3, "year": 2026}),
            "year",
        ),
        (
            json!({"profile": "mcs-corridor", "k": 3, "min_spacing_km": -1}),
            "min_spacing_km",
        ),
    ] {
        let (s, v) = select(state.clone(), body.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert_eq!(v["parameter"], parameter, "{body}: {v}");
    }
    // Cover-traffic works for biogas, which AFIR has no spacing for.
    let (s, v) = select(
        state,
        json!({"profile": "biogas", "k": 2, "objective": "cover-traffic"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["objective_after"].as_f64().unwrap() > 0.0);
}

#[tokio::test]
async fn corridor_gaps_and_corridors_are_ogc_collections() {
    let (s, v) = get(
        common::demo_state(),
        "/collections/corridor-gaps/items?limit=100",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let features = v["features"].as_array().unwrap();
    assert!(!features.is_empty());
    for f in features {
        assert_eq!(f["geometry"]["type"], "LineString");
        let p = &f["properties"];
        assert!(p["length_km"].as_f64().unwrap() > p["max_spacing_km"].as_f64().unwrap());
        assert!([2025, 2027, 2030].contains(&p["year"].as_i64().unwrap()));
    }
    assert!(
        features
            .iter()
            .any(|f| f["properties"]["corridor"] == "E18 Ørje–Oslo"
                && f["properties"]["year"] == 2030)
    );
    let (s, v) = get(common::demo_state(), "/collections/corridors/items").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["features"].as_array().unwrap().len(), 5);
}
