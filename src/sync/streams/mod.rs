//! The CS streams, one module each: the roles it reads (its select list, asked of the org's
//! describe), how a record becomes a row, and the change-log entries it writes. Adding a field to a
//! stream is an edit of its module (and its table's row).

pub mod bands;
pub mod companies;
pub mod ctas;
pub mod history;
pub mod measures;
pub mod usage;

use super::plan::StreamKind;
use super::roles::{Resolved, Role};
use crate::error::Result;
use crate::gainsight::dates::parse_date;
use crate::gainsight::paging::QuerySpec;
use crate::gainsight::record::{Record, iso};
use chrono::{DateTime, Utc};
use rusqlite::Transaction;
use rusqlite::TransactionBehavior::Immediate;

/// Object names that vary by org, from the connection's sync settings.
#[derive(Clone, Debug)]
pub struct ObjectNames {
    pub fact: String,
    pub history: String,
    pub usage: String,
}

/// The object each stream reads.
pub fn object_of(kind: StreamKind, names: &ObjectNames) -> String {
    match kind {
        StreamKind::ScoreBands => "scoring_scheme_definition".into(),
        StreamKind::Companies => "company".into(),
        StreamKind::Ctas => "call_to_action".into(),
        StreamKind::MeasureScores => names.fact.clone(),
        StreamKind::ScoreHistory => names.history.clone(),
        StreamKind::Usage => names.usage.clone(),
    }
}

/// The query for a stream, from its resolved fields: ordered by its modified date when the org has
/// one, else by Gsid alone (read whole every time).
pub fn spec(resolved: &Resolved) -> QuerySpec {
    let select = resolved.select();
    let refs: Vec<&str> = select.iter().map(String::as_str).collect();
    let mut s = QuerySpec::new(&resolved.object, &refs);
    s.order_field = resolved.path("modified").unwrap_or("Gsid").to_string();
    s
}

/// The roles each stream reads.
pub fn roles_of(kind: StreamKind) -> &'static [Role] {
    match kind {
        StreamKind::ScoreBands => bands::ROLES,
        StreamKind::Companies => companies::ROLES,
        StreamKind::Ctas => ctas::ROLES,
        StreamKind::MeasureScores => measures::ROLES,
        StreamKind::ScoreHistory => history::ROLES,
        StreamKind::Usage => usage::ROLES,
    }
}

/// What applying a page did.
#[derive(Default)]
pub struct Applied {
    pub rows: u64,
    /// Records without an id (`Gsid`), which cannot be kept or matched later.
    pub skipped: u64,
    pub modified_to: Option<DateTime<Utc>>,
}

pub struct PageContext<'a> {
    pub cid: &'a str,
    pub run_id: i64,
    pub now: &'a str,
    /// The first sync of this stream: everything is new, so nothing goes to the change log.
    pub first: bool,
    pub order_field: &'a str,
}

/// Applies a page of `kind` records inside the page's transaction.
pub fn apply(
    tx: &Transaction<'_>,
    kind: StreamKind,
    ctx: &PageContext<'_>,
    page: &[Record],
    f: &Resolved,
) -> Result<Applied> {
    let mut out = Applied::default();
    for r in page {
        let Some(gsid) = f.text(r, "gsid") else {
            out.skipped += 1;
            continue;
        };
        match kind {
            StreamKind::ScoreBands => bands::apply(tx, ctx.cid, gsid, r, f)?,
            StreamKind::Companies => companies::apply(tx, ctx, gsid, r, f)?,
            StreamKind::Ctas => ctas::apply(tx, ctx, gsid, r, f)?,
            StreamKind::MeasureScores => measures::apply(tx, ctx.cid, gsid, r, f)?,
            StreamKind::ScoreHistory => history::apply(tx, ctx.cid, gsid, r, f)?,
            StreamKind::Usage => usage::apply(tx, ctx.cid, gsid, r, f)?,
        }
        out.rows += 1;
        if let Some(t) = r.get(ctx.order_field).and_then(parse_date) {
            out.modified_to = out.modified_to.max(Some(t));
        }
    }
    Ok(out)
}

/// What a page's write needs besides the page, owned so the writer thread can have it. The
/// benchmarks write recorded pages through it too, to measure storage alone.
pub struct PageJob {
    pub cid: String,
    pub run_id: i64,
    pub now: String,
    pub first: bool,
    pub order_field: String,
    pub kind: StreamKind,
    pub resolved: Resolved,
}

impl PageJob {
    /// Writes one page in its own transaction: its rows, the stream's cursor, the run's count.
    pub fn write(&self, conn: &mut rusqlite::Connection, page: &[Record]) -> Result<Applied> {
        let tx = conn.transaction_with_behavior(Immediate).map_err(crate::db::db_err)?;
        let ctx = PageContext {
            cid: &self.cid,
            run_id: self.run_id,
            now: &self.now,
            first: self.first,
            order_field: &self.order_field,
        };
        let applied = apply(&tx, self.kind, &ctx, page, &self.resolved)?;
        if let Some(t) = applied.modified_to {
            crate::db::cursors::advance_cursor(&tx, &self.cid, self.kind.name(), &iso(t))?;
        }
        crate::db::runs::add_committed(&tx, self.run_id, self.kind.stream().code(), applied.rows)?;
        tx.commit().map_err(crate::db::db_err)?;
        Ok(applied)
    }
}

pub(super) fn change(
    tx: &Transaction<'_>,
    ctx: &PageContext<'_>,
    kind: crate::model::ChangeKind,
    company: Option<&str>,
    subject: Option<&str>,
    detail: Option<&str>,
) -> Result<()> {
    let c = crate::db::changes::NewChange { run_id: ctx.run_id, at: ctx.now, kind, company, subject, detail };
    crate::db::changes::add_change(tx, ctx.cid, &c)
}
