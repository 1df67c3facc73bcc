//! The sync engine: fills the local cache from Gainsight and keeps it fresh.
//!
//! One run: plan (pure, see [`plan`]), then every planned stream pages through its object, each
//! page written in one transaction together with the stream's cursor, so a run that is killed,
//! fails or is cancelled leaves every row either as it was or as Gainsight sent it, and the next
//! run resumes from the last applied page. Streams share the connection's call budget and run
//! concurrently; deletes are applied last, only when every stream finished.

pub mod discover;
pub mod plan;
mod px;
pub mod streams;

use crate::app::Outpost;
use crate::db::{companies, connections as conn_rows, ctas, settings, sync as book};
use crate::error::{Error, ErrorKind, ErrorPayload, Result};
use crate::gainsight::paging::{QuerySpec, query_pages};
use crate::gainsight::{CsClient, normalize_instance_url};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use plan::{Deletes, Fetch, StreamKind, StreamPlan, StreamState};
use rusqlite::TransactionBehavior::Immediate;
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use streams::{ObjectNames, PageContext, iso};
use ts_rs::TS;

#[derive(Clone, Debug, Default)]
pub struct SyncOptions {
    /// Re-read everything and reconcile deletes, ignoring cursors.
    pub full: bool,
    /// Object groups for this run only; the connection's settings when `None`.
    pub objects: Option<Vec<String>>,
    /// Set to stop after the current page.
    pub cancel: Arc<AtomicBool>,
    /// Rows per page (at most 5000, the default); smaller pages make progress finer.
    pub page_size: Option<usize>,
}

/// Progress of one stream, sent after every page.
#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct StreamProgress {
    pub connection_id: String,
    pub stream: String,
    pub records: u64,
    pub pages: u64,
    /// The total to expect, when the API says (PX `totalHits`); CS does not.
    pub total: Option<u64>,
    pub done: bool,
}

#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct SyncSummary {
    pub run_id: i64,
    pub connection_id: String,
    pub connection: String,
    /// ok, failed or cancelled.
    pub outcome: String,
    pub counts: BTreeMap<String, u64>,
    pub deleted: u64,
    pub calls: u64,
    pub started_at: String,
    pub finished_at: String,
    pub error: Option<ErrorPayload>,
    /// What the admin should know about a run that still went through (a stream skipped, say).
    pub notices: Vec<String>,
}

pub type Progress<'a> = &'a (dyn Fn(&StreamProgress) + Send + Sync);

/// What a run did, before it is recorded.
struct RunResult {
    counts: BTreeMap<String, u64>,
    deleted: u64,
    calls: u64,
    error: Option<Error>,
    notices: Vec<String>,
}

fn parse_state(c: &book::Cursor) -> StreamState {
    let p = |s: &Option<String>| {
        s.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&Utc))
    };
    StreamState { modified_to: p(&c.modified_to), last_ok_start: p(&c.last_ok_start) }
}

fn cancelled() -> Error {
    Error::new(ErrorKind::Internal, "The sync was cancelled.")
}

