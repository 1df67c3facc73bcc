//! The core's entry point: one [`Outpost`] per data directory, shared by the CLI and the desktop app.

use crate::budget::BudgetStore;
use crate::db;
use crate::error::{Error, ErrorKind, Result};
use crate::gainsight::http::DnsProbe;
use crate::gainsight::px::PxEndpoints;
use crate::vault::Vault;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// The folder the desktop app and the CLI share unless told otherwise
/// (`~/.local/share/dev.outpost.app` on Linux).
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir().unwrap_or_else(std::env::temp_dir).join("dev.outpost.app")
}

pub struct Outpost {
    data_dir: PathBuf,
    db: Mutex<Connection>,
    /// The accounts list in memory, kept until the database changes.
    pub(crate) accounts: crate::db::account_index::AccountIndex,
    /// The org-wide CTA list in memory, the same way.
    pub(crate) ctas: crate::db::cta_index::CtaIndex,
    pub(crate) vault: Vault,
    /// The CS call budgets of every org, shared with the other Outpost processes (`budget.sqlite`).
    pub(crate) budget: Arc<BudgetStore>,
    /// The CS rate window for simulators on this computer (tests shorten it); real orgs always
    /// count per minute.
    pub(crate) loopback_window: std::time::Duration,
    /// Where PX regions live; tests point them at the simulator.
    pub(crate) px_endpoints: PxEndpoints,
    /// How a failed name lookup is told from no network; tests choose the names it looks up.
    pub(crate) dns_probe: DnsProbe,
    /// The syncs this process runs now (see [`crate::sync::running`]).
    pub(crate) running: crate::sync::running::Registry,
    /// The demo org, once started in this process.
    #[cfg(feature = "demo")]
    pub(crate) demo: tokio::sync::Mutex<Option<crate::demo::Demo>>,
}

impl Outpost {
    /// Opens the data directory (creating it), its database, and the OS keychain vault.
    pub fn open(data_dir: &Path) -> Result<Self> {
        Self::open_with_vault(data_dir, Vault::default())
    }

    pub fn open_with_vault(data_dir: &Path, vault: Vault) -> Result<Self> {
        crate::private::folder(data_dir)?;
        let path = data_dir.join("outpost.db");
        crate::private::file(&path)?;
        let conn = db::open(&path)?;
        // SQLite creates the WAL and shared-memory files with the database's own permissions; these
        // may be older files, from before the database was made owner-only.
        for side in ["outpost.db", "outpost.db-wal", "outpost.db-shm"] {
            crate::private::file(&data_dir.join(side))?;
        }
        let budget = Arc::new(BudgetStore::open(&data_dir.join("budget.sqlite"))?);
        let locks = data_dir.join("locks");
        if locks.exists() {
            crate::private::folder(&locks)?;
            for lock in std::fs::read_dir(&locks).into_iter().flatten().flatten() {
                crate::private::file(&lock.path())?;
            }
        }
        Ok(Outpost {
            data_dir: data_dir.to_path_buf(),
            db: Mutex::new(conn),
            accounts: Default::default(),
            ctas: Default::default(),
            vault,
            budget,
            loopback_window: std::time::Duration::from_secs(60),
            px_endpoints: PxEndpoints::default(),
            dns_probe: DnsProbe::default(),
            running: Default::default(),
            #[cfg(feature = "demo")]
            demo: tokio::sync::Mutex::new(None),
        })
    }

    /// Points PX region names (US, EU, US2, auto-detect) at other base URLs, e.g.
    /// [`PxEndpoints::simulator`] in tests.
    pub fn with_px_endpoints(mut self, endpoints: PxEndpoints) -> Self {
        self.px_endpoints = endpoints;
        self
    }

    /// Looks up these names, not the default ones, to tell "no such server" from "no network".
    pub fn with_dns_probe(mut self, probe: DnsProbe) -> Self {
        self.dns_probe = probe;
        self
    }

    pub fn px_endpoints(&self) -> &PxEndpoints {
        &self.px_endpoints
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub(crate) fn db(&self) -> Result<MutexGuard<'_, Connection>> {
        self.db
            .lock()
            .map_err(|_| Error::new(ErrorKind::Internal, "The database lock was poisoned by a crash."))
    }

    /// Counts CS calls to simulators on this computer (loopback instances) per `window` instead of
    /// per minute, to match a simulator started with a short window. Real orgs are unaffected.
    pub fn with_loopback_window(mut self, window: std::time::Duration) -> Self {
        self.loopback_window = window.max(std::time::Duration::from_millis(100));
        self
    }

    /// The time, read in one place: logic below takes it as a parameter.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }

    /// Without the demo org built in, no URL is the demo's.
    #[cfg(not(feature = "demo"))]
    pub(crate) async fn is_demo_url(&self, _url: &str) -> bool {
        false
    }

    /// Runs a keychain operation on a blocking thread (Secret Service calls block on D-Bus).
    pub(crate) async fn with_vault<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Vault) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let vault = self.vault.clone();
        tokio::task::spawn_blocking(move || f(&vault))
            .await
            .map_err(|e| Error::new(ErrorKind::Internal, format!("keychain task failed: {e}")))?
    }
}

/// The OS account's full name, falling back to its login name.
pub fn os_user_full_name() -> String {
    match whoami::realname() {
        Ok(name) if !name.trim().is_empty() => name.trim().to_string(),
        _ => whoami::username().unwrap_or_else(|_| "unknown".to_string()),
    }
}
