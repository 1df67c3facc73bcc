//! The desktop around the app, for the background tests: a notification daemon and a tray host
//! (StatusNotifierWatcher) on the session bus the tests run in, and the X11 display the app's
//! window is on. These are test peers speaking the real protocols to the real app: the daemon
//! records what the app's notification plugin sends; the tray host reads and clicks the app's
//! tray menu over dbusmenu, as a panel does; the window is closed the way a window manager's close
//! button does (`WM_DELETE_WINDOW`).

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

/// A notification as the daemon received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub summary: String,
    pub body: String,
}

struct Daemon {
    shown: Arc<Mutex<Vec<Shown>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Daemon {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        _app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut shown = self.shown.lock().expect("shown");
        shown.push(Shown { summary, body });
        u32::try_from(shown.len()).unwrap_or(u32::MAX)
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".to_string()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("outpost-e2e".into(), "outpost".into(), "1".into(), "1.2".into())
    }

    fn close_notification(&self, _id: u32) {}
}

/// A tray item that registered with the watcher: its bus name and object path.
#[derive(Clone, Debug)]
pub struct Item {
    pub service: String,
    pub path: String,
}

struct Watcher {
    items: Arc<Mutex<Vec<Item>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    /// Items register with an object path (libayatana-appindicator) or a bus name (others).
    fn register_status_notifier_item(
        &self,
        service: String,
        #[zbus(header)] header: zbus::message::Header<'_>,
    ) {
        let sender = header.sender().map(|s| s.to_string()).unwrap_or_default();
        let item = if service.starts_with('/') {
            Item { service: sender, path: service }
        } else {
            Item { service, path: "/StatusNotifierItem".to_string() }
        };
        self.items.lock().expect("items").push(item);
    }

    fn register_status_notifier_host(&self, _service: String) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.lock().expect("items").iter().map(|i| format!("{}{}", i.service, i.path)).collect()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

/// The notification daemon and the tray host, on the session bus, until dropped.
pub struct Desktop {
    bus: zbus::Connection,
    shown: Arc<Mutex<Vec<Shown>>>,
    items: Arc<Mutex<Vec<Item>>>,
}

/// One entry of a tray menu.
#[derive(Clone, Debug)]
pub struct Entry {
    pub id: i32,
    pub label: String,
    pub enabled: bool,
}

impl Desktop {
    /// Takes the two well-known names on the session bus `make test` starts (headless.sh).
    pub async fn start() -> Desktop {
        let shown = Arc::new(Mutex::new(Vec::new()));
        let items = Arc::new(Mutex::new(Vec::new()));
        let bus = zbus::connection::Builder::session()
            .and_then(|b| b.name("org.freedesktop.Notifications"))
            .and_then(|b| b.name("org.kde.StatusNotifierWatcher"))
            .and_then(|b| b.serve_at("/org/freedesktop/Notifications", Daemon { shown: shown.clone() }))
            .and_then(|b| b.serve_at("/StatusNotifierWatcher", Watcher { items: items.clone() }))
            .expect("a session bus (run under scripts/headless.sh)")
            .build()
            .await
            .expect("the notification daemon and tray host names on the session bus");
        Desktop { bus, shown, items }
    }

    pub fn shown(&self) -> Vec<Shown> {
        self.shown.lock().expect("shown").clone()
    }

