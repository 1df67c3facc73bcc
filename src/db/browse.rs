//! Read queries for browsing the cache: accounts by health, ARR, renewal or name with search; one
//! account's scores, history, CTAs and usage; open and overdue CTAs org-wide.

use super::companies::CompanyRow;
use super::ctas::CtaRow;
use super::db_err;
use super::picklists::Labels;
use crate::error::{Error, ErrorKind, Result};
use rusqlite::{Connection, Row, params_from_iter, types::Value as Sql};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Clone, Debug, Default, Deserialize, TS)]
pub struct AccountQuery {
    pub search: Option<String>,
    /// A band label such as "Poor".
    pub band: Option<String>,
    pub health_below: Option<f64>,
    /// name, health, arr, renewal, or `custom:FIELD` for a mapped custom field; `-` in front for
    /// descending.
    pub sort: Option<String>,
    /// Only accounts whose mapped custom field equals this value: `FIELD=VALUE`.
    pub field: Option<String>,
    pub limit: Option<i64>,
    pub connection_id: Option<String>,
}

/// The JSON path of a mapped field inside `companies.custom`; field names are API names only.
pub(super) fn json_path(field: &str) -> Result<String> {
    if field.is_empty() || !field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Error::new(ErrorKind::InvalidInput, format!("\"{field}\" is not a field's API name.")));
    }
    Ok(format!("$.\"{field}\""))
}

#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct AccountSummary {
    pub connection_id: String,
    #[serde(flatten)]
    #[ts(flatten)]
    pub company: CompanyRow,
    pub open_ctas: i64,
    pub overdue_ctas: i64,
}

pub(super) const COMPANY_COLS: &str = "c.gsid, c.name, c.industry, c.arr, c.mrr, c.renewal_date, c.stage, c.status, c.csm_name, \
     c.csm_email, c.managed_as, c.employees, c.score, c.score_label, c.score_color, c.custom, c.created_at, c.modified_at";

pub(super) fn company_from(r: &Row<'_>, at: usize) -> rusqlite::Result<CompanyRow> {
    Ok(CompanyRow {
        gsid: r.get(at)?,
        name: r.get(at + 1)?,
        industry: r.get(at + 2)?,
        arr: r.get(at + 3)?,
        mrr: r.get(at + 4)?,
        renewal_date: r.get(at + 5)?,
        stage: r.get(at + 6)?,
        status: r.get(at + 7)?,
        csm_name: r.get(at + 8)?,
        csm_email: r.get(at + 9)?,
        managed_as: r.get(at + 10)?,
        employees: r.get(at + 11)?,
        score: r.get(at + 12)?,
        score_label: r.get(at + 13)?,
        score_color: r.get(at + 14)?,
        custom: r.get(at + 15)?,
        created_at: r.get(at + 16)?,
        modified_at: r.get(at + 17)?,
    })
}

