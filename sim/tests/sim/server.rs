//! The simulator on a real socket: its auth checks, the query endpoint, determinism, and the
//! binary's first line.

use gainsight_sim::{DateStyle, SimConfig};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn config(seed: u64) -> SimConfig {
    SimConfig { seed, companies: 200, anchor_day: Some(20_400), ..Default::default() }
}

async fn query(base: &str, key: Option<&str>, object: &str, body: Value) -> (u16, Value, String) {
    let mut req = reqwest::Client::new().post(format!("{base}/v1/data/objects/query/{object}")).json(&body);
    if let Some(k) = key {
        req = req.header("Accesskey", k);
    }
    let resp = req.send().await.expect("send");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null), text)
}

#[tokio::test]
async fn access_key_is_checked_like_cs() {
    let sim = gainsight_sim::start(config(1)).await.expect("start");
    let base = sim.base_url();
    let body = json!({"select": ["Gsid"], "limit": 1});
    let (s, v, _) = query(&base, Some(gainsight_sim::DEMO_ACCESS_KEY), "Company", body.clone()).await;
    assert_eq!((s, v["result"].clone()), (200, json!(true)));
    let (s, v, _) = query(&base, Some("wrong"), "Company", body.clone()).await;
    assert_eq!((s, v["errorCode"].as_str()), (401, Some("GS_APIG_2401")));
    let (s, v, _) = query(&base, None, "Company", body).await;
    assert_eq!((s, v["errorCode"].as_str()), (400, Some("GSOBJ_1024")));
    let c = sim.counters();
    assert_eq!((c.total_calls(), c.unauthorized, c.missing_auth), (3, 1, 1));
}

#[tokio::test]
async fn query_errors_use_gainsight_codes() {
    let sim = gainsight_sim::start(config(1)).await.expect("start");
    let key = Some(gainsight_sim::DEMO_ACCESS_KEY);
    let (s, v, _) = query(&sim.base_url(), key, "company", json!({"select": ["Nope"]})).await;
    assert_eq!((s, v["errorCode"].as_str()), (400, Some("GSOBJ_1002")));
    let (_, v, _) = query(&sim.base_url(), key, "not_an_object", json!({"select": ["Gsid"]})).await;
    assert_eq!(v["errorCode"].as_str(), Some("OBJECT_NOT_FOUND"));
    let (s, _, _) = query(&sim.base_url(), key, "company", json!({"select": ["Gsid"], "limit": 5001})).await;
    assert_eq!(s, 400, "limit above 5000 is refused");
}

#[tokio::test]
async fn same_seed_serves_identical_bytes_and_another_seed_does_not() {
    let body = json!({"select": ["Gsid", "Name", "Arr", "RenewalDate", "Csm__gr.Email", "CurrentScore__gr.Score"],
        "orderBy": {"Name": "asc"}, "limit": 200});
    let key = Some(gainsight_sim::DEMO_ACCESS_KEY);
    let (a, b, c) = (
        gainsight_sim::start(config(9)).await.expect("a"),
        gainsight_sim::start(config(9)).await.expect("b"),
        gainsight_sim::start(config(10)).await.expect("c"),
    );
    let ta = query(&a.base_url(), key, "company", body.clone()).await.2;
    let tb = query(&b.base_url(), key, "company", body.clone()).await.2;
    let tc = query(&c.base_url(), key, "company", body).await.2;
    assert_eq!(ta, tb, "one seed, one org, byte for byte");
    assert_ne!(ta, tc);
}

#[tokio::test]
async fn iso_date_variant_renders_dates_as_text() {
    let sim = gainsight_sim::start(SimConfig { dates: DateStyle::Iso, ..config(2) }).await.expect("start");
    let (_, v, _) = query(
        &sim.base_url(),
        Some(gainsight_sim::DEMO_ACCESS_KEY),
        "company",
        json!({"select": ["RenewalDate", "ModifiedDate"], "limit": 1}),
    )
    .await;
    let row = &v["data"]["records"][0];
    assert!(row["RenewalDate"].as_str().is_some_and(|d| d.len() == 10), "DATE as yyyy-MM-dd: {row}");
    assert!(row["ModifiedDate"].as_str().is_some_and(|d| d.ends_with('Z')), "DATETIME as ISO-8601: {row}");
}

#[test]
fn binary_prints_the_listening_line_first() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gainsight-sim"))
        .args(["--port", "0", "--companies", "5"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read");
    let _ = child.kill();
    let _ = child.wait();
    let rest = line.trim_end().strip_prefix("listening on http://127.0.0.1:").expect("exact first line");
    assert!(rest.parse::<u16>().is_ok_and(|p| p > 0), "{line}");
}
