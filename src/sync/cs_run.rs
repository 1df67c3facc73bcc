//! The steps of one CS run, in order: plan it, check the org-specific objects against the org's
//! object list, read the streams, apply the deletes. [`Outpost::sync`](crate::Outpost::sync)
//! calls them one after another and records the end.

use super::plan::{self, Fetch, StreamKind, StreamPlan, StreamState, SyncPlan};
use super::streams::ObjectNames;
use super::{Progress, StreamOutcome, StreamResult, SyncOptions, discover, outcome_of, parse_state, read_cs};
use crate::connections::ConnectionCard;
use crate::db::{cursors, runs, settings};
use crate::error::{Error, ErrorKind, Result};
use crate::gainsight::CsClient;
use crate::gainsight::record::iso;
use crate::model::Stream;
use crate::outpost::Outpost;
use crate::sync::roles::RoleMatch;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

/// A CS run once planned.
pub(super) struct CsRun {
    pub run_id: i64,
    pub started_at: String,
    pub plan: SyncPlan,
    pub names: ObjectNames,
    pub settings: settings::SyncSettings,
    pub mapped: Vec<String>,
}

impl Outpost {
    /// Plans the run from the cursors, the settings and `now`, and records its start.
    pub(super) fn plan_cs_run(
        &self,
        card: &ConnectionCard,
        opts: &SyncOptions,
        now: DateTime<Utc>,
    ) -> Result<CsRun> {
        let started_at = iso(now);
        let db = self.db()?;
        runs::mark_interrupted(&db, &card.id)?;
        let s = settings::get(&db, &card.id)?;
        let groups = opts.objects.clone().unwrap_or_else(|| s.objects.clone());
        let states: BTreeMap<StreamKind, StreamState> = StreamKind::ALL
            .into_iter()
            .map(|k| Ok((k, parse_state(&cursors::get_cursor(&db, &card.id, k.name())?))))
            .collect::<Result<_>>()?;
        let deletes_done = parse_state(&cursors::get_cursor(&db, &card.id, plan::DELETES)?).last_ok_start;
        let plan = plan::plan(&groups, &states, deletes_done, now, opts.full);
        let names = ObjectNames {
            fact: s.fact_object.clone(),
            history: s.history_object.clone(),
            usage: s.usage_object.clone(),
        };
        let mapped =
            settings::mappings(&db, &card.id, "company")?.into_iter().map(|m| m.field_name).collect();
        let run_id = runs::start_run(&db, &card.id, &started_at, opts.full)?;
        Ok(CsRun { run_id, started_at, plan, names, settings: s, mapped })
    }

    /// On a full read of the org-specific objects (scorecard fact and history, the usage object),
    /// checks them against the org's object list: one call. The org's own scorecard objects are
    /// found and saved; what the org lacks leaves the plan, skipped or "not set up", said so.
    pub(super) async fn check_org_objects(
        &self,
        client: &CsClient,
        card: &ConnectionCard,
        run: &mut CsRun,
    ) -> Result<Vec<StreamOutcome>> {
        let mut outcomes = Vec::new();
        let full = |kinds: &[StreamKind]| {
            run.plan.streams.iter().any(|s| kinds.contains(&s.kind) && s.fetch == Fetch::Full)
        };
        let (full_scores, full_usage) =
            (full(&[StreamKind::MeasureScores, StreamKind::ScoreHistory]), full(&[StreamKind::Usage]));
        if !(full_scores || full_usage) {
            return Ok(outcomes);
        }
        let Some(listed) = discover::listed_objects(client).await else { return Ok(outcomes) };
        let has = |name: &str| listed.iter().any(|o| o.name.eq_ignore_ascii_case(name));
        let names_only: Vec<String> = listed.iter().map(|o| o.name.clone()).collect();
        let names = &mut run.names;
        let (fact, history) = discover::choose(&names_only, &names.fact, &names.history);
        if full_scores && (fact.as_str(), history.as_str()) != (names.fact.as_str(), names.history.as_str()) {
            let db = self.db()?;
            let mut saved = settings::get(&db, &card.id)?;
            (saved.fact_object, saved.history_object) = (fact.clone(), history.clone());
            settings::put(&db, &card.id, &saved)?;
            (names.fact, names.history) = (fact, history);
        }
        for (kind, object) in [
            (StreamKind::MeasureScores, names.fact.clone()),
            (StreamKind::ScoreHistory, names.history.clone()),
        ] {
            if full_scores && run.plan.streams.iter().any(|s| s.kind == kind) && !has(&object) {
                run.plan.streams.retain(|s| s.kind != kind);
                let what = if kind == StreamKind::MeasureScores { "fact" } else { "history" };
                let why = Error::new(
                    ErrorKind::NotFound,
                    format!("This org has no scorecard {what} object ({object} is not in its object list)."),
                )
                .with_hint("Name the org's own in the sync settings, or turn Health scores off.");
                outcomes.push(StreamOutcome {
                    stream: kind.stream(),
                    object: Some(object),
                    outcome: StreamResult::Skipped,
                    records: 0,
                    error: Some(why.payload()),
                    notices: Vec::new(),
                });
            }
        }
        if full_usage && run.plan.streams.iter().any(|s| s.kind == StreamKind::Usage) && !has(&names.usage) {
            run.plan.streams.retain(|s| s.kind != StreamKind::Usage);
            let offered = discover::usage_guesses(&listed);
            let offer = match offered.is_empty() {
                true => String::new(),
                false => format!(" Objects that may hold it: {}.", offered.join(", ")),
            };
            outcomes.push(StreamOutcome {
                stream: Stream::Usage,
                object: Some(names.usage.clone()),
                outcome: StreamResult::NotSetUp,
                records: 0,
                error: None,
                notices: vec![format!(
                    "Usage is not set up: this org has no object named {}. Choose the org's usage object in the \
                     sync settings, or turn Usage off.{offer}",
                    names.usage
                )],
            });
        }
        Ok(outcomes)
    }