pub fn accounts(conn: &Connection, q: &AccountQuery, today: &str) -> Result<Vec<AccountSummary>> {
    let mut sql = format!(
        "SELECT c.connection_id, {COMPANY_COLS},
            (SELECT count(*) FROM ctas t INDEXED BY ctas_by_company
                WHERE t.connection_id = c.connection_id AND t.company_gsid = c.gsid AND t.is_closed = 0),
            (SELECT count(*) FROM ctas t INDEXED BY ctas_by_company
                WHERE t.connection_id = c.connection_id AND t.company_gsid = c.gsid AND t.is_closed = 0 AND t.due_date < ?1)
         FROM companies c WHERE 1 = 1"
    );
    let mut args: Vec<Sql> = vec![Sql::Text(today.to_string())];
    if let Some(s) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        args.push(Sql::Text(format!("%{}%", s.replace('%', "\\%").replace('_', "\\_"))));
        let n = args.len();
        sql.push_str(&format!(
            " AND (c.name LIKE ?{n} ESCAPE '\\' OR c.csm_name LIKE ?{n} ESCAPE '\\' OR c.industry LIKE ?{n} ESCAPE '\\')"
        ));
    }
    if let Some(b) = &q.band {
        args.push(Sql::Text(b.clone()));
        sql.push_str(&format!(" AND c.score_label = ?{} COLLATE NOCASE", args.len()));
    }
    if let Some(h) = q.health_below {
        args.push(Sql::Real(h));
        sql.push_str(&format!(" AND c.score < ?{}", args.len()));
    }
    if let Some(f) = &q.field {
        let (name, value) = f.split_once('=').ok_or_else(|| {
            Error::new(ErrorKind::InvalidInput, format!("\"{f}\" is not FIELD=VALUE."))
                .with_hint("e.g. Region__gc=EMEA")
        })?;
        args.push(Sql::Text(json_path(name)?));
        args.push(Sql::Text(value.to_string()));
        let (path, val) = (format!("?{}", args.len() - 1), format!("?{}", args.len()));
        sql.push_str(&format!(" AND {}", super::account_page::custom_condition(&path, &val)));
    }
    if let Some(cid) = &q.connection_id {
        args.push(Sql::Text(cid.clone()));
        sql.push_str(&format!(" AND c.connection_id = ?{}", args.len()));
    }
    let sort = q.sort.as_deref().unwrap_or("health");
    let (desc, key) = match sort.strip_prefix('-') {
        Some(k) => (true, k),
        None => (false, sort),
    };
    let custom_column;
    let column = match key {
        "name" => "c.name COLLATE NOCASE",
        "health" | "score" => "c.score",
        "arr" => "c.arr",
        "renewal" => "c.renewal_date",
        k if k.starts_with("custom:") => {
            args.push(Sql::Text(json_path(&k["custom:".len()..])?));
            custom_column = format!("json_extract(c.custom, ?{})", args.len());
            custom_column.as_str()
        }
        other => {
            return Err(Error::new(ErrorKind::InvalidInput, format!("Cannot sort by \"{other}\"."))
                .with_hint("Use name, health, arr, renewal or custom:FIELD."));
        }
    };
    // Missing values sort last either way; ARR reads naturally largest first.
    let desc = desc ^ (key == "arr");
    sql.push_str(&format!(
        " ORDER BY {column} IS NULL, {column} {}, c.name COLLATE NOCASE LIMIT ?{}",
        if desc { "DESC" } else { "ASC" },
        args.len() + 1
    ));
    args.push(Sql::Integer(q.limit.unwrap_or(500).max(1)));
    let mut stmt = conn.prepare(&sql).map_err(db_err)?;
    let rows = stmt
        .query_map(params_from_iter(args), |r| {
            Ok(AccountSummary {
                connection_id: r.get(0)?,
                company: company_from(r, 1)?,
                open_ctas: r.get(19)?,
                overdue_ctas: r.get(20)?,
            })
        })
        .map_err(db_err)?;
    let mut rows = rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db_err)?;
    let labels = Labels::load(conn)?;
    for r in &mut rows {
        labels.company(&r.connection_id, &mut r.company);
    }
    Ok(rows)
}

#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct MeasureScore {
    pub measure: String,
    pub score: Option<f64>,
    pub label: Option<String>,
    pub color: Option<String>,
    pub prev_score: Option<f64>,
    pub trend: Option<String>,
}

#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct HistoryPoint {
    pub week: String,
    pub score: Option<f64>,
    pub label: Option<String>,
}

/// One measure's weekly scores.
#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct MeasureHistory {
    pub measure: String,
    pub points: Vec<HistoryPoint>,
}

#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct UsagePoint {
    pub week: String,
    pub active_users: Option<i64>,
    pub logins: Option<i64>,
    pub feature_events: Option<i64>,
}

/// The company's PX account (joined by `gsId`), when a PX connection is synced.
#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct PxUsage {
    pub account_name: String,
    pub health_score: Option<f64>,
    pub nps: Option<f64>,
    pub users: Option<i64>,
    pub last_seen: Option<String>,
    /// Feature events over the synced days, most used first.
    pub top_features: Vec<FeatureUse>,
}

#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct FeatureUse {
    pub feature: String,
    pub events: i64,
    pub users: i64,
}

