//! Terminal injection: names from Gainsight, stored names and typed input never reach the terminal
//! as control characters; errors stay one line; exports are owner-only.

use crate::common;

fn outpost(data: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    crate::run::outpost(data, args, stdin, &[("OUTPOST_PX_ENDPOINTS_BASE", "http://127.0.0.1:9")])
}

use crate::run::text;

/// No byte a terminal acts on: ESC, BEL, CR, and the right-to-left override.
fn assert_inert(what: &str, out: &str) {
    for bad in ['\u{1b}', '\u{7}', '\r', '\u{202e}'] {
        assert!(!out.contains(bad), "{what} holds {bad:?}: {out:?}");
    }
}

const EVIL: &str = "Evil\u{1b}[2J\u{7}\rerror[Internal]: forged\n\u{202e}Corp";

#[tokio::test(flavor = "multi_thread")]
async fn gainsight_names_and_typed_text_are_printed_escaped() {
    let sim = common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    let url = sim.base_url();
    let out = outpost(
        d,
        &["connect", "cs", "--name", "Prod", "--url", &url, "--access-key-stdin"],
        gainsight_sim::DEMO_ACCESS_KEY,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = outpost(d, &["sync", "Prod", "--objects", "companies"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));

    // A company named to clear the screen and forge an error line, as Gainsight could send it.
    let db = rusqlite::Connection::open(d.join("outpost.db")).expect("db");
    let gsid: String =
        db.query_row("SELECT gsid FROM companies ORDER BY score LIMIT 1", [], |r| r.get(0)).expect("one");
    db.execute("UPDATE companies SET name = ?1 WHERE gsid = ?2", [EVIL, &gsid]).expect("evil name");
    for args in
        [&["accounts", "--limit", "5"][..], &["account", &gsid][..], &["ctas", "--company", &gsid][..]]
    {
        let out = outpost(d, args, "");
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        let shown = text(&out.stdout);
        assert_inert(&format!("{args:?}"), &shown);
        assert!(!shown.lines().any(|l| l.starts_with("error[")), "{args:?}: no forged error line: {shown}");
        if args[0] != "ctas" {
            assert!(shown.contains("Evil\\u{1b}[2J"), "{args:?}: the name shows, escaped: {shown}");
        }
    }
    // JSON keeps the value exactly, escaped the JSON way.
    let out = outpost(d, &["--json", "account", &gsid], "");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["company"]["name"], EVIL, "JSON carries the name as Gainsight sent it");

    // Typed text in an error: one line, escaped.
    let out = outpost(
        d,
        &["connect", "cs", "--name", "X", "--url", "acme\u{1b}[31m\nerror[Forged]: x", "--access-key-stdin"],
        "key",
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_inert("the error", &err);
    assert_eq!(err.trim_end().lines().count(), 1, "one-line errors always: {err:?}");

    // Names Outpost stores refuse control characters.
    let out = outpost(
        d,
        &["connect", "cs", "--name", "Bad\u{1b}]0;title\u{7}", "--url", &url, "--access-key-stdin"],
        gainsight_sim::DEMO_ACCESS_KEY,
    );
    assert_eq!(
        out.status.code(),
        Some(outpost::ErrorKind::InvalidInput.exit_code()),
        "{}",
        text(&out.stderr)
    );
    let out = outpost(d, &["connected-by", "Prod", "Mallory\u{202e}"], "");
    assert_eq!(
        out.status.code(),
        Some(outpost::ErrorKind::InvalidInput.exit_code()),
        "{}",
        text(&out.stderr)
    );
    let out = outpost(d, &["connections"], "");
    assert_inert("connections", &text(&out.stdout));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_px_subscription_name_becomes_a_printable_connection_name() {
    let body =
        serde_json::json!({"id": "sub-9", "name": "Px\u{1b}[2J\nerror[Internal]: forged", "products": []})
            .to_string();
    let server =
        common::raw_server(common::http_reply("200 OK", &[("Content-Type", "application/json")], &body))
            .await;
    let data = tempfile::tempdir().expect("dir");
    let base = format!("{}/v1", server.url);
    let out = outpost(data.path(), &["--json", "connect", "px", "--url", &base, "--api-key-stdin"], "k");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let card: serde_json::Value = serde_json::from_slice(&out.stdout).expect("card");
    let name = card["name"].as_str().expect("name");
    assert!(!name.chars().any(char::is_control), "the default name is printable: {name:?}");
    assert_eq!(name, "Px [2J error[Internal]: forged");
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let sim = common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    let out = outpost(
        d,
        &["connect", "cs", "--name", "Prod", "--url", &sim.base_url(), "--access-key-stdin"],
        gainsight_sim::DEMO_ACCESS_KEY,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(outpost(d, &["sync", "Prod", "--objects", "companies"], "").status.success());
    let file = d.join("accounts.csv");
    let out = outpost(d, &["export", "accounts", "--out", file.to_str().expect("path")], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mode = std::fs::metadata(&file).expect("export").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "ARR and CSM emails are for this user only");
}

#[test]
fn a_usage_error_names_the_missing_argument() {
    let data = tempfile::tempdir().expect("dir");
    let out = outpost(data.path(), &["test"], "");
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("not provided: <NAME>."), "the argument's name is kept: {err}");
    let out = outpost(data.path(), &["connect", "cs", "--name", "X", "--access-key-stdin"], "");
    let err = text(&out.stderr);
    assert!(err.contains("not provided: --url <URL>."), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err:?}");
}

/// The highest resident memory of a running process, in MB (VmHWM only grows).
fn peak_rss_mb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? / 1024)
}

