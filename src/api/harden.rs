//! HTTP hardening on every answer: security headers that suit the map (a Content-Security-
//! Policy, no sniffing, no referrer, no framing), and a request id that goes into the logs,
//! the `x-request-id` header and every problem body, so a planner's error report can be
//! found in the server's log.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// What the map needs and nothing more: its own scripts and styles (MapLibre sets inline
/// styles on its elements), its workers from blob URLs, Kartverket's background tiles when
/// a user turns them on, and no framing by other sites.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    worker-src 'self' blob:; child-src 'self' blob:; \
    img-src 'self' data: blob: https://cache.kartverket.no; \
    connect-src 'self' https://cache.kartverket.no; \
    style-src 'self' 'unsafe-inline'; font-src 'self'; object-src 'none'; \
    base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A client's own id is kept when it is short and plain; otherwise the service makes one.
fn request_id(req: &Request) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let given = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        });
    match given {
        Some(v) => v.to_string(),
        None => {
            // Unique within the process, and across restarts by its start time.
            let start = *START.get_or_init(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs())
            });
            format!("{start:x}-{:x}", NEXT.fetch_add(1, Ordering::Relaxed))
        }
    }
}

/// Middleware, outermost: the request id and the security headers.
pub async fn harden(req: Request, next: Next) -> Response {
    let id = request_id(&req);
    let span = tracing::info_span!("request", id = %id);
    let response = next.run(req).instrument(span).await;
    let problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    let mut response = if problem {
        with_request_id(response, &id).await
    } else {
        response
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if let Ok(v) = HeaderValue::from_str(&id) {
        h.insert(REQUEST_ID, v);
    }
    response
}

/// A problem body with `request_id` added.
async fn with_request_id(response: Response, id: &str) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, 1024 * 1024).await {
        Ok(b) => b,
        // Never an empty problem: say what it was, and where the rest is.
        Err(_) => axum::body::Bytes::from(
            serde_json::json!({
                "type": "about:blank",
                "title": parts.status.canonical_reason().unwrap_or("Error"),
                "status": parts.status.as_u16(),
                "detail": "the error's details were too long to send; they are in the server's log under this request_id",
            })
            .to_string(),
        ),
    };
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut m)) => {
            m.insert("request_id".into(), id.into());
            serde_json::to_vec(&m).unwrap_or_else(|_| bytes.to_vec())
        }
        _ => bytes.to_vec(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(body))
}
