//! Insights over the local cache, offline: renewal risk, health alerts, data quality, and the link
//! between CS companies and PX accounts they share. The desktop app and the CLI both ask here.

pub mod attention;
pub mod link;
pub mod quality;
pub mod renewals;
pub mod settings;
pub mod signals;

use crate::db::insights::{self as rows, HealthAlert};
use crate::error::{Error, ErrorKind, Result};
use crate::outpost::Outpost;
use chrono::{DateTime, NaiveDate, Utc};
use link::PxAccountRef;
use quality::QualityCheck;
use renewals::RenewalRisk;
use settings::InsightSettings;

/// How many affected items each check lists in [`Outpost::quality`].
pub const QUALITY_SAMPLE: usize = 10;

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// `within` must be one of the windows the Renewals view offers.
pub fn check_window(within: u32) -> Result<()> {
    if renewals::WINDOWS.contains(&within) {
        return Ok(());
    }
    Err(Error::new(ErrorKind::InvalidInput, format!("{within} days is not a renewal window."))
        .with_hint("Use 30, 90 or 180 days."))
}

/// The renewals of the cache as of `today`.
pub fn renewals_at(
    conn: &rusqlite::Connection,
    today: NaiveDate,
    within: u32,
    limit: usize,
) -> Result<Vec<RenewalRisk>> {
    check_window(within)?;
    let s = settings::get(conn)?;
    let links = link::links(conn, &s.px_link_field)?;
    let end = today + chrono::Days::new(u64::from(within));
    let filter =
        format!("c.renewal_date >= ?1 AND substr(c.renewal_date, 1, 10) <= '{}'", end.format("%Y-%m-%d"));
    let facts = signals::load(conn, today, &filter, &links)?;
    let mut rows = renewals::rank(&facts, today, within);
    rows.truncate(limit);
    Ok(rows)
}

/// Raises and resolves the alerts of the whole cache as of `today`; returns how many are new.
pub fn refresh_alerts_at(
    conn: &mut rusqlite::Connection,
    today: NaiveDate,
    run_id: Option<i64>,
    at: &str,
) -> Result<u64> {
    let s = settings::get(conn)?;
    let links = link::links(conn, &s.px_link_field)?;
    let facts = signals::load(conn, today, "1 = 1", &links)?;
    attention::refresh(conn, &facts, today, &s, run_id, at)
}

pub fn quality_at(
    conn: &rusqlite::Connection,
    today: NaiveDate,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<QualityCheck>> {
    let s = settings::get(conn)?;
    let links = link::links(conn, &s.px_link_field)?;
    quality::all(conn, &quality::Context { today, now, links: &links }, limit)
}

pub fn quality_check_at(
    conn: &rusqlite::Connection,
    code: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<QualityCheck> {
    let s = settings::get(conn)?;
    let links = link::links(conn, &s.px_link_field)?;
    quality::check(conn, code, &quality::Context { today, now, links: &links }, limit)?.ok_or_else(|| {
        Error::new(ErrorKind::NotFound, format!("The check \"{code}\" does not apply to this cache."))
            .with_hint("no_px needs a PX connection.")
    })
}

impl Outpost {
    /// Accounts renewing within `within_days` (30, 90 or 180), riskiest ARR first.
    pub fn renewals(&self, within_days: u32, limit: usize) -> Result<Vec<RenewalRisk>> {
        renewals_at(&*self.db()?, today(), within_days, limit)
    }

    /// Open alerts not dismissed, newest first; with `include_dismissed`, every alert (dismissed
    /// and resolved ones too).
    pub fn alerts(&self, include_dismissed: bool) -> Result<Vec<HealthAlert>> {
        rows::list_alerts(&*self.db()?, include_dismissed)
    }

    /// Hides an alert; it stays open underneath, so the same move is not raised again until it
    /// resolves.
    pub fn dismiss_alert(&self, id: i64) -> Result<HealthAlert> {
        let db = self.db()?;
        let at = crate::gainsight::record::iso(self.now());
        if !rows::dismiss_alert(&db, id, &at)? {
            return Err(Error::new(ErrorKind::NotFound, format!("No alert {id}."))
                .with_hint("List them with `outpost alerts --all`."));
        }
        rows::get_alert(&db, id)?.ok_or_else(|| Error::new(ErrorKind::NotFound, format!("No alert {id}.")))
    }

    /// Raises the alerts the cache calls for now and resolves those it no longer does; returns how
    /// many are new. Every sync that read something runs it.
    pub fn refresh_alerts(&self, run_id: Option<i64>) -> Result<u64> {
        let at = crate::gainsight::record::iso(self.now());
        refresh_alerts_at(&mut *self.db()?, today(), run_id, &at)
    }

    /// Every data-quality check that applies, each with its first few affected items.
    pub fn quality(&self) -> Result<Vec<QualityCheck>> {
        quality_at(&*self.db()?, today(), self.now(), QUALITY_SAMPLE)
    }

    /// One check with up to `limit` of its affected items.
    pub fn quality_check(&self, code: &str, limit: usize) -> Result<QualityCheck> {
        quality_check_at(&*self.db()?, code, today(), self.now(), limit)
    }

    /// PX accounts no CS company matches (by the link field setting).
    pub fn unlinked_px_accounts(&self) -> Result<Vec<PxAccountRef>> {
        let db = self.db()?;
        let s = settings::get(&db)?;
        Ok(link::links(&db, &s.px_link_field)?.unlinked_px)
    }

    pub fn insight_settings(&self) -> Result<InsightSettings> {
        settings::get(&*self.db()?)
    }

    /// Validates and stores the settings; an invalid one changes nothing.
    pub fn set_insight_settings(&self, s: &InsightSettings) -> Result<InsightSettings> {
        let db = self.db()?;
        settings::put(&db, s)?;
        settings::get(&db)
    }
}
