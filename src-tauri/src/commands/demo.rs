use super::{CmdResult, to_payload};
use crate::state::AppState;
use outpost::connections::DemoOrg;
use tauri::State;

/// Starts the built-in simulator (once per run) and returns what the connect forms fill in: its
/// public, well-known demo keys, which open nothing but the simulator.
#[tauri::command]
pub async fn start_demo(state: State<'_, AppState>) -> CmdResult<DemoOrg> {
    state.core.start_demo(0).await.map_err(to_payload)
}
