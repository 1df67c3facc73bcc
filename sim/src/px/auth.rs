//! `X-APTRINSIC-API-KEY` checks and the PX error body
//! `{"externalapierror":{"status":"UNAUTHORIZED","message":"..."}}`.
//!
//! Order of checks: unknown region slug → 404; no key → 401 (`missing_auth`); a key that is not
//! known, or belongs to another region's data centre → 401 (`unauthorized`); a key without the
//! Read permission on a GET → 403.

use crate::config::Region;
use crate::observe::px_region;
use crate::state::SimState;
use axum::Json;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub const KEY_HEADER: &str = "x-aptrinsic-api-key";

/// A PX error reply: its status and message, rendered as the `externalapierror` body.
#[derive(Debug)]
pub struct PxError {
    pub status: StatusCode,
    pub message: String,
}

impl IntoResponse for PxError {
    fn into_response(self) -> Response {
        let name = self.status.canonical_reason().unwrap_or("ERROR").to_ascii_uppercase().replace(' ', "_");
        let body = json!({"externalapierror": {"status": name, "message": self.message}});
        (self.status, Json(body)).into_response()
    }
}

pub fn error(status: StatusCode, message: &str) -> PxError {
    PxError { status, message: message.to_string() }
}

pub fn bad_request(message: &str) -> PxError {
    error(StatusCode::BAD_REQUEST, message)
}

pub fn not_found(message: &str) -> PxError {
    error(StatusCode::NOT_FOUND, message)
}

/// Checks the region of `path` and the key in `headers`; `Err` is the response to send instead.
pub fn check(state: &SimState, method: &Method, path: &str, headers: &HeaderMap) -> Result<Region, PxError> {
    let Some(region) = px_region(path) else {
        return Err(not_found("Unknown PX region"));
    };
    let key = headers.get(KEY_HEADER).and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or("");
    if key.is_empty() {
        state.count(|c| c.missing_auth += 1);
        return Err(unauthorized());
    }
    let found = state
        .px_keys
        .read()
        .ok()
        .and_then(|keys| keys.iter().find(|k| k.key == key).map(|k| (k.region, k.read, k.write)));
    let Some((_, read, write)) = found.filter(|(r, _, _)| *r == region) else {
        state.count(|c| c.unauthorized += 1);
        return Err(unauthorized());
    };
    let allowed = if method == Method::GET || method == Method::HEAD { read } else { write };
    if !allowed {
        return Err(error(StatusCode::FORBIDDEN, "API key does not have the required permission"));
    }
    Ok(region)
}

/// What a subscription without an endpoint answers: 404 as for an endpoint PX does not have, 403
/// as for a key without the permission, or the given status.
pub fn unavailable(status: u16) -> PxError {
    match StatusCode::from_u16(status) {
        Ok(StatusCode::NOT_FOUND) => not_found("Unknown endpoint"),
        Ok(StatusCode::FORBIDDEN) => {
            error(StatusCode::FORBIDDEN, "API key does not have the required permission")
        }
        Ok(s) => error(s, "Not available for this subscription"),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "Not available for this subscription"),
    }
}

fn unauthorized() -> PxError {
    error(StatusCode::UNAUTHORIZED, "Unauthorized or bad API Key")
}
