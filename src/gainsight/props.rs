//! Property tests (`proptest`) of what parses Gainsight's input: the instance URL normaliser, the
//! date parser, the reply classifiers and the PX event-window planner. `make test` runs the
//! default 256 cases of each; `make fuzz` runs many more (`PROPTEST_CASES`). `cargo fuzz` needs a
//! nightly toolchain, which this project does not assume.

use super::dates::parse_date;
use super::instance::normalize_instance_url;
use super::px::{classify_px, event_windows};
use super::response::{RawReply, classify_cs};
use chrono::{FixedOffset, SecondsFormat, TimeZone, Utc};
use proptest::prelude::*;
use serde_json::json;

/// A host name as admins type them: labels of letters, digits and hyphens.
const HOST_TEXT: &str = "[a-z][a-z0-9-]{0,20}[a-z0-9](\\.[a-z][a-z0-9-]{0,10}[a-z0-9]){1,3}";

/// A host name as admins type them. A label starting `xn--` is an encoded international name, which
/// must decode (`aa.xn--0` is rightly refused), so the plain-host properties leave those out; the
/// hostile-input table covers them.
fn host() -> impl Strategy<Value = String> {
    HOST_TEXT.prop_filter("no xn-- label", |h| !h.split('.').any(|l| l.starts_with("xn--")))
}

/// A JSON value of any shape, nested a few levels.
fn any_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(serde_json::Value::from),
        ".{0,20}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("result".to_string()),
                    Just("data".to_string()),
                    Just("records".to_string()),
                    Just("errorCode".to_string()),
                    Just("errorDesc".to_string()),
                    Just("scrollId".to_string()),
                    "[a-zA-Z]{1,8}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn reply(status: u16, content_type: Option<&str>, body: Vec<u8>) -> RawReply {
    RawReply {
        status,
        content_type: content_type.map(str::to_string),
        location: None,
        retry_after: None,
        body,
    }
}

proptest! {
    #[test]
    fn any_text_is_normalised_or_refused_without_panicking(s in any::<String>()) {
        if let Ok(u) = normalize_instance_url(&s) {
            let scheme_ok = u.as_str().starts_with("https://") || (u.is_loopback() && u.as_str().starts_with("http://"));
            prop_assert!(scheme_ok, "{:?} became {}", s, u.as_str());
        }
    }

    #[test]
    fn an_address_is_cut_to_its_https_origin_and_normalising_that_changes_nothing(
        host in host(),
        port in proptest::option::of(1u16..),
        scheme in prop_oneof![Just(""), Just("https://"), Just("HTTPS://")],
        path in "(/[a-zA-Z0-9_-]{0,12}){0,3}/?",
        pad in " {0,2}",
    ) {
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        let input = format!("{pad}{scheme}{host}{port}{path}{pad}");
        let u = normalize_instance_url(&input).map_err(|e| TestCaseError::fail(format!("{input:?}: {e}")))?;
        prop_assert!(u.as_str().starts_with("https://"), "{}", u.as_str());
        prop_assert!(!u.as_str()["https://".len()..].contains('/'), "no path is kept: {}", u.as_str());
        prop_assert!(u.domain().starts_with(&host), "{} keeps {host}", u.domain());
        let again = normalize_instance_url(u.as_str()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(again.as_str(), u.as_str());
        prop_assert!(again.notices.is_empty(), "{:?}", again.notices);
    }

    #[test]
    fn user_info_a_query_a_fragment_or_plain_http_is_refused(
        host in host(),
        extra in prop_oneof![
            Just("user@"), Just("user:pass@"), Just("?a=1"), Just("#top"), Just("http")
        ],
    ) {
        let input = match extra {
            "http" => format!("http://{host}"),
            e if e.ends_with('@') => format!("https://{e}{host}"),
            e => format!("https://{host}/{e}"),
        };
        prop_assert!(normalize_instance_url(&input).is_err(), "{} was accepted", input);
    }

    #[test]
    fn an_instant_reads_the_same_as_epoch_millis_number_text_or_iso_with_any_offset(
        ms in -62_135_596_800_000i64..253_402_300_799_999,
        offset_min in -14 * 60..=14 * 60i32,
    ) {
        let t = Utc.timestamp_millis_opt(ms).single().expect("in range");
        prop_assert_eq!(parse_date(&json!(ms)), Some(t));
        if ms >= 0 {
            prop_assert_eq!(parse_date(&json!(ms.to_string())), Some(t));
        }
        prop_assert_eq!(parse_date(&json!(t.to_rfc3339_opts(SecondsFormat::Millis, true))), Some(t));
        let zone = FixedOffset::east_opt(offset_min * 60).expect("offset");
        prop_assert_eq!(parse_date(&json!(t.with_timezone(&zone).to_rfc3339())), Some(t));
    }

    #[test]
    fn any_text_or_value_is_a_date_or_none_without_panicking(s in any::<String>(), v in any_json()) {
        let _ = parse_date(&json!(s));
        let _ = parse_date(&v);
    }

    #[test]
    fn any_reply_is_data_or_an_error_without_panicking(
        status in prop_oneof![Just(200u16), Just(400), Just(401), Just(403), Just(404), Just(429), Just(500), Just(502), 100u16..600],
        content_type in prop::option::of(prop_oneof![Just("application/json"), Just("text/html"), Just("text/plain")]),
        body in prop_oneof![
            any_json().prop_map(|v| serde_json::to_vec(&v).expect("json")),
            prop::collection::vec(any::<u8>(), 0..200),
        ],
    ) {
        let r = reply(status, content_type, body);
        if let Ok(data) = classify_cs(&r, "acme.gainsightcloud.com") {
            prop_assert!((200..300).contains(&status), "a {} was taken as data: {:?}", status, data.records().len());
        }
        if classify_px(&r, "api.aptrinsic.com").is_ok() {
            prop_assert!((200..300).contains(&status), "a PX {} was taken as data", status);
        }
    }

    #[test]
    fn event_windows_cover_the_range_once_each_within_the_limit(
        start in -1_000_000_000_000i64..2_000_000_000_000,
        len in 0i64..3_000 * 86_400_000,
    ) {
        let end = start + len;
        let windows = event_windows(start, end);
        let mut at = start;
        for (from, to) in &windows {
            prop_assert_eq!(*from, at, "no gap, no overlap");
            prop_assert!(to > from && to - from <= 190 * 86_400_000, "{from}..{to}");
            at = *to;
        }
        prop_assert_eq!(at, if len > 0 { end } else { start }, "the whole range");
    }
}
