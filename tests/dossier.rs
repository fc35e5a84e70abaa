//! The site dossier (saksgrunnlag) on the demo region: every section in HTML, Markdown and
//! JSON, its numbers equal to the API's own answers, a proposal in an LNF field answered
//! "nei" on zoning with its review and ticks, the CLI writing the same dossier the API
//! serves, and bad input refused with the parameter named.

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use energistasjon::domain::review::Role;
use energistasjon::store::sqlite::SqliteStore;
use energistasjon::store::{NewProposal, NewUser, Store};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

const SECTIONS: [(&str, &str); 10] = [
    ("sted", "Sted og kommune"),
    ("arealbruk", "Arealbruk og planformål"),
    ("kart", "Kart"),
    ("score", "Egnethet per stasjonstype"),
    ("afir", "Korridorer og AFIR"),
    ("nett", "Strømnett"),
    ("dimensjonering", "Dimensjonering"),
    ("synergier", "Logistikksynergier"),
    ("behandling", "Behandling"),
    ("sjekkliste", "Veien til vedtak"),
];

async fn text(state: &energistasjon::api::AppState, uri: &str) -> (StatusCode, String, String) {
    let resp = energistasjon::api::router(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let ctype = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, ctype, String::from_utf8(body.to_vec()).unwrap())
}

async fn get(state: &energistasjon::api::AppState, uri: &str) -> (StatusCode, Value) {
    let req = Request::get(uri).body(Body::empty()).unwrap();
    let (s, _, v) = common::request(state.clone(), req).await;
    (s, v)
}

#[tokio::test]
async fn the_dossier_of_a_candidate_has_every_section_and_the_apis_own_numbers() {
    let state = common::demo_state();
    let base = "/api/sites/p9_3/dossier?profile=depot";
    let (s, ctype, html) = text(&state, base).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(ctype.starts_with("text/html"), "{ctype}");
    assert!(html.starts_with("<!doctype html><html lang=\"nb\">"));
    assert!(html.contains("@media print"), "a print stylesheet");
    for (id, heading) in SECTIONS {
        assert!(
            html.contains(&format!("<section id=\"{id}\"")) && html.contains(heading),
            "{id} missing"
        );
    }
    assert!(html.contains("<svg") && html.contains("Berger logistikkområde"));
    let (s, ctype, md) = text(&state, &format!("{base}&format=md")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ctype.starts_with("text/markdown"), "{ctype}");
    for (_, heading) in SECTIONS {
        assert!(
            md.contains(&format!("\n## {heading}\n")),
            "{heading} missing"
        );
    }
    let (s, _, en) = text(&state, &format!("{base}&lang=en")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(en.contains("The road to a decision") && en.contains("lang=\"en\""));

    let (s, d) = get(&state, &format!("{base}&format=json")).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["location"]["id"], "p9_3");
    assert_eq!(d["location"]["kommunenummer"], "3216");
    // The score is the candidate's own, as GET /api/candidates gives it; the asked-for
    // profile leads and every other profile follows.
    let (_, cand) = get(&state, "/api/candidates/p9_3?profile=depot").await;
    assert_eq!(d["scores"][0]["profile"], "depot");
    assert_eq!(d["scores"][0]["score"], cand["properties"]["score"]);
    assert_eq!(d["scores"].as_array().unwrap().len(), 4);
    // Sizing: the same figures as GET /api/sizing, year by year.
    let (_, sized) = get(&state, "/api/sizing?profile=depot&site=p9_3").await;
    for (a, b) in d["sizing"]["years"]
        .as_array()
        .unwrap()
        .iter()
        .zip(sized["years"].as_array().unwrap())
    {
        assert_eq!(a["chargers"], b["chargers"]);
        assert_eq!(a["peak_mw"], b["peak_mw"]);
        assert_eq!(a["estimated"], true);
    }
    // The checklist is the site's, with the data's answers.
    let (_, cl) = get(&state, "/api/sites/p9_3/checklist?profile=depot").await;
    assert_eq!(d["checklist"], cl);
    assert_eq!(d["landuse"]["zoning_answer"], "yes");
    // Substations nearest first, with their free MW.
    let subs = d["substations"].as_array().unwrap();
    assert!(!subs.is_empty());
    assert!(subs
        .windows(2)
        .all(|w| w[0]["distance_km"].as_f64() <= w[1]["distance_km"].as_f64()));
    assert_eq!(subs[0]["name"], "Berger transformatorstasjon");
    assert_eq!(subs[0]["available_mw"], 35.0);
    // On E6 Svinesund–Oslo the site would split today's open stretch from the border.
    let change = &d["afir"]["changes"][0];
    assert_eq!(change["corridor"], "E6 Svinesund–Oslo");
    assert!(
        change["closes"][0]["to_km"].as_f64().unwrap() > change["chainage_km"].as_f64().unwrap()
    );
    assert!(change["share_after"].as_f64() > change["share_before"].as_f64());
    assert!(d["afir"]["note"]
        .as_str()
        .unwrap()
        .contains("ikke offentlig"));
    // Synergies: Berger næringsområde within 15 minutes, and the figure.
    let near = d["synergies"]["within_15"].as_array().unwrap();
    assert!(near.iter().any(|r| r["name"]
        .as_str()
        .unwrap()
        .starts_with("Berger næringsområde")));
    assert!(d["synergies"]["figure"].as_f64().unwrap() > 0.0);
    // The demo state has no store: the review section says so.
    assert!(d["review"].is_null());
    assert!(html.contains("uten behandlingslager"));
}

