//! The Gainsight CS (NXT) client: Access Key or M2M OAuth, a shared call budget, retries, and the
//! query, discovery and cockpit calls.

use super::budget::{DEFAULT_CS_CALLS_PER_MINUTE, FixedWindow};
use super::error::{ApiError, HINT_KEY};
use super::http::{self, Timeouts};
use super::instance::InstanceUrl;
use super::response::{CsData, classify_cs};
use super::retry::RetryPolicy;
use crate::error::ErrorKind;
use crate::secret::Secret;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
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
    budget: Arc<FixedWindow>,
    retry: RetryPolicy,
    calls: AtomicU64,
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
    expires_in: Option<u64>,
}

impl CsClient {
    pub fn new(base: InstanceUrl, auth: CsAuth, timeouts: Timeouts) -> Result<Self, ApiError> {
        let http = http::build_client(timeouts, !base.is_loopback())?;
        Ok(CsClient {
            http,
            base,
            auth,
            token: Mutex::new(None),
            budget: Arc::new(FixedWindow::per_minute(DEFAULT_CS_CALLS_PER_MINUTE)),
            retry: RetryPolicy::default(),
            calls: AtomicU64::new(0),
        })
    }

    /// Shares a call budget (one per connection, across all its streams).
    pub fn with_budget(mut self, budget: Arc<FixedWindow>) -> Self {
        self.budget = budget;
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
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

    /// One call, renewing an M2M token once if it was rejected.
    async fn call_once(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<CsData, ApiError> {
        match self.send(method.clone(), path, body).await {
            Err(e) if e.kind == ErrorKind::InvalidKey && matches!(self.auth, CsAuth::M2m { .. }) => {
                *self.token.lock().await = None;
                self.send(method, path, body).await
            }
            other => other,
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<CsData, ApiError> {
        let mut request = self.http.request(method, self.base.join(path));
        if let Some(b) = body {
            request = request.json(b);
        }
        let request = match &self.auth {
            CsAuth::AccessKey(key) => request.header("Accesskey", key.expose()),
            CsAuth::M2m { .. } => request.bearer_auth(self.bearer().await?.expose()),
        };
        self.budget.acquire().await;
        self.calls.fetch_add(1, Ordering::Relaxed);
        let host = self.base.domain();
        let reply = http::send(request, &host).await?;
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
        let request = self
            .http
            .post(self.base.join("/v1/users/m2m/oauth/token"))
            .basic_auth(client_id, Some(client_secret.expose()))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials");
        self.budget.acquire().await;
        self.calls.fetch_add(1, Ordering::Relaxed);
        let reply = http::send(request, &host).await?;
        if reply.status == 200
            && let Ok(t) = serde_json::from_slice::<TokenReply>(&reply.body)
        {
            let ttl = Duration::from_secs(t.expires_in.unwrap_or(3600));
            let token = Secret::new(t.access_token);
            *cached = Some((token.clone(), Instant::now() + ttl));
            return Ok(token);
        }
        match classify_cs(&reply, &host) {
            Err(mut e) if e.kind == ErrorKind::InvalidKey => {
                e.message = format!("{host} rejected the M2M client id or secret.");
                e.hint = Some(HINT_KEY.replace("Access Key", "OAuth key and secret"));
                Err(e)
            }
            Err(e) => Err(e),
            Ok(_) => Err(ApiError::new(
                ErrorKind::BadResponse,
                format!("{host} answered the token request without a token."),
                None,
            )),
        }
    }
}
