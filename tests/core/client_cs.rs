//! The CS client against the simulator on a real socket: auth modes, paging, budgets, retries,
//! variants and discovery, proven with the simulator's counters.

use crate::common;

use futures_util::TryStreamExt;
use gainsight_sim::faults::{Fault, FaultRule};
use gainsight_sim::{EmptyStyle, M2mStyle, RateLimitStyle, RowsStyle, SimConfig, TokenBody};
use outpost::ErrorKind;
use outpost::gainsight::budget::CallWindow;
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
        .with_budget(Arc::new(CallWindow::new(1000, Duration::from_secs(1))))
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
        "30 rows at 7 a page: 7, then 6 new a page (each restarts at the last instant read), the fifth short"
    );

    sim.reset_counters();
    let spec = QuerySpec { page_size: 10, ..QuerySpec::new("company", &["Gsid"]) };
    assert_eq!(all_rows(&c, spec).await.expect("rows").len(), 30);
    assert_eq!(
        sim.counters().calls_to("query/company"),
        4,
        "10, then 9 new a page: 28 after three full pages, and a short fourth"
    );
}

#[tokio::test]
async fn a_respected_budget_never_meets_a_429() {
    let sim = gainsight_sim::start(SimConfig { rate_limit_per_window: 4, window_secs: 1, ..config(30) })
        .await
        .expect("sim");
    let c = client(&sim, key()).with_budget(Arc::new(CallWindow::new(3, Duration::from_secs(1))));
    let spec = QuerySpec { page_size: 4, ..QuerySpec::new("company", &["Gsid"]) };
    assert_eq!(all_rows(&c, spec).await.expect("rows").len(), 30);
    let counters = sim.counters();
    assert_eq!(counters.rate_limited, 0, "the shared budget keeps the client under the org's limit");
    // Each page after the first starts again at the last instant read (that row is read twice and
    // dropped), so pages bring 4 then 3 new rows: 4 + 3 × 8 = 28, and a short tenth page.
    assert_eq!(counters.calls_to("query/company"), 10);
}

#[tokio::test]
async fn transient_faults_are_retried_and_a_429_waits() {
    let style = RateLimitStyle { gs_2404_body: true, retry_after: true };
    let sim = gainsight_sim::start(SimConfig { rate_limit_style: style, ..config(12) }).await.expect("sim");
    // A budget window of 100 ms: only the 429's `Retry-After: 1` can make the client wait a second.
    let c = client(&sim, key()).with_budget(Arc::new(CallWindow::new(1000, Duration::from_millis(100))));
    let on = |fault, count| FaultRule {
        endpoint: "/v1/data/objects/query/company".into(),
        fault,
        count: Some(count),
        probability: None,
    };
    sim.add_fault(on(Fault::Status { status: 503, error_code: None }, 2));
    sim.add_fault(on(Fault::RateLimited, 1));
    sim.add_fault(on(Fault::ResetMidBody, 1));
    let started = std::time::Instant::now();
    let rows = all_rows(&c, QuerySpec::new("company", &["Gsid"])).await.expect("recovers");
    assert_eq!(rows.len(), 12);
    assert_eq!(sim.counters().calls_to("query/company"), 5, "four failures, then the page");
    assert_eq!(sim.counters().rate_limited, 1);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "the retry after the 429 waited for its Retry-After (1 s), not the short backoff: {:?}",
        started.elapsed()
    );

    sim.add_fault(on(Fault::TruncatedJson, 1));
    let e = all_rows(&c, QuerySpec::new("company", &["Gsid"])).await.expect_err("malformed reply");
    assert_eq!(e.kind, ErrorKind::BadResponse);
    sim.add_fault(on(Fault::Status { status: 400, error_code: Some("GSOBJ_1002".into()) }, 5));
    sim.reset_counters();
    let e = all_rows(&c, QuerySpec::new("company", &["Gsid"])).await.expect_err("rejected");
    assert_eq!(e.kind, ErrorKind::Rejected);
    assert_eq!(sim.counters().calls_to("query/company"), 1, "a request error is not retried");
}

