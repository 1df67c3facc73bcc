//! What `outpost --version` and the About panel show: the crate version and the commit it was
//! built from (captured by `build.rs`; "unknown" outside a git checkout).

use serde::Serialize;
use ts_rs::TS;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub const COMMIT: &str = env!("OUTPOST_GIT_COMMIT");
/// `0.1.0 (commit 1a2b3c4d5e6f)`: what `--version` prints after the program's name.
pub const LONG_VERSION: &str =
    concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("OUTPOST_GIT_COMMIT"), ")");

#[derive(Clone, Debug, Serialize, TS)]
pub struct BuildInfo {
    pub version: String,
    pub commit: String,
}

pub fn build_info() -> BuildInfo {
    BuildInfo { version: VERSION.to_string(), commit: COMMIT.to_string() }
}
