//! The PX client against the simulator on a real socket: keys per region and permission, region
//! detection, both paging families and their caps, event windows, retries, and replies from hosts
//! that are not PX (HTML, redirects), proven with the simulator's counters.

use crate::common;

use common::{http_reply, raw_server};
use futures_util::TryStreamExt;
use gainsight_sim::faults::{Fault, FaultRule};
use gainsight_sim::{DEMO_PX_API_KEY, PxKey, Region, RunningSim, SimConfig};
use outpost::ErrorKind;
use outpost::gainsight::ApiError;
use outpost::gainsight::http::{DnsProbe, Timeouts};
use outpost::gainsight::paging::Record;
use outpost::gainsight::px::{
    MAX_ENGAGEMENT_PAGE, MAX_FEATURE_PAGE, MAX_SCROLL_PAGE, PxClient, PxEndpoints, PxRegion, classify_px,
    detect_region, event_windows,
};
use outpost::gainsight::response::RawReply;
use outpost::gainsight::retry::RetryPolicy;
use outpost::secret::Secret;
use serde_json::Value;
use std::collections::HashSet;
use std::time::{Duration, Instant};
use url::Url;

const EU_KEY: &str = "eu-px-read-key-1111";
const US2_KEY: &str = "us2-px-read-key-2222";
const US_NO_READ_KEY: &str = "us-px-write-only-key-3333";
const EU_NO_READ_KEY: &str = "eu-px-write-only-key-4444";
const DAY: i64 = 86_400_000;
/// The simulator's "now": noon of anchor day 20,400.
const NOW: i64 = 20_400 * DAY + 12 * 3_600_000;

fn config() -> SimConfig {
    let mut keys = SimConfig::default().px_keys;
    let key = |key: &str, region, read| PxKey { key: key.into(), region, read, write: true };
    keys.push(key(EU_KEY, Region::Eu, true));
    keys.push(key(US2_KEY, Region::Us2, true));
    keys.push(key(US_NO_READ_KEY, Region::Us, false));
    keys.push(key(EU_NO_READ_KEY, Region::Eu, false));
    SimConfig { anchor_day: Some(20_400), px_keys: keys, ..Default::default() }
}

async fn sim() -> RunningSim {
    gainsight_sim::start(config()).await.expect("simulator starts on loopback")
}

fn endpoints(sim: &RunningSim) -> PxEndpoints {
    PxEndpoints::simulator(&sim.base_url()).expect("the simulator's base URL parses")
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy { max_retries: 4, min_delay: Duration::from_millis(10), max_delay: Duration::from_millis(50) }
}

fn client_at(base: Url, key: &str) -> PxClient {
    PxClient::new(base, Secret::new(key), Timeouts::default())
        .expect("a loopback http base is allowed")
        .with_retry(fast_retry())
}

fn client(sim: &RunningSim, region: PxRegion, key: &str) -> PxClient {
    client_at(endpoints(sim).base(region).clone(), key)
}

fn us(sim: &RunningSim) -> PxClient {
    client(sim, PxRegion::Us, DEMO_PX_API_KEY)
}

/// Paging that never stops would otherwise run into the client's 100,000-page cap: fail fast.
async fn ends<T>(paging: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), paging).await.expect("paging ends within 30 s")
}

async fn scroll_all(
    c: &PxClient,
    path: &str,
    list_key: &str,
    size: usize,
    params: Vec<(&str, String)>,
) -> Result<Vec<Record>, ApiError> {
    let pages: Vec<Vec<Record>> = ends(c.scroll(path, list_key, size, params).try_collect()).await?;
    Ok(pages.into_iter().flatten().collect())
}

async fn numbered_all(
    c: &PxClient,
    path: &str,
    list_key: &str,
    size: usize,
    cap: usize,
) -> Result<Vec<Record>, ApiError> {
    let pages: Vec<Vec<Record>> = ends(c.numbered(path, list_key, size, cap).try_collect()).await?;
    Ok(pages.into_iter().flatten().collect())
}

