//! Failures of a Gainsight call, classified once, with what the API said about them.

use crate::error::{Error, ErrorKind};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
    pub hint: Option<String>,
    pub status: Option<u16>,
    /// Gainsight's `errorCode`, e.g. `GS_APIG_2401`.
    pub error_code: Option<Box<str>>,
    pub request_id: Option<Box<str>>,
    /// From a `Retry-After` header on a 429.
    pub retry_after: Option<Duration>,
    /// Gainsight's `errorDesc`. It can echo record values, so it is never shown or logged: it is
    /// only searched for the field names Outpost itself asked for (which field was refused).
    pub desc: Desc,
}

/// An `errorDesc` kept out of messages and `Debug` output.
#[derive(Clone, Default, PartialEq)]
pub struct Desc(Option<Box<str>>);

impl Desc {
    pub fn new(text: Option<String>) -> Self {
        Desc(text.map(String::into_boxed_str))
    }

    /// Which of `names` the description mentions as a whole word (case-insensitive), in order.
    pub fn mentions<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        let Some(text) = &self.0 else { return Vec::new() };
        let lower = text.to_ascii_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .map(|w| w.trim_matches('.'))
            .filter(|w| !w.is_empty())
            .collect();
        names.into_iter().filter(|n| words.contains(&n.to_ascii_lowercase().as_str())).collect()
    }
}

impl std::fmt::Debug for Desc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Desc(<withheld>)" } else { "Desc(None)" })
    }
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>, hint: Option<&str>) -> Self {
        ApiError {
            kind,
            message: message.into(),
            hint: hint.map(str::to_string),
            status: None,
            error_code: None,
            request_id: None,
            retry_after: None,
            desc: Desc::default(),
        }
    }

    /// Gainsight's answer to a field this org does not have (or hides from the API user).
    pub fn is_unknown_field(&self) -> bool {
        self.error_code.as_deref() == Some("GSOBJ_1002")
    }

    /// Gainsight's answer to an object this org does not have.
    pub fn is_unknown_object(&self) -> bool {
        matches!(self.error_code.as_deref(), Some("OBJECT_NOT_FOUND" | "GSOBJ_1023"))
    }

    /// Worth trying again after a pause: the failure is about timing, not about the request.
    pub fn is_transient(&self) -> bool {
        // Outpost's own daily limit spent: nothing changes before midnight UTC.
        if self.error_code.as_deref() == Some(crate::budget::DAILY_LIMIT_CODE) {
            return false;
        }
        matches!(
            self.kind,
            ErrorKind::RateLimited | ErrorKind::Timeout | ErrorKind::ServerError | ErrorKind::Offline
        )
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error { kind: e.kind, message: e.message, hint: e.hint }
    }
}

pub(crate) const HINT_KEY: &str = "Copy the Access Key again exactly as Gainsight showed it. If someone pressed \
     Re-Generate in Administration > Connectors 2.0, the old key stopped working at once: use the new one.";
pub(crate) const HINT_DOMAIN: &str = "Use the address you open Gainsight at, with nothing after the domain \
     (e.g. https://acme.gainsightcloud.com, or your region's us2./eu. address or custom domain).";
pub(crate) const HINT_IP: &str = "Ask a Gainsight admin to add this computer's public IP address to the \
     allow-list of the API connection, or use an M2M OAuth key.";
pub(crate) const HINT_OFFLINE: &str =
    "Check this computer's network connection and that the address is right.";
pub(crate) const HINT_RETRY: &str = "This is usually temporary: try again in a minute.";
