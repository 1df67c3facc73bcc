//! Deletes: read from Gainsight's delete log while it can be trusted, else reconciled by listing
//! every ID. A reconcile never deletes on evidence it can't trust: an empty listing removes
//! nothing, and a listing that would remove more than a small share of the cache is read a second
//! time and applied only when both readings agree, and then reported.

use super::StreamRead;
use super::plan::Deletes;
use super::read_cs::Run;
use crate::db::{companies, ctas, org};
use crate::error::{Error, Result};
use crate::gainsight::paging::{QuerySpec, query_pages};
use crate::gainsight::record::{self, iso};
use futures_util::StreamExt;
use rusqlite::TransactionBehavior::Immediate;
use serde_json::json;
use std::collections::HashSet;

/// A reconcile that would remove more than this share of the cached rows reads the IDs again.
const LARGE_SHARE: f64 = 0.05;

impl Run<'_> {
    /// Applies deletes from the delete log, or reconciles IDs when the log cannot be trusted.
    pub(super) async fn deletes(&self, plan: &Deletes, with_ctas: bool) -> Result<StreamRead> {
        match plan {
            Deletes::None => Ok(StreamRead::default()),
            Deletes::Log { since } => {
                let mut spec =
                    QuerySpec::new("record_delete_log", &["Gsid", "RecordId", "ObjectName", "DeletedOn"]);
                spec.order_field = "DeletedOn".into();
                spec.filter = Some(json!({"conditions": [
                    {"name": "DeletedOn", "alias": "A", "value": [iso(*since)], "operator": "GTE"}], "expression": "A"}));
                let pages = query_pages(self.client, spec);
                futures_util::pin_mut!(pages);
                let mut deleted = 0;
                while let Some(page) = pages.next().await {
                    let page = page.map_err(Error::from)?;
                    let gone: Vec<(String, String)> = page
                        .iter()
                        .filter_map(|r| {
                            Some((
                                record::text(r, "ObjectName")?.to_ascii_lowercase(),
                                record::text(r, "RecordId")?,
                            ))
                        })
                        .collect();
                    deleted += self.remove(&gone)?;
                }
                Ok(StreamRead { records: deleted, ..Default::default() })
            }
            Deletes::Reconcile => {
                let mut gone = Vec::new();
                let mut notices = Vec::new();
                for (object, label, wanted) in
                    [("company", "companies", true), ("call_to_action", "CTAs", with_ctas)]
                {
                    let cached = {
                        let db = self.app.db()?;
                        match object {
                            "company" => companies::all_ids(&db, self.cid)?,
                            _ => ctas::all_ids(&db, self.cid)?,
                        }
                    };
                    if !wanted || cached.is_empty() {
                        continue;
                    }
                    let remote = self.all_ids(object).await?;
                    let missing: Vec<String> =
                        cached.iter().filter(|id| !remote.contains(*id)).cloned().collect();
                    if missing.is_empty() {
                        continue;
                    }
                    if remote.is_empty() {
                        notices.push(format!(
                            "Gainsight listed no {label} while {} are cached; nothing was removed. If the org \
                             really has none, disconnect with its cached data removed.",
                            cached.len()
                        ));
                        continue;
                    }
                    if missing.len() as f64 > LARGE_SHARE * cached.len() as f64 {
                        let again = self.all_ids(object).await?;
                        let agree =
                            again.len() == remote.len() && missing.iter().all(|id| !again.contains(id));
                        if !agree {
                            notices.push(format!(
                                "Two readings of the org's {label} disagreed ({} and {} listed); nothing was \
                                 removed, and the next full sync checks again.",
                                remote.len(),
                                again.len()
                            ));
                            continue;
                        }
                        notices.push(format!(
                            "Removed {} of {} cached {label} that Gainsight no longer lists (read twice to be sure).",
                            missing.len(),
                            cached.len()
                        ));
                    }
                    gone.extend(missing.into_iter().map(|id| (object.to_string(), id)));
                }
                let records = self.remove(&gone)?;
                Ok(StreamRead { records, notices, ..Default::default() })
            }
        }
    }

    /// Every Gsid of `object`, paged by its modified date when the org has one (so rows that
    /// change while listing are read again, never skipped), else by offset.
    async fn all_ids(&self, object: &str) -> Result<HashSet<String>> {
        let mut spec = QuerySpec::new(object, &["Gsid"]);
        let described = org::get_fields(&*self.app.db()?, self.cid, object)?.map(|(_, f)| f);
        if described.is_some_and(|fs| !fs.iter().any(|f| f.name.eq_ignore_ascii_case("ModifiedDate"))) {
            spec.order_field = "Gsid".into();
        }
        let pages = query_pages(self.client, spec);
        futures_util::pin_mut!(pages);
        let mut ids = HashSet::new();
        while let Some(page) = pages.next().await {
            ids.extend(page.map_err(Error::from)?.iter().filter_map(|r| record::text(r, "Gsid")));
        }
        Ok(ids)
    }

    /// The cache table of a scorecard or usage object named in the delete log (names vary by org).
    fn table_of(&self, object: &str) -> Option<&'static str> {
        let is = |name: &str| object.eq_ignore_ascii_case(name);
        if is(&self.names.fact) {
            Some("measure_scores")
        } else if is(&self.names.history) {
            Some("score_history")
        } else if is(&self.names.usage) {
            Some("usage_weekly")
        } else {
            None
        }
    }

    /// Deletes `(object, gsid)` pairs in one transaction and logs removed companies.
    fn remove(&self, gone: &[(String, String)]) -> Result<u64> {
        let mut db = self.app.db()?;
        let tx = db.transaction_with_behavior(Immediate).map_err(crate::db::db_err)?;
        let mut n = 0;
        for (object, id) in gone {
            if object == "company" {
                if let Some(name) = companies::delete(&tx, self.cid, id)? {
                    crate::db::changes::add_change(
                        &tx,
                        self.cid,
                        &crate::db::changes::NewChange {
                            run_id: self.run_id,
                            at: self.started_at,
                            kind: crate::model::ChangeKind::CompanyRemoved,
                            company: Some(id),
                            subject: Some(&name),
                            detail: None,
                        },
                    )?;
                    n += 1;
                }
            } else if object == "call_to_action" && ctas::delete(&tx, self.cid, id)? {
                n += 1;
            } else if let Some(table) = self.table_of(object) {
                n += tx
                    .execute(
                        &format!("DELETE FROM {table} WHERE connection_id = ?1 AND gsid = ?2"),
                        [self.cid, id],
                    )
                    .map_err(crate::db::db_err)? as u64;
            }
        }
        tx.commit().map_err(crate::db::db_err)?;
        Ok(n)
    }
}
