//! The org's CS call budget, one per instance host, shared by every Outpost process on this
//! computer (the desktop app, CLI syncs, two connections to one org).
//!
//! Gainsight counts CS calls per org: 100 a calendar minute on its own clock and a daily limit
//! (50,000 by default; packages differ). Each process used to keep its own window, so the app and
//! a CLI sync together could spend more than the org allows and meet 429s that also hit the org's
//! other integrations. The state now lives in `budget.sqlite` in the data directory, apart from the
//! cache so that a long sync transaction never holds up a call: one row per call made in the last
//! minute, and a count per UTC day. A call is taken in one short `BEGIN IMMEDIATE` transaction
//! (measured with `examples/budget_cost.rs` on this machine's disk: median 0.16 ms, 99th percentile
//! 5 to 8 ms when a WAL checkpoint lands, against a CS call's 100 ms or more), under the admin's share (`cs_calls_per_minute`) of what every process has
//! spent. As with the old in-process window, at most `share` calls land in *any* window-long span,
//! so in every calendar minute of Gainsight's clock too. A process that crashes leaves only rows
//! that stop counting when the window has passed: no slot outlives it.

pub mod meter;

use crate::error::{Error, ErrorKind, Result};
use crate::gainsight::error::ApiError;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Gainsight's CS limit per minute for the whole org.
pub const ORG_CALLS_PER_MINUTE: i64 = 100;
/// The daily CS limit of most packages; editable per connection.
pub const DEFAULT_CALLS_PER_DAY: i64 = 50_000;
/// The `error_code` of the daily-limit error: not transient, so it is never retried.
pub const DAILY_LIMIT_CODE: &str = "OUTPOST_DAILY_LIMIT";
/// How long call rows are kept: the meter shows the last minute even when a test window is shorter.
const KEEP_MS: i64 = 60_000;
/// Added to the window between calls that may not share one (see [`OrgBudget::new`]).
const WINDOW_MARGIN: Duration = Duration::from_millis(250);
/// While waiting for a slot, how often the cancel flag (and the other processes' spending) is looked at.
const POLL: Duration = Duration::from_millis(200);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS cs_calls (
    host  TEXT NOT NULL,
    at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS cs_calls_by_host ON cs_calls (host, at_ms);
CREATE TABLE IF NOT EXISTS cs_days (
    host TEXT NOT NULL,
    day  TEXT NOT NULL,
    used INTEGER NOT NULL,
    PRIMARY KEY (host, day)
) STRICT;
CREATE TABLE IF NOT EXISTS cs_day_limits (
    connection_id TEXT PRIMARY KEY,
    calls_per_day INTEGER NOT NULL
) STRICT;
";

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

fn utc_day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().format("%Y-%m-%d").to_string()
}

fn db_err(path: &Path) -> impl Fn(rusqlite::Error) -> Error + '_ {
    use rusqlite::ErrorCode::{CannotOpen, DiskFull, ReadOnly};
    move |e| match e.sqlite_error_code() {
        // Said the same way as for the database: the disk or the folder, not this file, is at fault.
        Some(DiskFull | ReadOnly | CannotOpen) => crate::db::db_err(e),
        _ => Error::new(ErrorKind::Database, format!("The call budget file {} failed: {e}.", path.display())),
    }
}

/// What asking for a call got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Take {
    Granted,
    /// The share of this window is spent; a slot frees in this long.
    Wait(Duration),
    /// The day's calls are spent (by every Outpost process on this computer).
    DayExhausted,
}

/// Calls spent for one host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Spent {
    pub last_minute: i64,
    pub today: i64,
}

/// `budget.sqlite`: the calls every process made, per host.
pub struct BudgetStore {
    path: std::path::PathBuf,
    conn: Mutex<Connection>,
}

