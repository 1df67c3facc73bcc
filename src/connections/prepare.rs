//! Input, or a saved connection plus its key, checked and normalised into one [`Prepared`] shape,
//! and the one call that proves it works ([`Prepared::verify`]).

use super::card::{display_instance, parse_region};
use super::input::{ConnectKind, CsAuthInput, PxTarget};
use crate::db::connections::ConnectionRow;
use crate::error::{Error, ErrorKind, Result};
use crate::gainsight::http::{DnsProbe, Timeouts};
use crate::gainsight::px::{PxClient, PxEndpoints, PxRegion, PxSubscription, detect_region, is_loopback};
use crate::gainsight::{CsAuth, CsClient, InstanceUrl, normalize_instance_url, normalize_key};
use crate::model::{AuthMode, ConnectionKind};
use crate::secret::Secret;
use url::Url;

pub(crate) enum Target {
    /// `client_id` is set for M2M OAuth; the secret is then the client secret.
    Cs {
        url: InstanceUrl,
        client_id: Option<String>,
    },
    PxRegion(PxRegion),
    PxAuto,
    PxUrl {
        base: Url,
        region: Option<PxRegion>,
    },
}

pub(crate) struct Prepared {
    pub target: Target,
    pub secret: Secret,
    pub notices: Vec<String>,
}

/// What a passing test established.
pub(crate) struct Verified {
    pub instance_url: String,
    pub region: Option<PxRegion>,
    pub subscription: Option<PxSubscription>,
}

impl Verified {
    pub fn instance(&self) -> String {
        display_instance(&self.instance_url, self.region)
    }
}

const HINT_PX_URL: &str = "Pick a region (US, EU, US2) or auto-detect instead, or use a base URL such as https://api-eu.aptrinsic.com/v1.";

pub(crate) fn prepare(kind: &ConnectKind, endpoints: &PxEndpoints) -> Result<Prepared> {
    match kind {
        ConnectKind::Cs { instance_url, auth } => {
            let url = normalize_instance_url(instance_url)?;
            let mut notices = url.notices.clone();
            let (client_id, key) = match auth {
                CsAuthInput::AccessKey { key } => (None, normalize_key(key, "Access Key")?),
                CsAuthInput::M2m { client_id, client_secret } => {
                    (Some(normalize_client_id(client_id)?), normalize_key(client_secret, "client secret")?)
                }
            };
            notices.extend(key.notice);
            Ok(Prepared { target: Target::Cs { url, client_id }, secret: key.key, notices })
        }
        ConnectKind::Px { target, api_key } => {
            let key = normalize_key(api_key, "API key")?;
            let mut notices = Vec::new();
            let target = match target {
                PxTarget::Region(r) => Target::PxRegion(*r),
                PxTarget::Auto => Target::PxAuto,
                PxTarget::Url(raw) => {
                    let (base, url_notices) = normalize_px_url(raw)?;
                    notices = url_notices;
                    Target::PxUrl { region: endpoints.region_of(&base), base }
                }
            };
            notices.extend(key.notice);
            Ok(Prepared { target, secret: key.key, notices })
        }
    }
}

/// A saved connection with `secret` (from the keychain, or a new one being rotated in).
pub(crate) fn prepare_saved(row: &ConnectionRow, secret: Secret) -> Result<Prepared> {
    let target = if row.kind == ConnectionKind::Px {
        let base = Url::parse(&row.instance_url).map_err(|_| {
            Error::new(ErrorKind::Internal, format!("The saved PX address of {} is not a URL.", row.name))
        })?;
        Target::PxUrl { base, region: parse_region(row.region.as_deref()) }
    } else {
        let client_id = if row.auth_mode == AuthMode::M2m { row.client_id.clone() } else { None };
        Target::Cs { url: normalize_instance_url(&row.instance_url)?, client_id }
    };
    Ok(Prepared { target, secret, notices: Vec::new() })
}

/// What the secret of a saved connection is called in messages.
pub(crate) fn secret_name(row: &ConnectionRow) -> &'static str {
    match (row.kind, row.auth_mode) {
        (ConnectionKind::Px, _) => "API key",
        (_, AuthMode::M2m) => "client secret",
        _ => "Access Key",
    }
}

impl Prepared {
    pub fn kind(&self) -> ConnectionKind {
        match self.target {
            Target::Cs { .. } => ConnectionKind::Cs,
            _ => ConnectionKind::Px,
        }
    }

    pub fn auth_mode(&self) -> AuthMode {
        match &self.target {
            Target::Cs { client_id: Some(_), .. } => AuthMode::M2m,
            Target::Cs { client_id: None, .. } => AuthMode::AccessKey,
            _ => AuthMode::ApiKey,
        }
    }

    pub fn client_id(&self) -> Option<String> {
        match &self.target {
            Target::Cs { client_id, .. } => client_id.clone(),
            _ => None,
        }
    }

    /// The base URL and region that will be tested, when known before the test (not for auto-detect).
    pub fn planned(&self, endpoints: &PxEndpoints) -> Option<(String, Option<PxRegion>)> {
        match &self.target {
            Target::Cs { url, .. } => Some((url.as_str().to_string(), None)),
            Target::PxRegion(r) => Some((bare(endpoints.base(*r)), Some(*r))),
            Target::PxAuto => None,
            Target::PxUrl { base, region } => Some((bare(base), *region)),
        }
    }

