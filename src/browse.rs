//! Browsing the cache: the queries the CLI and the app share.

use crate::db::account_page::{self, AccountFilter, AccountPage, AccountPageQuery, Facet};
use crate::db::browse::{
    self, AccountDetail, AccountQuery, AccountSummary, CtaListItem, CtaQuery, ScoreBand,
};
use crate::db::changes::{Change, ChangeList, ChangeQuery, ChangeRun};
use crate::db::cta_page::{self, CtaPage, CtaPageQuery};
use crate::db::runs::SyncRun;
use crate::db::settings::FieldMapping;
use crate::error::Result;
use crate::outpost::Outpost;

fn today() -> String {
    chrono::Local::now().format("%Y-%m-%d").to_string()
}

/// The most rows a list shows at once; export reads them all ([`Outpost::all_accounts`]).
const LIST_CAP: i64 = 100_000;

impl Outpost {
    pub fn accounts(&self, q: &AccountQuery) -> Result<Vec<AccountSummary>> {
        let q = AccountQuery { limit: Some(q.limit.unwrap_or(500).clamp(1, LIST_CAP)), ..q.clone() };
        browse::accounts(&*self.db()?, &q, &today())
    }

    /// One page of the accounts a filter matches, with the cache's total and the matching count.
    pub fn account_page(&self, q: &AccountPageQuery) -> Result<AccountPage> {
        account_page::page(&*self.db()?, &self.accounts, q, &today())
    }

    /// The accounts list's facets with their counts under a filter.
    pub fn account_facets(&self, f: &AccountFilter) -> Result<Vec<Facet>> {
        account_page::facets(&*self.db()?, &self.accounts, f, &today())
    }

    /// Every account the query matches, without the list cap: for export.
    pub fn all_accounts(&self, q: &AccountQuery) -> Result<Vec<AccountSummary>> {
        let q = AccountQuery { limit: Some(i64::MAX), ..q.clone() };
        browse::accounts(&*self.db()?, &q, &today())
    }

    pub fn account(&self, id_or_name: &str) -> Result<AccountDetail> {
        browse::account(&*self.db()?, id_or_name)
    }

    /// The health bands to filter accounts by, lowest first, as the org defines them.
    pub fn bands(&self) -> Result<Vec<ScoreBand>> {
        browse::bands(&*self.db()?)
    }

    /// The mapped custom company fields of all CS connections, one per API name: the accounts
    /// list's extra columns, sort keys (`custom:FIELD`) and filters (`FIELD=VALUE`).
    pub fn custom_columns(&self) -> Result<Vec<FieldMapping>> {
        browse::custom_columns(&*self.db()?)
    }

    /// One page of CTAs org-wide, overdue first, with the cache's total and the matching count.
    pub fn cta_page(&self, q: &CtaPageQuery) -> Result<CtaPage> {
        cta_page::page(&*self.db()?, &self.ctas, q, &today())
    }

    /// The CTA list's facets with their counts under a filter.
    pub fn cta_facets(&self, q: &CtaPageQuery) -> Result<Vec<Facet>> {
        cta_page::facets(&*self.db()?, &self.ctas, q, &today())
    }

    pub fn ctas(&self, q: &CtaQuery) -> Result<Vec<CtaListItem>> {
        browse::ctas(&*self.db()?, q, &today())
    }

    pub fn changes(&self, since_run: Option<i64>, limit: i64) -> Result<Vec<Change>> {
        crate::db::changes::list_changes(&*self.db()?, since_run, limit)
    }

    /// The Changes screen: since the last sync (or a chosen one), by connection and kind.
    pub fn change_list(&self, q: &ChangeQuery) -> Result<ChangeList> {
        crate::db::changes::query_changes(&*self.db()?, q)
    }

    /// The syncs the Changes screen can start from, newest first, with their dates.
    pub fn change_runs(&self, connection_id: Option<&str>) -> Result<Vec<ChangeRun>> {
        crate::db::changes::change_runs(&*self.db()?, connection_id, 500)
    }

    pub fn sync_history(&self, connection_id: Option<&str>, limit: i64) -> Result<Vec<SyncRun>> {
        // A run a killed process left "running" reads as interrupted here too, not only on its card.
        let rows = crate::db::connections::list(&*self.db()?)?;
        for row in rows {
            if connection_id.is_none_or(|c| c == row.id) {
                self.settle_stale_runs(&row.id)?;
            }
        }
        crate::db::runs::list_runs(&*self.db()?, connection_id, limit)
    }
}
