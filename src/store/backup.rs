//! Backup and restore of the review store. SQLite through its online backup API: one read
//! transaction copies every page, so the copy is the store as it was when the backup began,
//! while writers go on (WAL). PostgreSQL through `pg_dump`/`pg_restore`, whose dump is one
//! snapshot too. Files are written beside their target and renamed into place, so a failed
//! backup or restore never leaves half a file where a good one was.

use std::path::{Path, PathBuf};
use std::process::Command;

use rusqlite::{Connection, OpenFlags};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{path}: {message}")]
    Sqlite { path: String, message: String },
    #[error("{path} is not an energistasjon store backup: {why}. Hint: give the file `energistasjon backup` wrote")]
    NotAStore { path: String, why: String },
    #[error("{path} exists. Hint: pass --force to replace it; the store there is kept as {kept}")]
    Exists { path: String, kept: String },
    #[error("{tool} failed: {message}. Hint: install postgresql-client (apt-get install postgresql-client) and check the URL")]
    Tool { tool: String, message: String },
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

pub type Result<T> = std::result::Result<T, BackupError>;

fn is_postgres(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

fn sqlite_err(path: &Path) -> impl Fn(rusqlite::Error) -> BackupError + '_ {
    move |e| BackupError::Sqlite {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> BackupError + '_ {
    move |e| BackupError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// A file next to `path` to write first and rename over it.
fn beside(path: &Path, tag: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "store".into());
    path.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Copies every page of `from` into a new file `to` in one read transaction; the copy is
/// checked before it replaces anything at `to`.
fn copy_sqlite(from: &Connection, to: &Path) -> Result<Summary> {
    let tmp = beside(to, "partial");
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        let mut dst = Connection::open(&tmp).map_err(sqlite_err(&tmp))?;
        {
            let b = rusqlite::backup::Backup::new(from, &mut dst).map_err(sqlite_err(to))?;
            // All pages in one step: the copy is one snapshot however busy the writers are.
            // A writer holding the lock at that moment makes SQLite answer busy: wait.
            let mut tries = 0;
            loop {
                use rusqlite::backup::StepResult;
                match b.step(-1).map_err(sqlite_err(to))? {
                    StepResult::Done => break,
                    StepResult::More => {}
                    _ if tries < 300 => {
                        tries += 1;
                        std::thread::sleep(std::time::Duration::from_millis(100));
                    }
                    _ => {
                        return Err(BackupError::Sqlite {
                            path: to.display().to_string(),
                            message: "the store stayed locked for 30 s".into(),
                        })
                    }
                }
            }
        }
        // A backup is one file: no WAL beside it.
        dst.execute_batch("PRAGMA journal_mode = DELETE;")
            .map_err(sqlite_err(&tmp))?;
        drop(dst);
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(io_err(&tmp))?;
        let summary = check_sqlite(&tmp)?;
        std::fs::rename(&tmp, to).map_err(io_err(to))?;
        Ok(summary)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// What a backup holds.
#[derive(Debug, serde::Serialize)]
pub struct Summary {
    pub schema_version: i64,
    pub sites: i64,
    pub audit_entries: i64,
}

/// Checks that `path` is a whole energistasjon SQLite store and says what it holds.
fn check_sqlite(path: &Path) -> Result<Summary> {
    let not = |why: String| BackupError::NotAStore {
        path: path.display().to_string(),
        why,
    };
    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| not(e.to_string()))?;
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| not(e.to_string()))?;
    if ok != "ok" {
        return Err(not(format!("SQLite's integrity check says {ok}")));
    }
    let schema_version: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| not(e.to_string()))?;
    let supported = super::sqlite::SqliteStore::SCHEMA_VERSION as i64;
    if schema_version > supported {
        return Err(not(format!(
            "its schema is version {schema_version}, newer than this program's {supported}; upgrade energistasjon first"
        )));
    }
    let count = |table: &str| -> Result<i64> {
        c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .map_err(|e| not(format!("no {table} table ({e})")))
    };
    Ok(Summary {
        schema_version,
        sites: count("sites")?,
        audit_entries: count("audit")?,
    })
}

/// Backs the store `db` (a SQLite file or a postgres:// URL) up to `out`.
pub fn backup(db: &str, out: &Path) -> Result<Option<Summary>> {
    if is_postgres(db) {
        pg_dump(db, out)?;
        return Ok(None);
    }
    let path = Path::new(db);
    if !path.is_file() {
        return Err(BackupError::Io {
            path: db.to_string(),
            message: "no store file here".into(),
        });
    }
    let src = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(sqlite_err(path))?;
    src.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(sqlite_err(path))?;
    copy_sqlite(&src, out).map(Some)
}

