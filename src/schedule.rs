//! Scheduled syncs: when a connection is due is a pure function of the frequency, the last attempt
//! and the time; [`Outpost::sync_due`] runs what is due at a given time (what `outpost sync --due`
//! does from cron, a systemd timer, launchd or the Task Scheduler) and
//! [`Outpost::run_scheduler`] is the loop the desktop app hosts while it is open.

use crate::model::Frequency;
use crate::sync::{StreamProgress, SyncOptions, SyncSummary};
use chrono::{DateTime, Utc};

/// The next scheduled sync after `last` (the last attempt, or never).
pub fn next_due(
    frequency: Frequency,
    last: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let every = frequency.interval()?;
    Some(match last {
        Some(t) => t + every,
        None => now,
    })
}

pub fn is_due(frequency: Frequency, last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    next_due(frequency, last, now).is_some_and(|t| t <= now)
}

impl crate::outpost::Outpost {
    /// Connections whose scheduled sync is due now: never the disconnected ones, nor those that
    /// need the admin (a rejected key would only be rejected again, run after run).
    pub fn due_for_sync(&self, now: DateTime<Utc>) -> crate::error::Result<Vec<String>> {
        use crate::connections::ConnectionStatus::{Disconnected, NeedsAttention};
        let cards = self.connection_cards()?;
        let db = self.db()?;
        let mut due = Vec::new();
        for c in cards.iter().filter(|c| !matches!(c.status, Disconnected | NeedsAttention)) {
            let s = crate::db::settings::get(&db, &c.id)?;
            let last = crate::db::runs::list_runs(&db, Some(&c.id), 1)?
                .first()
                .and_then(|r| DateTime::parse_from_rfc3339(&r.started_at).ok())
                .map(|t| t.with_timezone(&Utc));
            if is_due(s.frequency, last, now) {
                due.push(c.id.clone());
            }
        }
        Ok(due)
    }

    /// Records when the next scheduled sync of a connection will run, for its card.
    pub(crate) fn update_next_sync(
        &self,
        connection_id: &str,
        last_attempt: DateTime<Utc>,
    ) -> crate::error::Result<()> {
        let db = self.db()?;
        let s = crate::db::settings::get(&db, connection_id)?;
        let next = next_due(s.frequency, Some(last_attempt), last_attempt).map(crate::gainsight::record::iso);
        crate::db::connections::set_next_sync(&db, connection_id, next.as_deref())
    }

    /// Syncs, one after another, every connection due at `now` that no sync holds already, and
    /// tells `on` as it goes. Nothing due: no call to Gainsight, an empty list.
    pub async fn sync_due(
        &self,
        now: DateTime<Utc>,
        on: &(dyn Fn(Scheduled<'_>) + Send + Sync),
    ) -> crate::error::Result<Vec<SyncSummary>> {
        let mut done = Vec::new();
        for id in self.due_for_sync(now)? {
            if self.is_syncing(&id) {
                continue;
            }
            on(Scheduled::Started(&id));
            let progress = |p: &StreamProgress| on(Scheduled::Progress(p));
            match self.sync(&id, SyncOptions::default(), &progress).await {
                Ok(summary) => {
                    on(Scheduled::Finished(&summary));
                    done.push(summary);
                }
                Err(e) => on(Scheduled::Failed(&id, &e)),
            }
        }
        Ok(done)
    }

    /// The scheduler loop: every `tick`, runs what is due. Never returns; the host drops it.
    pub async fn run_scheduler(&self, tick: std::time::Duration, on: &(dyn Fn(Scheduled<'_>) + Send + Sync)) {
        loop {
            tokio::time::sleep(tick).await;
            if let Err(e) = self.sync_due(self.now(), on).await {
                on(Scheduled::Failed("", &e));
            }
        }
    }
}

/// What the scheduler reports, in order, for each connection it syncs.
pub enum Scheduled<'a> {
    Started(&'a str),
    Progress(&'a StreamProgress),
    Finished(&'a SyncSummary),
    /// The sync (or, with an empty id, the look at what is due) failed before it had a summary.
    Failed(&'a str, &'a crate::error::Error),
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn table() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).single().expect("now");
        let ago = |m: i64| Some(now - Duration::minutes(m));
        let cases = [
            ("manual", None, false),
            ("manual", ago(10_000), false),
            ("15m", None, true),
            ("15m", ago(14), false),
            ("15m", ago(15), true),
            ("1h", ago(59), false),
            ("1h", ago(61), true),
            ("4h", ago(239), false),
            ("4h", ago(240), true),
            ("24h", ago(60 * 23), false),
            ("24h", ago(60 * 24 + 1), true),
        ];
        for (freq, last, due) in cases {
            let f = Frequency::from_code(freq).expect("a frequency");
            assert_eq!(is_due(f, last, now), due, "{freq} last {last:?}");
        }
        assert_eq!(Frequency::from_code("weekly"), None, "no such frequency: it cannot be stored either");
        assert_eq!(next_due(Frequency::Hourly, ago(30), now), Some(now + Duration::minutes(30)));
        assert_eq!(next_due(Frequency::Manual, ago(30), now), None);
    }
}
