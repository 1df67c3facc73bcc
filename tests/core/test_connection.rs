//! The explaining connection test against the simulator and against hosts that are not Gainsight,
//! each on a real loopback socket. Every outcome maps to its own error kind.

use crate::common;

use common::*;
use outpost::ErrorKind;
use outpost::connections::{CsConnectInput, TestReport};
use outpost::gainsight::http::DnsProbe;
use outpost::vault::Vault;

fn input(url: &str, key: &str) -> CsConnectInput {
    CsConnectInput { name: "t".into(), description: None, instance_url: url.into(), access_key: key.into() }
}

async fn run(url: &str, key: &str) -> TestReport {
    let dir = tempfile::tempdir().expect("dir");
    let app = outpost::Outpost::open_with_vault(dir.path(), Vault::with_service("outpost-test-unused"))
        .expect("open");
    app.test_cs(&input(url, key)).await
}

fn kind(r: &TestReport) -> Option<ErrorKind> {
    r.error.as_ref().map(|e| e.kind)
}

#[tokio::test]
async fn ok_with_the_right_key_in_one_call() {
    let sim = sim().await;
    let r = run(&sim.base_url(), gainsight_sim::DEMO_ACCESS_KEY).await;
    assert!(r.ok, "expected success, got {:?}", r.error);
    assert_eq!(r.instance.as_deref(), Some(sim.base_url().trim_start_matches("http://")));
    assert_eq!(sim.counters().total_calls(), 1, "a connection test is one call");
}

#[tokio::test]
async fn wrong_key_is_invalid_key_with_a_hint() {
    let sim = sim().await;
    let r = run(&sim.base_url(), "not-the-key-1234567890").await;
    assert_eq!(kind(&r), Some(ErrorKind::InvalidKey));
    let e = r.error.expect("error");
    assert!(e.hint.is_some_and(|h| h.contains("Re-Generate")), "the hint explains key rotation");
    assert!(!e.message.contains("not-the-key"), "the key never appears in messages");
    assert_eq!(sim.counters().unauthorized, 1);
}

#[tokio::test]
async fn nothing_listening_is_offline() {
    let r = run(&dead_url(), "some-key-123456").await;
    assert_eq!(kind(&r), Some(ErrorKind::Offline), "{:?}", r.error);
}

/// The connection test with DNS checked by looking up `probe` (real lookups on this computer).
async fn run_with_probe(url: &str, probe: &'static [&'static str]) -> TestReport {
    let dir = tempfile::tempdir().expect("dir");
    let app = outpost::Outpost::open_with_vault(dir.path(), Vault::with_service("outpost-test-unused"))
        .expect("open")
        .with_dns_probe(DnsProbe::with_names(probe));
    app.test_cs(&input(url, "some-key-123456")).await
}

#[tokio::test]
async fn a_name_that_does_not_resolve_while_others_do_is_the_wrong_instance() {
    // `.invalid` never resolves (RFC 2606), on any network; `localhost` always does.
    let r = run_with_probe("https://acme.invalid", &["localhost"]).await;
    assert_eq!(kind(&r), Some(ErrorKind::WrongInstance), "{:?}", r.error);
    let e = r.error.expect("error");
    assert!(e.message.contains("No server named acme.invalid"), "the message names the host: {}", e.message);
    assert!(
        e.hint.is_some_and(|h| h.contains("address you open Gainsight at")),
        "the hint says which address to use"
    );
}

#[tokio::test]
async fn a_name_that_does_not_resolve_when_nothing_resolves_is_offline() {
    // As on a laptop without network: the instance and the well-known names all fail to resolve.
    let r = run_with_probe("https://acme.invalid", &["outpost-probe.invalid", "second-probe.invalid"]).await;
    assert_eq!(kind(&r), Some(ErrorKind::Offline), "{:?}", r.error);
    let e = r.error.expect("error");
    assert!(e.message.contains("acme.invalid"), "the message names the host: {}", e.message);
    assert!(e.message.contains("offline"), "the message says why: {}", e.message);
    assert!(!e.message.contains("No server named"), "not told as a wrong address: {}", e.message);
    assert!(e.hint.is_some_and(|h| h.contains("network connection")), "the hint says to check the network");
}

