//! Drives the real `outpost-desktop` binary through `tauri-driver` (WebKitWebDriver) under the
//! display and keychain that `make test` provides.

#![allow(dead_code)]

pub mod desktop;

use fantoccini::error::NewSessionError;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const WAIT: Duration = Duration::from_secs(20);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// The end-to-end tests share one binary but take turns: each drives a whole app.
static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The turn alone, for a test that runs the app without WebDriver; held until dropped.
pub struct Turn(#[allow(dead_code)] std::sync::MutexGuard<'static, ()>);

pub fn take_turn() -> Turn {
    Turn(TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
}

/// A running `tauri-driver`; killed when dropped. Holds the turn while it lives.
pub struct Driver {
    child: Child,
    pub port: u16,
    _turn: std::sync::MutexGuard<'static, ()>,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    pub fn start() -> Driver {
        Driver::start_with_env(&[])
    }

    /// [`Driver::start`], with environment variables for the apps it launches (they inherit them
    /// through WebKitWebDriver).
    pub fn start_with_env(env: &[(&str, &str)]) -> Driver {
        // A test that failed while holding the turn poisons it; the next one still goes.
        let turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (port, native) = (free_port(), free_port());
        let child = Command::new("tauri-driver")
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver must be installed (make deps) to run the end-to-end tests");
        // tauri-driver listens at once, but proxies to the WebKitWebDriver it spawned, which may still be
        // starting on a loaded machine: a session request sent before that is cut off. Wait for both.
        for (what, p) in [("tauri-driver", port), ("WebKitWebDriver", native)] {
            let deadline = Instant::now() + WAIT;
            while std::net::TcpStream::connect(("127.0.0.1", p)).is_err() {
                assert!(Instant::now() < deadline, "{what} did not start listening on {p}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Driver { child, port, _turn: turn }
    }

    /// Launches the app with its own data directory and returns a WebDriver session on its webview.
    pub async fn launch(&self, data_dir: &Path) -> Client {
        // A closed app may still be on its way out, holding its data directory's single-instance
        // name: a launch meanwhile would hand over to it and exit. Wait until it is gone.
        let deadline = Instant::now() + WAIT;
        while !desktop::app_pids(data_dir).is_empty() {
            assert!(Instant::now() < deadline, "the previous app on {} did not exit", data_dir.display());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let app = env!("CARGO_BIN_EXE_outpost-desktop");
        let caps = json!({
            "browserName": "wry",
            "tauri:options": { "application": app, "args": ["--data-dir", data_dir.to_string_lossy()] }
        });
        let caps = caps.as_object().cloned().expect("capabilities object");
        let url = format!("http://127.0.0.1:{}", self.port);
        // A session request that the driver cuts off (the connection closes without a reply) is
        // retried a few times; a refused session or any other error fails at once.
        let mut attempt = 1;
        loop {
            let mut builder = ClientBuilder::rustls().expect("rustls client");
            builder.capabilities(caps.clone());
            // A launch whose app never comes up leaves WebKitWebDriver waiting for ever: bounded.
            let Ok(connected) = tokio::time::timeout(Duration::from_secs(90), builder.connect(&url)).await
            else {
                panic!("no WebDriver session on the app within 90 s (did it start?)");
            };
            match connected {
                Ok(client) => return client,
                Err(
                    e @ (NewSessionError::Failed(_) | NewSessionError::FailedC(_) | NewSessionError::Lost(_)),
                ) if attempt < 4 => {
                    eprintln!("WebDriver session attempt {attempt} was cut off ({e}); retrying");
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(500 * attempt as u64)).await;
                }
                Err(e) => panic!("a WebDriver session on the app: {e:?}"),
            }
        }
    }
}

pub fn testid(id: &str) -> String {
    format!("[data-testid='{id}']")
}

pub async fn find(c: &Client, id: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&testid(id)))
        .await
        .unwrap_or_else(|e| panic!("element {id} did not appear: {e}"))
}

pub async fn click(c: &Client, id: &str) {
    find(c, id).await.click().await.unwrap_or_else(|e| panic!("click {id}: {e}"));
}

pub async fn text(c: &Client, id: &str) -> String {
    find(c, id).await.text().await.unwrap_or_else(|e| panic!("text of {id}: {e}")).trim().to_string()
}

/// Polls until the element's attribute has the wanted value.
pub async fn wait_attr(c: &Client, id: &str, attr: &str, want: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = find(c, id).await.attr(attr).await.ok().flatten();
        if got.as_deref() == Some(want) {
            return;
        }
        assert!(Instant::now() < deadline, "{id}[{attr}] stayed {got:?}, wanted {want:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Like [`wait_attr`] with time for a whole sync.
pub async fn wait_attr_long(c: &Client, id: &str, attr: &str, want: &str) {
    wait_outcome(c, &testid(id), attr, want).await;
}

/// Waits for the element at `css` to appear (it appears once an operation has finished) and
/// checks its attribute; any other value is a failure.
pub async fn wait_outcome(c: &Client, css: &str, attr: &str, want: &str) {
    let id = css;
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Ok(el) = c.find(Locator::Css(css)).await
            && let Some(got) = el.attr(attr).await.ok().flatten()
        {
            assert_eq!(got, want, "{id}[{attr}]");
            return;
        }
        if Instant::now() >= deadline {
            let shot = screenshot(c, "timeout-outcome.png").await;
            panic!("{id} did not appear in time; the screen is in {}", shot.display());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Polls until an input's value is non-empty, and returns it.
pub async fn wait_value(c: &Client, id: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let v = find(c, id).await.prop("value").await.ok().flatten().unwrap_or_default();
        if !v.is_empty() {
            return v;
        }
        assert!(Instant::now() < deadline, "{id} stayed empty");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Where test runs leave screenshots: `artifacts/` at the repository root (not committed).
pub fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir
}

pub async fn screenshot(c: &Client, name: &str) -> PathBuf {
    // Let the webview paint the last change first: WebKit captures the last painted frame.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let png = c.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a screenshot must be a PNG");
    let path = artifacts_dir().join(name);
    std::fs::write(&path, png).expect("write screenshot");
    path
}

/// The CSS selector of an element inside the first Connected card of a product (`cs` or `px`).
pub fn in_card(kind: &str, id: &str) -> String {
    format!("[data-testid='connected-card'][data-kind='{kind}'] {}", testid(id))
}

/// The CSS selector of the first Connected card of a product (`cs` or `px`).
pub fn card_of(kind: &str) -> String {
    format!("[data-testid='connected-card'][data-kind='{kind}']")
}

/// How many elements match `css` now, without waiting: for what must not be shown.
pub async fn count_css(c: &Client, css: &str) -> usize {
    c.find_all(Locator::Css(css)).await.unwrap_or_else(|e| panic!("find {css}: {e}")).len()
}

pub async fn find_css(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("element {css} did not appear: {e}"))
}

pub async fn click_css(c: &Client, css: &str) {
    find_css(c, css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
}

pub async fn text_css(c: &Client, css: &str) -> String {
    find_css(c, css).await.text().await.unwrap_or_else(|e| panic!("text of {css}: {e}")).trim().to_string()
}

/// Polls until the element's text is `want`, and panics with what it showed instead.
pub async fn wait_text_css(c: &Client, css: &str, want: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = match c.find(Locator::Css(css)).await {
            Ok(el) => el.text().await.ok().map(|t| t.trim().to_string()),
            Err(_) => None,
        };
        if got.as_deref() == Some(want) {
            return;
        }
        if Instant::now() >= deadline {
            let shot = screenshot(c, "timeout-text.png").await;
            panic!("{css} showed {got:?}, wanted {want:?}; the screen is in {}", shot.display());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Replaces an input's value by typing, as the admin would.
pub async fn type_into(c: &Client, id: &str, value: &str) {
    let el = find(c, id).await;
    el.clear().await.unwrap_or_else(|e| panic!("clear {id}: {e}"));
    el.send_keys(value).await.unwrap_or_else(|e| panic!("type into {id}: {e}"));
}

/// POSTs JSON to the simulator's control API (`/__sim/...`) over plain HTTP/1.1 and returns the status.
pub async fn sim_post(base_url: &str, path: &str, body: &serde_json::Value) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let authority = base_url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = tokio::net::TcpStream::connect(authority).await.expect("connect to the simulator");
    let body = body.to_string();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("send to the simulator");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read the simulator's reply");
    response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("an HTTP status line")
}

/// Scrolls the first element matching `css` to the top of the window, for a screenshot of it.
pub async fn scroll_to(c: &Client, css: &str) {
    c.execute("document.querySelector(arguments[0])?.scrollIntoView(true)", vec![json!(css)])
        .await
        .unwrap_or_else(|e| panic!("scroll to {css}: {e}"));
}

/// The trimmed text of every element matching `css` now, in document order (read in one step, so a
/// list that re-renders meanwhile is never half old, half new).
pub async fn texts_css(c: &Client, css: &str) -> Vec<String> {
    let got = c
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0]), e => e.textContent.trim())",
            vec![json!(css)],
        )
        .await
        .unwrap_or_else(|e| panic!("texts of {css}: {e}"));
    serde_json::from_value(got).unwrap_or_else(|e| panic!("texts of {css}: {e}"))
}

/// Picks the option with this value in the `<select>` at `css`, as the admin would.
pub async fn select_css(c: &Client, css: &str, value: &str) {
    find_css(c, css)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("select {value} in {css}: {e}"));
}

/// A facet's values and counts as shown, in order.
pub async fn facet_counts(app: &Client, facet: &str) -> Vec<(String, i64)> {
    let css = format!("[data-testid='facet-value'][data-facet='{facet}']");
    find_css(app, &css).await;
    let got = app
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0]), e => \
             [e.dataset.value, Number(e.querySelector('.facet-count').textContent.replace(/,/g, ''))])",
            vec![json!(css)],
        )
        .await
        .expect("facet values");
    serde_json::from_value(got).expect("facet values as pairs")
}