impl BudgetStore {
    pub fn open(path: &Path) -> Result<Self> {
        let err = db_err(path);
        let conn = Connection::open(path).map_err(&err)?;
        // WAL: the meter reads while a sync takes calls, in another process too.
        conn.pragma_update(None, "journal_mode", "WAL").map_err(&err)?;
        // A lost last call after a power cut only undercounts one call; FULL would fsync each one.
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(&err)?;
        // Transactions here last well under a millisecond: a short wait covers any other process.
        conn.busy_timeout(Duration::from_secs(5)).map_err(&err)?;
        conn.execute_batch(SCHEMA).map_err(&err)?;
        for side in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(side);
            crate::private::file(Path::new(&p))?;
        }
        Ok(BudgetStore { path: path.to_path_buf(), conn: Mutex::new(conn) })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        match self.conn.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Takes one call for `host` at `now`, if fewer than `share` calls were made in the last
    /// `window` and fewer than `per_day` today (UTC).
    pub fn take(&self, host: &str, share: i64, window: Duration, per_day: i64, now: i64) -> Result<Take> {
        let err = db_err(&self.path);
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&err)?;
        let keep = KEEP_MS.max(window.as_millis() as i64);
        // Rows past the window, and rows "from the future" left before the clock was set back.
        tx.execute(
            "DELETE FROM cs_calls WHERE host = ?1 AND (at_ms <= ?2 OR at_ms > ?3)",
            params![host, now - keep, now + keep],
        )
        .map_err(&err)?;
        let day = utc_day(now);
        let used: i64 = tx
            .query_row("SELECT used FROM cs_days WHERE host = ?1 AND day = ?2", params![host, day], |r| {
                r.get(0)
            })
            .optional()
            .map_err(&err)?
            .unwrap_or(0);
        if used >= per_day {
            return Ok(Take::DayExhausted);
        }
        let since = now - window.as_millis() as i64;
        let in_window: i64 = tx
            .query_row(
                "SELECT COUNT(*) FROM cs_calls WHERE host = ?1 AND at_ms > ?2",
                params![host, since],
                |r| r.get(0),
            )
            .map_err(&err)?;
        let share = share.max(1);
        if in_window >= share {
            // A slot of ours frees when enough of the calls in the window have aged out of it (others
            // may have a larger share, so there can be more than ours).
            let frees: i64 = tx
                .query_row(
                    "SELECT at_ms FROM cs_calls WHERE host = ?1 AND at_ms > ?2 ORDER BY at_ms LIMIT 1 OFFSET ?3",
                    params![host, since, in_window - share],
                    |r| r.get(0),
                )
                .map_err(&err)?;
            let wait = (frees - since).max(0) as u64 + 1;
            return Ok(Take::Wait(Duration::from_millis(wait)));
        }
        tx.execute("INSERT INTO cs_calls (host, at_ms) VALUES (?1, ?2)", params![host, now]).map_err(&err)?;
        tx.execute(
            "INSERT INTO cs_days (host, day, used) VALUES (?1, ?2, 1)
             ON CONFLICT (host, day) DO UPDATE SET used = used + 1",
            params![host, day],
        )
        .map_err(&err)?;
        tx.execute(
            "DELETE FROM cs_days WHERE host = ?1 AND day < ?2",
            params![host, utc_day(now - 2 * 86_400_000)],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)?;
        Ok(Take::Granted)
    }

    /// Calls made for `host` in the minute before `now` and on its UTC day, by every process.
    pub fn spent(&self, host: &str, now: i64) -> Result<Spent> {
        let err = db_err(&self.path);
        let conn = self.conn();
        let last_minute = conn
            .query_row(
                "SELECT COUNT(*) FROM cs_calls WHERE host = ?1 AND at_ms > ?2 AND at_ms <= ?3",
                params![host, now - 60_000, now + 1_000],
                |r| r.get(0),
            )
            .map_err(&err)?;
        let today = conn
            .query_row(
                "SELECT used FROM cs_days WHERE host = ?1 AND day = ?2",
                params![host, utc_day(now)],
                |r| r.get(0),
            )
            .optional()
            .map_err(&err)?
            .unwrap_or(0);
        Ok(Spent { last_minute, today })
    }

    /// The connection's daily limit (its package's), 50,000 unless the admin set another.
    pub fn day_limit(&self, connection_id: &str) -> Result<i64> {
        let limit = self
            .conn()
            .query_row(
                "SELECT calls_per_day FROM cs_day_limits WHERE connection_id = ?1",
                [connection_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err(&self.path))?;
        Ok(limit.unwrap_or(DEFAULT_CALLS_PER_DAY))
    }

    pub fn set_day_limit(&self, connection_id: &str, calls_per_day: i64) -> Result<()> {
        self.conn()
            .execute(
                "INSERT INTO cs_day_limits (connection_id, calls_per_day) VALUES (?1, ?2)
                 ON CONFLICT (connection_id) DO UPDATE SET calls_per_day = excluded.calls_per_day",
                params![connection_id, calls_per_day],
            )
            .map_err(db_err(&self.path))?;
        Ok(())
    }
}

