//! The connection lifecycle: test, save, rotate the key, edit who connected it, test again,
//! disconnect. Replies carry masked keys only. Each change of a connection rebuilds the tray menu,
//! which lists the connections.

use super::{CmdResult, to_payload};
use crate::state::AppState;
use outpost::connections::{ConnectInput, ConnectionCard, TestReport};
use tauri::{AppHandle, State};

#[tauri::command(async)]
pub fn list_connections(state: State<'_, AppState>) -> CmdResult<Vec<ConnectionCard>> {
    state.core.connection_cards().map_err(to_payload)
}

/// Tests what the form shows; never saves.
#[tauri::command]
pub async fn test_connection(state: State<'_, AppState>, input: ConnectInput) -> CmdResult<TestReport> {
    Ok(state.core.test_connection(&input).await)
}

#[tauri::command]
pub async fn save_connection(
    app: AppHandle,
    state: State<'_, AppState>,
    input: ConnectInput,
) -> CmdResult<ConnectionCard> {
    let card = state.core.connect(&input).await.map_err(to_payload);
    crate::tray::refresh(&app);
    card
}

/// Tests the new key against the saved instance and replaces the old one only when it passes.
#[tauri::command]
pub async fn rotate_key(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    secret: String,
) -> CmdResult<ConnectionCard> {
    let card = state.core.rotate(&id, &secret).await.map_err(to_payload);
    crate::tray::refresh(&app);
    card
}

#[tauri::command(async)]
pub fn set_connected_by(state: State<'_, AppState>, id: String, name: String) -> CmdResult<ConnectionCard> {
    state.core.set_connected_by(&id, &name).map_err(to_payload)
}

/// Tests a saved connection with its key from the keychain; a rejected key marks it Needs attention.
#[tauri::command]
pub async fn test_saved(app: AppHandle, state: State<'_, AppState>, id: String) -> CmdResult<TestReport> {
    let report = state.core.test_saved(&id).await.map_err(to_payload);
    crate::tray::refresh(&app);
    report
}

#[tauri::command]
pub async fn disconnect(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    purge: bool,
) -> CmdResult<ConnectionCard> {
    let card = state.core.disconnect(&id, purge).await.map_err(to_payload);
    crate::tray::refresh(&app);
    card
}
