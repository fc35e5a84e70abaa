//! The `hub-clusters` collection (issue #18): places where three or more terminals lie within
//! 15 minutes' drive of one of them, served like every layer (items, single items, bbox,
//! paging, tiles). On N1000 one clusters around Alnabru; each member's drive time is
//! checked against a fresh search from the centre.

mod common;

use std::process::Command;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use energistasjon::api::AppState;
use energistasjon::config::RegionConfig;
use energistasjon::ingest::{load_region, LoadOptions, NoProgress};
use energistasjon::network::synergy::{self, HUB_MINUTES};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// The N1000 preset's API state, in process: it builds in seconds, N1000 having no
/// land-use parcels for the profiles to score.
fn n1000() -> AppState {
    static S: OnceLock<AppState> = OnceLock::new();
    S.get_or_init(|| {
        let config = RegionConfig::load(&common::n1000_preset()).unwrap();
        let options = LoadOptions {
            data_dir: Some(common::shared_data()),
        };
        let (region, report) = load_region(&config, &options, &NoProgress);
        assert!(report.is_usable());
        AppState::new(region, report).unwrap()
    })
    .clone()
}

async fn get(state: AppState, uri: &str) -> (StatusCode, String, Value) {
    common::request(state, Request::get(uri).body(Body::empty()).unwrap()).await
}

fn features(body: &Value) -> &Vec<Value> {
    body["features"].as_array().unwrap()
}

fn names(f: &Value) -> Vec<&str> {
    f["properties"]["member_names"]
        .as_str()
        .unwrap()
        .split(", ")
        .collect()
}

