//! The Gainsight CS (NXT) client.

use super::error::ApiError;
use super::http::{self, Timeouts};
use super::instance::InstanceUrl;
use super::response::{CsData, classify_cs};
use crate::secret::Secret;
use serde_json::{Value, json};

/// How a CS connection proves who it is.
#[derive(Clone, Debug)]
pub enum CsAuth {
    AccessKey(Secret),
}

impl CsAuth {
    pub fn mode_label(&self) -> &'static str {
        match self {
            CsAuth::AccessKey(_) => "Access Key",
        }
    }
}

pub struct CsClient {
    http: reqwest::Client,
    base: InstanceUrl,
    auth: CsAuth,
}

impl CsClient {
    pub fn new(base: InstanceUrl, auth: CsAuth, timeouts: Timeouts) -> Result<Self, ApiError> {
        let http = http::build_client(timeouts, !base.is_loopback())?;
        Ok(CsClient { http, base, auth })
    }

    pub fn instance(&self) -> &InstanceUrl {
        &self.base
    }

    /// `POST /v1/data/objects/query/{object}`.
    pub async fn query(&self, object: &str, body: &Value) -> Result<CsData, ApiError> {
        self.post(&format!("/v1/data/objects/query/{object}"), body).await
    }

    /// The cheapest proof that URL and key work: one Company row, one field.
    pub async fn test_connection(&self) -> Result<(), ApiError> {
        self.query("Company", &json!({"select": ["Gsid"], "limit": 1, "offset": 0}))
            .await
            .map(|_| ())
    }

    async fn post(&self, path: &str, body: &Value) -> Result<CsData, ApiError> {
        let request = self.http.post(self.base.join(path)).json(body);
        let request = match &self.auth {
            CsAuth::AccessKey(key) => request.header("Accesskey", key.expose()),
        };
        let host = self.base.domain();
        let reply = http::send(request, &host).await?;
        classify_cs(&reply, &host)
    }
}
