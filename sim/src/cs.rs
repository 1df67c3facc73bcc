//! The CS (NXT) surface: auth checks and the generic query API.

use crate::envelope;
use crate::query::{self, QueryBody};
use crate::state::SimState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

type Shared = Arc<SimState>;

pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/v1/data/objects/query/{object}", post(query_object))
        .route("/__sim/counters", get(counters))
        .fallback(not_found)
        .with_state(state)
}

/// Checks the `Accesskey` header the way CS does: missing → 400 `GSOBJ_1024`, wrong → 401
/// `GS_APIG_2401`. `Some(reply)` when the request must be refused.
fn check_auth(state: &SimState, headers: &HeaderMap, request_id: &str) -> Option<Response> {
    let Some(given) = headers.get("accesskey").and_then(|v| v.to_str().ok()) else {
        state.count(|c| c.missing_auth += 1);
        return Some(envelope::error(
            400,
            request_id.to_string(),
            "GSOBJ_1024",
            "Invalid authorization headers",
        ));
    };
    let expected = state.cs_access_key.read().map(|k| k.clone()).unwrap_or_default();
    if given != expected {
        state.count(|c| c.unauthorized += 1);
        return Some(envelope::error(
            401,
            request_id.to_string(),
            "GS_APIG_2401",
            "Unauthorized",
        ));
    }
    None
}

async fn arrive(state: &SimState, method: &Method, endpoint: String) -> String {
    state.count(|c| *c.calls.entry(format!("{method} {endpoint}")).or_default() += 1);
    if state.config.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(state.config.latency_ms)).await;
    }
    state.next_request_id()
}

async fn query_object(
    State(state): State<Shared>,
    Path(object): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let object = object.to_ascii_lowercase();
    let rid = arrive(&state, &Method::POST, format!("/v1/data/objects/query/{object}")).await;
    if let Some(denied) = check_auth(&state, &headers, &rid) {
        return denied;
    }
    let body: QueryBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return envelope::error(400, rid, "GSOBJ_1002", &format!("Invalid request body: {e}")),
    };
    let Ok(store) = state.store.read() else {
        return envelope::error(500, rid, "GSOBJ_1003", "Internal error");
    };
    let Some(obj) = store.object(&object) else {
        return envelope::error(
            400,
            rid,
            "OBJECT_NOT_FOUND",
            &format!("Object {object} not found"),
        );
    };
    match query::run(&store, obj, &body, state.config.dates) {
        Ok((records, _total)) => envelope::ok(rid, json!({ "records": records })),
        Err(e) => envelope::error(e.status, rid, e.code, &e.desc),
    }
}

async fn counters(State(state): State<Shared>) -> axum::Json<crate::Counters> {
    axum::Json(state.counters())
}

async fn not_found(State(state): State<Shared>, method: Method, uri: Uri) -> Response {
    let rid = arrive(&state, &method, uri.path().to_string()).await;
    envelope::error(404, rid, "GSOBJ_1023", "Invalid API path")
}
