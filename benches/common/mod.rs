//! What the benches share: the N1000 preset over ../shared/data (or
//! ENERGISTASJON_SHARED_DATA) and the study area's municipalities.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use energistasjon::config::RegionConfig;
use energistasjon::domain::Region;
use energistasjon::ingest::{load_region, LoadOptions, NoProgress, RegionReport};
use energistasjon::scoring::AreaFilter;

pub fn shared_data() -> PathBuf {
    std::env::var_os("ENERGISTASJON_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"))
}

pub fn n1000_config() -> RegionConfig {
    RegionConfig::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("data/presets/n1000/region.toml"),
    )
    .expect("N1000 preset")
}

pub fn n1000_options() -> LoadOptions {
    LoadOptions {
        data_dir: Some(shared_data()),
    }
}

/// The N1000 preset, loaded; fails loudly if a required layer is missing.
pub fn n1000() -> (Region, RegionReport) {
    let (region, report) = load_region(&n1000_config(), &n1000_options(), &NoProgress);
    assert!(report.is_usable(), "the N1000 preset did not load");
    (region, report)
}

/// Kommunenummer prefixes of the study area: Oslo, Østfold, Akershus, Buskerud, Vestfold.
pub fn study_area() -> AreaFilter {
    AreaFilter {
        prefixes: ["03", "31", "32", "33", "39"].map(String::from).to_vec(),
    }
}
