//! End to end: the About panel shows the version and the commit the app was built from.

use crate::support;

use support::*;

fn git_head() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(|| "unknown".to_string(), |o| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn about_shows_the_version_and_the_commit_built_from() {
    let data = tempfile::tempdir().expect("data dir");
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    click(&app, "nav-about").await;
    assert_eq!(text(&app, "about-version").await, env!("CARGO_PKG_VERSION"), "the workspace version");
    assert_eq!(text(&app, "about-commit").await, format!("commit {}", git_head()), "this checkout's HEAD");
    app.close().await.expect("close");
}
