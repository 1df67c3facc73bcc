//! The API variants the simulator can produce: the M2M token endpoint's request and reply styles,
//! and every variant flag of the `gainsight-sim` binary, each checked on one reply.

use gainsight_sim::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, M2mStyle, SimConfig, TokenBody};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Reply {
    status: u16,
    json: Value,
    text: String,
    retry_after: Option<String>,
}

async fn send(req: reqwest::RequestBuilder) -> Reply {
    let resp = req.send().await.expect("the simulator answers");
    let status = resp.status().as_u16();
    let retry_after = resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_string);
    let text = resp.text().await.expect("a whole body");
    Reply { status, json: serde_json::from_str(&text).unwrap_or(Value::Null), text, retry_after }
}

/// A token request with the documented form body (`form: true`) or no body at all.
async fn token(base: &str, form: bool) -> Reply {
    let mut req = reqwest::Client::new()
        .post(format!("{base}/v1/users/m2m/oauth/token"))
        .basic_auth(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET));
    if form {
        req = req
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials");
    }
    send(req).await
}

async fn query(base: &str, key: &str, object: &str, body: Value) -> Reply {
    send(
        reqwest::Client::new()
            .post(format!("{base}/v1/data/objects/query/{object}"))
            .header("Accesskey", key)
            .json(&body),
    )
    .await
}

async fn bearer_works(base: &str, token: &str) -> bool {
    let r = send(
        reqwest::Client::new()
            .post(format!("{base}/v1/data/objects/query/company"))
            .bearer_auth(token)
            .json(&json!({"select": ["Gsid"], "limit": 1})),
    )
    .await;
    r.status == 200
}

#[tokio::test]
async fn the_token_endpoint_speaks_each_style() {
    let start = |m2m| gainsight_sim::start(SimConfig { m2m, companies: 5, ..Default::default() });

    let sim = start(M2mStyle::default()).await.expect("start");
    for form in [true, false] {
        let r = token(&sim.base_url(), form).await;
        assert_eq!(r.status, 200, "by default both request styles work (form: {form})");
        let t = r.json["access_token"].as_str().expect("a bare reply");
        assert!(bearer_works(&sim.base_url(), t).await);
    }
    let r = send(
        reqwest::Client::new()
            .post(format!("{}/v1/users/m2m/oauth/token", sim.base_url()))
            .basic_auth(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET))
            .body("grant_type=password"),
    )
    .await;
    assert_eq!((r.status, r.json["error"].as_str()), (400, Some("unsupported_grant_type")));

    let sim = start(M2mStyle { wrapped: true, body: TokenBody::Either }).await.expect("start");
    let r = token(&sim.base_url(), true).await;
    assert_eq!((r.status, r.json["result"].as_bool()), (200, Some(true)), "the CS envelope: {}", r.text);
    assert!(r.json.get("access_token").is_none(), "nothing at the top level");
    assert_eq!(r.json["data"]["token_type"], "Bearer");
    let t = r.json["data"]["access_token"].as_str().expect("the token inside data");
    assert!(bearer_works(&sim.base_url(), t).await);

    let sim = start(M2mStyle { wrapped: false, body: TokenBody::FormOnly }).await.expect("start");
    let r = token(&sim.base_url(), false).await;
    assert_eq!((r.status, r.json["error"].as_str()), (400, Some("invalid_request")), "a body is required");
    assert_eq!(token(&sim.base_url(), true).await.status, 200);

    let sim = start(M2mStyle { wrapped: false, body: TokenBody::NoneOnly }).await.expect("start");
    let r = token(&sim.base_url(), true).await;
    assert_eq!((r.status, r.json["error"].as_str()), (400, Some("invalid_request")), "no body allowed");
    assert_eq!(token(&sim.base_url(), false).await.status, 200);
}

#[test]
fn m2m_style_flag_values_parse() {
    assert_eq!(M2mStyle::parse(""), Ok(M2mStyle::default()));
    assert_eq!(
        M2mStyle::parse("wrapped, no-body"),
        Ok(M2mStyle { wrapped: true, body: TokenBody::NoneOnly })
    );
    assert_eq!(M2mStyle::parse("bare,form-body"), Ok(M2mStyle { wrapped: false, body: TokenBody::FormOnly }));
    assert!(M2mStyle::parse("wrapped,xml").is_err());
}

