//! `energistasjon dossier`: the site dossier written to a file, the same document
//! `GET /api/sites/{id}/dossier` serves, with the review from `--db` when it exists.

use std::io::Write;
use std::path::PathBuf;

use super::progress::CliProgress;
use super::{CliError, Common, Lang};
use crate::api::AppState;

pub struct DossierArgs {
    pub site: String,
    pub profile: String,
    pub format: Option<String>,
    pub out: Option<PathBuf>,
    /// The review store; a SQLite file that does not exist is left uncreated.
    pub db: String,
}

fn format_of(args: &DossierArgs) -> Result<&str, CliError> {
    let from_ext = args
        .out
        .as_ref()
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(|e| match e {
            "md" | "markdown" => "md",
            "json" => "json",
            _ => "html",
        });
    let f = args.format.as_deref().or(from_ext).unwrap_or("html");
    if !["html", "md", "json"].contains(&f) {
        return Err(CliError::Usage(format!(
            "--format {f} is not a dossier format; use html, md or json"
        )));
    }
    Ok(f)
}

pub fn run(common: &Common, args: &DossierArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let format = format_of(args)?;
    let is_pg = args.db.starts_with("postgres://") || args.db.starts_with("postgresql://");
    let store = if is_pg || std::path::Path::new(&args.db).exists() {
        Some(super::user::open_store(&args.db)?)
    } else {
        None
    };
    let progress = CliProgress::new(common.lang);
    let (region, report) = common.load_usable(&progress)?;
    let mut state = AppState::new(region, report).map_err(|e| CliError::Unusable(e.to_string()))?;
    if let Some(s) = store {
        state = state.with_store(s);
    }
    let en = common.lang == Lang::En;
    let d = crate::api::dossier::assemble(&state, Some(&args.profile), &args.site, en)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let text = match format {
        "md" => crate::dossier::markdown(&d, en),
        "json" => serde_json::to_string_pretty(&d).map_err(std::io::Error::from)?,
        _ => crate::dossier::html(&d, en),
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, text)
                .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", path.display())))?;
            writeln!(
                out,
                "{} {}",
                if en { "Wrote" } else { "Skrev" },
                path.display()
            )?;
        }
        None => out.write_all(text.as_bytes())?,
    }
    Ok(())
}