#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct AccountDetail {
    pub connection_id: String,
    pub company: CompanyRow,
    pub measures: Vec<MeasureScore>,
    /// The overall score, week by week.
    pub history: Vec<HistoryPoint>,
    /// Each other measure's weekly scores, when the org keeps them (left out when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub measure_history: Vec<MeasureHistory>,
    pub ctas: Vec<CtaRow>,
    pub usage: Vec<UsagePoint>,
    pub px: Option<PxUsage>,
    /// The mapped custom fields, labelled, in the admin's order.
    pub custom_fields: Vec<CustomValue>,
    /// What changed for this account (band moves, CTAs opened and closed), newest first.
    pub changes: Vec<super::changes::Change>,
}

#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct CustomValue {
    pub field: String,
    pub label: String,
    /// As text; empty when Gainsight sent no value.
    pub value: String,
}

fn custom_values(conn: &Connection, cid: &str, custom: &str, labels: &Labels) -> Result<Vec<CustomValue>> {
    let values: serde_json::Map<String, serde_json::Value> = serde_json::from_str(custom).unwrap_or_default();
    let mapped = super::settings::mappings(conn, cid, "company")?;
    Ok(mapped
        .into_iter()
        .map(|m| {
            let value = values.get(&m.field_name).map(|v| labels.value(cid, v)).unwrap_or_default();
            CustomValue { field: m.field_name, label: m.label, value }
        })
        .collect())
}

/// The PX account linked to the company (by the admin's link field, [`crate::insights::link`]).
fn px_usage(conn: &Connection, connection_id: &str, gsid: &str) -> Result<Option<PxUsage>> {
    let sql = format!(
        "SELECT p.connection_id, p.id, p.name, p.health_score, p.nps, p.users, p.last_seen
         FROM companies c JOIN px_accounts p ON {}
         WHERE c.connection_id = ?1 AND c.gsid = ?2 ORDER BY p.gs_id = c.gsid DESC, p.connection_id, p.id LIMIT 1",
        crate::insights::link::pair_sql()
    );
    let found = collect(conn, &sql, &[&connection_id, &gsid], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            PxUsage {
                account_name: r.get(2)?,
                health_score: r.get(3)?,
                nps: r.get(4)?,
                users: r.get(5)?,
                last_seen: r.get(6)?,
                top_features: Vec::new(),
            },
        ))
    })?;
    let Some((cid, account, mut px)) = found.into_iter().next() else { return Ok(None) };
    px.top_features = collect(
        conn,
        "SELECT coalesce(f.name, u.feature_id), sum(u.events), max(u.users) FROM px_feature_usage u
         LEFT JOIN px_features f ON f.connection_id = u.connection_id AND f.id = u.feature_id
         WHERE u.connection_id = ?1 AND u.account_id = ?2 GROUP BY u.feature_id ORDER BY 2 DESC LIMIT 5",
        &[&cid, &account],
        |r| Ok(FeatureUse { feature: r.get(0)?, events: r.get(1)?, users: r.get(2)? }),
    )?;
    Ok(Some(px))
}

pub(crate) fn collect<T>(
    conn: &Connection,
    sql: &str,
    args: &[&dyn rusqlite::ToSql],
    f: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare(sql).map_err(db_err)?;
    let rows = stmt.query_map(args, f).map_err(db_err)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db_err)
}

/// The most entries of an account's "What changed".
const ACCOUNT_CHANGES: i64 = 200;

