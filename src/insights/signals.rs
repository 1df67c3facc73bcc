//! What the cache says about each account, read once for the renewals, the alerts and their
//! tests: the company, its overall score week by week, its Risk CTAs, and its usage over the last
//! two 30-day windows (PX when a PX account is linked, else the CS usage object).

use super::link::Links;
use crate::db::browse::collect;
use crate::db::db_err;
use crate::error::Result;
use chrono::{Days, NaiveDate};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

/// One week of the overall score.
#[derive(Clone, Debug, PartialEq)]
pub struct Week {
    pub week: NaiveDate,
    pub score: Option<f64>,
    pub label: Option<String>,
}

/// Usage now against before: the change of the last 30 days over the 30 before, as a fraction
/// (−0.38 is down 38 %); `None` when there was nothing before to compare with.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct UsageTrend {
    pub active_users: Option<f64>,
    pub feature_events: Option<f64>,
}

#[derive(Clone, Debug)]
pub struct AccountFacts {
    pub connection_id: String,
    pub gsid: String,
    pub name: String,
    pub arr: Option<f64>,
    pub renewal_date: Option<NaiveDate>,
    pub score: Option<f64>,
    pub label: Option<String>,
    pub csm_name: Option<String>,
    /// Oldest first.
    pub history: Vec<Week>,
    pub open_risk_ctas: u32,
    pub overdue_risk_ctas: u32,
    pub usage: UsageTrend,
    /// The linked PX account's id.
    pub px_account: Option<String>,
}

pub fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

fn change(now: i64, before: i64) -> Option<f64> {
    (before > 0).then(|| (now - before) as f64 / before as f64)
}

/// Sums of (users, events) in the 30 days up to `anchor` and the 30 before, from dated rows.
fn windows(rows: &[(String, i64, i64)], anchor: NaiveDate) -> UsageTrend {
    let start_now = anchor - Days::new(29);
    let start_before = anchor - Days::new(59);
    let (mut users, mut events) = ((0, 0), (0, 0));
    for (day, u, e) in rows {
        let Some(d) = date(day) else { continue };
        if d > anchor || d < start_before {
            continue;
        }
        if d >= start_now {
            users.0 += u;
            events.0 += e;
        } else {
            users.1 += u;
            events.1 += e;
        }
    }
    UsageTrend { active_users: change(users.0, users.1), feature_events: change(events.0, events.1) }
}

/// The latest day a connection's usage table holds: windows end there, so a cache last synced a
/// while ago compares like with like rather than with days it never read.
fn latest_day(
    conn: &Connection,
    sql: &str,
    cid: &str,
    cache: &mut HashMap<String, Option<NaiveDate>>,
) -> Result<Option<NaiveDate>> {
    if let Some(d) = cache.get(cid) {
        return Ok(*d);
    }
    let d: Option<String> = conn.query_row(sql, [cid], |r| r.get(0)).optional().map_err(db_err)?.flatten();
    let d = d.as_deref().and_then(date);
    cache.insert(cid.to_string(), d);
    Ok(d)
}

