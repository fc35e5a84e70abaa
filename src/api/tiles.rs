//! `GET /tiles/{collection}/{z}/{x}/{y}.mvt`: Mapbox vector tiles of any collection, with the
//! candidates' scores under the weights a planner is trying (`?weights=`).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::error::{bad, ApiError};
use super::AppState;
use crate::catalog::review::ReviewOverlay;
use crate::catalog::Source;
use crate::domain::profile::with_weights;
use crate::domain::review::Status;
use crate::tiles::rendered::TileKey;
use crate::tiles::{tile as encode, TileError, View};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TileQuery {
    /// Candidate collections: criterion weights, `main_road:10,grid_capacity:30,…`; criteria
    /// left out keep the profile's weight; all must sum to 100.
    pub weights: Option<String>,
    /// Candidate collections: only sites in this municipality (kommunenummer).
    pub kommunenummer: Option<String>,
    /// Candidate collections: only sites with this review status.
    pub status: Option<String>,
    /// Candidate collections: only sites scoring at least this.
    pub min_score: Option<f64>,
}

fn parse_weights(text: &str) -> Result<BTreeMap<String, f64>, ApiError> {
    text.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|kv| {
            let (k, v) = kv
                .split_once(':')
                .ok_or_else(|| bad("weights", format!("'{kv}' is not criterion:weight")))?;
            let w: f64 = v
                .trim()
                .parse()
                .map_err(|_| bad("weights", format!("the weight in '{kv}' is not a number")))?;
            Ok((k.trim().to_string(), w))
        })
        .collect()
}

/// A vector tile (MVT 2.1) of a collection: one layer named after it. Candidates carry id,
/// score, excluded, kommunenummer and review status; at low zoom only the best candidate
/// per few pixels that passes the filters.
#[utoipa::path(get, path = "/tiles/{collection}/{z}/{x}/{y}", tag = "OGC API Features",
    params(
        ("collection" = String, Path, description = "A collection id from /collections"),
        ("z" = u8, Path, description = "Zoom, 0–20"),
        ("x" = u32, Path, description = "Tile column"),
        ("y" = String, Path, description = "Tile row, with the .mvt suffix: 297.mvt"),
        TileQuery,
    ),
    responses(
        (status = 200, description = "The tile", content_type = "application/vnd.mapbox-vector-tile"),
        (status = 400, description = "A tile outside the zoom's range, or bad weights", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such collection", body = super::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn tile(
    State(state): State<AppState>,
    Path((collection, z, x, y)): Path<(String, String, String, String)>,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    let number = |name: &str, text: &str| -> Result<u32, ApiError> {
        text.parse::<u32>()
            .map_err(|_| bad(name, format!("'{text}' is not a tile number")))
    };
    let y = y.strip_suffix(".mvt").ok_or_else(|| {
        bad(
            "y",
            "tiles end in .mvt: /tiles/{collection}/{z}/{x}/{y}.mvt",
        )
    })?;
    let (z, x, y) = (number("z", &z)?, number("x", &x)?, number("y", y)?);
    let z = u8::try_from(z).map_err(|_| bad("z", "zoom must lie in 0..=20"))?;
    let c = state
        .collections
        .iter()
        .find(|c| c.id == collection)
        .ok_or_else(|| ApiError::NotFound(format!("no collection '{collection}'")))?;
    let candidates = matches!(c.source, Source::Candidates(_));
    let mut key = TileKey {
        collection: collection.clone(),
        z,
        x,
        y,
        query: uri.query().unwrap_or("").to_string(),
        stamp: 0,
    };
    // A kept tile is answered here, with no thread hop, when the review state it shows is
    // known current: no review store, a plain layer, or a stamp read moments ago.
    let current = if !candidates || state.store.is_none() {
        Some(0)
    } else {
        state.reviews.recent_stamp()
    };
    if let Some(stamp) = current {
        key.stamp = stamp;
        if let Some(bytes) = state.rendered.get(&key) {
            state.metrics.tile_served(true);
            return Ok(mvt_response(bytes));
        }
    }
    let q = Query::<TileQuery>::try_from_uri(&uri)
        .map_err(|e| bad("query", e.body_text()))?
        .0;
    // The review state, when it is known without asking the store.
    let known = match (candidates, state.store.is_some()) {
        (false, _) | (true, false) => Some(None),
        (true, true) => state.reviews.recent().map(Some),
    };
    // A tile from z12 holds a few hundred candidates, a fraction of a millisecond of work:
    // encoded here, it saves two thread switches. Lower zooms scan far more, and a store
    // read blocks, so those go to the blocking pool.
    // Only with the index at hand: a build holds the indexes' lock for seconds.
    let index = (z >= INLINE_FROM_ZOOM)
        .then(|| state.tiles.ready(c))
        .flatten();
    if let (Some(review), Some(index)) = (known.clone(), index) {
        return render(&state, key, &q, review, Some(index));
    }
    tokio::task::spawn_blocking(move || {
        let review = match known {
            Some(review) => review,
            None => super::session::stamped_overlay(&state)?,
        };
        render(&state, key, &q, review, None)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("tile task failed: {e}")))?
}

/// Tiles from this zoom are encoded on the request's own thread.
const INLINE_FROM_ZOOM: u8 = 12;

/// The tile under `key`, kept or encoded (and then kept), with `review` behind its statuses.
fn render(
    state: &AppState,
    mut key: TileKey,
    q: &TileQuery,
    review: Option<(i64, std::sync::Arc<ReviewOverlay>)>,
    index: Option<std::sync::Arc<crate::tiles::TileIndex>>,
) -> Result<Response, ApiError> {
    key.stamp = review.as_ref().map_or(0, |(s, _)| *s);
    if let Some(bytes) = state.rendered.get(&key) {
        state.metrics.tile_served(true);
        return Ok(mvt_response(bytes));
    }
    let bytes = Bytes::from(build(
        state,
        &key,
        q,
        review.as_ref().map(|(_, o)| o.as_ref()),
        index,
    )?);
    state.rendered.insert(key, bytes.clone());
    state.metrics.tile_served(false);
    Ok(mvt_response(bytes))
}

fn mvt_response(bytes: Bytes) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/vnd.mapbox-vector-tile"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        bytes,
    )
        .into_response()
}

