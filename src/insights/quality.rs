//! Data-quality checks over the cache: each has a code, a title, how much it matters, a count and
//! the affected items (accounts; for `sparse_field` the fields, for `delete_window` the
//! connections). A check whose count is 0 passes.

use super::link::Links;
use crate::db::browse::collect;
use crate::error::{Error, ErrorKind, Result};
use crate::model::Severity;
use chrono::{DateTime, Days, NaiveDate, Utc};
use rusqlite::Connection;
use serde::Serialize;
use std::collections::HashSet;
use ts_rs::TS;

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct QualityItem {
    pub connection_id: String,
    /// The account's Gsid, the PX account's id, the field's API name or the connection's id.
    pub id: String,
    pub name: String,
    pub detail: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct QualityCheck {
    pub code: String,
    pub title: String,
    pub severity: Severity,
    /// How many items fail the check (all of them, however many `items` shows).
    pub count: u64,
    pub items: Vec<QualityItem>,
}

/// Every check's code and title, in the order they are listed.
pub const CHECKS: [(&str, &str); 9] = [
    ("no_csm", "Companies with no CSM"),
    ("no_score", "Companies with no health score"),
    ("stale_score", "Scores not updated in 30 days"),
    ("renewal_past", "Renewal date in the past"),
    ("cta_overdue_90", "CTAs overdue for more than 90 days"),
    ("px_unlinked", "PX accounts with no CS company"),
    ("no_px", "Companies with no PX account"),
    ("sparse_field", "Mapped fields empty for most accounts"),
    ("delete_window", "Deletes about to leave Gainsight's 15-day log"),
];

/// What the checks read besides the database.
pub struct Context<'a> {
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    pub links: &'a Links,
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

const CS: &str = "JOIN connections k ON k.id = c.connection_id AND k.kind = 'cs'";

fn accounts(
    conn: &Connection,
    filter: &str,
    detail: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<QualityItem>> {
    collect(
        conn,
        &format!(
            "SELECT c.connection_id, c.gsid, c.name, {detail} FROM companies c {CS} WHERE {filter}
             ORDER BY c.name COLLATE NOCASE, c.gsid"
        ),
        args,
        |r| Ok(QualityItem { connection_id: r.get(0)?, id: r.get(1)?, name: r.get(2)?, detail: r.get(3)? }),
    )
}

/// The items failing one check (`None` when the check does not apply, e.g. `no_px` without a PX
/// connection), and its severity.
fn items(conn: &Connection, code: &str, cx: &Context<'_>) -> Result<Option<(Severity, Vec<QualityItem>)>> {
    let today = day(cx.today);
    let found = match code {
        "no_csm" => accounts(
            conn,
            "trim(coalesce(c.csm_name, '')) = '' AND trim(coalesce(c.csm_email, '')) = ''",
            "NULL",
            &[],
        )?,
        "no_score" => accounts(conn, "c.score IS NULL AND c.score_label IS NULL", "NULL", &[])?,
        "stale_score" => stale(conn, &day(cx.today - Days::new(30)))?,
        "renewal_past" => accounts(
            conn,
            "c.renewal_date IS NOT NULL AND c.renewal_date < ?1",
            "'renewal ' || substr(c.renewal_date, 1, 10)",
            &[&today],
        )?,
        "cta_overdue_90" => {
            let before = day(cx.today - Days::new(90));
            accounts(
                conn,
                "EXISTS (SELECT 1 FROM ctas t WHERE t.connection_id = c.connection_id AND t.company_gsid = c.gsid
                    AND t.is_closed = 0 AND t.due_date < ?1)",
                "(SELECT count(*) FROM ctas t WHERE t.connection_id = c.connection_id AND t.company_gsid = c.gsid
                    AND t.is_closed = 0 AND t.due_date < ?1) || ' overdue > 90 days'",
                &[&before],
            )?
        }
        "px_unlinked" => cx
            .links
            .unlinked_px
            .iter()
            .map(|a| QualityItem {
                connection_id: a.connection_id.clone(),
                id: a.id.clone(),
                name: a.name.clone(),
                detail: Some(match &a.gs_id {
                    Some(g) if !g.trim().is_empty() => format!("gsId {g} matches no company"),
                    _ => "no gsId, and its id matches no company".into(),
                }),
            })
            .collect(),
        "no_px" if !cx.links.has_px => return Ok(None),
        "no_px" => {
            let linked: HashSet<&(String, String)> = cx.links.px_of.keys().collect();
            accounts(conn, "1 = 1", "NULL", &[])?
                .into_iter()
                .filter(|i| !linked.contains(&(i.connection_id.clone(), i.id.clone())))
                .collect()
        }
        "sparse_field" => sparse_fields(conn)?,
        "delete_window" => return delete_window(conn, cx).map(Some),
        other => {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("Unknown data-quality check \"{other}\"."),
            )
            .with_hint(format!("Use one of {}.", CHECKS.map(|c| c.0).join(", "))));
        }
    };
    let severity = match code {
        "px_unlinked" | "no_px" | "sparse_field" => Severity::Info,
        _ => Severity::Warning,
    };
    Ok(Some((severity, found)))
}

