//! One HTTP client per connection, built the same way every time: JSON, timeouts, gzip, no redirects.

use super::error::{ApiError, HINT_DOMAIN, HINT_OFFLINE, HINT_RETRY};
use super::response::RawReply;
use crate::error::ErrorKind;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION, RETRY_AFTER};
use std::time::Duration;

pub const USER_AGENT: &str =
    concat!("Outpost/", env!("CARGO_PKG_VERSION"), " (+desktop; Gainsight admin tool)");

#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub connect: Duration,
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { connect: Duration::from_secs(10), total: Duration::from_secs(60) }
    }
}

pub fn build_client(timeouts: Timeouts, https_only: bool) -> Result<reqwest::Client, ApiError> {
    let mut headers = HeaderMap::new();
    // Without Accept, some CS errors come back as an HTML page with status 200.
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    reqwest::Client::builder()
        .default_headers(headers)
        .user_agent(USER_AGENT)
        .connect_timeout(timeouts.connect)
        .timeout(timeouts.total)
        .redirect(reqwest::redirect::Policy::none())
        .https_only(https_only)
        .build()
        .map_err(|e| ApiError::new(ErrorKind::Internal, format!("could not set up HTTP: {e}"), None))
}

/// Tells "no server has this name" from "this computer cannot look any name up" (offline, no
/// DNS): after a failed lookup, it resolves names that exist whenever there is a network. Real
/// lookups through the system resolver; tests choose names that do or do not resolve here.
#[derive(Clone, Copy, Debug)]
pub struct DnsProbe {
    names: &'static [&'static str],
    wait: Duration,
}

impl Default for DnsProbe {
    /// Gainsight's own domain and IANA's permanent example domain.
    fn default() -> Self {
        DnsProbe { names: &["gainsight.com", "example.com"], wait: Duration::from_secs(3) }
    }
}

impl DnsProbe {
    /// A probe that looks up these names instead (any one resolving means DNS works).
    pub fn with_names(names: &'static [&'static str]) -> Self {
        DnsProbe { names, ..DnsProbe::default() }
    }

    /// Whether any of the probe names resolves within the wait; a lookup that hangs counts as none.
    pub async fn any_resolves(&self) -> bool {
        let mut lookups = tokio::task::JoinSet::new();
        for name in self.names {
            lookups.spawn(async move {
                tokio::net::lookup_host((*name, 443)).await.is_ok_and(|mut addrs| addrs.next().is_some())
            });
        }
        let any = async move {
            while let Some(done) = lookups.join_next().await {
                if done.unwrap_or(false) {
                    return true;
                }
            }
            false
        };
        tokio::time::timeout(self.wait, any).await.unwrap_or(false)
    }
}

/// Sends a request and reads the whole reply, turning transport failures into kinds.
pub async fn send(
    request: reqwest::RequestBuilder,
    host: &str,
    probe: DnsProbe,
) -> Result<RawReply, ApiError> {
    let response = match request.send().await {
        Ok(r) => r,
        Err(e) if is_lookup_failure(&e) => return Err(lookup_error(host, probe).await),
        Err(e) => return Err(transport_error(&e, host)),
    };
    let status = response.status().as_u16();
    let header =
        |name| response.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_string);
    let content_type = header(CONTENT_TYPE);
    let location = header(LOCATION);
    let retry_after = header(RETRY_AFTER).and_then(|s| s.trim().parse::<u64>().ok()).map(Duration::from_secs);
    let body = read_body(response, host, MAX_REPLY_BYTES).await?;
    Ok(RawReply { status, content_type, location, retry_after, body })
}

/// The largest reply read. A page of 5,000 wide records is a few MB; anything near this is not a
/// Gainsight page, and reading it whole could exhaust the laptop's memory.
pub const MAX_REPLY_BYTES: usize = 64 * 1024 * 1024;

/// Reads the body chunk by chunk, refusing (before reading, when the length is announced) a body
/// over `limit` bytes, so a runaway reply costs at most `limit` of memory.
async fn read_body(mut response: reqwest::Response, host: &str, limit: usize) -> Result<Vec<u8>, ApiError> {
    let too_large = || {
        ApiError::new(
            ErrorKind::BadResponse,
            format!(
                "{host} sent a reply larger than {} MB, which is not a Gainsight page; nothing of it was kept.",
                limit / (1024 * 1024)
            ),
            Some(HINT_LARGE_REPLY),
        )
    };
    let announced = response.content_length().unwrap_or(0);
    if announced > limit as u64 {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(announced as usize);
    while let Some(chunk) = response.chunk().await.map_err(|e| transport_error(&e, host))? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

const HINT_LARGE_REPLY: &str = "Check that the instance address is the one you open Gainsight at. If it is, \
try again later: a Gainsight page is a few MB at most.";

/// The error and its causes, lower case, in one line.
fn error_chain(e: &reqwest::Error) -> String {
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        chain.push_str(&s.to_string().to_ascii_lowercase());
        chain.push(' ');
        source = s.source();
    }
    chain
}

fn is_lookup_failure(e: &reqwest::Error) -> bool {
    let chain = error_chain(e);
    !e.is_timeout()
        && (chain.contains("dns error")
            || chain.contains("failed to lookup address")
            || chain.contains("name or service not known"))
}

/// A host name that did not resolve: the wrong address when other names resolve, else no network.
async fn lookup_error(host: &str, probe: DnsProbe) -> ApiError {
    if probe.any_resolves().await {
        ApiError::new(
            ErrorKind::WrongInstance,
            format!("No server named {host} could be found."),
            Some(HINT_DOMAIN),
        )
    } else {
        ApiError::new(
            ErrorKind::Offline,
            format!(
                "Could not look up {host}: this computer cannot reach a name server, so it seems to be offline."
            ),
            Some(HINT_OFFLINE),
        )
    }
}

fn transport_error(e: &reqwest::Error, host: &str) -> ApiError {
    let chain = error_chain(e);
    if e.is_timeout() {
        return ApiError::new(
            ErrorKind::Timeout,
            format!("{host} did not answer in time."),
            Some(HINT_RETRY),
        );
    }
    if chain.contains("certificate") || chain.contains("tls") || chain.contains("handshake") {
        return ApiError::new(
            ErrorKind::WrongInstance,
            format!("{host} did not present a valid certificate for its name."),
            Some(HINT_DOMAIN),
        );
    }
    // rustls meeting a plain-HTTP reply where a TLS handshake belongs (OpenSSL says "wrong version").
    if chain.contains("corrupt message")
        || chain.contains("invalidcontenttype")
        || chain.contains("wrong version number")
    {
        return ApiError::new(
            ErrorKind::WrongInstance,
            format!("{host} answered without HTTPS: it is a plain http:// server, not Gainsight."),
            Some(HINT_DOMAIN),
        );
    }
    // Reached, and cut off in the middle of the reply: a dropped connection, retried.
    if e.is_body() || e.is_decode() {
        return ApiError::new(
            ErrorKind::ServerError,
            format!("The connection to {host} was cut off in the middle of a reply."),
            Some(HINT_RETRY),
        );
    }
    if chain.contains("connection refused") {
        return ApiError::new(
            ErrorKind::Offline,
            format!("Nothing is answering at {host}."),
            Some(HINT_OFFLINE),
        );
    }
    if e.is_builder() && chain.contains("https") {
        return ApiError::new(
            ErrorKind::InvalidInput,
            "Only https:// addresses are allowed.",
            Some(HINT_DOMAIN),
        );
    }
    ApiError::new(
        ErrorKind::Offline,
        format!("Could not reach {host}: the connection failed."),
        Some(HINT_OFFLINE),
    )
}
