//! Gainsight sends dates as epoch milliseconds (per the docs), `yyyy-MM-dd`, or ISO-8601 with or
//! without millis and offset (live tenants, the CTA API). All become UTC instants here.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

pub fn parse_date(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::Number(n) => n.as_i64().and_then(|ms| Utc.timestamp_millis_opt(ms).single()),
        Value::String(s) => parse_text(s.trim()),
        _ => None,
    }
}

fn parse_text(s: &str) -> Option<DateTime<Utc>> {
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().ok().and_then(|ms| Utc.timestamp_millis_opt(ms).single());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%.f%z"] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Some(t.with_timezone(&Utc));
        }
    }
    // Naive values: the zone is undocumented, UTC is the least surprising reading.
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_documented_form() {
        let want = Utc.with_ymd_and_hms(2024, 2, 5, 8, 34, 35).single().expect("date")
            + chrono::Duration::milliseconds(253);
        assert_eq!(parse_date(&json!(1_707_122_075_253_i64)), Some(want));
        assert_eq!(parse_date(&json!("1707122075253")), Some(want));
        assert_eq!(parse_date(&json!("2024-02-05T08:34:35.253Z")), Some(want));
        assert_eq!(parse_date(&json!("2024-02-05T10:34:35.253+02:00")), Some(want));
        assert_eq!(parse_date(&json!("2024-02-05T10:34:35.253+0200")), Some(want));
        assert_eq!(parse_date(&json!("2024-02-05T08:34:35.253")), Some(want));
        let second = want - chrono::Duration::milliseconds(253);
        assert_eq!(parse_date(&json!("2024-02-05T08:34:35Z")), Some(second));
        assert_eq!(parse_date(&json!("2024-02-05T08:34:35")), Some(second));
        let day = Utc.with_ymd_and_hms(2024, 2, 19, 0, 0, 0).single();
        assert_eq!(parse_date(&json!("2024-02-19")), day);
        assert_eq!(parse_date(&json!(null)), None);
        assert_eq!(parse_date(&json!("next week")), None);
    }
}
