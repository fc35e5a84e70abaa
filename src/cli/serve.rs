//! `energistasjon serve`: load the region and answer HTTP until SIGINT or SIGTERM.

use std::net::SocketAddr;

use super::i18n::Msg;
use super::progress::CliProgress;
use super::{CliError, Common};
use crate::api::reload::{Live, Loader};
use crate::api::{ApiOptions, AppState};
use crate::catalog::GridSpec;
use crate::scoring::AreaFilter;

pub struct ServeArgs {
    pub addr: SocketAddr,
    pub grid: Option<f64>,
    pub municipalities: Vec<String>,
    pub timeout: f64,
    pub cors_origins: Vec<String>,
    /// Population table for the membership fees.
    pub population: Option<std::path::PathBuf>,
    /// Bytes of encoded tiles kept for repeat requests.
    pub tile_cache_bytes: u64,
    /// The review store (SQLite file).
    pub db: String,
    /// Where the grid's start-up cache goes; None turns it off.
    pub cache_dir: Option<std::path::PathBuf>,
}

pub async fn run(common: &Common, args: ServeArgs) -> Result<(), CliError> {
    let addr = args.addr;
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        return Err(CliError::Usage(format!(
            "--timeout must be a positive number of seconds, not {}",
            args.timeout
        )));
    }
    if let Some(size) = args.grid {
        if !(size.is_finite() && size >= 10.0) {
            return Err(CliError::Usage(format!(
                "--grid must be at least 10 metres, not {size}"
            )));
        }
    }
    let lang = common.lang;
    // A store that cannot open stops the start before the long load.
    let store = super::user::open_store(&args.db)?;
    let progress = CliProgress::new(lang);
    let (_, region, report) = common.load(&progress)?;
    if !report.is_usable() {
        for l in report.failed_required() {
            eprintln!(
                "{} {} {}: {}",
                lang.t(Msg::Failed),
                l.role,
                l.label,
                l.error.as_deref().unwrap_or("")
            );
        }
        return Err(CliError::Unusable(lang.t(Msg::NotStarting).to_string()));
    }
    if report.demonstration {
        eprintln!("{}", lang.t(Msg::Demonstration));
    }
    let grid = args.grid.map(|size| GridSpec {
        size,
        filter: AreaFilter::new(&args.municipalities),
    });
    let state = AppState::with_grid_cache(region, report, grid.as_ref(), args.cache_dir.as_deref())
        .map_err(|e| CliError::Unusable(e.to_string()))?
        .with_store(store)
        .with_options(ApiOptions {
            timeout: std::time::Duration::from_secs_f64(args.timeout),
            cors_origins: args.cors_origins,
            population: args.population,
            tile_cache_bytes: args.tile_cache_bytes,
            ..ApiOptions::default()
        });
    // A profile with nothing to rank serves empty lists; say so where operators look.
    for s in state.scored.iter() {
        if let Some((nb, en)) =
            crate::scoring::report::why_empty(&s.raw, s.set == crate::catalog::CandidateSet::Grid)
        {
            let text = if lang == super::Lang::En { en } else { nb };
            tracing::warn!(profile = %s.profile.id, candidates = s.set.name(), "{text}");
        }
    }
    state.warm_tiles();
    let live = Live::new(state, loader(common.clone(), grid, args.cache_dir.clone()));
    #[cfg(unix)]
    spawn_reload_on_sighup(live.clone(), lang);
    let app = live.service();
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| CliError::Bind {
            addr: addr.to_string(),
            source,
        })?;
    let local = listener.local_addr().map_err(CliError::Serve)?;
    eprintln!(
        "{} http://{local}/  ({})",
        lang.t(Msg::Listening),
        lang.t(Msg::StopHint)
    );
    tracing::info!(%local, "listening");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal(lang))
        .await
        .map_err(CliError::Serve)
}

/// The default cache folder: `$XDG_CACHE_HOME/energistasjon`, else `~/.cache/energistasjon`.
pub fn default_cache_dir() -> Option<std::path::PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| std::path::PathBuf::from(h).join(".cache"))
        })?;
    Some(base.join("energistasjon"))
}

/// How a reload builds the next state: the same region config, grid and cache, read again.
fn loader(
    common: Common,
    grid: Option<GridSpec>,
    cache_dir: Option<std::path::PathBuf>,
) -> Box<Loader> {
    Box::new(move |previous: &AppState| {
        let (_, region, report) = common
            .load(&crate::ingest::NoProgress)
            .map_err(|e| e.to_string())?;
        if !report.is_usable() {
            let failed: Vec<String> = report
                .failed_required()
                .map(|l| {
                    format!(
                        "{} {}: {}",
                        l.role,
                        l.label,
                        l.error.as_deref().unwrap_or("")
                    )
                })
                .collect();
            return Err(failed.join("; "));
        }
        // Unchanged files and profiles: nothing to swap. A database source may have changed
        // without a new data version, so such a region is always swapped.
        let unchanged = report.data_version == previous.report.data_version
            && crate::config::shipped_version() == previous.shipped_version
            && crate::ingest::sources_hashed(&report.layers);
        if unchanged {
            return Ok(previous.clone());
        }
        let state = AppState::with_grid_cache(region, report, grid.as_ref(), cache_dir.as_deref())
            .map_err(|e| e.to_string())?;
        let state = state.carrying_over(previous);
        state.warm_tiles();
        Ok(state)
    })
}

/// `kill -HUP` reloads the region, as `POST /api/admin/reload` does.
#[cfg(unix)]
fn spawn_reload_on_sighup(live: std::sync::Arc<Live>, lang: super::Lang) {
    let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else {
        tracing::warn!("no SIGHUP handler: reload with POST /api/admin/reload instead");
        return;
    };
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            eprintln!("{}", lang.t(Msg::Reloading));
            match live.reload().await {
                Ok(r) if r.swapped => eprintln!(
                    "{} {} → {} ({:.1} s)",
                    lang.t(Msg::Reloaded),
                    r.previous_data_version,
                    r.data_version,
                    r.seconds
                ),
                Ok(_) => eprintln!("{}", lang.t(Msg::ReloadUnchanged)),
                Err(e) => eprintln!("{}: {e}", lang.t(Msg::ReloadFailed)),
            }
        }
    });
}

async fn shutdown_signal(lang: super::Lang) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            // Without a SIGTERM handler, Ctrl+C still stops the server.
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    eprintln!("{}", lang.t(Msg::ShuttingDown));
}
