//! The built `outpost` binary against the simulator: connect (key on stdin), connections, test,
//! disconnect, with the contract's exit codes and error lines.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn outpost(data: &std::path::Path, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_outpost"));
    cmd.arg("--data-dir").arg(data).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child =
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("run");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

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
    let emea = all.iter().filter(|a| a["custom"].as_str().is_some_and(|c| c.contains("\"EMEA\""))).count();
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