impl Outpost {
    /// Syncs one CS connection. Holds a per-connection lock file so two processes never sync the
    /// same connection at once; the second is refused with `Conflict`.
    pub async fn sync(
        &self,
        id_or_name: &str,
        opts: SyncOptions,
        progress: Progress<'_>,
    ) -> Result<SyncSummary> {
        let card = self.connection(id_or_name)?;
        if card.status == crate::connections::ConnectionStatus::Disconnected {
            return Err(Error::new(ErrorKind::InvalidInput, format!("{} is disconnected.", card.name))
                .with_hint("Its cached data stays browsable; connect again to sync."));
        }
        let _lock = self.sync_lock(&card.id, &card.name)?;
        let id = card.id.clone();
        let key = self.with_vault(move |v| v.load(&id)).await?;
        if card.kind == "px" {
            return self.sync_px(&card, key, &opts, progress).await;
        }
        let url = normalize_instance_url(&card.instance_url)?;
        let per_minute = settings::get(&*self.db()?, &card.id)?.cs_calls_per_minute;
        let client = CsClient::new(url, crate::connections::cs_auth(&card, key), Default::default())?
            .with_budget(self.cs_budget(&card.id, per_minute));

        let now = Utc::now();
        let started_at = iso(now);
        if let Some(bad) = opts.objects.iter().flatten().find(|g| !plan::GROUPS.contains(&g.as_str())) {
            return Err(Error::new(ErrorKind::InvalidInput, format!("Unknown object group \"{bad}\"."))
                .with_hint("Use companies, ctas, health_scores or usage."));
        }
        let (mut plan, mut names, mapped, run_id) = {
            let db = self.db()?;
            book::mark_interrupted(&db, &card.id)?;
            let s = settings::get(&db, &card.id)?;
            let groups = opts.objects.clone().unwrap_or_else(|| s.objects.clone());
            let states: BTreeMap<StreamKind, StreamState> = StreamKind::ALL
                .into_iter()
                .map(|k| Ok((k, parse_state(&book::get_cursor(&db, &card.id, k.name())?))))
                .collect::<Result<_>>()?;
            let deletes_done = parse_state(&book::get_cursor(&db, &card.id, plan::DELETES)?).last_ok_start;
            let plan = plan::plan(&groups, &states, deletes_done, now, opts.full);
            let names = ObjectNames { fact: s.fact_object, history: s.history_object, usage: s.usage_object };
            let mapped: Vec<String> =
                settings::mappings(&db, &card.id, "company")?.into_iter().map(|m| m.field_name).collect();
            let run_id = book::start_run(&db, &card.id, &started_at, opts.full)?;
            conn_rows::set_status(&db, &card.id, "syncing", None)?;
            (plan, names, mapped, run_id)
        };

        // A full read of the org-specific objects (scorecard fact and history, the usage object)
        // checks their names against the org's object list first: one call. The org's own
        // scorecard objects are found and saved; a usage object the org lacks is skipped, said so.
        let mut notices = Vec::new();
        let full = |kinds: &[StreamKind]| {
            plan.streams.iter().any(|s| kinds.contains(&s.kind) && s.fetch == Fetch::Full)
        };
        let (full_scores, full_usage) =
            (full(&[StreamKind::MeasureScores, StreamKind::ScoreHistory]), full(&[StreamKind::Usage]));
        if (full_scores || full_usage)
            && let Some(listed) = discover::listed_objects(&client).await
        {
            let (fact, history) = discover::choose(&listed, &names.fact, &names.history);
            if full_scores
                && (fact.as_str(), history.as_str()) != (names.fact.as_str(), names.history.as_str())
            {
                let db = self.db()?;
                let mut s = settings::get(&db, &card.id)?;
                (s.fact_object, s.history_object) = (fact.clone(), history.clone());
                settings::put(&db, &card.id, &s)?;
                (names.fact, names.history) = (fact, history);
            }
            if full_usage && !listed.iter().any(|n| n.eq_ignore_ascii_case(&names.usage)) {
                plan.streams.retain(|s| s.kind != StreamKind::Usage);
                notices.push(format!(
                    "Usage was not synced: this org has no object named {}. Choose its usage object in the sync \
                     settings, or turn Usage off.",
                    names.usage
                ));
            }
        }

        let run = Run {
            app: self,
            client: &client,
            cid: &card.id,
            run_id,
            started_at: &started_at,
            names,
            mapped,
            opts: &opts,
            progress,
        };
        let (reference, rest): (Vec<&StreamPlan>, Vec<&StreamPlan>) =
            plan.streams.iter().partition(|s| s.kind == StreamKind::ScoreBands);
        let mut results: Vec<(StreamKind, Result<u64>)> = Vec::new();
        for s in reference {
            results.push((s.kind, run.stream(s).await));
        }
        let concurrent =
            futures_util::future::join_all(rest.iter().map(|s| async { (s.kind, run.stream(s).await) }))
                .await;
        results.extend(concurrent);

        let mut counts = BTreeMap::new();
        let mut error: Option<Error> = None;
        for (kind, r) in results {
            match r {
                Ok(n) => {
                    counts.insert(kind.name().to_string(), n);
                    book::complete_cursor(&*self.db()?, &card.id, kind.name(), &started_at)?;
                }
                Err(e) => {
                    error.get_or_insert(e);
                }
            }
        }
        let mut deleted = 0;
        if error.is_none() && !opts.cancel.load(Ordering::SeqCst) {
            let with_ctas = plan.streams.iter().any(|s| s.kind == StreamKind::Ctas);
            match run.deletes(&plan.deletes, with_ctas).await {
                Ok(n) => {
                    deleted = n;
                    // Only now are deletes done up to this run's start: a run that fails or is
                    // cancelled before this point leaves them to the next run.
                    book::complete_cursor(&*self.db()?, &card.id, plan::DELETES, &started_at)?;
                }
                Err(e) => error = Some(e),
            }
        }

        let end = RunResult { counts, deleted, calls: client.calls(), error, notices };
        self.finish(&card, run_id, now, started_at, &opts, end)
    }

