//! Fault plans: per endpoint, make the next K calls (or a share p of calls) fail the way networks
//! and servers do, so clients can be tested against each failure on a real socket.

use crate::config::EmptyStyle;
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Reply with this status and, if given, a CS envelope carrying this `errorCode`.
    Status { status: u16, error_code: Option<String> },
    /// A 429 in the configured rate-limit style.
    RateLimited,
    /// Wait this long before handling (beyond a client's timeout, to test timeouts).
    Latency { ms: u64 },
    /// Send the status line and part of the body, then drop the connection.
    ResetMidBody,
    /// A 200 whose JSON body is cut in half.
    TruncatedJson,
    /// A 200 HTML page, as a login or proxy page would be.
    HtmlPage,
    /// A redirect to another host.
    Redirect { location: String },
    /// This status, content type and body, verbatim: a gateway's HTML 502 page, a proxy's
    /// plain-text 401.
    Raw { status: u16, content_type: String, body: String },
    /// The real reply with its `scrollId` set to null (PX scroll endpoints), whatever the page.
    NullScrollId,
    /// A successful-looking empty result: when the real reply is a success, it is replaced by
    /// "nothing matched" in the org's configured [`EmptyStyle`], or in `style` if given: `list`
    /// (an empty list in the configured rows style), `no-data` (200 `result:false` + "No data
    /// found for given criteria") or `gsobj-1011` (400 `GSOBJ_1011`). On a PX list every list is
    /// emptied and `totalHits` is 0. Failures (a bad key, a bad query) pass through unchanged.
    /// For proving that a client never trusts an empty listing.
    EmptyReply { style: Option<String> },
    /// A 200 JSON reply of this many MB (one record with a huge string), streamed so the simulator
    /// never holds it; with its `Content-Length` announced or, when `announce` is false, chunked.
    HugeBody { mb: u64, announce: bool },
}

impl Fault {
    /// Whether the fault is well formed (an `EmptyReply` style the simulator knows).
    pub fn check(&self) -> Result<(), String> {
        match self {
            Fault::EmptyReply { style: Some(s) } if EmptyStyle::parse(s).is_none() => {
                Err(format!("unknown empty style {s:?}: expected list, no-data or gsobj-1011"))
            }
            _ => Ok(()),
        }
    }

    /// The empty style an `EmptyReply` gives, `configured` unless it names another (an unknown
    /// name falls back to `configured`).
    pub fn empty_style(style: Option<&str>, configured: EmptyStyle) -> EmptyStyle {
        style.and_then(EmptyStyle::parse).unwrap_or(configured)
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct FaultRule {
    /// Path prefix the rule applies to, e.g. `/v1/data/objects/query/company`; empty for every call.
    #[serde(default)]
    pub endpoint: String,
    pub fault: Fault,
    /// Apply to the next `count` matching calls, then stop; `None` for no limit.
    pub count: Option<u32>,
    /// Apply to each matching call with this probability (deterministic per seed); `None` means always.
    pub probability: Option<f64>,
}

pub struct FaultPlan {
    rules: Vec<FaultRule>,
    rng: Rng,
}

impl FaultPlan {
    pub fn new(seed: u64) -> Self {
        FaultPlan { rules: Vec::new(), rng: Rng::new(seed).fork("faults") }
    }

    pub fn set(&mut self, rules: Vec<FaultRule>) {
        self.rules = rules;
    }

    pub fn add(&mut self, rule: FaultRule) {
        self.rules.push(rule);
    }

    /// The fault to apply to a call on `path`, consuming one use of its rule.
    pub fn take(&mut self, path: &str) -> Option<Fault> {
        let path = path.to_ascii_lowercase();
        for i in 0..self.rules.len() {
            let rule = &self.rules[i];
            if !path.starts_with(&rule.endpoint.to_ascii_lowercase()) || rule.count == Some(0) {
                continue;
            }
            if let Some(p) = rule.probability
                && !self.rng.chance(p)
            {
                continue;
            }
            let rule = &mut self.rules[i];
            if let Some(n) = rule.count.as_mut() {
                *n -= 1;
            }
            return Some(rule.fault.clone());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_limits_and_prefix_matching() {
        let mut plan = FaultPlan::new(1);
        plan.add(FaultRule {
            endpoint: "/v1/data/objects/query/company".into(),
            fault: Fault::HtmlPage,
            count: Some(2),
            probability: None,
        });
        assert_eq!(plan.take("/v1/data/objects/query/call_to_action"), None);
        assert_eq!(plan.take("/v1/data/objects/query/Company"), Some(Fault::HtmlPage));
        assert_eq!(plan.take("/v1/data/objects/query/company"), Some(Fault::HtmlPage));
        assert_eq!(plan.take("/v1/data/objects/query/company"), None, "only the next two calls");
    }

    #[test]
    fn empty_reply_serializes_by_kind_and_checks_its_style() {
        let f = Fault::EmptyReply { style: None };
        assert_eq!(
            serde_json::to_value(&f).expect("json"),
            serde_json::json!({"kind": "empty_reply", "style": null})
        );
        let back: Fault =
            serde_json::from_value(serde_json::json!({"kind": "empty_reply", "style": "gsobj-1011"}))
                .expect("parse");
        assert_eq!(back, Fault::EmptyReply { style: Some("gsobj-1011".into()) });
        assert!(back.check().is_ok());
        assert!(Fault::EmptyReply { style: Some("xml".into()) }.check().is_err());
        assert_eq!(Fault::empty_style(Some("no-data"), EmptyStyle::EmptyList), EmptyStyle::NoDataFound);
        assert_eq!(Fault::empty_style(None, EmptyStyle::Gsobj1011), EmptyStyle::Gsobj1011);
    }

    #[test]
    fn probability_applies_to_a_share_of_calls() {
        let mut plan = FaultPlan::new(7);
        plan.add(FaultRule {
            endpoint: String::new(),
            fault: Fault::RateLimited,
            count: None,
            probability: Some(0.25),
        });
        let hits = (0..4000).filter(|_| plan.take("/x").is_some()).count();
        assert!((800..1200).contains(&hits), "about a quarter, got {hits}");
    }
}
