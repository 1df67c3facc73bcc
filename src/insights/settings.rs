//! The insights' thresholds and the CS field PX accounts link by: a small key/value table, each
//! key with its default, each value checked when it is set and when it is read.

use crate::db::insights::{get_setting, put_setting};
use crate::error::{Error, ErrorKind, Result};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct InsightSettings {
    /// A score falling this many weeks in a row raises a `declining` alert (2–26).
    pub decline_weeks: u32,
    /// Usage down by more than this percentage over 30 days raises a `usage_down` alert (1–100).
    pub usage_drop_pct: f64,
    /// A renewal within this many days with a Poor score raises a `renewal_poor` alert (1–365).
    pub renewal_alert_days: u32,
    /// The Company field whose value a PX account's id (or its CS id, `gsId`) matches: `Gsid`,
    /// or the API name of a mapped custom field.
    pub px_link_field: String,
}

impl Default for InsightSettings {
    fn default() -> Self {
        InsightSettings {
            decline_weeks: 3,
            usage_drop_pct: 30.0,
            renewal_alert_days: 90,
            px_link_field: "Gsid".into(),
        }
    }
}

const KEYS: [&str; 4] = ["decline_weeks", "usage_drop_pct", "renewal_alert_days", "px_link_field"];

fn bad(key: &str, value: &str, hint: &str) -> Error {
    Error::new(ErrorKind::InvalidInput, format!("\"{value}\" is not a valid {key}."))
        .with_hint(hint.to_string())
}

impl InsightSettings {
    /// Refuses values outside their ranges, with the range in the hint.
    pub fn validate(&self) -> Result<()> {
        if !(2..=26).contains(&self.decline_weeks) {
            return Err(bad("decline_weeks", &self.decline_weeks.to_string(), "Use 2 to 26 weeks."));
        }
        if !(1.0..=100.0).contains(&self.usage_drop_pct) {
            return Err(bad("usage_drop_pct", &self.usage_drop_pct.to_string(), "Use 1 to 100 (percent)."));
        }
        if !(1..=365).contains(&self.renewal_alert_days) {
            return Err(bad(
                "renewal_alert_days",
                &self.renewal_alert_days.to_string(),
                "Use 1 to 365 days.",
            ));
        }
        let f = &self.px_link_field;
        if f.is_empty() || !f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(bad(
                "px_link_field",
                f,
                "Use Gsid or a Company field's API name, e.g. PxAccountId__gc.",
            ));
        }
        Ok(())
    }

    fn value(&self, key: &str) -> String {
        match key {
            "decline_weeks" => self.decline_weeks.to_string(),
            "usage_drop_pct" => self.usage_drop_pct.to_string(),
            "renewal_alert_days" => self.renewal_alert_days.to_string(),
            _ => self.px_link_field.clone(),
        }
    }

    fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let stored = || {
            Error::new(
                ErrorKind::Database,
                format!("The stored insight setting {key} = \"{value}\" is not valid."),
            )
            .with_hint("Set it again (the Attention view's settings, or Outpost::set_insight_settings).")
        };
        match key {
            "decline_weeks" => self.decline_weeks = value.parse().map_err(|_| stored())?,
            "usage_drop_pct" => self.usage_drop_pct = value.parse().map_err(|_| stored())?,
            "renewal_alert_days" => self.renewal_alert_days = value.parse().map_err(|_| stored())?,
            _ => self.px_link_field = value.to_string(),
        }
        Ok(())
    }
}

/// The settings: stored values over the defaults. A stored value that does not parse, or is out
/// of range, is an error (never silently the default).
pub fn get(conn: &Connection) -> Result<InsightSettings> {
    let mut s = InsightSettings::default();
    for key in KEYS {
        if let Some(v) = get_setting(conn, key)? {
            s.set(key, &v)?;
        }
    }
    s.validate().map_err(|e| {
        Error::new(ErrorKind::Database, format!("A stored insight setting is out of range: {}", e.message))
            .with_hint("Set it again.")
    })?;
    Ok(s)
}

/// Validates, then stores every value; nothing is stored when one is invalid.
pub fn put(conn: &Connection, s: &InsightSettings) -> Result<()> {
    s.validate()?;
    for key in KEYS {
        put_setting(conn, key, &s.value(key))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_until_set_and_bad_values_are_refused_and_change_nothing() {
        let conn = crate::db::open_in_memory().expect("db");
        assert_eq!(get(&conn).expect("defaults"), InsightSettings::default());
        let s = InsightSettings { decline_weeks: 4, usage_drop_pct: 25.5, ..Default::default() };
        put(&conn, &s).expect("valid");
        assert_eq!(get(&conn).expect("stored"), s);
        for bad in [
            InsightSettings { decline_weeks: 1, ..s.clone() },
            InsightSettings { usage_drop_pct: 0.0, ..s.clone() },
            InsightSettings { usage_drop_pct: f64::NAN, ..s.clone() },
            InsightSettings { renewal_alert_days: 0, ..s.clone() },
            InsightSettings { px_link_field: "x'); DROP".into(), ..s.clone() },
        ] {
            assert_eq!(put(&conn, &bad).expect_err("refused").kind, ErrorKind::InvalidInput, "{bad:?}");
            assert_eq!(get(&conn).expect("unchanged"), s, "a refused value stores nothing");
        }
        put_setting(&conn, "decline_weeks", "three").expect("raw");
        assert_eq!(get(&conn).expect_err("unreadable").kind, ErrorKind::Database);
    }
}