/// One account by GSID or exact name (case-insensitive).
pub fn account(conn: &Connection, id_or_name: &str) -> Result<AccountDetail> {
    let found = collect(
        conn,
        &format!(
            "SELECT c.connection_id, {COMPANY_COLS} FROM companies c WHERE c.gsid = ?1 OR c.name = ?1 COLLATE NOCASE LIMIT 1"
        ),
        &[&id_or_name],
        |r| Ok((r.get::<_, String>(0)?, company_from(r, 1)?)),
    )?;
    let Some((cid, company)) = found.into_iter().next() else {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("No account \"{id_or_name}\" in the local cache."),
        )
        .with_hint("Search with `outpost accounts --search TEXT`, or sync first."));
    };
    let g = company.gsid.clone();
    let measures = collect(
        conn,
        "SELECT coalesce(ms.measure_name, m.name, ms.measure_gsid), ms.score, ms.label, ms.color, ms.prev_score, ms.trend
         FROM measure_scores ms LEFT JOIN measures m ON m.connection_id = ms.connection_id AND m.gsid = ms.measure_gsid
         WHERE ms.connection_id = ?1 AND ms.company_gsid = ?2 ORDER BY coalesce(m.is_overall, 0) DESC, 1",
        &[&cid, &g],
        |r| Ok(MeasureScore { measure: r.get(0)?, score: r.get(1)?, label: r.get(2)?, color: r.get(3)?, prev_score: r.get(4)?, trend: r.get(5)? }),
    )?;
    // The overall score's weeks: rows of the overall measure, or of no (or an unknown) measure;
    // each other measure's weeks are its own line.
    let history = collect(
        conn,
        "SELECT h.week, h.score, h.label FROM score_history h
         LEFT JOIN measures m ON m.connection_id = h.connection_id AND m.gsid = h.measure_gsid
         WHERE h.connection_id = ?1 AND h.company_gsid = ?2 AND coalesce(m.is_overall, 1) = 1 ORDER BY h.week",
        &[&cid, &g],
        |r| Ok(HistoryPoint { week: r.get(0)?, score: r.get(1)?, label: r.get(2)? }),
    )?;
    let mut measure_history: Vec<MeasureHistory> = Vec::new();
    let rows = collect(
        conn,
        "SELECT m.name, h.week, h.score, h.label FROM score_history h
         JOIN measures m ON m.connection_id = h.connection_id AND m.gsid = h.measure_gsid AND m.is_overall = 0
         WHERE h.connection_id = ?1 AND h.company_gsid = ?2 ORDER BY m.name, m.gsid, h.week",
        &[&cid, &g],
        |r| {
            Ok((r.get::<_, String>(0)?, HistoryPoint { week: r.get(1)?, score: r.get(2)?, label: r.get(3)? }))
        },
    )?;
    for (measure, point) in rows {
        match measure_history.last_mut() {
            Some(m) if m.measure == measure => m.points.push(point),
            _ => measure_history.push(MeasureHistory { measure, points: vec![point] }),
        }
    }
    let usage = collect(
        conn,
        "SELECT week, active_users, logins, feature_events FROM usage_weekly WHERE connection_id = ?1 AND company_gsid = ?2
         ORDER BY week",
        &[&cid, &g],
        |r| Ok(UsagePoint { week: r.get(0)?, active_users: r.get(1)?, logins: r.get(2)?, feature_events: r.get(3)? }),
    )?;
    let labels = Labels::load(conn)?;
    let mut ctas = ctas_where(conn, "t.connection_id = ?1 AND t.company_gsid = ?2", &[&cid, &g])?;
    for t in &mut ctas {
        labels.cta(&cid, t);
    }
    let px = px_usage(conn, &cid, &g)?;
    let custom_fields = custom_values(conn, &cid, &company.custom, &labels)?;
    let mut company = company;
    labels.company(&cid, &mut company);
    let changes = super::changes::account_changes(conn, &cid, &g, ACCOUNT_CHANGES)?;
    Ok(AccountDetail {
        connection_id: cid,
        company,
        measures,
        history,
        measure_history,
        ctas,
        usage,
        px,
        custom_fields,
        changes,
    })
}

#[derive(Clone, Debug, Default, Deserialize, TS)]
pub struct CtaQuery {
    pub open: bool,
    pub overdue: bool,
    pub company: Option<String>,
}

const CTA_COLS: &str = "t.gsid, t.company_gsid, t.name, t.status, t.priority, t.type, t.reason, t.owner_name, t.owner_email, \
     t.due_date, t.is_closed, t.closed_at, t.is_important, t.created_at, t.modified_at";

