//! The control API over HTTP, fault plans on a real socket (including probabilities), the daily
//! and per-second limits, and the peak-concurrency counter.

use gainsight_sim::faults::{Fault, FaultRule};
use gainsight_sim::{DEMO_ACCESS_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PX_API_KEY, SimConfig};
use serde_json::{Value, json};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn config() -> SimConfig {
    SimConfig { companies: 20, anchor_day: Some(20_400), ..Default::default() }
}

struct Reply {
    status: u16,
    json: Value,
    text: String,
    content_type: Option<String>,
}

async fn send(req: reqwest::RequestBuilder) -> Reply {
    let resp = req.send().await.expect("the simulator answers");
    let status = resp.status().as_u16();
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
    let text = resp.text().await.expect("a whole body");
    Reply { status, json: serde_json::from_str(&text).unwrap_or(Value::Null), text, content_type }
}

async fn query(base: &str, key: &str) -> Reply {
    send(
        reqwest::Client::new()
            .post(format!("{base}/v1/data/objects/query/company"))
            .header("Accesskey", key)
            .json(&json!({"select": ["Gsid"], "limit": 1})),
    )
    .await
}

async fn px(base: &str, path: &str, key: &str) -> Reply {
    send(reqwest::Client::new().get(format!("{base}/px/us/v1{path}")).header("X-APTRINSIC-API-KEY", key))
        .await
}

