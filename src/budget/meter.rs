//! The API budget meter of each CS connection: calls spent in the last minute and today (by every
//! Outpost process on this computer, from `budget.sqlite`), the limits, and what a full sync costs.

use super::{DEFAULT_CALLS_PER_DAY, ORG_CALLS_PER_MINUTE, OrgBudget, now_ms};
use crate::db::db_err;
use crate::error::{Error, ErrorKind, Result};
use crate::gainsight::instance::InstanceUrl;
use crate::gainsight::paging::MAX_QUERY_LIMIT;
use crate::outpost::Outpost;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use std::time::Duration;
use ts_rs::TS;

/// Where a full sync's estimate comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EstimateBasis {
    /// The calls the last complete full sync of this connection made.
    LastFullRun,
    /// The cached rows per stream, read in pages of 5,000, plus a call per stream for its short
    /// last page and ten for discovery: no full sync has completed yet.
    CacheRows,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct BudgetMeter {
    pub connection_id: String,
    pub connection_name: String,
    /// The org's instance host: every connection to it shares these counts.
    pub host: String,
    /// CS calls Outpost made to the org in the last 60 seconds, from any process on this computer.
    pub calls_last_minute: i64,
    /// The org's limit a minute (Gainsight's, for every integration together).
    pub org_calls_per_minute: i64,
    /// The share of it Outpost takes (the connection's `cs_calls_per_minute` setting).
    pub share_per_minute: i64,
    /// CS calls Outpost made to the org today (UTC), from any process on this computer.
    pub calls_today: i64,
    pub calls_per_day: i64,
    /// About how many calls a full sync spends; none before anything was synced.
    pub full_sync_estimate: Option<i64>,
    pub estimate_basis: Option<EstimateBasis>,
}

/// Discovery calls a run makes besides its pages (describes, the object list, the token).
const DISCOVERY_CALLS: i64 = 10;

/// The estimate from the cache: pages of the cached rows of each CS stream.
fn estimate_from_rows(conn: &Connection, cid: &str) -> Result<Option<i64>> {
    let mut pages = 0;
    let mut rows_seen = 0;
    for table in ["companies", "ctas", "measure_scores", "score_history", "usage_weekly"] {
        let rows: i64 = conn
            .query_row(&format!("SELECT COUNT(*) FROM {table} WHERE connection_id = ?1"), [cid], |r| r.get(0))
            .map_err(db_err)?;
        rows_seen += rows;
        pages += rows / MAX_QUERY_LIMIT as i64 + 1;
    }
    // The delete log is read in a full sync too: one page at least.
    Ok((rows_seen > 0).then_some(pages + 1 + DISCOVERY_CALLS))
}

fn last_full_run_calls(conn: &Connection, cid: &str) -> Result<Option<i64>> {
    conn.query_row(
        "SELECT calls FROM sync_runs WHERE connection_id = ?1 AND full = 1 AND outcome = 'ok' AND calls > 0
         ORDER BY id DESC LIMIT 1",
        [cid],
        |r| r.get(0),
    )
    .optional()
    .map_err(db_err)
}

pub(crate) fn check_calls_per_day(calls_per_day: i64) -> Result<()> {
    if (1..=10_000_000).contains(&calls_per_day) {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidInput,
        "CS calls per day must be 1 to 10,000,000 (the org's package says how many).",
    )
    .with_hint(format!("Most packages allow {}.", super::thousands(DEFAULT_CALLS_PER_DAY))))
}

impl Outpost {
    /// The org budget a CS client of this connection takes its calls from.
    pub(crate) fn org_budget(&self, cid: &str, url: &InstanceUrl, per_minute: i64) -> Result<OrgBudget> {
        let window = if url.is_loopback() { self.loopback_window } else { Duration::from_secs(60) };
        let per_day = self.budget.day_limit(cid)?;
        Ok(OrgBudget::new(self.budget.clone(), &url.domain(), per_minute, window, per_day))
    }

    /// The connection's daily CS limit (its package's): 50,000 unless set.
    pub fn cs_calls_per_day(&self, id_or_name: &str) -> Result<i64> {
        let card = self.connection(id_or_name)?;
        self.budget.day_limit(&card.id)
    }

    pub fn set_cs_calls_per_day(&self, id_or_name: &str, calls_per_day: i64) -> Result<()> {
        let card = self.connection(id_or_name)?;
        check_calls_per_day(calls_per_day)?;
        self.budget.set_day_limit(&card.id, calls_per_day)
    }

    /// The meter of one CS connection.
    pub fn budget_meter(&self, id_or_name: &str) -> Result<BudgetMeter> {
        let card = self.connection(id_or_name)?;
        if card.kind != "cs" {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("{} is not a Gainsight CS connection: PX has no call budget to show.", card.name),
            ));
        }
        let host = crate::gainsight::instance::normalize_instance_url(&card.instance_url)
            .map(|u| u.domain())
            .unwrap_or_else(|_| card.instance_url.clone());
        let spent = self.budget.spent(&host, now_ms())?;
        let (share, from_run, from_rows) = {
            let db = self.db()?;
            let share = crate::db::settings::get(&db, &card.id)?.cs_calls_per_minute;
            (share, last_full_run_calls(&db, &card.id)?, estimate_from_rows(&db, &card.id)?)
        };
        let (full_sync_estimate, estimate_basis) = match (from_run, from_rows) {
            (Some(calls), _) => (Some(calls), Some(EstimateBasis::LastFullRun)),
            (None, Some(calls)) => (Some(calls), Some(EstimateBasis::CacheRows)),
            (None, None) => (None, None),
        };
        Ok(BudgetMeter {
            connection_id: card.id.clone(),
            connection_name: card.name.clone(),
            host,
            calls_last_minute: spent.last_minute,
            org_calls_per_minute: ORG_CALLS_PER_MINUTE,
            share_per_minute: share,
            calls_today: spent.today,
            calls_per_day: self.budget.day_limit(&card.id)?,
            full_sync_estimate,
            estimate_basis,
        })
    }

    /// The meters of every CS connection, in the cards' order.
    pub fn budget_meters(&self) -> Result<Vec<BudgetMeter>> {
        let cards = self.connection_cards()?;
        cards.iter().filter(|c| c.kind == "cs").map(|c| self.budget_meter(&c.id)).collect()
    }
}
