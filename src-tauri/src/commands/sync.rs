use super::{CmdResult, to_payload};
use crate::state::AppState;
use outpost::sync::{StreamProgress, SyncOptions, SyncSummary};
use tauri::ipc::Channel;
use tauri::{AppHandle, Emitter, State};

/// Runs a sync now, streaming per-stream progress through `on_progress`; broadcasts
/// `sync://finished` when done so every view can refresh, and notifies the health alerts it raised.
#[tauri::command]
pub async fn sync_now(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    on_progress: Channel<StreamProgress>,
) -> CmdResult<SyncSummary> {
    let progress = move |p: &StreamProgress| {
        let _ = on_progress.send(p.clone());
    };
    let summary = state.core.sync(&id, SyncOptions::default(), &progress).await.map_err(to_payload)?;
    crate::notify_new_alerts(&app, &summary);
    let _ = app.emit("sync://finished", &summary);
    Ok(summary)
}

/// Asks a running sync to stop after its current page.
#[tauri::command]
pub fn cancel_sync(state: State<'_, AppState>, id: String) -> bool {
    state.core.cancel_sync(&id)
}
