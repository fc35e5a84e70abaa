//! The HTTP API. `router(state)` is all a server or a test needs.

pub mod checklist;
pub mod dossier;
pub mod error;
pub mod export;
pub mod features;
pub mod harden;
pub mod health;
pub mod html;
pub mod metrics;
pub mod network;
pub mod openapi;
pub mod planning;
pub mod programme;
pub mod qgis;
pub mod reload;
pub mod review;
pub mod session;
pub mod sizing;
pub mod tiles;
pub mod web;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use axum::{Extension, Router};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::Region;
use crate::ingest::RegionReport;
use crate::scoring::ScoringContext;

pub use error::ApiError;

/// Shared, read-only state behind every request: one pointer, so handing it to a request
/// (axum clones it for every extractor and middleware) is one atomic increment.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// Changing a field (the builders below) copies the fields first if another clone holds
/// them: clones stay independent, as values.
impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut Shared {
        Arc::make_mut(&mut self.0)
    }
}

/// What an `AppState` holds.
#[derive(Clone)]
pub struct Shared {
    /// The region and its indexes live as long as the process: candidates are explained
    /// on request against them.
    pub region: &'static Region,
    pub ctx: Arc<ScoringContext<'static>>,
    pub report: Arc<RegionReport>,
    /// The OGC API collections, in CRS84, built once at start-up.
    pub collections: Arc<Vec<crate::catalog::Collection>>,
    /// Each profile's measured candidates, for re-weighting without spatial queries.
    pub scored: Arc<Vec<Arc<crate::catalog::Scored>>>,
    pub metrics: Arc<metrics::Metrics>,
    pub options: Arc<ApiOptions>,
    /// Users, proposals and reviews; None serves the read-only map and data.
    pub store: Option<Arc<dyn crate::store::Store>>,
    pub logins: Arc<session::LoginLimiter>,
    /// The store's review state as last read, and the stamp it was read at.
    pub reviews: Arc<session::Reviews>,
    /// Tile indexes for `/tiles`, built on first use.
    pub tiles: Arc<crate::tiles::Cache>,
    /// Encoded tiles, kept for the next request for the same tile; new with new data.
    pub rendered: Arc<crate::tiles::rendered::Rendered>,
    /// Candidates explained for `/collections/…/items`, kept for the next request.
    pub explained: Arc<features::Explained>,
    /// The shipped demand scenarios, read on first use.
    pub scenarios: Arc<sizing::Scenarios>,
    /// The shipped checklists, read on first use.
    pub checklists: Arc<checklist::Checklists>,
    /// `config::shipped_version()` when the state was built: profiles, scenarios and mapping
    /// tables, which a reload compares as well as the data version.
    pub shipped_version: String,
    /// The live router this state serves in, for `POST /api/admin/reload`; None in tests
    /// that build a router directly.
    pub live: Option<std::sync::Weak<reload::Live>>,
}

/// How the service treats requests, set by `serve` flags.
#[derive(Debug, Clone)]
pub struct ApiOptions {
    /// A request still running after this gets a 503.
    pub timeout: Duration,
    /// Origins allowed to call the API from a browser; empty turns CORS off, `*` allows any.
    pub cors_origins: Vec<String>,
    /// Where `{year}.toml` action programmes are read from.
    pub programme_dir: std::path::PathBuf,
    /// Population table (kommunenummer, population) for the membership fees.
    pub population: Option<std::path::PathBuf>,
    /// Bytes of encoded tiles kept for repeat requests; 0 keeps none.
    pub tile_cache_bytes: u64,
}

impl Default for ApiOptions {
    fn default() -> Self {
        ApiOptions {
            timeout: Duration::from_secs(30),
            cors_origins: Vec::new(),
            programme_dir: crate::config::default_programme_dir(),
            population: None,
            tile_cache_bytes: crate::tiles::rendered::DEFAULT_BYTES,
        }
    }
}

impl AppState {
    /// Builds the collections too: reprojects every layer and scores every profile's parcels.
    pub fn new(region: Region, report: RegionReport) -> Result<Self, crate::ingest::crs::CrsError> {
        Self::with_grid(region, report, None)
    }

    /// As `new`, and measures every profile on a grid too, for `POST /api/score`.
    pub fn with_grid(
        region: Region,
        report: RegionReport,
        grid: Option<&crate::catalog::GridSpec>,
    ) -> Result<Self, crate::ingest::crs::CrsError> {
        Self::with_grid_cache(region, report, grid, None)
    }

