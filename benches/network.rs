//! The road network on N1000: building the graph, candidate-to-corridor distances for
//! 10,000 study-area candidates (one Dijkstra from every corridor node, then snapping),
//! a one-to-all Dijkstra from each of 10,000 candidates, and the AFIR gap analysis for
//! every corridor.
//!
//! cargo bench --bench network

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use energistasjon::domain::afir::Rules;
use energistasjon::network::coverage::{analyse, Options};
use energistasjon::network::{Network, RoadGraph};
use energistasjon::scoring::{candidates, ScoringContext};

fn bench_network(c: &mut Criterion) {
    let (region, _) = common::n1000();
    let ctx = ScoringContext::new(&region);
    let n = Network::build(&region).expect("the N1000 preset has corridors");
    // 10,000 grid cells within a kilometre of a road, spread over the study area.
    let cells = candidates::grid(&ctx, 250.0, &common::study_area());
    let on_network: Vec<[f64; 2]> = cells
        .iter()
        .map(|c| c.point)
        .filter(|&p| n.snap(p, "c").is_ok())
        .collect();
    let step = (on_network.len() / 10_000).max(1);
    let points: Vec<[f64; 2]> = on_network.into_iter().step_by(step).take(10_000).collect();
    let g = &n.graph;
    let seeds: Vec<(u32, f64, u32)> = n
        .corridors
        .iter()
        .flat_map(|c| c.nodes.iter().map(|&(node, _)| (node, 0.0, 0)))
        .collect();
    let snaps: Vec<energistasjon::network::Snap> =
        points.iter().filter_map(|&p| n.snap(p, "c").ok()).collect();
    let rules = Rules::builtin().expect("rules");

    let mut grp = c.benchmark_group(format!(
        "N1000 network ({} nodes, {} links)",
        g.node_count(),
        g.edge_count()
    ));
    grp.sample_size(20);
    grp.bench_function("graph build", |b| {
        b.iter(|| RoadGraph::build_with(&region, 1.0, 30_000.0))
    });
    grp.bench_function("graph, snapping index and 8 corridors", |b| {
        b.iter(|| Network::build(&region))
    });
    grp.bench_function("10,000 candidates to the nearest corridor", |b| {
        b.iter(|| {
            let tree = g.search(&seeds, f64::INFINITY, &|_| true);
            points
                .iter()
                .filter_map(|&p| n.snap(p, "c").ok())
                .filter_map(|s| g.reach(&tree, &s))
                .count()
        })
    });
    grp.bench_function("AFIR 2030 gap analysis, every corridor", |b| {
        b.iter(|| analyse(&n, &region, &rules, 2030, &[], Options::default()))
    });
    grp.sample_size(10);
    grp.bench_function(
        format!(
            "one-to-all Dijkstra from each of {} candidates",
            snaps.len()
        ),
        |b| {
            b.iter(|| {
                snaps
                    .iter()
                    .map(|s| {
                        let (a, _) = g.ends(s.edge);
                        g.search(&[(a, 0.0, 0)], f64::INFINITY, &|_| true)
                            .dist
                            .iter()
                            .filter(|d| d.is_finite())
                            .count()
                    })
                    .sum::<usize>()
            })
        },
    );
    grp.finish();
}

criterion_group!(benches, bench_network);
criterion_main!(benches);
