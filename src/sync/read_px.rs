//! PX sync: accounts, users and features are full reloads (PX has no "updated since"), diffed
//! against the cache by digest so only real changes are written; feature usage is read day by
//! day from the events API and each day's counts replace that day, so a re-read is idempotent.

use super::plan::px_usage_days;
use super::{Reporter, StreamRead, StreamResult, SyncOptions};
use crate::connections::ConnectionCard;
use crate::db::px::{self as rows, PxAccountRow, PxFeatureRow, PxUserRow};
use crate::error::{Error, ErrorKind, Result};
use crate::gainsight::paging::Record;
use crate::gainsight::px::{MAX_FEATURE_PAGE, PxClient};
use crate::gainsight::record::{instant, num, text};
use crate::model::{ChangeKind, Stream};
use crate::outpost::Outpost;
use chrono::NaiveDate;
use futures_util::StreamExt;
use rusqlite::TransactionBehavior::Immediate;
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::Ordering;

fn digest(r: &Record) -> String {
    let text = serde_json::to_string(r).unwrap_or_default();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

pub(super) struct PxRun<'a> {
    pub app: &'a Outpost,
    pub client: &'a PxClient,
    pub cid: &'a str,
    pub opts: &'a SyncOptions,
    pub progress: Reporter<'a>,
    pub backfill_days: i64,
    pub run_id: i64,
    pub now: &'a str,
    /// No PX account was cached before this run: everything is new, so nothing goes to the change log.
    pub first: bool,
}

