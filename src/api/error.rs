//! Errors as RFC 9457 problem+json. 5xx details stay in the logs.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A 400 naming the parameter at fault.
pub fn bad(parameter: &str, detail: impl Into<String>) -> ApiError {
    ApiError::BadRequest {
        parameter: parameter.to_string(),
        detail: detail.into(),
    }
}

/// A JSON body that does not parse becomes a 400 naming `what` it should have been; one
/// over the size limit a 413. Both as problem+json.
pub fn json_body<T>(
    b: Result<axum::Json<T>, axum::extract::rejection::JsonRejection>,
    what: &str,
) -> Result<T, ApiError> {
    b.map(|axum::Json(v)| v).map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge(format!(
                "the request body is larger than {} MiB",
                super::MAX_BODY_BYTES / 1024 / 1024
            ))
        } else {
            bad(
                "body",
                format!("the request body is not a valid {what}: {}", e.body_text()),
            )
        }
    })
}

/// A query string that does not parse becomes a 400 naming the parameter serde names
/// ("lon: invalid float literal" names `lon`), or `query` where it names none.
pub fn query<T>(
    q: Result<axum::extract::Query<T>, axum::extract::rejection::QueryRejection>,
) -> Result<T, ApiError> {
    q.map(|axum::extract::Query(v)| v).map_err(|e| {
        let text = e.body_text();
        let detail = text
            .strip_prefix("Failed to deserialize query string: ")
            .unwrap_or(&text);
        let parameter = detail
            .split_once(": ")
            .map(|(p, _)| p)
            .filter(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or("query");
        bad(
            parameter,
            format!("the query string does not parse: {detail}"),
        )
    })
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    NotFound(String),
    #[error("{detail}")]
    BadRequest { parameter: String, detail: String },
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Timeout(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// An RFC 9457 problem: every error response of the API has this body.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem<'a> {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    kind: &'a str,
    title: &'a str,
    status: u16,
    /// What went wrong and what to do about it.
    detail: String,
    /// The request parameter at fault (`bbox`, `limit`, `weights`, `body`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<&'a str>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, title, parameter) = match &self {
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "Not Found", None),
            ApiError::BadRequest { parameter, .. } => (
                StatusCode::BAD_REQUEST,
                "Bad Request",
                Some(parameter.as_str()),
            ),
            ApiError::TooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Payload Too Large",
                Some("body"),
            ),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "Unauthorized", None),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "Forbidden", None),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "Conflict", None),
            ApiError::TooManyRequests(_) => {
                (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests", None)
            }
            ApiError::Unavailable(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable", None)
            }
            ApiError::Timeout(_) => (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable", None),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error",
                None,
            ),
        };
        let detail = match &self {
            ApiError::Internal(msg) => {
                tracing::error!("{msg}");
                "the server failed to answer; the error is in its log".to_string()
            }
            other => other.to_string(),
        };
        let body = Problem {
            kind: "about:blank",
            title,
            status: status.as_u16(),
            detail,
            parameter,
        };
        let json = serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec());
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            json,
        )
            .into_response()
    }
}

impl From<crate::catalog::query::QueryError> for ApiError {
    fn from(e: crate::catalog::query::QueryError) -> Self {
        ApiError::BadRequest {
            parameter: e.parameter,
            detail: e.detail,
        }
    }
}

impl From<crate::domain::review::ReviewError> for ApiError {
    fn from(e: crate::domain::review::ReviewError) -> Self {
        match e.status_code() {
            401 => ApiError::Unauthorized(e.to_string()),
            409 => ApiError::Conflict(e.to_string()),
            400 => ApiError::BadRequest {
                parameter: e.parameter().unwrap_or("body").into(),
                detail: e.to_string(),
            },
            _ => ApiError::Forbidden(e.to_string()),
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        use crate::store::StoreError::*;
        match e {
            NotFound(m) => ApiError::NotFound(m),
            Conflict(m) => ApiError::Conflict(m),
            Stale { .. } => ApiError::Conflict(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}
