//! The PX surface: `X-APTRINSIC-API-KEY` auth per region, admin, accounts, users, features,
//! segments, engagements and events. Each region is served under `/px/{us|eu|us2}/v1`.

use crate::config::SimConfig;
use crate::schema::Store;
use crate::state::SimState;
use axum::Router;
use std::sync::Arc;

/// The PX side of the simulated org, generated from the same seed and linked to CS companies by `gsId`.
#[derive(Default)]
pub struct PxData {}

impl PxData {
    pub fn generate(_config: &SimConfig, _cs: &Store, _anchor_day: i64) -> PxData {
        let _ = crate::observe::px_region;
        PxData {}
    }
}

pub fn router() -> Router<Arc<SimState>> {
    Router::new()
}
