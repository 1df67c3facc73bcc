//! Entity lists: `/accounts` and `/users` (scroll paging with `filter` and `sort`), `/feature`,
//! `/segment`, `/engagement`, `/articles` and `/kcbot` (page-number paging; the last two narrowed
//! by `productId` when given).
//!
//! Default order is generation order (accounts in CS company order, users grouped by account);
//! `sort` keys apply on top of it, ties keep that order. Filters and sorts may name any field of
//! the object, dotted for nested values (`location.countryName`, `customAttributes.contractTier`);
//! an unknown field is a 400.

use super::auth::{PxError, bad_request};
use super::filter::{Filter, SortKey, compare, parse_filters, parse_sort};
use super::model::{ACCOUNT_FIELDS, USER_FIELDS, path_value};
use super::paging::{DEFAULT_PAGE_SIZE, Scroll, page_reply, page_request};
use super::{PxData, Reply, Req};
use serde_json::Value;

pub const FEATURE_MAX: usize = 200;
pub const SEGMENT_MAX: usize = 200;
pub const ENGAGEMENT_MAX: usize = 500;
pub const ARTICLE_MAX: usize = 500;
pub const KCBOT_MAX: usize = 500;
/// The default page size of `/engagement`, `/articles` and `/kcbot` (features and segments: 25).
pub const LARGE_DEFAULT: usize = 200;

/// A scroll list over `len` records read through `get(index, field)`.
struct Listing<'a> {
    kind: &'a str,
    known: &'a [&'a str],
    len: usize,
}

impl Listing<'_> {
    fn serve(
        &self,
        req: &Req,
        get: impl Fn(usize, &str) -> Option<Value>,
        to_json: impl Fn(usize) -> Value,
    ) -> Reply {
        let scroll = Scroll::start(self.kind, &req.params, &["filter", "sort"])?;
        let params = scroll.params();
        let filter = parse_filters(&params.all("filter")).map_err(|m| bad_request(&m))?;
        let sort = parse_sort(&params.all("sort").join(";")).map_err(|m| bad_request(&m))?;
        self.check_fields(&filter, &sort)?;
        let value = |i: usize, field: &str| path_value(|f| get(i, f), field).unwrap_or(Value::Null);
        let mut rows: Vec<usize> = (0..self.len).filter(|&i| filter.matches(|f| value(i, f))).collect();
        if !sort.is_empty() {
            let mut keyed: Vec<(Vec<Value>, usize)> =
                rows.iter().map(|&i| (sort.iter().map(|k| value(i, &k.field)).collect(), i)).collect();
            keyed.sort_by(|(a, _), (b, _)| {
                sort.iter()
                    .zip(a.iter().zip(b))
                    .map(|(k, (x, y))| if k.desc { compare(y, x) } else { compare(x, y) })
                    .find(|o| o.is_ne())
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            rows = keyed.into_iter().map(|(_, i)| i).collect();
        }
        let window = scroll.window();
        let page: Vec<Value> = rows
            .get(window.start.min(rows.len())..window.end.min(rows.len()))
            .unwrap_or_default()
            .iter()
            .map(|&i| to_json(i))
            .collect();
        Ok(scroll.reply(self.kind, page, rows.len()))
    }

    fn check_fields(&self, filter: &Filter, sort: &[SortKey]) -> Result<(), PxError> {
        let fields = filter.fields().chain(sort.iter().map(|k| k.field.as_str()));
        for field in fields {
            let head = field.split('.').next().unwrap_or(field);
            if !self.known.contains(&head) {
                return Err(bad_request(&format!("Unknown field '{field}' for {}", self.kind)));
            }
        }
        Ok(())
    }
}

pub fn accounts(px: &PxData, req: &Req) -> Reply {
    let live: Vec<usize> = (0..px.accounts.len()).filter(|&i| !px.accounts[i].removed).collect();
    let listing = Listing { kind: "accounts", known: ACCOUNT_FIELDS, len: live.len() };
    listing.serve(req, |i, f| px.accounts[live[i]].get(f), |i| px.accounts[live[i]].to_json())
}

pub fn users(px: &PxData, req: &Req) -> Reply {
    let account = |u: usize| &px.accounts[px.users[u].account as usize];
    let live: Vec<usize> = (0..px.users.len()).filter(|&u| !account(u).removed).collect();
    let listing = Listing { kind: "users", known: USER_FIELDS, len: live.len() };
    listing.serve(
        req,
        |i, f| px.users[live[i]].get(account(live[i]), f),
        |i| px.users[live[i]].to_json(account(live[i])),
    )
}

pub fn features(px: &PxData, req: &Req) -> Reply {
    let (number, size) = page_request(&req.params, FEATURE_MAX, DEFAULT_PAGE_SIZE)?;
    Ok(page_reply("features", &px.features, number, size))
}

pub fn segments(px: &PxData, req: &Req) -> Reply {
    let (number, size) = page_request(&req.params, SEGMENT_MAX, DEFAULT_PAGE_SIZE)?;
    Ok(page_reply("segments", &px.segments, number, size))
}

pub fn engagements(px: &PxData, req: &Req) -> Reply {
    let (number, size) = page_request(&req.params, ENGAGEMENT_MAX, LARGE_DEFAULT)?;
    Ok(page_reply("engagements", &px.engagements, number, size))
}

/// The items of a product (`productId`), or all of them.
fn of_product(items: &[Value], req: &Req) -> Vec<Value> {
    match req.params.get("productId").map(str::trim).filter(|p| !p.is_empty()) {
        Some(product) => items.iter().filter(|i| i["productId"] == product).cloned().collect(),
        None => items.to_vec(),
    }
}

/// `/articles`: the list key is `articleExternalViewList`, as in the PX description's
/// `ArticleExternalViewPage`.
pub fn articles(px: &PxData, req: &Req) -> Reply {
    let (number, size) = page_request(&req.params, ARTICLE_MAX, LARGE_DEFAULT)?;
    Ok(page_reply("articleExternalViewList", &of_product(&px.articles, req), number, size))
}

/// `/kcbot`: the list key is `kcList`, as in the PX description's `KnowledgeCenterExternalViewPage`.
pub fn kcbots(px: &PxData, req: &Req) -> Reply {
    let (number, size) = page_request(&req.params, KCBOT_MAX, LARGE_DEFAULT)?;
    Ok(page_reply("kcList", &of_product(&px.kcbots, req), number, size))
}