    /// One call (CS: plus the token request for M2M; PX auto-detect: one per region tried), not
    /// retried: the admin wants the answer now.
    pub async fn verify(&self, endpoints: &PxEndpoints, probe: DnsProbe) -> Result<Verified> {
        let timeouts = Timeouts::default();
        match &self.target {
            Target::Cs { url, client_id } => {
                let auth = match client_id {
                    Some(id) => CsAuth::M2m { client_id: id.clone(), client_secret: self.secret.clone() },
                    None => CsAuth::AccessKey(self.secret.clone()),
                };
                CsClient::new(url.clone(), auth, timeouts)?.with_dns_probe(probe).test_connection().await?;
                Ok(Verified { instance_url: url.as_str().to_string(), region: None, subscription: None })
            }
            Target::PxAuto => {
                let (region, sub) = detect_region(endpoints, &self.secret, timeouts, probe).await?;
                Ok(Verified {
                    instance_url: bare(endpoints.base(region)),
                    region: Some(region),
                    subscription: Some(sub),
                })
            }
            Target::PxRegion(r) => self.verify_px(endpoints.base(*r), Some(*r), timeouts, probe).await,
            Target::PxUrl { base, region } => self.verify_px(base, *region, timeouts, probe).await,
        }
    }

    async fn verify_px(
        &self,
        base: &Url,
        region: Option<PxRegion>,
        timeouts: Timeouts,
        probe: DnsProbe,
    ) -> Result<Verified> {
        let sub = PxClient::new(base.clone(), self.secret.clone(), timeouts)?
            .with_dns_probe(probe)
            .test_connection()
            .await?;
        Ok(Verified { instance_url: bare(base), region, subscription: Some(sub) })
    }
}

fn bare(u: &Url) -> String {
    u.as_str().trim_end_matches('/').to_string()
}

fn normalize_client_id(raw: &str) -> Result<String> {
    let id = raw.trim();
    if id.is_empty() {
        return Err(Error::new(ErrorKind::InvalidInput, "The client id is empty."));
    }
    if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "The client id contains spaces or invisible characters; copy it again exactly as Gainsight shows it.",
        ));
    }
    Ok(id.to_string())
}

/// An explicit PX base URL: https (http only to loopback), no credentials, query or fragment;
/// `/v1` added when only the host was given.
pub(crate) fn normalize_px_url(raw: &str) -> Result<(Url, Vec<String>)> {
    let bad = |what: &str| {
        Error::new(ErrorKind::InvalidInput, format!("PX base URL: {what}.")).with_hint(HINT_PX_URL)
    };
    let mut notices = Vec::new();
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(bad("it is empty"));
    }
    if trimmed.len() != raw.len() {
        notices.push("Removed spaces around the PX base URL.".to_string());
    }
    let text = if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        notices.push("Added https:// in front of the address.".to_string());
        format!("https://{trimmed}")
    };
    let mut url = Url::parse(&text).map_err(|_| bad(&format!("\"{trimmed}\" is not a web address")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => return Err(bad("only https:// addresses are allowed (http:// only for this computer)")),
        other => return Err(bad(&format!("the scheme {other}:// is not supported; use https://"))),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad(&format!("\"{trimmed}\" has no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("the address must not contain a user name or password"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("the address must not contain a query string or fragment"));
    }
    let path = url.path().trim_end_matches('/').to_string();
    if path.is_empty() {
        notices.push("Added /v1, the PX API's version path.".to_string());
        url.set_path("/v1");
    } else {
        url.set_path(&path);
    }
    Ok((url, notices))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn px_urls_are_normalised_or_refused() {
        let (u, notices) = normalize_px_url(" api-eu.aptrinsic.com ").expect("bare host");
        assert_eq!(u.as_str(), "https://api-eu.aptrinsic.com/v1");
        assert_eq!(notices.len(), 3, "spaces, scheme and /v1 are reported: {notices:?}");
        let (u, notices) = normalize_px_url("http://127.0.0.1:4000/px/eu/v1/").expect("loopback");
        assert_eq!(u.as_str(), "http://127.0.0.1:4000/px/eu/v1");
        assert!(notices.is_empty());
        for bad in
            ["", "http://api.aptrinsic.com/v1", "ftp://x.com", "https://u:p@x.com/v1", "https://x.com/v1?a=1"]
        {
            let e = normalize_px_url(bad).expect_err(bad);
            assert_eq!(e.kind, ErrorKind::InvalidInput, "{bad}");
        }
    }

    #[test]
    fn explicit_region_urls_keep_their_region() {
        let kind = ConnectKind::Px {
            target: PxTarget::Url("https://api-us2.aptrinsic.com/v1".into()),
            api_key: "k-123456789012".into(),
        };
        let p = prepare(&kind, &PxEndpoints::default()).expect("prepared");
        assert!(matches!(p.target, Target::PxUrl { region: Some(PxRegion::Us2), .. }));
        assert_eq!(p.auth_mode(), crate::model::AuthMode::ApiKey);
    }

    #[test]
    fn m2m_needs_a_clean_client_id() {
        let kind = |id: &str| ConnectKind::Cs {
            instance_url: "acme".into(),
            auth: CsAuthInput::M2m { client_id: id.into(), client_secret: "s-123456789012".into() },
        };
        let e = prepare(&kind("  "), &PxEndpoints::default()).err().map(|e| e.kind);
        assert_eq!(e, Some(ErrorKind::InvalidInput));
        let p = prepare(&kind(" id-1 "), &PxEndpoints::default()).expect("prepared");
        assert_eq!((p.auth_mode(), p.client_id()), (crate::model::AuthMode::M2m, Some("id-1".to_string())));
    }
}
