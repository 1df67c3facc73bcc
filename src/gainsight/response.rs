//! The one place a reply becomes data or a typed [`ApiError`]: status, envelope, `errorCode` and
//! body shape are all judged here, so callers can tell a bad key from a wrong domain from a 429.

use super::error::{ApiError, HINT_DOMAIN, HINT_IP, HINT_KEY, HINT_RETRY};
use crate::error::ErrorKind;
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

/// What came back from one HTTP exchange, before judging it.
pub struct RawReply {
    pub status: u16,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub retry_after: Option<Duration>,
    pub body: Vec<u8>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    result: Option<bool>,
    error_code: Option<String>,
    error_desc: Option<String>,
    request_id: Option<String>,
    #[serde(default)]
    data: Value,
}

/// A successful CS reply: the `data` payload (possibly empty) and the request id.
#[derive(Debug)]
pub struct CsData {
    pub data: Value,
    pub request_id: Option<String>,
}

impl CsData {
    /// Rows from `data.records` (live tenants) or a bare-list `data` (older samples); none when empty.
    pub fn records(&self) -> &[Value] {
        match &self.data {
            Value::Array(rows) => rows,
            Value::Object(map) => map.get("records").and_then(Value::as_array).map_or(&[], Vec::as_slice),
            _ => &[],
        }
    }

