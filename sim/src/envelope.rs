//! The CS response envelope `{result, errorCode, errorDesc, requestId, data, message}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub fn ok(request_id: String, data: Value) -> Response {
    Json(json!({
        "result": true, "errorCode": null, "errorDesc": null,
        "requestId": request_id, "data": data, "message": null,
    }))
    .into_response()
}

pub fn error(status: u16, request_id: String, code: &str, desc: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({
        "result": false, "errorCode": code, "errorDesc": desc,
        "requestId": request_id, "data": null, "message": null,
    });
    (status, Json(body)).into_response()
}
