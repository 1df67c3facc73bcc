use super::{CmdResult, to_payload};
use crate::state::AppState;
use outpost::budget::meter::BudgetMeter;
use tauri::State;

/// A CS connection's call budget: this minute and today, from every Outpost process on this computer.
#[tauri::command(async)]
pub fn budget_meter(state: State<'_, AppState>, id: String) -> CmdResult<BudgetMeter> {
    state.core.budget_meter(&id).map_err(to_payload)
}
