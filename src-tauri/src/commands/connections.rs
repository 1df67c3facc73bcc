use super::{CmdResult, to_payload};
use crate::state::AppState;
use outpost::connections::{ConnectionCard, CsConnectInput, TestReport};
use tauri::State;

#[tauri::command]
pub fn list_connections(state: State<'_, AppState>) -> CmdResult<Vec<ConnectionCard>> {
    state.core.connection_cards().map_err(to_payload)
}

#[tauri::command]
pub async fn test_cs_connection(state: State<'_, AppState>, input: CsConnectInput) -> CmdResult<TestReport> {
    Ok(state.core.test_cs(&input).await)
}

#[tauri::command]
pub async fn save_cs_connection(
    state: State<'_, AppState>,
    input: CsConnectInput,
) -> CmdResult<ConnectionCard> {
    let is_demo = state.is_demo_url(&input.instance_url).await;
    state.core.connect_cs(&input, is_demo).await.map_err(to_payload)
}

#[tauri::command]
pub async fn disconnect(state: State<'_, AppState>, id: String, purge: bool) -> CmdResult<ConnectionCard> {
    state.core.disconnect(&id, purge).await.map_err(to_payload)
}