#[tokio::test]
async fn the_dns_probe_resolves_for_real() {
    assert!(DnsProbe::with_names(&["localhost"]).any_resolves().await, "localhost resolves everywhere");
    assert!(
        DnsProbe::with_names(&["outpost-probe.invalid", "localhost"]).any_resolves().await,
        "one name resolving is enough"
    );
    assert!(
        !DnsProbe::with_names(&["outpost-probe.invalid"]).any_resolves().await,
        ".invalid never resolves"
    );
    assert!(!DnsProbe::with_names(&[]).any_resolves().await, "no names, no evidence of a network");
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_reported_at_once_as_temporary() {
    use gainsight_sim::faults::{Fault, FaultRule};
    let sim = sim().await;
    let on = |fault| FaultRule {
        endpoint: "/v1/data/objects/query/company".into(),
        fault,
        count: Some(1),
        probability: None,
    };
    for (fault, expected) in [
        (Fault::RateLimited, ErrorKind::RateLimited),
        (Fault::Status { status: 503, error_code: None }, ErrorKind::ServerError),
    ] {
        sim.reset_counters();
        sim.add_fault(on(fault));
        let r = run(&sim.base_url(), gainsight_sim::DEMO_ACCESS_KEY).await;
        assert!(!r.ok);
        assert_eq!(kind(&r), Some(expected), "{:?}", r.error);
        let e = r.error.expect("error");
        assert!(e.hint.is_some_and(|h| h.contains("temporary")), "the hint says to try again later");
        assert_eq!(sim.counters().total_calls(), 1, "a connection test answers now: no retry");
    }
    let r = run(&sim.base_url(), gainsight_sim::DEMO_ACCESS_KEY).await;
    assert!(r.ok, "once the fault is gone the same test passes: {:?}", r.error);
}

#[tokio::test]
async fn a_port_that_answers_html_is_the_wrong_instance() {
    let page = "<!DOCTYPE html><html><body>Welcome to nginx!</body></html>";
    let html = raw_server(http_reply("200 OK", &[("Content-Type", "text/html")], page)).await;
    let r = run(&html.url, "some-key-123456").await;
    assert_eq!(kind(&r), Some(ErrorKind::WrongInstance), "{:?}", r.error);
}

#[tokio::test]
async fn a_json_404_is_the_wrong_instance() {
    let body = r#"{"result":false,"errorCode":"GS_APIG_1000","errorDesc":"Not found","requestId":"x"}"#;
    let srv = raw_server(http_reply("404 Not Found", &[("Content-Type", "application/json")], body)).await;
    assert_eq!(kind(&run(&srv.url, "some-key-123456").await), Some(ErrorKind::WrongInstance));
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_the_key_never_reaches_the_other_host() {
    let elsewhere = raw_server(http_reply("200 OK", &[("Content-Type", "application/json")], "{}")).await;
    let location = format!("{}/v1/data/objects/query/Company", elsewhere.url);
    let redirector = raw_server(http_reply("307 Temporary Redirect", &[("Location", &location)], "")).await;
    let r = run(&redirector.url, "secret-key-abcdef123456").await;
    assert_eq!(kind(&r), Some(ErrorKind::WrongInstance), "{:?}", r.error);
    assert_eq!(redirector.seen.lock().expect("log").len(), 1, "the redirecting host got the one request");
    assert!(
        elsewhere.seen.lock().expect("log").is_empty(),
        "nothing, and so no key, may reach the redirect target"
    );
}

#[tokio::test]
async fn bad_input_is_reported_before_any_call() {
    let sim = sim().await;
    let r = run("http://acme.gainsightcloud.com", "k").await;
    assert_eq!(kind(&r), Some(ErrorKind::InvalidInput), "plain http to a remote host is refused");
    let r = run(&sim.base_url(), "two words").await;
    assert_eq!(kind(&r), Some(ErrorKind::InvalidInput));
    assert_eq!(sim.counters().total_calls(), 0, "invalid input never reaches the network");
}

#[tokio::test]
async fn notices_report_what_was_changed() {
    let sim = sim().await;
    let url = format!("  {}/v2/accounts ", sim.base_url());
    let r = run(&url, &format!(" {} ", gainsight_sim::DEMO_ACCESS_KEY)).await;
    assert!(r.ok, "{:?}", r.error);
    assert_eq!(r.notices.len(), 3, "spaces around URL, removed path and trimmed key: {:?}", r.notices);
}

/// An https:// address where a plain-HTTP server listens: the wrong address, not "no network".
#[tokio::test]
async fn https_to_a_plain_http_server_is_the_wrong_instance_not_offline() {
    let srv =
        common::raw_server(common::http_reply("200 OK", &[("Content-Type", "application/json")], "{}")).await;
    let r = run(&srv.url.replace("http://", "https://"), "some-key-123456").await;
    assert_eq!(kind(&r), Some(ErrorKind::WrongInstance), "{:?}", r.error);
    let e = r.error.expect("error");
    assert!(e.message.contains("answered without HTTPS"), "{}", e.message);
    assert!(
        srv.seen.lock().expect("seen").iter().all(|req| !req.contains("some-key-123456")),
        "no key sent in clear"
    );
}
