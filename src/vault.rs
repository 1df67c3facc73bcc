//! Secrets in the OS keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows) and nowhere else. There is deliberately no fallback: without a keychain, saving fails
//! with [`ErrorKind::NoKeychain`] and a hint on how to get one.
//!
//! `keyring` quietly falls back to its in-memory mock store when a build lacks the platform's
//! feature; a key saved there is gone at the next launch. Two guards keep that from happening:
//! a build for an OS without a native backend does not compile, and at run time the vault asks
//! the store how long it keeps secrets and refuses any store that does not keep them on disk.

use std::sync::Arc;

use keyring::credential::{CredentialBuilder, CredentialPersistence};

use crate::error::{Error, ErrorKind, Result};
use crate::secret::Secret;

#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    target_os = "windows"
)))]
compile_error!("Outpost keeps keys only in a native OS keychain, and keyring has none for this target.");

/// The keychain service every Outpost secret is filed under; the entry's account is the connection id.
pub const SERVICE: &str = "dev.outpost.app";

const HINT_NO_KEYCHAIN: &str = "Outpost keeps keys only in the OS keychain. On Linux, start a Secret Service \
     (GNOME Keyring or KeePassXC with Secret Service enabled) in your desktop session and unlock it, then retry.";

const HINT_NOT_PERSISTENT: &str = "This build of Outpost has no OS keychain backend and will not keep keys \
     in memory only. Install an official Outpost package for your system.";

#[derive(Clone)]
pub struct Vault {
    service: String,
    store: Arc<CredentialBuilder>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("service", &self.service).finish_non_exhaustive()
    }
}

impl Default for Vault {
    fn default() -> Self {
        Vault::with_service(SERVICE)
    }
}

impl Vault {
    /// A vault under another service name, so tests never touch a real user's entries.
    pub fn with_service(service: impl Into<String>) -> Self {
        Vault { service: service.into(), store: Arc::from(keyring::default::default_credential_builder()) }
    }

    /// A vault over a given credential store; the vault still refuses stores that forget.
    pub fn with_store(service: impl Into<String>, store: Box<CredentialBuilder>) -> Self {
        Vault { service: service.into(), store: Arc::from(store) }
    }

    /// Whether this store keeps a key until it is deleted: the mock store (in the entry) and
    /// kernel keyutils (until reboot) do not.
    pub fn is_persistent(&self) -> bool {
        matches!(self.store.persistence(), CredentialPersistence::UntilDelete)
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry> {
        if !self.is_persistent() {
            return Err(Error::new(
                ErrorKind::NoKeychain,
                "No OS keychain: this build only has an in-memory store.",
            )
            .with_hint(HINT_NOT_PERSISTENT));
        }
        let credential = self.store.build(None, &self.service, account).map_err(map_err)?;
        Ok(keyring::Entry::new_with_credential(credential))
    }

    /// Blocking: call from a blocking thread in async code.
    pub fn save(&self, account: &str, secret: &Secret) -> Result<()> {
        self.entry(account)?.set_password(secret.expose()).map_err(map_err)
    }

    pub fn load(&self, account: &str) -> Result<Secret> {
        self.entry(account)?.get_password().map(Secret::new).map_err(map_err)
    }

    /// Removing a secret that is already gone is not an error.
    pub fn delete(&self, account: &str) -> Result<()> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }
}

fn map_err(e: keyring::Error) -> Error {
    match e {
        keyring::Error::NoEntry => Error::new(ErrorKind::NotFound, "The key is not in the OS keychain.")
            .with_hint("Reconnect, or use Update key to store it again."),
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => Error::new(
            ErrorKind::NoKeychain,
            format!("No OS keychain could be reached ({}).", first_line(&inner.to_string())),
        )
        .with_hint(HINT_NO_KEYCHAIN),
        other => {
            Error::new(ErrorKind::KeychainError, format!("The OS keychain refused the operation: {other}."))
        }
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}
