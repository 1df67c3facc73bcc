//! `#[tauri::command]` adapters, one file per area. Each is a few lines: call the core, map errors
//! to `{ kind, message, hint }`.

pub mod about;
pub mod browse;
pub mod budget;
pub mod connections;
pub mod demo;
pub mod export;
pub mod insights;
pub mod settings;
pub mod sync;

use outpost::ErrorPayload;

pub type CmdResult<T> = Result<T, ErrorPayload>;

pub fn to_payload(e: outpost::Error) -> ErrorPayload {
    e.payload()
}
