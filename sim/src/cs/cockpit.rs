//! The cockpit CTA API: `fieldName` conditions, `pageSize` ≤ 1000 and `pageNumber` from 1, and
//! `data` as a bare list. Deleted CTAs come from the delete log (kept 15 days by the real API).

use super::{Shared, check_auth};
use crate::envelope;
use crate::query::{QueryBody, Where};
use crate::time::DAY_MS;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value};

pub const MAX_PAGE_SIZE: i64 = 1000;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CtaListBody {
    #[serde(default)]
    select: Vec<String>,
    #[serde(rename = "where")]
    filter: Option<Where>,
    page_size: Option<i64>,
    page_number: Option<i64>,
}

fn parse(
    state: &Shared,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(String, CtaListBody, i64, i64), Box<Response>> {
    let rid = state.next_request_id();
    if let Some(denied) = check_auth(state, headers, &rid) {
        return Err(Box::new(denied));
    }
    let b: CtaListBody = serde_json::from_slice(body).map_err(|e| {
        Box::new(envelope::error(400, rid.clone(), "COCKPIT_5101", &format!("Invalid CTA request: {e}")))
    })?;
    let size = b.page_size.unwrap_or(100);
    let number = b.page_number.unwrap_or(1);
    if !(1..=MAX_PAGE_SIZE).contains(&size) || number < 1 {
        return Err(Box::new(envelope::error(
            400,
            rid,
            "COCKPIT_5101",
            "pageSize must be 1..1000 and pageNumber from 1",
        )));
    }
    Ok((rid, b, size, number))
}

/// `POST /v2/cockpit/cta/list`
pub async fn list(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let (rid, b, size, number) = match parse(&state, &headers, &body) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let select = if b.select.is_empty() { vec!["Gsid".to_string(), "Name".to_string()] } else { b.select };
    let q = QueryBody {
        select,
        filter: b.filter,
        order_by: Some(Map::from_iter([("Gsid".to_string(), Value::from("asc"))])),
        limit: Some(size),
        offset: Some((number - 1) * size),
    };
    let result = {
        let Ok(store) = state.store.read() else {
            return envelope::error(500, rid, "GSOBJ_1003", "Internal error");
        };
        let Some(ctas) = store.generated("call_to_action") else {
            return envelope::error(500, rid, "GSOBJ_1003", "Internal error");
        };
        super::query_page(&state, &store, ctas, &q)
    };
    match result {
        Ok(rows) => envelope::ok(rid, Value::Array(rows.into_iter().map(Value::Object).collect())),
        Err(e) => envelope::error(e.status, rid, "COCKPIT_5101", &e.desc),
    }
}

/// `POST /v2/cockpit/cta/deleted/list`: CTAs deleted in the last 15 days.
pub async fn deleted(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let (rid, _, size, number) = match parse(&state, &headers, &body) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let Ok(store) = state.store.read() else {
        return envelope::error(500, rid, "GSOBJ_1003", "Internal error");
    };
    let horizon = state.now_ms() - 15 * DAY_MS;
    let ctas = store.current_name("call_to_action");
    let mut rows: Vec<(&str, i64)> = store
        .generated("record_delete_log")
        .map(|log| {
            let col = |origin: &str| log.col(origin).unwrap_or("").to_string();
            let (object, record, deleted_on) = (col("ObjectName"), col("RecordId"), col("DeletedOn"));
            log.rows
                .iter()
                .filter(|r| r.get(&object).is_some_and(|o| o == ctas.as_str()))
                .filter_map(|r| Some((r.get(&record)?.as_str()?, r.get(&deleted_on)?.as_i64()?)))
                .filter(|(_, at)| *at >= horizon)
                .collect()
        })
        .unwrap_or_default();
    rows.sort();
    let page: Vec<Value> = rows
        .into_iter()
        .skip(((number - 1) * size) as usize)
        .take(size as usize)
        .map(|(id, at)| serde_json::json!({"Gsid": id, "DeletedDate": at}))
        .collect();
    envelope::ok(rid, Value::Array(page))
}
