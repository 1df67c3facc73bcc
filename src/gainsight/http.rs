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

/// Sends a request and reads the whole reply, turning transport failures into kinds.
pub async fn send(request: reqwest::RequestBuilder, host: &str) -> Result<RawReply, ApiError> {
    let response = request.send().await.map_err(|e| transport_error(&e, host))?;
    let status = response.status().as_u16();
    let header =
        |name| response.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_string);
    let content_type = header(CONTENT_TYPE);
    let location = header(LOCATION);
    let retry_after = header(RETRY_AFTER).and_then(|s| s.trim().parse::<u64>().ok()).map(Duration::from_secs);
    let body = response.bytes().await.map_err(|e| transport_error(&e, host))?.to_vec();
    Ok(RawReply { status, content_type, location, retry_after, body })
}

fn transport_error(e: &reqwest::Error, host: &str) -> ApiError {
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        chain.push_str(&s.to_string().to_ascii_lowercase());
        chain.push(' ');
        source = s.source();
    }
    if e.is_timeout() {
        return ApiError::new(
            ErrorKind::Timeout,
            format!("{host} did not answer in time."),
            Some(HINT_RETRY),
        );
    }
    if chain.contains("dns error")
        || chain.contains("failed to lookup address")
        || chain.contains("name or service not known")
    {
        return ApiError::new(
            ErrorKind::WrongInstance,
            format!("No server named {host} could be found."),
            Some(HINT_DOMAIN),
        );
    }
    if chain.contains("certificate") || chain.contains("tls") || chain.contains("handshake") {
        return ApiError::new(
            ErrorKind::WrongInstance,
            format!("{host} did not present a valid certificate for its name."),
            Some(HINT_DOMAIN),
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
