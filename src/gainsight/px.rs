//! The Gainsight PX client: API key per region (US, EU, US2) or an explicit base URL, the
//! subscription test, region auto-detection, and PX's two paging families.

use super::budget::PxBudget;
use super::error::{ApiError, HINT_DOMAIN, HINT_RETRY};
use super::http::{self, DnsProbe, Timeouts};
use super::paging::Record;
use super::response::RawReply;
use super::retry::RetryPolicy;
use crate::error::ErrorKind;
use crate::secret::Secret;
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use url::Url;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum PxRegion {
    Us,
    Eu,
    Us2,
}

impl PxRegion {
    pub const ALL: [PxRegion; 3] = [PxRegion::Us, PxRegion::Eu, PxRegion::Us2];

    pub fn label(self) -> &'static str {
        match self {
            PxRegion::Us => "US",
            PxRegion::Eu => "EU",
            PxRegion::Us2 => "US2",
        }
    }

    pub fn parse(s: &str) -> Option<PxRegion> {
        PxRegion::ALL.into_iter().find(|r| r.label().eq_ignore_ascii_case(s.trim()))
    }
}

/// The base URL of each PX data centre. Tests point these at the simulator.
#[derive(Clone, Debug)]
pub struct PxEndpoints {
    pub us: Url,
    pub eu: Url,
    pub us2: Url,
}

impl Default for PxEndpoints {
    fn default() -> Self {
        let u = |s: &str| {
            Url::parse(s).unwrap_or_else(|_| Url::parse("https://api.aptrinsic.com/v1").expect("static"))
        };
        PxEndpoints {
            us: u("https://api.aptrinsic.com/v1"),
            eu: u("https://api-eu.aptrinsic.com/v1"),
            us2: u("https://api-us2.aptrinsic.com/v1"),
        }
    }
}

impl PxEndpoints {
    pub fn base(&self, region: PxRegion) -> &Url {
        match region {
            PxRegion::Us => &self.us,
            PxRegion::Eu => &self.eu,
            PxRegion::Us2 => &self.us2,
        }
    }

    /// The region whose base URL this is, if any (trailing slashes ignored).
    pub fn region_of(&self, base: &Url) -> Option<PxRegion> {
        let bare = |u: &Url| u.as_str().trim_end_matches('/').to_ascii_lowercase();
        PxRegion::ALL.into_iter().find(|r| bare(self.base(*r)) == bare(base))
    }

    /// The simulator's regions on one loopback server: `{sim}/px/{us|eu|us2}/v1`.
    pub fn simulator(sim_base: &str) -> Result<Self, url::ParseError> {
        let u = |r: &str| Url::parse(&format!("{}/px/{r}/v1", sim_base.trim_end_matches('/')));
        Ok(PxEndpoints { us: u("us")?, eu: u("eu")?, us2: u("us2")? })
    }
}

/// Who the key belongs to: `/v1/admin/subscription`.
#[derive(Clone, Debug, PartialEq, Serialize, ts_rs::TS)]
pub struct PxSubscription {
    pub id: String,
    pub name: String,
    pub products: Vec<String>,
}

pub const MAX_SCROLL_PAGE: usize = 1000;
pub const MAX_FEATURE_PAGE: usize = 200;
pub const MAX_ENGAGEMENT_PAGE: usize = 500;
pub const MAX_EVENT_WINDOW_DAYS: i64 = 190;
const PAGE_CAP: usize = 100_000;

/// PX addresses are chosen by region, not typed like a CS instance: the hint says so.
pub(crate) const HINT_PX_ADDRESS: &str = "Choose the region the PX subscription lives in (US, EU or US2), or \
     Auto-detect; an explicit address must be the PX REST API's base, ending in /v1.";
/// A PX subscription without one API: the sync goes on without it.
pub(crate) const HINT_PX_MISSING: &str = "Not every PX subscription includes every API: Outpost skips what is \
     missing and syncs the rest. If every call answers 404, check the key's region (US, EU or US2).";
const HINT_PX_PERMISSION: &str =
    "In PX, open Administration > REST API and give the key Read permission, or create a new key.";

pub struct PxClient {
    http: reqwest::Client,
    base: Url,
    key: Secret,
    budget: Arc<PxBudget>,
    retry: RetryPolicy,
    calls: std::sync::atomic::AtomicU64,
    dns_probe: DnsProbe,
}

