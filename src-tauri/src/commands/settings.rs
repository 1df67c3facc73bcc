use super::{CmdResult, to_payload};
use crate::state::AppState;
use outpost::db::settings::{FieldMapping, SyncSettings};
use outpost::settings::MappingSaved;
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

/// The fields of `object` mapped on this connection, from the cache (no call to Gainsight).
#[tauri::command]
pub fn get_field_mappings(
    state: State<'_, AppState>,
    id: String,
    object: String,
) -> CmdResult<Vec<FieldMapping>> {
    state.core.field_mappings(&id, &object).map_err(to_payload)
}

/// The fields Gainsight offers for `object` (describe: one call), custom fields first.
#[tauri::command]
pub async fn mappable_fields(
    state: State<'_, AppState>,
    id: String,
    object: String,
) -> CmdResult<Vec<FieldMapping>> {
    state.core.mappable_fields(&id, &object).await.map_err(to_payload)
}

#[tauri::command]
pub fn set_field_mappings(
    state: State<'_, AppState>,
    id: String,
    object: String,
    fields: Vec<FieldMapping>,
) -> CmdResult<MappingSaved> {
    state.core.set_field_mappings(&id, &object, &fields).map_err(to_payload)
}
