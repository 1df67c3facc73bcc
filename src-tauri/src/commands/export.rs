//! Export of the Accounts or CTAs view to CSV. The save dialog is opened from Rust and the core
//! writes the file, so the webview never names a path and needs no dialog or file permission.
//! Debug builds take the path from `OUTPOST_EXPORT_PATH` instead (the end-to-end tests cannot
//! drive a native dialog).

use super::{CmdResult, to_payload};
use crate::state::AppState;
use outpost::export::{AccountExport, CtaExport, ExportDone, Headers};
use std::path::PathBuf;
use tauri::{State, WebviewWindow};
use tauri_plugin_dialog::DialogExt;

/// The file the admin chose, in a dialog over the app's window; `None` when it was cancelled.
async fn save_path(window: &WebviewWindow, suggested: &str) -> Option<PathBuf> {
    #[cfg(debug_assertions)]
    if let Some(p) = std::env::var_os("OUTPOST_EXPORT_PATH") {
        return Some(PathBuf::from(p));
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let dialog = window.dialog().file().set_parent(window).add_filter("CSV", &["csv"]);
    dialog.set_file_name(suggested).save_file(move |p| {
        let _ = tx.send(p);
    });
    rx.await.ok().flatten().and_then(|p| p.into_path().ok())
}

/// Writes the Accounts view (its filter, sort and columns) where the admin chooses.
#[tauri::command]
pub async fn export_accounts(
    window: WebviewWindow,
    state: State<'_, AppState>,
    export: AccountExport,
) -> CmdResult<Option<ExportDone>> {
    let Some(path) = save_path(&window, "accounts.csv").await else { return Ok(None) };
    let rows = state.core.export_accounts(&export, &path, Headers::Labels).map_err(to_payload)?;
    Ok(Some(ExportDone { path: path.display().to_string(), rows }))
}

/// Writes the CTAs view (its filter and columns) where the admin chooses.
#[tauri::command]
pub async fn export_ctas(
    window: WebviewWindow,
    state: State<'_, AppState>,
    export: CtaExport,
) -> CmdResult<Option<ExportDone>> {
    let Some(path) = save_path(&window, "ctas.csv").await else { return Ok(None) };
    let rows = state.core.export_ctas(&export, &path, Headers::Labels).map_err(to_payload)?;
    Ok(Some(ExportDone { path: path.display().to_string(), rows }))
}
