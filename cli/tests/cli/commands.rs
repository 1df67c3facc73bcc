//! The built `outpost` binary against the simulator: connect (key on stdin), connections, test,
//! disconnect, with the contract's exit codes and error lines.

use crate::common;
use crate::run::{feed, outpost, text};

use std::process::{Command, Output, Stdio};

#[tokio::test(flavor = "multi_thread")]
async fn connect_list_test_disconnect() {
    let sim = common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let key = gainsight_sim::DEMO_ACCESS_KEY;
    let url = sim.base_url();
    let d = data.path();

    let out = outpost(
        d,
        &["--json", "connect", "cs", "--name", "Prod", "--url", &url, "--access-key-stdin"],
        key,
        &[],
    );
    assert!(out.status.success(), "connect failed: {}", text(&out.stderr));
    let card: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json card");
    assert_eq!(card["status"], "connected");
    assert_eq!(card["name"], "Prod");

    let out = outpost(d, &["--json", "connections"], "", &[]);
    let cards: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json list");
    assert_eq!(cards.as_array().map(Vec::len), Some(1));
    assert!(!text(&out.stdout).contains(key), "no command prints the key");

    let out = outpost(d, &["test", "prod"], "", &[]);
    assert!(out.status.success(), "test by name (any case): {}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Connection OK"));

    // A second connection with the same name is refused with its own exit code.
    let out = outpost(d, &["connect", "cs", "--name", "Prod", "--url", &url, "--access-key-stdin"], key, &[]);
    assert_eq!(out.status.code(), Some(outpost::ErrorKind::Conflict.exit_code()));

    let out = outpost(d, &["disconnect", "Prod"], "", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = outpost(d, &["--json", "connections"], "", &[]);
    let cards: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json list");
    assert_eq!(cards[0]["status"], "disconnected", "without --purge the connection stays, disconnected");
    let out = outpost(d, &["test", "Prod"], "", &[]);
    assert_eq!(
        out.status.code(),
        Some(outpost::ErrorKind::NotFound.exit_code()),
        "the key is gone from the keychain"
    );

    let out = outpost(d, &["disconnect", "Prod", "--purge"], "", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = outpost(d, &["--json", "connections"], "", &[]);
    assert_eq!(text(&out.stdout).trim(), "[]", "--purge deletes the connection");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_key_saves_nothing_and_prints_one_error_line() {
    let sim = common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let url = sim.base_url();
    let out = outpost(
        data.path(),
        &["connect", "cs", "--name", "Prod", "--url", &url, "--access-key-stdin"],
        "wrong-key-000000000",
        &[],
    );
    assert_eq!(out.status.code(), Some(outpost::ErrorKind::InvalidKey.exit_code()));
    let err = text(&out.stderr);
    assert!(err.starts_with("error[InvalidKey]: "), "one error line: {err}");
    assert_eq!(err.lines().count(), 1);
    assert!(!err.contains("wrong-key"), "the key never appears in errors");
    let out = outpost(data.path(), &["--json", "connections"], "", &[]);
    assert_eq!(text(&out.stdout).trim(), "[]", "a failed test saves nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_keychain_connect_fails_with_no_keychain() {
    let sim = common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let url = sim.base_url();
    let out = outpost(
        data.path(),
        &["--json", "connect", "cs", "--name", "Prod", "--url", &url, "--access-key-stdin"],
        gainsight_sim::DEMO_ACCESS_KEY,
        &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/outpost-test-bus")],
    );
    assert_eq!(out.status.code(), Some(outpost::ErrorKind::NoKeychain.exit_code()), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json error");
    assert_eq!(json["error"]["kind"], "NoKeychain");
    let mut db = std::fs::read(data.path().join("outpost.db")).unwrap_or_default();
    db.extend(std::fs::read(data.path().join("outpost.db-wal")).unwrap_or_default());
    assert!(
        !db.windows(gainsight_sim::DEMO_ACCESS_KEY.len())
            .any(|w| w == gainsight_sim::DEMO_ACCESS_KEY.as_bytes()),
        "no plaintext fallback: the key is not in the database"
    );
    let out = outpost(data.path(), &["--json", "connections"], "", &[]);
    assert_eq!(text(&out.stdout).trim(), "[]", "nothing is saved without a keychain");
}

fn code(kind: outpost::ErrorKind) -> Option<i32> {
    Some(kind.exit_code())
}

fn json_out(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("json on stdout ({e}): {}", text(&out.stdout)))
}

#[tokio::test(flavor = "multi_thread")]
async fn px_connects_by_region_auto_and_url_with_the_contract_exit_codes() {
    let sim = common::sim_with_px().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    let base = sim.base_url();
    let env = [("OUTPOST_PX_ENDPOINTS_BASE", base.as_str())];
    let connect = |name: &str, target: &[&str], key: &str| {
        let mut args = vec!["--json", "connect", "px", "--name", name];
        args.extend_from_slice(target);
        args.push("--api-key-stdin");
        outpost(d, &args, key, &env)
    };

    let out = connect("EU", &["--region", "eu"], common::EU_KEY);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let card = json_out(&out);
    assert_eq!((card["kind"].as_str(), card["instance"].as_str()), (Some("px"), Some("EU")));
    assert_eq!(card["region"], "eu");
    let out = connect("Auto", &["--region", "auto"], common::US2_KEY);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(json_out(&out)["instance"], "US2", "auto-detect stores the region that accepted the key");
    let out = connect("Url", &["--url", &format!("{base}/px/us/v1")], gainsight_sim::DEMO_PX_API_KEY);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(json_out(&out)["instance"], "US");

    let out = connect("Bad", &["--region", "us"], "not-a-px-key-000000");
    assert_eq!(out.status.code(), code(outpost::ErrorKind::InvalidKey), "{}", text(&out.stderr));
    assert!(text(&out.stderr).starts_with("error[InvalidKey]: "));
    let out = connect("NoRead", &["--region", "auto"], common::US_NO_READ_KEY);
    assert_eq!(out.status.code(), code(outpost::ErrorKind::Forbidden), "{}", text(&out.stderr));
    let out = connect("Both", &["--region", "us", "--url", &base], common::EU_KEY);
    assert_eq!(out.status.code(), Some(2), "--region and --url are exclusive: a usage error");
    let out = outpost(
        d,
        &["connect", "px", "--name", "X", "--region", "eu", "--api-key-stdin"],
        common::EU_KEY,
        &[("OUTPOST_PX_ENDPOINTS_BASE", "http://px.example.com")],
    );
    assert_eq!(
        out.status.code(),
        code(outpost::ErrorKind::InvalidInput),
        "the test-only endpoint override is refused unless it is loopback"
    );

    let out = outpost(d, &["test", "eu"], "", &[]);
    assert!(out.status.success(), "a saved PX connection tests without the override: {}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Connection OK: reached EU with API Key"), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("PX subscription: "), "the test names the subscription");

    let out = outpost(d, &["connections"], "", &[]);
    let listing = text(&out.stdout);
    assert!(listing.contains("Gainsight PX") && listing.contains("Instance      US2"), "{listing}");
    assert!(listing.contains("API Key ••••"), "{listing}");
    let out = outpost(d, &["--json", "connections"], "", &[]);
    assert_eq!(json_out(&out).as_array().map(Vec::len), Some(3), "failed connects saved nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn m2m_rotation_and_no_command_ever_prints_or_stores_a_key() {
    const NEW_KEY: &str = "regenerated-cs-access-key-7777";
    const NEW_PX_KEY: &str = "eu-px-read-key-rotated-8888";
    let sim = common::sim_with_px().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    let url = sim.base_url();
    let env = [("OUTPOST_PX_ENDPOINTS_BASE", url.as_str())];
    let mut transcript = String::new();
    let mut run = |args: &[&str], stdin: &str| {
        let out = outpost(d, args, stdin, &env);
        transcript.push_str(&text(&out.stdout));
        transcript.push_str(&text(&out.stderr));
        out
    };

    let key = gainsight_sim::DEMO_ACCESS_KEY;
    let out = run(&["connect", "cs", "--name", "Prod", "--url", &url, "--access-key-stdin"], key);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let m2m = ["connect", "cs", "--name", "M2M", "--url", &url, "--client-id", gainsight_sim::DEMO_CLIENT_ID];
    let out = run(&[&m2m[..], &["--client-secret-stdin"]].concat(), "wrong-client-secret-000000");
    assert_eq!(out.status.code(), code(outpost::ErrorKind::InvalidKey));
    let out = run(&[&m2m[..], &["--client-secret-stdin"]].concat(), gainsight_sim::DEMO_CLIENT_SECRET);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(&[&m2m[..], &["--access-key-stdin"]].concat(), key);
    assert_eq!(out.status.code(), Some(2), "--client-id goes with --client-secret-stdin only");
    let out = run(&["connect", "px", "--name", "PX", "--region", "eu", "--api-key-stdin"], common::EU_KEY);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = run(&["connections"], "");
    let listing = text(&out.stdout);
    assert!(listing.contains("M2M OAuth client demo-m2m-client-id, secret ••••0000"), "{listing}");

    let out = run(&["--json", "sync", "Prod", "--objects", "companies"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(&["test", "M2M"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));

    // The admin regenerates the Access Key in Gainsight: the next test notices.
    sim.rotate_cs_key(NEW_KEY);
    let out = run(&["test", "Prod"], "");
    assert_eq!(out.status.code(), code(outpost::ErrorKind::InvalidKey), "{}", text(&out.stderr));
    let out = run(&["--json", "connections"], "");
    let cards = json_out(&out);
    let prod = cards.as_array().and_then(|a| a.iter().find(|c| c["name"] == "Prod")).expect("Prod").clone();
    assert_eq!(
        (prod["status"].as_str(), prod["status_reason"].as_str()),
        (Some("needs_attention"), Some("key rejected"))
    );
    let out = run(&["--json", "sync", "Prod", "--objects", "companies"], "");
    assert_eq!(out.status.code(), code(outpost::ErrorKind::InvalidKey), "a sync with the old key fails");

    let out = run(&["rotate", "Prod"], "a-wrong-replacement-key-0000");
    assert_eq!(out.status.code(), code(outpost::ErrorKind::InvalidKey), "{}", text(&out.stderr));
    let id = prod["id"].as_str().expect("id").to_string();
    assert_eq!(
        outpost::vault::Vault::default().load(&id).expect("keychain").expose(),
        key,
        "a key that fails its test leaves the old one in the keychain"
    );
    let out = run(&["--json", "rotate", "Prod"], NEW_KEY);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(json_out(&out)["status"], "connected");
    let out = run(&["test", "Prod"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));

    assert!(sim.rotate_px_key(common::EU_KEY, NEW_PX_KEY));
    let out = run(&["rotate", "PX"], NEW_PX_KEY);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("The new API key works"), "{}", text(&out.stdout));
    let out = run(&["--json", "connected-by", "PX", "Grace Hopper"], "");
    assert_eq!(json_out(&out)["connected_by"], "Grace Hopper");
    run(&["connections"], "");
    run(&["--json", "connections"], "");
    run(&["history"], "");

    let db = common::db_bytes(d);
    for secret in [key, NEW_KEY, gainsight_sim::DEMO_CLIENT_SECRET, common::EU_KEY, NEW_PX_KEY] {
        assert!(!transcript.contains(secret), "no command prints a key or secret");
        assert!(!common::contains(&db, secret), "no key or secret is stored in SQLite");
    }
    assert!(transcript.contains("••••"), "masks stand in for keys");
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_field_mapping_sync_and_browse_from_the_command_line() {
    let sim = common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    let url = sim.base_url();
    let out = outpost(
        d,
        &["connect", "cs", "--name", "Sim", "--url", &url, "--access-key-stdin"],
        gainsight_sim::DEMO_ACCESS_KEY,
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out =
        outpost(d, &["--json", "settings", "Sim", "--frequency", "1h", "--calls-per-minute", "100"], "", &[]);
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).expect("settings json");
    assert_eq!((s["frequency"].as_str(), s["cs_calls_per_minute"].as_i64()), (Some("1h"), Some(100)));
    let out = outpost(d, &["settings", "Sim", "--frequency", "hourly"], "", &[]);
    assert_eq!(
        out.status.code(),
        Some(outpost::ErrorKind::InvalidInput.exit_code()),
        "unknown frequencies are refused"
    );
    let out = outpost(d, &["--json", "settings", "Sim", "--usage-object", "adoption__gc"], "", &[]);
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).expect("settings json");
    assert_eq!(s["usage_object"], "adoption__gc");
    let out = outpost(d, &["settings", "Sim", "--usage-object", "product_usage__gc"], "", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = outpost(d, &["settings", "Sim", "--scorecard-objects", "fact/../company?x=1,history"], "", &[]);
    assert_eq!(out.status.code(), Some(outpost::ErrorKind::InvalidInput.exit_code()), "not an API name");
    assert!(text(&out.stderr).contains("not an object's API name"), "{}", text(&out.stderr));
    let out =
        outpost(d, &["--json", "settings", "Sim", "--scorecard-objects", "my_fact, my_history"], "", &[]);
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).expect("settings json");
    assert_eq!(
        (s["fact_object"].as_str(), s["history_object"].as_str()),
        (Some("my_fact"), Some("my_history"))
    );
    let out = outpost(
        d,
        &["settings", "Sim", "--scorecard-objects", "company_scorecard_fact,company_scorecard_history"],
        "",
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = outpost(d, &["--json", "fields", "Sim", "--map", "Region__gc"], "", &[]);
    let f: serde_json::Value = serde_json::from_slice(&out.stdout).expect("fields json");
    assert_eq!(f["mapped"][0]["field_name"], "Region__gc");
    let out = outpost(d, &["fields", "Sim", "--map", "NoSuch__gc"], "", &[]);
    assert_eq!(out.status.code(), Some(outpost::ErrorKind::InvalidInput.exit_code()));

    let out = outpost(d, &["--json", "sync"], "", &[]);
    assert!(out.status.success(), "sync: {}", text(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("summary json");
    assert_eq!(summary[0]["outcome"], "ok");

    let out = outpost(d, &["--json", "accounts", "--limit", "1000"], "", &[]);
    let all: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("accounts");
    assert_eq!(all.len(), 50, "the demo org's companies");
    let emea = all.iter().filter(|a| a["custom"]["Region__gc"] == "EMEA").count();
    assert!(emea > 0, "some accounts are in EMEA");
    let out = outpost(d, &["--json", "accounts", "--field", "Region__gc=EMEA", "--limit", "1000"], "", &[]);
    let filtered: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("filtered");
    assert_eq!(filtered.len(), emea, "filter by the mapped field");

    let first = all[0]["gsid"].as_str().expect("gsid").to_string();
    let out = outpost(d, &["--json", "account", &first], "", &[]);
    let detail: serde_json::Value = serde_json::from_slice(&out.stdout).expect("account");
    assert!(detail["history"].as_array().is_some_and(|h| h.len() >= 18), "18+ weeks of history");
    assert_eq!(detail["custom_fields"][0]["field"], "Region__gc", "mapped fields are shown with the account");
    assert!(detail["custom_fields"][0]["value"].as_str().is_some_and(|v| !v.is_empty()));

    let csv = d.join("accounts.csv");
    let out = outpost(d, &["export", "accounts", "--out", csv.to_str().expect("path")], "", &[]);
    assert!(out.status.success());
    assert_eq!(std::fs::read_to_string(&csv).expect("csv").lines().count(), 51, "a header and 50 accounts");
    let out = outpost(d, &["--json", "history"], "", &[]);
    let runs: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("history");
    assert_eq!(runs[0]["outcome"], "ok");
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_outpost"))
}

/// Connects the demo org's CS as `name` and lets it use the org's whole per-minute limit.
fn connect_cs(d: &std::path::Path, url: &str, name: &str) -> serde_json::Value {
    let out = outpost(
        d,
        &["--json", "connect", "cs", "--name", name, "--url", url, "--access-key-stdin"],
        gainsight_sim::DEMO_ACCESS_KEY,
        &[],
    );
    assert!(out.status.success(), "connect {name}: {}", text(&out.stderr));
    let out = outpost(d, &["settings", name, "--calls-per-minute", "100"], "", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    json_out(&outpost(d, &["--json", "connections"], "", &[]))
        .as_array()
        .and_then(|a| a.iter().find(|c| c["name"] == name).cloned())
        .expect("the new card")
}

/// `--json sync ARGS…`, which must succeed; the run ids, in order.
fn sync_ok(d: &std::path::Path, args: &[&str]) -> Vec<i64> {
    let out = outpost(d, &[&["--json", "sync"], args].concat(), "", &[]);
    assert!(out.status.success(), "sync: {}", text(&out.stderr));
    let summaries = json_out(&out);
    let summaries = summaries.as_array().expect("an array of summaries");
    assert!(summaries.iter().all(|s| s["outcome"] == "ok"), "{summaries:?}");
    summaries.iter().map(|s| s["run_id"].as_i64().expect("run id")).collect()
}

fn list(out: &Output) -> Vec<serde_json::Value> {
    assert!(out.status.success(), "{}", text(&out.stderr));
    json_out(out).as_array().cloned().expect("a JSON array")
}

#[test]
fn usage_errors_are_one_line_exit_2_and_help_lists_the_exit_codes() {
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    for args in [
        &["--bogus"][..],
        &["sync", "--limit", "3"],
        &["export", "invoices", "--out", "x.csv"],
        &["accounts", "--limit", "many"],
        &["connect"],
        &[],
    ] {
        let out = outpost(d, args, "", &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?} is a usage error: exit 2");
        let err = text(&out.stderr);
        assert!(err.starts_with("error[Usage]: "), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one line, not clap's block: {err}");
        assert!(out.stdout.is_empty(), "nothing on stdout without --json");
    }
    let out = outpost(d, &["export", "invoices", "--out", "x.csv"], "", &[]);
    assert!(text(&out.stderr).contains("possible values: accounts, ctas"), "{}", text(&out.stderr));

    let out = outpost(d, &["--json", "sync", "--limit", "3"], "", &[]);
    assert_eq!(out.status.code(), Some(2));
    let doc = json_out(&out);
    assert_eq!(doc["error"]["kind"], "Usage");
    assert!(doc["error"]["message"].as_str().is_some_and(|m| m.contains("'--limit'")), "{doc}");
    assert!(doc["error"]["hint"].as_str().is_some_and(|h| h.contains("outpost sync")), "{doc}");

    let out = bin().arg("--help").output().expect("run");
    assert_eq!(out.status.code(), Some(0), "--help is not an error");
    let help = text(&out.stdout);
    assert!(out.stderr.is_empty() && help.contains("Usage: outpost"), "help on stdout: {help}");
    let codes = help.lines().find(|l| l.starts_with("Exit codes:")).expect("the exit codes in --help");
    assert!(codes.contains("0 ok") && codes.contains("2 usage error"), "{codes}");
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).expect("README");
    for kind in outpost::ErrorKind::ALL {
        let (code, name) = (kind.exit_code(), kind.name());
        assert!(codes.contains(&format!(" {code} {name}")), "--help lists {code} {name}: {codes}");
        assert!(readme.contains(&format!("| {code} | {name}")), "the README lists {code} {name}");
    }
    let out = bin().arg("--version").output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("outpost "), "{}", text(&out.stdout));
    let out = bin().args(["sync", "--help"]).output().expect("run");
    assert!(text(&out.stdout).contains("CS and PX"), "sync's help says PX is synced too");
}

#[tokio::test(flavor = "multi_thread")]
async fn json_failures_print_one_document_and_json_text_fields_are_json() {
    let sim = common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    connect_cs(d, &sim.base_url(), "Prod");
    sync_ok(d, &[]);

    let out = outpost(d, &["--json", "history"], "", &[]);
    let runs = list(&out);
    assert!(runs[0]["counts"]["companies"].as_u64() == Some(50), "counts is an object: {}", runs[0]);
    let accounts = list(&outpost(d, &["--json", "accounts", "--limit", "3"], "", &[]));
    assert!(accounts.iter().all(|a| a["custom"].is_object()), "custom is an object: {accounts:?}");
    let gsid = accounts[0]["gsid"].as_str().expect("gsid");
    let detail = json_out(&outpost(d, &["--json", "account", gsid], "", &[]));
    assert!(detail["company"]["custom"].is_object(), "{}", detail["company"]);

    // The admin regenerates the key in Gainsight: test and sync fail with one JSON document each.
    sim.rotate_cs_key("regenerated-key-0000");
    let out = outpost(d, &["--json", "test", "Prod"], "", &[]);
    assert_eq!(out.status.code(), code(outpost::ErrorKind::InvalidKey));
    let doc = json_out(&out); // one document: a second would be trailing characters
    assert_eq!(doc["error"]["kind"], "InvalidKey");
    assert_eq!(doc["report"]["ok"], false, "the report travels inside the error document: {doc}");
    assert_eq!(text(&out.stderr).lines().count(), 1);

    let out = outpost(d, &["--json", "sync"], "", &[]);
    assert_eq!(out.status.code(), code(outpost::ErrorKind::InvalidKey));
    let doc = json_out(&out);
    assert_eq!(doc["error"]["kind"], "InvalidKey");
    assert_eq!(doc["summaries"][0]["outcome"], "failed", "{doc}");
    let out = outpost(d, &["sync"], "", &[]);
    assert!(
        text(&out.stdout).contains("Prod: failed"),
        "the human summary still shows: {}",
        text(&out.stdout)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ctas_filter_by_open_overdue_and_company() {
    let sim = common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    connect_cs(d, &sim.base_url(), "Sim");
    sync_ok(d, &[]);
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();

    let all = list(&outpost(d, &["--json", "ctas"], "", &[]));
    let open_n = all.iter().filter(|t| t["is_closed"] == false).count();
    assert!(open_n > 0 && open_n < all.len(), "the demo org has open and closed CTAs");
    let open = list(&outpost(d, &["--json", "ctas", "--open"], "", &[]));
    assert_eq!(open.len(), open_n, "--open lists every open CTA");
    assert!(open.iter().all(|t| t["is_closed"] == false));

    let overdue = list(&outpost(d, &["--json", "ctas", "--overdue"], "", &[]));
    let due_before = |t: &serde_json::Value| t["due_date"].as_str().is_some_and(|d| d < today.as_str());
    let expected = all.iter().filter(|t| t["is_closed"] == false && due_before(t)).count();
    assert!(expected > 0, "the demo org has overdue CTAs");
    assert_eq!(overdue.len(), expected, "--overdue: open and due before today");
    assert!(overdue.iter().all(|t| t["is_closed"] == false && due_before(t)));

    let company = all[0]["company_gsid"].as_str().expect("company").to_string();
    let name = all[0]["company_name"].as_str().expect("company name").to_string();
    let expected = all.iter().filter(|t| t["company_gsid"] == company.as_str()).count();
    for by in [company.as_str(), name.as_str()] {
        let mine = list(&outpost(d, &["--json", "ctas", "--company", by], "", &[]));
        assert_eq!(mine.len(), expected, "--company {by}: by id or name");
        assert!(mine.iter().all(|t| t["company_gsid"] == company.as_str()));
    }
    let human = text(&outpost(d, &["ctas", "--open", "--overdue"], "", &[]).stdout);
    assert!(human.starts_with("ACCOUNT") && human.contains(&format!("{} CTAs", overdue.len())), "{human}");
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_since_a_run_show_what_the_next_sync_found() {
    let sim = common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    connect_cs(d, &sim.base_url(), "Sim");
    let first = sync_ok(d, &[])[0];
    assert_eq!(list(&outpost(d, &["--json", "changes"], "", &[])).len(), 0, "a first sync records nothing");

    let moved = common::sim_modify(&sim.base_url(), "company", 3).await;
    assert_eq!(moved.len(), 3);
    let second = sync_ok(d, &[])[0];
    assert!(second > first);

    let since = list(&outpost(d, &["--json", "changes", "--since", &first.to_string()], "", &[]));
    assert!(since.iter().all(|c| c["run_id"] == second), "only the second run's changes: {since:?}");
    let bands: Vec<&serde_json::Value> = since.iter().filter(|c| c["kind"] == "band_changed").collect();
    assert_eq!(bands.len(), 3, "each modified company moved band: {since:?}");
    for c in bands {
        assert!(moved.iter().any(|id| c["company_gsid"] == id.as_str()), "{c}");
        assert!(c["detail"]["from"].is_string() && c["detail"]["to"].is_string(), "detail is JSON: {c}");
        assert_ne!(c["detail"]["from"], c["detail"]["to"]);
    }
    let none = list(&outpost(d, &["--json", "changes", "--since", &second.to_string()], "", &[]));
    assert!(none.is_empty(), "nothing after the last run: {none:?}");
    let human = text(&outpost(d, &["changes", "--since", &first.to_string()], "", &[]).stdout);
    assert!(human.contains("health moved") && human.contains(&format!("{} changes", since.len())), "{human}");
}

#[tokio::test(flavor = "multi_thread")]
async fn export_ctas_has_a_header_and_every_cached_cta() {
    let sim = common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    connect_cs(d, &sim.base_url(), "Sim");
    sync_ok(d, &[]);
    let csv = d.join("ctas.csv");
    let out = outpost(d, &["--json", "export", "ctas", "--out", csv.to_str().expect("path")], "", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let cached: i64 = rusqlite::Connection::open(d.join("outpost.db"))
        .expect("db")
        .query_row("SELECT count(*) FROM ctas", [], |r| r.get(0))
        .expect("count");
    assert!(cached > 0);
    assert_eq!(json_out(&out)["rows"].as_i64(), Some(cached), "{}", text(&out.stdout));
    let body = std::fs::read_to_string(&csv).expect("csv");
    let mut lines = body.lines();
    assert_eq!(lines.next(), Some("gsid,company,name,type,status,priority,owner,due_date,closed"));
    assert_eq!(lines.count() as i64, cached, "one line per CTA in the cache");
}

#[tokio::test(flavor = "multi_thread")]
async fn export_accounts_is_not_capped_at_a_list_page() {
    const EXTRA: i64 = 100_001;
    let sim = common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    connect_cs(d, &sim.base_url(), "Sim");
    sync_ok(d, &["--objects", "companies"]);
    // More accounts than a list shows (100,000): copies of a synced one under new ids.
    let db = rusqlite::Connection::open(d.join("outpost.db")).expect("db");
    db.execute_batch(&format!(
        "BEGIN;
         CREATE TEMP TABLE bulk AS WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < {EXTRA})
             SELECT c.*, n.k AS k FROM (SELECT * FROM companies LIMIT 1) c, n;
         UPDATE bulk SET gsid = 'bulk-' || k, name = 'Bulk ' || k;
         ALTER TABLE bulk DROP COLUMN k;
         INSERT INTO companies SELECT * FROM bulk;
         COMMIT;"
    ))
    .expect("bulk insert");
    let cached: i64 = db.query_row("SELECT count(*) FROM companies", [], |r| r.get(0)).expect("count");
    assert_eq!(cached, 50 + EXTRA);
    let csv = d.join("accounts.csv");
    let out = outpost(d, &["--json", "export", "accounts", "--out", csv.to_str().expect("path")], "", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(json_out(&out)["rows"].as_i64(), Some(cached), "every account, not the first 100,000");
    assert_eq!(std::fs::read_to_string(&csv).expect("csv").lines().count() as i64, cached + 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_prints_its_url_and_keys_and_serves_them() {
    use std::io::BufRead;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    let start = |json: bool| {
        let mut cmd = bin();
        cmd.arg("--data-dir").arg(d);
        if json {
            cmd.arg("--json");
        }
        let mut child = cmd.arg("demo").stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("run");
        let stdout = child.stdout.take().expect("stdout");
        (child, std::io::BufReader::new(stdout).lines())
    };

    let (mut child, mut lines) = start(false);
    let mut head = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("line");
        let last = line.starts_with("Press Ctrl-C");
        head.push(line);
        if last {
            break;
        }
    }
    let url = head[0].strip_prefix("Demo Gainsight org at ").expect("the URL first").to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let listing = head.join("\n");
    for key in [gainsight_sim::DEMO_ACCESS_KEY, gainsight_sim::DEMO_CLIENT_ID, gainsight_sim::DEMO_PX_API_KEY]
    {
        assert!(listing.contains(key), "the demo's public keys are printed: {listing}");
    }
    let out = outpost(
        d,
        &["connect", "cs", "--name", "Demo", "--url", &url, "--access-key-stdin"],
        gainsight_sim::DEMO_ACCESS_KEY,
        &[],
    );
    assert!(out.status.success(), "the printed URL and key connect: {}", text(&out.stderr));
    child.kill().expect("stop the demo");
    child.wait().expect("reap");

    let (mut child, mut lines) = start(true);
    let first = lines.next().expect("a line").expect("line");
    child.kill().expect("stop the demo");
    child.wait().expect("reap");
    let doc: serde_json::Value = serde_json::from_str(&first).expect("one JSON object");
    assert!(doc["url"].as_str().is_some_and(|u| u.starts_with("http://127.0.0.1:")), "{doc}");
    assert_eq!(doc["access_key"], gainsight_sim::DEMO_ACCESS_KEY);
    assert_eq!(doc["client_id"], gainsight_sim::DEMO_CLIENT_ID);
    assert_eq!(doc["client_secret"], gainsight_sim::DEMO_CLIENT_SECRET);
    assert_eq!(doc["px_api_key"], gainsight_sim::DEMO_PX_API_KEY);
    assert_eq!(doc["px_region"], "us");
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_search_band_health_below_and_sort() {
    let sim = common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    connect_cs(d, &sim.base_url(), "Sim");
    sync_ok(d, &[]);
    let accounts = |args: &[&str]| {
        list(&outpost(d, &[&["--json", "accounts", "--limit", "1000"], args].concat(), "", &[]))
    };
    let all = accounts(&[]);
    assert_eq!(all.len(), 50);
    let s = |a: &serde_json::Value, f: &str| a[f].as_str().unwrap_or_default().to_lowercase();

    let word: String = s(&all[0], "name").chars().take(4).collect();
    let found = accounts(&["--search", &word.to_uppercase()]);
    assert!(
        found.iter().any(|a| a["gsid"] == all[0]["gsid"]),
        "search finds the account by part of its name"
    );
    assert!(found.iter().all(|a| ["name", "csm_name", "industry"].iter().any(|f| s(a, f).contains(&word))));

    let band = all.iter().find_map(|a| a["score_label"].as_str()).expect("a band").to_string();
    let in_band = accounts(&["--band", &band.to_lowercase()]);
    let expected = all.iter().filter(|a| a["score_label"] == band.as_str()).count();
    assert_eq!(in_band.len(), expected, "--band {band}, any case");

    let below = accounts(&["--health-below", "50"]);
    let expected = all.iter().filter(|a| a["score"].as_f64().is_some_and(|x| x < 50.0)).count();
    assert!(expected > 0);
    assert_eq!(below.len(), expected);

    let names: Vec<String> = accounts(&["--sort", "name"]).iter().map(|a| s(a, "name")).collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "by name: {names:?}");
    let num = |rows: Vec<serde_json::Value>, f: &str| -> Vec<f64> {
        rows.iter().filter_map(|a| a[f].as_f64()).collect()
    };
    let health = num(accounts(&["--sort", "-health"]), "score");
    assert!(health.windows(2).all(|w| w[0] >= w[1]), "-health is highest first");
    let health = num(accounts(&[]), "score");
    assert!(health.windows(2).all(|w| w[0] <= w[1]), "the default: lowest health first");
    let arr = num(accounts(&["--sort", "arr"]), "arr");
    assert!(arr.len() > 1 && arr.windows(2).all(|w| w[0] >= w[1]), "ARR largest first");
    let renewals: Vec<String> = accounts(&["--sort", "renewal"])
        .iter()
        .filter_map(|a| a["renewal_date"].as_str().map(String::from))
        .collect();
    assert!(renewals.windows(2).all(|w| w[0] <= w[1]), "renewal soonest first");
    let out = outpost(d, &["accounts", "--sort", "mood"], "", &[]);
    assert_eq!(out.status.code(), code(outpost::ErrorKind::InvalidInput), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn quiet_prints_only_errors_and_the_data_dir_can_come_from_the_environment() {
    let sim = common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path().join("from-env");
    let url = sim.base_url();
    let run = |args: &[&str], stdin: &str| {
        let child = bin()
            .args(args)
            .env("OUTPOST_DATA_DIR", &d)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run");
        feed(child, stdin)
    };
    let key = gainsight_sim::DEMO_ACCESS_KEY;
    let out = run(&["--quiet", "connect", "cs", "--name", "Sim", "--url", &url, "--access-key-stdin"], key);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "--quiet: {}", text(&out.stdout));
    assert!(d.join("outpost.db").is_file(), "OUTPOST_DATA_DIR chose the data directory");
    let cards = list(&outpost(&d, &["--json", "connections"], "", &[]));
    assert_eq!(cards[0]["name"], "Sim", "the same data as --data-dir names");

    for args in [
        &["--quiet", "sync"][..],
        &["--quiet", "accounts"],
        &["--quiet", "connections"],
        &["--quiet", "history"],
    ] {
        let out = run(args, "");
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert!(
            out.stdout.is_empty() && out.stderr.is_empty(),
            "{args:?} prints nothing: {}",
            text(&out.stdout)
        );
    }
    let out = run(&["--quiet", "test", "Nope"], "");
    assert_eq!(out.status.code(), code(outpost::ErrorKind::NotFound));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).starts_with("error[NotFound]: "), "errors still print: {}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_prints_normalisation_notes_and_the_card_shows_description_and_next_sync() {
    let sim = common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    let url = format!(" {}/v1/ui ", sim.base_url());
    let key = format!(" {} \n", gainsight_sim::DEMO_ACCESS_KEY);
    let args = [
        "connect",
        "cs",
        "--name",
        "Prod",
        "--url",
        &url,
        "--description",
        "Production org",
        "--access-key-stdin",
    ];
    let out = outpost(d, &args, &key, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    for note in [
        "note: Removed spaces around the instance URL.",
        "note: Removed the path \"/v1/ui\"",
        "note: Removed spaces around the Access Key.",
    ] {
        assert!(shown.contains(note), "{note}: {shown}");
    }
    assert!(shown.contains("Description   Production org"), "{shown}");

    let out = outpost(
        d,
        &["--json", "connect", "cs", "--name", "Clean", "--url", &sim.base_url(), "--access-key-stdin"],
        &format!("{}\n", gainsight_sim::DEMO_ACCESS_KEY),
        &[],
    );
    let card = json_out(&out);
    assert_eq!(card["notices"], serde_json::json!([]), "echo's line ending is not worth a note: {card}");
    assert_eq!(card["description"], serde_json::Value::Null);
    let out = outpost(
        d,
        &["--json", "connect", "cs", "--name", "Again", "--url", &url, "--access-key-stdin"],
        &key,
        &[],
    );
    assert_eq!(json_out(&out)["notices"].as_array().map(Vec::len), Some(3), "{}", text(&out.stdout));

    let listing = text(&outpost(d, &["connections"], "", &[]).stdout);
    assert!(listing.contains("Description   Production org"), "{listing}");
    assert!(listing.contains("Next sync     manual"), "{listing}");
    let cards = list(&outpost(d, &["--json", "connections"], "", &[]));
    let prod = cards.iter().find(|c| c["name"] == "Prod").expect("Prod");
    assert_eq!(prod["description"], "Production org");

    assert!(outpost(d, &["settings", "Prod", "--frequency", "1h"], "", &[]).status.success());
    sync_ok(d, &["Prod", "--objects", "companies"]);
    let listing = text(&outpost(d, &["connections"], "", &[]).stdout);
    let prod = listing.split("\n\n").find(|card| card.starts_with("Prod — ")).expect("Prod's card");
    let next = prod.lines().find(|l| l.contains("Next sync")).expect("a Next sync line");
    assert!(!next.contains("manual") && next.contains(':'), "an hourly sync has a time: {next}");
}

#[tokio::test(flavor = "multi_thread")]
async fn disconnect_purge_after_a_sync_leaves_no_rows_of_the_connection() {
    let sim = common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    let keep = connect_cs(d, &sim.base_url(), "Keep");
    let gone = connect_cs(d, &sim.base_url(), "Gone");
    sync_ok(d, &[]);
    let id = gone["id"].as_str().expect("id");
    let before = common::rows_of_connection(d, id);
    assert!(before.iter().any(|(t, n)| t == "companies" && *n == 50), "{before:?}");

    let out = outpost(d, &["disconnect", "Gone", "--purge"], "", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("its cached data was deleted"), "{}", text(&out.stdout));
    let after = common::rows_of_connection(d, id);
    assert!(after.iter().all(|(_, n)| *n == 0), "no table keeps a row of a purged connection: {after:?}");
    let kept = common::rows_of_connection(d, keep["id"].as_str().expect("id"));
    assert!(kept.iter().any(|(t, n)| t == "companies" && *n == 50), "the other connection keeps its cache");
    assert!(outpost::vault::Vault::default().load(id).is_err(), "the key left the keychain");
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_prints_one_line_per_connection_and_stream() {
    let sim = common::sim_with_px().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    let url = sim.base_url();
    connect_cs(d, &url, "A");
    connect_cs(d, &url, "B");
    let env = [("OUTPOST_PX_ENDPOINTS_BASE", url.as_str())];
    let out = outpost(
        d,
        &["connect", "px", "--name", "PX", "--region", "us", "--api-key-stdin"],
        gainsight_sim::DEMO_PX_API_KEY,
        &env,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Not a terminal: one plain line per finished stream, named by connection.
    let out = outpost(d, &["sync"], "", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    for line in ["A companies: 20 records", "B companies: 20 records", "PX px_accounts: "] {
        assert!(err.contains(line), "{line}: {err}");
    }
    let summary = text(&out.stdout);
    assert!(summary.contains("PX: ok"), "with no name, PX syncs too: {summary}");
    let out = outpost(d, &["sync", "--objects", "companies,invoices"], "", &[]);
    assert_eq!(out.status.code(), code(outpost::ErrorKind::InvalidInput));
    assert!(text(&out.stderr).contains("companies, ctas, health_scores or usage"), "{}", text(&out.stderr));

    // On a terminal (a pseudo-terminal from `script`): a bar where PX gives a total.
    // util-linux's `script` comes with Debian's essential bsdutils package: missing, it is a failure.
    Command::new("script").arg("--version").output().expect("util-linux `script` for a pseudo-terminal");
    let cmd = format!("{} --data-dir {} sync A PX", env!("CARGO_BIN_EXE_outpost"), d.display());
    let out = Command::new("script")
        .args(["-qefc", &cmd, "/dev/null"])
        .env("COLUMNS", "120")
        .output()
        .expect("script");
    assert!(out.status.success(), "{}", text(&out.stdout));
    let screen = text(&out.stdout);
    // The last frame of a line: from its last start to its finishing tick.
    let last_frame = |prefix: &str| {
        let from = screen.rfind(prefix).unwrap_or_else(|| panic!("a line for {prefix}: {screen:?}"));
        let line = &screen[from..];
        line[..line.find('✓').unwrap_or_else(|| panic!("{prefix} finished: {screen:?}"))].to_string()
    };
    let px = last_frame("PX px_accounts");
    let counts = px.split("] ").nth(1).and_then(|r| r.split_whitespace().next()).unwrap_or_default();
    let (pos, len) = counts.split_once('/').unwrap_or_else(|| panic!("a bar with pos/len: {px:?}"));
    assert_eq!((pos, len), ("20", "20"), "a full bar: {px:?}");
    let cs = last_frame("A companies");
    assert!(cs.contains(" records, 1 pages") && !cs.contains('['), "no total: a spinner with counts: {cs:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_sync_processes_on_one_data_dir_one_syncs_the_other_refuses() {
    // Slow replies, so the two runs overlap for certain.
    let config = gainsight_sim::SimConfig { anchor_day: Some(20_400), latency_ms: 400, ..Default::default() };
    let sim = gainsight_sim::start(config).await.expect("simulator");
    let (data, reference) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let d = data.path();
    connect_cs(d, &sim.base_url(), "Sim");
    connect_cs(reference.path(), &sim.base_url(), "Sim");

    let spawn = || {
        bin()
            .arg("--data-dir")
            .arg(d)
            .args(["--json", "sync"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run")
    };
    let (a, b) = (spawn(), spawn());
    let outs = [a.wait_with_output().expect("wait"), b.wait_with_output().expect("wait")];
    let ok = outs.iter().filter(|o| o.status.success()).count();
    assert_eq!(
        ok,
        1,
        "exactly one sync runs: {:?}",
        outs.iter().map(|o| text(&o.stderr)).collect::<Vec<_>>()
    );
    let refused = outs.iter().find(|o| !o.status.success()).expect("the other");
    assert_eq!(refused.status.code(), code(outpost::ErrorKind::Conflict), "{}", text(&refused.stderr));
    let err = text(&refused.stderr);
    assert!(err.starts_with("error[Conflict]: A sync of Sim is already running."), "a clear refusal: {err}");
    assert_eq!(err.lines().count(), 1);
    assert_eq!(json_out(refused)["error"]["kind"], "Conflict");

    sync_ok(reference.path(), &[]);
    let db = rusqlite::Connection::open(d.join("outpost.db")).expect("db");
    let check: String = db.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("integrity_check");
    assert_eq!(check, "ok");
    let runs: Vec<String> = list(&outpost(d, &["--json", "history"], "", &[]))
        .iter()
        .map(|r| r["outcome"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(runs, ["ok"], "the refused process recorded no run");
    let id = |dir: &std::path::Path| {
        list(&outpost(dir, &["--json", "connections"], "", &[]))[0]["id"].as_str().expect("id").to_string()
    };
    let counts = |dir: &std::path::Path| {
        common::rows_of_connection(dir, &id(dir))
            .into_iter()
            .filter(|(t, _)| t != "sync_runs")
            .collect::<Vec<_>>()
    };
    assert_eq!(counts(d), counts(reference.path()), "the cache holds what one sync gives");
    let cache = |dir: &std::path::Path, what: &str| {
        let mut rows = list(&outpost(dir, &["--json", what, "--limit", "1000"], "", &[]));
        rows.iter_mut().for_each(|r| {
            r.as_object_mut().map(|o| o.remove("connection_id"));
        });
        rows
    };
    assert_eq!(cache(d, "accounts"), cache(reference.path(), "accounts"));
    let ctas = |dir: &std::path::Path| list(&outpost(dir, &["--json", "ctas"], "", &[]));
    assert_eq!(ctas(d), ctas(reference.path()));
    sync_ok(d, &[]);
}

/// An org the simulator serves in another shape: `sync` prints each stream's outcome and exits
/// 25 for a partial run; `doctor` shows what was found (with `--json` one document); `--field`
/// names a role's field and the next sync reads it.
#[tokio::test(flavor = "multi_thread")]
async fn a_partial_sync_doctor_and_field_roles_from_the_command_line() {
    let profile = gainsight_sim::OrgProfile {
        renamed_fields: vec![(
            "company".into(),
            "Arr".into(),
            "AnnualValue__gc".into(),
            Some("Annual Value".into()),
        )],
        absent_objects: vec!["company_scorecard_history".into()],
        ..Default::default()
    };
    let config =
        gainsight_sim::SimConfig { anchor_day: Some(20_400), companies: 12, profile, ..Default::default() };
    let sim = gainsight_sim::start(config).await.expect("sim");
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    connect_cs(d, &sim.base_url(), "Org");

    let out = outpost(d, &["sync", "Org"], "", &[]);
    assert_eq!(out.status.code(), Some(25), "a partial run has its own exit code: {}", text(&out.stderr));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(stdout.contains("Org: partial (1 problem)"), "{stdout}");
    assert!(stdout.contains("score_history      skipped"), "each stream's outcome: {stdout}");
    assert!(stdout.contains("companies          ok — 12 records"), "{stdout}");
    assert!(stdout.contains("note: Company: this org has no field for ARR"), "{stdout}");
    assert!(
        stderr.lines().any(|l| l.starts_with("problem[NotFound]: Org score_history:")),
        "one line per problem on stderr: {stderr}"
    );

    let out = outpost(d, &["--json", "sync", "Org"], "", &[]);
    assert_eq!(out.status.code(), Some(25));
    let summaries = json_out(&out);
    let streams = summaries[0]["streams"].as_array().expect("streams in the summary");
    assert!(
        streams.iter().any(|s| s["stream"] == "score_history" && s["outcome"] == "skipped"),
        "{streams:?}"
    );

    let out = outpost(d, &["doctor", "Org"], "", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains("Companies — company"), "{report}");
    assert!(report.contains("ARR") && report.contains("missing in this org"), "{report}");
    assert!(report.contains("12 rows in the cache"), "{report}");
    let doc = json_out(&outpost(d, &["--json", "doctor", "Org"], "", &[]));
    assert_eq!(doc["connection"], "Org");
    let companies =
        doc["streams"].as_array().and_then(|s| s.iter().find(|s| s["stream"] == "companies").cloned());
    let roles = companies.expect("companies")["roles"].as_array().cloned().expect("roles");
    assert!(roles.iter().any(|r| r["role"] == "arr" && r["matched"] == "missing"), "{roles:?}");

    let out = outpost(d, &["settings", "Org", "--field", "companies.arr=AnnualValue__gc"], "", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("companies.arr = AnnualValue__gc"), "{}", text(&out.stdout));
    let out = outpost(d, &["settings", "Org", "--field", "companies.nonsense=X"], "", &[]);
    assert_eq!(out.status.code(), code(outpost::ErrorKind::InvalidInput), "{}", text(&out.stderr));
    let out = outpost(d, &["--json", "sync", "Org", "--objects", "companies"], "", &[]);
    assert!(out.status.success(), "only companies: nothing skipped: {}", text(&out.stderr));
    let accounts = json_out(&outpost(d, &["--json", "accounts", "--limit", "100"], "", &[]));
    let with_arr = accounts.as_array().expect("accounts").iter().filter(|a| a["arr"].is_number()).count();
    assert_eq!(with_arr, 12, "every company read again with the field the admin named");
}

#[tokio::test(flavor = "multi_thread")]
async fn renewals_alerts_and_quality_human_and_json() {
    let sim = common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    connect_cs(d, &sim.base_url(), "Sim");
    let out = outpost(d, &["--json", "sync"], "", &[]);
    assert!(out.status.success(), "sync: {}", text(&out.stderr));
    let summaries = json_out(&out);
    let raised = summaries[0]["new_alerts"].as_u64().expect("new_alerts in the summary");

    let rows = list(&outpost(d, &["--json", "renewals", "--within", "180d", "--limit", "1000"], "", &[]));
    for r in &rows {
        let days = r["days_to_renewal"].as_i64().expect("days");
        assert!((0..=180).contains(&days), "inside the window: {r}");
        assert!(r["risk"].as_u64().is_some_and(|x| x <= 100), "{r}");
        assert!(r["reasons"].is_array(), "{r}");
    }
    let at_risk: Vec<f64> = rows.iter().map(|r| r["arr_at_risk"].as_f64().expect("arr_at_risk")).collect();
    assert!(at_risk.windows(2).all(|w| w[0] >= w[1]), "riskiest ARR first: {at_risk:?}");
    let ninety = list(&outpost(d, &["--json", "renewals", "--limit", "1000"], "", &[]));
    assert!(ninety.iter().all(|r| r["days_to_renewal"].as_i64() <= Some(90)), "90 days by default");
    let human = outpost(d, &["renewals", "--within", "180"], "", &[]);
    assert!(human.status.success(), "{}", text(&human.stderr));
    let lines = text(&human.stdout);
    assert!(lines.starts_with("ACCOUNT"), "{lines}");
    let expected = format!("{} accounts renew within 180 days", rows.len().min(50));
    assert!(lines.trim_end().ends_with(&expected), "{lines}");
    let out = outpost(d, &["renewals", "--within", "45d"], "", &[]);
    assert_eq!(out.status.code(), code(outpost::ErrorKind::InvalidInput), "{}", text(&out.stderr));
    let out = outpost(d, &["renewals", "--within", "soon"], "", &[]);
    assert_eq!(out.status.code(), Some(2), "not a number of days: a usage error");

    let alerts = list(&outpost(d, &["--json", "alerts"], "", &[]));
    assert_eq!(alerts.len() as u64, raised, "the alerts the sync said it raised");
    assert!(raised > 0, "the demo org has accounts that call for an alert");
    let id = alerts[0]["id"].as_i64().expect("id").to_string();
    let dismissed = json_out(&outpost(d, &["--json", "alerts", "--dismiss", &id], "", &[]));
    assert_eq!(dismissed["state"], "dismissed");
    assert_eq!(list(&outpost(d, &["--json", "alerts"], "", &[])).len() as u64, raised - 1);
    let all = list(&outpost(d, &["--json", "alerts", "--all"], "", &[]));
    assert!(all.iter().any(|a| a["id"] == dismissed["id"] && a["state"] == "dismissed"), "--all keeps it");
    let human = text(&outpost(d, &["alerts"], "", &[]).stdout);
    assert!(human.trim_end().ends_with(&format!("{} open alerts", raised - 1)), "{human}");
    let out = outpost(d, &["--json", "alerts", "--dismiss", "999999"], "", &[]);
    assert_eq!(out.status.code(), code(outpost::ErrorKind::NotFound));
    assert_eq!(json_out(&out)["error"]["kind"], "NotFound");

    // A company name with a terminal escape in it, and no CSM, for the quality output.
    let db = rusqlite::Connection::open(d.join("outpost.db")).expect("db");
    let gsid: String =
        db.query_row("SELECT gsid FROM companies ORDER BY gsid LIMIT 1", [], |r| r.get(0)).expect("one");
    db.execute(
        "UPDATE companies SET name = 'Aaa Evil\u{1b}[2J', csm_name = NULL, csm_email = NULL WHERE gsid = ?1",
        [&gsid],
    )
    .expect("update");
    let checks = list(&outpost(d, &["--json", "quality"], "", &[]));
    let codes: Vec<&str> = checks.iter().filter_map(|c| c["code"].as_str()).collect();
    assert_eq!(
        codes,
        [
            "no_csm",
            "no_score",
            "stale_score",
            "renewal_past",
            "cta_overdue_90",
            "px_unlinked",
            "sparse_field",
            "delete_window"
        ],
        "no_px needs a PX connection"
    );
    let no_csm =
        json_out(&outpost(d, &["--json", "quality", "--check", "no_csm", "--limit", "1000"], "", &[]));
    let count = no_csm["count"].as_u64().expect("count");
    assert!(count >= 1);
    assert_eq!(
        no_csm["items"].as_array().map(Vec::len),
        Some(count as usize),
        "every item under a large limit"
    );
    assert!(no_csm["items"].as_array().expect("items").iter().any(|i| i["id"] == gsid.as_str()));
    let human = outpost(d, &["quality", "--check", "no_csm"], "", &[]);
    let shown = text(&human.stdout);
    assert!(shown.contains("Aaa Evil\\u{1b}[2J"), "the escape is shown, not obeyed: {shown}");
    assert!(!shown.contains('\u{1b}'), "no raw control character reaches the terminal");
    let human = text(&outpost(d, &["quality"], "", &[]).stdout);
    assert!(human.contains("no_csm") && human.trim_end().ends_with("checks found something"), "{human}");
    let out = outpost(d, &["quality", "--check", "mood"], "", &[]);
    assert_eq!(out.status.code(), code(outpost::ErrorKind::InvalidInput));
    assert!(text(&out.stderr).starts_with("error[InvalidInput]: "), "{}", text(&out.stderr));
}

/// Multi-select values come out of the CLI as their labels (the cache keeps Gainsight's ids), and
/// `--field FIELD=LABEL` filters by a label.
#[tokio::test(flavor = "multi_thread")]
async fn accounts_and_account_show_picklist_labels_not_ids() {
    const PRODUCTS: [&str; 5] = ["Analytics", "Automation", "Mobile", "Integrations", "Premium Support"];
    let sim = common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    connect_cs(d, &sim.base_url(), "Sim");
    let out = outpost(d, &["--json", "fields", "Sim", "--map", "Products__gc"], "", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    sync_ok(d, &["Sim"]);

    let all = json_out(&outpost(d, &["--json", "accounts", "--limit", "1000"], "", &[]));
    let all = all.as_array().expect("accounts");
    let shown: Vec<&str> = all.iter().filter_map(|a| a["custom"]["Products__gc"].as_str()).collect();
    assert!(shown.len() >= 3, "some accounts own products: {shown:?}");
    for v in &shown {
        assert!(v.split("; ").all(|p| PRODUCTS.contains(&p)), "labels, not ids: {v:?}");
    }
    let with_mobile = shown.iter().filter(|v| v.split("; ").any(|p| p == "Mobile")).count();
    assert!(with_mobile > 0);
    let out =
        outpost(d, &["--json", "accounts", "--field", "Products__gc=Mobile", "--limit", "1000"], "", &[]);
    assert_eq!(json_out(&out).as_array().map(Vec::len), Some(with_mobile), "--field filters by the label");

    let owner = all.iter().find(|a| a["custom"]["Products__gc"].is_string()).expect("an owner");
    let gsid = owner["gsid"].as_str().expect("gsid");
    let out = outpost(d, &["account", gsid], "", &[]);
    let page = text(&out.stdout);
    let line =
        page.lines().find(|l| l.trim_start().starts_with("Products")).expect("the mapped field's line");
    assert!(line.contains(owner["custom"]["Products__gc"].as_str().unwrap_or("?")), "{line}");
    assert!(!page.contains("1I00"), "no picklist id on the account page: {page}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mistyped_host_is_refused_and_an_instance_that_stops_answering_shows_offline() {
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    let key = gainsight_sim::DEMO_ACCESS_KEY;

    // Not a host name: refused as invalid input, never expanded into a tenant address.
    let out = outpost(
        d,
        &["connect", "cs", "--name", "Typo", "--url", "notaurl!!", "--access-key-stdin"],
        key,
        &[],
    );
    assert_eq!(out.status.code(), code(outpost::ErrorKind::InvalidInput), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("\"notaurl!!\" is not a valid server name"), "{err}");
    assert!(!err.contains("notaurl!!.gainsightcloud.com"), "not expanded: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one error line: {err:?}");
    assert_eq!(text(&outpost(d, &["--json", "connections"], "", &[]).stdout).trim(), "[]", "nothing saved");

    let sim = common::sim().await;
    let url = sim.base_url();
    let host = url.trim_start_matches("http://").to_string();
    let out = outpost(d, &["connect", "cs", "--name", "Prod", "--url", &url, "--access-key-stdin"], key, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    sim.stop().await;

    let out = outpost(d, &["test", "Prod"], "", &[]);
    assert_eq!(out.status.code(), code(outpost::ErrorKind::Offline), "{}", text(&out.stderr));
    let out = outpost(d, &["connections"], "", &[]);
    let shown = text(&out.stdout);
    assert!(shown.contains(&format!("Offline: Nothing is answering at {host}")), "{shown}");
    let out = outpost(d, &["--json", "connections"], "", &[]);
    assert_eq!(json_out(&out)[0]["status"], "offline");

    // A sync says it is retrying while it does, then gives up with one error line.
    let out = outpost(d, &["sync", "Prod"], "", &[]);
    assert_eq!(out.status.code(), code(outpost::ErrorKind::Offline), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.lines()
            .any(|l| l.starts_with("Prod companies: Gainsight is not answering; retrying (1 of 2) in ")),
        "{err}"
    );
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "one error line: {err}");
    assert!(errors[0].contains(&format!("Nothing is answering at {host}")), "{err}");
}
