//! The CS client against the simulator on a real socket: auth modes, paging, budgets, retries,
//! variants and discovery, proven with the simulator's counters.

mod common;

use futures_util::TryStreamExt;
use gainsight_sim::faults::{Fault, FaultRule};
use gainsight_sim::{EmptyStyle, RowsStyle, SimConfig};
use outpost::ErrorKind;
use outpost::gainsight::budget::FixedWindow;
use outpost::gainsight::http::Timeouts;
use outpost::gainsight::paging::{QuerySpec, cockpit_pages, query_pages};
use outpost::gainsight::retry::RetryPolicy;
use outpost::gainsight::{CsAuth, CsClient, normalize_instance_url};
use outpost::secret::Secret;
use std::sync::Arc;
use std::time::Duration;

fn config(companies: usize) -> SimConfig {
    SimConfig { companies, anchor_day: Some(20_400), ..Default::default() }
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy { max_retries: 4, min_delay: Duration::from_millis(10), max_delay: Duration::from_millis(50) }
}

fn client(sim: &gainsight_sim::RunningSim, auth: CsAuth) -> CsClient {
    let url = normalize_instance_url(&sim.base_url()).expect("url");
    CsClient::new(url, auth, Timeouts::default())
        .expect("client")
        .with_retry(fast_retry())
        .with_budget(Arc::new(FixedWindow::new(1000, Duration::from_secs(1))))
}

fn key() -> CsAuth {
    CsAuth::AccessKey(Secret::new(gainsight_sim::DEMO_ACCESS_KEY))
}

fn m2m(secret: &str) -> CsAuth {
    CsAuth::M2m { client_id: gainsight_sim::DEMO_CLIENT_ID.into(), client_secret: Secret::new(secret) }
}

async fn all_rows(
    c: &CsClient,
    spec: QuerySpec,
) -> Result<Vec<outpost::gainsight::paging::Record>, outpost::gainsight::ApiError> {
    let pages: Vec<_> = query_pages(c, spec).try_collect().await?;
    Ok(pages.into_iter().flatten().collect())
}

#[tokio::test]
async fn paging_spends_the_minimal_number_of_calls() {
    let sim = gainsight_sim::start(config(30)).await.expect("sim");
    let c = client(&sim, key());
    let spec = QuerySpec { page_size: 7, ..QuerySpec::new("company", &["Gsid", "Name"]) };
    let rows = all_rows(&c, spec).await.expect("rows");
    assert_eq!(rows.len(), 30);
    assert_eq!(
        sim.counters().calls_to("query/company"),
        5,
        "30 rows at 7 a page is 5 calls, the last one short"
    );

    sim.reset_counters();
    let spec = QuerySpec { page_size: 10, ..QuerySpec::new("company", &["Gsid"]) };
    assert_eq!(all_rows(&c, spec).await.expect("rows").len(), 30);
    assert_eq!(sim.counters().calls_to("query/company"), 4, "an exact multiple needs one empty page to end");
}

#[tokio::test]
async fn a_respected_budget_never_meets_a_429() {
    let sim = gainsight_sim::start(SimConfig { rate_limit_per_window: 4, window_secs: 1, ..config(30) })
        .await
        .expect("sim");
    let c = client(&sim, key()).with_budget(Arc::new(FixedWindow::new(3, Duration::from_secs(1))));
    let spec = QuerySpec { page_size: 4, ..QuerySpec::new("company", &["Gsid"]) };
    assert_eq!(all_rows(&c, spec).await.expect("rows").len(), 30);
    let counters = sim.counters();
    assert_eq!(counters.rate_limited, 0, "the shared budget keeps the client under the org's limit");
    assert_eq!(counters.calls_to("query/company"), 8);
}

