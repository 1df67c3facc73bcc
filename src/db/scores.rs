//! Health scores: score bands (the scoring scheme), measures, current score per company and
//! measure, and weekly history.

use super::db_err;
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, params};

pub struct BandRow {
    pub gsid: String,
    pub name: String,
    pub score: Option<f64>,
    pub color: Option<String>,
}

pub fn upsert_band(conn: &Connection, cid: &str, b: &BandRow) -> Result<()> {
    super::cached_execute(conn,
        "INSERT INTO score_bands (connection_id, gsid, name, score, color) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (connection_id, gsid) DO UPDATE SET name = excluded.name, score = excluded.score, color = excluded.color",
        params![cid, b.gsid, b.name, b.score, b.color],
    )
    .map_err(db_err)?;
    Ok(())
}

/// The band a numeric score falls in: the scheme row with the highest score not above it.
pub fn band_of(conn: &Connection, cid: &str, score: f64) -> Result<Option<(String, Option<String>)>> {
    super::cached_row(conn,
        "SELECT name, color FROM score_bands WHERE connection_id = ?1 AND score <= ?2 ORDER BY score DESC LIMIT 1",
        params![cid, score],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
    .map_err(db_err)
}

pub struct MeasureRow {
    pub gsid: String,
    pub scorecard: Option<String>,
    pub name: String,
    pub is_overall: bool,
}

pub fn upsert_scorecard(conn: &Connection, cid: &str, gsid: &str, name: &str) -> Result<()> {
    super::cached_execute(
        conn,
        "INSERT INTO scorecards (connection_id, gsid, name) VALUES (?1, ?2, ?3)
         ON CONFLICT (connection_id, gsid) DO UPDATE SET name = excluded.name",
        params![cid, gsid, name],
    )
    .map_err(db_err)?;
    Ok(())
}

pub fn upsert_measure(conn: &Connection, cid: &str, m: &MeasureRow) -> Result<()> {
    super::cached_execute(
        conn,
        "INSERT INTO measures (connection_id, gsid, scorecard, name, is_overall) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (connection_id, gsid) DO UPDATE SET scorecard = excluded.scorecard, name = excluded.name,
            is_overall = excluded.is_overall",
        params![cid, m.gsid, m.scorecard, m.name, m.is_overall],
    )
    .map_err(db_err)?;
    Ok(())
}

pub struct MeasureScoreRow {
    pub gsid: String,
    pub company_gsid: String,
    pub measure_gsid: String,
    pub measure_name: Option<String>,
    pub score: Option<f64>,
    pub label: Option<String>,
    pub color: Option<String>,
    pub prev_score: Option<f64>,
    pub trend: Option<String>,
    pub modified_at: Option<String>,
}

pub fn upsert_measure_score(conn: &Connection, cid: &str, s: &MeasureScoreRow) -> Result<()> {
    super::cached_execute(conn,
        "INSERT INTO measure_scores (connection_id, gsid, company_gsid, measure_gsid, measure_name, score, label, color,
            prev_score, trend, modified_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (connection_id, gsid) DO UPDATE SET company_gsid = excluded.company_gsid,
            measure_gsid = excluded.measure_gsid, measure_name = excluded.measure_name, score = excluded.score,
            label = excluded.label, color = excluded.color, prev_score = excluded.prev_score, trend = excluded.trend,
            modified_at = excluded.modified_at",
        params![
            cid, s.gsid, s.company_gsid, s.measure_gsid, s.measure_name, s.score, s.label, s.color, s.prev_score, s.trend,
            s.modified_at
        ],
    )
    .map_err(db_err)?;
    Ok(())
}

pub struct HistoryRow {
    pub gsid: String,
    pub company_gsid: String,
    pub measure_gsid: Option<String>,
    pub week: String,
    pub score: Option<f64>,
    pub label: Option<String>,
    pub modified_at: Option<String>,
}

pub fn upsert_history(conn: &Connection, cid: &str, h: &HistoryRow) -> Result<()> {
    super::cached_execute(conn,
        "INSERT INTO score_history (connection_id, gsid, company_gsid, measure_gsid, week, score, label, modified_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (connection_id, gsid) DO UPDATE SET company_gsid = excluded.company_gsid,
            measure_gsid = excluded.measure_gsid, week = excluded.week, score = excluded.score, label = excluded.label,
            modified_at = excluded.modified_at",
        params![cid, h.gsid, h.company_gsid, h.measure_gsid, h.week, h.score, h.label, h.modified_at],
    )
    .map_err(db_err)?;
    Ok(())
}

pub struct UsageRow {
    pub gsid: String,
    pub company_gsid: String,
    pub week: String,
    pub active_users: Option<i64>,
    pub logins: Option<i64>,
    pub feature_events: Option<i64>,
    pub modified_at: Option<String>,
}

pub fn upsert_usage(conn: &Connection, cid: &str, u: &UsageRow) -> Result<()> {
    super::cached_execute(conn,
        "INSERT INTO usage_weekly (connection_id, gsid, company_gsid, week, active_users, logins, feature_events, modified_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (connection_id, gsid) DO UPDATE SET company_gsid = excluded.company_gsid, week = excluded.week,
            active_users = excluded.active_users, logins = excluded.logins, feature_events = excluded.feature_events,
            modified_at = excluded.modified_at",
        params![cid, u.gsid, u.company_gsid, u.week, u.active_users, u.logins, u.feature_events, u.modified_at],
    )
    .map_err(db_err)?;
    Ok(())
}
