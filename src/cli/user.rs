//! `energistasjon user add`: creates a user in the review store, for bootstrap (the first
//! admin or coordinator) and for scripts. The password comes from ENERGISTASJON_PASSWORD or
//! the first line of standard input, never from the command line (it would show in `ps`).

use std::io::{BufRead, Write};
use std::path::Path;

use super::CliError;
use crate::auth;
use std::sync::Arc;

use crate::store::postgres::PgStore;
use crate::store::sqlite::SqliteStore;
use crate::store::{NewUser, Store};

pub struct UserAdd {
    pub username: String,
    pub role: String,
    pub municipalities: Vec<String>,
}

/// Opens the store `--db` names: `postgres://…` for PostgreSQL with PostGIS, else a
/// SQLite file.
pub fn open_store(db: &str) -> Result<Arc<dyn Store>, CliError> {
    let err = |e: crate::store::StoreError| CliError::Unusable(e.to_string());
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        return Ok(Arc::new(PgStore::open(db).map_err(err)?));
    }
    Ok(Arc::new(SqliteStore::open(Path::new(db)).map_err(err)?))
}

pub fn add(
    db: &str,
    args: &UserAdd,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let role =
        crate::domain::review::check_new_user(&args.username, &args.role, &args.municipalities)
            .map_err(|e| CliError::Usage(e.to_string()))?;
    let password = match std::env::var("ENERGISTASJON_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            input.read_line(&mut line).map_err(CliError::Output)?;
            line.trim_end_matches(['\n', '\r']).to_string()
        }
    };
    let hash = auth::hash_password(&password).map_err(|e| {
        CliError::Usage(format!(
            "{e}; give it in ENERGISTASJON_PASSWORD or on standard input"
        ))
    })?;
    let store = open_store(db)?;
    let user = store
        .add_user(
            &NewUser {
                username: args.username.clone(),
                role,
                municipalities: args.municipalities.clone(),
                password_hash: hash,
            },
            "cli",
        )
        .map_err(|e| CliError::Usage(e.to_string()))?;
    writeln!(
        out,
        "user {} ({}, {}) id {} in {db}",
        user.username,
        user.role.name(),
        if user.municipalities.is_empty() {
            "all municipalities".to_string()
        } else {
            user.municipalities.join(", ")
        },
        user.id
    )?;
    Ok(())
}