/// A reply far larger than any Gainsight page, announced or streamed without a length: refused
/// as a bad reply while the sync's memory stays well under the reply's size; the other streams
/// go through.
#[tokio::test(flavor = "multi_thread")]
async fn a_runaway_reply_is_refused_with_memory_well_below_its_size() {
    use gainsight_sim::faults::{Fault, FaultRule};
    const BODY_MB: u64 = 300;
    let sim = common::sim().await;
    let data = tempfile::tempdir().expect("dir");
    let d = data.path();
    let out = outpost(
        d,
        &["connect", "cs", "--name", "Prod", "--url", &sim.base_url(), "--access-key-stdin"],
        gainsight_sim::DEMO_ACCESS_KEY,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    for announce in [true, false] {
        sim.add_fault(FaultRule {
            endpoint: "/v1/data/objects/query/call_to_action".into(),
            fault: Fault::HugeBody { mb: BODY_MB, announce },
            count: Some(1),
            probability: None,
        });
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_outpost"))
            .arg("--data-dir")
            .arg(d)
            .args(["--json", "sync", "Prod", "--full"])
            .env("OUTPOST_PX_ENDPOINTS_BASE", "http://127.0.0.1:9")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("outpost sync");
        let pid = child.id();
        let watch = std::thread::spawn(move || {
            let mut peak = 0;
            while let Some(mb) = peak_rss_mb(pid) {
                peak = peak.max(mb);
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            peak
        });
        let out = child.wait_with_output().expect("sync");
        let peak = watch.join().expect("peak");
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("summary JSON ({e}): {}{}", text(&out.stdout), text(&out.stderr)));
        let runs = summary.as_array().cloned().unwrap_or_else(|| vec![summary.clone()]);
        let streams = runs[0]["streams"].as_array().expect("streams").clone();
        let cta = streams.iter().find(|s| s["stream"] == "ctas").expect("the CTA stream");
        assert_eq!(cta["error"]["kind"], "BadResponse", "announce={announce}: {cta}");
        let message = cta["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("larger than 64 MB"), "announce={announce}: {message}");
        assert!(
            streams.iter().any(|s| s["stream"] == "companies" && s["error"].is_null()),
            "the other streams went through: {streams:?}"
        );
        eprintln!("a {BODY_MB} MB reply (length announced: {announce}): peak RSS {peak} MB");
        assert!(peak > 0, "the process's memory was read");
        assert!(peak < BODY_MB / 2, "announce={announce}: peak {peak} MB for a {BODY_MB} MB reply");
    }
}
