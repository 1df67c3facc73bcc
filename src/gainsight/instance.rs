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
    #[error(
        "\"{0}\" is not a valid server name: use letters, digits, hyphens and dots, like acme.gainsightcloud.com"
    )]
    BadHost(String),
    #[error("the instance URL contains control characters (invisible characters such as tabs or NUL)")]
    ControlCharacters,
    #[error("the instance URL is too long ({0} characters); a Gainsight address is under 100")]
    TooLong(usize),
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

/// The longest input looked at: a host name is at most 253 characters, and a pasted endpoint URL
/// with its path is well under this.
const MAX_INPUT: usize = 2048;

/// Whether `label` is one DNS label as a host name may use it (RFC 1123): 1 to 63 ASCII letters,
/// digits and hyphens, not starting or ending with a hyphen.
fn is_host_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

/// Whether an ASCII (already IDNA-encoded) domain is a usable host name: at most 253 characters,
/// every label valid, and a top-level label that is not all digits (that would be a mistyped IP).
fn is_host_name(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    domain.len() <= 253
        && labels.iter().all(|l| is_host_label(l))
        && labels.last().is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()))
}

/// Bidirectional overrides and zero-width characters: invisible, and able to make a shown address
/// read as another one.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// The input as an error message quotes it: at most 60 characters.
fn shown(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let head: String = text.chars().take(MAX).collect();
    format!("{head}…")
}

/// `javascript:alert(1)`, `mailto:x@y`, `data:text/html,…`: a scheme with no `//` after it. A
/// host with a port (`localhost:3000`) is not one: a port starts with a digit.
fn scheme_without_slashes(text: &str) -> Option<String> {
    let (before, after) = text.split_once(':')?;
    let is_scheme = before.starts_with(|c: char| c.is_ascii_alphabetic())
        && before.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-');
    let is_port = after.starts_with(|c: char| c.is_ascii_digit());
    let web = before.eq_ignore_ascii_case("https") || before.eq_ignore_ascii_case("http");
    (is_scheme && !web && !is_port && !after.starts_with("//")).then(|| before.to_ascii_lowercase())
}

/// Normalises what an admin typed as the CS instance URL.
pub fn normalize_instance_url(input: &str) -> Result<InstanceUrl, UrlError> {
    let mut notices = Vec::new();
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(UrlError::Empty);
    }
    if trimmed.chars().count() > MAX_INPUT {
        return Err(UrlError::TooLong(trimmed.chars().count()));
    }
    // Checked before anything is echoed back: an error message must not carry them to a terminal.
    if trimmed.chars().any(|c| c.is_control() || is_invisible_format(c)) {
        return Err(UrlError::ControlCharacters);
    }
    if trimmed.len() != input.len() {
        notices.push("Removed spaces around the instance URL.".to_string());
    }
    if trimmed.chars().any(char::is_whitespace) || trimmed.contains('\\') {
        // A backslash counts as a slash in a URL: `evil.com\@acme…` would be evil.com.
        return Err(UrlError::NotAUrl(shown(trimmed)));
    }
    if let Some(scheme) = scheme_without_slashes(trimmed) {
        return Err(UrlError::UnsupportedScheme(scheme));
    }
    let bare_name = !trimmed.contains(['.', ':', '/']);
    if bare_name && !is_host_label(trimmed) {
        // `notaurl!!` is a mistake, not a tenant name: expanding it would hide the mistake.
        return Err(UrlError::BadHost(shown(trimmed)));
    }
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
    let mut url = Url::parse(&text).map_err(|_| UrlError::NotAUrl(shown(trimmed)))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => return Err(UrlError::InsecureScheme),
        other => return Err(UrlError::UnsupportedScheme(other.to_string())),
    }
    match url.host() {
        None | Some(Host::Domain("")) => return Err(UrlError::NotAUrl(shown(trimmed))),
        Some(Host::Domain(d)) => {
            let domain = d.to_string();
            let name = match domain.strip_suffix('.') {
                Some(rest) if !rest.is_empty() => {
                    notices.push("Removed the dot at the end of the server name.".to_string());
                    url.set_host(Some(rest)).map_err(|_| UrlError::BadHost(shown(&domain)))?;
                    rest
                }
                _ => &domain,
            };
            if !is_host_name(name) {
                return Err(UrlError::BadHost(shown(name)));
            }
        }
        // `https://127.1` and `https://0x7f.1` parse as 127.0.0.1: refuse what was not written out.
        Some(Host::Ipv4(ip)) if !trimmed.contains(&ip.to_string()) => {
            return Err(UrlError::BadHost(shown(trimmed)));
        }
        Some(Host::Ipv4(_) | Host::Ipv6(_)) => {}
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
