//! What a sync fetches, as a pure function of the settings, the cursors and the time: no network,
//! no database, so every rule is table-tested.
//!
//! - CS streams are incremental by modification time with a safety overlap; rows seen twice are
//!   harmless because every write is an upsert by Gsid.
//! - Deletes come from the delete log while the gap since the last complete sync is under 14 days
//!   (the log keeps 15); past that, or after a partial first sync, IDs are reconciled in full.
//! - Small reference data (the scoring scheme) is always re-read whole.

use crate::model::ObjectGroup;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// Re-read this much before the cursor: clocks and commit order are not perfectly monotonic.
pub const OVERLAP: Duration = Duration::minutes(5);
/// The delete log keeps 15 days; a gap of 14 or more falls back to reconciling IDs.
pub const DELETE_LOG_DAYS: i64 = 14;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StreamKind {
    ScoreBands,
    Companies,
    Ctas,
    MeasureScores,
    ScoreHistory,
    Usage,
}

impl StreamKind {
    pub const ALL: [StreamKind; 6] = [
        StreamKind::ScoreBands,
        StreamKind::Companies,
        StreamKind::Ctas,
        StreamKind::MeasureScores,
        StreamKind::ScoreHistory,
        StreamKind::Usage,
    ];

    pub fn name(self) -> &'static str {
        match self {
            StreamKind::ScoreBands => "score_bands",
            StreamKind::Companies => "companies",
            StreamKind::Ctas => "ctas",
            StreamKind::MeasureScores => "measure_scores",
            StreamKind::ScoreHistory => "score_history",
            StreamKind::Usage => "usage",
        }
    }

    /// The stream, in the words the summary and the UI use.
    pub fn stream(self) -> crate::model::Stream {
        use crate::model::Stream;
        match self {
            StreamKind::ScoreBands => Stream::ScoreBands,
            StreamKind::Companies => Stream::Companies,
            StreamKind::Ctas => Stream::Ctas,
            StreamKind::MeasureScores => Stream::MeasureScores,
            StreamKind::ScoreHistory => Stream::ScoreHistory,
            StreamKind::Usage => Stream::Usage,
        }
    }

    /// The object group an admin switches on or off in the sync settings.
    pub fn group(self) -> ObjectGroup {
        match self {
            StreamKind::Companies => ObjectGroup::Companies,
            StreamKind::Ctas => ObjectGroup::Ctas,
            StreamKind::ScoreBands | StreamKind::MeasureScores | StreamKind::ScoreHistory => {
                ObjectGroup::HealthScores
            }
            StreamKind::Usage => ObjectGroup::Usage,
        }
    }

    fn incremental(self) -> bool {
        !matches!(self, StreamKind::ScoreBands)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fetch {
    Full,
    Since(DateTime<Utc>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deletes {
    /// First sync: nothing cached can be stale.
    None,
    Log {
        since: DateTime<Utc>,
    },
    Reconcile,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamPlan {
    pub kind: StreamKind,
    pub fetch: Fetch,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncPlan {
    pub streams: Vec<StreamPlan>,
    pub deletes: Deletes,
}

/// Where a stream stands, parsed from its stored cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamState {
    /// The newest modification time applied so far.
    pub modified_to: Option<DateTime<Utc>>,
    /// When the last run that completed this stream started.
    pub last_ok_start: Option<DateTime<Utc>>,
}

/// The cursor name under which the deletes step records the start of its last successful run:
/// deletes are read from the log from there, so a run that failed or was cancelled before its
/// deletes leaves them for the next run instead of skipping them.
pub const DELETES: &str = "deletes";

pub fn plan(
    groups: &[ObjectGroup],
    states: &BTreeMap<StreamKind, StreamState>,
    deletes_done: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    full: bool,
) -> SyncPlan {
    let wanted = |k: StreamKind| k == StreamKind::Companies || groups.iter().any(|g| *g == k.group());
    let streams = StreamKind::ALL
        .into_iter()
        .filter(|k| wanted(*k))
        .map(|kind| {
            let modified_to = states.get(&kind).and_then(|s| s.modified_to);
            let fetch = match (full || !kind.incremental(), modified_to) {
                (false, Some(t)) => Fetch::Since(t - OVERLAP),
                _ => Fetch::Full,
            };
            StreamPlan { kind, fetch }
        })
        .collect();
    let cached = states.get(&StreamKind::Companies).is_some_and(|s| s.modified_to.is_some());
    let deletes = match (cached, full, deletes_done) {
        // Nothing cached yet: nothing can be stale.
        (false, _, _) => Deletes::None,
        (true, true, _) | (true, false, None) => Deletes::Reconcile,
        (true, false, Some(last)) if now - last >= Duration::days(DELETE_LOG_DAYS) => Deletes::Reconcile,
        (true, false, Some(last)) => Deletes::Log { since: last - OVERLAP },
    };
    SyncPlan { streams, deletes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 12, 0, 0).single().expect("date")
    }

    fn state(modified: Option<u32>, ok: Option<u32>) -> StreamState {
        StreamState { modified_to: modified.map(t), last_ok_start: ok.map(t) }
    }

    fn all() -> Vec<ObjectGroup> {
        ObjectGroup::ALL.to_vec()
    }

    #[test]
    fn table() {
        struct Case {
            name: &'static str,
            groups: Vec<ObjectGroup>,
            companies: StreamState,
            deletes_done: Option<u32>,
            now: u32,
            full: bool,
            fetch: Fetch,
            deletes: Deletes,
        }
        let cases = vec![
            Case {
                name: "first sync",
                groups: all(),
                companies: state(None, None),
                deletes_done: None,
                now: 20,
                full: false,
                fetch: Fetch::Full,
                deletes: Deletes::None,
            },
            Case {
                name: "incremental next day",
                groups: all(),
                companies: state(Some(19), Some(19)),
                deletes_done: Some(19),
                now: 20,
                full: false,
                fetch: Fetch::Since(t(19) - OVERLAP),
                deletes: Deletes::Log { since: t(19) - OVERLAP },
            },
            Case {
                name: "13-day gap still uses the log",
                groups: all(),
                companies: state(Some(7), Some(7)),
                deletes_done: Some(7),
                now: 20,
                full: false,
                fetch: Fetch::Since(t(7) - OVERLAP),
                deletes: Deletes::Log { since: t(7) - OVERLAP },
            },
            Case {
                name: "14-day gap reconciles",
                groups: all(),
                companies: state(Some(6), Some(6)),
                deletes_done: Some(6),
                now: 20,
                full: false,
                fetch: Fetch::Since(t(6) - OVERLAP),
                deletes: Deletes::Reconcile,
            },
            Case {
                name: "interrupted first sync resumes and reconciles",
                groups: all(),
                companies: state(Some(3), None),
                deletes_done: None,
                now: 20,
                full: false,
                fetch: Fetch::Since(t(3) - OVERLAP),
                deletes: Deletes::Reconcile,
            },
            Case {
                name: "deletes left undone by a failed run are read from where they were last done",
                groups: all(),
                companies: state(Some(19), Some(19)),
                deletes_done: Some(12),
                now: 20,
                full: false,
                fetch: Fetch::Since(t(19) - OVERLAP),
                deletes: Deletes::Log { since: t(12) - OVERLAP },
            },
            Case {
                name: "an older database without a deletes cursor reconciles once",
                groups: all(),
                companies: state(Some(19), Some(19)),
                deletes_done: None,
                now: 20,
                full: false,
                fetch: Fetch::Since(t(19) - OVERLAP),
                deletes: Deletes::Reconcile,
            },
            Case {
                name: "--full re-reads and reconciles",
                groups: all(),
                companies: state(Some(19), Some(19)),
                deletes_done: Some(19),
                now: 20,
                full: true,
                fetch: Fetch::Full,
                deletes: Deletes::Reconcile,
            },
        ];
        for c in cases {
            let mut states = BTreeMap::new();
            states.insert(StreamKind::Companies, c.companies.clone());
            let p = plan(&c.groups, &states, c.deletes_done.map(t), t(c.now), c.full);
            let companies =
                p.streams.iter().find(|s| s.kind == StreamKind::Companies).expect("companies always planned");
            assert_eq!(companies.fetch, c.fetch, "{}", c.name);
            assert_eq!(p.deletes, c.deletes, "{}", c.name);
        }
    }

    #[test]
    fn groups_choose_streams_and_companies_are_always_in() {
        let p = plan(&[ObjectGroup::Ctas], &BTreeMap::new(), None, t(20), false);
        let kinds: Vec<StreamKind> = p.streams.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, vec![StreamKind::Companies, StreamKind::Ctas]);
        let p = plan(&all(), &BTreeMap::new(), None, t(20), false);
        assert_eq!(p.streams.len(), StreamKind::ALL.len());
    }

    #[test]
    fn reference_data_is_always_read_whole() {
        let mut states = BTreeMap::new();
        states.insert(StreamKind::ScoreBands, state(Some(19), Some(19)));
        let p = plan(&all(), &states, None, t(20), false);
        let bands = p.streams.iter().find(|s| s.kind == StreamKind::ScoreBands).expect("bands");
        assert_eq!(bands.fetch, Fetch::Full);
    }
}

/// The days of PX feature usage to (re)read: from the day of the cursor (a partial day is read
/// again and replaced) or, on the first sync, the backfill period, through today.
pub fn px_usage_days(
    cursor_day: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
    backfill_days: i64,
) -> Vec<chrono::NaiveDate> {
    let first = cursor_day.unwrap_or(today - Duration::days(backfill_days.max(1) - 1)).min(today);
    first.iter_days().take_while(|d| *d <= today).collect()
}

#[cfg(test)]
mod px_tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).expect("date")
    }

    #[test]
    fn usage_days_backfill_then_resume_from_the_cursor_day() {
        assert_eq!(
            px_usage_days(None, d(22), 3),
            vec![d(20), d(21), d(22)],
            "first sync: the backfill period"
        );
        assert_eq!(px_usage_days(Some(d(21)), d(22), 30), vec![d(21), d(22)], "then from the cursor day");
        assert_eq!(px_usage_days(Some(d(22)), d(22), 30), vec![d(22)], "today again, replaced");
        assert_eq!(
            px_usage_days(Some(d(25)), d(22), 30),
            vec![d(22)],
            "a cursor ahead of the clock reads today"
        );
        assert_eq!(px_usage_days(None, d(22), 0).len(), 1, "at least today");
    }
}
