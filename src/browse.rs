//! Browsing the cache: the queries the CLI and the app share.

use crate::app::Outpost;
use crate::db::browse::{self, AccountDetail, AccountQuery, AccountSummary, CtaListItem, CtaQuery};
use crate::db::sync::{self as book, Change, SyncRun};
use crate::error::Result;

fn today() -> String {
    chrono::Local::now().format("%Y-%m-%d").to_string()
}

impl Outpost {
    pub fn accounts(&self, q: &AccountQuery) -> Result<Vec<AccountSummary>> {
        browse::accounts(&*self.db()?, q, &today())
    }

    pub fn account(&self, id_or_name: &str) -> Result<AccountDetail> {
        browse::account(&*self.db()?, id_or_name)
    }

    pub fn ctas(&self, q: &CtaQuery) -> Result<Vec<CtaListItem>> {
        browse::ctas(&*self.db()?, q, &today())
    }

    pub fn changes(&self, since_run: Option<i64>, limit: i64) -> Result<Vec<Change>> {
        book::list_changes(&*self.db()?, since_run, limit)
    }

    pub fn sync_history(&self, connection_id: Option<&str>, limit: i64) -> Result<Vec<SyncRun>> {
        book::list_runs(&*self.db()?, connection_id, limit)
    }
}