#[tokio::test]
async fn on_n1000_a_hub_cluster_around_alnabru_holds_three_terminals_within_15_minutes() {
    let state = n1000();
    let (s, ctype, body) = get(state.clone(), "/collections/hub-clusters/items?limit=1000").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(ctype, "application/geo+json");
    let feats = features(&body);
    let alnabru = feats
        .iter()
        .find(|f| names(f).contains(&"Alnabru godsterminal"))
        .unwrap_or_else(|| panic!("no cluster holds Alnabru: {body}"));
    let p = &alnabru["properties"];
    assert!(p["members"].as_u64().unwrap() >= 3, "{p}");
    assert!(p["max_minutes"].as_f64().unwrap() <= 15.0, "{p}");
    // Around Oslo: every member within 25 km of Alnabru.
    for c in alnabru["geometry"]["coordinates"].as_array().unwrap() {
        let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        let km = ((lon - 10.846) * 55.7).hypot((lat - 59.934) * 111.2);
        assert!(km < 25.0, "{c} lies {km} km from Alnabru");
    }

    // Every cluster against a fresh search from its centre, over the same roads.
    let n = state.ctx.network.as_deref().expect("N1000 has corridors");
    let (graph, snaps, max_snap_m) = (&n.graph, n.snaps(), n.settings.point_snap_m);
    let facilities = synergy::facilities_of(state.region);
    let index = |id: &str| {
        facilities
            .iter()
            .position(|f| f.id == id)
            .unwrap_or_else(|| panic!("{id} is no terminal"))
    };
    let mut seen = std::collections::HashSet::new();
    for (k, f) in feats.iter().enumerate() {
        let p = &f["properties"];
        assert_eq!(f["id"], format!("hub-{}", k + 1));
        assert_eq!(f["geometry"]["type"], "MultiPoint");
        let members: Vec<usize> = p["member_ids"]
            .as_str()
            .unwrap()
            .split(',')
            .map(index)
            .collect();
        let listed: Vec<&str> = members
            .iter()
            .map(|&i| facilities[i].name.as_str())
            .collect();
        assert_eq!(names(f), listed, "{p}");
        assert_eq!(p["members"].as_u64().unwrap() as usize, members.len());
        assert!(members.len() >= 3, "{p}");
        assert_eq!(
            p["name"], listed[0],
            "the centre names the cluster and comes first"
        );
        assert_eq!(
            f["geometry"]["coordinates"].as_array().unwrap().len(),
            members.len()
        );
        let centre = facilities[members[0]].xy;
        let drives = synergy::drive_times(
            graph,
            snaps,
            centre,
            &facilities,
            max_snap_m,
            HUB_MINUTES * 60.0,
        )
        .unwrap();
        let mut minutes = Vec::new();
        for &m in &members[1..] {
            let d = drives[m].unwrap_or_else(|| {
                panic!(
                    "{} is not within 15 minutes of {}: {p}",
                    listed[0], facilities[m].name
                )
            });
            assert!(d.seconds <= HUB_MINUTES * 60.0, "{p}: {d:?}");
            minutes.push(d.seconds / 60.0);
        }
        // Listed nearest first; max_minutes is the farthest, to 0.1 minute.
        assert!(minutes.windows(2).all(|w| w[0] <= w[1]), "{p}: {minutes:?}");
        let max = minutes.iter().copied().fold(0.0, f64::max);
        assert_eq!(
            p["max_minutes"].as_f64().unwrap(),
            (max * 10.0).round() / 10.0,
            "{p}"
        );
        let mut kinds: Vec<String> = members
            .iter()
            .map(|&i| {
                serde_json::to_value(facilities[i].kind)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        kinds.sort_by_key(|k| {
            ["rail_freight", "port", "logistics", "air_cargo"]
                .iter()
                .position(|x| x == k)
        });
        kinds.dedup();
        assert_eq!(p["kinds"], kinds.join(","), "{p}");
        // A terminal belongs to one cluster at most.
        for m in members {
            assert!(seen.insert(m), "{} is in two clusters", facilities[m].name);
        }
    }

    // The single item says the same as the list.
    let (s, _, one) = get(
        state.clone(),
        &format!(
            "/collections/hub-clusters/items/{}",
            alnabru["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{one}");
    assert_eq!(one["properties"], alnabru["properties"]);
}

#[tokio::test]
async fn hub_clusters_page_and_filter_by_bbox_like_every_layer() {
    let state = n1000();
    let (_, _, all) = get(state.clone(), "/collections/hub-clusters/items?limit=1000").await;
    let total = features(&all).len();
    assert!(total >= 1, "{all}");
    assert_eq!(all["numberMatched"].as_u64().unwrap() as usize, total);

    // One at a time, by next links: the same ids in the same order.
    let mut uri = "/collections/hub-clusters/items?limit=1".to_string();
    let mut ids = Vec::new();
    for _ in 0..=total {
        let (s, _, page) = get(state.clone(), &uri).await;
        assert_eq!(s, StatusCode::OK, "{uri}: {page}");
        ids.extend(features(&page).iter().map(|f| f["id"].clone()));
        match page["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
        {
            Some(l) => {
                let href = l["href"].as_str().unwrap();
                uri = href[href.find("/collections").unwrap()..].to_string();
            }
            None => break,
        }
    }
    let want: Vec<Value> = features(&all).iter().map(|f| f["id"].clone()).collect();
    assert_eq!(ids, want);

    // A box around Alnabru finds its cluster; one over the North Sea finds none.
    let (s, _, oslo) = get(
        state.clone(),
        "/collections/hub-clusters/items?bbox=10.80,59.90,10.90,59.96",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        features(&oslo)
            .iter()
            .any(|f| names(f).contains(&"Alnabru godsterminal")),
        "{oslo}"
    );
    let (_, _, sea) = get(state, "/collections/hub-clusters/items?bbox=2,57,3,58").await;
    assert!(features(&sea).is_empty(), "{sea}");
}

#[tokio::test]
async fn the_alnabru_cluster_is_in_the_vector_tile_over_oslo() {
    // Alnabru (10.846 E, 59.934 N) lies in tile 10/542/297, as Oslo S does.
    let resp = energistasjon::api::router(n1000())
        .oneshot(
            Request::get("/tiles/hub-clusters/10/542/297.mvt")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    // GDAL's MVT driver learns where a tile lies from its z/x/y.pbf path.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("10/542");
    std::fs::create_dir_all(&path).unwrap();
    std::fs::write(path.join("297.pbf"), &bytes).unwrap();
    let o = Command::new("ogrinfo")
        .args(["-ro", "-al", "-oo", "CLIP=NO"])
        .arg(path.join("297.pbf"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let info = common::text(&o.stdout);
    assert!(info.contains("Layer name: hub-clusters"), "{info}");
    assert!(info.contains("Alnabru godsterminal"), "{info}");
    assert!(info.contains("MULTIPOINT"), "{info}");
}

#[tokio::test]
async fn the_demo_region_serves_its_hub_clusters_too() {
    let state = common::demo_state();
    let (_, _, list) = get(state.clone(), "/collections").await;
    let ids: Vec<&str> = list["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"hub-clusters"), "{ids:?}");
    let (s, ctype, body) = get(state, "/collections/hub-clusters/items").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(ctype, "application/geo+json");
    // On the demo's 78 road links no terminal has two others within 15 minutes: from
    // Alnabru, Sydhavna is about 10 minutes away but Grorud 17 (`energistasjon synergies`).
    // An empty collection, not a missing one, says so.
    assert!(features(&body).is_empty(), "{body}");
    assert_eq!(body["numberMatched"], 0, "{body}");
}
