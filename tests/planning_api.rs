//! The planning endpoints: profiles for the sliders, and re-scoring with new weights that
//! ranks exactly as the CLI does with the same weights.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use energistasjon::api::AppState;
use serde_json::{json, Value};

fn demo() -> AppState {
    common::demo_state()
}

async fn send(req: Request<Body>) -> (StatusCode, String, Value) {
    common::request(demo(), req).await
}

async fn post(body: impl Into<Body>) -> (StatusCode, String, Value) {
    send(
        Request::post("/api/score")
            .header("content-type", "application/json")
            .body(body.into())
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn profiles_list_every_criterion_with_weights_summing_to_100() {
    let (s, _, body) = send(Request::get("/api/profiles").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    let profiles = body["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 4);
    for p in profiles {
        let total: f64 = p["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["weight"].as_f64().unwrap())
            .sum();
        assert!((total - 100.0).abs() < 1e-9, "{}", p["id"]);
        assert!(
            p["criteria"][0]["label"].is_string()
                && p["criteria"][0]["function"]["kind"].is_string()
        );
    }
}

/// The CLI's ranking of the demo region's depot candidates from `source` (`--parcels`, or
/// `--grid M`).
fn cli_order(source: &[&str], weights: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("depot.csv");
    let mut args = vec![
        "score",
        "--profile",
        "depot",
        "--no-reasons",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(source);
    if !weights.is_empty() {
        args.extend(["--weights", weights]);
    }
    let o = common::run(&args);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    let header = common::split_csv(lines.next().unwrap());
    let id_col = header.iter().position(|h| h == "id").unwrap();
    let rank_col = header.iter().position(|h| h == "rank").unwrap();
    lines
        .map(common::split_csv)
        .filter(|f| !f[rank_col].is_empty())
        .map(|f| f[id_col].clone())
        .collect()
}

#[tokio::test]
async fn new_weights_rank_exactly_as_the_cli_with_the_same_weights() {
    let weights = json!({"logistics": 10, "landuse": 10, "grid_capacity": 50, "grid_distance": 10, "main_road": 10, "area": 10});
    let (s, _, body) =
        post(json!({"profile": "depot", "weights": weights, "limit": 10000}).to_string()).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let api: Vec<String> = body["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    let cli = cli_order(
        &["--parcels"],
        "logistics=10,landuse=10,grid_capacity=50,grid_distance=10,main_road=10,area=10",
    );
    assert_eq!(api.len(), cli.len());
    assert!(api == cli, "the API and the CLI rank differently");

    // And the new weights really changed the ranking.
    let (_, _, base) = post(json!({"profile": "depot", "limit": 10000}).to_string()).await;
    let before: Vec<&str> = base["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let after: Vec<&str> = api.iter().map(String::as_str).collect();
    assert!(
        before[..10] != after[..10],
        "grid capacity at 50 % should change the top 10"
    );
    assert_eq!(body["weights"]["grid_capacity"], 50.0);
    let first = &body["candidates"][0];
    let points: f64 = first["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["points"].as_f64().unwrap())
        .sum();
    assert!((points - first["score"].as_f64().unwrap()).abs() < 1e-9);
}

#[tokio::test]
async fn every_bad_score_request_is_a_problem_json_naming_the_parameter() {
    let big = format!(
        "{{\"profile\": \"depot\", \"pad\": \"{}\"}}",
        "x".repeat(11 * 1024 * 1024)
    );
    for (body, status, parameter, words) in [
        (
            json!({"profile": "depot", "weights": {"logistics": 90}}).to_string(),
            400,
            "weights",
            "sum to",
        ),
        (
            json!({"profile": "depot", "weights": {"beauty": 10}}).to_string(),
            400,
            "weights",
            "unknown criterion 'beauty'",
        ),
        (
            json!({"profile": "tram"}).to_string(),
            400,
            "profile",
            "unknown profile 'tram'",
        ),
        (
            json!({"profile": "depot", "limit": 0}).to_string(),
            400,
            "limit",
            "1..10000",
        ),
        (
            "{\"profile\": \"depot\",".to_string(),
            400,
            "body",
            "not a valid score request",
        ),
        (big, 413, "body", "larger than 10 MiB"),
    ] {
        let (s, ctype, problem) = post(body).await;
        assert_eq!(s.as_u16(), status, "{problem}");
        assert_eq!(ctype, "application/problem+json");
        assert_eq!(problem["parameter"], parameter, "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains(words),
            "{problem}"
        );
    }
}

async fn get(uri: &str) -> (StatusCode, String, Value) {
    send(Request::get(uri).body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn grid_candidates_rerank_exactly_as_the_cli_grid_and_are_served_as_a_collection() {
    use energistasjon::catalog::GridSpec;
    use energistasjon::config::{default_region_path, RegionConfig};
    use energistasjon::ingest::{load_region, LoadOptions, NoProgress};
    use energistasjon::scoring::AreaFilter;
    let config = RegionConfig::load(&default_region_path()).unwrap();
    let (region, report) = load_region(&config, &LoadOptions::default(), &NoProgress);
    let spec = GridSpec {
        size: 2000.0,
        filter: AreaFilter {
            prefixes: ["03", "31", "32", "33", "39"].map(String::from).to_vec(),
        },
    };
    let state = AppState::with_grid(region, report, Some(&spec)).unwrap();
    let weights = "logistics=5,landuse=5,grid_capacity=40,grid_distance=20,main_road=20,area=10";
    let body = json!({
        "profile": "depot",
        "candidates": "grid",
        "weights": {"logistics": 5, "landuse": 5, "grid_capacity": 40, "grid_distance": 20, "main_road": 20, "area": 10},
        "limit": 10000,
    });
    let (s, _, ranked) = common::request(
        state.clone(),
        Request::post("/api/score")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{ranked}");
    let api: Vec<String> = ranked["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    let cli = cli_order(&["--grid", "2000"], weights);
    assert!(cli.len() > 500, "{}", cli.len());
    assert!(api == cli, "the API and the CLI rank the grid differently");

    // The grid is a collection too, with its cells explained on request.
    let (s, _, page) = common::request(
        state.clone(),
        Request::get("/collections/candidates-depot-grid/items?sortby=-score&limit=3")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(page["features"][0]["properties"]["rank"], 1);
    assert_eq!(page["features"][0]["geometry"]["type"], "Point");
    let (s, _, one) = common::request(
        state,
        Request::get(format!(
            "/api/candidates/{}?profile=depot",
            page["features"][0]["id"].as_str().unwrap()
        ))
        .body(Body::empty())
        .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(one["collection"], "candidates-depot-grid");
    assert_eq!(one["properties"]["criteria"].as_array().unwrap().len(), 6);
}

#[tokio::test]
async fn asking_for_grid_candidates_from_a_server_without_a_grid_names_the_flag() {
    let (s, _, body) = post(json!({"profile": "depot", "candidates": "grid"}).to_string()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["parameter"], "candidates");
    assert!(body["detail"].as_str().unwrap().contains("--grid"));
    let (s, _, body) =
        post(json!({"profile": "depot", "candidates": "hexagons"}).to_string()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["parameter"], "candidates");
}

#[tokio::test]
async fn a_candidate_has_its_breakdown_exclusions_and_ranks() {
    let (_, _, ranked) = post(json!({"profile": "mcs-corridor", "limit": 1}).to_string()).await;
    let best = ranked["candidates"][0]["id"].as_str().unwrap().to_string();
    let (s, _, c) = get(&format!("/api/candidates/{best}?profile=mcs-corridor")).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let p = &c["properties"];
    assert_eq!(p["rank"], 1);
    assert_eq!(p["municipality_rank"], 1);
    assert_eq!(p["excluded"], false);
    assert!(
        (p["score"].as_f64().unwrap() - ranked["candidates"][0]["score"].as_f64().unwrap()).abs()
            < 1e-9
    );
    for cr in p["criteria"].as_array().unwrap() {
        assert!(
            cr["unit"].is_string() && cr["reason"].is_string() && cr["points"].is_number(),
            "{cr}"
        );
    }
    // An excluded candidate lists why, and has no rank.
    let state = demo();
    let depot = state
        .collections
        .iter()
        .find(|c| c.id == "candidates-depot")
        .unwrap();
    let ex = (0..depot.len())
        .find(|&i| depot.properties(i, &state.ctx)["excluded"] == true)
        .expect("the demo region has an excluded depot parcel");
    let (_, _, c) = get(&format!(
        "/api/candidates/{}?profile=depot",
        depot.id_of(ex)
    ))
    .await;
    assert!(c["properties"]["rank"].is_null());
    assert!(!c["properties"]["exclusions"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn compare_puts_candidates_side_by_side_in_the_order_asked() {
    let (_, _, ranked) = post(json!({"profile": "depot", "limit": 3}).to_string()).await;
    let ids: Vec<&str> = ranked["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let asked = format!("{},{},{}", ids[2], ids[0], ids[1]);
    let (s, _, body) = get(&format!("/api/compare?profile=depot&ids={asked}")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let got: Vec<&str> = body["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, vec![ids[2], ids[0], ids[1]]);
    let one = format!("/api/compare?profile=depot&ids={}", ids[0]);
    let unknown = format!("/api/compare?profile=depot&ids={},nope", ids[0]);
    for (uri, parameter, words) in [
        (one.as_str(), "ids", "at least two"),
        (unknown.as_str(), "ids", "no candidate 'nope'"),
        ("/api/compare?ids=p1,p2", "profile", "?profile="),
        (
            "/api/candidates/p1?profile=tram",
            "profile",
            "unknown profile 'tram'",
        ),
    ] {
        let (s, ctype, problem) = get(uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {problem}");
        assert_eq!(ctype, "application/problem+json");
        assert_eq!(problem["parameter"], parameter, "{uri}");
        assert!(
            problem["detail"].as_str().unwrap().contains(words),
            "{uri}: {problem}"
        );
    }
    let (s, _, _) = get("/api/candidates/nope?profile=depot").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_candidates_rank_stability_is_what_the_cli_sensitivity_analysis_reports() {
    // The site panel's robustness line: the same draws as `score --sensitivity 200` (seed 1,
    // ±20 %, top 10), counted for one site.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("depot.csv");
    let o = common::run(&[
        "score",
        "--profile",
        "depot",
        "--no-reasons",
        "--parcels",
        "--sensitivity",
        "200",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    let header = common::split_csv(lines.next().unwrap());
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (id, p, lo, hi, rank) = (
        col("id"),
        col("p_top_k"),
        col("rank_min"),
        col("rank_max"),
        col("rank"),
    );
    let rows: Vec<Vec<String>> = lines
        .map(common::split_csv)
        .filter(|f| !f[rank].is_empty())
        .collect();
    // The top, a site near the top-10 boundary (where the share is neither 0 nor 1), and one far down.
    let mut picks = vec![0, rows.len() - 1];
    picks.extend(rows.iter().position(|f| {
        let v: f64 = f[p].parse().unwrap();
        v > 0.0 && v < 1.0
    }));
    assert_eq!(picks.len(), 3, "some site moves in and out of the top 10");
    for i in picks {
        let f = &rows[i];
        let (s, _, c) = get(&format!("/api/candidates/{}?profile=depot", f[id])).await;
        assert_eq!(s, StatusCode::OK);
        let st = &c["properties"]["stability"];
        assert_eq!(st["draws"], 200);
        assert!(
            (st["p_top_k"].as_f64().unwrap() - f[p].parse::<f64>().unwrap()).abs() < 1e-4,
            "{}: {st} vs {f:?}",
            f[id]
        );
        assert_eq!(st["rank_min"].to_string(), f[lo], "{}", f[id]);
        assert_eq!(st["rank_max"].to_string(), f[hi], "{}", f[id]);
    }
}
