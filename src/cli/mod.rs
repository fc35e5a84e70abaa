//! What each command does. `main.rs` only parses arguments and calls in here.

pub mod backup;
pub mod bench_network;
pub mod bench_workload;
pub mod check_data;
pub mod checklist;
pub mod corridors;
pub mod counts;
pub mod dossier;
pub mod export;
pub mod i18n;
pub mod progress;
pub mod report;
pub mod score;
pub mod serve;
pub mod shortlist;
pub mod size;
pub mod synergies;
pub mod user;

use std::path::PathBuf;

use crate::config::{default_region_path, ConfigError, RegionConfig};
use crate::domain::Region;
use crate::ingest::{load_region, LoadOptions, Progress, RegionReport};

pub use i18n::Lang;

/// Options every command takes.
#[derive(Debug, Clone)]
pub struct Common {
    /// The region config; the demo region when None.
    pub region: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub lang: Lang,
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Unusable(String),
    #[error("cannot listen on {addr}: {source}. Hint: is another service on that port? Choose another with --addr")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Serve(std::io::Error),
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Profile(#[from] crate::config::ProfileLoadError),
    #[error(transparent)]
    Ingest(#[from] crate::ingest::IngestError),
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
}

impl CliError {
    /// 2 for a config or usage problem, 1 for data that cannot be used or a server failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Config(_)
            | CliError::Usage(_)
            | CliError::Profile(_)
            | CliError::Export(_) => 2,
            _ => 1,
        }
    }
}

impl Common {
    pub fn config(&self) -> Result<RegionConfig, ConfigError> {
        let path = self.region.clone().unwrap_or_else(default_region_path);
        RegionConfig::load(&path)
    }

    pub fn load(
        &self,
        progress: &dyn Progress,
    ) -> Result<(RegionConfig, Region, RegionReport), CliError> {
        let config = self.config()?;
        let options = LoadOptions {
            data_dir: self.data_dir.clone(),
        };
        let (region, report) = load_region(&config, &options, progress);
        Ok((config, region, report))
    }

    /// The region, or a refusal that points to check-data when a required layer failed.
    pub fn load_usable(&self, progress: &dyn Progress) -> Result<(Region, RegionReport), CliError> {
        let (_, region, report) = self.load(progress)?;
        if !report.is_usable() {
            return Err(CliError::Unusable(
                self.lang.t(i18n::Msg::NotStarting).to_string(),
            ));
        }
        Ok((region, report))
    }
}

/// Cut text to `n` characters for a table column, marking the cut with an ellipsis.
pub(crate) fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
