//! The real app started on a damaged cache: instead of exiting with nothing on screen, it asks
//! (a native dialog: Rebuild the cache, or Quit) and changes nothing until answered. Closing the
//! dialog quits with the file untouched; its Rebuild the cache button moves the file aside and
//! syncs the kept connection again.

use crate::support;

use std::time::{Duration, Instant};
use support::desktop::{Display, has_exited};

const DIALOG: &str = "Outpost: the local cache is damaged";

#[test]
fn a_damaged_cache_asks_before_anything_changes_and_closing_the_question_quits() {
    let _turn = support::take_turn();
    let data = tempfile::tempdir().expect("data dir");
    let db = data.path().join("outpost.db");
    let junk = b"not a database: a file someone saved over the cache\n".repeat(200);
    std::fs::write(&db, &junk).expect("junk");

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_outpost-desktop"))
        .arg("--data-dir")
        .arg(data.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("the app");
    let pid = child.id();
    let display = Display::open();
    display.wait_shown(pid, DIALOG, true);
    assert!(child.try_wait().expect("wait").is_none(), "the app waits for the answer");
    assert!(!display.is_shown(pid, "Outpost"), "no main window on a cache it could not open");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(std::fs::read(&db).expect("db"), junk, "nothing changed before the answer");

    // Closing the question is "Quit": the app ends and the file is as it was.
    display.close(pid, DIALOG);
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().expect("wait").is_none() {
        assert!(Instant::now() < deadline, "the app quits when the question is closed");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(has_exited(pid));
    assert_eq!(std::fs::read(&db).expect("db"), junk, "quitting leaves the file untouched");
    let moved = std::fs::read_dir(data.path())
        .expect("dir")
        .flatten()
        .any(|e| e.file_name().to_string_lossy().contains("damaged"));
    assert!(!moved, "nothing moved aside without the answer");
}

/// The answer "Rebuild the cache", clicked as the admin would: the damaged file is moved aside,
/// the window opens on the new cache, and the kept connection (its key still in the keychain)
/// syncs the org back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebuild_the_cache_from_the_question_keeps_the_connection_and_syncs_it_again() {
    let _turn = support::take_turn();
    let sim = gainsight_sim::start(gainsight_sim::SimConfig { companies: 30, ..Default::default() })
        .await
        .expect("simulator");
    let data = tempfile::tempdir().expect("data dir");
    {
        let app = outpost::Outpost::open(data.path()).expect("open");
        let input = outpost::connections::CsConnectInput {
            name: "Sim".into(),
            description: None,
            instance_url: sim.base_url(),
            access_key: gainsight_sim::DEMO_ACCESS_KEY.into(),
        };
        app.connect_cs(&input).await.expect("connect");
        assert_eq!(app.sync("Sim", Default::default(), &|_| {}).await.expect("sync").outcome, "ok");
    }
    // Junk over the file's last pages, where the synced rows are; the connections table is
    // created first and stays readable.
    let db = data.path().join("outpost.db");
    let mut bytes = std::fs::read(&db).expect("db");
    let n = bytes.len();
    bytes[n - 64 * 1024..].fill(0xAB);
    std::fs::write(&db, &bytes).expect("damage");

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_outpost-desktop"))
        .arg("--data-dir")
        .arg(data.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("the app");
    let pid = child.id();
    let display = Display::open();
    display.wait_shown(pid, DIALOG, true);
    // The two buttons share the dialog's bottom row: "Rebuild the cache" is the left one.
    let (width, _) = display.size(pid, DIALOG);
    display.click(pid, DIALOG, (width / 4) as i16, -16);
    display.wait_shown(pid, "Outpost", true);

    let deadline = Instant::now() + Duration::from_secs(60);
    let card = loop {
        let card = outpost::Outpost::open(data.path()).ok().and_then(|a| a.connection("Sim").ok());
        if let Some(c) = card.filter(|c| c.last_sync_at.is_some()) {
            break c;
        }
        assert!(Instant::now() < deadline, "the kept connection synced after the rebuild");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(card.status, outpost::connections::ConnectionStatus::Connected);
    let app = outpost::Outpost::open(data.path()).expect("the new cache");
    let page = app.account_page(&Default::default()).expect("accounts");
    assert_eq!(page.total, 30, "the org is back in the new cache");
    let moved: Vec<_> = std::fs::read_dir(data.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("outpost.db.damaged-") && !n.ends_with("-wal") && !n.ends_with("-shm"))
        .collect();
    assert_eq!(moved.len(), 1, "the damaged file is kept aside: {moved:?}");
    assert_eq!(std::fs::read(data.path().join(&moved[0])).expect("moved"), bytes, "untouched");
    let _ = child.kill();
    let _ = child.wait();
}
