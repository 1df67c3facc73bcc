//! The CS (NXT) surface: auth (Access Key or M2M bearer token), the generic query API, discovery
//! and the cockpit CTA API.

mod cockpit;
mod meta;

use crate::config::{EmptyStyle, RowsStyle, TokenBody};
use crate::envelope;
use crate::query::{self, QueryBody};
use crate::state::SimState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::sync::Arc;

type Shared = Arc<SimState>;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/v1/data/objects/query/{object}", post(query_object))
        .route("/v1/users/m2m/oauth/token", post(token))
        .route("/v1/meta/services/objects/list", get(meta::list))
        .route("/v1/meta/services/objects/{object}/describe", get(meta::describe))
        .route("/v2/cockpit/cta/list", post(cockpit::list))
        .route("/v2/cockpit/cta/deleted/list", post(cockpit::deleted))
}

/// Checks auth the way CS does: an `Accesskey` header or an unexpired bearer token. Missing →
/// 400 `GSOBJ_1024`; wrong or expired → 401 `GS_APIG_2401`. `Some(reply)` when refused.
pub(crate) fn check_auth(state: &SimState, headers: &HeaderMap, rid: &str) -> Option<Response> {
    let access_key = headers.get("accesskey").and_then(|v| v.to_str().ok());
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    let ok = match (access_key, bearer) {
        (None, None) => {
            state.count(|c| c.missing_auth += 1);
            return Some(envelope::error(
                400,
                rid.to_string(),
                "GSOBJ_1024",
                "Invalid authorization headers",
            ));
        }
        (Some(k), _) => state.cs_access_key.read().is_ok_and(|expected| *expected == k),
        (None, Some(token)) => state.token_valid(token),
    };
    if ok {
        return None;
    }
    state.count(|c| c.unauthorized += 1);
    Some(envelope::error(401, rid.to_string(), "GS_APIG_2401", "Unauthorized"))
}

/// `POST /v1/users/m2m/oauth/token`: Basic client id and secret → a bearer token. The body is
/// `grant_type=client_credentials` or empty, as [`crate::config::M2mStyle`] allows; the reply is
/// bare or in the CS envelope.
async fn token(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let creds = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| decode_base64(b.trim()))
        .and_then(|raw| String::from_utf8(raw).ok());
    let secret = state.cs_client_secret.read().map(|s| s.clone()).unwrap_or_default();
    let expected = format!("{}:{}", state.config.cs_client_id, secret);
    if creds.as_deref() != Some(expected.as_str()) {
        state.count(|c| c.unauthorized += 1);
        return envelope::error(401, state.next_request_id(), "GS_APIG_2401", "Unauthorized");
    }
    let style = state.config.m2m;
    let text = String::from_utf8_lossy(&body);
    let grant = text.split('&').find_map(|pair| pair.trim().strip_prefix("grant_type="));
    let refusal = match (text.trim().is_empty(), grant) {
        (true, _) if style.body == TokenBody::FormOnly => Some(("invalid_request", "grant_type is required")),
        (true, _) => None,
        (false, _) if style.body == TokenBody::NoneOnly => {
            Some(("invalid_request", "a request body is not accepted"))
        }
        (false, Some("client_credentials")) => None,
        (false, Some(_)) => Some(("unsupported_grant_type", "only client_credentials is supported")),
        (false, None) => Some(("invalid_request", "grant_type is required")),
    };
    if let Some((error, description)) = refusal {
        let body = json!({"error": error, "error_description": description});
        return (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
    }
    let token = json!({"access_token": state.issue_token(), "token_type": "Bearer",
        "expires_in": state.config.token_ttl_secs});
    if style.wrapped {
        return envelope::ok(state.next_request_id(), token);
    }
    (StatusCode::OK, axum::Json(token)).into_response()
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// "Nothing matched" in `style`: an empty list (in the configured rows style, or bare when
/// `bare`), 200 `result:false` with "No data found for given criteria", or 400 `GSOBJ_1011`.
pub(crate) fn empty_reply(state: &SimState, rid: String, style: EmptyStyle, bare: bool) -> Response {
    match style {
        EmptyStyle::EmptyList if bare || state.config.rows == RowsStyle::BareList => {
            envelope::ok(rid, Value::Array(Vec::new()))
        }
        EmptyStyle::EmptyList => envelope::ok(rid, json!({ "records": [] })),
        EmptyStyle::NoDataFound => {
            let body = json!({"result": false, "errorCode": null, "errorDesc": "No data found for given criteria",
                "requestId": rid, "data": null, "message": null});
            axum::Json(body).into_response()
        }
        EmptyStyle::Gsobj1011 => {
            envelope::error(400, rid, "GSOBJ_1011", "No entity matches the given criteria")
        }
    }
}

/// A page of rows in the configured envelope style, or "nothing matched" in the configured empty style.
pub(crate) fn rows_reply(state: &SimState, rid: String, rows: Vec<crate::schema::Row>) -> Response {
    if rows.is_empty() {
        return empty_reply(state, rid, state.config.empty, false);
    }
    let rows: Vec<Value> = rows.into_iter().map(Value::Object).collect();
    match state.config.rows {
        RowsStyle::Records => envelope::ok(rid, json!({ "records": rows })),
        RowsStyle::BareList => envelope::ok(rid, Value::Array(rows)),
    }
}

async fn query_object(
    State(state): State<Shared>,
    Path(object): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let rid = state.next_request_id();
    if let Some(denied) = check_auth(&state, &headers, &rid) {
        return denied;
    }
    let body: QueryBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return envelope::error(400, rid, "GSOBJ_1002", &format!("Invalid request body: {e}")),
    };
    let result = {
        let Ok(store) = state.store.read() else {
            return envelope::error(500, rid, "GSOBJ_1003", "Internal error");
        };
        let Some(obj) = store.object(&object) else {
            return envelope::error(400, rid, "OBJECT_NOT_FOUND", &format!("Object {object} not found"));
        };
        query_page(&state, &store, obj, &body)
    };
    match result {
        Ok(records) => rows_reply(&state, rid, records),
        Err(e) => envelope::error(e.status, rid, e.code, &e.desc),
    }
}

/// A query's page: ordered queries walk the object's cached row order (a keyset page costs about
/// its own size), others are run whole.
pub fn query_page(
    state: &crate::state::SimState,
    store: &crate::schema::Store,
    obj: &crate::schema::Object,
    body: &QueryBody,
) -> Result<Vec<crate::schema::Row>, query::QueryError> {
    match &body.order_by {
        Some(order)
            if !order.is_empty() && order.keys().all(|k| query::check_path(store, obj, k).is_ok()) =>
        {
            let index = state.row_order(store, obj, order);
            query::page_in_order(store, obj, body, state.config.dates, &index)
        }
        _ => query::run(store, obj, body, state.config.dates).map(|(rows, _)| rows),
    }
}

pub async fn not_found(State(state): State<Shared>) -> Response {
    envelope::error(404, state.next_request_id(), "GSOBJ_1023", "Invalid API path")
}
