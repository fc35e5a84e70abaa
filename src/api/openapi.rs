//! The OpenAPI 3.1 document (`service-desc`), generated from the handlers' annotations, and
//! the parameter lists that exist only to document it.

use super::Document;

use axum::extract::Query;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use super::html;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "energistasjon",
        description = "Energistasjoner for tungtransport: kandidatområder, scoring og datagrunnlag. \
            OGC API Features (Part 1 Core + GeoJSON, Part 2 CRS) for every input layer and the scored \
            candidates of every profile, and planning endpoints for re-weighting and comparing candidates."
    ),
    tags(
        (name = "OGC API Features", description = "Landing page, conformance, collections and items"),
        (name = "Planning", description = "Profiles, re-scoring with new weights, candidate details, export"),
        (name = "Review", description = "Login, tokens, proposals, comments, votes, statuses and the audit log"),
        (name = "Programme", description = "The action programme, its computed KPIs and the yearly report"),
        (name = "Operations", description = "Health, metrics and this document"),
    ),
    components(schemas(super::error::Problem))
)]
pub struct ApiDoc;

pub const MEDIA_TYPE: &str = "application/vnd.oai.openapi+json;version=3.1";

/// The query parameters of `/collections/{id}/items`. Any other parameter filters on a
/// property of the same name (`kommunenummer=0301`, `status=approved`).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ItemsParams {
    /// minLon,minLat,maxLon,maxLat in CRS84, or minX,minY,maxX,maxY with `bbox-crs` EPSG:25833.
    bbox: Option<String>,
    /// The CRS of `bbox`: http://www.opengis.net/def/crs/OGC/1.3/CRS84 (default) or
    /// http://www.opengis.net/def/crs/EPSG/0/25833.
    #[serde(rename = "bbox-crs")]
    #[param(rename = "bbox-crs")]
    bbox_crs: Option<String>,
    /// The CRS of the returned geometries: CRS84 (default) or EPSG:25833.
    crs: Option<String>,
    /// Features per page, 1..10000 (default 100).
    #[param(minimum = 1, maximum = 10000)]
    limit: Option<u32>,
    /// Features to skip; the `next` link sets it.
    #[param(minimum = 0)]
    offset: Option<u64>,
    /// A property to sort by; a leading `-` sorts descending (`-score`).
    sortby: Option<String>,
    /// Only candidates scoring at least this (candidates-* collections).
    min_score: Option<f64>,
    /// `json` (the default).
    f: Option<String>,
}

/// The query parameters of a single feature.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ItemParams {
    /// The CRS of the returned geometry: CRS84 (default) or EPSG:25833.
    crs: Option<String>,
}

/// `GET /api`: this OpenAPI document.
#[utoipa::path(
    get,
    path = "/api",
    tag = "Operations",
    responses((status = 200, description = "The OpenAPI 3.1 document of this service",
        content_type = "application/vnd.oai.openapi+json;version=3.1", body = serde_json::Value))
)]
pub async fn service_desc(Extension(doc): Extension<Document>) -> Response {
    (
        [(header::CONTENT_TYPE, MEDIA_TYPE)],
        doc.json.as_ref().clone(),
    )
        .into_response()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangParams {
    /// `nb` (bokmål, the default) or `en`.
    pub lang: Option<String>,
}

/// `GET /api.html`: the same document as a page to read.
#[utoipa::path(
    get,
    path = "/api.html",
    tag = "Operations",
    params(LangParams),
    responses((status = 200, description = "The API documentation as HTML", content_type = "text/html", body = String))
)]
pub async fn service_doc(
    Extension(doc): Extension<Document>,
    Query(q): Query<LangParams>,
) -> Html<String> {
    Html(html::service_doc(
        &doc.doc,
        html::Lang::from_param(q.lang.as_deref()),
    ))
}
