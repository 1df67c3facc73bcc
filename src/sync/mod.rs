//! The sync engine: fills the local cache from Gainsight and keeps it fresh.
//!
//! One run: plan (pure, see [`plan`]), then every planned stream asks the org what its object
//! holds (describe, see [`roles`]) and pages through it, each page written in one transaction
//! together with the stream's cursor, so a run that is killed, fails or is cancelled leaves every
//! row either as it was or as Gainsight sent it, and the next run resumes from the last applied
//! page. Streams share the connection's call budget and run concurrently, and each ends on its
//! own: one that fails or that the org lacks never blocks the others, and the run is then
//! *partial*. Deletes are applied last, and a reconcile never trusts an ID list it can't check.

mod cs_run;
mod deletes;
pub mod discover;
pub mod plan;
mod read_cs;
mod read_px;
pub mod roles;
pub(crate) mod running;
pub mod streams;
mod writer;

pub use crate::db::org::{StreamOutcome, StreamResult};
use crate::db::{connections as conn_rows, org, settings};
use crate::error::{Error, ErrorKind, ErrorPayload, Result};
use crate::gainsight::record::iso;
use crate::gainsight::{CsClient, normalize_instance_url};
use crate::model::{Stream, SyncOutcome};
use crate::outpost::Outpost;
use chrono::{DateTime, Utc};
use plan::StreamState;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use ts_rs::TS;

#[derive(Clone, Debug, Default)]
pub struct SyncOptions {
    /// Re-read everything and reconcile deletes, ignoring cursors.
    pub full: bool,
    /// Object groups for this run only; the connection's settings when `None`.
    pub objects: Option<Vec<crate::model::ObjectGroup>>,
    /// Set to stop after the current page.
    pub cancel: Arc<AtomicBool>,
    /// Rows per page (at most 5000, the default); smaller pages make progress finer.
    pub page_size: Option<usize>,
}

/// Progress of one stream, sent after every page.
#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct StreamProgress {
    pub connection_id: String,
    pub stream: Stream,
    pub records: u64,
    pub pages: u64,
    /// The total to expect, when the API says (PX `totalHits`); CS does not.
    pub total: Option<u64>,
    pub done: bool,
    /// Set while a call of this stream is being tried again (Gainsight busy or not answering).
    pub retrying: Option<crate::gainsight::retry::Retrying>,
}

#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct SyncSummary {
    pub run_id: i64,
    pub connection_id: String,
    pub connection: String,
    /// ok (every stream read), partial (some streams read, others failed or skipped: see
    /// `streams`), failed (nothing could be read: see `error`) or cancelled.
    pub outcome: SyncOutcome,
    pub counts: BTreeMap<String, u64>,
    pub deleted: u64,
    pub calls: u64,
    pub started_at: String,
    pub finished_at: String,
    /// Why a failed run failed (the first stream's error); none for ok, partial and cancelled runs.
    pub error: Option<ErrorPayload>,
    /// What the admin should know about a run that still went through (a stream skipped, say).
    pub notices: Vec<String>,
    /// Each stream's outcome, with its own error.
    pub streams: Vec<StreamOutcome>,
    /// Health alerts this run raised (see [`crate::insights::attention`]), for the desktop to say once.
    pub new_alerts: u64,
}

pub type Progress<'a> = &'a (dyn Fn(&StreamProgress) + Send + Sync);

/// Sends a run's progress, and remembers each stream's last counts so that a retry note goes out
/// on the stream's line with what it has read so far.
pub(crate) struct Reporter<'a> {
    cid: String,
    progress: Progress<'a>,
    last: std::sync::Mutex<Vec<StreamProgress>>,
}

impl<'a> Reporter<'a> {
    pub fn new(cid: &str, progress: Progress<'a>) -> Self {
        Reporter { cid: cid.to_string(), progress, last: Default::default() }
    }

    pub fn report(&self, stream: Stream, records: u64, pages: u64, total: Option<u64>, done: bool) {
        let p = StreamProgress {
            connection_id: self.cid.clone(),
            stream,
            records,
            pages,
            total,
            done,
            retrying: None,
        };
        if let Ok(mut last) = self.last.lock() {
            match last.iter_mut().find(|l| l.stream == stream) {
                Some(l) => *l = p.clone(),
                None => last.push(p.clone()),
            }
        }
        (self.progress)(&p);
    }

