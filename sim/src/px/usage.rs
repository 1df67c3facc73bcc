//! The event lists (`/events/*` and `/survey/responses`, see [`Kind`] for each list key) and
//! `/feature/adoption/{featureId}`.
//!
//! An events query's window comes from `filter` on `date` (epoch ms; `>= > < <= ==`, e.g.
//! `filter=date>=1700000000000;date<1700086400000`): a filter with a lower bound only runs to
//! "now", one with an upper bound only starts a day before it. `/events/custom` also honours
//! `dateRangeStart <= date < dateRangeEnd` (documented for custom events only; both constraints
//! apply when both are given); every other kind ignores those parameters. Without either, the
//! window is the last day before "now" (noon of the anchor day). Events exist for the last 200
//! days. A window over 190 days is a 400 "Exceeded date range190days" (adoption: 7 days).
//!
//! `filter` may also name the other fields each kind's events carry (`accountId`, `identifyId`,
//! `featureId`, `eventName`, ...; dotted for nested values); `;` is AND, repeated `filter` params
//! are OR, each with its own window. An unknown field is a 400. `sort` orders by any of those
//! fields (`date`, `-date`, `accountId`...); the default is date order. A scroll keeps the filter,
//! sort and window of its first request. The undocumented `accountId` and `featureId` parameters
//! still narrow the list (an unknown id simply matches nothing).

use super::auth::{PxError, bad_request, not_found};
use super::events::{Event, Kind, Select};
use super::filter::{Cond, Filter, Op, SortKey, compare, parse_filters, parse_sort};
use super::paging::{Params, Scroll};
use super::{PxData, Reply, Req};
use crate::time::DAY_MS;
use axum::Json;
use axum::response::IntoResponse;
use serde_json::{Value, json};
use std::collections::HashSet;

pub const MAX_EVENT_DAYS: i64 = 190;
pub const MAX_ADOPTION_DAYS: i64 = 7;

fn window(px: &PxData, p: &Params, max_days: i64) -> Result<(i64, i64), PxError> {
    let end = p.int("dateRangeEnd")?.unwrap_or(px.now);
    let start = p.int("dateRangeStart")?.unwrap_or(end.saturating_sub(DAY_MS));
    if start > end {
        return Err(bad_request("dateRangeStart must not be after dateRangeEnd"));
    }
    if end.saturating_sub(start) > max_days * DAY_MS {
        return Err(bad_request(&format!("Exceeded date range{max_days}days")));
    }
    Ok((start, end))
}

/// One `filter` parameter: the window its `date` conditions make, and its other conditions.
struct Group {
    start: i64,
    end: i64,
    rest: Vec<Cond>,
}

/// The groups of a filter (one per `filter` param; one for none) over the `base` window, which is
/// the date range when `ranged`, else the default last day.
fn groups(filter: &Filter, base: (i64, i64), ranged: bool) -> Result<Vec<Group>, PxError> {
    if filter.any_of.is_empty() {
        return Ok(vec![Group { start: base.0, end: base.1, rest: Vec::new() }]);
    }
    let mut out = Vec::new();
    for conds in &filter.any_of {
        let (mut lo, mut hi): (Option<i64>, Option<i64>) = (None, None);
        let mut rest = Vec::new();
        for c in conds {
            if c.field != "date" {
                rest.push(c.clone());
                continue;
            }
            let v: i64 = c
                .value
                .trim()
                .parse()
                .map_err(|_| bad_request(&format!("Invalid date value '{}'", c.value)))?;
            let raise = |b: Option<i64>, v: i64| Some(b.map_or(v, |b| b.max(v)));
            let lower = |b: Option<i64>, v: i64| Some(b.map_or(v, |b| b.min(v)));
            match c.op {
                Op::Ge => lo = raise(lo, v),
                Op::Gt => lo = raise(lo, v.saturating_add(1)),
                Op::Lt => hi = lower(hi, v),
                Op::Le => hi = lower(hi, v.saturating_add(1)),
                Op::Eq => {
                    lo = raise(lo, v);
                    hi = lower(hi, v.saturating_add(1));
                }
                _ => rest.push(c.clone()),
            }
        }
        let end = hi.unwrap_or(base.1);
        let start = match (lo, hi) {
            (Some(s), _) => s,
            (None, Some(e)) if !ranged => e.saturating_sub(DAY_MS),
            _ => base.0,
        };
        let (start, end) = if ranged { (start.max(base.0), end.min(base.1)) } else { (start, end) };
        if end.saturating_sub(start) > MAX_EVENT_DAYS * DAY_MS {
            return Err(bad_request(&format!("Exceeded date range{MAX_EVENT_DAYS}days")));
        }
        out.push(Group { start, end, rest });
    }
    Ok(out)
}

fn check_fields(kind: Kind, filter: &Filter, sort: &[SortKey]) -> Result<(), PxError> {
    let known = kind.fields();
    for field in filter.fields().chain(sort.iter().map(|k| k.field.as_str())) {
        let head = field.split('.').next().unwrap_or(field);
        if !known.contains(&head) {
            return Err(bad_request(&format!("Unknown field '{field}' for {}", kind.list_key())));
        }
    }
    Ok(())
}