fn build(
    state: &AppState,
    key: &TileKey,
    q: &TileQuery,
    review: Option<&ReviewOverlay>,
    index: Option<std::sync::Arc<crate::tiles::TileIndex>>,
) -> Result<Vec<u8>, ApiError> {
    let (collection, z, x, y) = (key.collection.as_str(), key.z, key.x, key.y);
    let weights = q.weights.as_deref();
    let c = state
        .collections
        .iter()
        .find(|c| c.id == collection)
        .ok_or_else(|| ApiError::NotFound(format!("no collection '{collection}'")))?;
    let weights = match (weights, &c.source) {
        (Some(w), Source::Candidates(s)) => {
            let parsed = parse_weights(w)?;
            let profile = with_weights(&s.profile, &parsed).map_err(|m| bad("weights", m))?;
            // Only the tile's own candidates are scored: no ranks, no pass over the grid.
            Some(
                profile
                    .criteria
                    .iter()
                    .map(|cr| cr.weight)
                    .collect::<Vec<f64>>(),
            )
        }
        (Some(_), Source::Layer(_)) => {
            return Err(bad(
                "weights",
                "weights apply to candidate collections only",
            ))
        }
        (None, _) => None,
    };
    let filtered = q.kommunenummer.is_some() || q.status.is_some() || q.min_score.is_some();
    if filtered && !matches!(c.source, Source::Candidates(_)) {
        return Err(bad(
            "kommunenummer",
            "kommunenummer, status and min_score filter candidate collections only",
        ));
    }
    if let Some(st) = q.status.as_deref() {
        if Status::parse(st).is_none() {
            return Err(bad(
                "status",
                format!(
                    "unknown status '{st}'; use one of {}",
                    Status::ALL.map(|s| s.name()).join(", ")
                ),
            ));
        }
    }
    if let Some(m) = q.min_score {
        if !(0.0..=100.0).contains(&m) {
            return Err(bad("min_score", "min_score lies in 0..100"));
        }
    }
    let view = View {
        weights: weights.as_deref(),
        review,
        kommunenummer: q.kommunenummer.as_deref(),
        status: q.status.as_deref(),
        min_score: q.min_score,
    };
    let index = index.unwrap_or_else(|| state.tiles.index(c));
    encode(c, &index, z, x, y, &view).map_err(|e| match e {
        TileError::Zoom(_) => bad("z", e.to_string()),
        TileError::OutOfRange { .. } => bad("x", e.to_string()),
    })
}
