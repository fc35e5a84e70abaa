//! Hot reload: load the region again (a new NVDB export, a new land-use file) and swap it in
//! without stopping the service.
//!
//! The server answers through [`Live`], which holds the current router. Each request takes
//! a clone of the router when it starts and runs to the end on the state it found, so an
//! export streaming when the swap happens completes on the old data; the next request sees
//! the new. Users, sessions, login limits, metrics and options carry over; the tile and
//! re-weighting caches start afresh with the new data.
//!
//! A reload that fails (a layer that no longer loads) keeps the old state and says why.
//!
//! The old region is not freed: handlers hold it as `&'static`, so it stays for the life of
//! the process. A reload therefore costs one region's memory, which is why unchanged data
//! (the same data version and shipped files) is read to compare but not swapped in.

use std::sync::{Arc, RwLock, Weak};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::Serialize;

use super::{ApiError, AppState};

/// Builds a new state from the region's files, carrying over what `previous` shares.
pub type Loader = dyn Fn(&AppState) -> Result<AppState, String> + Send + Sync;

/// The router currently serving, and how to build the next one.
pub struct Live {
    current: RwLock<(AppState, Router)>,
    loader: Box<Loader>,
    busy: tokio::sync::Mutex<()>,
}

/// What a reload did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Reloaded {
    /// Whether new data was swapped in; false when neither the data version nor the shipped
    /// profiles, scenarios and mapping tables changed.
    pub swapped: bool,
    pub previous_data_version: String,
    pub data_version: String,
    pub seconds: f64,
}

impl Live {
    pub fn new(state: AppState, loader: Box<Loader>) -> Arc<Self> {
        Arc::new_cyclic(|me: &Weak<Live>| {
            let state = state.with_live(me.clone());
            Live {
                current: RwLock::new((state.clone(), super::router(state))),
                loader,
                busy: tokio::sync::Mutex::new(()),
            }
        })
    }

    /// The router for a request starting now.
    pub fn router(&self) -> Router {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .clone()
    }

    fn state(&self) -> AppState {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .0
            .clone()
    }

    /// Loads the region again and swaps it in. One reload at a time: a second while one
    /// runs is refused.
    pub async fn reload(self: &Arc<Self>) -> Result<Reloaded, ApiError> {
        let _guard = self.busy.try_lock().map_err(|_| {
            ApiError::Conflict("a reload is already running; try again when it has finished".into())
        })?;
        let started = std::time::Instant::now();
        let old = self.state();
        let previous_data_version = old.report.data_version.clone();
        let old_collections = old.collections.clone();
        let me = self.clone();
        let loaded = tokio::task::spawn_blocking(move || (me.loader)(&old))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .map_err(|e| {
                ApiError::Unavailable(format!(
                    "the reload failed and the service keeps the data it had: {e}"
                ))
            })?;
        let data_version = loaded.report.data_version.clone();
        // The loader hands back the old state itself when nothing changed.
        let swapped = !Arc::ptr_eq(&loaded.collections, &old_collections);
        if swapped {
            let state = loaded.with_live(Arc::downgrade(self));
            let router = super::router(state.clone());
            *self.current.write().unwrap_or_else(|p| p.into_inner()) = (state, router);
        }
        let seconds = started.elapsed().as_secs_f64();
        tracing::info!(swapped, %previous_data_version, %data_version, seconds, "reload");
        Ok(Reloaded {
            swapped,
            previous_data_version,
            data_version,
            seconds,
        })
    }

    /// A router that hands every request to the router current when it arrives.
    pub fn service(self: &Arc<Self>) -> Router {
        let live = self.clone();
        Router::new().fallback(move |req: Request| {
            let router = live.router();
            async move {
                use tower::ServiceExt;
                match router.oneshot(req).await {
                    Ok(r) => r,
                    Err(never) => match never {},
                }
            }
        })
    }
}

/// Loads the region's files again and swaps them in when the data changed; requests
/// already running finish on the old data. Admins only. `kill -HUP` does the same.
#[utoipa::path(post, path = "/api/admin/reload", tag = "Operations",
    responses(
        (status = 200, description = "Reloaded, or unchanged", body = Reloaded),
        (status = 401, description = "Not signed in", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A reload is already running", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The reload failed; the old data is kept, or the server cannot reload", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn reload(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let who = super::session::actor(&state, &headers, &method)?
        .ok_or_else(|| ApiError::Unauthorized("log in as an admin first".into()))?;
    if who.role != crate::domain::review::Role::Admin {
        return Err(ApiError::Forbidden("only admins reload the data".into()));
    }
    let live = state.live.as_ref().and_then(Weak::upgrade).ok_or_else(|| {
        ApiError::Unavailable(
            "this server cannot reload: it was not started by `energistasjon serve`".into(),
        )
    })?;
    Ok(Json(live.reload().await?).into_response())
}
