//! Paging as streams, each loop bounded: a page cap that fails loudly instead of looping forever.
//!
//! CS query API: ordered by (ModifiedDate, Gsid), and paged by key rather than by a growing offset.
//! With plain offsets, a row modified while paging moves to the end and every row after it shifts
//! left by one, so one unmodified row falls between two pages and is never read: the cursor then
//! moves past it for good. Here each page after the first asks again from the last instant read
//! (`ModifiedDate >= t`), skipping all but one of the rows it already read at `t` (their order by
//! Gsid is fixed): the one row read again proves nothing shifted — it must come back first, and is
//! dropped by the Gsid de-duplication — so a page brings a page of new rows, not a page less the
//! rows sharing its last instant (score history shares a few instants among thousands of rows). If
//! that row does not come back first, a row at `t` changed meanwhile and the page is asked again
//! from the first row at `t`: a row that moved is simply read again later, and nothing shifts under
//! the window. Only when a whole page shares one instant does paging step through that instant by
//! offset (`= t`), then go on after it (`> t`). If the order field can't be read, paging goes on by
//! absolute offset.

use super::cs::CsClient;
use super::error::ApiError;
use crate::error::ErrorKind;
use chrono::{DateTime, Utc};
use futures_util::Stream;
use serde_json::{Map, Value, json};
use std::collections::HashSet;

pub const MAX_QUERY_LIMIT: usize = 5000;
pub const MAX_COCKPIT_PAGE: usize = 1000;
/// No sync needs more pages than this; reaching it means the server keeps sending full pages.
pub const DEFAULT_PAGE_CAP: usize = 10_000;

pub use super::record::Record;

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

    /// The body for the rows where the order field stands to `at` as `operator` says (GTE, EQ, GT).
    fn body_at(&self, operator: &str, at: DateTime<Utc>, offset: usize) -> Value {
        let mut body = self.body(offset);
        let at = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let key = json!({"name": self.order_field, "alias": "KEY", "value": [at], "operator": operator});
        body["where"] = match &self.filter {
            Some(f) => {
                let mut conditions =
                    f.get("conditions").and_then(Value::as_array).cloned().unwrap_or_default();
                conditions.push(key);
                let expression = match f.get("expression").and_then(Value::as_str) {
                    Some(e) if !e.trim().is_empty() => format!("({e}) AND KEY"),
                    _ => "KEY".to_string(),
                };
                json!({"conditions": conditions, "expression": expression})
            }
            None => json!({"conditions": [key], "expression": "KEY"}),
        };
        body
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

fn rows(data: super::response::CsData) -> Vec<Record> {
    data.into_records()
        .into_iter()
        .filter_map(|v| match v {
            Value::Object(record) => Some(record),
            _ => None,
        })
        .collect()
}

/// The page size paging uses: at most the API's limit, and at least 2, since a page must hold the
/// one row read again besides a new one (at one row a page, a run of rows sharing an instant could
/// only be stepped through by offset, where a row edited meanwhile shifts another out of reach: the
/// property test below found both).
pub fn effective_page_size(asked: usize) -> usize {
    asked.clamp(2, MAX_QUERY_LIMIT)
}

/// Where the next page starts.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Next {
    /// `offset` rows into the query (the first page, or when dates can't be read).
    Offset(usize),
    /// Rows at or after an instant, skipping the first `skip` (rows at that instant already read,
    /// but for the last of them, which comes back first as the proof that nothing shifted).
    From { at: DateTime<Utc>, skip: usize },
    /// Rows at exactly an instant, skipping `skip`: a run of equal instants longer than a page.
    Tie { at: DateTime<Utc>, skip: usize },
    /// Rows after an instant, from the first.
    After(DateTime<Utc>),
}

impl Next {
    fn body(self, spec: &QuerySpec) -> Value {
        match self {
            Next::Offset(offset) => spec.body(offset),
            Next::From { at, skip } => spec.body_at("GTE", at, skip),
            Next::Tie { at, skip } => spec.body_at("EQ", at, skip),
            Next::After(at) => spec.body_at("GT", at, 0),
        }
    }
}

