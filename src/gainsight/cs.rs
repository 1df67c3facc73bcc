//! The Gainsight CS (NXT) client: Access Key or M2M OAuth, a shared call budget, retries, and the
//! query, discovery and cockpit calls.

use super::budget::{CallWindow, DEFAULT_CS_CALLS_PER_MINUTE};
use super::error::{ApiError, HINT_KEY};
use super::http::{self, DnsProbe, Timeouts};
use super::instance::InstanceUrl;
use super::response::{CsData, classify_cs};
use super::retry::RetryPolicy;
use crate::budget::OrgBudget;
use crate::error::ErrorKind;
use crate::secret::Secret;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// How a CS connection proves who it is.
#[derive(Clone, Debug)]
pub enum CsAuth {
    AccessKey(Secret),
    /// M2M OAuth: client id and secret are exchanged for a bearer token.
    M2m {
        client_id: String,
        client_secret: Secret,
    },
}

impl CsAuth {
    pub fn mode_label(&self) -> &'static str {
        match self {
            CsAuth::AccessKey(_) => "Access Key",
            CsAuth::M2m { .. } => "M2M OAuth",
        }
    }
}

/// Renew a bearer token this long before it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

pub struct CsClient {
    http: reqwest::Client,
    base: InstanceUrl,
    auth: CsAuth,
    token: Mutex<Option<(Secret, Instant)>>,
    /// The token request goes without a body: set once the documented form body was refused.
    token_without_body: AtomicBool,
    budget: Budget,
    /// Set when the sync is cancelled: a wait for a slot ends then.
    cancel: Option<Arc<AtomicBool>>,
    retry: RetryPolicy,
    calls: AtomicU64,
    dns_probe: DnsProbe,
}

/// Where a client takes its calls from: this process's own window (a connection test before the
/// connection is saved), or the org's budget shared by every Outpost process.
enum Budget {
    Local(Arc<CallWindow>),
    Shared(OrgBudget),
}

impl Budget {
    fn until_next_window(&self) -> Duration {
        match self {
            Budget::Local(w) => w.until_next_window(),
            Budget::Shared(b) => b.until_next_window(),
        }
    }

    async fn acquire(&self, cancel: Option<&AtomicBool>) -> Result<(), ApiError> {
        match self {
            Budget::Local(w) => {
                w.acquire().await;
                Ok(())
            }
            Budget::Shared(b) => b.acquire(cancel).await,
        }
    }
}

/// The bearer token and its lifetime from a token reply, bare (`{access_token, expires_in, …}`, as
/// documented) or wrapped in the CS envelope (`{result, data: {access_token, …}}`).
fn token_from(body: &[u8]) -> Option<(Secret, Duration)> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let t = if v.get("access_token").is_some() { &v } else { v.get("data")? };
    let token = t.get("access_token")?.as_str().filter(|s| !s.is_empty())?;
    let ttl = t
        .get("expires_in")
        .and_then(|e| e.as_u64().or_else(|| e.as_str().and_then(|s| s.trim().parse().ok())))
        .unwrap_or(3600);
    Some((Secret::new(token), Duration::from_secs(ttl)))
}

impl CsClient {
    pub fn new(base: InstanceUrl, auth: CsAuth, timeouts: Timeouts) -> Result<Self, ApiError> {
        let http = http::build_client(timeouts, !base.is_loopback())?;
        Ok(CsClient {
            http,
            base,
            auth,
            token: Mutex::new(None),
            token_without_body: AtomicBool::new(false),
            budget: Budget::Local(Arc::new(CallWindow::per_minute(DEFAULT_CS_CALLS_PER_MINUTE))),
            cancel: None,
            retry: RetryPolicy::default(),
            calls: AtomicU64::new(0),
            dns_probe: DnsProbe::default(),
        })
    }

    /// Takes calls from the org's budget, shared by every Outpost process on this computer.
    pub fn with_org_budget(mut self, budget: OrgBudget) -> Self {
        self.budget = Budget::Shared(budget);
        self
    }

    /// Takes calls from a window of this process alone (tests, benchmarks).
    pub fn with_budget(mut self, budget: Arc<CallWindow>) -> Self {
        self.budget = Budget::Local(budget);
        self
    }

    /// Ends waits for a call slot when `cancel` is set.
    pub fn with_cancel(mut self, cancel: Arc<AtomicBool>) -> Self {
        self.cancel = Some(cancel);
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// How a failed name lookup is told apart from no network (see [`DnsProbe`]).
    pub fn with_dns_probe(mut self, probe: DnsProbe) -> Self {
        self.dns_probe = probe;
        self
    }

    /// HTTP calls made so far (token requests and retries included).
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    pub fn instance(&self) -> &InstanceUrl {
        &self.base
    }

    pub fn auth_mode(&self) -> &'static str {
        self.auth.mode_label()
    }

    /// The cheapest proof that URL and credentials work: one Company row, one field (plus the
    /// token request for M2M). Not retried: the admin wants the answer now.
    pub async fn test_connection(&self) -> Result<(), ApiError> {
        let body = json!({"select": ["Gsid"], "limit": 1, "offset": 0});
        self.call_once(reqwest::Method::POST, "/v1/data/objects/query/Company", Some(&body)).await.map(|_| ())
    }

