//! `/events/feature_match` (`featureMatchEvents`), `/events/custom` (`customEvents`) and
//! `/feature/adoption/{featureId}`.
//!
//! Windows are `dateRangeStart <= date < dateRangeEnd` in epoch ms; without them the window is the
//! last day before "now" (noon of the anchor day). Events exist for the last 200 days. A window over
//! 190 days (events) or 7 days (adoption) is a 400. Events come in date order; `accountId` and
//! `featureId` narrow them (an unknown id simply matches nothing).

use super::auth::{PxError, bad_request, not_found};
use super::events::{Kind, Select};
use super::paging::{Params, Scroll};
use super::{PxData, Reply, Req};
use crate::time::DAY_MS;
use axum::Json;
use axum::response::IntoResponse;
use serde_json::json;
use std::collections::HashSet;

pub const MAX_EVENT_DAYS: i64 = 190;
pub const MAX_ADOPTION_DAYS: i64 = 7;

fn window(px: &PxData, p: &Params, max_days: i64) -> Result<(i64, i64), PxError> {
    let end = p.int("dateRangeEnd")?.unwrap_or(px.now);
    let start = p.int("dateRangeStart")?.unwrap_or(end - DAY_MS);
    if start > end {
        return Err(bad_request("dateRangeStart must not be after dateRangeEnd"));
    }
    if end - start > max_days * DAY_MS {
        return Err(bad_request(&format!("Exceeded date range{max_days}days")));
    }
    Ok((start, end))
}

fn list(px: &PxData, req: &Req, kind: Kind, list_key: &str) -> Reply {
    let shape = ["dateRangeStart", "dateRangeEnd", "accountId", "featureId"];
    let scroll = Scroll::start(list_key, &req.params, &shape)?;
    let p = scroll.params();
    let (start, end) = window(px, &p, MAX_EVENT_DAYS)?;
    let account = match p.get("accountId") {
        None => None,
        Some(id) => match px.account_index.get(id) {
            Some(&i) => Some(i),
            None => return Ok(scroll.reply(list_key, Vec::new(), 0)),
        },
    };
    let items: Option<Vec<u16>> = match (kind, p.get("featureId")) {
        (Kind::FeatureMatch, Some(id)) => Some(feature_items(px, id, false)),
        _ => None,
    };
    let sel = Select { start, end, account, items: items.as_deref() };
    let (total, events) = px.events_page(kind, &sel, scroll.window());
    let page = events.iter().map(|e| px.event_json(kind, e)).collect();
    Ok(scroll.reply(list_key, page, total))
}

/// Indexes (into the tracked features) of feature `id`, plus its children when `with_children`.
fn feature_items(px: &PxData, id: &str, with_children: bool) -> Vec<u16> {
    px.tracked
        .iter()
        .enumerate()
        .filter(|(_, fi)| {
            let f = &px.features[**fi];
            f["id"] == id || (with_children && f["parentFeatureId"] == id)
        })
        .map(|(n, _)| n as u16)
        .collect()
}

pub fn feature_match(px: &PxData, req: &Req) -> Reply {
    list(px, req, Kind::FeatureMatch, "featureMatchEvents")
}

pub fn custom(px: &PxData, req: &Req) -> Reply {
    list(px, req, Kind::Custom, "customEvents")
}

pub fn adoption(px: &PxData, req: &Req) -> Reply {
    let id = req.path.rsplit('/').next().unwrap_or_default();
    if !px.features.iter().any(|f| f["id"] == id) {
        return Err(not_found(&format!("Feature {id} not found")));
    }
    let (start, end) = window(px, &req.params, MAX_ADOPTION_DAYS)?;
    let items = feature_items(px, id, true);
    let sel = Select { start, end, account: None, items: Some(&items) };
    let events = px.all_events(Kind::FeatureMatch, &sel);
    let users: HashSet<u32> = events.iter().map(|e| e.user).collect();
    let accounts: HashSet<u32> = events.iter().map(|e| e.account).collect();
    let body = json!({
        "totalEventCount": events.len(),
        "uniqueUserCount": users.len(),
        "uniqueAccountCount": accounts.len(),
    });
    Ok(Json(body).into_response())
}