fn list(px: &PxData, req: &Req, kind: Kind) -> Reply {
    let list_key = kind.list_key();
    let ranged = kind == Kind::Custom;
    let mut shape = vec!["filter", "sort", "accountId", "featureId"];
    if ranged {
        shape.extend(["dateRangeStart", "dateRangeEnd"]);
    }
    let scroll = Scroll::start(kind.path(), &req.params, &shape)?;
    let p = scroll.params();
    let filter = parse_filters(&p.all("filter")).map_err(|m| bad_request(&m))?;
    let sort = parse_sort(&p.all("sort").join(";")).map_err(|m| bad_request(&m))?;
    check_fields(kind, &filter, &sort)?;
    let range = ranged && (p.get("dateRangeStart").is_some() || p.get("dateRangeEnd").is_some());
    let base = if range { window(px, &p, MAX_EVENT_DAYS)? } else { (px.now - DAY_MS, px.now) };
    let groups = groups(&filter, base, range)?;
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
    let live: Vec<&Group> = groups.iter().filter(|g| g.start < g.end).collect();
    let (Some(start), Some(end)) = (live.iter().map(|g| g.start).min(), live.iter().map(|g| g.end).max())
    else {
        return Ok(scroll.reply(list_key, Vec::new(), 0));
    };
    // One window and nothing else to test: events are counted by the day, not one by one.
    let simple = live.len() == 1 && live[0].rest.is_empty();
    let test = |e: &Event| {
        live.iter().any(|g| {
            e.date >= g.start
                && e.date < g.end
                && g.rest.iter().all(|c| c.matches(&px.event_value(kind, e, &c.field)))
        })
    };
    let sel = Select { start, end, account, items: items.as_deref(), test: (!simple).then_some(&test) };
    let rows = scroll.window();
    let (total, events) = match sort.as_slice() {
        [] => px.events_page(kind, &sel, rows),
        [k] if k.field == "date" && !k.desc => px.events_page(kind, &sel, rows),
        [k] if k.field == "date" => {
            // Newest first: the same rows counted from the other end.
            let (total, _) = px.events_page(kind, &sel, 0..0);
            let (lo, hi) = (total.saturating_sub(rows.end), total.saturating_sub(rows.start));
            let (_, mut page) = px.events_page(kind, &sel, lo..hi);
            page.reverse();
            (total, page)
        }
        _ => sorted_page(px, kind, &sel, &sort, rows),
    };
    let page = events.iter().map(|e| px.event_json(kind, e)).collect();
    Ok(scroll.reply(list_key, page, total))
}

/// Every selected event ordered by `sort` (ties in date order), and the page at `rows`.
fn sorted_page(
    px: &PxData,
    kind: Kind,
    sel: &Select,
    sort: &[SortKey],
    rows: std::ops::Range<usize>,
) -> (usize, Vec<Event>) {
    let all = px.all_events(kind, sel);
    let keys: Vec<Vec<Value>> =
        all.iter().map(|e| sort.iter().map(|k| px.event_value(kind, e, &k.field)).collect()).collect();
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by(|&a, &b| {
        sort.iter()
            .zip(keys[a].iter().zip(&keys[b]))
            .map(|(k, (x, y))| if k.desc { compare(y, x) } else { compare(x, y) })
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let (lo, hi) = (rows.start.min(order.len()), rows.end.min(order.len()));
    (all.len(), order[lo..hi].iter().map(|&i| all[i]).collect())
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
    list(px, req, Kind::FeatureMatch)
}

pub fn custom(px: &PxData, req: &Req) -> Reply {
    list(px, req, Kind::Custom)
}

pub fn email(px: &PxData, req: &Req) -> Reply {
    list(px, req, Kind::Email)
}

pub fn engagement_view(px: &PxData, req: &Req) -> Reply {
    list(px, req, Kind::EngagementView)
}

pub fn form_submit(px: &PxData, req: &Req) -> Reply {
    list(px, req, Kind::FormSubmit)
}

pub fn identify(px: &PxData, req: &Req) -> Reply {
    list(px, req, Kind::Identify)
}

pub fn lead(px: &PxData, req: &Req) -> Reply {
    list(px, req, Kind::Lead)
}

pub fn page_view(px: &PxData, req: &Req) -> Reply {
    list(px, req, Kind::PageView)
}

pub fn segment_match(px: &PxData, req: &Req) -> Reply {
    list(px, req, Kind::SegmentMatch)
}

pub fn session(px: &PxData, req: &Req) -> Reply {
    list(px, req, Kind::Session)
}

pub fn survey_responses(px: &PxData, req: &Req) -> Reply {
    list(px, req, Kind::SurveyResponse)
}

pub fn adoption(px: &PxData, req: &Req) -> Reply {
    let id = req.path.rsplit('/').next().unwrap_or_default();
    if !px.features.iter().any(|f| f["id"] == id) {
        return Err(not_found(&format!("Feature {id} not found")));
    }
    let (start, end) = window(px, &req.params, MAX_ADOPTION_DAYS)?;
    let items = feature_items(px, id, true);
    let sel = Select { start, end, account: None, items: Some(&items), test: None };
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