    /// Records how a run ended, sets the connection's status (a rejected key needs attention), and
    /// returns the summary. Shared by the CS and PX paths.
    fn finish(
        &self,
        card: &crate::connections::ConnectionCard,
        run_id: i64,
        now: DateTime<Utc>,
        started_at: String,
        opts: &SyncOptions,
        end: RunResult,
    ) -> Result<SyncSummary> {
        let finished_at = iso(Utc::now());
        let was_cancelled = opts.cancel.load(Ordering::SeqCst);
        let outcome = match (&end.error, was_cancelled) {
            (_, true) => "cancelled",
            (Some(_), _) => "failed",
            (None, false) => "ok",
        };
        let error = if was_cancelled { None } else { end.error };
        {
            let db = self.db()?;
            let counts_json = serde_json::to_string(&end.counts).unwrap_or_default();
            book::finish_run(
                &db,
                run_id,
                &book::RunEnd {
                    finished_at: &finished_at,
                    outcome,
                    counts: &counts_json,
                    calls: end.calls as i64,
                    error_kind: error.as_ref().map(|e| e.kind.name()),
                    error_message: error.as_ref().map(|e| e.message.as_str()),
                },
            )?;
            // A rejected key needs the admin; a good run proves the connection; anything else
            // (cancelled, offline, a server error) says nothing new about it: the status it had stays.
            match (&error, outcome) {
                (Some(e), _) if e.kind == ErrorKind::InvalidKey => {
                    conn_rows::set_status(&db, &card.id, "needs_attention", Some("key rejected"))?
                }
                (_, "ok") => conn_rows::set_status(&db, &card.id, "connected", None)?,
                _ if card.status == crate::connections::ConnectionStatus::NeedsAttention => {
                    conn_rows::set_status(&db, &card.id, "needs_attention", card.status_reason.as_deref())?
                }
                _ => conn_rows::set_status(&db, &card.id, "connected", None)?,
            }
            if outcome == "ok" {
                conn_rows::set_last_sync(&db, &card.id, &finished_at)?;
            }
            // Keeps the query planner's statistics current after bulk writes (cheap when little changed).
            db.execute_batch("PRAGMA optimize;").map_err(crate::db::db_err)?;
        }
        self.update_next_sync(&card.id, now)?;
        Ok(SyncSummary {
            run_id,
            connection_id: card.id.clone(),
            connection: card.name.clone(),
            outcome: outcome.into(),
            counts: end.counts,
            deleted: end.deleted,
            calls: end.calls,
            started_at,
            finished_at,
            error: error.map(|e| e.payload()),
            notices: end.notices,
        })
    }

