//! The Connected card: everything the UI and `outpost connections` show about a connection.

use crate::db::connections::ConnectionRow;
use crate::gainsight::CsAuth;
use crate::gainsight::px::PxRegion;
use crate::model::{AuthMode, ConnectionKind, SyncOutcome};
use crate::secret::{Secret, mask_hint};
use serde::Serialize;
use ts_rs::TS;

#[derive(Clone, Copy, Debug, Serialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    Connected,
    /// The last attempt (a test or a sync) got no answer from Gainsight; the cache is what it was
    /// at `last_sync_at`. The next answer makes it Connected again.
    Offline,
    Syncing,
    NeedsAttention,
    Disconnected,
}

#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct ConnectionCard {
    pub id: String,
    pub kind: ConnectionKind,
    pub name: String,
    pub description: Option<String>,
    pub status: ConnectionStatus,
    pub status_reason: Option<String>,
    pub connected_by: String,
    /// RFC 3339, UTC; shown in local time.
    pub connected_on: String,
    /// The domain (CS), the region label (PX, e.g. `EU`) or the host of an explicit PX URL.
    pub instance: String,
    pub instance_url: String,
    pub auth_mode: AuthMode,
    /// M2M OAuth only: the client id (not a secret).
    pub client_id: Option<String>,
    /// PX only, when the connection is to a named region.
    pub region: Option<PxRegion>,
    pub masked_key: String,
    pub is_demo: bool,
    pub last_sync_at: Option<String>,
    pub next_sync_at: Option<String>,
    /// How the last finished sync ended: ok, partial, failed, cancelled or interrupted.
    pub last_outcome: Option<SyncOutcome>,
    /// The streams of that sync that failed or were skipped, each with its error and hint: the
    /// card's "Synced with 1 problem".
    pub last_problems: Vec<crate::db::org::StreamOutcome>,
}

/// What a card shows as the instance: the region label for PX regions, else host and port.
pub(crate) fn display_instance(instance_url: &str, region: Option<PxRegion>) -> String {
    if let Some(r) = region {
        return r.label().to_string();
    }
    url::Url::parse(instance_url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_else(|| instance_url.to_string())
}

pub(crate) fn parse_region(code: Option<&str>) -> Option<PxRegion> {
    code.and_then(PxRegion::parse)
}

/// The storage code of a region (`us`, `eu`, `us2`), as its serde name.
pub(crate) fn region_code(r: PxRegion) -> String {
    r.label().to_ascii_lowercase()
}

impl From<ConnectionRow> for ConnectionCard {
    fn from(r: ConnectionRow) -> Self {
        let region = parse_region(r.region.as_deref());
        // `syncing` is never stored now (a running sync is known by its lock); an old database
        // may still say it, which means nothing more than connected.
        let status = match r.status.as_str() {
            "needs_attention" => ConnectionStatus::NeedsAttention,
            "disconnected" => ConnectionStatus::Disconnected,
            "offline" => ConnectionStatus::Offline,
            _ => ConnectionStatus::Connected,
        };
        ConnectionCard {
            instance: display_instance(&r.instance_url, region),
            id: r.id,
            kind: r.kind,
            name: r.name,
            description: r.description,
            status,
            status_reason: r.status_reason,
            connected_by: r.connected_by,
            connected_on: r.connected_on,
            instance_url: r.instance_url,
            auth_mode: r.auth_mode,
            client_id: r.client_id.filter(|_| r.auth_mode == AuthMode::M2m),
            region,
            masked_key: mask_hint(&r.key_hint),
            is_demo: r.is_demo,
            last_sync_at: r.last_sync_at,
            next_sync_at: r.next_sync_at,
            last_outcome: None,
            last_problems: Vec::new(),
        }
    }
}

/// How a saved CS connection authenticates, given the secret from the keychain: the Access Key,
/// or the M2M client id from the card with the client secret.
pub fn cs_auth(card: &ConnectionCard, secret: Secret) -> CsAuth {
    match &card.client_id {
        Some(client_id) => CsAuth::M2m { client_id: client_id.clone(), client_secret: secret },
        None => CsAuth::AccessKey(secret),
    }
}