    /// `POST /v1/data/objects/query/{object}`, with retries.
    pub async fn query(&self, object: &str, body: &Value) -> Result<CsData, ApiError> {
        self.call(reqwest::Method::POST, &format!("/v1/data/objects/query/{object}"), Some(body)).await
    }

    /// `POST /v2/cockpit/cta/list` (or `deleted/list`), with retries.
    pub async fn cockpit(&self, path: &str, body: &Value) -> Result<CsData, ApiError> {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    /// `GET` a discovery path under `/v1/meta/services/objects`.
    pub async fn meta(&self, path: &str) -> Result<CsData, ApiError> {
        self.call(reqwest::Method::GET, path, None).await
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<CsData, ApiError> {
        let retry = self.retry;
        retry.run(|| self.budget.until_next_window(), || self.call_once(method.clone(), path, body)).await
    }

    /// One call, renewing an M2M token once if the API rejected it. A refused token request is
    /// final: asking again with the same client secret cannot help.
    async fn call_once(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<CsData, ApiError> {
        let token = self.token_if_m2m().await?;
        match self.send(method.clone(), path, body, token.as_ref()).await {
            Err(e) if e.kind == ErrorKind::InvalidKey && token.is_some() => {
                let mut cached = self.token.lock().await;
                // Forget the rejected token, unless a concurrent call has already replaced it.
                if cached
                    .as_ref()
                    .zip(token.as_ref())
                    .is_some_and(|((t, _), used)| t.expose() == used.expose())
                {
                    *cached = None;
                }
                drop(cached);
                let token = self.token_if_m2m().await?;
                self.send(method, path, body, token.as_ref()).await
            }
            other => other,
        }
    }

    async fn token_if_m2m(&self) -> Result<Option<Secret>, ApiError> {
        match self.auth {
            CsAuth::AccessKey(_) => Ok(None),
            CsAuth::M2m { .. } => self.bearer().await.map(Some),
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        token: Option<&Secret>,
    ) -> Result<CsData, ApiError> {
        let mut request = self.http.request(method, self.base.join(path));
        if let Some(b) = body {
            request = request.json(b);
        }
        let request = match (&self.auth, token) {
            (CsAuth::AccessKey(key), _) => request.header("Accesskey", key.expose()),
            (CsAuth::M2m { .. }, Some(token)) => request.bearer_auth(token.expose()),
            (CsAuth::M2m { .. }, None) => {
                return Err(ApiError::new(ErrorKind::Internal, "no M2M bearer token", None));
            }
        };
        self.budget.acquire(self.cancel.as_deref()).await?;
        self.calls.fetch_add(1, Ordering::Relaxed);
        let host = self.base.domain();
        let reply = http::send(request, &host, self.dns_probe).await?;
        classify_cs(&reply, &host)
    }

    /// The cached bearer token, or a new one when there is none or it is about to expire.
    async fn bearer(&self) -> Result<Secret, ApiError> {
        let CsAuth::M2m { client_id, client_secret } = &self.auth else {
            return Err(ApiError::new(ErrorKind::Internal, "no M2M credentials", None));
        };
        let mut cached = self.token.lock().await;
        if let Some((token, expires)) = cached.as_ref()
            && Instant::now() + TOKEN_MARGIN < *expires
        {
            return Ok(token.clone());
        }
        let host = self.base.domain();
        let mut without_body = self.token_without_body.load(Ordering::Relaxed);
        loop {
            let mut request = self
                .http
                .post(self.base.join("/v1/users/m2m/oauth/token"))
                .basic_auth(client_id, Some(client_secret.expose()));
            if !without_body {
                request = request
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body("grant_type=client_credentials");
            }
            self.budget.acquire(self.cancel.as_deref()).await?;
            self.calls.fetch_add(1, Ordering::Relaxed);
            let reply = http::send(request, &host, self.dns_probe).await?;
            if reply.status == 200
                && let Some((token, ttl)) = token_from(&reply.body)
            {
                self.token_without_body.store(without_body, Ordering::Relaxed);
                *cached = Some((token.clone(), Instant::now() + ttl));
                return Ok(token);
            }
            let e = match classify_cs(&reply, &host) {
                Err(mut e) if e.kind == ErrorKind::InvalidKey => {
                    e.message = format!("{host} rejected the M2M client id or secret.");
                    e.hint = Some(HINT_KEY.replace("Access Key", "OAuth key and secret"));
                    e
                }
                Err(e) => e,
                Ok(_) => ApiError::new(
                    ErrorKind::BadResponse,
                    format!("{host} answered the token request without a token."),
                    None,
                ),
            };
            // The form body refused as a malformed request: send the other documented style
            // (no body) once, and keep to it if it works.
            let malformed = matches!(reply.status, 400 | 415)
                && matches!(e.kind, ErrorKind::Rejected | ErrorKind::BadResponse);
            if malformed && !without_body {
                without_body = true;
                continue;
            }
            return Err(e);
        }
    }
}
