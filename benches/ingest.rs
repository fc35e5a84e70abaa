//! Load times: the demo region (target: under 1 s) and the national N1000 preset.
//!
//! cargo bench --bench ingest

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use energistasjon::config::{default_region_path, RegionConfig};
use energistasjon::ingest::{load_region, LoadOptions, NoProgress};

fn bench_load(c: &mut Criterion) {
    let demo = RegionConfig::load(&default_region_path()).expect("demo region config");
    c.bench_function("load demo region", |b| {
        b.iter(|| {
            let (region, report) = load_region(&demo, &LoadOptions::default(), &NoProgress);
            assert!(report.is_usable());
            region
        })
    });

    let n1000 = common::n1000_config();
    let options = common::n1000_options();
    let mut group = c.benchmark_group("n1000");
    group.sample_size(10);
    group.bench_function("load N1000 preset (all of Norway)", |b| {
        b.iter(|| {
            let (region, report) = load_region(&n1000, &options, &NoProgress);
            assert!(report.is_usable());
            region
        })
    });
    group.finish();
}

criterion_group!(benches, bench_load);
criterion_main!(benches);
