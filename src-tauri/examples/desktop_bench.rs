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

/// Times one action in the page, from the action to the first frame after its result is drawn:
/// `[ms from the action, ms from the query's IPC call]` (the second when the action sends one;
/// a search waits its debounce before it does). Null when it never got there in 10 s.
const TIMED: &str = r#"
const done = arguments[arguments.length - 1];
const [act, arg] = arguments;
const q = (s) => document.querySelector(s);
// The UI keeps each IPC reply with its send and answer times once this array exists (src/ipc.ts).
if (!Array.isArray(window.__outpostIpcLog)) window.__outpostIpcLog = [];
const queries = ['account_page', 'cta_page', 'get_account'];
let busySeen = false;
const rows = () => q("[data-testid='accounts-rows']") || q("[data-testid='ctas-rows']");
const busy = () => { const r = rows(); return !!r && r.getAttribute('aria-busy') === 'true'; };
const ready = () => {
  if (act === 'nav') return !!q(arg.ready);
  if (act === 'open') return !!q("[data-testid='score-chart'] canvas") && !!q("[data-testid='account-name']");
  if (busy()) busySeen = true;
  return busySeen && !busy();
};
const t0 = performance.now();
let finished = false;
const finish = () => {
  if (finished) return; finished = true;
  const t1 = performance.now();
  // The first query this action sent: from its call, and from its answer, to the drawn frame.
  const log = window.__outpostIpcLog;
  const call = log.find((e) => e.sentAt >= t0 && queries.includes(e.name));
  window.__outpostIpcLog = [];
  requestAnimationFrame(() => done([t1 - t0, call ? t1 - call.sentAt : null, call ? t1 - call.at : null]));
};
const o = new MutationObserver(() => { if (ready()) { o.disconnect(); finish(); } });
o.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
setTimeout(() => { o.disconnect(); if (!finished) { finished = true; done(null); } }, 10000);
if (act === 'nav') q(`[data-testid='nav-${arg.screen}']`).click();
if (act === 'open') q("[data-testid='account-open']").click();
if (act === 'facet') q(arg).click();
if (act === 'search') {
  const input = q("[data-testid='account-search']");
  input.value = arg;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}
"#;

/// The Accounts search's debounce (`Accounts.svelte`): a keystroke's query starts this much later.
const SEARCH_DEBOUNCE_MS: f64 = 150.0;

/// One timed action (see [`TIMED`]): ms from the action, from its query's call and from the
/// query's answer, to the frame that shows the result.
async fn timed(c: &fantoccini::Client, act: &str, arg: serde_json::Value) -> Option<(f64, Option<f64>)> {
    timed3(c, act, arg).await.map(|(all, from_call, _)| (all, from_call))
}

async fn timed3(
    c: &fantoccini::Client,
    act: &str,
    arg: serde_json::Value,
) -> Option<(f64, Option<f64>, Option<f64>)> {
    let got = match c.execute_async(TIMED, vec![json!(act), arg]).await {
        Ok(v) => v,
        Err(e) => {
            eprintln!("desktop_bench: timing {act} failed: {e}");
            return None;
        }
    };
    let v = got.as_array()?;
    Some((v.first()?.as_f64()?, v.get(1).and_then(|v| v.as_f64()), v.get(2).and_then(|v| v.as_f64())))
}

fn pct(samples: &[f64], p: usize) -> f64 {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    s.get((s.len() * p / 100).min(s.len().saturating_sub(1))).copied().unwrap_or(f64::NAN)
}

/// Prints `name_p50_ms` and `name_p95_ms` of the samples.
fn report(name: &str, samples: &[f64]) {
    if samples.is_empty() {
        println!("{name}_samples: 0");
        return;
    }
    println!("{name}_p50_ms: {:.1}", pct(samples, 50));
    println!("{name}_p95_ms: {:.1}", pct(samples, 95));
}