/// One client's view of its org's budget: the host, this connection's share and daily limit.
#[derive(Clone)]
pub struct OrgBudget {
    store: Arc<BudgetStore>,
    host: String,
    share: i64,
    window: Duration,
    per_day: i64,
}

impl std::fmt::Debug for OrgBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OrgBudget({}, {} per {:?})", self.host, self.share, self.window)
    }
}

impl OrgBudget {
    pub fn new(store: Arc<BudgetStore>, host: &str, share: i64, window: Duration, per_day: i64) -> Self {
        OrgBudget {
            store,
            host: host.to_string(),
            share: share.max(1),
            // A call is counted when its slot is taken, the server counts it when it arrives: a
            // little more than the window apart keeps a late-arriving call out of the next window.
            window: window.max(Duration::from_millis(10)) + WINDOW_MARGIN,
            per_day,
        }
    }

    /// Time until the current calendar window ends on this computer's clock: after a 429 without
    /// `Retry-After`, the server's window has most likely reset by then.
    pub fn until_next_window(&self) -> Duration {
        let t = now_ms().max(0) as u128;
        let size = self.window.saturating_sub(WINDOW_MARGIN).as_millis().max(1);
        Duration::from_millis(((t / size + 1) * size - t) as u64)
    }

    /// Waits for a slot and takes it. Fails when the day's calls are spent, when `cancel` is set
    /// while waiting, or when the budget file cannot be used.
    pub async fn acquire(&self, cancel: Option<&AtomicBool>) -> std::result::Result<(), ApiError> {
        loop {
            if cancel.is_some_and(|c| c.load(Ordering::SeqCst)) {
                return Err(ApiError::new(ErrorKind::Internal, "The sync was cancelled.", None));
            }
            let (store, host, share, window, per_day) =
                (self.store.clone(), self.host.clone(), self.share, self.window, self.per_day);
            let took =
                tokio::task::spawn_blocking(move || store.take(&host, share, window, per_day, now_ms()))
                    .await
                    .map_err(|e| {
                        ApiError::new(ErrorKind::Internal, format!("call budget task failed: {e}"), None)
                    })?
                    .map_err(|e| ApiError::new(e.kind, e.message, e.hint.as_deref()))?;
            match took {
                Take::Granted => return Ok(()),
                Take::Wait(wait) => tokio::time::sleep(wait.min(POLL)).await,
                Take::DayExhausted => return Err(self.day_exhausted()),
            }
        }
    }

    fn day_exhausted(&self) -> ApiError {
        let mut e = ApiError::new(
            ErrorKind::RateLimited,
            format!(
                "Outpost has spent today's {} CS calls to {}; syncs resume after midnight UTC.",
                thousands(self.per_day),
                self.host
            ),
            Some("If the org's package allows more calls a day, raise the daily limit in Sync settings."),
        );
        e.error_code = Some(DAILY_LIMIT_CODE.into());
        e
    }
}

