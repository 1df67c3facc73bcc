//! The CS surface on a real socket: M2M tokens, discovery, cockpit paging, envelope and empty-result
//! variants, rate limits, faults and the control API.

use gainsight_sim::faults::{Fault, FaultRule};
use gainsight_sim::{DEMO_ACCESS_KEY, EmptyStyle, OptionsStyle, RateLimitStyle, RowsStyle, SimConfig};
use serde_json::{Value, json};
use std::time::Duration;

fn config() -> SimConfig {
    SimConfig { companies: 30, anchor_day: Some(20_400), ..Default::default() }
}

struct Reply {
    status: u16,
    json: Value,
    retry_after: Option<String>,
    location: Option<String>,
    text: Result<String, String>,
}

async fn call(method: &str, url: String, auth: Option<(&str, &str)>, body: Option<Value>) -> Reply {
    let client =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let mut req = if method == "GET" { client.get(url) } else { client.post(url) };
    if let Some((h, v)) = auth {
        req = req.header(h, v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("send");
    let header = |n: &str| resp.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (status, retry_after, location) = (resp.status().as_u16(), header("retry-after"), header("location"));
    let text = resp.text().await.map_err(|e| e.to_string());
    let json = text.as_deref().ok().and_then(|t| serde_json::from_str(t).ok()).unwrap_or(Value::Null);
    Reply { status, json, retry_after, location, text }
}

async fn query(base: &str, object: &str, body: Value) -> Reply {
    call(
        "POST",
        format!("{base}/v1/data/objects/query/{object}"),
        Some(("Accesskey", DEMO_ACCESS_KEY)),
        Some(body),
    )
    .await
}

fn basic(id: &str, secret: &str) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let raw = format!("{id}:{secret}").into_bytes();
    let mut out = String::new();
    for chunk in raw.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

#[tokio::test]
async fn m2m_token_then_bearer_until_expiry() {
    let sim = gainsight_sim::start(SimConfig { token_ttl_secs: 1, ..config() }).await.expect("start");
    let base = sim.base_url();
    let token_url = format!("{base}/v1/users/m2m/oauth/token");
    let bad =
        call("POST", token_url.clone(), Some(("Authorization", &basic("demo-m2m-client-id", "nope"))), None)
            .await;
    assert_eq!(bad.status, 401);
    let auth = basic(gainsight_sim::DEMO_CLIENT_ID, gainsight_sim::DEMO_CLIENT_SECRET);
    let ok = call("POST", token_url, Some(("Authorization", &auth)), None).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json["token_type"], "Bearer");
    assert_eq!(ok.json["expires_in"], 1);
    let bearer = format!("Bearer {}", ok.json["access_token"].as_str().expect("token"));
    let q = |b: String| {
        let base = base.clone();
        async move {
            call(
                "POST",
                format!("{base}/v1/data/objects/query/company"),
                Some(("Authorization", &b)),
                Some(json!({"select": ["Gsid"], "limit": 1})),
            )
            .await
            .status
        }
    };
    assert_eq!(q(bearer.clone()).await, 200, "a fresh token works");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(q(bearer).await, 401, "an expired token is refused");
}

#[tokio::test]
async fn discovery_lists_objects_and_describes_fields() {
    let sim = gainsight_sim::start(config()).await.expect("start");
    let key = Some(("Accesskey", DEMO_ACCESS_KEY));
    let list = call(
        "GET",
        format!("{}/v1/meta/services/objects/list?po=company&em=false", sim.base_url()),
        key,
        None,
    )
    .await;
    let names: Vec<&str> =
        list.json["data"].as_array().expect("list").iter().filter_map(|o| o["objectName"].as_str()).collect();
    for wanted in [
        "company",
        "call_to_action",
        "scorecard_master",
        "company_scorecard_fact",
        "company_scorecard_history",
        "activity_timeline",
        "record_delete_log",
        "product_usage__gc",
        "scoring_scheme_definition",
    ] {
        assert!(names.iter().any(|n| n.eq_ignore_ascii_case(wanted)), "{wanted} missing from {names:?}");
    }
    let d = call(
        "GET",
        format!("{}/v1/meta/services/objects/company/describe?idd=true", sim.base_url()),
        key,
        None,
    )
    .await;
    let fields = d.json["data"][0]["fields"].as_array().expect("fields");
    assert!(
        fields.iter().any(|f| f["fieldName"].as_str().is_some_and(|n| n.ends_with("__gc"))),
        "custom fields described"
    );
    let stage = fields.iter().find(|f| f["fieldName"] == "Stage").expect("Stage");
    assert_eq!(stage["dataType"], "PICKLIST");
    assert!(stage["options"].as_array().is_some_and(|o| o.len() >= 3), "picklist options: {stage}");
    let csm = fields.iter().find(|f| f["fieldName"] == "Csm").expect("Csm");
    assert_eq!(csm["meta"]["lookupDetail"]["lookupObjects"][0]["objectName"], "GsUser");
}

/// Describe lists a picklist's items in the configured style: `options[{label, value}]`,
/// `meta.options[{name, gsid}]`, or none at all; the items are the picklist object's own.
#[tokio::test]
async fn describe_lists_picklist_items_in_the_configured_style() {
    let key = Some(("Accesskey", DEMO_ACCESS_KEY));
    for style in [OptionsStyle::LabelValue, OptionsStyle::NameGsid, OptionsStyle::Absent] {
        let sim = gainsight_sim::start(SimConfig { options: style, ..config() }).await.expect("start");
        let url = format!("{}/v1/meta/services/objects/company/describe?idd=true", sim.base_url());
        let d = call("GET", url, key, None).await;
        let fields = d.json["data"][0]["fields"].as_array().expect("fields").clone();
        let products = fields.iter().find(|f| f["fieldName"] == "Products__gc").expect("Products__gc");
        assert_eq!(products["dataType"], "MULTISELECTDROPDOWNLIST");
        let pairs: Vec<(String, String)> = match style {
            OptionsStyle::LabelValue => products["options"]
                .as_array()
                .expect("options")
                .iter()
                .map(|o| (o["value"].as_str().unwrap_or("").into(), o["label"].as_str().unwrap_or("").into()))
                .collect(),
            OptionsStyle::NameGsid => products["meta"]["options"]
                .as_array()
                .expect("meta.options")
                .iter()
                .map(|o| (o["gsid"].as_str().unwrap_or("").into(), o["name"].as_str().unwrap_or("").into()))
                .collect(),
            OptionsStyle::Absent => {
                assert_eq!(products["options"], json!([]), "no items listed");
                assert!(products["meta"].get("options").is_none());
                sim.stop().await;
                continue;
            }
        };
        assert_eq!(pairs.len(), 5, "{style:?}: every product item: {pairs:?}");
        let body = json!({"select": ["Gsid", "Name", "Category"], "limit": 100, "offset": 0});
        let url = format!("{}/v1/data/objects/query/da_picklist", sim.base_url());
        let items = call("POST", url, key, Some(body)).await.json["data"]["records"].clone();
        for (id, label) in &pairs {
            let item = items
                .as_array()
                .expect("items")
                .iter()
                .find(|i| i["Gsid"] == id.as_str())
                .expect("a real item");
            assert_eq!(
                (item["Name"].as_str(), item["Category"].as_str()),
                (Some(label.as_str()), Some("Company Products"))
            );
        }
        sim.stop().await;
    }
}

#[tokio::test]
async fn cockpit_pages_from_one_with_a_cap() {
    let sim = gainsight_sim::start(config()).await.expect("start");
    let url = format!("{}/v2/cockpit/cta/list", sim.base_url());
    let key = Some(("Accesskey", DEMO_ACCESS_KEY));
    let total = query(&sim.base_url(), "call_to_action", json!({"select": ["Gsid"], "limit": 5000}))
        .await
        .json["data"]["records"]
        .as_array()
        .map(Vec::len)
        .expect("rows");
    let mut seen = std::collections::HashSet::new();
    for page in 1.. {
        let r = call(
            "POST",
            url.clone(),
            key,
            Some(json!({"select": ["Gsid", "Name"], "pageSize": 50, "pageNumber": page})),
        )
        .await;
        let rows = r.json["data"].as_array().expect("data is a bare list").clone();
        seen.extend(rows.iter().filter_map(|r| r["Gsid"].as_str().map(str::to_string)));
        if rows.len() < 50 {
            break;
        }
    }
    assert_eq!(seen.len(), total, "cockpit paging covers every CTA once");
    let r =
        call("POST", url, key, Some(json!({"select": ["Gsid"], "pageSize": 1001, "pageNumber": 1}))).await;
    assert_eq!((r.status, r.json["errorCode"].as_str()), (400, Some("COCKPIT_5101")));
}

#[tokio::test]
async fn bare_list_and_every_empty_style() {
    let none = json!({"select": ["Gsid"], "where": {"conditions": [
        {"name": "Name", "alias": "A", "value": ["no such company"], "operator": "EQ"}]}});
    let bare =
        gainsight_sim::start(SimConfig { rows: RowsStyle::BareList, ..config() }).await.expect("start");
    let r = query(&bare.base_url(), "company", json!({"select": ["Gsid"], "limit": 2})).await;
    assert_eq!(r.json["data"].as_array().map(Vec::len), Some(2), "rows directly in data");

    let list = gainsight_sim::start(config()).await.expect("start");
    let r = query(&list.base_url(), "company", none.clone()).await;
    assert_eq!((r.status, r.json["data"]["records"].as_array().map(Vec::len)), (200, Some(0)));
    let ndf =
        gainsight_sim::start(SimConfig { empty: EmptyStyle::NoDataFound, ..config() }).await.expect("start");
    let r = query(&ndf.base_url(), "company", none.clone()).await;
    assert_eq!((r.status, r.json["result"].clone()), (200, json!(false)));
    assert!(r.json["errorDesc"].as_str().is_some_and(|d| d.contains("No data found")));
    let e1011 =
        gainsight_sim::start(SimConfig { empty: EmptyStyle::Gsobj1011, ..config() }).await.expect("start");
    let r = query(&e1011.base_url(), "company", none).await;
    assert_eq!((r.status, r.json["errorCode"].as_str()), (400, Some("GSOBJ_1011")));
}

#[tokio::test]
async fn fixed_window_rate_limit_in_each_style() {
    let body = json!({"select": ["Gsid"], "limit": 1});
    for (style, body_code, header) in [
        (RateLimitStyle { gs_2404_body: true, retry_after: false }, Some("GS_APIG_2404"), false),
        (RateLimitStyle { gs_2404_body: false, retry_after: true }, None, true),
    ] {
        let sim = gainsight_sim::start(SimConfig {
            rate_limit_per_window: 3,
            window_secs: 2,
            rate_limit_style: style,
            ..config()
        })
        .await
        .expect("start");
        // Start right after a window boundary so all four calls land in one window.
        let ms =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis()
                as u64;
        tokio::time::sleep(Duration::from_millis(2000 - ms % 2000 + 20)).await;
        for _ in 0..3 {
            assert_eq!(query(&sim.base_url(), "company", body.clone()).await.status, 200);
        }
        let r = query(&sim.base_url(), "company", body.clone()).await;
        assert_eq!(r.status, 429);
        assert_eq!(r.json["errorCode"].as_str(), body_code);
        assert_eq!(r.retry_after.is_some(), header);
        assert_eq!(sim.counters().rate_limited, 1);
        tokio::time::sleep(Duration::from_millis(2100)).await;
        assert_eq!(
            query(&sim.base_url(), "company", body.clone()).await.status,
            200,
            "the next window is open"
        );
    }
}

#[tokio::test]
async fn each_fault_for_the_next_calls_only() {
    let sim = gainsight_sim::start(config()).await.expect("start");
    let body = json!({"select": ["Gsid", "Name"], "limit": 50});
    let rule = |fault| FaultRule {
        endpoint: "/v1/data/objects/query/company".into(),
        fault,
        count: Some(1),
        probability: None,
    };

    sim.add_fault(rule(Fault::Status { status: 503, error_code: None }));
    assert_eq!(query(&sim.base_url(), "company", body.clone()).await.status, 503);
    assert_eq!(query(&sim.base_url(), "company", body.clone()).await.status, 200, "count 1 means one call");

    sim.add_fault(rule(Fault::RateLimited));
    assert_eq!(query(&sim.base_url(), "company", body.clone()).await.json["errorCode"], "GS_APIG_2404");

    sim.add_fault(rule(Fault::HtmlPage));
    let r = query(&sim.base_url(), "company", body.clone()).await;
    assert!(r.status == 200 && r.text.as_deref().is_ok_and(|t| t.contains("<html")));

    sim.add_fault(rule(Fault::Redirect { location: "http://127.0.0.1:9/elsewhere".into() }));
    let r = query(&sim.base_url(), "company", body.clone()).await;
    assert_eq!((r.status, r.location.as_deref()), (302, Some("http://127.0.0.1:9/elsewhere")));

    sim.add_fault(rule(Fault::TruncatedJson));
    let r = query(&sim.base_url(), "company", body.clone()).await;
    assert!(r.status == 200 && r.json.is_null() && r.text.is_ok(), "a body that is not valid JSON");

    sim.add_fault(rule(Fault::ResetMidBody));
    let r = query(&sim.base_url(), "company", body.clone()).await;
    assert!(r.text.is_err(), "the connection drops mid-body");

    sim.add_fault(rule(Fault::Latency { ms: 300 }));
    let t = std::time::Instant::now();
    assert_eq!(query(&sim.base_url(), "company", body.clone()).await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn modify_delete_rotate_and_counters() {
    let sim = gainsight_sim::start(config()).await.expect("start");
    let base = sim.base_url();
    let changed = sim.modify("company", 4);
    assert_eq!(changed.len(), 4);
    let recent = query(&base, "company", json!({"select": ["Gsid"], "where": {"conditions": [
        {"name": "ModifiedDate", "alias": "A", "value": ["2026-01-01T00:00:00Z"], "operator": "GTE"}]}, "limit": 100})).await;
    let mut got: Vec<String> = recent.json["data"]["records"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["Gsid"].as_str().map(str::to_string))
        .collect();
    got.sort();
    let mut want = changed.clone();
    want.sort();
    assert_eq!(got, want, "exactly the modified companies are newer than the generated data");

    let gone = sim.delete("call_to_action", 3);
    let log = query(
        &base,
        "record_delete_log",
        json!({"select": ["RecordId", "ObjectName", "DeletedOn"], "limit": 100}),
    )
    .await;
    assert_eq!(log.json["data"]["records"].as_array().map(Vec::len), Some(3));
    let deleted = call(
        "POST",
        format!("{base}/v2/cockpit/cta/deleted/list"),
        Some(("Accesskey", DEMO_ACCESS_KEY)),
        Some(json!({"pageSize": 100, "pageNumber": 1})),
    )
    .await;
    let ids: Vec<&str> =
        deleted.json["data"].as_array().expect("list").iter().filter_map(|r| r["Gsid"].as_str()).collect();
    assert!(gone.iter().all(|g| ids.contains(&g.as_str())), "deleted CTAs are listed");

    sim.rotate_cs_key("new-key-after-regenerate");
    assert_eq!(
        query(&base, "company", json!({"select": ["Gsid"]})).await.status,
        401,
        "the old key fails at once"
    );
    let r = call(
        "POST",
        format!("{base}/v1/data/objects/query/company"),
        Some(("Accesskey", "new-key-after-regenerate")),
        Some(json!({"select": ["Gsid"], "limit": 1})),
    )
    .await;
    assert_eq!(r.status, 200);

    let c = sim.counters();
    assert_eq!(c.unauthorized, 1);
    assert_eq!(c.peak_concurrency, 1, "calls made one after another (concurrency: tests/control.rs)");
    assert!(c.calls_to("query/company") >= 3);
    let over_http = call("GET", format!("{base}/__sim/counters"), None, None).await;
    assert_eq!(over_http.json["unauthorized"], 1);
}
