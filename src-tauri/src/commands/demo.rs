use super::{CmdResult, to_payload};
use crate::state::AppState;
use outpost::connections::DemoOrg;
use tauri::State;

/// Starts the built-in simulator (once per run) and returns what the wizard fills in.
#[tauri::command]
pub async fn start_demo(state: State<'_, AppState>) -> CmdResult<DemoOrg> {
    let url = state.demo_url(0).await.map_err(to_payload)?;
    Ok(DemoOrg { instance_url: url, access_key: gainsight_sim::DEMO_ACCESS_KEY.to_string() })
}
