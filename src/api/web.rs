//! The web map's files: `web/` (index.html, app.js, i18n.js, style.css) and MapLibre from
//! `web/node_modules/maplibre-gl/dist` under `/web/vendor/maplibre-gl/`. Nothing is copied
//! into the repository; `npm install` in `web/` (done by scripts/start.sh) fetches MapLibre.

use std::path::{Path, PathBuf};

use axum::extract::Path as UrlPath;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

/// `ENERGISTASJON_WEB_DIR`, else `web/` in the working directory, else beside the crate.
pub fn web_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ENERGISTASJON_WEB_DIR") {
        return PathBuf::from(dir);
    }
    let local = PathBuf::from("web");
    if local.join("index.html").is_file() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("web")
}

fn vendor_dir(web: &Path) -> PathBuf {
    web.join("node_modules/maplibre-gl/dist")
}

/// The map page, when the web map and MapLibre are installed.
pub fn index() -> Option<String> {
    let web = web_dir();
    if !vendor_dir(&web).join("maplibre-gl.mjs").is_file() {
        return None;
    }
    std::fs::read_to_string(web.join("index.html")).ok()
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") | Some("mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") | Some("map") => "application/json",
        _ => "application/octet-stream",
    }
}

/// A file of the web map; names are plain file names, so no path leaves the two folders.
pub async fn file(UrlPath(path): UrlPath<String>) -> Result<Response, ApiError> {
    let plain = |s: &str| {
        !s.is_empty()
            && !s.starts_with('.')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let web = web_dir();
    let file = match path.strip_prefix("vendor/maplibre-gl/") {
        Some(name) if plain(name) => vendor_dir(&web).join(name),
        None if plain(&path) => web.join(&path),
        _ => return Err(ApiError::NotFound(format!("no web file '{path}'"))),
    };
    let bytes = tokio::fs::read(&file).await.map_err(|_| {
        ApiError::NotFound(format!(
            "no web file '{path}'. Hint: run `npm install` in web/ (scripts/start.sh does)"
        ))
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type(&path)),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        bytes,
    )
        .into_response())
}