    /// The PX path: entity reloads and daily feature usage, under the same run bookkeeping.
    async fn sync_px(
        &self,
        card: &crate::connections::ConnectionCard,
        key: crate::secret::Secret,
        opts: &SyncOptions,
        progress: Progress<'_>,
    ) -> Result<SyncSummary> {
        let client = px::px_client(card, key)?;
        let now = Utc::now();
        let started_at = iso(now);
        let (run_id, backfill_days, first) = {
            let db = self.db()?;
            book::mark_interrupted(&db, &card.id)?;
            let s = settings::get(&db, &card.id)?;
            // Until the accounts have been read through once, every account is new: none is logged.
            let first = book::get_cursor(&db, &card.id, "px_accounts")?.last_ok_start.is_none();
            let run_id = book::start_run(&db, &card.id, &started_at, opts.full)?;
            conn_rows::set_status(&db, &card.id, "syncing", None)?;
            (run_id, s.backfill_days, first)
        };
        let run = px::PxRun {
            app: self,
            client: &client,
            cid: &card.id,
            opts,
            progress,
            backfill_days,
            run_id,
            now: &started_at,
            first,
        };
        let results = run.run_all().await;
        for (stream, r) in &results {
            if r.is_ok() {
                book::complete_cursor(&*self.db()?, &card.id, stream, &started_at)?;
            }
        }
        let (counts, error) = px::collect(results);
        let end = RunResult {
            counts: counts.into_iter().collect(),
            deleted: 0,
            calls: client.calls(),
            error,
            notices: Vec::new(),
        };
        self.finish(card, run_id, now, started_at, opts, end)
    }

    fn sync_lock(&self, id: &str, name: &str) -> Result<std::fs::File> {
        self.try_sync_lock(id)?.ok_or_else(|| {
            Error::new(ErrorKind::Conflict, format!("A sync of {name} is already running."))
                .with_hint("Wait for it to finish; its progress shows in the app or the other terminal.")
        })
    }

    /// The lock file a sync of connection `id` holds while it runs (`locks/sync-{id}.lock`), locked
    /// for the caller; `None` while a sync, in this process or another, holds it.
    pub(crate) fn try_sync_lock(&self, id: &str) -> Result<Option<std::fs::File>> {
        let dir = self.data_dir().join("locks");
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::new(ErrorKind::Database, format!("lock folder: {e}")))?;
        let file = std::fs::File::create(dir.join(format!("sync-{id}.lock")))
            .map_err(|e| Error::new(ErrorKind::Database, format!("lock file: {e}")))?;
        Ok(file.try_lock().is_ok().then_some(file))
    }

    /// A connection left "syncing" by a process that was killed or crashed: nobody holds its sync
    /// lock, so its run is recorded as interrupted and the card goes back to Connected. Returns
    /// whether it settled anything.
    pub(crate) fn settle_stale_sync(&self, id: &str, status: &str) -> Result<bool> {
        if status != "syncing" {
            return Ok(false);
        }
        let Some(_lock) = self.try_sync_lock(id)? else { return Ok(false) };
        let db = self.db()?;
        book::mark_interrupted(&db, id)?;
        conn_rows::set_status(&db, id, "connected", None)?;
        Ok(true)
    }
}

struct Run<'a> {
    app: &'a Outpost,
    client: &'a CsClient,
    cid: &'a str,
    run_id: i64,
    started_at: &'a str,
    names: ObjectNames,
    mapped: Vec<String>,
    opts: &'a SyncOptions,
    progress: Progress<'a>,
}