    /// [`CsData::records`], taken out of the reply rather than copied (a page holds thousands).
    pub fn into_records(self) -> Vec<Value> {
        match self.data {
            Value::Array(rows) => rows,
            Value::Object(mut map) => match map.remove("records") {
                Some(Value::Array(rows)) => rows,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
}

fn looks_like_html(reply: &RawReply) -> bool {
    let ct_html = reply.content_type.as_deref().is_some_and(|c| c.to_ascii_lowercase().contains("html"));
    let start = reply.body.iter().position(|b| !b.is_ascii_whitespace()).map(|i| reply.body[i]);
    ct_html || start == Some(b'<')
}

fn is_empty_result(code: Option<&str>, desc: Option<&str>) -> bool {
    code == Some("GSOBJ_1011") || desc.is_some_and(|d| d.to_ascii_lowercase().contains("no data found"))
}

/// Judges a CS reply. `host` names the instance in messages.
pub fn classify_cs(reply: &RawReply, host: &str) -> Result<CsData, ApiError> {
    let fail = |kind, message: String, hint: &str, env: &Envelope| ApiError {
        kind,
        message,
        hint: Some(hint.to_string()),
        status: Some(reply.status),
        error_code: env.error_code.as_deref().map(Into::into),
        request_id: env.request_id.as_deref().map(Into::into),
        retry_after: reply.retry_after,
        desc: super::error::Desc::new(env.error_desc.clone()),
    };
    let none = Envelope::default();
    let rate_limited = |env: &Envelope| {
        fail(ErrorKind::RateLimited, "Gainsight's API rate limit was reached.".into(), HINT_RETRY, env)
    };
    let unauthorized = |env: &Envelope| {
        fail(ErrorKind::InvalidKey, format!("{host} rejected the key (unauthorized)."), HINT_KEY, env)
    };
    let forbidden = |env: &Envelope| {
        fail(ErrorKind::Forbidden, "The key is not allowed to read this data.".into(), HINT_KEY, env)
    };
    let server_error = |env: &Envelope| {
        fail(
            ErrorKind::ServerError,
            format!("Gainsight had a server error (HTTP {}).", reply.status),
            HINT_RETRY,
            env,
        )
    };
    if (300..400).contains(&reply.status) {
        let to = reply.location.as_deref().map(|l| format!(" to {l}")).unwrap_or_default();
        return Err(fail(
            ErrorKind::WrongInstance,
            format!(
                "{host} answered with a redirect{to}; Outpost does not follow redirects, so the key stayed here."
            ),
            HINT_DOMAIN,
            &none,
        ));
    }
    if looks_like_html(reply) {
        return Err(match reply.status {
            // A gateway's or load balancer's error page in front of the API: transient, not a
            // sign of the wrong address.
            s if s >= 500 => server_error(&none),
            429 => rate_limited(&none),
            s => fail(
                ErrorKind::WrongInstance,
                format!("{host} answered with a web page (HTTP {s}), not the Gainsight API."),
                HINT_DOMAIN,
                &none,
            ),
        });
    }
    let env: Envelope = match serde_json::from_slice(&reply.body) {
        Ok(env) => env,
        Err(_) if reply.status == 429 => none,
        // Without a readable envelope (a proxy's plain-text reply), the status still says it.
        Err(_) if reply.status >= 500 => return Err(server_error(&none)),
        Err(_) if reply.status == 401 => return Err(unauthorized(&none)),
        Err(_) if reply.status == 403 => return Err(forbidden(&none)),
        Err(_) if reply.status == 404 => {
            return Err(fail(
                ErrorKind::WrongInstance,
                format!("{host} has no Gainsight API (HTTP 404)."),
                HINT_DOMAIN,
                &none,
            ));
        }
        Err(e) => {
            return Err(fail(
                ErrorKind::BadResponse,
                format!("{host} sent a reply Outpost could not read (HTTP {}): {e}.", reply.status),
                HINT_RETRY,
                &none,
            ));
        }
    };
    let code = env.error_code.as_deref();
    let desc = env.error_desc.as_deref();
    // Gainsight's error code says more than the status (an allow-list refusal can come with a 401
    // or 403), so known codes are judged first.
    match code {
        Some("GS_APIG_2404") => return Err(rate_limited(&env)),
        Some("GS_APIG_2402") => {
            return Err(fail(
                ErrorKind::IpNotAllowed,
                "This computer's IP address is not on the org's allow-list.".into(),
                HINT_IP,
                &env,
            ));
        }
        Some("GS_APIG_2401") => return Err(unauthorized(&env)),
        Some("GSOBJ_1024") => {
            return Err(fail(
                ErrorKind::InvalidKey,
                format!("{host} did not accept the authorization header."),
                HINT_KEY,
                &env,
            ));
        }
        _ => {}
    }
    match reply.status {
        429 => return Err(rate_limited(&env)),
        401 => return Err(unauthorized(&env)),
        403 => return Err(forbidden(&env)),
        // A final reply of 1xx is not an answer at all; no body of it counts as data.
        s if s < 200 => {
            return Err(fail(
                ErrorKind::BadResponse,
                format!("{host} answered with an unexpected status (HTTP {s})."),
                HINT_RETRY,
                &env,
            ));
        }
        _ => {}
    }
    if is_empty_result(code, desc) {
        return Ok(CsData { data: Value::Array(Vec::new()), request_id: env.request_id });
    }
    if reply.status == 404 || code == Some("GS_APIG_1000") {
        return Err(fail(
            ErrorKind::WrongInstance,
            format!("{host} has no Gainsight API here (HTTP 404)."),
            HINT_DOMAIN,
            &env,
        ));
    }
    if reply.status >= 500 || code == Some("GSOBJ_1003") {
        return Err(server_error(&env));
    }
    if reply.status >= 400 || env.result == Some(false) {
        // errorDesc can echo record values, so only the code goes into the message.
        let code = code.unwrap_or("no error code");
        return Err(fail(
            ErrorKind::Rejected,
            format!("Gainsight refused the request ({code}, HTTP {}).", reply.status),
            "A field or object may not exist in this org; check the field mapping.",
            &env,
        ));
    }
    if env.result.is_none() {
        return Err(fail(
            ErrorKind::WrongInstance,
            format!("{host} answered with JSON that is not a Gainsight API reply."),
            HINT_DOMAIN,
            &env,
        ));
    }
    Ok(CsData { data: env.data, request_id: env.request_id })
}

#[cfg(test)]
mod tests;
