//! Discovery: the object list and describe, so a field-mapping screen has real fields to offer and
//! clients can find the scorecard objects whose names vary by org.

use super::{Shared, check_auth};
use crate::config::OptionsStyle;
use crate::envelope;
use crate::schema::{DataType, Object, Row};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

/// `GET /v1/meta/services/objects/list`
pub async fn list(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let rid = state.next_request_id();
    if let Some(denied) = check_auth(&state, &headers, &rid) {
        return denied;
    }
    let Ok(store) = state.store.read() else {
        return envelope::error(500, rid, "GSOBJ_1003", "Internal error");
    };
    let objects: Vec<Value> = store
        .objects
        .values()
        .map(|o| {
            json!({"objectName": o.name, "label": o.label, "objectType": o.object_type, "keyPrefix": o.key_prefix,
                "transactional": o.object_type != "SYSTEM", "readable": true})
        })
        .collect();
    envelope::ok(rid, Value::Array(objects))
}

/// `GET /v1/meta/services/objects/{object}/describe`
pub async fn describe(
    State(state): State<Shared>,
    Path(object): Path<String>,
    headers: HeaderMap,
) -> Response {
    let rid = state.next_request_id();
    if let Some(denied) = check_auth(&state, &headers, &rid) {
        return denied;
    }
    let Ok(store) = state.store.read() else {
        return envelope::error(500, rid, "GSOBJ_1003", "Internal error");
    };
    let Some(o) = store.object(&object) else {
        return envelope::error(400, rid, "OBJECT_NOT_FOUND", &format!("Object {object} not found"));
    };
    let picklists = store.generated("da_picklist");
    let fields: Vec<Value> = o
        .fields
        .iter()
        .map(|f| {
            let options: Vec<Value> = match (f.category, picklists) {
                (Some(cat), Some(p)) => picklist_options(p, cat),
                _ => Vec::new(),
            };
            let lookup = match (f.data_type, f.target) {
                (DataType::Lookup, Some(t)) => {
                    json!({"lookupObjects": [{"objectName": store.current_name(t)}], "lookupField": "Gsid"})
                }
                _ => Value::Null,
            };
            let mut field = json!({
                "fieldName": f.name, "label": f.label, "dataType": f.data_type.api_name(),
                "objectName": o.name, "custom": f.name.ends_with("__gc"),
                "meta": {"filterable": true, "sortable": true, "lookupDetail": lookup},
                "options": [],
            });
            match state.config.options {
                OptionsStyle::LabelValue => field["options"] = Value::Array(options),
                OptionsStyle::NameGsid => {
                    let renamed =
                        options.iter().map(|o| json!({"name": o["label"], "gsid": o["value"]})).collect();
                    field["meta"]["options"] = Value::Array(renamed);
                }
                OptionsStyle::Absent => {}
            }
            field
        })
        .collect();
    envelope::ok(
        rid,
        json!([{"objectName": o.name, "label": o.label, "objectType": o.object_type, "fields": fields}]),
    )
}

/// The items of a picklist category as describe lists them, read through whatever the org calls
/// the picklist object's fields.
fn picklist_options(p: &Object, category: &str) -> Vec<Value> {
    let col = |origin: &str| p.col(origin).unwrap_or("").to_string();
    let (cat, name, gsid, active) = (col("Category"), col("Name"), col("Gsid"), col("Active"));
    let get = |r: &Row, key: &str| r.get(key).cloned().unwrap_or(Value::Null);
    p.rows
        .iter()
        .filter(|r| r.get(&cat).is_some_and(|c| c == category))
        .map(|r| json!({"label": get(r, &name), "value": get(r, &gsid), "active": get(r, &active)}))
        .collect()
}