/// `POST`/`PUT`/`DELETE`/`GET` on `/__sim/{path}`.
async fn control(base: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> Reply {
    let mut req = reqwest::Client::new().request(method, format!("{base}/__sim/{path}"));
    if let Some(b) = body {
        req = req.json(&b);
    }
    send(req).await
}

async fn token(base: &str, secret: &str) -> u16 {
    send(
        reqwest::Client::new()
            .post(format!("{base}/v1/users/m2m/oauth/token"))
            .basic_auth(DEMO_CLIENT_ID, Some(secret))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials"),
    )
    .await
    .status
}

/// Sleeps until just after the next multiple of `secs` on the wall clock, so the calls that follow
/// land in one fixed window.
async fn align_to_window(secs: u64) {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_millis() as u64;
    let len = secs * 1000;
    tokio::time::sleep(Duration::from_millis(len - ms % len + 20)).await;
}

#[tokio::test]
async fn faults_are_added_replaced_and_cleared_over_http() {
    use reqwest::Method;
    let sim = gainsight_sim::start(config()).await.expect("start");
    let base = sim.base_url();
    let rule = |status: u16, count: u32| {
        json!({"endpoint": "/v1/data/objects/query/company", "count": count,
            "fault": {"kind": "status", "status": status, "error_code": null}})
    };

    let r = control(&base, Method::POST, "faults", Some(rule(503, 1))).await;
    assert_eq!(r.status, 204, "POST adds a rule: {}", r.text);
    assert_eq!(query(&base, DEMO_ACCESS_KEY).await.status, 503, "the added rule applies");
    assert_eq!(query(&base, DEMO_ACCESS_KEY).await.status, 200, "for its one call");

    control(&base, Method::POST, "faults", Some(rule(503, 5))).await;
    let r = control(&base, Method::PUT, "faults", Some(json!([rule(502, 1)]))).await;
    assert_eq!(r.status, 204);
    assert_eq!(query(&base, DEMO_ACCESS_KEY).await.status, 502, "PUT replaced the 503 rule");
    assert_eq!(query(&base, DEMO_ACCESS_KEY).await.status, 200, "and nothing of the old plan is left");

    control(&base, Method::POST, "faults", Some(rule(500, 10))).await;
    let r = control(&base, Method::DELETE, "faults", None).await;
    assert_eq!(r.status, 204);
    assert_eq!(query(&base, DEMO_ACCESS_KEY).await.status, 200, "DELETE cleared the plan");

    let r = control(&base, Method::POST, "faults", Some(json!({"fault": {"kind": "no_such_fault"}}))).await;
    assert!((400..500).contains(&r.status), "a malformed rule is refused: {}", r.status);
}

#[tokio::test]
async fn counters_are_read_and_reset_over_http() {
    use reqwest::Method;
    let sim = gainsight_sim::start(config()).await.expect("start");
    let base = sim.base_url();
    query(&base, DEMO_ACCESS_KEY).await;
    query(&base, "wrong-key").await;
    px(&base, "/accounts", DEMO_PX_API_KEY).await;

    let c = control(&base, Method::GET, "counters", None).await.json;
    assert_eq!(c["calls"]["POST /v1/data/objects/query/company"], 2, "{c}");
    assert_eq!(c["calls"]["GET /px/us/v1/accounts"], 1, "{c}");
    assert_eq!(c["unauthorized"], 1);
    assert_eq!(c["missing_auth"], 0);
    assert_eq!(c["rate_limited"], 0);
    assert!(c["peak_concurrency"].as_u64().is_some(), "{c}");

    let r = control(&base, Method::POST, "counters/reset", None).await;
    assert_eq!(r.status, 204);
    let c = control(&base, Method::GET, "counters", None).await.json;
    assert_eq!(c["calls"], json!({}), "control calls themselves are not counted: {c}");
    assert_eq!((c["unauthorized"].as_u64(), c["peak_concurrency"].as_u64()), (Some(0), Some(0)));
}

#[tokio::test]
async fn keys_are_rotated_and_records_changed_over_http() {
    use reqwest::Method;
    let sim = gainsight_sim::start(config()).await.expect("start");
    let base = sim.base_url();
    let rotate = |body: Value| control(&base, Method::POST, "rotate", Some(body));

    assert_eq!(rotate(json!({"product": "cs", "key": "cs-key-2"})).await.status, 204);
    assert_eq!(query(&base, DEMO_ACCESS_KEY).await.status, 401, "the old Access Key fails at once");
    assert_eq!(query(&base, "cs-key-2").await.status, 200);

    assert_eq!(token(&base, DEMO_CLIENT_SECRET).await, 200);
    assert_eq!(rotate(json!({"product": "cs_secret", "key": "secret-2"})).await.status, 204);
    assert_eq!(token(&base, DEMO_CLIENT_SECRET).await, 401, "the old client secret gets no token");
    assert_eq!(token(&base, "secret-2").await, 200);

    let r = rotate(json!({"product": "px", "old": DEMO_PX_API_KEY, "key": "px-key-2"})).await;
    assert_eq!(r.status, 204);
    assert_eq!(px(&base, "/accounts", DEMO_PX_API_KEY).await.status, 401, "the old PX key fails");
    assert_eq!(px(&base, "/accounts", "px-key-2").await.status, 200, "the new one reads");
    let r = rotate(json!({"product": "px", "old": "no-such-key", "key": "x"})).await;
    assert_eq!(r.status, 400, "a PX key that does not exist cannot be rotated");
    assert_eq!(rotate(json!({"product": "crm", "key": "x"})).await.status, 400, "unknown product");

    let changed =
        control(&base, Method::POST, "modify", Some(json!({"object": "company", "count": 2}))).await;
    assert_eq!(changed.json.as_array().map(Vec::len), Some(2), "modify returns the changed ids");
    let gone = control(&base, Method::POST, "delete", Some(json!({"object": "company", "count": 3}))).await;
    let gone: Vec<String> = serde_json::from_value(gone.json).expect("ids");
    assert_eq!(gone.len(), 3);
    let left = send(
        reqwest::Client::new()
            .post(format!("{base}/v1/data/objects/query/company"))
            .header("Accesskey", "cs-key-2")
            .json(&json!({"select": ["Gsid"], "limit": 100})),
    )
    .await;
    let ids: Vec<&str> = left.json["data"]["records"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["Gsid"].as_str())
        .collect();
    assert_eq!(ids.len(), 17, "20 companies less the 3 deleted");
    assert!(gone.iter().all(|g| !ids.contains(&g.as_str())), "deleted companies are gone");
}

#[tokio::test]
async fn a_probability_fault_hits_a_share_of_calls_the_same_way_each_run() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let sim =
            gainsight_sim::start(SimConfig { rate_limit_per_window: 1000, ..config() }).await.expect("start");
        sim.add_fault(FaultRule {
            endpoint: "/v1/data/objects/query/company".into(),
            fault: Fault::Status { status: 503, error_code: None },
            count: None,
            probability: Some(0.3),
        });
        let mut statuses = Vec::new();
        for _ in 0..120 {
            statuses.push(query(&sim.base_url(), DEMO_ACCESS_KEY).await.status);
        }
        let failed = statuses.iter().filter(|s| **s == 503).count();
        assert!((18..=54).contains(&failed), "about 30% of 120 calls fail, got {failed}");
        assert!(statuses.iter().all(|s| *s == 503 || *s == 200), "{statuses:?}");
        assert_eq!(sim.counters().calls_to("query/company"), 120, "every call is counted, failed or not");
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1], "the same seed fails the same calls");
}

