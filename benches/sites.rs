//! Site areas and the shortlist after re-weighting, on the N1000 study-area grid (250 m,
//! 435,240 cells), per profile: re-weigh and rank, grow areas until the shortlist is full,
//! name and outline the picks, and explain each pick's best cell: all that
//! `POST /api/shortlist` does after a slider move. Target ≤ 150 ms.
//!
//! cargo bench --bench sites

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use energistasjon::catalog::sites::{run, SiteQuery};
use energistasjon::catalog::{candidates_collection, CandidateSet, GridSpec};
use energistasjon::config::load_profile;
use energistasjon::scoring::areas::{Adjacency, Grower};
use energistasjon::scoring::ScoringContext;

fn bench_sites(c: &mut Criterion) {
    let (region, _) = common::n1000();
    let ctx = ScoringContext::new(&region);
    let spec = GridSpec {
        size: 250.0,
        filter: common::study_area(),
    };
    let mut g = c.benchmark_group("site areas and shortlist, 250 m study-area grid");
    g.sample_size(20);
    for name in ["mcs-corridor", "depot", "hydrogen", "biogas"] {
        let profile = load_profile(name).expect("profile");
        let collection =
            candidates_collection(&ctx, &profile, CandidateSet::Grid, Some(&spec)).expect("grid");
        let scored = collection.scored().expect("scored");
        let n = scored.raw.len();
        // A slider move: 10 points from the first criterion to the third.
        let mut q = SiteQuery::defaults(&profile);
        q.weights[0] -= 10.0;
        q.weights[2] += 10.0;
        g.bench_function(
            format!("{name}: new weights → shortlist of 10 ({n} cells)"),
            |b| b.iter(|| run(&ctx, scored, &q, &|_| true)),
        );
        g.bench_function(format!("{name}: grow every area (profile weights)"), |b| {
            b.iter(|| {
                Grower::new(
                    &scored.adjacency,
                    &scored.ranking.scores,
                    scored.ranking.order.iter().copied(),
                    q.growth,
                )
                .count()
            })
        });
        if name == "mcs-corridor" {
            g.bench_function("adjacency of the grid (once per start)", |b| {
                b.iter(|| Adjacency::new(&scored.raw.candidates))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench_sites);
criterion_main!(benches);