/// A raw US GET (not through the client under test), for reference values such as `totalHits`.
async fn raw_us(sim: &RunningSim, path_and_query: &str) -> Value {
    let resp = reqwest::Client::new()
        .get(format!("{}/px/us/v1{path_and_query}", sim.base_url()))
        .header("X-APTRINSIC-API-KEY", DEMO_PX_API_KEY)
        .send()
        .await
        .expect("raw call reaches the simulator");
    assert_eq!(resp.status().as_u16(), 200, "the reference call {path_and_query} must succeed");
    resp.json().await.expect("reference reply is JSON")
}

async fn total_hits(sim: &RunningSim, path: &str) -> usize {
    let sep = if path.contains('?') { '&' } else { '?' };
    let v = raw_us(sim, &format!("{path}{sep}pageSize=1")).await;
    v["totalHits"].as_u64().expect("a scroll reply carries totalHits") as usize
}

fn ids(records: &[Record], field: &str) -> HashSet<String> {
    records.iter().filter_map(|r| r.get(field).and_then(Value::as_str).map(str::to_string)).collect()
}

/// Calls a scroll over `n` items at `size` a page must spend: every full page asks for one more,
/// so an exact multiple needs one empty page to end, otherwise the short page ends it.
fn scroll_calls(n: usize, size: usize) -> u64 {
    (n / size + 1) as u64
}

#[tokio::test]
async fn test_connection_names_the_subscription_in_every_region() {
    let sim = sim().await;
    for (region, key) in [(PxRegion::Us, DEMO_PX_API_KEY), (PxRegion::Eu, EU_KEY), (PxRegion::Us2, US2_KEY)] {
        sim.reset_counters();
        let sub = client(&sim, region, key)
            .test_connection()
            .await
            .unwrap_or_else(|e| panic!("a {} read key works in its own region: {e:?}", region.label()));
        assert_eq!(sub.name, "Outpost Demo", "the subscription's name is read from /admin/subscription");
        assert_eq!(
            sub.products,
            vec!["Outpost Demo Web App".to_string(), "Outpost Demo Mobile".to_string()],
            "product names are read from products[].name"
        );
        assert!(!sub.id.is_empty(), "the subscription id is reported");
        let prefix = format!("/px/{}/v1/admin/subscription", region.label().to_ascii_lowercase());
        assert_eq!(sim.counters().calls_to(&prefix), 1, "a connection test is one call to {prefix}");
        assert_eq!(sim.counters().total_calls(), 1, "and no call anywhere else");
    }
}

#[tokio::test]
async fn bad_keys_and_wrong_bases_are_classified() {
    let sim = sim().await;

    let e = client(&sim, PxRegion::Us, "not-a-px-key").test_connection().await.expect_err("unknown key");
    assert_eq!(e.kind, ErrorKind::InvalidKey, "a 401 means the key is wrong: {e:?}");
    assert_eq!(e.status, Some(401), "the status is kept for diagnostics");
    assert!(
        e.hint.as_deref().is_some_and(|h| h.contains("region")),
        "the hint mentions that keys are per region: {e:?}"
    );
    assert!(!e.message.contains("not-a-px-key"), "the key never appears in messages");

    let e = client(&sim, PxRegion::Us, EU_KEY).test_connection().await.expect_err("EU key on US");
    assert_eq!(e.kind, ErrorKind::InvalidKey, "an EU key is unknown to the US data centre: {e:?}");
    assert_eq!(sim.counters().unauthorized, 2, "both calls above reached the key check and failed it");

    let e = client(&sim, PxRegion::Us, US_NO_READ_KEY).test_connection().await.expect_err("no read");
    assert_eq!(e.kind, ErrorKind::Forbidden, "a known key without Read is a permission problem: {e:?}");
    assert_eq!(e.status, Some(403));

    // The CS root instead of a PX base: the sim answers its CS 404 envelope.
    let cs_root = Url::parse(&sim.base_url()).expect("sim url");
    let e = client_at(cs_root, DEMO_PX_API_KEY).test_connection().await.expect_err("CS root is not PX");
    assert_eq!(e.kind, ErrorKind::WrongInstance, "a 404 for /admin/subscription means not PX: {e:?}");
    assert_eq!(e.status, Some(404));

    // A region the service does not have.
    let apac = Url::parse(&format!("{}/px/apac/v1", sim.base_url())).expect("url");
    let e = client_at(apac, DEMO_PX_API_KEY).test_connection().await.expect_err("no such region");
    assert_eq!(e.kind, ErrorKind::WrongInstance, "an unknown region prefix is a wrong address: {e:?}");

    // Plain http is refused for anything but loopback, before any call.
    let e = PxClient::new(
        Url::parse("http://api.aptrinsic.com/v1").expect("url"),
        Secret::new(DEMO_PX_API_KEY),
        Timeouts::default(),
    )
    .err()
    .expect("http to a public host must be refused");
    assert_eq!(e.kind, ErrorKind::InvalidInput, "the key must not travel in clear text: {e:?}");
}

