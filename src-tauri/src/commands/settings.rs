use super::{CmdResult, to_payload};
use crate::state::AppState;
use outpost::db::settings::{FieldMapping, SyncSettings};
use outpost::doctor::{OrgReport, UsageCandidate};
use outpost::settings::MappingSaved;
use tauri::State;

#[tauri::command(async)]
pub fn get_sync_settings(state: State<'_, AppState>, id: String) -> CmdResult<SyncSettings> {
    state.core.sync_settings(&id).map_err(to_payload)
}

#[tauri::command(async)]
pub fn set_sync_settings(
    state: State<'_, AppState>,
    id: String,
    settings: SyncSettings,
) -> CmdResult<SyncSettings> {
    state.core.set_sync_settings(&id, &settings).map_err(to_payload)
}

/// The fields of `object` mapped on this connection, from the cache (no call to Gainsight).
#[tauri::command(async)]
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

#[tauri::command(async)]
pub fn set_field_mappings(
    state: State<'_, AppState>,
    id: String,
    object: String,
    fields: Vec<FieldMapping>,
) -> CmdResult<MappingSaved> {
    state.core.set_field_mappings(&id, &object, &fields).map_err(to_payload)
}

/// What Outpost found in the org (from the cache; `refresh` describes every object again first).
#[tauri::command]
pub async fn org_report(state: State<'_, AppState>, id: String, refresh: bool) -> CmdResult<OrgReport> {
    state.core.org_report(&id, refresh).await.map_err(to_payload)
}

/// Sets (or, with no field, clears) the field that holds one role of a stream.
#[tauri::command(async)]
pub fn set_field_role(
    state: State<'_, AppState>,
    id: String,
    stream: String,
    role: String,
    field: Option<String>,
) -> CmdResult<SyncSettings> {
    state.core.set_field_role(&id, &stream, &role, field.as_deref()).map_err(to_payload)
}

/// The org's objects that could hold usage, with their usage roles matched (describe calls).
#[tauri::command]
pub async fn usage_candidates(state: State<'_, AppState>, id: String) -> CmdResult<Vec<UsageCandidate>> {
    state.core.usage_candidates(&id).await.map_err(to_payload)
}
