//! Secrets in the OS keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows) and nowhere else. There is deliberately no fallback: without a keychain, saving fails
//! with [`ErrorKind::NoKeychain`] and a hint on how to get one.

use crate::error::{Error, ErrorKind, Result};
use crate::secret::Secret;

/// The keychain service every Outpost secret is filed under; the entry's account is the connection id.
pub const SERVICE: &str = "dev.outpost.app";

const HINT_NO_KEYCHAIN: &str = "Outpost keeps keys only in the OS keychain. On Linux, start a Secret Service \
     (GNOME Keyring or KeePassXC with Secret Service enabled) in your desktop session and unlock it, then retry.";

#[derive(Clone, Debug)]
pub struct Vault {
    service: String,
}

impl Default for Vault {
    fn default() -> Self {
        Vault { service: SERVICE.to_string() }
    }
}

impl Vault {
    /// A vault under another service name, so tests never touch a real user's entries.
    pub fn with_service(service: impl Into<String>) -> Self {
        Vault { service: service.into() }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, account).map_err(map_err)
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