#[tokio::test]
async fn transient_faults_are_retried_and_a_429_waits() {
    let sim = gainsight_sim::start(config(12)).await.expect("sim");
    let c = client(&sim, key());
    let on = |fault, count| FaultRule {
        endpoint: "/v1/data/objects/query/company".into(),
        fault,
        count: Some(count),
        probability: None,
    };
    sim.add_fault(on(Fault::Status { status: 503, error_code: None }, 2));
    sim.add_fault(on(Fault::RateLimited, 1));
    sim.add_fault(on(Fault::ResetMidBody, 1));
    let rows = all_rows(&c, QuerySpec::new("company", &["Gsid"])).await.expect("recovers");
    assert_eq!(rows.len(), 12);
    assert_eq!(sim.counters().calls_to("query/company"), 5, "four failures, then the page");

    sim.add_fault(on(Fault::TruncatedJson, 1));
    let e = all_rows(&c, QuerySpec::new("company", &["Gsid"])).await.expect_err("malformed reply");
    assert_eq!(e.kind, ErrorKind::BadResponse);
    sim.add_fault(on(Fault::Status { status: 400, error_code: Some("GSOBJ_1002".into()) }, 5));
    sim.reset_counters();
    let e = all_rows(&c, QuerySpec::new("company", &["Gsid"])).await.expect_err("rejected");
    assert_eq!(e.kind, ErrorKind::Rejected);
    assert_eq!(sim.counters().calls_to("query/company"), 1, "a request error is not retried");
}

#[tokio::test]
async fn m2m_token_is_reused_renewed_on_401_and_bad_secrets_are_invalid_keys() {
    let sim = gainsight_sim::start(config(5)).await.expect("sim");
    let c = client(&sim, m2m(gainsight_sim::DEMO_CLIENT_SECRET));
    c.test_connection().await.expect("m2m works");
    c.test_connection().await.expect("again");
    assert_eq!(sim.counters().calls_to("m2m/oauth/token"), 1, "one token for many calls");

    sim.add_fault(FaultRule {
        endpoint: "/v1/data/objects/query".into(),
        fault: Fault::Status { status: 401, error_code: Some("GS_APIG_2401".into()) },
        count: Some(1),
        probability: None,
    });
    c.test_connection().await.expect("a rejected token is renewed once");
    assert_eq!(sim.counters().calls_to("m2m/oauth/token"), 2);

    let bad = client(&sim, m2m("wrong-secret"));
    let e = bad.test_connection().await.expect_err("bad secret");
    assert_eq!(e.kind, ErrorKind::InvalidKey);
    assert!(e.message.contains("client id or secret"));
}

#[tokio::test]
async fn m2m_token_is_renewed_before_it_expires() {
    let sim = gainsight_sim::start(SimConfig { token_ttl_secs: 61, ..config(5) }).await.expect("sim");
    let c = client(&sim, m2m(gainsight_sim::DEMO_CLIENT_SECRET));
    c.test_connection().await.expect("first");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    c.test_connection().await.expect("second");
    assert_eq!(
        sim.counters().calls_to("m2m/oauth/token"),
        2,
        "a token within a minute of expiry is replaced"
    );
    assert_eq!(sim.counters().unauthorized, 0, "renewed before the server refused it");
}

#[tokio::test]
async fn row_and_empty_variants_read_the_same() {
    for cfg in [
        SimConfig { rows: RowsStyle::BareList, ..config(9) },
        SimConfig { empty: EmptyStyle::NoDataFound, ..config(9) },
        SimConfig { empty: EmptyStyle::Gsobj1011, ..config(9) },
        SimConfig { dates: gainsight_sim::DateStyle::Iso, ..config(9) },
    ] {
        let sim = gainsight_sim::start(cfg).await.expect("sim");
        let c = client(&sim, key());
        let rows =
            all_rows(&c, QuerySpec { page_size: 3, ..QuerySpec::new("company", &["Gsid", "RenewalDate"]) })
                .await;
        let rows = rows.expect("every variant reads");
        assert_eq!(rows.len(), 9);
        assert!(rows.iter().all(|r| outpost::gainsight::dates::parse_date(&r["RenewalDate"]).is_some()));
        let none = QuerySpec {
            filter: Some(
                serde_json::json!({"conditions": [{"name": "Name", "alias": "A", "value": ["nobody"], "operator": "EQ"}]}),
            ),
            ..QuerySpec::new("company", &["Gsid"])
        };
        assert!(all_rows(&c, none).await.expect("an empty result is not an error").is_empty());
    }
}