    fn reader<'a>(
        &'a self,
        client: &'a CsClient,
        card: &'a ConnectionCard,
        run: &'a CsRun,
        opts: &'a SyncOptions,
        progress: Progress<'a>,
        writer: Option<super::writer::PageWriter>,
    ) -> read_cs::Run<'a> {
        read_cs::Run {
            app: self,
            client,
            cid: &card.id,
            connection: &card.name,
            run_id: run.run_id,
            started_at: &run.started_at,
            names: run.names.clone(),
            mapped: run.mapped.clone(),
            roles: run.settings.field_roles.clone(),
            opts,
            progress: super::Reporter::new(&card.id, progress),
            damaged: Default::default(),
            writer,
        }
    }

    /// Reads every planned stream: the scoring scheme first (companies' bands come from it), then
    /// the others concurrently. Each ends on its own; a stream read through completes its cursor.
    pub(super) async fn read_streams(
        &self,
        client: &CsClient,
        card: &ConnectionCard,
        run: &CsRun,
        opts: &SyncOptions,
        progress: Progress<'_>,
    ) -> Result<(Vec<StreamOutcome>, BTreeMap<String, Vec<RoleMatch>>)> {
        // Only the streams' reads write pages; the deletes step has no use for a writer.
        let writer = super::writer::PageWriter::open(&self.data_dir().join("outpost.db")).ok();
        let reader = self.reader(client, card, run, opts, progress, writer);
        let (reference, rest): (Vec<&StreamPlan>, Vec<&StreamPlan>) =
            run.plan.streams.iter().partition(|s| s.kind == StreamKind::ScoreBands);
        let mut results = Vec::new();
        for s in reference {
            results.push((s.kind, reader.stream(s).await));
        }
        let concurrent =
            futures_util::future::join_all(rest.iter().map(|s| async { (s.kind, reader.stream(s).await) }))
                .await;
        results.extend(concurrent);
        let (mut outcomes, mut roles) = (Vec::new(), BTreeMap::new());
        for (kind, (object, used, r)) in results {
            if r.as_ref().is_ok_and(|read| read.outcome == StreamResult::Ok) {
                cursors::complete_cursor(&*self.db()?, &card.id, kind.name(), &run.started_at)?;
            }
            roles.insert(kind.name().to_string(), used);
            outcomes.push(outcome_of(kind.stream(), Some(object), r, &opts.cancel));
        }
        Ok((outcomes, roles))
    }

    /// Applies the planned deletes (unless cancelled); returns the step's outcome (none for a
    /// first sync, which has nothing to delete) and the rows removed.
    pub(super) async fn apply_deletes(
        &self,
        client: &CsClient,
        card: &ConnectionCard,
        run: &CsRun,
        opts: &SyncOptions,
        progress: Progress<'_>,
    ) -> Result<(Option<StreamOutcome>, u64)> {
        if opts.cancel.load(Ordering::SeqCst) {
            return Ok((None, 0));
        }
        let reader = self.reader(client, card, run, opts, progress, None);
        let with_ctas = run.plan.streams.iter().any(|s| s.kind == StreamKind::Ctas);
        let r = reader
            .progress
            .noting_retries(Stream::Deletes, reader.deletes(&run.plan.deletes, with_ctas))
            .await;
        let mut deleted = 0;
        if let Ok(read) = &r {
            deleted = read.records;
            // Only now are deletes done up to this run's start: a run that fails or is cancelled
            // before this point leaves them to the next run.
            cursors::complete_cursor(&*self.db()?, &card.id, plan::DELETES, &run.started_at)?;
        }
        if run.plan.deletes == plan::Deletes::None {
            return Ok((None, deleted));
        }
        Ok((Some(outcome_of(Stream::Deletes, Some("record_delete_log".into()), r, &opts.cancel)), deleted))
    }
}