    /// As `with_grid`, with the grid's measurements kept in the start-up cache under
    /// `cache_dir`.
    pub fn with_grid_cache(
        region: Region,
        report: RegionReport,
        grid: Option<&crate::catalog::GridSpec>,
        cache_dir: Option<&std::path::Path>,
    ) -> Result<Self, crate::ingest::crs::CrsError> {
        let region: &'static Region = Box::leak(Box::new(region));
        let ctx = ScoringContext::new(region);
        let hashed = crate::ingest::sources_hashed(&report.layers);
        if cache_dir.is_some() && !hashed && grid.is_some() {
            tracing::info!("a source is a database or remote service, whose changes the data version cannot see; the grid is measured at every start");
        }
        let cache = cache_dir
            .filter(|_| hashed)
            .map(|dir| crate::catalog::cache::CacheSpec {
                dir: dir.to_path_buf(),
                data_version: report.data_version.clone(),
            });
        let (collections, scored) = crate::catalog::build_cached(&ctx, grid, cache.as_ref())?;
        give_back_freed_memory();
        Ok(AppState(Arc::new(Shared {
            region,
            ctx: Arc::new(ctx),
            report: Arc::new(report),
            collections: Arc::new(collections),
            scored: Arc::new(scored),
            metrics: Arc::new(metrics::Metrics::default()),
            tiles: Arc::new(crate::tiles::Cache::default()),
            rendered: Arc::new(crate::tiles::rendered::Rendered::default()),
            explained: Arc::new(features::Explained::default()),
            options: Arc::new(ApiOptions::default()),
            store: None,
            logins: Arc::new(session::LoginLimiter::default()),
            reviews: Arc::new(session::Reviews::default()),
            scenarios: Arc::new(sizing::Scenarios::default()),
            checklists: Arc::new(checklist::Checklists::default()),
            shipped_version: crate::config::shipped_version(),
            live: None,
        })))
    }

    /// This state for new data: what users and operators set up (the store, sessions and
    /// login limits, metrics, options) carries over from `previous`.
    pub fn carrying_over(mut self, previous: &AppState) -> Self {
        self.store = previous.store.clone();
        self.logins = previous.logins.clone();
        self.reviews = previous.reviews.clone();
        self.metrics = previous.metrics.clone();
        self.options = previous.options.clone();
        self.rendered = Arc::new(crate::tiles::rendered::Rendered::new(
            self.options.tile_cache_bytes,
        ));
        self
    }

    pub fn with_live(mut self, live: std::sync::Weak<reload::Live>) -> Self {
        self.live = Some(live);
        self
    }

    /// Builds the tile indexes of point candidate sets (grids) on a thread of their own, so
    /// the first map tiles do not wait for them: about a second on a national grid.
    pub fn warm_tiles(&self) {
        let state = self.clone();
        std::thread::spawn(move || {
            for c in state.collections.iter() {
                let points = c.scored().is_some_and(|s| {
                    matches!(s.lonlat.as_ref(), crate::catalog::places::LonLat::Points(_))
                });
                if points {
                    state.tiles.index(c);
                }
            }
        });
    }

    pub fn with_store(mut self, store: Arc<dyn crate::store::Store>) -> Self {
        self.store = Some(store);
        self.reviews = Arc::new(session::Reviews::default());
        self
    }

