//! Each CS stream: what it asks for, and how a page of records becomes rows (and change-log
//! entries) inside the page's transaction.

use super::plan::StreamKind;
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

/// Custom fields the admin mapped onto companies.
pub type Mapped = Vec<String>;

const COMPANY: &[&str] = &[
    "Gsid",
    "Name",
    "Industry",
    "Arr",
    "Mrr",
    "RenewalDate",
    "Stage__gr.Name",
    "Status__gr.Name",
    "Csm__gr.Name",
    "Csm__gr.Email",
    "ManagedAs",
    "Employees",
    "CurrentScore__gr.Score",
    "CurrentScore__gr.Name",
    "CurrentScore__gr.Color",
    "CreatedDate",
    "ModifiedDate",
];
const CTA: &[&str] = &[
    "Gsid",
    "Name",
    "CompanyId",
    "StatusId__gr.Name",
    "PriorityId__gr.Name",
    "TypeId__gr.Name",
    "ReasonId__gr.Name",
    "OwnerId__gr.Name",
    "OwnerId__gr.Email",
    "DueDate",
    "IsClosed",
    "ClosedDate",
    "IsImportant",
    "CreatedDate",
    "ModifiedDate",
];
const BANDS: &[&str] = &["Gsid", "Name", "Score", "Color"];
const FACT: &[&str] = &[
    "Gsid",
    "CompanyId",
    "ScorecardId",
    "ScorecardId__gr.Name",
    "MeasureId",
    "MeasureId__gr.Name",
    "CurScoreId__gr.Score",
    "CurScoreId__gr.Name",
    "CurScoreId__gr.Color",
    "PrevScoreId__gr.Score",
    "Trend",
    "ModifiedDate",
];
const HISTORY: &[&str] =
    &["Gsid", "CompanyId", "MeasureId", "Score", "ScoreId__gr.Name", "SnapshotDate", "ModifiedDate"];
const USAGE: &[&str] = &[
    "Gsid",
    "CompanyId__gc",
    "UsageDate__gc",
    "ActiveUsers__gc",
    "Logins__gc",
    "FeatureEvents__gc",
    "ModifiedDate",
];

pub fn spec(kind: StreamKind, names: &ObjectNames, mapped: &Mapped) -> QuerySpec {
    match kind {
        StreamKind::ScoreBands => QuerySpec::new("scoring_scheme_definition", BANDS),
        StreamKind::Companies => {
            let mut s = QuerySpec::new("company", COMPANY);
            s.select.extend(mapped.iter().cloned());
            s
        }
        StreamKind::Ctas => QuerySpec::new("call_to_action", CTA),
        StreamKind::MeasureScores => QuerySpec::new(&names.fact, FACT),
        StreamKind::ScoreHistory => QuerySpec::new(&names.history, HISTORY),
        StreamKind::Usage => QuerySpec::new(&names.usage, USAGE),
    }
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

fn flag(r: &Record, k: &str) -> bool {
    match r.get(k) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        _ => false,
    }
}

/// An instant as stored: RFC 3339 with millis, so text order is time order.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub(super) fn instant(r: &Record, k: &str) -> Option<String> {
    r.get(k).and_then(parse_date).map(iso)
}