#[tokio::test]
async fn cockpit_pages_and_discovery() {
    let sim = gainsight_sim::start(config(8)).await.expect("sim");
    let c = client(&sim, key());
    let total = all_rows(&c, QuerySpec::new("call_to_action", &["Gsid"])).await.expect("ctas").len();
    let pages: Vec<_> = cockpit_pages(&c, "/v2/cockpit/cta/list", vec!["Gsid".into()], None, 25)
        .try_collect()
        .await
        .expect("cockpit");
    assert_eq!(pages.iter().map(Vec::len).sum::<usize>(), total);
    let list = c.meta("/v1/meta/services/objects/list?po=company&em=false").await.expect("list");
    let names: Vec<String> =
        list.records().iter().filter_map(|o| o["objectName"].as_str().map(str::to_lowercase)).collect();
    assert!(
        names.iter().any(|n| n.contains("scorecard") && n.contains("fact")),
        "fact object is discoverable"
    );
}

#[tokio::test]
async fn a_slow_server_is_a_timeout_and_an_allow_list_refusal_is_ip_not_allowed() {
    let sim = gainsight_sim::start(config(3)).await.expect("sim");
    let url = normalize_instance_url(&sim.base_url()).expect("url");
    let quick = Timeouts { connect: Duration::from_secs(2), total: Duration::from_millis(300) };
    let c = CsClient::new(url, key(), quick).expect("client");
    let on = |fault| FaultRule {
        endpoint: "/v1/data/objects/query/company".into(),
        fault,
        count: Some(1),
        probability: None,
    };
    sim.add_fault(on(Fault::Latency { ms: 1500 }));
    let e = c.test_connection().await.expect_err("too slow");
    assert_eq!(e.kind, ErrorKind::Timeout, "{e:?}");

    sim.add_fault(on(Fault::Status { status: 200, error_code: Some("GS_APIG_2402".into()) }));
    let e = c.test_connection().await.expect_err("not allowed");
    assert_eq!(e.kind, ErrorKind::IpNotAllowed, "{e:?}");
    assert!(e.hint.is_some_and(|h| h.contains("allow-list")), "the hint says what to ask for");

    sim.add_fault(on(Fault::Status { status: 404, error_code: Some("GS_APIG_1000".into()) }));
    assert_eq!(c.test_connection().await.expect_err("wrong domain").kind, ErrorKind::WrongInstance);
    sim.add_fault(on(Fault::HtmlPage));
    assert_eq!(c.test_connection().await.expect_err("html").kind, ErrorKind::WrongInstance);
    c.test_connection().await.expect("faults were for one call each");
}

#[tokio::test]
async fn requests_carry_json_accept_gzip_and_the_user_agent() {
    let srv = common::raw_server(common::http_reply(
        "200 OK",
        &[("Content-Type", "application/json")],
        r#"{"result":true,"data":{"records":[]}}"#,
    ))
    .await;
    let url = normalize_instance_url(&srv.url).expect("url");
    let c = CsClient::new(url, key(), Timeouts::default()).expect("client");
    c.test_connection().await.expect("ok");
    let seen = srv.seen.lock().expect("log").join("\n").to_ascii_lowercase();
    assert!(seen.contains("accept: application/json"), "{seen}");
    assert!(seen.contains("accept-encoding: gzip"), "{seen}");
    assert!(seen.contains("user-agent: outpost/"), "{seen}");
    assert!(seen.contains("accesskey: "), "the key goes in the Accesskey header");
}
