//! The desktop figures `make bench` asks for (`desktop_bench DATA_DIR`): cold start of the release
//! app on a synced cache to its first rendered accounts rows, through tauri-driver (WebDriver), and
//! the resident memory of the app and its web processes after browsing. Prints `name: value`
//! lines; asserts nothing.

use fantoccini::{ClientBuilder, Locator};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port")
}

fn args_of(pid: u32) -> Vec<String> {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|c| c.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect())
        .unwrap_or_default()
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // pid (comm) state ppid ...: the name may hold spaces, so split after its closing parenthesis.
    stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()
}

/// A `/proc/PID/<file>` line's kB figure (`VmRSS:` in status, `Pss:` in smaps_rollup).
fn kb(pid: u32, file: &str, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/{file}"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|d| d.flatten().filter_map(|e| e.file_name().to_string_lossy().parse().ok()).collect())
        .unwrap_or_default()
}

/// The app on `dir` and every process under it (WebKit's web and network processes).
fn app_tree(dir: &Path) -> Vec<u32> {
    let want = dir.to_string_lossy().to_string();
    let all = pids();
    let Some(app) = all.iter().copied().find(|p| {
        let a = args_of(*p);
        a.first().is_some_and(|x| x.ends_with("outpost-desktop")) && a.contains(&want)
    }) else {
        return Vec::new();
    };
    let mut tree = vec![app];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        let children: Vec<u32> =
            all.iter().copied().filter(|p| parent_of(*p) == Some(parent) && !tree.contains(p)).collect();
        tree.extend(children);
        i += 1;
    }
    tree
}

fn testid(id: &str) -> String {
    format!("[data-testid='{id}']")
}

#[tokio::main]
async fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: desktop_bench DATA_DIR"));
    let exe = std::env::current_exe().expect("exe");
    let app = exe.parent().and_then(Path::parent).expect("target dir").join("outpost-desktop");
    assert!(app.exists(), "{} is missing: `make bench` builds it", app.display());
    println!("binary_mb: {:.1}", std::fs::metadata(&app).map(|m| m.len()).unwrap_or(0) as f64 / 1_048_576.0);

    let (port, native) = (free_port(), free_port());
    let mut driver = Command::new("tauri-driver")
        .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tauri-driver (make deps installs it)");
    for p in [port, native] {
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", p)).is_err() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let caps = json!({
        "browserName": "wry",
        "tauri:options": { "application": app, "args": ["--data-dir", dir.to_string_lossy()] }
    });
    let mut builder = ClientBuilder::rustls().expect("rustls");
    builder.capabilities(caps.as_object().cloned().expect("caps"));
    // From the session request (the app's launch) to the first account row drawn.
    let t = Instant::now();
    let c = builder.connect(&format!("http://127.0.0.1:{port}")).await.expect("a session on the app");
    c.wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css(&testid("nav-accounts")))
        .await
        .expect("nav")
        .click()
        .await
        .expect("open Accounts");
    c.wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css(&testid("account-open")))
        .await
        .expect("the first account row");
    println!("cold_start_s: {:.3}", t.elapsed().as_secs_f64());

    // Browse: scroll the list to the end, open an account, the CTAs.
    let grid = testid("accounts-table");
    for _ in 0..20 {
        let _ = c
            .execute(
                "const g = document.querySelector(arguments[0]); if (g) g.scrollTop += g.clientHeight * 20;",
                vec![json!(grid)],
            )
            .await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if let Ok(row) = c.find(Locator::Css(&testid("account-open"))).await {
        let _ = row.click().await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    if let Ok(nav) = c.find(Locator::Css(&testid("nav-ctas"))).await {
        let _ = nav.click().await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    let tree = app_tree(&dir);
    // The processes share WebKit's libraries: summed RSS counts them once per process, PSS once.
    let rss: u64 = tree.iter().map(|p| kb(*p, "status", "VmRSS:")).sum();
    let pss: u64 = tree.iter().map(|p| kb(*p, "smaps_rollup", "Pss:")).sum();
    println!("desktop_processes: {}", tree.len());
    println!("rss_sum_mb: {:.1}", rss as f64 / 1024.0);
    println!("rss_mb: {:.1}", pss as f64 / 1024.0);
    let _ = c.close().await;
    let _ = driver.kill();
    let _ = driver.wait();
}
