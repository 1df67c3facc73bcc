//! End to end: one app per data directory (a second launch hands over to the first and exits) and
//! the window's size kept between runs.

use crate::support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_launch_on_the_same_data_dir_hands_over_and_exits() {
    let data = tempfile::tempdir().expect("data dir");
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    find(&app, "nav-about").await;

    let mut second = Command::new(env!("CARGO_BIN_EXE_outpost-desktop"))
        .arg("--data-dir")
        .arg(data.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("a second launch");
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = second.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = second.kill();
            panic!("the second launch kept running: single instance did not hand over");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "the second launch exits cleanly after handing over: {status}");
    // The first is still there, and shown.
    click(&app, "nav-about").await;
    assert_eq!(text(&app, "about-version").await, env!("CARGO_PKG_VERSION"), "the first app still answers");
    app.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_size_is_kept_between_runs() {
    let data = tempfile::tempdir().expect("data dir");
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    find(&app, "nav-about").await;
    app.set_window_size(1010, 710).await.expect("resize");
    let deadline = Instant::now() + WAIT;
    while !data.path().join("window.json").exists() {
        assert!(Instant::now() < deadline, "the placement was never saved to window.json");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, _, w, h) = app.get_window_rect().await.expect("rect");
    app.close().await.expect("close");
    drop(driver);

    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    find(&app, "nav-about").await;
    let (_, _, w2, h2) = app.get_window_rect().await.expect("rect");
    assert_eq!((w2, h2), (w, h), "the second run opens at the size the first one ended with");
    assert_ne!((w2, h2), (1200, 800), "not the configured default size");
    app.close().await.expect("close");
}