/// The binary, killed when the test ends (even by a failed assertion).
struct Running {
    child: Child,
    base: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gainsight-sim"))
        .args(["--port", "0", "--companies", "8", "--anchor-date", "2025-11-10"])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("first line");
    let base = line.trim().strip_prefix("listening on ").expect("the listening line").to_string();
    Running { child, base }
}

#[tokio::test]
async fn every_variant_flag_of_the_binary_shows_in_a_reply() {
    let sim = spawn(&[
        "--cs-access-key",
        "flag-key",
        "--bare-list",
        "--iso-dates",
        "--empty-style",
        "no-data-found",
        "--plain-429",
        "--retry-after",
        "--rate-limit-per-min",
        "6",
        "--scorecard-objects",
        "acme_fact__gc,acme_history__gc",
        "--m2m-style",
        "wrapped,no-body",
        "--px-api-key",
        "eu-rw-key@eu:rw",
        "--px-api-key",
        "us-write-key:w",
    ]);
    let base = sim.base.as_str();

    let r = query(base, "flag-key", "company", json!({"select": ["Gsid", "RenewalDate"], "limit": 2})).await;
    let rows = r.json["data"].as_array().expect("--bare-list: rows directly in data");
    assert_eq!(rows.len(), 2);
    assert!(
        rows[0]["RenewalDate"].as_str().is_some_and(|d| d.len() == 10),
        "--iso-dates: a DATE as yyyy-MM-dd: {}",
        r.text
    );

    let none = json!({"select": ["Gsid"], "where": {"conditions": [
        {"name": "Name", "alias": "A", "value": ["nobody"], "operator": "EQ"}]}});
    let r = query(base, "flag-key", "company", none).await;
    assert_eq!((r.status, r.json["result"].as_bool()), (200, Some(false)), "--empty-style no-data-found");
    assert!(r.json["errorDesc"].as_str().is_some_and(|d| d.contains("No data found")));

    let r = query(base, "flag-key", "acme_fact__gc", json!({"select": ["Gsid"], "limit": 1})).await;
    assert_eq!(r.status, 200, "--scorecard-objects: the fact object under its org name: {}", r.text);
    let r = query(base, "flag-key", "company_scorecard_fact", json!({"select": ["Gsid"]})).await;
    assert_eq!(r.json["errorCode"], "OBJECT_NOT_FOUND", "and not under the default name");

    let r = token(base, true).await;
    assert_eq!(r.status, 400, "--m2m-style no-body refuses the form body");
    let r = token(base, false).await;
    assert!(r.json["data"]["access_token"].is_string(), "--m2m-style wrapped: {}", r.text);

    let px = |path: &'static str, key: &'static str| {
        send(reqwest::Client::new().get(format!("{base}{path}")).header("X-APTRINSIC-API-KEY", key))
    };
    assert_eq!(
        px("/px/eu/v1/admin/subscription", "eu-rw-key").await.status,
        200,
        "KEY@eu:rw reads in the EU"
    );
    assert_eq!(px("/px/us/v1/admin/subscription", "eu-rw-key").await.status, 401, "only in the EU");
    assert_eq!(px("/px/us/v1/admin/subscription", "us-write-key").await.status, 403, "KEY:w cannot read");
    let demo = gainsight_sim::DEMO_PX_API_KEY;
    assert_eq!(px("/px/us/v1/admin/subscription", demo).await.status, 401, "given keys replace the demo key");

    // Six CS calls a minute, and the calls above made six (token calls count too): a 429 comes
    // at once, or within six more calls if a minute boundary passed meanwhile.
    let mut limited = None;
    for _ in 0..10 {
        let r = query(base, "flag-key", "company", json!({"select": ["Gsid"], "limit": 1})).await;
        if r.status == 429 {
            limited = Some(r);
            break;
        }
    }
    let r = limited.expect("--rate-limit-per-min 6 gives a 429");
    assert!(r.text.is_empty(), "--plain-429: no GS_APIG_2404 body: {}", r.text);
    let after = r.retry_after.expect("--retry-after: the header is set");
    assert!(
        after.parse::<u64>().is_ok_and(|s| (1..=60).contains(&s)),
        "seconds to the window's end: {after}"
    );
}