fn cta_from(r: &Row<'_>) -> rusqlite::Result<CtaRow> {
    Ok(CtaRow {
        gsid: r.get(0)?,
        company_gsid: r.get(1)?,
        name: r.get(2)?,
        status: r.get(3)?,
        priority: r.get(4)?,
        r#type: r.get(5)?,
        reason: r.get(6)?,
        owner_name: r.get(7)?,
        owner_email: r.get(8)?,
        due_date: r.get(9)?,
        is_closed: r.get(10)?,
        closed_at: r.get(11)?,
        is_important: r.get(12)?,
        created_at: r.get(13)?,
        modified_at: r.get(14)?,
    })
}

fn ctas_where(conn: &Connection, filter: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<CtaRow>> {
    collect(
        conn,
        &format!(
            "SELECT {CTA_COLS} FROM ctas t WHERE {filter} ORDER BY t.is_closed, t.due_date IS NULL, t.due_date, t.name"
        ),
        args,
        cta_from,
    )
}

#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct CtaListItem {
    #[serde(flatten)]
    #[ts(flatten)]
    pub cta: CtaRow,
    pub company_name: Option<String>,
}

pub fn ctas(conn: &Connection, q: &CtaQuery, today: &str) -> Result<Vec<CtaListItem>> {
    let mut filter = String::from("1 = 1");
    if q.open || q.overdue {
        filter.push_str(" AND t.is_closed = 0");
    }
    if q.overdue {
        filter.push_str(" AND t.due_date < ?1");
    }
    let company = q.company.clone().unwrap_or_default();
    if q.company.is_some() {
        filter.push_str(" AND (t.company_gsid = ?2 OR c.name = ?2 COLLATE NOCASE)");
    }
    let labels = Labels::load(conn)?;
    collect(
        conn,
        &format!(
            "SELECT {CTA_COLS}, c.name, t.connection_id FROM ctas t LEFT JOIN companies c ON c.connection_id = t.connection_id AND c.gsid = t.company_gsid
             WHERE {filter} AND ?1 IS NOT NULL AND ?2 IS NOT NULL
             ORDER BY t.is_closed, t.due_date IS NULL, t.due_date, t.name"
        ),
        &[&today, &company],
        |r| {
            let mut cta = cta_from(r)?;
            labels.cta(&r.get::<_, String>(16)?, &mut cta);
            Ok(CtaListItem { cta, company_name: r.get(15)? })
        },
    )
}

/// A health band of the org's scoring scheme, as an admin filters by it.
#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct ScoreBand {
    pub name: String,
    pub color: Option<String>,
    /// The lowest score in the band; none when only accounts name it (health scores not synced).
    pub min_score: Option<f64>,
}

/// The bands in the cache, lowest first, one per name across connections: the scoring schemes'
/// bands, and any other label an account carries (when health scores are not synced, accounts still
/// carry their band, ordered then by the lowest score an account in them has).
pub fn bands(conn: &Connection) -> Result<Vec<ScoreBand>> {
    collect(
        conn,
        "SELECT min(name), min(color), min(score) FROM (
            SELECT name, color, score, NULL AS seen FROM score_bands
            UNION ALL
            SELECT score_label, min(score_color), NULL, min(score) FROM companies
                WHERE score_label IS NOT NULL AND score_label <> '' GROUP BY score_label
         ) GROUP BY name COLLATE NOCASE
         ORDER BY min(score) IS NULL, min(score), min(seen) IS NULL, min(seen), min(name) COLLATE NOCASE",
        &[],
        |r| Ok(ScoreBand { name: r.get(0)?, color: r.get(1)?, min_score: r.get(2)? }),
    )
}

/// The company fields mapped on any CS connection, one per API name (the first label wins), in
/// label order: the extra columns of the accounts list.
pub fn custom_columns(conn: &Connection) -> Result<Vec<super::settings::FieldMapping>> {
    collect(
        conn,
        "SELECT 'company', f.field_name, min(f.label), min(f.data_type) FROM field_mappings f
         JOIN connections c ON c.id = f.connection_id AND c.kind = 'cs'
         WHERE f.object = 'company' GROUP BY f.field_name ORDER BY min(f.label) COLLATE NOCASE, f.field_name",
        &[],
        |r| {
            Ok(super::settings::FieldMapping {
                object: r.get(0)?,
                field_name: r.get(1)?,
                label: r.get(2)?,
                data_type: r.get(3)?,
            })
        },
    )
}
