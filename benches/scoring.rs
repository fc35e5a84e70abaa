//! Scoring on the N1000 study-area grid (250 m, about 435 000 candidates):
//! re-weighting with raw values cached (target ≤ 50 ms), normalizing, measuring,
//! and the nearest-road query in rstar against the packed, hinted tree.
//!
//! cargo bench --bench scoring

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use energistasjon::config::load_profile;
use energistasjon::index::PartIndex;
use energistasjon::scoring::{candidates, measure, rank, Normalized, ScoringContext};

fn bench_scoring(c: &mut Criterion) {
    let (region, _) = common::n1000();
    let ctx = ScoringContext::new(&region);
    let profile = load_profile("mcs-corridor").expect("profile");
    let filter = common::study_area();
    let cands = candidates::grid(&ctx, 250.0, &filter);
    let n = cands.len();
    let points: Vec<[f64; 2]> = cands.iter().map(|c| c.point).collect();
    let raw = measure(&ctx, &profile, cands.clone(), &|_| {});
    let norm = Normalized::new(&raw, &profile);
    let base: Vec<f64> = profile.criteria.iter().map(|c| c.weight).collect();
    // Distance to the road down, heavy traffic up: what a planner's slider does.
    let mut w = base.clone();
    w[0] -= 10.0;
    w[2] += 10.0;

    let mut g = c.benchmark_group(format!("grid {n} candidates"));
    g.sample_size(20);
    g.bench_function("re-weight and rank (raw values cached)", |b| {
        b.iter(|| rank(&raw, &norm, &w))
    });
    g.bench_function("new thresholds: normalize, weight and rank", |b| {
        b.iter(|| {
            let norm = Normalized::new(&raw, &profile);
            rank(&raw, &norm, &w)
        })
    });
    g.sample_size(10);
    g.bench_function("measure every criterion (spatial queries)", |b| {
        b.iter(|| measure(&ctx, &profile, cands.clone(), &|_| {}))
    });

    let roads = PartIndex::new(region.roads.iter().map(|f| &f.geometry));
    g.bench_function("nearest road: rstar nearest_neighbor", |b| {
        b.iter(|| {
            points
                .iter()
                .map(|&p| roads.nearest(p).map_or(0.0, |x| x.1))
                .sum::<f64>()
        })
    });
    g.bench_function("nearest road: packed tree, hinted grid walk", |b| {
        b.iter(|| {
            let mut hint = None;
            points
                .iter()
                .map(|&p| roads.nearest_hinted(p, &mut hint).map_or(0.0, |x| x.1))
                .sum::<f64>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench_scoring);
criterion_main!(benches);