    /// Runs one stream's read; while one of its calls waits to be tried again, its line says so.
    pub async fn noting_retries<F: std::future::Future>(&self, stream: Stream, read: F) -> F::Output {
        crate::gainsight::retry::noting_retries(read, |note| {
            let last = self.last.lock().ok().and_then(|l| l.iter().find(|l| l.stream == stream).cloned());
            let mut p = last.unwrap_or_else(|| StreamProgress {
                connection_id: self.cid.clone(),
                stream,
                records: 0,
                pages: 0,
                total: None,
                done: false,
                retrying: None,
            });
            p.retrying = Some(note.clone());
            (self.progress)(&p);
        })
        .await
    }
}

/// What a run did, before it is recorded.
struct RunResult {
    deleted: u64,
    calls: u64,
    notices: Vec<String>,
    streams: Vec<StreamOutcome>,
    /// The fields each CS stream's read used, for the org report.
    roles: BTreeMap<String, Vec<roles::RoleMatch>>,
}

/// A stream's outcome from its result: a gap in the org (an object or API it lacks) is skipped,
/// anything else that went wrong failed.
fn outcome_of(
    stream: Stream,
    object: Option<String>,
    r: Result<StreamRead>,
    cancel: &AtomicBool,
) -> StreamOutcome {
    match r {
        Ok(read) => StreamOutcome {
            stream,
            object,
            outcome: read.outcome,
            records: read.records,
            error: read.error,
            notices: read.notices,
        },
        Err(e) => StreamOutcome {
            stream,
            object,
            outcome: if cancel.load(Ordering::SeqCst) {
                StreamResult::Cancelled
            } else {
                StreamResult::Failed
            },
            records: 0,
            error: Some(e.payload()),
            notices: Vec::new(),
        },
    }
}

/// What one stream's read did.
#[derive(Default)]
pub(crate) struct StreamRead {
    pub records: u64,
    pub notices: Vec<String>,
    /// `Ok`, or `Skipped` / `NotSetUp` when the org lacks what the stream reads (not an error).
    pub outcome: StreamResult,
    /// Why it was skipped.
    pub error: Option<ErrorPayload>,
}

fn parse_state(c: &crate::db::cursors::Cursor) -> StreamState {
    let p = |s: &Option<String>| {
        s.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&Utc))
    };
    StreamState { modified_to: p(&c.modified_to), last_ok_start: p(&c.last_ok_start) }
}

fn cancelled() -> Error {
    Error::new(ErrorKind::Internal, "The sync was cancelled.")
}

