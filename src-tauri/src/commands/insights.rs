use super::{CmdResult, to_payload};
use crate::state::AppState;
use outpost::db::insights::HealthAlert;
use outpost::insights::link::PxAccountRef;
use outpost::insights::quality::QualityCheck;
use outpost::insights::renewals::RenewalRisk;
use outpost::insights::settings::InsightSettings;
use tauri::State;

/// How many rows the Renewals view lists, and how many affected items an opened check lists.
const LIMIT: usize = 500;

/// Accounts renewing within `within` days (30, 90 or 180), riskiest ARR first, each with why.
#[tauri::command]
pub async fn renewals(state: State<'_, AppState>, within: u32) -> CmdResult<Vec<RenewalRisk>> {
    state.core.renewals(within, LIMIT).map_err(to_payload)
}

/// Open alerts, newest first; with `all`, dismissed and resolved ones too.
#[tauri::command]
pub async fn list_alerts(state: State<'_, AppState>, all: bool) -> CmdResult<Vec<HealthAlert>> {
    state.core.alerts(all).map_err(to_payload)
}

#[tauri::command(async)]
pub fn dismiss_alert(state: State<'_, AppState>, id: i64) -> CmdResult<HealthAlert> {
    state.core.dismiss_alert(id).map_err(to_payload)
}

/// Every data-quality check that applies, each with its first few affected items.
#[tauri::command]
pub async fn quality(state: State<'_, AppState>) -> CmdResult<Vec<QualityCheck>> {
    state.core.quality().map_err(to_payload)
}

/// One check with its affected items.
#[tauri::command]
pub async fn quality_check(state: State<'_, AppState>, code: String) -> CmdResult<QualityCheck> {
    state.core.quality_check(&code, LIMIT).map_err(to_payload)
}

#[tauri::command(async)]
pub fn unlinked_px_accounts(state: State<'_, AppState>) -> CmdResult<Vec<PxAccountRef>> {
    state.core.unlinked_px_accounts().map_err(to_payload)
}

#[tauri::command(async)]
pub fn get_insight_settings(state: State<'_, AppState>) -> CmdResult<InsightSettings> {
    state.core.insight_settings().map_err(to_payload)
}

/// Validates and stores the thresholds and link field; an invalid value changes nothing.
#[tauri::command(async)]
pub fn set_insight_settings(
    state: State<'_, AppState>,
    settings: InsightSettings,
) -> CmdResult<InsightSettings> {
    state.core.set_insight_settings(&settings).map_err(to_payload)
}
