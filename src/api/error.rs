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

/// Middleware: an error answer that is not problem+json yet becomes one. These are the
/// framework's own refusals, made before a handler runs: a path segment or query value
/// that does not parse, a body that is not the JSON it should be, a method the route does
/// not take. The parameter is named where the refusal names it.
pub async fn problems(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let method = req.method().clone();
    // Both are shared pointers: cheap to keep on every request, read only on a refusal.
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .cloned();
    let doc = req
        .extensions()
        .get::<super::Document>()
        .map(|d| d.doc.clone());
    let response = next.run(req).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let route = route.as_ref().map(|r| r.as_str());
    // The methods the route takes, from the OpenAPI document: axum's 405 names none.
    let allowed = route.and_then(|r| {
        let item = doc.as_ref()?.paths.paths.get(r)?;
        let methods: Vec<&str> = [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("PATCH", item.patch.is_some()),
            ("DELETE", item.delete.is_some()),
        ]
        .into_iter()
        .filter_map(|(m, on)| on.then_some(m))
        .collect();
        Some(methods.join(", "))
    });
    let (mut parts, body) = response.into_parts();
    // Refusals are a line of text; a longer body is not one of them and is cut.
    let bytes = axum::body::to_bytes(body, 16 * 1024)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let allow = parts
        .headers
        .get(header::ALLOW)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or(allowed);
    if status == StatusCode::METHOD_NOT_ALLOWED {
        if let Some(v) = allow
            .as_deref()
            .and_then(|a| axum::http::HeaderValue::from_str(a).ok())
        {
            parts.headers.insert(header::ALLOW, v);
        }
    }
    let (parameter, detail) = describe(status, &method, &text, route, allow);
    let body = Problem {
        kind: "about:blank",
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        detail,
        parameter: parameter.as_deref(),
    };
    let json = serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec());
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/problem+json"),
    );
    Response::from_parts(parts, axum::body::Body::from(json))
}

/// The parameter a framework refusal is about, and a detail a user can act on.
fn describe(
    status: StatusCode,
    method: &axum::http::Method,
    text: &str,
    route: Option<&str>,
    allow: Option<String>,
) -> (Option<String>, String) {
    let name_like = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    };
    let quoted = |s: &str| s.split('`').nth(1).map(str::to_string);
    if status == StatusCode::METHOD_NOT_ALLOWED {
        let allowed = allow.unwrap_or_default();
        return (
            None,
            format!(
                "{} does not take {method}; it takes {allowed}",
                route.unwrap_or("this resource")
            ),
        );
    }
    if let Some(rest) = text.strip_prefix("Failed to deserialize query string: ") {
        let parameter = match rest.split_once(": ") {
            Some((p, _)) if name_like(p) => Some(p.to_string()),
            _ if rest.starts_with("missing field") => quoted(rest),
            _ if rest.starts_with("unknown field") => quoted(rest),
            _ => None,
        };
        return (
            parameter.or(Some("query".into())),
            format!("the query string does not parse: {rest}"),
        );
    }
    if text.contains("Content-Type") || status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
        return (
            Some("content-type".into()),
            format!("{text}; send the body as the API's OpenAPI document gives"),
        );
    }
    if text.starts_with("Invalid URL")
        || text.contains("path argument")
        || text.contains("Cannot parse `")
    {
        // The route's own placeholder, when it has a single one.
        let names: Vec<&str> = route
            .unwrap_or("")
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        let parameter = match names.as_slice() {
            [one] => one.trim_start_matches('*').to_string(),
            _ => "path".to_string(),
        };
        return (
            Some(parameter),
            format!("a part of the path does not parse: {text}"),
        );
    }
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return (
            Some("body".into()),
            format!(
                "the request body is larger than {} MiB",
                super::MAX_BODY_BYTES / 1024 / 1024
            ),
        );
    }
    if text.contains("JSON") || text.contains("multipart") || text.contains("body") {
        return (
            Some("body".into()),
            format!("the request body is refused: {text}"),
        );
    }
    let detail = if text.trim().is_empty() {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        text.trim().to_string()
    };
    (None, detail)
}
