use super::{CmdResult, to_payload};
use crate::state::AppState;
use outpost::db::settings::SyncSettings;
use tauri::State;

#[tauri::command]
pub fn get_sync_settings(state: State<'_, AppState>, id: String) -> CmdResult<SyncSettings> {
    state.core.sync_settings(&id).map_err(to_payload)
}

#[tauri::command]
pub fn set_sync_settings(
    state: State<'_, AppState>,
    id: String,
    settings: SyncSettings,
) -> CmdResult<SyncSettings> {
    state.core.set_sync_settings(&id, &settings).map_err(to_payload)
}
