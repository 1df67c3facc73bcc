//! What the app holds while it runs: the core. Running syncs, the scheduler and the demo org are
//! the core's; this shell only forwards.

use outpost::{Outpost, Result};
use std::path::Path;

pub struct AppState {
    pub core: Outpost,
}

impl AppState {
    pub fn open(data_dir: &Path) -> Result<Self> {
        Ok(AppState { core: Outpost::open(data_dir)? })
    }
}