/// The screens as an admin uses them, timed in the page: Accounts and CTAs opened (first rows
/// drawn), a search keystroke and a facet click (rows updated), an account opened (its chart drawn).
async fn ui_timings(c: &fantoccini::Client) {
    let (mut accounts, mut ctas, mut open, mut open_draw) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..8 {
        let nav = |screen: &str, ready: &str| json!({"screen": screen, "ready": ready});
        if let Some((ms, _)) = timed(c, "nav", nav("ctas", "[data-testid='cta-row']")).await {
            ctas.push(ms);
        }
        if let Some((ms, _)) = timed(c, "nav", nav("accounts", "[data-testid='account-row']")).await {
            accounts.push(ms);
        }
        if let Some((ms, _, drawn)) = timed3(c, "open", json!(null)).await {
            open.push(ms);
            if let Some(d) = drawn {
                open_draw.push(d);
            }
        }
    }
    // Back to the list (from the account page, by way of another screen).
    let _ = timed(c, "nav", json!({"screen": "ctas", "ready": "[data-testid='cta-row']"})).await;
    let _ = timed(c, "nav", json!({"screen": "accounts", "ready": "[data-testid='account-row']"})).await;
    report("ui_ctas_first_rows", &ctas);
    report("ui_accounts_first_rows", &accounts);
    report("ui_account_page", &open);
    // Of which: from the account's data arriving to its page drawn (charts included).
    report("ui_account_page_draw", &open_draw);

    // Typing a name a letter at a time, then clearing it: each keystroke's rows.
    let names: Vec<String> = c
        .execute(
            "return Array.from(document.querySelectorAll(\"[data-testid='account-open']\"), e => e.textContent).slice(3, 6)",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let (mut keystroke, mut search, mut search_draw) = (Vec::new(), Vec::new(), Vec::new());
    for name in &names {
        for k in 1..=name.chars().count().min(8) {
            let prefix: String = name.chars().take(k).collect();
            if let Some((ms, from_query, drawn)) = timed3(c, "search", json!(prefix)).await {
                keystroke.push(ms);
                search_draw.extend(drawn);
                // From the query's IPC call when the page lets it be seen; else the keystroke
                // less the list's fixed 150 ms debounce.
                search.push(from_query.unwrap_or((ms - SEARCH_DEBOUNCE_MS).max(0.0)));
            }
        }
        let _ = timed(c, "search", json!("")).await;
    }
    report("ui_search_keystroke", &keystroke);
    report("ui_search_rows", &search);
    report("ui_search_rows_draw", &search_draw);

    // A band facet clicked on, then off again.
    let (mut facet, mut facet_draw) = (Vec::new(), Vec::new());
    let band = "[data-testid='facet-value'][data-facet='band']";
    for i in 0..10 {
        let css = if i % 2 == 0 { band } else { "[data-testid='filter-chip']" };
        if let Some((ms, _, drawn)) = timed3(c, "facet", json!(css)).await {
            facet.push(ms);
            facet_draw.extend(drawn);
        }
    }
    report("ui_facet_click", &facet);
    report("ui_facet_rows_draw", &facet_draw);

    // Scrolling the whole list a screen at a time, a frame per step: the frames that showed a row
    // still loading (a placeholder), out of all. About a thousand frames: longer than WebDriver's
    // default 30 s script timeout under Xvfb.
    let long = fantoccini::wd::TimeoutConfiguration::new(Some(Duration::from_secs(300)), None, None);
    if let Err(e) = c.update_timeouts(long).await {
        eprintln!("desktop_bench: could not raise the script timeout: {e}");
    }
    let started = Instant::now();
    let blank = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const g = document.querySelector(\"[data-testid='accounts-table']\");
             let frames = 0, blank = 0;
             const step = () => {
               frames += 1;
               if (document.querySelector(\"[data-testid='account-row-loading']\")) blank += 1;
               if (g.scrollTop + g.clientHeight >= g.scrollHeight - 1 || frames > 2000) { done([frames, blank]); return; }
               g.scrollTop += g.clientHeight;
               requestAnimationFrame(step);
             };
             requestAnimationFrame(step);",
            vec![],
        )
        .await
        .map_err(|e| eprintln!("desktop_bench: the scroll script failed: {e}"))
        .ok()
        .and_then(|v| serde_json::from_value::<(u64, u64)>(v).ok());
    if let Some((frames, blank)) = blank {
        println!("ui_scroll_frames: {frames}");
        println!(
            "ui_scroll_ms_per_frame: {:.1}",
            started.elapsed().as_secs_f64() * 1e3 / frames.max(1) as f64
        );
        println!("ui_scroll_blank_frames: {blank}");
    }
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

    ui_timings(&c).await;

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
    let web: u64 = tree
        .iter()
        .filter(|p| args_of(**p).first().is_some_and(|a| a.contains("WebKitWebProcess")))
        .map(|p| kb(*p, "smaps_rollup", "Pss:"))
        .sum();
    println!("webview_mb: {:.1}", web as f64 / 1024.0);
    println!("desktop_processes: {}", tree.len());
    println!("rss_sum_mb: {:.1}", rss as f64 / 1024.0);
    println!("rss_mb: {:.1}", pss as f64 / 1024.0);
    let _ = c.close().await;
    let _ = driver.kill();
    let _ = driver.wait();
}
