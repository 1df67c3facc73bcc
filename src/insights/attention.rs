//! Health alerts: after each sync that read something, the notable moves in the cache become
//! alerts (stored once per account and kind while open) and alerts whose condition no longer
//! holds are resolved. Which moves, with their thresholds from the settings:
//!
//! - `band_dropped`: the latest week's band is below the week before's (Good → Average → Poor);
//! - `declining`: the score fell week on week `decline_weeks` times in a row (default 3);
//! - `usage_down`: active users or feature usage down more than `usage_drop_pct` % over 30 days
//!   against the 30 before (default 30);
//! - `renewal_poor`: renews within `renewal_alert_days` days (default 90) with a Poor score.

use super::renewals::Band;
use super::settings::InsightSettings;
use super::signals::AccountFacts;
use crate::db::insights::{self as rows, NewAlert};
use crate::error::Result;
use crate::model::AlertKind;
use chrono::{Days, NaiveDate};
use rusqlite::Connection;
use std::collections::HashSet;

/// An alert whose condition holds now.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub kind: AlertKind,
    pub detail: String,
}

fn band_name(b: Band) -> &'static str {
    match b {
        Band::Poor => "Poor",
        Band::Average => "Average",
        Band::Good => "Good",
    }
}

/// The alerts one account's facts call for.
pub fn findings(f: &AccountFacts, today: NaiveDate, s: &InsightSettings) -> Vec<Finding> {
    let mut out = Vec::new();
    let h = &f.history;
    if let [.., before, last] = h.as_slice()
        && let (Some(was), Some(now)) = (Band::of(before.label.as_deref()), Band::of(last.label.as_deref()))
        && now < was
    {
        out.push(Finding {
            kind: AlertKind::BandDropped,
            detail: format!("{} → {}", band_name(was), band_name(now)),
        });
    }
    let scored: Vec<f64> = h.iter().filter_map(|w| w.score).collect();
    let falls = scored.windows(2).rev().take_while(|w| w[1] < w[0]).count();
    if falls >= s.decline_weeks as usize {
        let from = scored[scored.len() - 1 - falls];
        let to = scored[scored.len() - 1];
        out.push(Finding {
            kind: AlertKind::Declining,
            detail: format!("score down {falls} weeks in a row ({from:.0} → {to:.0})"),
        });
    }
    let limit = -s.usage_drop_pct / 100.0;
    let worst = [("active users", f.usage.active_users), ("usage", f.usage.feature_events)]
        .into_iter()
        .filter_map(|(what, v)| v.filter(|v| *v < limit).map(|v| (what, v)))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((what, v)) = worst {
        out.push(Finding {
            kind: AlertKind::UsageDown,
            detail: format!("{what} −{:.0}% in 30 days", -v * 100.0),
        });
    }
    let end = today + Days::new(u64::from(s.renewal_alert_days));
    if let Some(renews) = f.renewal_date.filter(|d| *d >= today && *d <= end)
        && Band::of(f.label.as_deref()) == Some(Band::Poor)
    {
        out.push(Finding {
            kind: AlertKind::RenewalPoor,
            detail: format!("renews {renews} (in {} days) with a Poor score", (renews - today).num_days()),
        });
    }
    out
}

/// Raises the alerts `facts` call for and resolves the open ones they no longer do, in one
/// transaction; returns how many alerts are new.
pub fn refresh(
    conn: &mut Connection,
    facts: &[AccountFacts],
    today: NaiveDate,
    s: &InsightSettings,
    run_id: Option<i64>,
    at: &str,
) -> Result<u64> {
    let tx = conn.transaction().map_err(crate::db::db_err)?;
    let mut holding: HashSet<(String, String, AlertKind)> = HashSet::new();
    let mut new = 0;
    for f in facts {
        for finding in findings(f, today, s) {
            holding.insert((f.connection_id.clone(), f.gsid.clone(), finding.kind));
            let added = rows::open_alert(
                &tx,
                &NewAlert {
                    connection_id: &f.connection_id,
                    company_gsid: &f.gsid,
                    company_name: &f.name,
                    kind: finding.kind,
                    detail: &finding.detail,
                    run_id,
                    at,
                },
            )?;
            new += u64::from(added);
        }
    }
    for (id, cid, gsid, kind) in rows::open_alerts(&tx)? {
        if !holding.contains(&(cid, gsid, kind)) {
            rows::resolve_alert(&tx, id, at)?;
        }
    }
    tx.commit().map_err(crate::db::db_err)?;
    Ok(new)
}
