//! The error kinds every layer shares. The UI and the CLI branch on [`ErrorKind`], never on text;
//! each module keeps its own error type and maps into a kind at the boundary.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum ErrorKind {
    /// Something the admin typed is not acceptable (URL, key, name).
    InvalidInput,
    /// Gainsight rejected the key or token (wrong, re-generated, missing).
    InvalidKey,
    /// The org only accepts calls from allow-listed IP addresses.
    IpNotAllowed,
    /// What answered is not a Gainsight API (wrong domain or region, redirect, HTML, DNS, TLS name).
    WrongInstance,
    /// The key lacks a permission (PX Read).
    Forbidden,
    RateLimited,
    /// Nothing answered: no network, or nothing listening at the address.
    Offline,
    Timeout,
    ServerError,
    /// Gainsight refused the request itself (unknown field or object, bad query).
    Rejected,
    /// The reply could not be understood.
    BadResponse,
    /// No OS keychain (Secret Service, Keychain, Credential Manager) could be reached.
    NoKeychain,
    KeychainError,
    NotFound,
    /// A connection with that name already exists.
    Conflict,
    Database,
    Internal,
}

impl ErrorKind {
    /// Kinds that mean Gainsight gave no answer at all (no network, nothing listening, no reply in
    /// time): the card shows Offline, not a problem with the connection.
    pub fn is_unanswered(self) -> bool {
        matches!(self, ErrorKind::Offline | ErrorKind::Timeout)
    }

    /// A distinct process exit code per kind for the CLI (2 is clap's usage error).
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Internal => 1,
            ErrorKind::InvalidInput => 3,
            ErrorKind::InvalidKey => 10,
            ErrorKind::IpNotAllowed => 11,
            ErrorKind::WrongInstance => 12,
            ErrorKind::Forbidden => 13,
            ErrorKind::RateLimited => 14,
            ErrorKind::Offline => 15,
            ErrorKind::Timeout => 16,
            ErrorKind::ServerError => 17,
            ErrorKind::Rejected => 18,
            ErrorKind::BadResponse => 19,
            ErrorKind::NoKeychain => 20,
            ErrorKind::KeychainError => 21,
            ErrorKind::NotFound => 22,
            ErrorKind::Conflict => 23,
            ErrorKind::Database => 24,
        }
    }

    pub const ALL: [ErrorKind; 17] = [
        ErrorKind::Internal,
        ErrorKind::InvalidInput,
        ErrorKind::InvalidKey,
        ErrorKind::IpNotAllowed,
        ErrorKind::WrongInstance,
        ErrorKind::Forbidden,
        ErrorKind::RateLimited,
        ErrorKind::Offline,
        ErrorKind::Timeout,
        ErrorKind::ServerError,
        ErrorKind::Rejected,
        ErrorKind::BadResponse,
        ErrorKind::NoKeychain,
        ErrorKind::KeychainError,
        ErrorKind::NotFound,
        ErrorKind::Conflict,
        ErrorKind::Database,
    ];

    /// The kind a stored name stands for (`Internal` for a name this version does not know).
    pub fn parse(name: &str) -> ErrorKind {
        ErrorKind::ALL.into_iter().find(|k| k.name() == name).unwrap_or(ErrorKind::Internal)
    }

    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "InvalidInput",
            ErrorKind::InvalidKey => "InvalidKey",
            ErrorKind::IpNotAllowed => "IpNotAllowed",
            ErrorKind::WrongInstance => "WrongInstance",
            ErrorKind::Forbidden => "Forbidden",
            ErrorKind::RateLimited => "RateLimited",
            ErrorKind::Offline => "Offline",
            ErrorKind::Timeout => "Timeout",
            ErrorKind::ServerError => "ServerError",
            ErrorKind::Rejected => "Rejected",
            ErrorKind::BadResponse => "BadResponse",
            ErrorKind::NoKeychain => "NoKeychain",
            ErrorKind::KeychainError => "KeychainError",
            ErrorKind::NotFound => "NotFound",
            ErrorKind::Conflict => "Conflict",
            ErrorKind::Database => "Database",
            ErrorKind::Internal => "Internal",
        }
    }
}

/// What crosses to the UI and what the CLI prints: `error[kind]: message (hint)`.
#[derive(Clone, Debug, Serialize, Deserialize, TS, PartialEq)]
pub struct ErrorPayload {
    pub kind: ErrorKind,
    pub message: String,
    pub hint: Option<String>,
}

/// The crate-level error: a kind, a plain-language message and, where one helps, a hint.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub hint: Option<String>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), hint: None }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload { kind: self.kind, message: self.message.clone(), hint: self.hint.clone() }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<crate::gainsight::instance::UrlError> for Error {
    fn from(e: crate::gainsight::instance::UrlError) -> Self {
        Error::new(ErrorKind::InvalidInput, format!("Instance URL: {e}."))
            .with_hint("Use the address you open Gainsight at, e.g. https://acme.gainsightcloud.com.")
    }
}

impl From<crate::gainsight::key::KeyError> for Error {
    fn from(e: crate::gainsight::key::KeyError) -> Self {
        Error::new(
            ErrorKind::InvalidInput,
            format!("{}{}.", e.to_string()[..1].to_uppercase(), &e.to_string()[1..]),
        )
    }
}
