//! The same inputs give byte-identical output, whatever the number of threads, and the
//! sensitivity analysis is reproducible from its seed.

mod common;

use std::path::Path;

use energistasjon::config::{load_profile, RegionConfig};
use energistasjon::ingest::{load_region, LoadOptions, NoProgress};
use energistasjon::scoring::{
    candidates, measure, page, rank, sensitivity, AreaFilter, Normalized, ScoringContext,
};

fn score_with_threads(threads: &str, out: &Path, args: &[&str]) {
    let o = common::bin()
        .env("RAYON_NUM_THREADS", threads)
        // The export time is part of every row; a fixed clock makes runs comparable.
        .env("SOURCE_DATE_EPOCH", "1795755480")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    common::assert_no_panic(&o);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
}

fn assert_identical_across_thread_counts(args: &[&str], ext: &str) {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join(format!("one.{ext}"));
    let two = dir.path().join(format!("two.{ext}"));
    score_with_threads("1", &one, args);
    score_with_threads("2", &two, args);
    let (a, b) = (std::fs::read(&one).unwrap(), std::fs::read(&two).unwrap());
    assert!(
        a.len() > 1000,
        "suspiciously small output: {} bytes",
        a.len()
    );
    assert!(a == b, "{ext} output differs between 1 and 2 threads");
}

#[test]
fn grid_scores_are_byte_identical_on_one_and_two_threads() {
    let preset = common::n1000_preset();
    let data = common::shared_data();
    let args = [
        "score",
        "--region",
        preset.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
        "--profile",
        "mcs-corridor",
        "--grid",
        "250",
        "--municipalities",
        "0301,3312",
        "--sensitivity",
        "20",
    ];
    assert_identical_across_thread_counts(&args, "csv");
    assert_identical_across_thread_counts(&args, "geojson");
}

#[test]
fn parcel_scores_are_byte_identical_on_one_and_two_threads() {
    assert_identical_across_thread_counts(&["score", "--profile", "depot", "--parcels"], "geojson");
}

#[test]
fn sensitivity_on_the_study_area_grid_is_reproducible_from_its_seed() {
    let config = RegionConfig::load(&common::n1000_preset()).unwrap();
    let options = LoadOptions {
        data_dir: Some(common::shared_data()),
    };
    let (region, report) = load_region(&config, &options, &NoProgress);
    assert!(report.is_usable());
    let ctx = ScoringContext::new(&region);
    let profile = load_profile("mcs-corridor").unwrap();
    let filter = AreaFilter {
        prefixes: ["03", "31", "32", "33", "39"].map(String::from).to_vec(),
    };
    let cands = candidates::grid(&ctx, 250.0, &filter);
    assert!(cands.len() > 400_000, "{}", cands.len());
    let raw = measure(&ctx, &profile, cands, &|_| {});
    let norm = Normalized::new(&raw, &profile);
    let weights: Vec<f64> = profile.criteria.iter().map(|c| c.weight).collect();
    let ranking = rank(&raw, &norm, &weights);

    let a = sensitivity::run(&raw, &norm, &weights, 200, 42, 0.2, 10);
    let b = sensitivity::run(&raw, &norm, &weights, 200, 42, 0.2, 10);
    // (Compared with assert!, not assert_eq!: a failure must not print 435 000 numbers.)
    assert!(
        a.p_top_k == b.p_top_k,
        "the same seed gives the same probabilities"
    );
    assert!(
        a.rank_min == b.rank_min && a.rank_max == b.rank_max,
        "the same seed gives the same rank ranges"
    );

    // Over 200 draws exactly 10 candidates are in the top 10 each time.
    let total: f64 = a.p_top_k.iter().sum();
    assert!((total - 10.0).abs() < 1e-9, "{total}");
    assert!(a.p_top_k.iter().all(|p| (0.0..=1.0).contains(p)));
    // Every scored candidate has a rank range; excluded ones have none.
    for &i in ranking.order.iter().take(1000) {
        let i = i as usize;
        assert!(a.rank_min[i] > 0 && a.rank_min[i] <= a.rank_max[i], "{i}");
    }
    let excluded = (0..raw.len()).find(|&i| raw.excluded(i)).unwrap();
    assert_eq!(
        (
            a.rank_min[excluded],
            a.rank_max[excluded],
            a.p_top_k[excluded]
        ),
        (0, 0, 0.0)
    );
    // Some of today's top 10 stay in the top 10 under ±20 % weights.
    let stable = ranking
        .order
        .iter()
        .take(10)
        .filter(|&&i| a.p_top_k[i as usize] > 0.5)
        .count();
    assert!(stable > 0, "no top-10 candidate is stable");
    let c = sensitivity::run(&raw, &norm, &weights, 200, 43, 0.2, 10);
    assert!(
        a.rank_min != c.rank_min || a.rank_max != c.rank_max,
        "another seed draws other weights"
    );
}

