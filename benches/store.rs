//! Store writes: proposals per second and p50/p99 write latency, for the SQLite file and
//! for PostGIS, one writer and four. Run with `bench/store.sh`, which starts a throwaway
//! PostGIS; `cargo bench --bench store` alone measures SQLite only.
//!
//! Each proposal is one transaction with its audit entry, committed durably
//! (SQLite: WAL, synchronous=FULL; PostgreSQL: default fsync).

use std::sync::Arc;
use std::time::Instant;

use energistasjon::domain::review::{Actor, Role};
use energistasjon::store::postgres::PgStore;
use energistasjon::store::sqlite::SqliteStore;
use energistasjon::store::{NewProposal, NewUser, Store};
use serde_json::json;

const N: usize = 2000;

fn actor(store: &dyn Store) -> Actor {
    store
        .add_user(
            &NewUser {
                username: "bench".into(),
                role: Role::Coordinator,
                municipalities: vec![],
                password_hash: "x".into(),
            },
            "bench",
        )
        .expect("user")
        .actor()
}

fn proposal(i: usize) -> NewProposal {
    let x = 250_000.0 + (i % 100) as f64 * 50.0;
    let y = 6_640_000.0 + (i / 100) as f64 * 50.0;
    NewProposal {
        name: format!("forslag {i}"),
        kommunenummer: "0301".into(),
        geometry: json!({"type": "Polygon", "coordinates": [[[x, y], [x + 40.0, y], [x + 40.0, y + 40.0], [x, y + 40.0], [x, y]]]}),
    }
}

/// Writes N proposals from `threads` writers: (proposals/s, p50 ms, p99 ms).
fn run(store: Arc<dyn Store>, threads: usize) -> (f64, f64, f64) {
    let who = actor(store.as_ref());
    let started = Instant::now();
    let mut latencies: Vec<f64> = (0..threads)
        .map(|t| {
            let (store, who) = (store.clone(), who.clone());
            std::thread::spawn(move || {
                (0..N / threads)
                    .map(|i| {
                        let s = Instant::now();
                        store
                            .add_proposal(&proposal(t * N + i), &who)
                            .expect("write");
                        s.elapsed().as_secs_f64() * 1000.0
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .flat_map(|h| h.join().expect("writer"))
        .collect();
    let secs = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let q = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    (latencies.len() as f64 / secs, q(0.50), q(0.99))
}

fn pg_database(admin: &str, name: &str) -> String {
    let mut c = postgres::Client::connect(admin, postgres::NoTls).expect("PostGIS answers");
    // One statement each: DROP/CREATE DATABASE refuse to run inside a transaction.
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .expect("drop database");
    c.batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create database");
    format!("{}/{name}", admin.rsplit_once('/').expect("URL").0)
}

fn main() {
    // `cargo bench` passes --bench; nothing to parse.
    let pg = std::env::var("ENERGISTASJON_TEST_PG").ok();
    println!("store        writers  proposals/s   p50 ms   p99 ms   ({N} proposals, one transaction each with its audit entry)");
    for threads in [1, 4] {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(SqliteStore::open(&dir.path().join("bench.sqlite")).expect("sqlite"));
        let (rate, p50, p99) = run(store, threads);
        println!("SQLite       {threads:>7}  {rate:>11.0}  {p50:>7.2}  {p99:>7.2}");
        if let Some(admin) = &pg {
            // A separate pool per run; the PostGIS database is fresh each time.
            let url = pg_database(admin, &format!("es_bench_{threads}"));
            let store = Arc::new(PgStore::open(&url).expect("postgis"));
            let (rate, p50, p99) = run(store, threads);
            println!("PostGIS      {threads:>7}  {rate:>11.0}  {p50:>7.2}  {p99:>7.2}");
        }
    }
    if pg.is_none() {
        println!("(PostGIS not measured: run bench/store.sh, which starts one)");
    }
}