impl Outpost {
    /// Syncs one connection. Holds a per-connection lock file so two processes never sync the
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
        let _running = self.start_running(&card.id, &card.name, opts.cancel.clone())?;
        let result = self.sync_card(&card, opts, progress).await;
        // A run that finished recorded its own status; one that stopped early with no answer from
        // Gainsight (the org's objects could not even be listed) still makes the card Offline.
        if let Err(e) = &result
            && e.kind.is_unanswered()
        {
            self.note_unanswered(&card.id, &e.message)?;
        }
        result
    }

    async fn sync_card(
        &self,
        card: &crate::connections::ConnectionCard,
        opts: SyncOptions,
        progress: Progress<'_>,
    ) -> Result<SyncSummary> {
        if card.kind == "px" {
            let id = card.id.clone();
            let key = self.with_vault(move |v| v.load(&id)).await?;
            return self.sync_px(card, key, &opts, progress).await;
        }
        let client = self.cs_client(card).await?.with_cancel(opts.cancel.clone());
        let now = self.now();
        let mut run = self.plan_cs_run(card, &opts, now)?;
        let mut outcomes = self.check_org_objects(&client, card, &mut run).await?;
        let (read, roles) = self.read_streams(&client, card, &run, &opts, progress).await?;
        outcomes.extend(read);
        // A damaged database file takes no more writes: no deletes step.
        let damaged =
            outcomes.iter().any(|o| crate::db::is_damaged(o.error.as_ref().and_then(|e| e.hint.as_deref())));
        let (deletes, deleted) = match damaged {
            true => (None, 0),
            false => self.apply_deletes(&client, card, &run, &opts, progress).await?,
        };
        outcomes.extend(deletes);
        order_outcomes(&mut outcomes);
        let end = RunResult { deleted, calls: client.calls(), notices: Vec::new(), streams: outcomes, roles };
        self.finish(card, run.run_id, now, run.started_at, &opts, end)
    }

    /// Records how a run ended (and each stream's outcome), sets the connection's status (a
    /// rejected key needs attention), and returns the summary. Shared by the CS and PX paths.
    fn finish(
        &self,
        card: &crate::connections::ConnectionCard,
        run_id: i64,
        now: DateTime<Utc>,
        started_at: String,
        opts: &SyncOptions,
        end: RunResult,
    ) -> Result<SyncSummary> {
        let finished_at = iso(self.now());
        let was_cancelled = opts.cancel.load(Ordering::SeqCst);
        let read = |o: &&StreamOutcome| o.outcome == StreamResult::Ok;
        let problem = |o: &&StreamOutcome| matches!(o.outcome, StreamResult::Failed | StreamResult::Skipped);
        let any_read = end.streams.iter().any(|o| read(&o) && o.stream != Stream::Deletes);
        let damage = end
            .streams
            .iter()
            .find_map(|o| o.error.as_ref().filter(|e| crate::db::is_damaged(e.hint.as_deref())).cloned());
        let outcome = match (was_cancelled, end.streams.iter().any(|o| problem(&o)), any_read) {
            // Damage in the file fails the run, whatever was read: the cache can't be trusted.
            _ if damage.is_some() => SyncOutcome::Failed,
            (true, ..) => SyncOutcome::Cancelled,
            (false, false, _) => SyncOutcome::Ok,
            (false, true, true) => SyncOutcome::Partial,
            (false, true, false) => SyncOutcome::Failed,
        };
        let read_something = matches!(outcome, SyncOutcome::Ok | SyncOutcome::Partial);
        let first_error = damage.or_else(|| end.streams.iter().find_map(|o| o.error.clone()));
        let error = (outcome == SyncOutcome::Failed).then(|| first_error.clone()).flatten();
        // A stream that stopped part way (failed, cancelled) still committed its earlier pages.
        let committed = crate::db::runs::committed(&*self.db()?, run_id)?;
        let mut end = end;
        for o in &mut end.streams {
            if o.outcome != StreamResult::Ok && o.stream != Stream::Deletes {
                o.records = committed.get(o.stream.code()).copied().unwrap_or(o.records);
            }
        }
        let counts: BTreeMap<String, u64> = end
            .streams
            .iter()
            .filter(|o| (o.outcome == StreamResult::Ok || o.records > 0) && o.stream != Stream::Deletes)
            .map(|o| (o.stream.code().to_string(), o.records))
            .collect();
        let mut notices = end.notices.clone();
        for o in &end.streams {
            notices.extend(o.notices.iter().cloned());
        }
        {
            let db = self.db()?;
            // The history's error: a failed run's, or a partial run's first problem.
            let shown = if outcome == SyncOutcome::Cancelled { None } else { first_error.as_ref() };
            crate::db::runs::finish_run(
                &db,
                run_id,
                &crate::db::runs::RunEnd {
                    finished_at: &finished_at,
                    outcome,
                    counts: &counts,
                    calls: end.calls as i64,
                    error_kind: shown.map(|e| e.kind.name()),
                    error_message: shown.map(|e| e.message.as_str()),
                    streams: &end.streams,
                    notices: &notices,
                },
            )?;
            for o in &end.streams {
                let roles = end.roles.get(o.stream.code()).map(Vec::as_slice).unwrap_or_default();
                org::put_status(&db, &card.id, run_id, &finished_at, o, roles)?;
            }
            // A rejected key needs the admin; a run that read something proves the connection;
            // anything else (cancelled, offline, a server error) says nothing new about it.
            let key_rejected =
                end.streams.iter().any(|o| o.error.as_ref().is_some_and(|e| e.kind == ErrorKind::InvalidKey));
            // A failed run whose every error was no answer at all.
            let errors: Vec<_> = end.streams.iter().filter_map(|o| o.error.as_ref()).collect();
            let unanswered =
                errors.first().copied().filter(|_| errors.iter().all(|e| e.kind.is_unanswered()));
            match outcome {
                _ if key_rejected => {
                    conn_rows::set_status(&db, &card.id, "needs_attention", Some("key rejected"))?
                }
                _ if read_something => conn_rows::set_status(&db, &card.id, "connected", None)?,
                _ if card.status == crate::connections::ConnectionStatus::NeedsAttention => {
                    conn_rows::set_status(&db, &card.id, "needs_attention", card.status_reason.as_deref())?
                }
                // Nothing answered: the card says Offline until something does.
                SyncOutcome::Failed if unanswered.is_some() => {
                    conn_rows::set_status(&db, &card.id, "offline", unanswered.map(|e| e.message.as_str()))?
                }
                // Cancelled, or a failure that was an answer: no news about the network.
                _ if card.status == crate::connections::ConnectionStatus::Offline => {}
                _ => conn_rows::set_status(&db, &card.id, "connected", None)?,
            }
            if read_something {
                conn_rows::set_last_sync(&db, &card.id, &finished_at)?;
            }
            // Keeps the query planner's statistics current after bulk writes (cheap when little changed).
            db.execute_batch("PRAGMA optimize;").map_err(crate::db::db_err)?;
        }
        // Alerts follow what the run read; failing to update them is the admin's notice, not the run's failure.
        let mut new_alerts = 0;
        if read_something {
            match self.refresh_alerts(Some(run_id)) {
                Ok(n) => new_alerts = n,
                Err(e) => notices.push(format!("Health alerts were not updated: {}", e.message)),
            }
        }
        self.update_next_sync(&card.id, now)?;
        Ok(SyncSummary {
            run_id,
            connection_id: card.id.clone(),
            connection: card.name.clone(),
            outcome,
            counts,
            deleted: end.deleted,
            calls: end.calls,
            started_at,
            finished_at,
            error,
            notices,
            streams: end.streams,
            new_alerts,
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
        let client = read_px::px_client(card, key)?.with_dns_probe(self.dns_probe);
        let now = self.now();
        let started_at = iso(now);
        let (run_id, backfill_days, first) = {
            let db = self.db()?;
            crate::db::runs::mark_interrupted(&db, &card.id)?;
            let s = settings::get(&db, &card.id)?;
            // Until the accounts have been read through once, every account is new: none is logged.
            let first = crate::db::cursors::get_cursor(&db, &card.id, Stream::PxAccounts.code())?
                .last_ok_start
                .is_none();
            let run_id = crate::db::runs::start_run(&db, &card.id, &started_at, opts.full)?;
            (run_id, s.backfill_days, first)
        };
        let run = read_px::PxRun {
            app: self,
            client: &client,
            cid: &card.id,
            opts,
            progress: Reporter::new(&card.id, progress),
            backfill_days,
            run_id,
            now: &started_at,
            first,
        };
        let results = run.run_all().await;
        let mut outcomes = Vec::new();
        for (stream, path, r) in results {
            if r.as_ref().is_ok_and(|read| read.outcome == StreamResult::Ok) {
                crate::db::cursors::complete_cursor(&*self.db()?, &card.id, stream.code(), &started_at)?;
            }
            outcomes.push(outcome_of(stream, Some(path.to_string()), r, &opts.cancel));
        }
        let end = RunResult {
            deleted: 0,
            calls: client.calls(),
            notices: Vec::new(),
            streams: outcomes,
            roles: BTreeMap::new(),
        };
        self.finish(card, run_id, now, started_at, opts, end)
    }

    /// The CS client of a connection: its key from the keychain, its share of the org's calls.
    pub(crate) async fn cs_client(&self, card: &crate::connections::ConnectionCard) -> Result<CsClient> {
        let id = card.id.clone();
        let key = self.with_vault(move |v| v.load(&id)).await?;
        let per_minute = settings::get(&*self.db()?, &card.id)?.cs_calls_per_minute;
        let url = normalize_instance_url(&card.instance_url)?;
        let budget = self.org_budget(&card.id, &url, per_minute)?;
        Ok(CsClient::new(url, crate::connections::cs_auth(card, key), Default::default())?
            .with_org_budget(budget)
            .with_dns_probe(self.dns_probe))
    }
}

/// Streams in the order an admin reads them (the order they are planned in, deletes last), the
/// order `Stream` declares.
fn order_outcomes(outcomes: &mut [StreamOutcome]) {
    outcomes.sort_by_key(|o| o.stream);
}
