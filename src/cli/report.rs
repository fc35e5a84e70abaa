//! `energistasjon report --year 2025 --format md|html|csv`: the yearly action-programme
//! report, with the KPIs computed from the region and the review store, as the API serves
//! it at `/api/programme/{year}/report`.

use std::io::Write;
use std::path::PathBuf;

use super::progress::CliProgress;
use super::{CliError, Common};
use crate::api::AppState;
use crate::programme::{render, Format};

pub struct ReportArgs {
    pub year: u16,
    pub format: String,
    pub out: Option<PathBuf>,
    /// The review store (SQLite file or postgres:// URL).
    pub db: String,
    /// Where `{year}.toml` is read from; the shipped `data/programme/` when absent.
    pub programme_dir: Option<PathBuf>,
    /// Population table: adds the membership fees.
    pub population: Option<PathBuf>,
}

pub fn run(common: &Common, args: &ReportArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let format = Format::parse(&args.format).ok_or_else(|| {
        CliError::Usage(format!(
            "--format '{}' is unknown; use md, html or csv",
            args.format
        ))
    })?;
    // The programme file is checked before the region's long load.
    let dir = args
        .programme_dir
        .clone()
        .unwrap_or_else(crate::config::default_programme_dir);
    let path = crate::programme::file_of(&dir, args.year);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        CliError::Usage(format!(
            "no action programme for {}: cannot read {}: {e}",
            args.year,
            path.display()
        ))
    })?;
    crate::domain::programme::Programme::parse(&text, &path.display().to_string())
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let store = super::user::open_store(&args.db)?;
    let progress = CliProgress::new(common.lang);
    let (_, region, report) = common.load(&progress)?;
    if let Some(path) = &args.population {
        let text = std::fs::read_to_string(path).map_err(|e| {
            CliError::Usage(format!("cannot read --population {}: {e}", path.display()))
        })?;
        crate::domain::programme::parse_population(&text)
            .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
    }
    let options = crate::api::ApiOptions {
        programme_dir: dir,
        population: args.population.clone(),
        ..Default::default()
    };
    let state = AppState::new(region, report)
        .map_err(|e| CliError::Unusable(e.to_string()))?
        .with_store(store)
        .with_options(options);
    let p = crate::api::programme::current(&state, &args.year.to_string())
        .map_err(|e| CliError::Unusable(e.to_string()))?;
    let fees = match &args.population {
        Some(_) => Some(
            crate::api::programme::fees_of(&state, &p)
                .map_err(|e| CliError::Unusable(e.to_string()))?,
        ),
        None => None,
    };
    let text = render(&p, fees.as_ref(), format);
    match &args.out {
        Some(path) => std::fs::write(path, text)?,
        None => out.write_all(text.as_bytes())?,
    }
    Ok(())
}
