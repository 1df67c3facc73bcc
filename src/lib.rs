//! Outpost core: the Gainsight client, the keychain vault, the local cache and the sync engine.
//! Nothing here depends on Tauri; the desktop app is a thin shell over this crate.

pub mod alerts;
pub mod bindings;
pub mod browse;
pub mod budget;
pub mod build_info;
pub mod connections;
pub mod db;
#[cfg(feature = "demo")]
pub mod demo;
pub mod doctor;
pub mod error;
pub mod export;
pub mod gainsight;
pub mod insights;
pub mod model;
pub mod outpost;
pub mod private;
pub mod rebuild;
pub mod schedule;
pub mod secret;
pub mod settings;
pub mod sync;
pub mod vault;

pub use error::{Error, ErrorKind, ErrorPayload, Result};
pub use outpost::{Outpost, default_data_dir, os_user_full_name};