    /// Waits until a notification with this summary has arrived, and returns them all.
    pub async fn wait_shown(&self, summary: &str) -> Vec<Shown> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let shown = self.shown();
            if shown.iter().any(|s| s.summary == summary) {
                return shown;
            }
            assert!(Instant::now() < deadline, "no notification {summary:?} arrived; got {shown:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The tray item the app registered (waits for it).
    pub async fn tray_item(&self) -> Item {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(item) = self.items.lock().expect("items").last().cloned() {
                return item;
            }
            assert!(Instant::now() < deadline, "the app registered no tray item with the tray host");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn menu_path(&self, item: &Item) -> OwnedObjectPath {
        let props = zbus::fdo::PropertiesProxy::builder(&self.bus)
            .destination(item.service.as_str())
            .and_then(|b| b.path(item.path.as_str()))
            .expect("a properties proxy")
            .build()
            .await
            .expect("the tray item's properties");
        let iface = zbus::names::InterfaceName::from_static_str("org.kde.StatusNotifierItem").expect("name");
        let menu = props.get(iface, "Menu").await.expect("the tray item's Menu property");
        OwnedObjectPath::try_from(menu).expect("Menu is an object path")
    }

    /// The tray menu's entries, separators left out, as a panel would show them.
    pub async fn menu(&self, item: &Item) -> Vec<Entry> {
        let path = self.menu_path(item).await;
        let reply = self
            .bus
            .call_method(
                Some(item.service.as_str()),
                path.as_str(),
                Some("com.canonical.dbusmenu"),
                "GetLayout",
                &(0i32, 1i32, Vec::<String>::new()),
            )
            .await
            .expect("GetLayout on the tray menu");
        type Layout = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);
        let (_revision, (_root, _props, children)): (u32, Layout) =
            reply.body().deserialize().expect("a dbusmenu layout");
        let mut entries = Vec::new();
        for child in children {
            let (id, props, _): Layout = Layout::try_from(child).expect("a dbusmenu item");
            let text = |key: &str| props.get(key).and_then(|v| String::try_from(v.clone()).ok());
            if text("type").as_deref() == Some("separator") {
                continue;
            }
            let enabled = props.get("enabled").and_then(|v| bool::try_from(v.clone()).ok()).unwrap_or(true);
            // GTK menus mark mnemonics with underscores; a literal one is doubled.
            let label = text("label")
                .unwrap_or_default()
                .replace("__", "\u{0}")
                .replace('_', "")
                .replace('\u{0}', "_");
            entries.push(Entry { id, label, enabled });
        }
        entries
    }

    /// The labels of the tray menu now.
    pub async fn labels(&self, item: &Item) -> Vec<String> {
        self.menu(item).await.into_iter().map(|e| e.label).collect()
    }

    /// Waits until the tray menu has an entry for which `want` holds, and returns it.
    pub async fn wait_entry(&self, item: &Item, what: &str, want: impl Fn(&Entry) -> bool) -> Entry {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let menu = self.menu(item).await;
            if let Some(e) = menu.iter().find(|e| want(e)) {
                return e.clone();
            }
            assert!(Instant::now() < deadline, "the tray menu never had {what}: {menu:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Clicks the tray menu's entry with this label, as a panel does.
    pub async fn click(&self, item: &Item, label: &str) {
        let entry = self.wait_entry(item, label, |e| e.label == label).await;
        assert!(entry.enabled, "the tray entry {label:?} is disabled");
        let path = self.menu_path(item).await;
        let stamp = 0u32;
        self.bus
            .call_method(
                Some(item.service.as_str()),
                path.as_str(),
                Some("com.canonical.dbusmenu"),
                "Event",
                &(entry.id, "clicked", Value::from(0i32), stamp),
            )
            .await
            .unwrap_or_else(|e| panic!("click the tray entry {label:?}: {e}"));
    }
}

/// The running (not yet exited) `outpost-desktop` processes on this data directory.
pub fn app_pids(data_dir: &std::path::Path) -> Vec<u32> {
    let want = data_dir.to_string_lossy().to_string();
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else { continue };
        let args: Vec<String> =
            cmdline.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
        if args.first().is_some_and(|a| a.ends_with("outpost-desktop"))
            && args.contains(&want)
            && !has_exited(pid)
        {
            pids.push(pid);
        }
    }
    pids
}

/// The app's process (found by its data directory among `outpost-desktop` processes).
pub fn app_pid(data_dir: &std::path::Path) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(pid) = app_pids(data_dir).first() {
            return *pid;
        }
        assert!(Instant::now() < deadline, "no outpost-desktop process for {}", data_dir.display());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Whether the process has ended (gone, or a zombie its parent has not reaped yet).
pub fn has_exited(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => {
            stat.rsplit_once(") ").is_some_and(|(_, rest)| rest.starts_with('Z') || rest.starts_with('X'))
        }
    }
}

/// The X11 display the app draws on (`DISPLAY`, set by headless.sh).
pub struct Display {
    conn: x11rb::rust_connection::RustConnection,
    root: u32,
}

impl Display {
    pub fn open() -> Display {
        use x11rb::connection::Connection;
        let (conn, screen) = x11rb::connect(None).expect("an X display (run under scripts/headless.sh)");
        let root = conn.setup().roots[screen].root;
        Display { conn, root }
    }

    fn atom(&self, name: &str) -> u32 {
        use x11rb::protocol::xproto::ConnectionExt;
        self.conn.intern_atom(false, name.as_bytes()).expect("intern").reply().expect("atom").atom
    }