/// Polls until `ok` holds, and panics with a screenshot when it never does.
pub async fn wait_until<F, Fut>(c: &Client, what: &str, ok: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + WAIT;
    while !ok().await {
        if Instant::now() >= deadline {
            let shot = screenshot(c, "timeout-until.png").await;
            panic!("{what} did not happen; the screen is in {}", shot.display());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The files under `roots` (recursively) that hold `needle` anywhere in their bytes.
pub fn files_holding(roots: &[PathBuf], needle: &[u8]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo: Vec<PathBuf> = roots.to_vec();
    while let Some(p) = todo.pop() {
        if p.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&p) {
                todo.extend(entries.flatten().map(|e| e.path()));
            }
        } else if let Ok(bytes) = std::fs::read(&p)
            && bytes.windows(needle.len()).any(|w| w == needle)
        {
            found.push(p);
        }
    }
    found
}

/// Where WebKit would keep an app's caches under the test's home, if anything put them there (the
/// app's own web storage is in its data dir).
pub fn webview_dirs() -> Vec<PathBuf> {
    let home = PathBuf::from(std::env::var("HOME").unwrap_or_default());
    let data =
        std::env::var("XDG_DATA_HOME").map(PathBuf::from).unwrap_or_else(|_| home.join(".local/share"));
    let cache = std::env::var("XDG_CACHE_HOME").map(PathBuf::from).unwrap_or_else(|_| home.join(".cache"));
    [data.join("dev.outpost.app"), cache.join("dev.outpost.app")].into_iter().filter(|d| d.exists()).collect()
}

/// Connects Gainsight CS to the demo org through the form (Try the demo org → Test → Save) and
/// waits for its Connected card.
pub async fn connect_demo_cs(app: &Client) {
    click(app, "connect-cs").await;
    click(app, "try-demo").await;
    wait_value(app, "instance-url").await;
    click(app, "test-connection").await;
    wait_attr(app, "test-result", "data-ok", "true").await;
    click(app, "save").await;
    wait_text_css(app, &in_card("cs", "card-status"), "Connected").await;
}

/// The text content of the first element at `css`, shown or not (WebDriver's text is only what
/// is on screen: a cell scrolled out of the table reads empty).
pub async fn text_content(c: &Client, css: &str) -> String {
    let got = c
        .execute("return document.querySelector(arguments[0])?.textContent ?? ''", vec![json!(css)])
        .await
        .expect("text content");
    got.as_str().unwrap_or_default().to_string()
}

/// The `data-NAME` attribute of every element at `css`, in order.
pub async fn data_of_all(c: &Client, css: &str, name: &str) -> Vec<String> {
    let got = c
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0]), e => e.dataset[arguments[1]] ?? '')",
            vec![json!(css), json!(name)],
        )
        .await
        .expect("attributes");
    serde_json::from_value(got).expect("strings")
}
