//! Instance URL handling: accept what admins paste, say what was changed, refuse what is unsafe.

use std::net::IpAddr;
use thiserror::Error;
use url::{Host, Url};

#[derive(Debug, Error, PartialEq, Eq)]
pub enum UrlError {
    #[error("the instance URL is empty")]
    Empty,
    #[error("\"{0}\" is not a web address")]
    NotAUrl(String),
    #[error("only https:// addresses are allowed (http:// only for this computer's own loopback)")]
    InsecureScheme,
    #[error("the scheme {0}:// is not supported; use https://")]
    UnsupportedScheme(String),
    #[error("the address must not contain a user name or password")]
    UserInfo,
    #[error("the address must not contain a query string (the part after ?)")]
    Query,
    #[error("the address must not contain a fragment (the part after #)")]
    Fragment,
}

/// A CS base URL ready for requests (no path, no trailing slash), with what was changed to get there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceUrl {
    url: Url,
    pub notices: Vec<String>,
}

impl InstanceUrl {
    /// `https://acme.gainsightcloud.com` (no trailing slash).
    pub fn as_str(&self) -> &str {
        self.url.as_str().trim_end_matches('/')
    }

    /// The host (and port, if any) that identifies the instance on the Connected card.
    pub fn domain(&self) -> String {
        let host = self.url.host_str().unwrap_or_default();
        match self.url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        }
    }

    pub fn is_loopback(&self) -> bool {
        is_loopback(&self.url)
    }

    /// An absolute endpoint URL under this instance; `path` may carry a query string.
    pub fn join(&self, path: &str) -> Url {
        let mut u = self.url.clone();
        let (path, query) = path.split_once('?').map_or((path, None), |(p, q)| (p, Some(q)));
        u.set_path(path);
        u.set_query(query);
        u
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Normalises what an admin typed as the CS instance URL.
pub fn normalize_instance_url(input: &str) -> Result<InstanceUrl, UrlError> {
    let mut notices = Vec::new();
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(UrlError::Empty);
    }
    if trimmed.len() != input.len() {
        notices.push("Removed spaces around the instance URL.".to_string());
    }
    if trimmed.chars().any(char::is_whitespace) {
        return Err(UrlError::NotAUrl(trimmed.to_string()));
    }
    let bare_name = !trimmed.contains(['.', ':', '/']);
    let text = if bare_name {
        let expanded = format!("https://{}.gainsightcloud.com", trimmed.to_ascii_lowercase());
        notices.push(format!("Expanded the tenant name \"{trimmed}\" to {expanded}."));
        expanded
    } else if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        notices.push("Added https:// in front of the address.".to_string());
        format!("https://{trimmed}")
    };
    let mut url = Url::parse(&text).map_err(|_| UrlError::NotAUrl(trimmed.to_string()))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => return Err(UrlError::InsecureScheme),
        other => return Err(UrlError::UnsupportedScheme(other.to_string())),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(UrlError::NotAUrl(trimmed.to_string()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlError::UserInfo);
    }
    if url.query().is_some() {
        return Err(UrlError::Query);
    }
    if url.fragment().is_some() {
        return Err(UrlError::Fragment);
    }
    if url.path() != "/" && !url.path().is_empty() {
        notices.push(format!(
            "Removed the path \"{}\": the instance URL is the domain only.",
            url.path().trim_end_matches('/')
        ));
        url.set_path("/");
    }
    Ok(InstanceUrl { url, notices })
}

#[cfg(test)]
mod tests;
