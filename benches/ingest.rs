//! Load times: the demo region (target: under 1 s) and the national N1000 preset.
//!
//! cargo bench --bench ingest

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use energistasjon::config::{default_region_path, RegionConfig};
use energistasjon::ingest::{load_region, LoadOptions, NoProgress};

fn shared_data() -> PathBuf {
    std::env::var_os("ENERGISTASJON_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"))
}

fn bench_load(c: &mut Criterion) {
    let demo = RegionConfig::load(&default_region_path()).expect("demo region config");
    c.bench_function("load demo region", |b| {
        b.iter(|| {
            let (region, report) = load_region(&demo, &LoadOptions::default(), &NoProgress);
            assert!(report.is_usable());
            region
        })
    });

    let n1000 = RegionConfig::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("data/presets/n1000/region.toml"),
    )
    .expect("N1000 preset");
    let options = LoadOptions {
        data_dir: Some(shared_data()),
    };
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