fn day(r: &Record, k: &str) -> Option<String> {
    r.get(k).and_then(parse_date).map(|t| t.format("%Y-%m-%d").to_string())
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
    mapped: &Mapped,
) -> Result<Applied> {
    let mut out = Applied::default();
    for r in page {
        let Some(gsid) = text(r, "Gsid") else { continue };
        match kind {
            StreamKind::ScoreBands => scores::upsert_band(
                tx,
                ctx.cid,
                &BandRow {
                    gsid,
                    name: text(r, "Name").unwrap_or_default(),
                    score: num(r, "Score"),
                    color: text(r, "Color"),
                },
            )?,
            StreamKind::Companies => apply_company(tx, ctx, gsid, r, mapped)?,
            StreamKind::Ctas => apply_cta(tx, ctx, gsid, r)?,
            StreamKind::MeasureScores => {
                let measure = text(r, "MeasureId").unwrap_or_default();
                let measure_name = text(r, "MeasureId__gr.Name");
                // The API documents no flag for the overall measure: its name says it.
                let is_overall =
                    measure_name.as_deref().is_some_and(|n| n.to_ascii_lowercase().contains("overall"));
                let scorecard = text(r, "ScorecardId");
                if let Some(id) = &scorecard {
                    let name = text(r, "ScorecardId__gr.Name").unwrap_or_default();
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
                        company_gsid: text(r, "CompanyId").unwrap_or_default(),
                        measure_gsid: measure,
                        measure_name,
                        score: num(r, "CurScoreId__gr.Score"),
                        label: text(r, "CurScoreId__gr.Name"),
                        color: text(r, "CurScoreId__gr.Color"),
                        prev_score: num(r, "PrevScoreId__gr.Score"),
                        trend: text(r, "Trend"),
                        modified_at: instant(r, "ModifiedDate"),
                    },
                )?
            }
            StreamKind::ScoreHistory => scores::upsert_history(
                tx,
                ctx.cid,
                &HistoryRow {
                    gsid,
                    company_gsid: text(r, "CompanyId").unwrap_or_default(),
                    measure_gsid: text(r, "MeasureId"),
                    week: day(r, "SnapshotDate").unwrap_or_default(),
                    score: num(r, "Score"),
                    label: text(r, "ScoreId__gr.Name"),
                    modified_at: instant(r, "ModifiedDate"),
                },
            )?,
            StreamKind::Usage => scores::upsert_usage(
                tx,
                ctx.cid,
                &UsageRow {
                    gsid,
                    company_gsid: text(r, "CompanyId__gc").unwrap_or_default(),
                    week: day(r, "UsageDate__gc").unwrap_or_default(),
                    active_users: num(r, "ActiveUsers__gc").map(|n| n as i64),
                    logins: num(r, "Logins__gc").map(|n| n as i64),
                    feature_events: num(r, "FeatureEvents__gc").map(|n| n as i64),
                    modified_at: instant(r, "ModifiedDate"),
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
    mapped: &Mapped,
) -> Result<()> {
    let custom: Map<String, Value> =
        mapped.iter().map(|f| (f.clone(), r.get(f).cloned().unwrap_or(Value::Null))).collect();
    let row = CompanyRow {
        gsid: gsid.clone(),
        name: text(r, "Name").unwrap_or_else(|| gsid.clone()),
        industry: text(r, "Industry"),
        arr: num(r, "Arr"),
        mrr: num(r, "Mrr"),
        renewal_date: day(r, "RenewalDate"),
        stage: text(r, "Stage__gr.Name"),
        status: text(r, "Status__gr.Name"),
        csm_name: text(r, "Csm__gr.Name"),
        csm_email: text(r, "Csm__gr.Email"),
        managed_as: text(r, "ManagedAs"),
        employees: num(r, "Employees").map(|n| n as i64),
        score: num(r, "CurrentScore__gr.Score"),
        score_label: text(r, "CurrentScore__gr.Name"),
        score_color: text(r, "CurrentScore__gr.Color"),
        custom: Value::Object(custom).to_string(),
        created_at: instant(r, "CreatedDate"),
        modified_at: instant(r, "ModifiedDate"),
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

fn apply_cta(tx: &Transaction<'_>, ctx: &PageContext<'_>, gsid: String, r: &Record) -> Result<()> {
    let row = CtaRow {
        gsid,
        company_gsid: text(r, "CompanyId"),
        name: text(r, "Name").unwrap_or_default(),
        status: text(r, "StatusId__gr.Name"),
        priority: text(r, "PriorityId__gr.Name"),
        r#type: text(r, "TypeId__gr.Name"),
        reason: text(r, "ReasonId__gr.Name"),
        owner_name: text(r, "OwnerId__gr.Name"),
        owner_email: text(r, "OwnerId__gr.Email"),
        due_date: day(r, "DueDate"),
        is_closed: flag(r, "IsClosed"),
        closed_at: instant(r, "ClosedDate"),
        is_important: flag(r, "IsImportant"),
        created_at: instant(r, "CreatedDate"),
        modified_at: instant(r, "ModifiedDate"),
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