    /// The top-level windows of process `pid` titled `title`.
    fn windows(&self, pid: u32, title: &str) -> Vec<u32> {
        use x11rb::protocol::xproto::{AtomEnum, ConnectionExt};
        let (net_pid, net_name, utf8) =
            (self.atom("_NET_WM_PID"), self.atom("_NET_WM_NAME"), self.atom("UTF8_STRING"));
        let tree = self.conn.query_tree(self.root).expect("query tree").reply().expect("tree");
        tree.children
            .into_iter()
            .filter(|&w| {
                let owner = self
                    .conn
                    .get_property(false, w, net_pid, AtomEnum::CARDINAL, 0, 1)
                    .ok()
                    .and_then(|c| c.reply().ok())
                    .and_then(|r| r.value32().and_then(|mut v| v.next()));
                let name = self
                    .conn
                    .get_property(false, w, net_name, utf8, 0, 1024)
                    .ok()
                    .and_then(|c| c.reply().ok())
                    .map(|r| String::from_utf8_lossy(&r.value).into_owned());
                owner == Some(pid) && name.as_deref() == Some(title)
            })
            .collect()
    }

    /// Whether the app's window titled `title` is mapped (on screen).
    pub fn is_shown(&self, pid: u32, title: &str) -> bool {
        use x11rb::protocol::xproto::{ConnectionExt, MapState};
        self.windows(pid, title).into_iter().any(|w| {
            self.conn
                .get_window_attributes(w)
                .ok()
                .and_then(|c| c.reply().ok())
                .is_some_and(|a| a.map_state == MapState::VIEWABLE)
        })
    }

    /// Waits until the window is shown (`true`) or hidden (`false`).
    pub fn wait_shown(&self, pid: u32, title: &str, shown: bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.is_shown(pid, title) != shown {
            assert!(
                Instant::now() < deadline,
                "the window {title:?} never became {}",
                if shown { "shown" } else { "hidden" }
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Clicks (XTEST: as the mouse would) at `x`, `y` inside the window titled `title`; a negative
    /// coordinate counts from the right or bottom edge.
    pub fn click(&self, pid: u32, title: &str, x: i16, y: i16) {
        use x11rb::connection::Connection;
        use x11rb::protocol::xproto::{
            BUTTON_PRESS_EVENT, BUTTON_RELEASE_EVENT, ConnectionExt, MOTION_NOTIFY_EVENT,
        };
        use x11rb::protocol::xtest::ConnectionExt as _;
        let w = *self.windows(pid, title).first().unwrap_or_else(|| panic!("no window {title:?}"));
        let g = self.conn.get_geometry(w).expect("geometry").reply().expect("geometry");
        let x = if x < 0 { g.width as i16 + x } else { x };
        let y = if y < 0 { g.height as i16 + y } else { y };
        let at = self.conn.translate_coordinates(w, self.root, x, y).expect("translate").reply().expect("at");
        let (ax, ay) = (at.dst_x, at.dst_y);
        self.conn.xtest_fake_input(MOTION_NOTIFY_EVENT, 0, 0, self.root, ax, ay, 0).expect("move");
        self.conn.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(100));
        self.conn.xtest_fake_input(BUTTON_PRESS_EVENT, 1, 0, self.root, ax, ay, 0).expect("press");
        self.conn.xtest_fake_input(BUTTON_RELEASE_EVENT, 1, 0, self.root, ax, ay, 0).expect("release");
        self.conn.flush().expect("flush");
    }

    /// The size of the window titled `title`.
    pub fn size(&self, pid: u32, title: &str) -> (u16, u16) {
        use x11rb::protocol::xproto::ConnectionExt;
        let w = *self.windows(pid, title).first().unwrap_or_else(|| panic!("no window {title:?}"));
        let g = self.conn.get_geometry(w).expect("geometry").reply().expect("geometry");
        (g.width, g.height)
    }

    /// Asks the window to close, as a window manager's close button does: `WM_DELETE_WINDOW`.
    pub fn close(&self, pid: u32, title: &str) {
        use x11rb::connection::Connection;
        use x11rb::protocol::xproto::{ClientMessageEvent, ConnectionExt, EventMask};
        let windows = self.windows(pid, title);
        assert!(!windows.is_empty(), "no window {title:?} of process {pid} on the display");
        let (protocols, delete) = (self.atom("WM_PROTOCOLS"), self.atom("WM_DELETE_WINDOW"));
        for w in windows {
            let event = ClientMessageEvent::new(32, w, protocols, [delete, 0, 0, 0, 0]);
            self.conn.send_event(false, w, EventMask::NO_EVENT, event).expect("send WM_DELETE_WINDOW");
        }
        self.conn.flush().expect("flush");
    }
}
