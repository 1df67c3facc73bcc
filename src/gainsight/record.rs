//! One record of a Gainsight reply, and reading its values whatever their JSON type: the helpers
//! every stream and the PX sync share.

use super::dates::parse_date;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

pub type Record = Map<String, Value>;

pub fn text(r: &Record, k: &str) -> Option<String> {
    match r.get(k)? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

pub fn num(r: &Record, k: &str) -> Option<f64> {
    match r.get(k)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An instant as stored: RFC 3339 with millis, so text order is time order.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn instant(r: &Record, k: &str) -> Option<String> {
    r.get(k).and_then(parse_date).map(iso)
}