impl Run<'_> {
    fn report(&self, stream: &str, records: u64, pages: u64, done: bool) {
        (self.progress)(&StreamProgress {
            connection_id: self.cid.to_string(),
            stream: stream.to_string(),
            records,
            pages,
            total: None,
            done,
        });
    }

    async fn stream(&self, p: &StreamPlan) -> Result<u64> {
        let mut spec = streams::spec(p.kind, &self.names, &self.mapped);
        if let Some(size) = self.opts.page_size {
            spec.page_size = size.clamp(1, crate::gainsight::paging::MAX_QUERY_LIMIT);
        }
        // Until a stream has been read through once (a first sync, even one resumed after a kill),
        // every row is new: nothing goes to the change log.
        let first = book::get_cursor(&*self.app.db()?, self.cid, p.kind.name())?.last_ok_start.is_none();
        if let Fetch::Since(t) = p.fetch {
            spec.filter = Some(json!({"conditions": [
                {"name": spec.order_field, "alias": "A", "value": [iso(t)], "operator": "GTE"}], "expression": "A"}));
        }
        let order_field = spec.order_field.clone();
        let object = spec.object.clone();
        let pages = query_pages(self.client, spec);
        futures_util::pin_mut!(pages);
        let (mut records, mut count) = (0u64, 0u64);
        self.report(p.kind.name(), 0, 0, false);
        loop {
            if self.opts.cancel.load(Ordering::SeqCst) {
                return Err(cancelled());
            }
            let Some(page) = pages.next().await else { break };
            let page = page.map_err(|e| {
                let mut e = Error::from(e);
                e.message = format!("{} ({}): {}", p.kind.name(), object, e.message);
                e
            })?;
            let ctx = PageContext {
                cid: self.cid,
                run_id: self.run_id,
                now: self.started_at,
                first,
                order_field: &order_field,
            };
            let applied = {
                let mut db = self.app.db()?;
                let tx = db.transaction_with_behavior(Immediate).map_err(crate::db::db_err)?;
                let applied = streams::apply(&tx, p.kind, &ctx, &page, &self.mapped)?;
                if let Some(t) = applied.modified_to {
                    book::advance_cursor(&tx, self.cid, p.kind.name(), &iso(t))?;
                }
                tx.commit().map_err(crate::db::db_err)?;
                applied
            };
            records += applied.rows;
            count += 1;
            self.report(p.kind.name(), records, count, false);
        }
        self.report(p.kind.name(), records, count, true);
        Ok(records)
    }

    /// Applies deletes from the delete log, or reconciles IDs when the log cannot be trusted.
    async fn deletes(&self, plan: &Deletes, with_ctas: bool) -> Result<u64> {
        match plan {
            Deletes::None => Ok(0),
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
                                streams::text(r, "ObjectName")?.to_ascii_lowercase(),
                                streams::text(r, "RecordId")?,
                            ))
                        })
                        .collect();
                    deleted += self.remove(&gone)?;
                }
                Ok(deleted)
            }
            Deletes::Reconcile => {
                let mut gone = Vec::new();
                for (object, local) in [("company", true), ("call_to_action", with_ctas)] {
                    if !local {
                        continue;
                    }
                    let remote = self.all_ids(object).await?;
                    let db = self.app.db()?;
                    let cached = if object == "company" {
                        companies::all_ids(&db, self.cid)?
                    } else {
                        ctas::all_ids(&db, self.cid)?
                    };
                    gone.extend(
                        cached
                            .into_iter()
                            .filter(|id| !remote.contains(id))
                            .map(|id| (object.to_string(), id)),
                    );
                }
                self.remove(&gone)
            }
        }
    }

    async fn all_ids(&self, object: &str) -> Result<HashSet<String>> {
        let mut spec = QuerySpec::new(object, &["Gsid"]);
        spec.select = vec!["Gsid".into()];
        let pages = query_pages(self.client, spec);
        futures_util::pin_mut!(pages);
        let mut ids = HashSet::new();
        while let Some(page) = pages.next().await {
            ids.extend(page.map_err(Error::from)?.iter().filter_map(|r| streams::text(r, "Gsid")));
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
                    book::add_change(
                        &tx,
                        self.cid,
                        &book::NewChange {
                            run_id: self.run_id,
                            at: self.started_at,
                            kind: "company_removed",
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