struct Cursor {
    next: Next,
    /// The Gsid the next page must start with (the one row read again), when it skips rows.
    overlap: Option<String>,
    /// Rows received so far, for the fallback to absolute offsets.
    received: usize,
    pages: usize,
    done: bool,
    seen: HashSet<String>,
}

/// After a full page: where the next one starts, given where this one did, and the Gsid the next
/// page must start with when it skips rows already read.
fn next_start(order_field: &str, page: &[Record], started: Next, received: usize) -> (Next, Option<String>) {
    let at = |r: &Record| r.get(order_field).and_then(super::dates::parse_date);
    let instants: Option<Vec<DateTime<Utc>>> = page.iter().map(at).collect();
    let Some(instants) = instants.filter(|i| !i.is_empty()) else {
        return match started {
            Next::Offset(_) => (Next::Offset(received), None),
            // A date vanished mid-way: restart this instant's run by offset rather than guess.
            Next::From { at, .. } => (Next::From { at, skip: 0 }, None),
            other => (other, None),
        };
    };
    let last = instants[instants.len() - 1];
    if instants.iter().any(|t| *t != last) {
        // The rows at `last` this page read: all but the last are skipped next time.
        let run = instants.iter().rev().take_while(|t| **t == last).count();
        let overlap = page.last().and_then(|r| r.get("Gsid")).and_then(Value::as_str).map(str::to_string);
        return match overlap {
            Some(id) if run > 1 => (Next::From { at: last, skip: run - 1 }, Some(id)),
            _ => (Next::From { at: last, skip: 0 }, None),
        };
    }
    // The whole page is one instant: go on through it past every row of it read so far but the
    // last, which must come back first, as on any other page (a run longer than a page then costs
    // no extra call at its end). Rows without a Gsid can't prove that: stepped through by offset.
    // (Found by the property test below: at one row a page, the overlap never moved on.)
    let read = match started {
        Next::Tie { at, skip } | Next::From { at, skip } if at == last => skip + page.len(),
        _ => page.len(),
    };
    // A page of one row would only ever read that row again: it too steps by offset.
    match page.last().and_then(gsid) {
        Some(id) if !matches!(started, Next::Tie { .. }) && page.len() > 1 => {
            (Next::From { at: last, skip: read - 1 }, Some(id.to_string()))
        }
        _ => (Next::Tie { at: last, skip: read }, None),
    }
}

fn gsid(r: &Record) -> Option<&str> {
    r.get("Gsid").and_then(Value::as_str)
}

/// Pages of a CS query, de-duplicated by Gsid, stopping on the first short page.
pub fn query_pages<'a>(
    client: &'a CsClient,
    spec: QuerySpec,
) -> impl Stream<Item = Result<Vec<Record>, ApiError>> + 'a {
    let spec = QuerySpec { page_size: effective_page_size(spec.page_size), ..spec };
    let start = Cursor {
        next: Next::Offset(0),
        overlap: None,
        received: 0,
        pages: 0,
        done: false,
        seen: HashSet::new(),
    };
    futures_util::stream::try_unfold(start, move |mut c| {
        let spec = spec.clone();
        async move {
            if c.done {
                return Ok(None);
            }
            if c.pages >= spec.page_cap {
                return Err(page_cap_error(&spec.object, spec.page_cap));
            }
            let mut page = rows(client.query(&spec.object, &c.next.body(&spec)).await?);
            c.pages += 1;
            if c.must_ask_again(&page) {
                if c.pages >= spec.page_cap {
                    return Err(page_cap_error(&spec.object, spec.page_cap));
                }
                page = rows(client.query(&spec.object, &c.next.body(&spec)).await?);
                c.pages += 1;
            }
            let fresh = c.take(&spec, page);
            Ok(Some((fresh, c)))
        }
    })
}

impl Cursor {
    /// Whether the page asked with an overlap missed it (a row at that instant changed since the
    /// last page): then the page is to be asked again from the first row at the instant, as
    /// `self.next` now says.
    fn must_ask_again(&mut self, page: &[Record]) -> bool {
        if let (Some(want), Next::From { at, skip }) = (self.overlap.take(), self.next)
            && skip > 0
            && page.first().and_then(gsid) != Some(want.as_str())
        {
            self.next = Next::From { at, skip: 0 };
            return true;
        }
        false
    }