/// 50000 → "50,000".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Arc<BudgetStore>) {
        let dir = tempfile::tempdir().expect("tmp");
        let s = BudgetStore::open(&dir.path().join("budget.sqlite")).expect("open");
        (dir, Arc::new(s))
    }

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn no_window_long_span_holds_more_than_the_share() {
        let (_d, s) = store();
        let t0 = 1_800_000_000_000;
        for _ in 0..3 {
            assert_eq!(s.take("acme", 3, MIN, 1000, t0 + 50_000).expect("take"), Take::Granted);
        }
        // Twenty seconds later the three calls at 50 s are still inside the last minute: a slot
        // frees 60 s after them, 40 s from now.
        let wait = s.take("acme", 3, MIN, 1000, t0 + 70_000).expect("take");
        assert_eq!(wait, Take::Wait(Duration::from_millis(40_001)));
        assert_eq!(s.take("acme", 3, MIN, 1000, t0 + 110_001).expect("take"), Take::Granted);
        // Another org's calls are its own.
        assert_eq!(s.take("other", 3, MIN, 1000, t0 + 70_000).expect("take"), Take::Granted);
        let spent = s.spent("acme", t0 + 110_001).expect("spent");
        assert_eq!(spent, Spent { last_minute: 1, today: 4 }, "the minute holds one call, the day four");
    }

    #[test]
    fn a_smaller_share_waits_until_enough_calls_age_out() {
        let (_d, s) = store();
        let t0 = 1_800_000_000_000;
        // A process with a share of 5 spent five calls, one a second.
        for i in 0..5 {
            assert_eq!(s.take("acme", 5, MIN, 1000, t0 + i * 1000).expect("take"), Take::Granted);
        }
        // One with a share of 3 may call when only two are left in the window: after the third ages out.
        let wait = s.take("acme", 3, MIN, 1000, t0 + 10_000).expect("take");
        assert_eq!(wait, Take::Wait(Duration::from_millis(52_001)));
    }

    #[test]
    fn the_day_limit_stops_calls_until_the_next_utc_day() {
        let (_d, s) = store();
        // 23:59:00 UTC on 2027-01-14.
        let evening = 1_800_000_000_000 - 1_800_000_000_000 % 86_400_000 + 86_340_000;
        for i in 0..2 {
            assert_eq!(s.take("acme", 100, MIN, 2, evening + i).expect("take"), Take::Granted);
        }
        assert_eq!(s.take("acme", 100, MIN, 2, evening + 10).expect("take"), Take::DayExhausted);
        assert_eq!(s.take("acme", 100, MIN, 2, evening + 59_999).expect("take"), Take::DayExhausted);
        // Past midnight UTC the count starts again.
        assert_eq!(s.take("acme", 100, MIN, 2, evening + 60_000).expect("take"), Take::Granted);
        assert_eq!(s.spent("acme", evening + 60_000).expect("spent").today, 1);
    }

    #[test]
    fn rows_from_a_clock_set_back_do_not_block_forever() {
        let (_d, s) = store();
        let t0 = 1_800_000_000_000;
        for _ in 0..3 {
            assert_eq!(s.take("acme", 3, MIN, 1000, t0 + 3_600_000).expect("take"), Take::Granted);
        }
        assert_eq!(s.take("acme", 3, MIN, 1000, t0).expect("take"), Take::Granted, "an hour back");
    }

    #[test]
    fn two_handles_on_one_file_share_the_window() {
        let (d, s) = store();
        let other = BudgetStore::open(&d.path().join("budget.sqlite")).expect("second open");
        let t0 = now_ms();
        assert_eq!(s.take("acme", 2, MIN, 1000, t0).expect("take"), Take::Granted);
        assert_eq!(other.take("acme", 2, MIN, 1000, t0).expect("take"), Take::Granted);
        assert!(matches!(s.take("acme", 2, MIN, 1000, t0).expect("take"), Take::Wait(_)));
        assert_eq!(other.spent("acme", t0).expect("spent"), Spent { last_minute: 2, today: 2 });
    }

    #[test]
    fn day_limits_default_and_change() {
        let (_d, s) = store();
        assert_eq!(s.day_limit("c1").expect("get"), DEFAULT_CALLS_PER_DAY);
        s.set_day_limit("c1", 200_000).expect("set");
        assert_eq!(s.day_limit("c1").expect("get"), 200_000);
        assert_eq!(s.day_limit("c2").expect("get"), DEFAULT_CALLS_PER_DAY);
    }

    #[tokio::test]
    async fn acquire_fails_clearly_when_the_day_is_spent_and_stops_when_cancelled() {
        let (_d, s) = store();
        let day = OrgBudget::new(s.clone(), "acme", 100, MIN, 1);
        day.acquire(None).await.expect("the first call of the day");
        let e = day.acquire(None).await.expect_err("the second is over the daily limit");
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert!(!e.is_transient(), "retrying today cannot help");
        assert!(e.message.contains("resume after midnight UTC"), "{}", e.message);
        let minute = OrgBudget::new(s, "beta", 1, MIN, 1000);
        minute.acquire(None).await.expect("the first call");
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            flag.store(true, Ordering::SeqCst);
        });
        let e = minute.acquire(Some(&cancel)).await.expect_err("waits a minute unless cancelled");
        assert!(e.message.contains("cancelled"), "{}", e.message);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(
            [0, 999, 1_000, 50_000, 1_234_567].map(thousands),
            ["0", "999", "1,000", "50,000", "1,234,567"].map(String::from)
        );
    }
}