#[tokio::test]
async fn detect_region_stops_at_the_first_region_that_accepts() {
    let sim = sim().await;
    let eps = endpoints(&sim);
    let t = Timeouts::default();
    let sub_calls =
        |sim: &RunningSim, r: &str| sim.counters().calls_to(&format!("/px/{r}/v1/admin/subscription"));

    let (region, sub) =
        detect_region(&eps, &Secret::new(DEMO_PX_API_KEY), t, DnsProbe::default()).await.expect("US key");
    assert_eq!(region, PxRegion::Us, "the demo key belongs to the US data centre");
    assert_eq!(sub.name, "Outpost Demo");
    assert_eq!(sim.counters().total_calls(), 1, "US is tried first, so a US key costs one call");

    sim.reset_counters();
    let (region, sub) =
        detect_region(&eps, &Secret::new(EU_KEY), t, DnsProbe::default()).await.expect("EU key");
    assert_eq!(region, PxRegion::Eu, "an EU key is found in the EU");
    assert_eq!(sub.name, "Outpost Demo");
    assert_eq!(
        (sub_calls(&sim, "us"), sub_calls(&sim, "eu"), sub_calls(&sim, "us2")),
        (1, 1, 0),
        "US refuses, EU accepts, and US2 is never asked"
    );
    assert_eq!(sim.counters().total_calls(), 2, "nothing else is called, and nothing is retried");

    sim.reset_counters();
    let (region, _) =
        detect_region(&eps, &Secret::new(US2_KEY), t, DnsProbe::default()).await.expect("US2 key");
    assert_eq!(region, PxRegion::Us2, "a US2 key is found in US2");
    assert_eq!(
        (sub_calls(&sim, "us"), sub_calls(&sim, "eu"), sub_calls(&sim, "us2")),
        (1, 1, 1),
        "one call per region, in order, until US2 accepts"
    );

    sim.reset_counters();
    let e = detect_region(&eps, &Secret::new("nobody-knows-this-key"), t, DnsProbe::default())
        .await
        .expect_err("no region");
    assert_eq!(e.kind, ErrorKind::InvalidKey, "a key no region accepts is an invalid key: {e:?}");
    assert!(
        e.message.contains("No PX region") && e.message.contains("EU"),
        "the message says every region was tried: {}",
        e.message
    );
    assert!(
        e.hint.as_deref().is_some_and(|h| h.contains("REST API")),
        "the hint says where to copy a key from: {e:?}"
    );
    assert_eq!(sim.counters().total_calls(), 3, "each region is asked exactly once");
    assert_eq!(sim.counters().unauthorized, 3, "and each refused the key");

    // A key known in its region but without Read stops the search there with the real reason.
    sim.reset_counters();
    let e =
        detect_region(&eps, &Secret::new(EU_NO_READ_KEY), t, DnsProbe::default()).await.expect_err("no read");
    assert_eq!(e.kind, ErrorKind::Forbidden, "the key's region was found; it only lacks Read: {e:?}");
    assert_eq!(sim.counters().total_calls(), 2, "US refused, EU answered 403, US2 not asked");
}