    /// Takes in a page: where the next one starts, whether this was the last, and the rows not
    /// read before.
    fn take(&mut self, spec: &QuerySpec, page: Vec<Record>) -> Vec<Record> {
        self.received += page.len();
        let short = page.len() < spec.page_size.min(MAX_QUERY_LIMIT);
        (self.next, self.overlap) = match (short, self.next) {
            // The run of one instant is read through: go on after it.
            (true, Next::Tie { at, .. }) => (Next::After(at), None),
            (true, _) => {
                self.done = true;
                (self.next, None)
            }
            (false, started) => next_start(&spec.order_field, &page, started, self.received),
        };
        page.into_iter()
            .filter(|r| match gsid(r) {
                Some(id) => self.seen.insert(id.to_string()),
                None => true,
            })
            .collect()
    }
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
            let page = rows(client.cockpit(path, &body).await?);
            let short = page.len() < size;
            Ok(Some((page, (number + 1, short))))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(times: &[i64]) -> Vec<Record> {
        times
            .iter()
            .enumerate()
            .filter_map(|(i, t)| json!({"Gsid": format!("G{i}"), "ModifiedDate": t}).as_object().cloned())
            .collect()
    }

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(ms).expect("instant")
    }

    #[test]
    fn the_next_page_starts_at_the_last_instant_read() {
        let f = "ModifiedDate";
        let from = |ms, skip| Next::From { at: at(ms), skip };
        let no_overlap = |next| (next, None::<String>);
        assert_eq!(next_start(f, &rows(&[1, 2, 3]), Next::Offset(0), 3), no_overlap(from(3, 0)));
        // Rows already read at the last instant are skipped but for the last, which must come back.
        assert_eq!(next_start(f, &rows(&[3, 3, 4, 4, 4]), from(3, 0), 6), (from(4, 2), Some("G4".into())));
        assert_eq!(next_start(f, &rows(&[1, 4, 4]), from(1, 0), 6), (from(4, 1), Some("G2".into())));
        // A page that is one instant throughout goes on through it the same way: past the rows of
        // it read so far but the last, also when the page began past rows of it read before.
        assert_eq!(next_start(f, &rows(&[3, 3, 3]), from(3, 0), 6), (from(3, 2), Some("G2".into())));
        assert_eq!(next_start(f, &rows(&[3, 3, 3]), from(3, 2), 9), (from(3, 4), Some("G2".into())));
        assert_eq!(next_start(f, &rows(&[3, 3, 3]), Next::Offset(0), 3), (from(3, 2), Some("G2".into())));
        // Without Gsids to prove the overlap, it is stepped through by offset.
        let mut bare = rows(&[3, 3, 3]);
        bare.iter_mut().for_each(|r| {
            r.remove("Gsid");
        });
        assert_eq!(next_start(f, &bare, from(3, 0), 6), no_overlap(Next::Tie { at: at(3), skip: 3 }));
        let tie = Next::Tie { at: at(3), skip: 3 };
        assert_eq!(next_start(f, &bare, tie, 9), no_overlap(Next::Tie { at: at(3), skip: 6 }));
        // A row without a readable date: absolute offsets when paging by offset already, else the
        // instant's run again from its first row.
        let mut odd = rows(&[1, 2]);
        odd[0].remove(f);
        assert_eq!(next_start(f, &odd, Next::Offset(0), 2), no_overlap(Next::Offset(2)));
        assert_eq!(next_start(f, &odd, from(1, 3), 4), no_overlap(from(1, 0)));
        // Rows without a Gsid cannot prove the overlap: no skipping.
        let mut anonymous = rows(&[1, 2, 2]);
        anonymous[2].remove("Gsid");
        assert_eq!(next_start(f, &anonymous, from(1, 0), 3), no_overlap(from(2, 0)));
    }

    #[test]
    fn the_key_condition_joins_the_streams_own_filter() {
        let mut spec = QuerySpec::new("company", &["Gsid"]);
        let body = Next::Tie { at: at(0), skip: 4 }.body(&spec);
        assert_eq!(body["where"]["expression"], "KEY");
        assert_eq!(body["where"]["conditions"][0]["operator"], "EQ");
        assert_eq!(body["offset"], 4);
        assert_eq!(Next::After(at(0)).body(&spec)["where"]["conditions"][0]["operator"], "GT");
        assert!(Next::Offset(0).body(&spec).get("where").is_none());
        spec.filter =
            Some(json!({"conditions": [{"name": "Arr", "alias": "A", "value": [1], "operator": "GT"},
            {"name": "Arr", "alias": "B", "value": [9], "operator": "LT"}], "expression": "A OR B"}));
        let body = Next::From { at: at(0), skip: 0 }.body(&spec);
        assert_eq!(body["where"]["expression"], "(A OR B) AND KEY");
        assert_eq!(body["offset"], 0);
        assert_eq!(Next::From { at: at(0), skip: 7 }.body(&spec)["offset"], 7);
        assert_eq!(body["where"]["conditions"].as_array().map(Vec::len), Some(3));
        assert_eq!(body["where"]["conditions"][2]["value"][0], "1970-01-01T00:00:00.000Z");
    }

    /// An org's rows in memory, answering the four page shapes as the CS query API does: ordered
    /// by (ModifiedDate, Gsid), `offset` rows skipped, `limit` taken.
    struct Org {
        rows: Vec<(i64, usize)>,
    }

    impl Org {
        fn answer(&self, next: Next, limit: usize) -> Vec<Record> {
            let mut sorted = self.rows.clone();
            sorted.sort();
            let ms = |t: DateTime<Utc>| t.timestamp_millis();
            let (keep, offset): (Box<dyn Fn(i64) -> bool>, usize) = match next {
                Next::Offset(o) => (Box::new(|_| true), o),
                Next::From { at, skip } => (Box::new(move |t| t >= ms(at)), skip),
                Next::Tie { at, skip } => (Box::new(move |t| t == ms(at)), skip),
                Next::After(at) => (Box::new(move |t| t > ms(at)), 0),
            };
            sorted
                .into_iter()
                .filter(|(t, _)| keep(*t))
                .skip(offset)
                .take(limit)
                .filter_map(|(t, id)| {
                    json!({"Gsid": format!("G{id:04}"), "ModifiedDate": t}).as_object().cloned()
                })
                .collect()
        }
    }

    proptest::proptest! {
        /// Whatever the instants (few distinct ones, so runs of equal instants longer than a page
        /// are common), the page size, and rows modified while paging (each moves to a new, later
        /// instant): every row comes out exactly once, and paging ends.
        #[test]
        fn keyset_paging_never_skips_or_repeats_a_row(
            instants in proptest::collection::vec(0i64..6, 0..80),
            asked in 1usize..12,
            moves in proptest::collection::vec((0usize..80, 0usize..40), 0..6),
        ) {
            let mut org = Org { rows: instants.iter().enumerate().map(|(i, t)| (*t, i)).collect() };
            let page_size = effective_page_size(asked);
            let spec = QuerySpec { page_size, ..QuerySpec::new("company", &["Gsid"]) };
            let mut c = Cursor { next: Next::Offset(0), overlap: None, received: 0, pages: 0, done: false, seen: HashSet::new() };
            let mut out: Vec<String> = Vec::new();
            let mut latest = 100;
            while !c.done {
                proptest::prop_assert!(c.pages < 10 * (instants.len() + 2), "paging ends");
                // Rows modified since the last page move to a later instant, as edits do.
                for (row, when) in &moves {
                    if *when == c.pages && !org.rows.is_empty() {
                        let i = row % org.rows.len();
                        latest += 1;
                        org.rows[i].0 = latest;
                    }
                }
                let mut page = org.answer(c.next, page_size);
                c.pages += 1;
                if c.must_ask_again(&page) {
                    page = org.answer(c.next, page_size);
                    c.pages += 1;
                }
                out.extend(c.take(&spec, page).iter().filter_map(|r| gsid(r).map(str::to_string)));
            }
            let mut sorted = out.clone();
            sorted.sort();
            sorted.dedup();
            proptest::prop_assert_eq!(sorted.len(), out.len(), "no row repeated");
            proptest::prop_assert_eq!(out.len(), instants.len(), "every row read: {:?}", out);
        }
    }
}