#[tokio::test]
async fn raw_replies_and_a_null_scroll_id_on_the_socket() {
    let sim = gainsight_sim::start(config()).await.expect("start");
    let base = sim.base_url();
    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    sim.add_fault(FaultRule {
        endpoint: "/v1/data/objects/query/company".into(),
        fault: Fault::Raw { status: 502, content_type: "text/html".into(), body: page.into() },
        count: Some(1),
        probability: None,
    });
    let r = query(&base, DEMO_ACCESS_KEY).await;
    assert_eq!((r.status, r.text.as_str(), r.content_type.as_deref()), (502, page, Some("text/html")));
    assert_eq!(query(&base, DEMO_ACCESS_KEY).await.status, 200);

    sim.add_fault(FaultRule {
        endpoint: "/px/us/v1/accounts".into(),
        fault: Fault::NullScrollId,
        count: Some(1),
        probability: None,
    });
    let r = px(&base, "/accounts?pageSize=5", DEMO_PX_API_KEY).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["accounts"].as_array().map(Vec::len), Some(5), "the page itself is intact");
    assert!(r.json.get("scrollId").is_some_and(Value::is_null), "scrollId is present and null: {}", r.json);
    let r = px(&base, "/accounts?pageSize=5", DEMO_PX_API_KEY).await;
    assert!(r.json["scrollId"].is_string(), "only for the next call");
}

#[tokio::test]
async fn the_daily_limit_refuses_calls_past_it() {
    let sim = gainsight_sim::start(SimConfig { daily_limit: 3, ..config() }).await.expect("start");
    for _ in 0..3 {
        assert_eq!(query(&sim.base_url(), DEMO_ACCESS_KEY).await.status, 200);
    }
    let r = query(&sim.base_url(), DEMO_ACCESS_KEY).await;
    assert_eq!(
        (r.status, r.json["errorCode"].as_str()),
        (429, Some("GS_APIG_2404")),
        "the fourth call of the day"
    );
    assert_eq!(sim.counters().rate_limited, 1);
}

#[tokio::test]
async fn px_allows_so_many_calls_a_second() {
    let sim = gainsight_sim::start(SimConfig { px_per_second: 3, ..config() }).await.expect("start");
    align_to_window(1).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let r = px(&sim.base_url(), "/admin/subscription", DEMO_PX_API_KEY).await;
        statuses.push((r.status, r.text));
    }
    let codes: Vec<u16> = statuses.iter().map(|(s, _)| *s).collect();
    assert_eq!(codes, vec![200, 200, 200, 429], "three a second, then 429");
    assert!(statuses[3].1.is_empty(), "a PX 429 has no body");
    assert_eq!(sim.counters().rate_limited, 1);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(px(&sim.base_url(), "/admin/subscription", DEMO_PX_API_KEY).await.status, 200, "next second");
}

#[tokio::test]
async fn peak_concurrency_counts_requests_in_flight_together() {
    let sim = gainsight_sim::start(SimConfig { latency_ms: 400, ..config() }).await.expect("start");
    let base = sim.base_url();
    let n = 6;
    let calls = (0..n).map(|_| query(&base, DEMO_ACCESS_KEY));
    let replies = futures_util::future::join_all(calls).await;
    assert!(replies.iter().all(|r| r.status == 200));
    assert_eq!(sim.counters().peak_concurrency, n as u64, "all {n} requests were in flight at once");

    sim.reset_counters();
    for _ in 0..3 {
        query(&base, DEMO_ACCESS_KEY).await;
    }
    assert_eq!(sim.counters().peak_concurrency, 1, "one after another is never more than one");
}

