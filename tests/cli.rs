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