#[tokio::test]
async fn scroll_collects_every_account_once_and_stops_on_a_short_page() {
    let sim = sim().await;
    let companies = SimConfig::default().companies;
    let c = us(&sim);

    for size in [7, 10] {
        sim.reset_counters();
        let accounts = scroll_all(&c, "/accounts", "accounts", size, Vec::new()).await.expect("accounts");
        assert_eq!(accounts.len(), companies, "one PX account per CS company, at page size {size}");
        assert_eq!(ids(&accounts, "id").len(), companies, "no account is repeated at page size {size}");
        assert_eq!(ids(&accounts, "gsId").len(), companies, "each account links a distinct CS company");
        assert_eq!(
            sim.counters().calls_to("/px/us/v1/accounts"),
            scroll_calls(companies, size),
            "{companies} accounts at {size} a page: stop on the first short page although scrollId stays set"
        );
    }
    assert_eq!(companies % 7, 1, "size 7 leaves a short last page (test precondition)");
    assert_eq!(companies % 10, 0, "size 10 needs one empty page to end (test precondition)");

    let users_total = total_hits(&sim, "/users").await;
    assert!(users_total > 100, "the demo org has hundreds of users: {users_total}");
    sim.reset_counters();
    let users = scroll_all(&c, "/users", "users", 100, Vec::new()).await.expect("users");
    assert_eq!(users.len(), users_total, "every user is collected");
    assert_eq!(ids(&users, "aptrinsicId").len(), users_total, "no user is repeated");
    assert_eq!(
        sim.counters().calls_to("/px/us/v1/users"),
        scroll_calls(users_total, 100),
        "{users_total} users at 100 a page"
    );

    // A page size over the cap is clamped, never a 400.
    sim.reset_counters();
    let users = scroll_all(&c, "/users", "users", 50_000, Vec::new()).await.expect("clamped page size");
    assert_eq!(users.len(), users_total);
    assert_eq!(sim.counters().calls_to("/px/us/v1/users"), scroll_calls(users_total, MAX_SCROLL_PAGE));
}

#[tokio::test]
async fn page_number_paging_clamps_to_the_cap_and_stops_on_is_last_page() {
    let sim = sim().await;
    let c = us(&sim);
    for (path, key, cap) in
        [("/feature", "features", MAX_FEATURE_PAGE), ("/engagement", "engagements", MAX_ENGAGEMENT_PAGE)]
    {
        let counted = format!("/px/us/v1{path}");
        let all = raw_us(&sim, &format!("{path}?pageSize={cap}")).await;
        let n = all[key].as_array().expect("list").len();
        assert!(n > 5 && n < cap, "{path}: a handful of items, one page at the cap ({n})");
        assert_eq!(all["isLastPage"], true);

        sim.reset_counters();
        let items = numbered_all(&c, path, key, cap * 10, cap).await.expect("a too-large size is clamped");
        assert_eq!(items.len(), n, "{path}: everything in one clamped page");
        assert_eq!(sim.counters().calls_to(&counted), 1, "{path}: isLastPage on page 0 ends the paging");

        // A full page that is the last one: only isLastPage can end it without an extra call.
        sim.reset_counters();
        let items = numbered_all(&c, path, key, n, cap).await.expect("exact page");
        assert_eq!(items.len(), n);
        assert_eq!(sim.counters().calls_to(&counted), 1, "{path}: a full last page is still the last");

        sim.reset_counters();
        let items = numbered_all(&c, path, key, 5, cap).await.expect("small pages");
        assert_eq!(ids(&items, "id").len(), n, "{path}: every item once over several pages");
        assert_eq!(
            sim.counters().calls_to(&counted),
            n.div_ceil(5) as u64,
            "{path}: pages 0.. until the last"
        );
    }
}