#[tokio::test]
async fn an_empty_reply_looks_like_success_in_each_style() {
    use gainsight_sim::{EmptyStyle, RowsStyle};
    let empty_reply = |style: Option<&str>| FaultRule {
        endpoint: "/v1/data/objects/query/company".into(),
        fault: Fault::EmptyReply { style: style.map(str::to_string) },
        count: Some(1),
        probability: None,
    };
    // (configured empty style, rows style, fault style) → what the reply must be.
    let cases = [
        (EmptyStyle::EmptyList, RowsStyle::Records, None, "records"),
        (EmptyStyle::EmptyList, RowsStyle::BareList, None, "bare"),
        (EmptyStyle::NoDataFound, RowsStyle::Records, None, "no-data"),
        (EmptyStyle::Gsobj1011, RowsStyle::Records, None, "gsobj-1011"),
        (EmptyStyle::Gsobj1011, RowsStyle::Records, Some("list"), "records"),
        (EmptyStyle::EmptyList, RowsStyle::BareList, Some("list"), "bare"),
        (EmptyStyle::EmptyList, RowsStyle::Records, Some("no-data"), "no-data"),
        (EmptyStyle::EmptyList, RowsStyle::Records, Some("gsobj-1011"), "gsobj-1011"),
    ];
    for (empty, rows, style, expect) in cases {
        let sim = gainsight_sim::start(SimConfig { empty, rows, ..config() }).await.expect("start");
        let base = sim.base_url();
        sim.add_fault(empty_reply(style));
        let r = query(&base, DEMO_ACCESS_KEY).await;
        let case = format!("{empty:?}/{rows:?}/{style:?}: {}", r.text);
        match expect {
            "records" => {
                assert_eq!((r.status, r.json["result"].as_bool()), (200, Some(true)), "{case}");
                assert_eq!(r.json["data"], json!({"records": []}), "{case}");
            }
            "bare" => {
                assert_eq!((r.status, r.json["result"].as_bool()), (200, Some(true)), "{case}");
                assert_eq!(r.json["data"], json!([]), "{case}");
            }
            "no-data" => {
                assert_eq!((r.status, r.json["result"].as_bool()), (200, Some(false)), "{case}");
                assert_eq!(r.json["errorDesc"], "No data found for given criteria", "{case}");
            }
            _ => {
                assert_eq!((r.status, r.json["errorCode"].as_str()), (400, Some("GSOBJ_1011")), "{case}");
            }
        }
        assert!(r.json["requestId"].is_string(), "{case}");
        let again = query(&base, DEMO_ACCESS_KEY).await;
        let rows = again.json["data"]["records"].as_array().or(again.json["data"].as_array()).map(Vec::len);
        assert_eq!(rows, Some(1), "only the next call is emptied: {case}");
    }
}

#[tokio::test]
async fn an_empty_reply_passes_failures_through_and_empties_cockpit_and_px_lists() {
    use reqwest::Method;
    let sim = gainsight_sim::start(config()).await.expect("start");
    let base = sim.base_url();
    let rule = |endpoint: &str, style: Value| json!({"endpoint": endpoint, "count": 1, "fault": {"kind": "empty_reply", "style": style}});
    let r = control(&base, Method::POST, "faults", Some(rule("/v1/data/objects/query/company", Value::Null)))
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = query(&base, "wrong-key").await;
    assert_eq!(r.status, 401, "a refusal stays a refusal: {}", r.text);

    control(&base, Method::POST, "faults", Some(rule("/v2/cockpit/cta/list", json!("list")))).await;
    let r = send(
        reqwest::Client::new()
            .post(format!("{base}/v2/cockpit/cta/list"))
            .header("Accesskey", DEMO_ACCESS_KEY)
            .json(&json!({"select": ["Gsid"], "pageSize": 10, "pageNumber": 1})),
    )
    .await;
    assert_eq!((r.status, r.json["data"].clone()), (200, json!([])), "the cockpit's bare list: {}", r.text);

    control(&base, Method::POST, "faults", Some(rule("/px/us/v1/accounts", Value::Null))).await;
    let r = px(&base, "/accounts?pageSize=5", DEMO_PX_API_KEY).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        (r.json["accounts"].clone(), r.json["totalHits"].clone()),
        (json!([]), json!(0)),
        "{}",
        r.text
    );
    assert!(r.json["scrollId"].is_string());
    let r = px(&base, "/accounts?pageSize=5", DEMO_PX_API_KEY).await;
    assert_eq!(r.json["accounts"].as_array().map(Vec::len), Some(5));

    let r =
        control(&base, Method::POST, "faults", Some(rule("/v1/data/objects/query/company", json!("xml"))))
            .await;
    assert_eq!(r.status, 400, "an unknown style is refused: {}", r.text);
    let r = control(&base, Method::PUT, "faults", Some(json!([rule("", json!("no-data-please"))]))).await;
    assert_eq!(r.status, 400);
    assert_eq!(query(&base, DEMO_ACCESS_KEY).await.status, 200, "and nothing was added");
}
