//! Renewal risk: the accounts renewing within a window, ranked by a risk an admin can read.
//!
//! The risk is a sum of points, capped at 100, each with the phrase that explains it (the README
//! shows the same table):
//!
//! | signal                                           | points         |
//! |--------------------------------------------------|----------------|
//! | band Poor / Average / no score                   | 40 / 15 / 10   |
//! | score down ≥ 10 points in 4 weeks (≥ 5)          | 15 (8)         |
//! | score down ≥ 15 points in 12 weeks               | 10             |
//! | each overdue open Risk CTA                       | 10, at most 20 |
//! | each other open Risk CTA                         | 5, at most 10  |
//! | active users down ≥ 20 % in 30 days              | 10             |
//! | feature usage down ≥ 20 % in 30 days             | 5              |
//!
//! Rows rank by ARR at risk (ARR × risk / 100), then by risk, then by the sooner renewal.

use super::signals::{AccountFacts, Week};
use chrono::{Days, NaiveDate};
use serde::Serialize;
use ts_rs::TS;

/// A band as the cache stores its label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Band {
    Poor,
    Average,
    Good,
}

impl Band {
    pub fn of(label: Option<&str>) -> Option<Band> {
        match label?.trim().to_ascii_lowercase().as_str() {
            "poor" => Some(Band::Poor),
            "average" => Some(Band::Average),
            "good" => Some(Band::Good),
            _ => None,
        }
    }
}

/// Everything the risk is computed from, already read from the cache.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RiskSignals {
    /// The current band's label (`None`: no score).
    pub label: Option<String>,
    pub has_score: bool,
    /// How many of the latest weeks in a row were in the current band.
    pub weeks_in_band: u32,
    /// The overall score's change over 4 and 12 weeks, in points.
    pub trend_4w: Option<f64>,
    pub trend_12w: Option<f64>,
    pub open_risk_ctas: u32,
    pub overdue_risk_ctas: u32,
    /// Changes over 30 days as fractions (−0.38 is down 38 %).
    pub active_users: Option<f64>,
    pub feature_events: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Risk {
    pub points: u32,
    pub reasons: Vec<String>,
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn signed(v: f64) -> String {
    if v < 0.0 { format!("−{}", -v) } else { format!("+{v}") }
}

/// The risk of one account: points and their reasons, most weighty first.
pub fn risk(s: &RiskSignals) -> Risk {
    let mut parts: Vec<(u32, String)> = Vec::new();
    let in_band = |name: &str| {
        if s.weeks_in_band >= 1 {
            format!("{name} for {}", plural(s.weeks_in_band, "week", "weeks"))
        } else {
            name.to_string()
        }
    };
    match (s.has_score, Band::of(s.label.as_deref())) {
        (false, _) => parts.push((10, "no score".into())),
        (true, Some(Band::Poor)) => parts.push((40, in_band("Poor"))),
        (true, Some(Band::Average)) => parts.push((15, in_band("Average"))),
        _ => {}
    }
    if let Some(d) = s.trend_4w.map(f64::round) {
        let pts = if d <= -10.0 {
            15
        } else if d <= -5.0 {
            8
        } else {
            0
        };
        if pts > 0 {
            parts.push((pts, format!("score {} in 4 weeks", signed(d))));
        }
    }
    if let Some(d) = s.trend_12w.map(f64::round).filter(|d| *d <= -15.0) {
        parts.push((10, format!("score {} in 12 weeks", signed(d))));
    }
    if s.overdue_risk_ctas > 0 {
        parts.push((
            (10 * s.overdue_risk_ctas).min(20),
            plural(s.overdue_risk_ctas, "overdue risk CTA", "overdue risk CTAs"),
        ));
    }
    let other = s.open_risk_ctas.saturating_sub(s.overdue_risk_ctas);
    if other > 0 {
        parts.push(((5 * other).min(10), plural(other, "open risk CTA", "open risk CTAs")));
    }
    let pct = |v: f64| format!("{}%", signed((v * 100.0).round()));
    if let Some(u) = s.active_users.filter(|u| *u <= -0.2) {
        parts.push((10, format!("active users {} in 30 days", pct(u))));
    }
    if let Some(e) = s.feature_events.filter(|e| *e <= -0.2) {
        parts.push((5, format!("usage {} in 30 days", pct(e))));
    }
    parts.sort_by_key(|p| std::cmp::Reverse(p.0));
    Risk {
        points: parts.iter().map(|p| p.0).sum::<u32>().min(100),
        reasons: parts.into_iter().map(|p| p.1).collect(),
    }
}

/// The latest week with a score, and the change since the last scored week at least `weeks`
/// weeks before it.
pub fn trend(history: &[Week], weeks: u64) -> Option<f64> {
    let last = history.iter().rev().find(|w| w.score.is_some())?;
    let cutoff = last.week - Days::new(7 * weeks);
    let base = history.iter().rev().find(|w| w.week <= cutoff && w.score.is_some())?;
    Some(last.score? - base.score?)
}

/// How many of the latest weeks in a row carry `label`.
pub fn weeks_in(history: &[Week], label: Option<&str>) -> u32 {
    let Some(label) = label else { return 0 };
    history
        .iter()
        .rev()
        .take_while(|w| w.label.as_deref().is_some_and(|l| l.trim().eq_ignore_ascii_case(label.trim())))
        .count() as u32
}

pub fn signals(f: &AccountFacts) -> RiskSignals {
    RiskSignals {
        label: f.label.clone(),
        has_score: f.score.is_some() || f.label.is_some(),
        weeks_in_band: weeks_in(&f.history, f.label.as_deref()),
        trend_4w: trend(&f.history, 4),
        trend_12w: trend(&f.history, 12),
        open_risk_ctas: f.open_risk_ctas,
        overdue_risk_ctas: f.overdue_risk_ctas,
        active_users: f.usage.active_users,
        feature_events: f.usage.feature_events,
    }
}

/// One account renewing within the window, with its risk and why.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct RenewalRisk {
    pub connection_id: String,
    pub gsid: String,
    pub name: String,
    pub arr: Option<f64>,
    pub renewal_date: String,
    pub days_to_renewal: i64,
    pub score: Option<f64>,
    pub band: Option<String>,
    pub csm_name: Option<String>,
    /// 0–100: the sum of the points of `reasons` (see the README's table), capped at 100.
    pub risk: u32,
    /// ARR × risk / 100: what ranks the rows.
    pub arr_at_risk: f64,
    pub reasons: Vec<String>,
    /// The linked PX account, when one is.
    pub px_account: Option<String>,
}

