use super::{CmdResult, to_payload};
use crate::state::AppState;
use outpost::connections::DemoOrg;
use outpost::gainsight::px::PxRegion;
use tauri::State;

/// Starts the built-in simulator (once per run) and returns what the connect forms fill in: its
/// public, well-known demo keys, which open nothing but the simulator.
#[tauri::command]
pub async fn start_demo(state: State<'_, AppState>) -> CmdResult<DemoOrg> {
    let url = state.demo_url(0).await.map_err(to_payload)?;
    Ok(DemoOrg {
        instance_url: url,
        access_key: gainsight_sim::DEMO_ACCESS_KEY.to_string(),
        client_id: gainsight_sim::DEMO_CLIENT_ID.to_string(),
        client_secret: gainsight_sim::DEMO_CLIENT_SECRET.to_string(),
        px_api_key: gainsight_sim::DEMO_PX_API_KEY.to_string(),
        px_region: PxRegion::Us,
    })
}
