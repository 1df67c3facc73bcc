use super::{CmdResult, to_payload};
use crate::state::AppState;
use outpost::db::account_page::{AccountFilter, AccountPage, AccountPageQuery, Facet};
use outpost::db::browse::{AccountDetail, AccountQuery, AccountSummary, CtaListItem, CtaQuery, ScoreBand};
use outpost::db::changes::{ChangeList, ChangeQuery, ChangeRun};
use outpost::db::cta_page::{CtaPage, CtaPageQuery};
use outpost::db::runs::SyncRun;
use outpost::db::settings::FieldMapping;
use tauri::State;

#[tauri::command(async)]
pub fn list_accounts(state: State<'_, AppState>, query: AccountQuery) -> CmdResult<Vec<AccountSummary>> {
    state.core.accounts(&query).map_err(to_payload)
}

/// One page of accounts with the cache's total and the matching count; sorted and filtered in SQLite.
#[tauri::command]
pub async fn account_page(state: State<'_, AppState>, query: AccountPageQuery) -> CmdResult<AccountPage> {
    state.core.account_page(&query).map_err(to_payload)
}

/// The accounts list's facets with their counts under the current filter.
#[tauri::command]
pub async fn account_facets(state: State<'_, AppState>, filter: AccountFilter) -> CmdResult<Vec<Facet>> {
    state.core.account_facets(&filter).map_err(to_payload)
}

/// One page of CTAs org-wide, overdue first, with the cache's total and the matching count.
#[tauri::command]
pub async fn cta_page(state: State<'_, AppState>, query: CtaPageQuery) -> CmdResult<CtaPage> {
    state.core.cta_page(&query).map_err(to_payload)
}

/// The CTA list's facets with their counts under the current filter.
#[tauri::command]
pub async fn cta_facets(state: State<'_, AppState>, query: CtaPageQuery) -> CmdResult<Vec<Facet>> {
    state.core.cta_facets(&query).map_err(to_payload)
}

/// The health bands in the cache, lowest first, for the band filter.
#[tauri::command(async)]
pub fn list_bands(state: State<'_, AppState>) -> CmdResult<Vec<ScoreBand>> {
    state.core.bands().map_err(to_payload)
}

/// The mapped custom company fields of all CS connections: the accounts list's extra columns.
#[tauri::command(async)]
pub fn list_custom_columns(state: State<'_, AppState>) -> CmdResult<Vec<FieldMapping>> {
    state.core.custom_columns().map_err(to_payload)
}

#[tauri::command(async)]
pub fn get_account(state: State<'_, AppState>, id: String) -> CmdResult<AccountDetail> {
    state.core.account(&id).map_err(to_payload)
}

#[tauri::command(async)]
pub fn list_ctas(state: State<'_, AppState>, query: CtaQuery) -> CmdResult<Vec<CtaListItem>> {
    state.core.ctas(&query).map_err(to_payload)
}

/// The Changes screen: since the last sync or a chosen one, by connection and kind.
#[tauri::command]
pub async fn change_list(state: State<'_, AppState>, query: ChangeQuery) -> CmdResult<ChangeList> {
    state.core.change_list(&query).map_err(to_payload)
}

/// The syncs the Changes picker offers, newest first, with their dates and change counts.
#[tauri::command]
pub async fn change_runs(
    state: State<'_, AppState>,
    connection_id: Option<String>,
) -> CmdResult<Vec<ChangeRun>> {
    state.core.change_runs(connection_id.as_deref()).map_err(to_payload)
}

#[tauri::command(async)]
pub fn sync_history(state: State<'_, AppState>, connection_id: Option<String>) -> CmdResult<Vec<SyncRun>> {
    state.core.sync_history(connection_id.as_deref(), 50).map_err(to_payload)
}