/// The windows the Renewals view offers, in days.
pub const WINDOWS: [u32; 3] = [30, 90, 180];

/// The accounts of `facts` renewing from `today` to `today + within` days, ranked.
pub fn rank(facts: &[AccountFacts], today: NaiveDate, within: u32) -> Vec<RenewalRisk> {
    let end = today + Days::new(u64::from(within));
    let mut rows: Vec<RenewalRisk> = facts
        .iter()
        .filter_map(|f| {
            let renews = f.renewal_date.filter(|d| *d >= today && *d <= end)?;
            let r = risk(&signals(f));
            Some(RenewalRisk {
                connection_id: f.connection_id.clone(),
                gsid: f.gsid.clone(),
                name: f.name.clone(),
                arr: f.arr,
                renewal_date: renews.format("%Y-%m-%d").to_string(),
                days_to_renewal: (renews - today).num_days(),
                score: f.score,
                band: f.label.clone(),
                csm_name: f.csm_name.clone(),
                risk: r.points,
                arr_at_risk: f.arr.unwrap_or(0.0).max(0.0) * f64::from(r.points) / 100.0,
                reasons: r.reasons,
                px_account: f.px_account.clone(),
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        b.arr_at_risk
            .total_cmp(&a.arr_at_risk)
            .then(b.risk.cmp(&a.risk))
            .then(a.renewal_date.cmp(&b.renewal_date))
            .then(a.name.cmp(&b.name))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s() -> RiskSignals {
        RiskSignals { label: Some("Good".into()), has_score: true, ..Default::default() }
    }

    #[test]
    fn the_risk_table() {
        let cases: Vec<(&str, RiskSignals, u32, &[&str])> = vec![
            ("healthy", s(), 0, &[]),
            ("no score", RiskSignals { label: None, has_score: false, ..s() }, 10, &["no score"]),
            (
                "poor, one week",
                RiskSignals { label: Some("poor".into()), weeks_in_band: 1, ..s() },
                40,
                &["Poor for 1 week"],
            ),
            ("average, no history", RiskSignals { label: Some("Average".into()), ..s() }, 15, &["Average"]),
            ("an unknown band counts nothing", RiskSignals { label: Some("Amber".into()), ..s() }, 0, &[]),
            (
                "4-week drop of 10",
                RiskSignals { trend_4w: Some(-10.0), ..s() },
                15,
                &["score −10 in 4 weeks"],
            ),
            ("4-week drop of 5", RiskSignals { trend_4w: Some(-5.4), ..s() }, 8, &["score −5 in 4 weeks"]),
            ("4-week drop of 4 is noise", RiskSignals { trend_4w: Some(-4.0), ..s() }, 0, &[]),
            (
                "a rise counts nothing",
                RiskSignals { trend_4w: Some(20.0), trend_12w: Some(30.0), ..s() },
                0,
                &[],
            ),
            ("12-week drop", RiskSignals { trend_12w: Some(-15.0), ..s() }, 10, &["score −15 in 12 weeks"]),
            ("12-week drop of 14", RiskSignals { trend_12w: Some(-14.0), ..s() }, 0, &[]),
            (
                "overdue risk CTAs cap at 20",
                RiskSignals { open_risk_ctas: 3, overdue_risk_ctas: 3, ..s() },
                20,
                &["3 overdue risk CTAs"],
            ),
            (
                "open risk CTAs besides the overdue",
                RiskSignals { open_risk_ctas: 2, overdue_risk_ctas: 1, ..s() },
                15,
                &["1 overdue risk CTA", "1 open risk CTA"],
            ),
            ("open risk CTAs cap at 10", RiskSignals { open_risk_ctas: 5, ..s() }, 10, &["5 open risk CTAs"]),
            (
                "users down 38 %",
                RiskSignals { active_users: Some(-0.38), ..s() },
                10,
                &["active users −38% in 30 days"],
            ),
            (
                "events down 20 %",
                RiskSignals { feature_events: Some(-0.2), ..s() },
                5,
                &["usage −20% in 30 days"],
            ),
            (
                "usage down 19 % is noise",
                RiskSignals { active_users: Some(-0.19), feature_events: Some(-0.1), ..s() },
                0,
                &[],
            ),
            (
                "everything at once caps at 100",
                RiskSignals {
                    label: Some("Poor".into()),
                    weeks_in_band: 3,
                    trend_4w: Some(-12.0),
                    trend_12w: Some(-20.0),
                    open_risk_ctas: 4,
                    overdue_risk_ctas: 2,
                    active_users: Some(-0.5),
                    feature_events: Some(-0.38),
                    ..s()
                },
                100,
                &[
                    "Poor for 3 weeks",
                    "2 overdue risk CTAs",
                    "score −12 in 4 weeks",
                    "score −20 in 12 weeks",
                    "2 open risk CTAs",
                    "active users −50% in 30 days",
                    "usage −38% in 30 days",
                ],
            ),
        ];
        for (name, signals, points, reasons) in cases {
            let r = risk(&signals);
            assert_eq!(r.points, points, "{name}: points");
            assert_eq!(r.reasons, reasons, "{name}: reasons, weightiest first");
        }
    }

    fn week(d: &str, score: Option<f64>, label: &str) -> Week {
        Week { week: super::super::signals::date(d).expect("date"), score, label: Some(label.into()) }
    }

    #[test]
    fn trends_compare_with_the_last_scored_week_far_enough_back() {
        let h = vec![
            week("2026-01-05", Some(80.0), "Good"),
            week("2026-03-02", Some(70.0), "Average"),
            week("2026-03-09", None, "Average"),
            week("2026-03-30", Some(50.0), "Poor"),
            week("2026-04-06", None, "Poor"),
        ];
        assert_eq!(trend(&h, 4), Some(-20.0), "2026-03-30 against 2026-03-02, exactly 4 weeks back");
        assert_eq!(trend(&h, 12), Some(-30.0), "against 2026-01-05, the first week 12 or more back");
        assert_eq!(trend(&h, 52), None, "no week that far back");
        assert_eq!(weeks_in(&h, Some("poor")), 2);
        assert_eq!(weeks_in(&h, Some("Good")), 0);
        assert_eq!(weeks_in(&h, None), 0);
    }
}
