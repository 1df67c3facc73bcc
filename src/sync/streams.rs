//! Each CS stream: what it asks for, and how a page of records becomes rows (and change-log
//! entries) inside the page's transaction.

use super::plan::StreamKind;
use super::roles::Resolved;
use crate::db::companies::{self, CompanyRow};
use crate::db::ctas::{self, CtaRow};
use crate::db::scores::{self, BandRow, HistoryRow, MeasureRow, MeasureScoreRow, UsageRow};
use crate::db::sync as bookkeeping;
use crate::error::Result;
use crate::gainsight::dates::parse_date;
use crate::gainsight::paging::{QuerySpec, Record};
use chrono::{DateTime, Utc};
use rusqlite::Transaction;
use serde_json::{Map, Value};

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

pub(crate) fn text(r: &Record, k: &str) -> Option<String> {
    match r.get(k)? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

pub(super) fn num(r: &Record, k: &str) -> Option<f64> {
    match r.get(k)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An instant as stored: RFC 3339 with millis, so text order is time order.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub(super) fn instant(r: &Record, k: &str) -> Option<String> {
    r.get(k).and_then(parse_date).map(iso)
}

/// What applying a page did.
#[derive(Default)]
pub struct Applied {
    pub rows: u64,
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

pub fn apply(
    tx: &Transaction<'_>,
    kind: StreamKind,
    ctx: &PageContext<'_>,
    page: &[Record],
    f: &Resolved,
) -> Result<Applied> {
    let mut out = Applied::default();
    for r in page {
        let Some(gsid) = f.text(r, "gsid") else { continue };
        match kind {
            StreamKind::ScoreBands => scores::upsert_band(
                tx,
                ctx.cid,
                &BandRow {
                    gsid,
                    name: f.text(r, "name").unwrap_or_default(),
                    score: f.num(r, "score"),
                    color: f.text(r, "color"),
                },
            )?,
            StreamKind::Companies => apply_company(tx, ctx, gsid, r, f)?,
            StreamKind::Ctas => apply_cta(tx, ctx, gsid, r, f)?,
            StreamKind::MeasureScores => {
                let measure = f.text(r, "measure").unwrap_or_default();
                let measure_name = f.text(r, "measure_name");
                // The API documents no flag for the overall measure: its name says it.
                let is_overall =
                    measure_name.as_deref().is_some_and(|n| n.to_ascii_lowercase().contains("overall"));
                let scorecard = f.text(r, "scorecard");
                if let Some(id) = &scorecard {
                    let name = f.text(r, "scorecard_name").unwrap_or_default();
                    scores::upsert_scorecard(tx, ctx.cid, id, &name)?;
                }
                scores::upsert_measure(
                    tx,
                    ctx.cid,
                    &MeasureRow {
                        gsid: measure.clone(),
                        scorecard,
                        name: measure_name.clone().unwrap_or_default(),
                        is_overall,
                    },
                )?;
                scores::upsert_measure_score(
                    tx,
                    ctx.cid,
                    &MeasureScoreRow {
                        gsid,
                        company_gsid: f.text(r, "company").unwrap_or_default(),
                        measure_gsid: measure,
                        measure_name,
                        score: f.num(r, "score"),
                        label: f.text(r, "score_label"),
                        color: f.text(r, "score_color"),
                        prev_score: f.num(r, "prev_score"),
                        trend: f.text(r, "trend"),
                        modified_at: f.instant(r, "modified"),
                    },
                )?
            }
            StreamKind::ScoreHistory => scores::upsert_history(
                tx,
                ctx.cid,
                &HistoryRow {
                    gsid,
                    company_gsid: f.text(r, "company").unwrap_or_default(),
                    measure_gsid: f.text(r, "measure"),
                    week: f.day(r, "week").unwrap_or_default(),
                    score: f.num(r, "score"),
                    label: f.text(r, "score_label"),
                    modified_at: f.instant(r, "modified"),
                },
            )?,
            StreamKind::Usage => scores::upsert_usage(
                tx,
                ctx.cid,
                &UsageRow {
                    gsid,
                    company_gsid: f.text(r, "company").unwrap_or_default(),
                    week: f.day(r, "week").unwrap_or_default(),
                    active_users: f.num(r, "active_users").map(|n| n as i64),
                    logins: f.num(r, "logins").map(|n| n as i64),
                    feature_events: f.num(r, "feature_events").map(|n| n as i64),
                    modified_at: f.instant(r, "modified"),
                },
            )?,
        }
        out.rows += 1;
        if let Some(t) = r.get(ctx.order_field).and_then(parse_date) {
            out.modified_to = out.modified_to.max(Some(t));
        }
    }
    Ok(out)
}

fn apply_company(
    tx: &Transaction<'_>,
    ctx: &PageContext<'_>,
    gsid: String,
    r: &Record,
    f: &Resolved,
) -> Result<()> {
    let custom: Map<String, Value> =
        f.custom_all().map(|c| (c.to_string(), r.get(c).cloned().unwrap_or(Value::Null))).collect();
    let score = f.num(r, "score");
    let (mut score_label, mut score_color) = (f.text(r, "score_label"), f.text(r, "score_color"));
    if score_label.is_none() && !f.has("score_label") {
        // A score held as a plain number: its band comes from the org's scoring scheme.
        if let Some((label, color)) = score.map(|s| scores::band_of(tx, ctx.cid, s)).transpose()?.flatten() {
            (score_label, score_color) = (Some(label), color);
        }
    }
    let row = CompanyRow {
        gsid: gsid.clone(),
        name: f.text(r, "name").unwrap_or_else(|| gsid.clone()),
        industry: f.text(r, "industry"),
        arr: f.num(r, "arr"),
        mrr: f.num(r, "mrr"),
        renewal_date: f.day(r, "renewal_date"),
        stage: f.text(r, "stage"),
        status: f.text(r, "status"),
        csm_name: f.text(r, "csm_name"),
        csm_email: f.text(r, "csm_email"),
        managed_as: f.text(r, "managed_as"),
        employees: f.num(r, "employees").map(|n| n as i64),
        score,
        score_label,
        score_color,
        custom: Value::Object(custom).to_string(),
        created_at: f.instant(r, "created"),
        modified_at: f.instant(r, "modified"),
    };
    let previous = companies::upsert(tx, ctx.cid, &row)?;
    if ctx.first {
        return Ok(());
    }
    match previous {
        None => change(tx, ctx, "company_added", Some(&gsid), Some(&row.name), None),
        Some(old) if old != row.score_label => {
            let detail =
                serde_json::json!({"from": old, "to": row.score_label, "score": row.score}).to_string();
            change(tx, ctx, "band_changed", Some(&gsid), Some(&row.name), Some(&detail))
        }
        Some(_) => Ok(()),
    }
}

fn apply_cta(
    tx: &Transaction<'_>,
    ctx: &PageContext<'_>,
    gsid: String,
    r: &Record,
    f: &Resolved,
) -> Result<()> {
    let row = CtaRow {
        gsid,
        company_gsid: f.text(r, "company"),
        name: f.text(r, "name").unwrap_or_default(),
        status: f.text(r, "status"),
        priority: f.text(r, "priority"),
        r#type: f.text(r, "type"),
        reason: f.text(r, "reason"),
        owner_name: f.text(r, "owner_name"),
        owner_email: f.text(r, "owner_email"),
        due_date: f.day(r, "due_date"),
        is_closed: f.flag(r, "is_closed"),
        closed_at: f.instant(r, "closed_at"),
        is_important: f.flag(r, "is_important"),
        created_at: f.instant(r, "created"),
        modified_at: f.instant(r, "modified"),
    };
    let was_closed = ctas::upsert(tx, ctx.cid, &row)?;
    if ctx.first {
        return Ok(());
    }
    let kind = match (was_closed, row.is_closed) {
        (None, false) | (Some(true), false) => "cta_opened",
        (Some(false), true) => "cta_closed",
        _ => return Ok(()),
    };
    let detail = serde_json::json!({"type": row.r#type, "status": row.status}).to_string();
    change(tx, ctx, kind, row.company_gsid.as_deref(), Some(&row.name), Some(&detail))
}

fn change(
    tx: &Transaction<'_>,
    ctx: &PageContext<'_>,
    kind: &str,
    company: Option<&str>,
    subject: Option<&str>,
    detail: Option<&str>,
) -> Result<()> {
    let c = bookkeeping::NewChange { run_id: ctx.run_id, at: ctx.now, kind, company, subject, detail };
    bookkeeping::add_change(tx, ctx.cid, &c)
}
