//! `energistasjon backup` and `energistasjon restore`: the review store to a file and back.

use std::io::Write;
use std::path::Path;

use super::CliError;
use crate::store::backup::{self, BackupError, Summary};

fn failed(e: BackupError) -> CliError {
    match e {
        BackupError::Exists { .. } | BackupError::NotAStore { .. } => {
            CliError::Usage(e.to_string())
        }
        other => CliError::Unusable(other.to_string()),
    }
}

fn describe(s: &Option<Summary>) -> String {
    match s {
        Some(s) => format!(
            " (schema version {}, {} sites, {} audit entries)",
            s.schema_version, s.sites, s.audit_entries
        ),
        None => String::new(),
    }
}

pub fn backup(db: &str, out: &Path, stdout: &mut dyn Write) -> Result<(), CliError> {
    let summary = backup::backup(db, out).map_err(failed)?;
    writeln!(
        stdout,
        "backed up to {}{}",
        out.display(),
        describe(&summary)
    )?;
    Ok(())
}

pub fn restore(from: &Path, db: &str, force: bool, stdout: &mut dyn Write) -> Result<(), CliError> {
    let summary = backup::restore(from, db, force).map_err(failed)?;
    // Opening brings an older backup's schema up to this version.
    super::user::open_store(db)?;
    writeln!(stdout, "restored {}{}", from.display(), describe(&summary))?;
    Ok(())
}
