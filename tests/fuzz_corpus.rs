//! Every input the fuzz targets keep (`fuzz/corpus/<target>/`) and every finding
//! (`fuzz/regressions/<target>/`) runs through its target on stable, with the target's
//! properties checked. `bench/fuzz.sh` grows the corpus; a crash it finds is saved as a
//! regression and stays a test here.

use std::panic::{catch_unwind, AssertUnwindSafe};

mod common;

fn replay(target: &str) {
    let (_, run) = energistasjon::fuzzing::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .expect("a target of that name");
    let mut failed = Vec::new();
    let mut ran = 0;
    for dir in ["fuzz/corpus", "fuzz/regressions"] {
        let Ok(entries) = std::fs::read_dir(common::root().join(dir).join(target)) else {
            continue;
        };
        let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            ran += 1;
            if catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
                failed.push(file.display().to_string());
            }
        }
    }
    assert!(
        ran >= 3,
        "{target}: only {ran} saved inputs; run fuzz/seed.py"
    );
    assert!(failed.is_empty(), "{target} fails on {failed:#?}");
}

#[test]
fn saved_config_toml_inputs_give_a_value_or_an_error_that_names_the_file() {
    replay("config_toml");
}

#[test]
fn saved_items_queries_get_an_answer_or_a_problem_never_a_server_error() {
    replay("items_query");
}

#[test]
fn saved_tile_requests_get_a_tile_or_a_problem_never_a_server_error() {
    replay("tile_params");
}

#[test]
fn saved_proposal_bodies_give_finite_geometry_or_an_error() {
    replay("proposal_geojson");
}

#[test]
fn saved_uploads_give_valid_sites_or_an_error() {
    replay("upload");
}

#[test]
fn saved_traffic_csv_inputs_give_finite_adt_or_an_error_that_names_the_file() {
    replay("traffic_csv");
}