    pub fn with_options(mut self, options: ApiOptions) -> Self {
        self.rendered = Arc::new(crate::tiles::rendered::Rendered::new(
            options.tile_cache_bytes,
        ));
        self.options = Arc::new(options);
        self
    }
}

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// The routes, each documented by its handler's `utoipa::path`, so the OpenAPI document
/// lists exactly what the router serves.
fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(features::landing))
        .routes(routes!(features::conformance))
        .routes(routes!(features::collections))
        .routes(routes!(features::collection))
        .routes(routes!(features::items))
        .routes(routes!(features::item))
        .routes(routes!(planning::profiles))
        .routes(routes!(planning::score))
        .routes(routes!(planning::shortlist))
        .routes(routes!(planning::candidate))
        .routes(routes!(planning::compare))
        .routes(routes!(sizing::sizing))
        .routes(routes!(export::export))
        .routes(routes!(network::corridors))
        .routes(routes!(tiles::tile))
        .routes(routes!(network::select))
        .routes(routes!(session::login))
        .routes(routes!(session::logout))
        .routes(routes!(session::me))
        .routes(routes!(session::add_user))
        .routes(routes!(session::create_token))
        .routes(routes!(session::revoke_token))
        .routes(routes!(review::propose, review::proposals))
        .routes(routes!(review::upload))
        .routes(routes!(review::proposal))
        .routes(routes!(review::scenarios, review::save_scenario))
        .routes(routes!(review::site))
        .routes(routes!(review::comment))
        .routes(routes!(review::vote))
        .routes(routes!(review::set_status))
        .routes(routes!(checklist::checklist, checklist::tick))
        .routes(routes!(dossier::dossier))
        .routes(routes!(review::audit))
        .routes(routes!(programme::years))
        .routes(routes!(programme::programme))
        .routes(routes!(programme::report))
        .routes(routes!(programme::measures))
        .routes(routes!(programme::kpis))
        .routes(routes!(programme::change))
        .routes(routes!(programme::fees))
        .routes(routes!(health::healthz))
        .routes(routes!(reload::reload))
        .routes(routes!(metrics::metrics))
        .routes(routes!(openapi::service_desc))
        .routes(routes!(qgis::project))
        .routes(routes!(openapi::service_doc))
}

/// The OpenAPI document of the service, as `GET /api` serves it.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    documented().into_openapi()
}

/// The OpenAPI document, serialized once when the router is built; the refusal mapper
/// (`error::problems`) reads the allowed methods from it, `openapi` serves it.
#[derive(Clone)]
pub struct Document {
    pub json: Arc<String>,
    pub doc: Arc<utoipa::openapi::OpenApi>,
}

impl Document {
    pub fn new(doc: utoipa::openapi::OpenApi) -> Self {
        let json = doc.to_pretty_json().unwrap_or_else(|_| "{}".to_string());
        Document {
            json: Arc::new(json),
            doc: Arc::new(doc),
        }
    }
}

pub fn router(state: AppState) -> Router {
    let (routes, doc) = documented().split_for_parts();
    let options = state.options.clone();
    let mut app = routes
        .route("/web/{*path}", axum::routing::get(web::file))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(error::problems))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(Extension(Document::new(doc)))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), timeout))
        // Inside the compression: it reads and extends problem bodies before they are gzipped.
        .layer(axum::middleware::from_fn(harden::harden))
        .layer(CompressionLayer::new().gzip(true));
    if let Some(cors) = cors(&options.cors_origins) {
        app = app.layer(cors);
    }
    app.with_state(state)
}

/// CORS for the configured origins; none configured means no CORS headers at all.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([
                axum::http::Method::GET,
                axum::http::Method::POST,
                axum::http::Method::DELETE,
            ])
            .allow_headers([
                axum::http::header::CONTENT_TYPE,
                axum::http::header::AUTHORIZATION,
                axum::http::HeaderName::from_static(session::CSRF_HEADER),
            ]),
    )
}

/// Middleware: a request still running after the configured time gets a 503 problem+json;
/// and a request that may have written clears the review stamp tiles rely on.
/// Exports are exempt: half a million candidates take longer, and they stream; so is a
/// reload, whose work would otherwise go on unseen after the 503.
async fn timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    use axum::response::IntoResponse;
    // A reload measures the whole grid again and must not be dropped half-way.
    if matches!(req.uri().path(), "/api/export" | "/api/admin/reload") {
        return next.run(req).await;
    }
    let limit = state.options.timeout;
    let writes = !req.method().is_safe();
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => {
            // Whatever it wrote is committed now; tiles must not trust an older stamp.
            if writes {
                state.reviews.written();
            }
            response
        }
        Err(_) => {
            if writes {
                state.reviews.written();
            }
            ApiError::Timeout(format!(
            "the request took longer than the server's limit of {} s; narrow it (bbox, limit) or try again",
            limit.as_secs_f64()
        ))
            .into_response()
        }
    }
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!("no resource at {}", uri.path()))
}

/// Building the catalog frees hundreds of MB of buffers (the cache file, measuring scratch)
/// that glibc keeps in its arenas; hand them back so the resident size is what is kept.
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free pages of the allocator's arenas; it touches no
    // live allocation and is safe to call from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}