#[tokio::test]
async fn event_windows_keep_each_call_within_190_days_and_lose_nothing() {
    let sim = sim().await;
    let c = us(&sim);
    let (start, end) = (NOW - 400 * DAY, NOW);
    let windows = event_windows(start, end);
    assert_eq!(windows.len(), 3, "400 days need three windows of at most 190 days");
    assert!(windows.iter().all(|(a, b)| b - a <= 190 * DAY && a < b));

    let mut expected = 0;
    let mut busy = 0;
    for (a, b) in &windows {
        // The date filter, as the published description documents it for feature-match events.
        let n = total_hits(&sim, &format!("/events/feature_match?filter=date%3E%3D{a}%3Bdate%3C{b}")).await;
        expected += n;
        busy += usize::from(n > 0);
    }
    assert!(busy >= 2, "events fall in at least two windows, so the union is a real merge");

    sim.reset_counters();
    let size = 1000;
    let mut all = Vec::new();
    let mut calls = 0;
    for (a, b) in &windows {
        let params = vec![("filter", format!("date>={a};date<{b}"))];
        let events = scroll_all(&c, "/events/feature_match", "featureMatchEvents", size, params)
            .await
            .unwrap_or_else(|e| panic!("window {a}..{b} is within the limit: {e:?}"));
        for e in &events {
            let d = e.get("date").and_then(Value::as_i64).expect("event date");
            assert!((*a..*b).contains(&d), "an event of window {a}..{b} falls inside it: {d}");
        }
        calls += scroll_calls(events.len(), size);
        all.extend(events);
    }
    let counters = sim.counters();
    assert_eq!(all.len(), expected, "the windows' events add up to each window's totalHits");
    assert_eq!(ids(&all, "eventId").len(), all.len(), "adjacent windows share no event");
    assert_eq!(counters.calls_to("/events/feature_match"), calls, "each window stops on its short page");

    // The same range in one call is refused, and the reason reaches the admin.
    let params = vec![("filter", format!("date>={start};date<{end}"))];
    sim.reset_counters();
    let e = scroll_all(&c, "/events/feature_match", "featureMatchEvents", size, params)
        .await
        .expect_err("400 days in one call");
    assert_eq!(e.kind, ErrorKind::Rejected, "an over-long window is a request error: {e:?}");
    assert!(e.message.contains("Exceeded date range190days"), "PX's reason is kept: {}", e.message);
    assert_eq!(sim.counters().calls_to("/events/feature_match"), 1, "a 400 is not retried");
}

fn fault_on(endpoint: &str, fault: Fault, count: u32) -> FaultRule {
    FaultRule { endpoint: endpoint.into(), fault, count: Some(count), probability: None }
}

#[tokio::test]
async fn a_full_page_without_a_scroll_id_fails_loudly_and_a_short_one_ends() {
    let sim = sim().await;
    let companies = SimConfig::default().companies;
    let c = us(&sim);
    let accounts = "/px/us/v1/accounts";

    sim.add_fault(fault_on(accounts, Fault::NullScrollId, 1));
    let e = scroll_all(&c, "/accounts", "accounts", 10, Vec::new()).await.expect_err("cannot go on");
    assert_eq!(e.kind, ErrorKind::BadResponse, "a full page with nowhere to go is an error: {e:?}");
    assert!(e.message.contains("scrollId"), "the message says why: {}", e.message);
    assert_eq!(sim.counters().calls_to(accounts), 1, "and it is not retried");

    // Mid-scroll too: the first call passes untouched (a zero latency fault), the second full
    // page comes without a scroll id.
    sim.reset_counters();
    sim.add_fault(fault_on(accounts, Fault::Latency { ms: 0 }, 1));
    sim.add_fault(fault_on(accounts, Fault::NullScrollId, 1));
    let pages = c.scroll("/accounts", "accounts", 10, Vec::new());
    futures_util::pin_mut!(pages);
    let first = pages.try_next().await.expect("the first page is fine").expect("a first page");
    assert_eq!(first.len(), 10);
    let e = pages.try_next().await.expect_err("the second page cannot be continued");
    assert_eq!(e.kind, ErrorKind::BadResponse);
    assert_eq!(sim.counters().calls_to(accounts), 2);

    // A short page ends the scroll whatever its scrollId says.
    sim.reset_counters();
    sim.add_fault(fault_on(accounts, Fault::NullScrollId, 1));
    let all =
        scroll_all(&c, "/accounts", "accounts", MAX_SCROLL_PAGE, Vec::new()).await.expect("one short page");
    assert_eq!(all.len(), companies);
    assert_eq!(sim.counters().calls_to(accounts), 1);
}

#[tokio::test]
async fn a_gateway_error_page_is_retried() {
    let sim = sim().await;
    let companies = SimConfig::default().companies;
    let accounts = "/px/us/v1/accounts";
    let page = Fault::Raw {
        status: 503,
        content_type: "text/html; charset=utf-8".into(),
        body: "<html><body>503 Service Temporarily Unavailable</body></html>".into(),
    };
    sim.add_fault(fault_on(accounts, page, 2));
    let got = scroll_all(&us(&sim), "/accounts", "accounts", 1000, Vec::new()).await.expect("retried");
    assert_eq!(got.len(), companies);
    assert_eq!(sim.counters().calls_to(accounts), 3, "two gateway pages, then the accounts");
}