/// Plain http is allowed only to this computer (the simulator, a local proxy).
pub fn is_loopback(u: &Url) -> bool {
    match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    }
}

impl PxClient {
    pub fn new(base: Url, key: Secret, timeouts: Timeouts) -> Result<Self, ApiError> {
        if base.scheme() != "https" && !is_loopback(&base) {
            return Err(ApiError::new(
                ErrorKind::InvalidInput,
                "Only https:// addresses are allowed.",
                Some(HINT_PX_ADDRESS),
            ));
        }
        let http = http::build_client(timeouts, !is_loopback(&base))?;
        Ok(PxClient {
            http,
            base,
            key,
            budget: Arc::new(PxBudget::per_second(150)),
            retry: RetryPolicy::default(),
            calls: Default::default(),
            dns_probe: DnsProbe::default(),
        })
    }

    /// HTTP calls made so far, retries included.
    pub fn calls(&self) -> u64 {
        self.calls.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn with_budget(mut self, budget: Arc<PxBudget>) -> Self {
        self.budget = budget;
        self
    }

    /// How a failed name lookup is told apart from no network (see [`DnsProbe`]).
    pub fn with_dns_probe(mut self, probe: DnsProbe) -> Self {
        self.dns_probe = probe;
        self
    }

    fn url(&self, path: &str, query: &[(&str, String)]) -> Url {
        let mut u = self.base.clone();
        let joined = format!("{}/{}", u.path().trim_end_matches('/'), path.trim_start_matches('/'));
        u.set_path(&joined);
        if !query.is_empty() {
            let mut q = u.query_pairs_mut();
            for (k, v) in query {
                q.append_pair(k, v);
            }
        }
        u
    }

    async fn get_once(&self, path: &str, query: &[(&str, String)]) -> Result<Value, ApiError> {
        let request = self.http.get(self.url(path, query)).header("X-APTRINSIC-API-KEY", self.key.expose());
        self.budget.acquire().await;
        self.calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let host = self.base.host_str().unwrap_or("PX").to_string();
        let reply = http::send(request, &host, self.dns_probe).await.map_err(|mut e| {
            // The network layer speaks of CS instance addresses; PX addresses are regions.
            if e.hint.as_deref() == Some(HINT_DOMAIN) {
                e.hint = Some(HINT_PX_ADDRESS.into());
            }
            e
        })?;
        classify_px(&reply, &host).map_err(|mut e| {
            // Which API is missing or forbidden matters: the rest of the sync goes on without it.
            let path = path.split('?').next().unwrap_or(path);
            match e.kind {
                ErrorKind::NotFound => {
                    e.message = format!("This PX subscription has no {path} API (HTTP 404).")
                }
                ErrorKind::Forbidden => e.message = format!("The PX API key may not read {path} (HTTP 403)."),
                _ => {}
            }
            e
        })
    }

    pub async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, ApiError> {
        self.retry.run(|| std::time::Duration::from_secs(1), || self.get_once(path, query)).await
    }

    /// `GET /admin/subscription`: proves the key and names the subscription it belongs to.
    pub async fn test_connection(&self) -> Result<PxSubscription, ApiError> {
        let v = self.get_once("/admin/subscription", &[]).await.map_err(|mut e| {
            // Every subscription has this one: a 404 here means the address is not PX's.
            if e.kind == ErrorKind::NotFound {
                e.kind = ErrorKind::WrongInstance;
                e.message = format!(
                    "No PX API answered at {} (HTTP 404).",
                    self.base.host_str().unwrap_or("this address")
                );
                e.hint = Some(HINT_PX_ADDRESS.into());
            }
            e
        })?;
        let text =
            |k: &str| v.get(k).map(|x| x.as_str().map(str::to_string).unwrap_or_else(|| x.to_string()));
        let products = v
            .get("products")
            .and_then(Value::as_array)
            .map(|ps| {
                ps.iter().filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_string)).collect()
            })
            .unwrap_or_default();
        Ok(PxSubscription {
            id: text("id").unwrap_or_default(),
            name: text("name").unwrap_or_else(|| "(unnamed subscription)".into()),
            products,
        })
    }

    /// Scroll paging (`/accounts`, `/users`, `/events/*`): stops on a short page, never on a null
    /// `scrollId` alone, because the real API keeps it non-null on the last page. A full page
    /// without a `scrollId` cannot be continued and is an error, not a silent end.
    pub fn scroll<'a>(
        &'a self,
        path: &'a str,
        list_key: &'a str,
        page_size: usize,
        params: Vec<(&'a str, String)>,
    ) -> impl Stream<Item = Result<Vec<Record>, ApiError>> + 'a {
        use futures_util::TryStreamExt;
        self.scroll_counted(path, list_key, page_size, params).map_ok(|(items, _)| items)
    }

    /// [`PxClient::scroll`], with each page's `totalHits` (the API's estimate of the whole).
    pub fn scroll_counted<'a>(
        &'a self,
        path: &'a str,
        list_key: &'a str,
        page_size: usize,
        params: Vec<(&'a str, String)>,
    ) -> impl Stream<Item = Result<(Vec<Record>, Option<u64>), ApiError>> + 'a {
        let size = page_size.clamp(1, MAX_SCROLL_PAGE);
        futures_util::stream::try_unfold((None::<String>, 0usize, false), move |(scroll, pages, done)| {
            let mut query = params.clone();
            query.push(("pageSize", size.to_string()));
            if let Some(s) = &scroll {
                query.push(("scrollId", s.clone()));
            }
            async move {
                if done {
                    return Ok(None);
                }
                if pages >= PAGE_CAP {
                    return Err(ApiError::new(
                        ErrorKind::BadResponse,
                        format!("{path}: page cap reached"),
                        None,
                    ));
                }
                let v = self.get(path, &query).await?;
                let items = list(&v, list_key);
                let total = v.get("totalHits").and_then(Value::as_u64);
                let next = v.get("scrollId").and_then(Value::as_str).filter(|s| !s.is_empty());
                let short = items.len() < size;
                if !short && next.is_none() {
                    return Err(ApiError::new(
                        ErrorKind::BadResponse,
                        format!(
                            "PX sent a full page of {path} (page {}) without a scrollId, so the rest \
                             cannot be read; stopped rather than keep an incomplete list.",
                            pages + 1
                        ),
                        Some(HINT_RETRY),
                    ));
                }
                Ok(Some(((items, total), (next.map(str::to_string), pages + 1, short))))
            }
        })
    }

    /// Page-number paging (`/feature`, `/segment`, `/engagement`, 0-based) with the endpoint's cap.
    pub fn numbered<'a>(
        &'a self,
        path: &'a str,
        list_key: &'a str,
        page_size: usize,
        cap: usize,
    ) -> impl Stream<Item = Result<Vec<Record>, ApiError>> + 'a {
        let size = page_size.clamp(1, cap);
        futures_util::stream::try_unfold((0usize, false), move |(number, done)| async move {
            if done {
                return Ok(None);
            }
            if number >= PAGE_CAP {
                return Err(ApiError::new(ErrorKind::BadResponse, format!("{path}: page cap reached"), None));
            }
            let v =
                self.get(path, &[("pageNumber", number.to_string()), ("pageSize", size.to_string())]).await?;
            let items = list(&v, list_key);
            let last = v.get("isLastPage").and_then(Value::as_bool).unwrap_or(false) || items.len() < size;
            Ok(Some((items, (number + 1, last))))
        })
    }
}

