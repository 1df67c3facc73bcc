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
    pub error_code: Option<String>,
    pub request_id: Option<String>,
    /// From a `Retry-After` header on a 429.
    pub retry_after: Option<Duration>,
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
        }
    }

    /// Worth trying again after a pause: the failure is about timing, not about the request.
    pub fn is_transient(&self) -> bool {
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