/// The facts of every CS company matching `filter` (SQL over `c`, with `?1` = today).
pub fn load(conn: &Connection, today: NaiveDate, filter: &str, links: &Links) -> Result<Vec<AccountFacts>> {
    let today_s = today.format("%Y-%m-%d").to_string();
    let mut facts = collect(
        conn,
        &format!(
            "SELECT c.connection_id, c.gsid, c.name, c.arr, c.renewal_date, c.score, c.score_label, c.csm_name,
                (SELECT count(*) FROM ctas t WHERE t.connection_id = c.connection_id AND t.company_gsid = c.gsid
                    AND t.is_closed = 0 AND t.type = 'Risk' COLLATE NOCASE),
                (SELECT count(*) FROM ctas t WHERE t.connection_id = c.connection_id AND t.company_gsid = c.gsid
                    AND t.is_closed = 0 AND t.type = 'Risk' COLLATE NOCASE AND t.due_date < ?1)
             FROM companies c JOIN connections k ON k.id = c.connection_id AND k.kind = 'cs'
             WHERE {filter} ORDER BY c.connection_id, c.gsid"
        ),
        &[&today_s],
        |r| {
            Ok(AccountFacts {
                connection_id: r.get(0)?,
                gsid: r.get(1)?,
                name: r.get(2)?,
                arr: r.get(3)?,
                renewal_date: r.get::<_, Option<String>>(4)?.as_deref().and_then(date),
                score: r.get(5)?,
                label: r.get(6)?,
                csm_name: r.get(7)?,
                history: Vec::new(),
                open_risk_ctas: r.get(8)?,
                overdue_risk_ctas: r.get(9)?,
                usage: UsageTrend::default(),
                px_account: None,
            })
        },
    )?;
    let mut history = conn
        .prepare_cached(
            "SELECT h.week, h.score, h.label FROM score_history h
             LEFT JOIN measures m ON m.connection_id = h.connection_id AND m.gsid = h.measure_gsid
             WHERE h.connection_id = ?1 AND h.company_gsid = ?2 AND coalesce(m.is_overall, 1) = 1 ORDER BY h.week",
        )
        .map_err(db_err)?;
    let mut px_usage = conn
        .prepare_cached(
            "SELECT day, max(users), sum(events) FROM px_feature_usage
             WHERE connection_id = ?1 AND account_id = ?2 AND day >= ?3 GROUP BY day",
        )
        .map_err(db_err)?;
    let mut cs_usage = conn
        .prepare_cached(
            "SELECT week, sum(coalesce(active_users, 0)), sum(coalesce(feature_events, 0)) FROM usage_weekly
             WHERE connection_id = ?1 AND company_gsid = ?2 AND week >= ?3 GROUP BY week",
        )
        .map_err(db_err)?;
    let (mut px_days, mut cs_days) = (HashMap::new(), HashMap::new());
    for f in &mut facts {
        let rows = history
            .query_map(params![f.connection_id, f.gsid], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<f64>>(1)?, r.get::<_, Option<String>>(2)?))
            })
            .map_err(db_err)?;
        for row in rows {
            let (week, score, label) = row.map_err(db_err)?;
            if let Some(week) = date(&week) {
                f.history.push(Week { week, score, label });
            }
        }
        let read = |stmt: &mut rusqlite::CachedStatement<'_>, cid: &str, id: &str, anchor: NaiveDate| {
            let from = (anchor - Days::new(59)).format("%Y-%m-%d").to_string();
            stmt.query_map(params![cid, id, from], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<(String, i64, i64)>>>())
                .map_err(db_err)
        };
        if let Some((px_cid, px_id)) = links.px_of.get(&(f.connection_id.clone(), f.gsid.clone())) {
            f.px_account = Some(px_id.clone());
            let sql = "SELECT max(day) FROM px_feature_usage WHERE connection_id = ?1";
            if let Some(anchor) = latest_day(conn, sql, px_cid, &mut px_days)? {
                f.usage = windows(&read(&mut px_usage, px_cid, px_id, anchor)?, anchor);
            }
        } else {
            let sql = "SELECT max(week) FROM usage_weekly WHERE connection_id = ?1";
            if let Some(anchor) = latest_day(conn, sql, &f.connection_id, &mut cs_days)? {
                let rows = read(&mut cs_usage, &f.connection_id, &f.gsid, anchor)?;
                // A weekly row counts the whole week it starts: windows end a week after the anchor.
                f.usage = windows(&rows, anchor + Days::new(6));
            }
        }
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_windows_are_the_last_30_days_against_the_30_before() {
        let anchor = date("2026-03-31").expect("date");
        let rows = vec![
            ("2026-03-31".to_string(), 6, 60),   // now
            ("2026-03-02".to_string(), 4, 40),   // now: the 30th day back
            ("2026-03-01".to_string(), 8, 100),  // before
            ("2026-01-31".to_string(), 2, 100),  // before: its first day
            ("2026-01-30".to_string(), 99, 999), // too old
            ("2026-04-01".to_string(), 99, 999), // after the anchor
        ];
        let t = windows(&rows, anchor);
        assert_eq!(t.active_users, Some(0.0), "10 users now, 10 before");
        assert_eq!(t.feature_events, Some(-0.5), "100 events now, 200 before");
        assert_eq!(windows(&rows[..2], anchor), UsageTrend::default(), "nothing before: no trend");
    }
}