fn list(v: &Value, key: &str) -> Vec<Record> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_object().cloned()).collect())
        .unwrap_or_default()
}

/// Splits `[start, end)` (epoch ms) into windows of at most 190 days, the events API's limit.
pub fn event_windows(start_ms: i64, end_ms: i64) -> Vec<(i64, i64)> {
    let max = MAX_EVENT_WINDOW_DAYS * 86_400_000;
    let mut out = Vec::new();
    let mut from = start_ms;
    while from < end_ms {
        let to = (from + max).min(end_ms);
        out.push((from, to));
        from = to;
    }
    out
}

/// Tries each region and reports the first that accepts the key.
pub async fn detect_region(
    endpoints: &PxEndpoints,
    key: &Secret,
    timeouts: Timeouts,
    probe: DnsProbe,
) -> Result<(PxRegion, PxSubscription), ApiError> {
    let mut last = None;
    for region in PxRegion::ALL {
        let client = PxClient::new(endpoints.base(region).clone(), key.clone(), timeouts)?
            .with_retry(RetryPolicy::none())
            .with_dns_probe(probe);
        match client.test_connection().await {
            Ok(sub) => return Ok((region, sub)),
            Err(e) if e.kind == ErrorKind::InvalidKey => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    let mut e = last.unwrap_or_else(|| ApiError::new(ErrorKind::InvalidKey, "", None));
    e.message = "No PX region (US, EU, US2) accepted this API key.".into();
    e.hint =
        Some("Copy the key again from Administration > REST API in PX; keys are shown only once.".into());
    Err(e)
}

/// Judges a PX reply: 401 bad key, 403 missing permission, 404 an API this subscription lacks,
/// 429 and 5xx (even as an HTML page) transient, other HTML and redirects a wrong address.
pub fn classify_px(reply: &RawReply, host: &str) -> Result<Value, ApiError> {
    let fail = |kind, message: String, hint: &str| {
        let mut e = ApiError::new(kind, message, Some(hint));
        e.status = Some(reply.status);
        e.retry_after = reply.retry_after;
        e
    };
    let html = reply.content_type.as_deref().is_some_and(|c| c.to_ascii_lowercase().contains("html"))
        || reply.body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<');
    match reply.status {
        // An informational status is no answer (found by the property tests: its body was read as data).
        s @ 100..=199 => Err(fail(
            ErrorKind::BadResponse,
            format!("{host} answered with HTTP {s}, not a PX reply."),
            HINT_RETRY,
        )),
        300..=399 => Err(fail(
            ErrorKind::WrongInstance,
            format!("{host} answered with a redirect; not followed."),
            HINT_PX_ADDRESS,
        )),
        // A gateway's error page (HTML 502/503) or rate-limit page is about the server, not the address.
        429 => Err(fail(ErrorKind::RateLimited, "PX's API rate limit was reached.".into(), HINT_RETRY)),
        s if s >= 500 => {
            Err(fail(ErrorKind::ServerError, format!("PX had a server error (HTTP {s})."), HINT_RETRY))
        }
        _ if html => Err(fail(
            ErrorKind::WrongInstance,
            format!("{host} answered with a web page, not the PX API."),
            HINT_PX_ADDRESS,
        )),
        401 => Err(fail(
            ErrorKind::InvalidKey,
            "PX rejected the API key (unauthorized or bad API key).".into(),
            "Check the key and the region: a key works only in its own data centre (US, EU or US2).",
        )),
        403 => Err(fail(
            ErrorKind::Forbidden,
            "The PX API key lacks the Read permission.".into(),
            HINT_PX_PERMISSION,
        )),
        404 => {
            Err(fail(ErrorKind::NotFound, format!("{host} has no such PX API (HTTP 404)."), HINT_PX_MISSING))
        }
        s if s >= 400 => {
            let msg = serde_json::from_slice::<Value>(&reply.body)
                .ok()
                // PX wraps it: `{"externalapierror":{"status":"BAD_REQUEST","message":"..."}}`.
                .and_then(|v| {
                    let m = v.pointer("/externalapierror/message").or_else(|| v.get("message"));
                    m.and_then(Value::as_str).map(str::to_string)
                })
                .unwrap_or_default();
            Err(fail(
                ErrorKind::Rejected,
                format!("PX refused the request (HTTP {s}) {msg}").trim().to_string(),
                HINT_RETRY,
            ))
        }
        _ => serde_json::from_slice(&reply.body).map_err(|e| {
            fail(
                ErrorKind::BadResponse,
                format!("{host} sent a reply Outpost could not read: {e}."),
                HINT_RETRY,
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_windows_never_exceed_190_days_and_cover_the_range() {
        let day = 86_400_000;
        assert_eq!(event_windows(0, 30 * day), vec![(0, 30 * day)]);
        let w = event_windows(0, 400 * day);
        assert_eq!(w, vec![(0, 190 * day), (190 * day, 380 * day), (380 * day, 400 * day)]);
        assert!(event_windows(5, 5).is_empty());
    }

    #[test]
    fn region_names_parse_any_case() {
        assert_eq!(PxRegion::parse("eu"), Some(PxRegion::Eu));
        assert_eq!(PxRegion::parse(" US2 "), Some(PxRegion::Us2));
        assert_eq!(PxRegion::parse("apac"), None);
    }

    #[test]
    fn a_region_base_url_is_recognised() {
        let e = PxEndpoints::default();
        let eu = Url::parse("https://api-eu.aptrinsic.com/v1/").expect("url");
        assert_eq!(e.region_of(&eu), Some(PxRegion::Eu));
        let other = Url::parse("https://px-proxy.example.com/v1").expect("url");
        assert_eq!(e.region_of(&other), None);
    }
}
