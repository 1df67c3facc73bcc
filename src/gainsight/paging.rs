//! Paging as streams, each loop bounded: a page cap that fails loudly instead of looping forever.
//!
//! CS query API: `limit`/`offset` ordered by (ModifiedDate, Gsid). Offset paging over rows that
//! change while paging can repeat a row (seen twice: de-duplicated by Gsid here) or skip one (a row
//! modified mid-sync moves past the end and is caught by the next incremental sync's overlap).

use super::cs::CsClient;
use super::error::ApiError;
use crate::error::ErrorKind;
use futures_util::Stream;
use serde_json::{Map, Value, json};
use std::collections::HashSet;

pub const MAX_QUERY_LIMIT: usize = 5000;
pub const MAX_COCKPIT_PAGE: usize = 1000;
/// No sync needs more pages than this; reaching it means the server keeps sending full pages.
pub const DEFAULT_PAGE_CAP: usize = 10_000;

pub type Record = Map<String, Value>;

/// One CS query walked page by page.
#[derive(Clone, Debug)]
pub struct QuerySpec {
    pub object: String,
    pub select: Vec<String>,
    /// A `where` object (`conditions` + `expression`), or none for every row.
    pub filter: Option<Value>,
    /// The field rows are ordered by first (`ModifiedDate`, or `LastModifiedDate` on the timeline).
    pub order_field: String,
    pub page_size: usize,
    pub page_cap: usize,
}

impl QuerySpec {
    pub fn new(object: &str, select: &[&str]) -> Self {
        QuerySpec {
            object: object.to_string(),
            select: select.iter().map(|s| s.to_string()).collect(),
            filter: None,
            order_field: "ModifiedDate".into(),
            page_size: MAX_QUERY_LIMIT,
            page_cap: DEFAULT_PAGE_CAP,
        }
    }

    fn body(&self, offset: usize) -> Value {
        let mut select = self.select.clone();
        for must in ["Gsid", self.order_field.as_str()] {
            if !select.iter().any(|s| s.eq_ignore_ascii_case(must)) {
                select.push(must.to_string());
            }
        }
        let mut order = Map::new();
        order.insert(self.order_field.clone(), json!("asc"));
        order.insert("Gsid".into(), json!("asc"));
        let mut body = json!({"select": select, "orderBy": order, "limit": self.page_size.min(MAX_QUERY_LIMIT), "offset": offset});
        if let Some(f) = &self.filter {
            body["where"] = f.clone();
        }
        body
    }
}

fn page_cap_error(what: &str, cap: usize) -> ApiError {
    ApiError::new(
        ErrorKind::BadResponse,
        format!("{what} returned more than {cap} full pages; stopped to avoid an endless loop."),
        Some("Narrow the sync (fewer objects or a filter) or report this to Outpost's maintainers."),
    )
}

fn rows(data: &super::response::CsData) -> Vec<Record> {
    data.records().iter().filter_map(|v| v.as_object().cloned()).collect()
}

struct Cursor {
    offset: usize,
    pages: usize,
    done: bool,
    seen: HashSet<String>,
}

/// Pages of a CS query, de-duplicated by Gsid, stopping on the first short page.
pub fn query_pages<'a>(
    client: &'a CsClient,
    spec: QuerySpec,
) -> impl Stream<Item = Result<Vec<Record>, ApiError>> + 'a {
    let start = Cursor { offset: 0, pages: 0, done: false, seen: HashSet::new() };
    futures_util::stream::try_unfold(start, move |mut c| {
        let spec = spec.clone();
        async move {
            if c.done {
                return Ok(None);
            }
            if c.pages >= spec.page_cap {
                return Err(page_cap_error(&spec.object, spec.page_cap));
            }
            let data = client.query(&spec.object, &spec.body(c.offset)).await?;
            let page = rows(&data);
            c.pages += 1;
            c.offset += page.len();
            c.done = page.len() < spec.page_size.min(MAX_QUERY_LIMIT);
            let fresh: Vec<Record> = page
                .into_iter()
                .filter(|r| match r.get("Gsid").and_then(Value::as_str) {
                    Some(id) => c.seen.insert(id.to_string()),
                    None => true,
                })
                .collect();
            Ok(Some((fresh, c)))
        }
    })
}

/// Pages of the cockpit CTA list (`pageNumber` from 1, `pageSize` ≤ 1000), stopping on a short page.
pub fn cockpit_pages<'a>(
    client: &'a CsClient,
    path: &'a str,
    select: Vec<String>,
    filter: Option<Value>,
    page_size: usize,
) -> impl Stream<Item = Result<Vec<Record>, ApiError>> + 'a {
    let size = page_size.clamp(1, MAX_COCKPIT_PAGE);
    futures_util::stream::try_unfold((1usize, false), move |(number, done)| {
        let mut body = json!({"select": select.clone(), "pageSize": size, "pageNumber": number});
        if let Some(f) = &filter {
            body["where"] = f.clone();
        }
        async move {
            if done {
                return Ok(None);
            }
            if number > DEFAULT_PAGE_CAP {
                return Err(page_cap_error(path, DEFAULT_PAGE_CAP));
            }
            let page = rows(&client.cockpit(path, &body).await?);
            let short = page.len() < size;
            Ok(Some((page, (number + 1, short))))
        }
    })
}