#[tokio::test]
async fn a_proposal_in_an_lnf_field_gets_no_on_zoning_with_its_review_and_ticks_in_the_dossier() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("r.sqlite")).unwrap();
    let kari = store
        .add_user(
            &NewUser {
                username: "kari".into(),
                role: Role::Municipality,
                municipalities: vec!["3214".into()],
                password_hash: "$argon2id$test".into(),
            },
            "test",
        )
        .unwrap()
        .actor();
    // The middle of "Søråsjordet LNFR-område" in the demo land use.
    let (x, y) =
        energistasjon::ingest::crs::reproject_point(10.7683, 59.66649, "EPSG:4326").unwrap();
    let p = store
        .add_proposal(
            &NewProposal {
                name: "Søråsjordet".into(),
                kommunenummer: "3214".into(),
                geometry: json!({"type": "Point", "coordinates": [x, y]}),
            },
            &kari,
        )
        .unwrap();
    store
        .add_comment(&p.id, "3214", "Jordvern må vurderes", &kari)
        .unwrap();
    store
        .set_tick(
            &p.id,
            "3214",
            "depot",
            "forhandskonferanse",
            true,
            Some("holdt 3. mars"),
            &kari,
        )
        .unwrap();
    let state = common::demo_state().with_store(Arc::new(store));
    let (s, d) = get(
        &state,
        &format!("/api/sites/{}/dossier?profile=depot&format=json", p.id),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["location"]["kind"], "proposal");
    assert_eq!(d["location"]["name"], "Søråsjordet");
    assert_eq!(d["landuse"]["zoning_answer"], "no", "{}", d["landuse"]);
    assert!(d["landuse"]["zoning_reason"]
        .as_str()
        .unwrap()
        .contains("LNF"));
    // Depot charging does not belong on farmland: excluded, with the reason.
    let depot = &d["scores"][0];
    assert_eq!(depot["excluded"], true, "{depot}");
    assert!(!depot["exclusions"].as_array().unwrap().is_empty());
    // The review: the comment and the history; the checklist: the tick.
    assert_eq!(d["review"]["comments"][0]["text"], "Jordvern må vurderes");
    let actions: Vec<&str> = d["review"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"checklist.tick"), "{actions:?}");
    assert_eq!(d["checklist"]["done"], 1);
    let (_, _, html) = text(
        &state,
        &format!("/api/sites/{}/dossier?profile=depot", p.id),
    )
    .await;
    assert!(html.contains("Jordvern må vurderes") && html.contains("☑ holdt 3. mars"));
    assert!(html.contains("nei: "), "the zoning answer in bokmål");
}

#[tokio::test]
async fn the_cli_writes_the_same_dossier_the_api_serves() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("berger.json");
    let o = common::run(&[
        "--db",
        dir.path().join("none.sqlite").to_str().unwrap(),
        "dossier",
        "--site",
        "p9_3",
        "--profile",
        "depot",
        "--out",
        out.to_str().unwrap(),
    ]);
    common::assert_no_panic(&o);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    assert!(common::text(&o.stdout).contains("berger.json"));
    // A store that did not exist is not created by reading a dossier.
    assert!(!dir.path().join("none.sqlite").exists());
    let cli: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let (_, api) = get(
        &common::demo_state(),
        "/api/sites/p9_3/dossier?profile=depot&format=json",
    )
    .await;
    assert_eq!(cli, api);
    // --out's extension picks the format.
    let html = dir.path().join("berger.html");
    let o = common::run(&[
        "--db",
        dir.path().join("none.sqlite").to_str().unwrap(),
        "dossier",
        "--site",
        "s-p9_3",
        "--profile",
        "depot",
        "--out",
        html.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    assert!(std::fs::read_to_string(&html)
        .unwrap()
        .contains("område fra kortlisten"));
}

#[tokio::test]
async fn bad_input_is_refused_with_the_parameter_named() {
    let state = common::demo_state();
    for (uri, status, word) in [
        (
            "/api/sites/p9_3/dossier?profile=depot&format=pdf",
            400,
            "format",
        ),
        ("/api/sites/p9_3/dossier?profile=depot&lang=de", 400, "lang"),
        ("/api/sites/p9_3/dossier", 400, "profile"),
        ("/api/sites/p9_3/dossier?profile=tog", 400, "profile"),
        (
            "/api/sites/finnes-ikke/dossier?profile=depot",
            404,
            "finnes-ikke",
        ),
        ("/api/sites/p9_3/dossier?profile=depot&sort=x", 400, "sort"),
    ] {
        let (s, ctype, body) = text(&state, uri).await;
        assert_eq!(s.as_u16(), status, "{uri}: {body}");
        assert!(
            ctype.starts_with("application/problem+json"),
            "{uri}: {ctype}"
        );
        assert!(body.contains(word), "{uri}: {body}");
    }
    let dir = tempfile::tempdir().unwrap();
    let none = dir.path().join("none.sqlite");
    for (args, word) in [
        (vec!["--format", "pdf"], "--format"),
        (
            vec!["--out", "/nonexistent-dir/x.html"],
            "/nonexistent-dir/x.html",
        ),
    ] {
        let mut all = vec![
            "--db",
            none.to_str().unwrap(),
            "dossier",
            "--site",
            "p9_3",
            "--profile",
            "depot",
        ];
        all.extend(args);
        let o = common::run(&all);
        common::assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(2), "{}", common::text(&o.stderr));
        assert!(
            common::text(&o.stderr).contains(word),
            "{}",
            common::text(&o.stderr)
        );
    }
    let o = common::run(&[
        "--db",
        none.to_str().unwrap(),
        "dossier",
        "--site",
        "finnes-ikke",
        "--profile",
        "depot",
    ]);
    common::assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(common::text(&o.stderr).contains("finnes-ikke"));
}