/// Scored companies whose score last changed before `since`: the latest of the measures'
/// modification and the history's week.
fn stale(conn: &Connection, since: &str) -> Result<Vec<QualityItem>> {
    let rows: Vec<QualityItem> = collect(
        conn,
        &format!(
            "SELECT c.connection_id, c.gsid, c.name,
                max(coalesce((SELECT max(ms.modified_at) FROM measure_scores ms
                              WHERE ms.connection_id = c.connection_id AND ms.company_gsid = c.gsid), ''),
                    coalesce((SELECT max(h.week) FROM score_history h
                              WHERE h.connection_id = c.connection_id AND h.company_gsid = c.gsid), ''))
             FROM companies c {CS} WHERE c.score IS NOT NULL OR c.score_label IS NOT NULL
             ORDER BY c.name COLLATE NOCASE, c.gsid"
        ),
        &[],
        |r| Ok(QualityItem { connection_id: r.get(0)?, id: r.get(1)?, name: r.get(2)?, detail: r.get(3)? }),
    )?;
    Ok(rows
        .into_iter()
        .filter_map(|mut i| {
            let at = i.detail.take().filter(|a| !a.is_empty())?;
            let at = at.get(..10).unwrap_or(&at).to_string();
            (at.as_str() < since).then(|| QualityItem { detail: Some(format!("last updated {at}")), ..i })
        })
        .collect())
}

/// Mapped Company fields that more than 80 % of a connection's companies leave empty.
fn sparse_fields(conn: &Connection) -> Result<Vec<QualityItem>> {
    let rows: Vec<(String, String, String, i64, i64)> = collect(
        conn,
        "SELECT m.connection_id, m.field_name, m.label, count(c.gsid),
            sum(CASE WHEN trim(coalesce(CAST(json_extract(c.custom, '$.\"' || m.field_name || '\"') AS TEXT), '')) = ''
                     THEN 1 ELSE 0 END)
         FROM field_mappings m JOIN companies c ON c.connection_id = m.connection_id
         WHERE m.object = 'company' GROUP BY m.connection_id, m.field_name ORDER BY m.label, m.field_name",
        &[],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, Option<i64>>(4)?.unwrap_or(0))),
    )?;
    Ok(rows
        .into_iter()
        .filter(|(.., total, empty)| *total > 0 && *empty * 5 > *total * 4)
        .map(|(cid, field, label, total, empty)| QualityItem {
            connection_id: cid,
            id: field,
            name: label,
            detail: Some(format!("empty for {}% of {total} accounts", empty * 100 / total)),
        })
        .collect())
}

/// CS connections whose last complete sync is more than 10 days old: a warning, and an error past
/// 15 days, when deletes older than that are gone from Gainsight's log (a full sync reconciles them).
fn delete_window(conn: &Connection, cx: &Context<'_>) -> Result<(Severity, Vec<QualityItem>)> {
    let rows: Vec<(String, String, String)> = collect(
        conn,
        "SELECT k.id, k.name, max(r.finished_at) FROM connections k
         JOIN sync_runs r ON r.connection_id = k.id AND r.outcome = 'ok' AND r.finished_at IS NOT NULL
         WHERE k.kind = 'cs' AND k.status != 'disconnected' GROUP BY k.id ORDER BY k.name",
        &[],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let mut severity = Severity::Warning;
    let mut found = Vec::new();
    for (id, name, at) in rows {
        let Ok(at) = DateTime::parse_from_rfc3339(&at) else { continue };
        let days = (cx.now - at.with_timezone(&Utc)).num_days();
        if days > 10 {
            let past = days > 15;
            if past {
                severity = Severity::Error;
            }
            let what =
                if past { "deletes may be missed: run a full sync" } else { "sync before 15 days pass" };
            found.push(QualityItem {
                connection_id: id.clone(),
                id,
                name,
                detail: Some(format!("last complete sync {days} days ago; {what}")),
            });
        }
    }
    Ok((severity, found))
}

/// One check, with at most `limit` of its items; `None` when it does not apply.
pub fn check(conn: &Connection, code: &str, cx: &Context<'_>, limit: usize) -> Result<Option<QualityCheck>> {
    let title = CHECKS.iter().find(|c| c.0 == code).map(|c| c.1).unwrap_or_default();
    let Some((severity, mut found)) = items(conn, code, cx)? else { return Ok(None) };
    let count = found.len() as u64;
    found.truncate(limit);
    Ok(Some(QualityCheck { code: code.to_string(), title: title.to_string(), severity, count, items: found }))
}

/// Every check that applies, each with at most `limit` items.
pub fn all(conn: &Connection, cx: &Context<'_>, limit: usize) -> Result<Vec<QualityCheck>> {
    let mut out = Vec::new();
    for (code, _) in CHECKS {
        out.extend(check(conn, code, cx, limit)?);
    }
    Ok(out)
}