#[tokio::test]
async fn transient_failures_are_retried_and_auth_failures_are_not() {
    let sim = sim().await;
    let companies = SimConfig::default().companies;
    let c = us(&sim);
    let accounts = "/px/us/v1/accounts";

    sim.add_fault(fault_on(accounts, Fault::Status { status: 503, error_code: None }, 2));
    let got = scroll_all(&c, "/accounts", "accounts", 1000, Vec::new()).await.expect("503s are retried");
    assert_eq!(got.len(), companies);
    assert_eq!(sim.counters().calls_to(accounts), 3, "two 503s, then the page");

    sim.reset_counters();
    sim.add_fault(fault_on(accounts, Fault::RateLimited, 1));
    let started = Instant::now();
    let got = scroll_all(&c, "/accounts", "accounts", 1000, Vec::new()).await.expect("429 is retried");
    assert_eq!(got.len(), companies);
    assert_eq!(sim.counters().calls_to(accounts), 2, "one 429, then the page");
    assert_eq!(sim.counters().rate_limited, 1);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "a 429 without Retry-After waits for PX's one-second window, not just the short backoff"
    );

    sim.reset_counters();
    sim.add_fault(fault_on(accounts, Fault::ResetMidBody, 1));
    let got = scroll_all(&c, "/accounts", "accounts", 1000, Vec::new()).await.expect("reset is retried");
    assert_eq!(got.len(), companies);
    assert_eq!(sim.counters().calls_to(accounts), 2, "a dropped connection is tried again");

    // A 401 with a key that would work on the next try: retrying would hide a real key problem.
    sim.reset_counters();
    sim.add_fault(fault_on(accounts, Fault::Status { status: 401, error_code: None }, 1));
    let e = scroll_all(&c, "/accounts", "accounts", 1000, Vec::new()).await.expect_err("401 is final");
    assert_eq!(e.kind, ErrorKind::InvalidKey);
    assert_eq!(sim.counters().calls_to(accounts), 1, "a 401 is never retried");

    sim.reset_counters();
    let bad = client(&sim, PxRegion::Us, "wrong-key");
    let e = scroll_all(&bad, "/accounts", "accounts", 1000, Vec::new()).await.expect_err("wrong key");
    assert_eq!(e.kind, ErrorKind::InvalidKey);
    assert_eq!(sim.counters().calls_to(accounts), 1, "a wrong key costs one call");
    assert_eq!(sim.counters().unauthorized, 1);

    sim.reset_counters();
    let no_read = client(&sim, PxRegion::Us, US_NO_READ_KEY);
    let e = scroll_all(&no_read, "/accounts", "accounts", 1000, Vec::new()).await.expect_err("no read");
    assert_eq!(e.kind, ErrorKind::Forbidden);
    assert_eq!(sim.counters().calls_to(accounts), 1, "a 403 is never retried");
}