#[test]
fn a_page_of_the_ranking_is_the_same_slice_of_the_full_sort_with_the_same_ranks() {
    let config = RegionConfig::load(&common::n1000_preset()).unwrap();
    let options = LoadOptions {
        data_dir: Some(common::shared_data()),
    };
    let (region, _) = load_region(&config, &options, &NoProgress);
    let ctx = ScoringContext::new(&region);
    let profile = load_profile("depot").unwrap();
    let filter = AreaFilter {
        prefixes: ["0301", "3312", "3301"].map(String::from).to_vec(),
    };
    let raw = measure(
        &ctx,
        &profile,
        candidates::grid(&ctx, 250.0, &filter),
        &|_| {},
    );
    let norm = Normalized::lazy(&raw, &profile);
    // Uneven weights, as a slider gives.
    let weights: Vec<f64> = {
        let w: Vec<f64> = (0..profile.criteria.len())
            .map(|j| (j * 7 % 5 + 1) as f64)
            .collect();
        let sum: f64 = w.iter().sum();
        w.iter().map(|x| x * 100.0 / sum).collect()
    };
    let ranking = rank(&raw, &norm, &weights);
    assert!(ranking.order.len() > 5_000, "{}", ranking.order.len());
    let oslo = raw.candidates[ranking.order[0] as usize].municipality;
    let median = ranking.scores[ranking.order[ranking.order.len() / 2] as usize];
    type Keep<'a> = Box<dyn Fn(usize, f64) -> bool + Sync + 'a>;
    let filters: Vec<(&str, Keep)> = vec![
        ("all", Box::new(|_, _| true)),
        (
            "one municipality",
            Box::new(|i, _| raw.candidates[i].municipality == oslo),
        ),
        ("at or above the median", Box::new(|_, s| s >= median)),
        ("every third", Box::new(|i, _| i % 3 == 0)),
    ];
    for (what, keep) in &filters {
        let expected: Vec<u32> = ranking
            .order
            .iter()
            .copied()
            .filter(|&i| keep(i as usize, ranking.scores[i as usize]))
            .collect();
        for (offset, limit) in [
            (0, 1),
            (0, 100),
            (37, 250),
            (4_000, 10),
            (expected.len() - 3, 10),
            (expected.len() + 5, 10),
        ] {
            let got = page::page(&raw, &norm, &weights, keep.as_ref(), offset, limit);
            assert_eq!(got.matched, expected.len(), "{what}: matched");
            assert_eq!(got.scored, ranking.order.len(), "{what}: scored");
            let want: Vec<(u32, f64, u32, u32)> = expected
                .iter()
                .skip(offset)
                .take(limit)
                .map(|&i| {
                    let i = i as usize;
                    (
                        i as u32,
                        ranking.scores[i],
                        ranking.region_rank[i],
                        ranking.municipality_rank[i],
                    )
                })
                .collect();
            let rows: Vec<(u32, f64, u32, u32)> = got
                .rows
                .iter()
                .map(|r| (r.index, r.score, r.region_rank, r.municipality_rank))
                .collect();
            assert!(
                rows == want,
                "{what}, offset {offset}, limit {limit}: {:?} != {:?}",
                &rows[..rows.len().min(3)],
                &want[..want.len().min(3)]
            );
        }
    }
}