/// Brings the backup `from` back as the store `db`. An existing SQLite store is replaced
/// only with `force`, and is then kept beside it as `<db>.before-restore-<time>`.
pub fn restore(from: &Path, db: &str, force: bool) -> Result<Option<Summary>> {
    if is_postgres(db) {
        if !from.is_file() {
            return Err(io_err(from)(std::io::Error::from(
                std::io::ErrorKind::NotFound,
            )));
        }
        // A database that holds a store is replaced only with --force, and dumped first.
        let (url, password) = without_password(db);
        let mut probe = Command::new("psql");
        probe
            .args(["--no-psqlrc", "--tuples-only", "--no-align", "--command"])
            .arg("SELECT to_regclass('public.schema_version') IS NOT NULL")
            .arg(&url);
        if let Some(p) = &password {
            probe.env("PGPASSWORD", p);
        }
        let holds_store = output(&mut probe)?.trim() == "t";
        if holds_store {
            let kept = PathBuf::from(format!(
                "{}.before-restore-{}.pgdump",
                from.display(),
                crate::store::now()
            ));
            if !force {
                return Err(BackupError::Exists {
                    path: redacted(db),
                    kept: kept.display().to_string(),
                });
            }
            pg_dump(db, &kept)?;
        }
        // One transaction: a restore that fails half-way leaves the database as it was.
        let mut cmd = Command::new("pg_restore");
        cmd.args([
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
        ])
        .arg(&url)
        .arg(from);
        if let Some(p) = &password {
            cmd.env("PGPASSWORD", p);
        }
        run(&mut cmd)?;
        return Ok(None);
    }
    // Checked before anything is touched: a bad backup leaves the store as it was.
    let summary = check_sqlite(from)?;
    let target = Path::new(db);
    let kept = target.with_file_name(format!(
        "{}.before-restore-{}",
        target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        crate::store::now()
    ));
    if target.exists() {
        if !force {
            return Err(BackupError::Exists {
                path: db.to_string(),
                kept: kept.display().to_string(),
            });
        }
        // Its WAL is folded in first, so the kept copy is whole on its own; a store still in
        // use (a running service) cannot be, and is not replaced.
        let c = Connection::open(target).map_err(sqlite_err(target))?;
        let busy: i64 = c
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
            .map_err(sqlite_err(target))?;
        drop(c);
        if busy != 0 {
            return Err(BackupError::Sqlite {
                path: db.to_string(),
                message: "the store is in use; stop the service before restoring".into(),
            });
        }
        std::fs::rename(target, &kept).map_err(io_err(target))?;
        // Whatever is left beside it goes with it, never deleted.
        for ext in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{db}{ext}"));
            if side.exists() {
                let to = PathBuf::from(format!("{}{ext}", kept.display()));
                std::fs::rename(&side, &to).map_err(io_err(&side))?;
            }
        }
    }
    let src = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(sqlite_err(from))?;
    copy_sqlite(&src, target)?;
    Ok(Some(summary))
}

/// `pg_dump` of `db` into `out`, written beside it and renamed into place.
fn pg_dump(db: &str, out: &Path) -> Result<()> {
    let tmp = beside(out, "partial");
    let (url, password) = without_password(db);
    let mut cmd = Command::new("pg_dump");
    cmd.args(["--format=custom", "--no-owner", "--file"])
        .arg(&tmp)
        .arg(&url);
    if let Some(p) = &password {
        cmd.env("PGPASSWORD", p);
    }
    run(&mut cmd).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })?;
    std::fs::rename(&tmp, out).map_err(io_err(out))
}

/// The URL without its password, and the password: a password on a command line is
/// readable by every user of the machine (`ps`), one in the environment is not.
fn without_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://") else {
        return (url.to_string(), None);
    };
    let rest = &url[scheme_end + 3..];
    let Some(at) = rest.find('@') else {
        return (url.to_string(), None);
    };
    match rest[..at].split_once(':') {
        Some((user, password)) => (
            format!("{}{user}{}", &url[..scheme_end + 3], &rest[at..]),
            Some(password.to_string()),
        ),
        None => (url.to_string(), None),
    }
}

fn redacted(url: &str) -> String {
    match without_password(url) {
        (u, Some(_)) => u.replacen('@', ":***@", 1),
        (u, None) => u,
    }
}

/// A tool's standard output, or its error.
fn output(cmd: &mut Command) -> Result<String> {
    let tool = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd.output().map_err(|e| BackupError::Tool {
        tool: tool.clone(),
        message: e.to_string(),
    })?;
    if !out.status.success() {
        return Err(BackupError::Tool {
            tool,
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn run(cmd: &mut Command) -> Result<()> {
    let tool = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd.output().map_err(|e| BackupError::Tool {
        tool: tool.clone(),
        message: e.to_string(),
    })?;
    if !out.status.success() {
        return Err(BackupError::Tool {
            tool,
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_leaves_the_url_for_the_environment() {
        assert_eq!(
            without_password("postgres://ola:hemmelig@db:5432/es"),
            (
                "postgres://ola@db:5432/es".to_string(),
                Some("hemmelig".to_string())
            )
        );
        assert_eq!(
            without_password("postgres://postgres@127.0.0.1:5432/postgres"),
            (
                "postgres://postgres@127.0.0.1:5432/postgres".to_string(),
                None
            )
        );
        assert_eq!(
            redacted("postgres://ola:x@db/es"),
            "postgres://ola:***@db/es"
        );
    }
}