fn reply(status: u16, content_type: Option<&str>, body: &str) -> RawReply {
    RawReply {
        status,
        content_type: content_type.map(str::to_string),
        location: None,
        retry_after: None,
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn classify_px_judges_status_and_body() {
    let kind = |r: &RawReply| classify_px(r, "px.test").map_err(|e| e.kind);
    let page = "<!DOCTYPE html><html><body>Sign in</body></html>";

    assert_eq!(
        kind(&reply(200, Some("application/json"), r#"{"name":"x"}"#)).ok(),
        Some(serde_json::json!({"name": "x"})),
        "a JSON 200 is data"
    );
    assert_eq!(kind(&reply(200, Some("text/html"), page)).err(), Some(ErrorKind::WrongInstance));
    assert_eq!(
        kind(&reply(200, None, &format!("\n  {page}"))).err(),
        Some(ErrorKind::WrongInstance),
        "an HTML body is recognised without a content type, after leading whitespace"
    );
    assert_eq!(
        kind(&reply(200, Some("Text/HTML; charset=UTF-8"), "Please sign in.")).err(),
        Some(ErrorKind::WrongInstance),
        "media types are case-insensitive: an HTML page is not a broken PX reply"
    );
    assert_eq!(
        kind(&reply(401, Some("text/html"), page)).err(),
        Some(ErrorKind::WrongInstance),
        "a proxy's HTML 401 is not PX judging the key"
    );
    let gateway = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    for status in [500, 502, 503, 504] {
        assert_eq!(
            kind(&reply(status, Some("text/html"), gateway)).err(),
            Some(ErrorKind::ServerError),
            "a gateway's HTML {status} is a transient server error, not a wrong address"
        );
    }
    assert_eq!(
        kind(&reply(429, Some("text/html"), "<html>Too Many Requests</html>")).err(),
        Some(ErrorKind::RateLimited),
        "an HTML 429 is still a rate limit"
    );
    let mut redirect = reply(302, None, "");
    redirect.location = Some("https://login.example.com/".into());
    let e = classify_px(&redirect, "px.test").expect_err("a redirect is not data");
    assert_eq!((e.kind, e.status), (ErrorKind::WrongInstance, Some(302)));
    assert!(e.message.contains("not followed"), "the message says the redirect was not followed");

    assert_eq!(kind(&reply(401, None, "")).err(), Some(ErrorKind::InvalidKey));
    assert_eq!(kind(&reply(403, None, "")).err(), Some(ErrorKind::Forbidden));
    // One API this subscription lacks; only the subscription test reads a 404 as a wrong address.
    assert_eq!(kind(&reply(404, None, "")).err(), Some(ErrorKind::NotFound));
    assert_eq!(kind(&reply(500, None, "")).err(), Some(ErrorKind::ServerError));
    assert_eq!(kind(&reply(200, Some("application/json"), r#"{"a":"#)).err(), Some(ErrorKind::BadResponse));

    let mut limited = reply(429, None, "");
    limited.retry_after = Some(Duration::from_secs(3));
    let e = classify_px(&limited, "px.test").expect_err("429");
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert_eq!(e.retry_after, Some(Duration::from_secs(3)), "Retry-After is kept for the retry loop");

    let body = r#"{"externalapierror":{"status":"BAD_REQUEST","message":"Unknown field 'x' for accounts"}}"#;
    let e = classify_px(&reply(400, Some("application/json"), body), "px.test").expect_err("400");
    assert_eq!(e.kind, ErrorKind::Rejected);
    assert!(e.message.contains("Unknown field 'x'"), "PX's own reason is shown: {}", e.message);
}

#[tokio::test]
async fn redirects_are_never_followed_and_the_key_stays_put() {
    let target = raw_server(http_reply("200 OK", &[("Content-Type", "application/json")], "{}")).await;
    let location = format!("{}/px/us/v1/admin/subscription", target.url);
    let redirecting = raw_server(http_reply("302 Found", &[("Location", location.as_str())], "")).await;

    let base = Url::parse(&format!("{}/px/us/v1", redirecting.url)).expect("url");
    let e = client_at(base, DEMO_PX_API_KEY).test_connection().await.expect_err("a redirect");
    assert_eq!(e.kind, ErrorKind::WrongInstance, "a redirect means the address is not PX's: {e:?}");
    let seen = redirecting.seen.lock().expect("log").clone();
    assert_eq!(seen.len(), 1, "one request to the address given");
    assert!(seen[0].to_ascii_lowercase().contains("x-aptrinsic-api-key"), "the request carried the key");
    assert!(
        target.seen.lock().expect("log").is_empty(),
        "the redirect target never got a request (or the key)"
    );

    // The same from the simulator mid-scroll: not followed, and not retried.
    let sim = sim().await;
    let accounts = "/px/us/v1/accounts";
    sim.add_fault(fault_on(accounts, Fault::Redirect { location: target.url.clone() }, 1));
    let e = scroll_all(&us(&sim), "/accounts", "accounts", 10, Vec::new()).await.expect_err("redirect");
    assert_eq!(e.kind, ErrorKind::WrongInstance);
    assert_eq!(sim.counters().calls_to(accounts), 1, "a wrong address is not retried");
    assert!(target.seen.lock().expect("log").is_empty(), "the redirect target still saw nothing");

    sim.add_fault(fault_on("/px/us/v1/admin/subscription", Fault::HtmlPage, 1));
    let e = us(&sim).test_connection().await.expect_err("HTML");
    assert_eq!(e.kind, ErrorKind::WrongInstance, "a sign-in page is not PX: {e:?}");
}