impl PxRun<'_> {
    fn report(&self, stream: Stream, records: u64, pages: u64, total: Option<u64>, done: bool) {
        self.progress.report(stream, records, pages, total, done);
    }

    fn cancelled(&self) -> bool {
        self.opts.cancel.load(Ordering::SeqCst)
    }

    /// One entity stream: every page written (changed rows only) in its own transaction, then the
    /// rows PX no longer has are deleted. Returns the rows written.
    async fn entities(&self, stream: Stream, table: &str, path: &str, list_key: &str) -> Result<u64> {
        let mut seen = HashSet::new();
        let (mut written, mut records, mut pages) = (0u64, 0u64, 0u64);
        self.report(stream, 0, 0, None, false);
        let mut total = None;
        if table == "px_features" {
            let s = self.client.numbered(path, list_key, MAX_FEATURE_PAGE, MAX_FEATURE_PAGE);
            futures_util::pin_mut!(s);
            while let Some(page) = s.next().await {
                let page = page.map_err(Error::from)?;
                written += self.apply(stream, table, &page, &mut seen)?;
                records += page.len() as u64;
                pages += 1;
                self.report(stream, records, pages, None, false);
                if self.cancelled() {
                    return Err(super::cancelled());
                }
            }
        } else {
            let s = self.client.scroll_counted(path, list_key, 1000, Vec::new());
            futures_util::pin_mut!(s);
            while let Some(page) = s.next().await {
                let (page, hits) = page.map_err(Error::from)?;
                total = hits.or(total);
                written += self.apply(stream, table, &page, &mut seen)?;
                records += page.len() as u64;
                pages += 1;
                self.report(stream, records, pages, total, false);
                if self.cancelled() {
                    return Err(super::cancelled());
                }
            }
        }
        {
            let mut db = self.app.db()?;
            let tx = db.transaction_with_behavior(Immediate).map_err(crate::db::db_err)?;
            let removed = rows::delete_unseen(&tx, table, self.cid, &seen)?;
            written += removed.len() as u64;
            crate::db::runs::add_committed(&tx, self.run_id, stream.code(), removed.len() as u64)?;
            if table == "px_accounts" {
                for r in &removed {
                    // Its usage goes with it: later syncs re-read only recent days.
                    tx.execute(
                        "DELETE FROM px_feature_usage WHERE connection_id = ?1 AND account_id = ?2",
                        [self.cid, r.id.as_str()],
                    )
                    .map_err(crate::db::db_err)?;
                    if !self.first {
                        self.change(
                            &tx,
                            ChangeKind::PxAccountRemoved,
                            r.gs_id.as_deref(),
                            r.name.as_deref(),
                            None,
                        )?;
                    }
                }
            }
            tx.commit().map_err(crate::db::db_err)?;
        }
        self.report(stream, records, pages, total, true);
        Ok(written)
    }

    fn apply(&self, stream: Stream, table: &str, page: &[Record], seen: &mut HashSet<String>) -> Result<u64> {
        let mut db = self.app.db()?;
        let tx = db.transaction_with_behavior(Immediate).map_err(crate::db::db_err)?;
        let mut written = 0;
        for r in page {
            let id_key = if table == "px_users" { "aptrinsicId" } else { "id" };
            let Some(id) = text(r, id_key) else { continue };
            seen.insert(id.clone());
            let changed = match table {
                "px_accounts" => self.apply_account(
                    &tx,
                    &PxAccountRow {
                        id,
                        name: text(r, "name").unwrap_or_default(),
                        gs_id: text(r, "gsId"),
                        health_score: num(r, "healthScore"),
                        nps: num(r, "nps"),
                        users: num(r, "numberOfUsers").map(|v| v as i64),
                        industry: text(r, "industry"),
                        plan: text(r, "plan"),
                        last_seen: instant(r, "lastSeenDate"),
                        digest: digest(r),
                    },
                )?,
                "px_users" => {
                    let name = [text(r, "firstName"), text(r, "lastName")]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ");
                    rows::upsert_user(
                        &tx,
                        self.cid,
                        &PxUserRow {
                            id,
                            account_id: text(r, "accountId"),
                            email: text(r, "email"),
                            name: (!name.is_empty()).then_some(name),
                            last_seen: instant(r, "lastSeenDate"),
                            visits: num(r, "numberOfVisits").map(|v| v as i64),
                            digest: digest(r),
                        },
                    )?
                }
                _ => rows::upsert_feature(
                    &tx,
                    self.cid,
                    &PxFeatureRow {
                        id,
                        name: text(r, "name").unwrap_or_default(),
                        r#type: text(r, "type"),
                        parent_id: text(r, "parentFeatureId"),
                        digest: digest(r),
                    },
                )?,
            };
            written += u64::from(changed);
        }
        crate::db::runs::add_committed(&tx, self.run_id, stream.code(), written)?;
        tx.commit().map_err(crate::db::db_err)?;
        Ok(written)
    }

    /// Writes an account and logs, after the first sync, an account PX did not have before or a
    /// health score that moved.
    fn apply_account(&self, tx: &rusqlite::Transaction<'_>, a: &PxAccountRow) -> Result<bool> {
        let before = rows::account_health(tx, self.cid, &a.id)?;
        if !rows::upsert_account(tx, self.cid, a)? {
            return Ok(false);
        }
        if self.first {
            return Ok(true);
        }
        let (link, name) = (a.gs_id.as_deref(), Some(a.name.as_str()));
        match before {
            None => self.change(tx, ChangeKind::PxAccountAdded, link, name, None)?,
            Some(old) if old != a.health_score => {
                let detail = serde_json::json!({"from": old, "to": a.health_score}).to_string();
                self.change(tx, ChangeKind::PxHealthChanged, link, name, Some(&detail))?;
            }
            Some(_) => {}
        }
        Ok(true)
    }

    fn change(
        &self,
        tx: &rusqlite::Transaction<'_>,
        kind: ChangeKind,
        company: Option<&str>,
        subject: Option<&str>,
        detail: Option<&str>,
    ) -> Result<()> {
        let c = crate::db::changes::NewChange {
            run_id: self.run_id,
            at: self.now,
            kind,
            company,
            subject,
            detail,
        };
        crate::db::changes::add_change(tx, self.cid, &c)
    }

    /// Feature usage, one day at a time from the cursor day (or the backfill) through today.
    async fn usage(&self) -> Result<u64> {
        const STREAM: Stream = Stream::PxFeatureUsage;
        let cursor = crate::db::cursors::get_cursor(&*self.app.db()?, self.cid, STREAM.code())?;
        let cursor_day = cursor
            .modified_to
            .as_deref()
            .and_then(|t| NaiveDate::parse_from_str(&t[..10.min(t.len())], "%Y-%m-%d").ok());
        let days = px_usage_days(cursor_day, self.app.now().date_naive(), self.backfill_days);
        let (mut events, mut pages) = (0u64, 0u64);
        // The events whose days are committed, for the run's counts.
        let mut committed = 0u64;
        self.report(STREAM, 0, 0, None, false);
        for day in days {
            if self.cancelled() {
                return Err(super::cancelled());
            }
            let label = day.format("%Y-%m-%d").to_string();
            let start = day.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or(0);
            let end = start + 86_400_000;
            // The published description documents `filter` on `date` for feature-match events, and
            // the date range for custom events only: both are sent, and every event is checked.
            let params = vec![
                ("filter", format!("date>={start};date<{end}")),
                ("sort", "date".to_string()),
                ("dateRangeStart", start.to_string()),
                ("dateRangeEnd", end.to_string()),
            ];
            let mut counts: BTreeMap<(String, String), (i64, HashSet<String>)> = BTreeMap::new();
            let stream = self.client.scroll("/events/feature_match", "featureMatchEvents", 1000, params);
            futures_util::pin_mut!(stream);
            while let Some(page) = stream.next().await {
                let page = page.map_err(Error::from)?;
                pages += 1;
                if let Some(bad) =
                    page.iter().find(|e| !event_ms(e).is_some_and(|d| (start..end).contains(&d)))
                {
                    let at = event_ms(bad).map_or("no date".to_string(), |d| d.to_string());
                    return Err(Error::new(
                        ErrorKind::BadResponse,
                        format!(
                            "PX sent feature-usage events outside the day asked for ({label}: an event at {at}); \
                             nothing was stored for that day."
                        ),
                    )
                    .with_hint(
                        "PX did not apply the date filter. Try again later; if it persists, report it to \
                         Gainsight support with this message.",
                    ));
                }
                for e in &page {
                    let (Some(account), Some(feature)) = (text(e, "accountId"), text(e, "featureId")) else {
                        continue;
                    };
                    let entry = counts.entry((account, feature)).or_insert_with(|| (0, HashSet::new()));
                    entry.0 += 1;
                    if let Some(user) = text(e, "identifyId") {
                        entry.1.insert(user);
                    }
                }
                events += page.len() as u64;
                self.report(STREAM, events, pages, None, false);
            }
            let day_rows: Vec<(String, String, i64, i64)> =
                counts.into_iter().map(|((a, f), (n, users))| (a, f, n, users.len() as i64)).collect();
            let mut db = self.app.db()?;
            let tx = db.transaction_with_behavior(Immediate).map_err(crate::db::db_err)?;
            rows::replace_usage_day(&tx, self.cid, &label, &day_rows)?;
            crate::db::cursors::advance_cursor(
                &tx,
                self.cid,
                STREAM.code(),
                &format!("{label}T00:00:00.000Z"),
            )?;
            crate::db::runs::add_committed(&tx, self.run_id, STREAM.code(), events - committed)?;
            tx.commit().map_err(crate::db::db_err)?;
            committed = events;
        }
        self.report(STREAM, events, pages, None, true);
        Ok(events)
    }

    /// Every PX stream, each ending on its own: an API this subscription lacks (404) or the key
    /// may not read (403) is skipped with a notice; the others go on.
    pub async fn run_all(&self) -> Vec<(Stream, &'static str, Result<StreamRead>)> {
        let read = |stream, table, path, key| {
            self.progress.noting_retries(stream, self.entities(stream, table, path, key))
        };
        let (a, (u, f)) = futures_util::future::join(
            read(Stream::PxAccounts, "px_accounts", "/accounts", "accounts"),
            futures_util::future::join(
                read(Stream::PxUsers, "px_users", "/users", "users"),
                read(Stream::PxFeatures, "px_features", "/feature", "features"),
            ),
        )
        .await;
        // Damage met in the database file: no more writes into it.
        let damaged =
            [&a, &u, &f].iter().any(|r| r.as_ref().is_err_and(|e| crate::db::is_damaged(e.hint.as_deref())));
        let usage = match damaged {
            true => Err(crate::db::stopped_by_damage()),
            false => self.progress.noting_retries(Stream::PxFeatureUsage, self.usage()).await,
        };
        vec![
            (Stream::PxAccounts, "/accounts", unavailable_is_skipped("Accounts", a)),
            (Stream::PxUsers, "/users", unavailable_is_skipped("Users", u)),
            (Stream::PxFeatures, "/feature", unavailable_is_skipped("Features", f)),
            (Stream::PxFeatureUsage, "/events/feature_match", unavailable_is_skipped("Feature usage", usage)),
        ]
    }
}

/// When an event happened, in epoch ms (PX sends numbers; ISO text is accepted too).
fn event_ms(e: &Record) -> Option<i64> {
    e.get("date").and_then(crate::gainsight::dates::parse_date).map(|t| t.timestamp_millis())
}

/// A PX API this subscription lacks or the key may not read is no failure of the sync: skipped.
fn unavailable_is_skipped(what: &str, r: Result<u64>) -> Result<StreamRead> {
    match r {
        Ok(records) => Ok(StreamRead { records, ..Default::default() }),
        Err(mut e) if matches!(e.kind, ErrorKind::NotFound | ErrorKind::Forbidden) => {
            e.message = format!("PX {what}: {}", e.message);
            Ok(StreamRead { outcome: StreamResult::Skipped, error: Some(e.payload()), ..Default::default() })
        }
        Err(e) => Err(e),
    }
}

pub(super) fn px_client(card: &ConnectionCard, key: crate::secret::Secret) -> Result<PxClient> {
    let base = url::Url::parse(&card.instance_url)
        .map_err(|e| Error::new(crate::error::ErrorKind::InvalidInput, format!("PX base URL: {e}.")))?;
    Ok(PxClient::new(base, key, Default::default())?)
}
