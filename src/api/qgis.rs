//! `GET /qgis/project.qgs`: a QGIS project that opens every collection through QGIS's own
//! OGC API Features provider, styled as the web map draws them (`export::qgis`).

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::export::qgis::{project as write_project, Geometry, Layer, Style};

/// The map's colour for an input layer (`web/app.js`), grey for anything else.
fn colour(id: &str) -> [u8; 3] {
    match id {
        "municipalities" => [0x9a, 0x9a, 0x9a],
        "landuse" => [0xb8, 0xd8, 0xbe],
        "roads" => [0xd3, 0x54, 0x00],
        "rail" => [0x55, 0x55, 0x55],
        "terminals" | "hub-clusters" => [0xe6, 0x9f, 0x00],
        "grid" => [0xf1, 0xc4, 0x0f],
        "stations" => [0x1f, 0x61, 0x8d],
        "exclusion" => [0xc0, 0x39, 0x2b],
        "corridors" | "corridor-gaps" => [0xc0, 0x39, 0x2b],
        _ => [0x80, 0x80, 0x80],
    }
}

/// A QGIS project (`.qgs`) with every collection of this service as an OGC API Features
/// layer: candidates and site areas filled by score (viridis) and ringed by review status,
/// input layers in the map's colours. Open it in QGIS 3.22 or later.
#[utoipa::path(get, path = "/qgis/project.qgs", tag = "OGC API Features",
    responses(
        (status = 200, description = "The project", content_type = "application/x-qgis-project", body = String),
    ))]
pub async fn project(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let base = super::features::base(&headers);
    let mut layers = Vec::new();
    let first = ["candidates-mcs-corridor", "candidates-mcs-corridor-grid"]
        .into_iter()
        .chain(
            state
                .collections
                .iter()
                .map(|c| c.id.as_str())
                .filter(|id| id.starts_with("candidates-")),
        )
        .find(|id| state.collections.iter().any(|c| c.id == *id))
        .unwrap_or_default()
        .to_string();
    for c in state.collections.iter() {
        // A layer QGIS cannot type (no features yet) would open as invalid: left out.
        let geometry = match (0..c.len()).next().map(|i| c.geometry(i, false)) {
            Some(g) => match g["type"].as_str() {
                Some("Point" | "MultiPoint") => Geometry::Point,
                Some("LineString" | "MultiLineString") => Geometry::Line,
                Some("Polygon" | "MultiPolygon") => Geometry::Polygon,
                _ => continue,
            },
            None => continue,
        };
        // Candidates by their score, site areas by their best candidate's.
        let scored = ["score", "best_score"]
            .into_iter()
            .find(|p| c.has_property(p));
        // The map's first view: megawatt charging and the base layers; the rest start hidden.
        let visible = c.id == first
            || matches!(
                c.id.as_str(),
                "municipalities" | "roads" | "grid" | "stations"
            );
        layers.push(Layer {
            id: c.id.clone(),
            title: c.title.clone(),
            geometry,
            style: match scored {
                Some(attr) => Style::Scored(attr),
                None => Style::Plain(colour(&c.id)),
            },
            visible,
        });
    }
    // QGIS draws the first layer on top: points, then lines, then areas.
    layers.sort_by_key(|l| match (l.geometry, l.style) {
        (Geometry::Point, Style::Scored(_)) => 0,
        (Geometry::Point, _) => 1,
        (Geometry::Line, _) => 2,
        (Geometry::Polygon, Style::Scored(_)) => 3,
        (Geometry::Polygon, _) => 4,
    });
    // EPSG:25833 as GDAL writes it; without it QGIS would open the project in no CRS.
    let wkt = crate::ingest::crs::internal()
        .ok()
        .and_then(|s| s.to_wkt().ok())
        .unwrap_or_default();
    let body = write_project(&state.region.name, &base, &wkt, &layers);
    (
        [
            (header::CONTENT_TYPE, "application/x-qgis-project"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"energistasjon.qgs\"",
            ),
        ],
        body,
    )
        .into_response()
}