/// A reply cut off mid-body every time: retried, then said as what it is (not "check this
/// computer's network": the server was reached).
#[tokio::test]
async fn a_reply_cut_off_mid_body_is_retried_then_said_as_such() {
    let sim = gainsight_sim::start(config(12)).await.expect("sim");
    let quick = RetryPolicy {
        max_retries: 2,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(20),
    };
    let c = client(&sim, key()).with_retry(quick);
    sim.add_fault(FaultRule {
        endpoint: String::new(),
        fault: Fault::ResetMidBody,
        count: None,
        probability: None,
    });
    let e = all_rows(&c, QuerySpec::new("company", &["Gsid"])).await.expect_err("always cut off");
    assert_eq!(e.kind, ErrorKind::ServerError, "{e:?}");
    assert!(e.message.contains("cut off in the middle of a reply"), "{}", e.message);
    assert!(e.hint.as_deref().is_some_and(|h| !h.contains("network")), "{e:?}");
    assert_eq!(sim.counters().calls_to("query/company"), 3, "the first try and two retries");
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
async fn m2m_reads_every_token_style() {
    for (style, first_token_calls) in [
        (M2mStyle { wrapped: false, body: TokenBody::Either }, 1),
        (M2mStyle { wrapped: true, body: TokenBody::Either }, 1),
        (M2mStyle { wrapped: false, body: TokenBody::FormOnly }, 1),
        // The form body is refused: one more call without a body, and that style is kept.
        (M2mStyle { wrapped: false, body: TokenBody::NoneOnly }, 2),
        (M2mStyle { wrapped: true, body: TokenBody::NoneOnly }, 2),
    ] {
        let sim = gainsight_sim::start(SimConfig { m2m: style, ..config(6) }).await.expect("sim");
        let c = client(&sim, m2m(gainsight_sim::DEMO_CLIENT_SECRET));
        c.test_connection().await.unwrap_or_else(|e| panic!("{style:?}: {e:?}"));
        let rows = all_rows(&c, QuerySpec::new("company", &["Gsid"])).await.expect("rows with the token");
        assert_eq!(rows.len(), 6, "{style:?}");
        assert_eq!(sim.counters().calls_to("m2m/oauth/token"), first_token_calls, "{style:?}");
        assert_eq!(sim.counters().unauthorized, 0, "{style:?}: the bearer token was accepted");

        // A rejected token is renewed in the style that worked, in one call.
        sim.add_fault(FaultRule {
            endpoint: "/v1/data/objects/query".into(),
            fault: Fault::Status { status: 401, error_code: Some("GS_APIG_2401".into()) },
            count: Some(1),
            probability: None,
        });
        c.test_connection().await.unwrap_or_else(|e| panic!("{style:?} renewal: {e:?}"));
        assert_eq!(sim.counters().calls_to("m2m/oauth/token"), first_token_calls + 1, "{style:?}");
    }

    // A wrong secret is a bad key in either body style, and is not retried in the other style.
    let sim = gainsight_sim::start(SimConfig {
        m2m: M2mStyle { wrapped: true, body: TokenBody::NoneOnly },
        ..config(3)
    })
    .await
    .expect("sim");
    let e = client(&sim, m2m("wrong-secret")).test_connection().await.expect_err("bad secret");
    assert_eq!(e.kind, ErrorKind::InvalidKey, "{e:?}");
    assert_eq!(sim.counters().calls_to("m2m/oauth/token"), 1, "a 401 is not a request-style problem");
}

#[tokio::test]
async fn error_codes_are_judged_before_the_status_and_proxy_replies_by_status() {
    let sim = gainsight_sim::start(config(4)).await.expect("sim");
    let on = |fault| FaultRule {
        endpoint: "/v1/data/objects/query/company".into(),
        fault,
        count: Some(1),
        probability: None,
    };
    let raw = |status: u16, content_type: &str, body: &str| Fault::Raw {
        status,
        content_type: content_type.into(),
        body: body.into(),
    };
    let c = client(&sim, key());

    for status in [401, 403] {
        sim.add_fault(on(Fault::Status { status, error_code: Some("GS_APIG_2402".into()) }));
        let e = c.test_connection().await.expect_err("allow-list");
        assert_eq!(e.kind, ErrorKind::IpNotAllowed, "GS_APIG_2402 on a {status} is the allow-list: {e:?}");
        assert_eq!((e.status, e.error_code.as_deref()), (Some(status), Some("GS_APIG_2402")));
    }
    // With M2M, an allow-list refusal is not a stale token: no renewal is attempted.
    let bearer = client(&sim, m2m(gainsight_sim::DEMO_CLIENT_SECRET));
    bearer.test_connection().await.expect("m2m");
    sim.add_fault(on(Fault::Status { status: 401, error_code: Some("GS_APIG_2402".into()) }));
    assert_eq!(bearer.test_connection().await.expect_err("allow-list").kind, ErrorKind::IpNotAllowed);
    assert_eq!(sim.counters().calls_to("m2m/oauth/token"), 1, "the token was kept");

    sim.add_fault(on(raw(401, "text/plain", "Unauthorized")));
    let e = c.test_connection().await.expect_err("plain 401");
    assert_eq!(e.kind, ErrorKind::InvalidKey, "a plain-text 401 is still a refused key: {e:?}");
    sim.add_fault(on(raw(401, "application/json", "")));
    assert_eq!(c.test_connection().await.expect_err("empty 401").kind, ErrorKind::InvalidKey);
    sim.add_fault(on(raw(403, "text/plain", "Forbidden")));
    let e = c.test_connection().await.expect_err("plain 403");
    assert_eq!(e.kind, ErrorKind::Forbidden, "a plain-text 403 is a permission problem: {e:?}");
    c.test_connection().await.expect("each fault was for one call");
}

#[tokio::test]
async fn a_gateway_error_page_is_a_server_error_and_is_retried() {
    let sim = gainsight_sim::start(config(9)).await.expect("sim");
    let c = client(&sim, key());
    let page = |status: u16| FaultRule {
        endpoint: "/v1/data/objects/query/company".into(),
        fault: Fault::Raw {
            status,
            content_type: "text/html".into(),
            body: format!("<html><body><h1>{status} Bad Gateway</h1></body></html>"),
        },
        count: Some(1),
        probability: None,
    };
    sim.add_fault(page(502));
    sim.add_fault(page(503));
    let rows = all_rows(&c, QuerySpec::new("company", &["Gsid"])).await.expect("retried past the gateway");
    assert_eq!(rows.len(), 9);
    assert_eq!(sim.counters().calls_to("query/company"), 3, "two gateway pages, then the rows");

    sim.add_fault(page(504));
    let e = c.test_connection().await.expect_err("a gateway page");
    assert_eq!(e.kind, ErrorKind::ServerError, "an HTML 5xx is the server failing, not the address: {e:?}");
    assert_eq!(e.status, Some(504));
    sim.add_fault(FaultRule {
        endpoint: "/v1/data/objects/query/company".into(),
        fault: Fault::Raw {
            status: 404,
            content_type: "text/html".into(),
            body: "<html>Not Found</html>".into(),
        },
        count: Some(1),
        probability: None,
    });
    let e = c.test_connection().await.expect_err("an HTML 404");
    assert_eq!(e.kind, ErrorKind::WrongInstance, "an HTML 404 still means the wrong address: {e:?}");
}

#[tokio::test]
async fn a_query_past_its_page_cap_fails_loudly() {
    let sim = gainsight_sim::start(config(12)).await.expect("sim");
    let c = client(&sim, key());
    let spec = QuerySpec { page_size: 2, page_cap: 2, ..QuerySpec::new("company", &["Gsid"]) };
    let e = all_rows(&c, spec).await.expect_err("12 rows at 2 a page need more than 2 pages");
    assert_eq!(e.kind, ErrorKind::BadResponse, "{e:?}");
    assert!(e.message.contains("more than 2"), "the message names the cap: {}", e.message);
    assert_eq!(sim.counters().calls_to("query/company"), 2, "no call past the cap");
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

/// Rows modified while a query is paged move to its end. With a growing offset every row after a
/// moved one shifts left and one unmodified row falls between two pages, lost for good; paging by
/// key reads every row, each once.
#[tokio::test]
async fn keyset_paging_reads_every_row_while_rows_move() {
    let sim = gainsight_sim::start(config(30)).await.expect("sim");
    let c = client(&sim, key());
    let everyone: std::collections::BTreeSet<String> = all_rows(&c, QuerySpec::new("company", &["Gsid"]))
        .await
        .expect("all companies")
        .iter()
        .filter_map(|r| r["Gsid"].as_str().map(str::to_string))
        .collect();
    assert_eq!(everyone.len(), 30);

    let spec = QuerySpec { page_size: 5, ..QuerySpec::new("company", &["Gsid", "Name"]) };
    let pages = query_pages(&c, spec);
    futures_util::pin_mut!(pages);
    let first = pages.try_next().await.expect("page 1").expect("a first page");
    let read_first: Vec<String> =
        first.iter().filter_map(|r| r["Gsid"].as_str().map(str::to_string)).collect();
    // Most of the org changes after the first page, including rows already read.
    let moved = sim.modify("company", 20);
    assert!(moved.iter().any(|m| read_first.contains(m)), "the test needs a row of page 1 to move");

    let mut ids: Vec<String> = read_first;
    while let Some(page) = pages.try_next().await.expect("next page") {
        ids.extend(page.iter().filter_map(|r| r["Gsid"].as_str().map(str::to_string)));
    }
    let unique: std::collections::BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(unique.len(), ids.len(), "each row once: a row read again after it moved is dropped");
    let missing: Vec<&String> = everyone.difference(&unique).collect();
    assert!(missing.is_empty(), "rows never read: {missing:?}");
}
