//! The layer every request passes: counting, concurrency, latency, rate limits and the fault plan,
//! applied before the endpoint handlers run.

use crate::config::Region;
use crate::envelope;
use crate::faults::Fault;
use crate::state::SimState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;

pub async fn layer(State(state): State<Arc<SimState>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/__sim") {
        return next.run(req).await;
    }
    let endpoint = format!("{} {}", req.method(), path.to_ascii_lowercase());
    state.count(|c| *c.calls.entry(endpoint).or_default() += 1);
    let _in_flight = state.enter();
    if state.config.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(state.config.latency_ms)).await;
    }
    let px = path.starts_with("/px/");
    if let Some(denied) = if px { state.px_rate_check() } else { state.cs_rate_check() } {
        state.count(|c| c.rate_limited += 1);
        return rate_limited(&state, px, denied);
    }
    let fault = state.faults.lock().ok().and_then(|mut plan| plan.take(&path));
    match fault {
        None => next.run(req).await,
        Some(Fault::Latency { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(req).await
        }
        Some(Fault::Status { status, error_code }) => {
            let rid = state.next_request_id();
            let code = error_code.as_deref().unwrap_or("GSOBJ_1003");
            envelope::error(status, rid, code, "Simulated failure")
        }
        Some(Fault::RateLimited) => {
            state.count(|c| c.rate_limited += 1);
            rate_limited(&state, px, Duration::from_secs(1))
        }
        Some(Fault::HtmlPage) => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in.</body></html>",
        )
            .into_response(),
        Some(Fault::Redirect { location }) => {
            (StatusCode::FOUND, [(header::LOCATION, location)], Body::empty()).into_response()
        }
        Some(Fault::Raw { status, content_type, body }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut resp = (status, body).into_response();
            if let Ok(ct) = HeaderValue::from_str(&content_type) {
                resp.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            resp
        }
        Some(Fault::NullScrollId) => {
            let (mut parts, body) = next.run(req).await.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
                Ok(mut v) => {
                    if let Some(id) = v.get_mut("scrollId") {
                        *id = serde_json::Value::Null;
                    }
                    Bytes::from(v.to_string())
                }
                Err(_) => bytes,
            };
            parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
            Response::from_parts(parts, Body::from(body))
        }
        Some(Fault::EmptyReply { style }) => {
            let resp = next.run(req).await;
            if !resp.status().is_success() {
                return resp;
            }
            let (mut parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            let mut v = serde_json::from_slice::<serde_json::Value>(&bytes).unwrap_or_default();
            if px {
                empty_px(&mut v);
                let body = Bytes::from(v.to_string());
                parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
                return Response::from_parts(parts, Body::from(body));
            }
            if v.get("result").and_then(serde_json::Value::as_bool) == Some(false) {
                // Already a refusal (or already empty in the no-data style): nothing to empty.
                return Response::from_parts(parts, Body::from(bytes));
            }
            let rid = v["requestId"].as_str().map_or_else(|| state.next_request_id(), str::to_string);
            let style = Fault::empty_style(style.as_deref(), state.config.empty);
            crate::cs::empty_reply(&state, rid, style, path.starts_with("/v2/cockpit"))
        }
        Some(Fault::TruncatedJson) => {
            let (parts, body) = next.run(req).await.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            let cut = Bytes::copy_from_slice(&bytes[..bytes.len() / 2]);
            let mut resp = Response::from_parts(parts, Body::from(cut.clone()));
            resp.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(cut.len()));
            resp
        }
        Some(Fault::HugeBody { mb, announce }) => huge_body(mb, announce),
        Some(Fault::ResetMidBody) => {
            let (mut parts, body) = next.run(req).await.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            let head = Bytes::copy_from_slice(&bytes[..bytes.len() / 2]);
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(head),
                Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "simulated reset")),
            ];
            parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
            Response::from_parts(parts, Body::from_stream(futures_stream(chunks)))
        }
    }
}

/// A JSON body of `mb` MB made of one record whose name is a huge string, produced chunk by chunk.
fn huge_body(mb: u64, announce: bool) -> Response {
    use futures_util::StreamExt;
    const HEAD: &[u8] = br#"{"result":true,"errorCode":null,"data":{"records":[{"Gsid":"1","Name":""#;
    const TAIL: &[u8] = br#""}]}}"#;
    const CHUNK: usize = 64 * 1024;
    let total = (mb as usize * 1024 * 1024).max(HEAD.len() + TAIL.len());
    let filler = total - HEAD.len() - TAIL.len();
    let pad = Bytes::from(vec![b'x'; CHUNK]);
    let chunks = futures_util::stream::iter(0..filler.div_ceil(CHUNK)).map(move |i| {
        let n = (filler - i * CHUNK).min(CHUNK);
        Ok::<_, std::io::Error>(pad.slice(..n))
    });
    let stream = futures_util::stream::once(async { Ok(Bytes::from_static(HEAD)) })
        .chain(chunks)
        .chain(futures_util::stream::once(async { Ok(Bytes::from_static(TAIL)) }));
    let mut resp = Response::new(Body::from_stream(stream));
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if announce {
        resp.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(total));
    }
    resp
}

/// A PX reply with nothing in it: every list emptied, `totalHits` 0, `isLastPage` true.
fn empty_px(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Array(items) => items.clear(),
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match (key.as_str(), value) {
                    (_, serde_json::Value::Array(items)) => items.clear(),
                    ("totalHits", n) => *n = serde_json::Value::from(0),
                    ("isLastPage", last) => *last = serde_json::Value::Bool(true),
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// The first half of a body, a pause so it reaches the client, then a reset.
fn futures_stream(
    items: Vec<Result<Bytes, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send {
    use futures_util::StreamExt;
    futures_util::stream::iter(items).then(|item| async move {
        if item.is_err() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        item
    })
}

/// A 429 the way the product answers it: CS in the configured style, PX bare.
fn rate_limited(state: &SimState, px: bool, retry_in: Duration) -> Response {
    let style = state.config.rate_limit_style;
    let mut resp = if px || !style.gs_2404_body {
        (StatusCode::TOO_MANY_REQUESTS, Body::empty()).into_response()
    } else {
        envelope::error(429, state.next_request_id(), "GS_APIG_2404", "Rate limit exceeded")
    };
    if style.retry_after && !px {
        let secs = retry_in.as_secs().max(1);
        resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

/// Which PX region a path addresses, if any (`/px/eu/v1/...` → EU).
pub fn px_region(path: &str) -> Option<Region> {
    path.strip_prefix("/px/")?.split('/').next().and_then(Region::from_slug)
}
