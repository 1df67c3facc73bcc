//! Connections: test, save, list as Connected cards, rotate keys, disconnect. Secrets go to the
//! vault; the rest to SQLite. The only key material that ever leaves this module is a mask such as
//! `••••3f9a`.
//!
//! - [`input`]: what the admin types (CS with an Access Key or M2M OAuth, PX by region, auto-detect
//!   or URL).
//! - [`prepare`]: input (or a saved connection plus its key) checked, normalised and tested.
//! - [`card`]: the Connected card.
//! - [`lifecycle`]: the [`Outpost`](crate::Outpost) verbs: test, connect, rotate, disconnect.

mod card;
mod input;
mod lifecycle;
mod prepare;

pub use card::{ConnectionCard, ConnectionStatus, cs_auth};
pub use input::{ConnectInput, ConnectKind, CsAuthInput, CsConnectInput, PxTarget};
pub use lifecycle::KEY_REJECTED;

use crate::error::ErrorPayload;
use crate::gainsight::px::{PxRegion, PxSubscription};
use serde::Serialize;
use ts_rs::TS;

/// The explaining connection test's outcome. Never carries key material.
#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct TestReport {
    pub ok: bool,
    /// The normalised base URL that was tested, when the input could be normalised.
    pub instance_url: Option<String>,
    /// The domain (CS), or the region label or host (PX).
    pub instance: Option<String>,
    pub auth_mode: crate::model::AuthMode,
    /// What was changed in the input (trimmed key, removed path, expanded tenant name).
    pub notices: Vec<String>,
    pub error: Option<ErrorPayload>,
    /// PX: the data centre the key works in (the detected one for auto-detect).
    pub region: Option<PxRegion>,
    /// PX: the subscription the key belongs to.
    pub subscription: Option<PxSubscription>,
}

/// The built-in demo org's address and its public, well-known keys (they open only the simulator).
#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct DemoOrg {
    /// The simulator's base URL: the CS instance URL; PX is served under `{instance_url}/px/{region}/v1`.
    pub instance_url: String,
    pub access_key: String,
    /// The demo M2M OAuth client.
    pub client_id: String,
    pub client_secret: String,
    pub px_api_key: String,
    /// The region the demo PX key belongs to.
    pub px_region: PxRegion,
    /// The demo PX API's base URL (its US region): a PX connection to the demo org is an ordinary
    /// connection to this URL.
    pub px_url: String,
}

/// What normalising `kind` changes (trimmed key, removed path, expanded tenant name), without
/// testing anything: [`Outpost::connect`](crate::Outpost::connect) returns only the card, and the
/// CLI prints these next to it.
pub fn input_notices(kind: &ConnectKind, endpoints: &crate::gainsight::px::PxEndpoints) -> Vec<String> {
    prepare::prepare(kind, endpoints).map(|p| p.notices).unwrap_or_default()
}
