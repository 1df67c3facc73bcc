//! The control API for tests, under `/__sim` (the server only listens on loopback): counters,
//! fault plans, key rotation, changes to the org so incremental syncs have something to find, and
//! the org profile.
//!
//! - `GET /__sim/counters`, `POST /__sim/counters/reset`
//! - `POST /__sim/faults` (add a rule), `PUT` (replace the plan), `DELETE` (clear it)
//! - `POST /__sim/rotate` `{product, key, old?}`
//! - `POST /__sim/modify`, `POST /__sim/delete` `{object, count}` → the changed GSIDs; `object` is
//!   the name the org serves it as or its default name (`company` works when renamed)
//! - `GET /__sim/profile` → the [`OrgProfile`] in force; `PUT /__sim/profile` with an
//!   `OrgProfile` applies it on top (200 with the profile now in force, or 400 `{error}` and no
//!   change)

use crate::faults::FaultRule;
use crate::profile::OrgProfile;
use crate::state::{Counters, SimState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

type Shared = Arc<SimState>;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/__sim/counters", get(counters))
        .route("/__sim/counters/reset", post(reset_counters))
        .route("/__sim/faults", post(add_fault).put(set_faults).delete(clear_faults))
        .route("/__sim/rotate", post(rotate))
        .route("/__sim/modify", post(modify))
        .route("/__sim/delete", post(delete))
        .route("/__sim/profile", get(profile).put(apply_profile))
}

async fn counters(State(state): State<Shared>) -> Json<Counters> {
    Json(state.counters())
}

async fn reset_counters(State(state): State<Shared>) -> StatusCode {
    state.reset_counters();
    StatusCode::NO_CONTENT
}

fn refused(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": message}))).into_response()
}

async fn add_fault(State(state): State<Shared>, Json(rule): Json<FaultRule>) -> Response {
    if let Err(e) = rule.fault.check() {
        return refused(e);
    }
    state.add_fault(rule);
    StatusCode::NO_CONTENT.into_response()
}

async fn set_faults(State(state): State<Shared>, Json(rules): Json<Vec<FaultRule>>) -> Response {
    if let Some(e) = rules.iter().find_map(|r| r.fault.check().err()) {
        return refused(e);
    }
    state.set_faults(rules);
    StatusCode::NO_CONTENT.into_response()
}

async fn clear_faults(State(state): State<Shared>) -> StatusCode {
    state.set_faults(Vec::new());
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Rotate {
    /// `cs` (the Access Key), `cs_secret` (the M2M client secret) or `px` (needs `old`).
    product: String,
    key: String,
    old: Option<String>,
}

async fn rotate(State(state): State<Shared>, Json(r): Json<Rotate>) -> StatusCode {
    let ok = match r.product.as_str() {
        "cs" => state.rotate_cs_key(&r.key),
        "cs_secret" => state.rotate_cs_secret(&r.key),
        "px" => r.old.as_deref().is_some_and(|old| state.rotate_px_key(old, &r.key)),
        _ => false,
    };
    if ok { StatusCode::NO_CONTENT } else { StatusCode::BAD_REQUEST }
}

#[derive(Deserialize)]
struct Change {
    object: String,
    count: usize,
}

async fn modify(State(state): State<Shared>, Json(c): Json<Change>) -> Json<Vec<String>> {
    Json(state.modify(&c.object, c.count))
}

async fn delete(State(state): State<Shared>, Json(c): Json<Change>) -> Json<Vec<String>> {
    Json(state.delete(&c.object, c.count))
}

async fn profile(State(state): State<Shared>) -> Json<OrgProfile> {
    Json(state.profile())
}

async fn apply_profile(State(state): State<Shared>, Json(p): Json<OrgProfile>) -> Response {
    match state.apply_profile(&p) {
        Ok(()) => Json(state.profile()).into_response(),
        Err(e) => refused(e),
    }
}
