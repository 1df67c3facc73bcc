//! Call windows of one process: a connection test before the connection is saved, benchmarks and
//! client tests. Saved CS connections take their calls from the org's budget shared by every
//! Outpost process ([`crate::budget`]), which keeps the same "at most N in any window" rule in
//! `budget.sqlite`.
//!
//! CS counts calls in a calendar-minute window (100 per minute, shared by every integration of the
//! org), aligned to Gainsight's clock, not ours. [`CallWindow`] allows at most N calls in *any*
//! window-long interval (a log of the last N calls): that holds for every calendar minute however
//! far the two clocks are apart, where counting per aligned minute on our clock could let N calls
//! at the end of our minute and N more at the start of the next land in one minute of theirs. The
//! long-run rate is the same N per minute. It is hand-written because token-bucket/GCRA limiters
//! such as `governor` refill continuously and cannot promise "at most N per minute" without
//! cutting the burst so far that throughput halves. PX allows about 200 requests per second with
//! no documented window, a fit for `governor`'s GCRA limiter, which [`PxBudget`] wraps.

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The share of the org's 100 calls per minute Outpost uses by default, leaving room for the
/// org's other integrations.
pub const DEFAULT_CS_CALLS_PER_MINUTE: u32 = 60;

#[derive(Debug)]
pub struct CallWindow {
    limit: u32,
    window: Duration,
    /// When the most recent calls (at most `limit`) were made, oldest first.
    recent: Mutex<VecDeque<Instant>>,
}

fn since_epoch() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

impl CallWindow {
    pub fn new(limit: u32, window: Duration) -> Self {
        CallWindow {
            limit: limit.max(1),
            window: window.max(Duration::from_millis(10)),
            recent: Mutex::new(VecDeque::new()),
        }
    }

    pub fn per_minute(limit: u32) -> Self {
        Self::new(limit, Duration::from_secs(60))
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Time until the current calendar window ends on this computer's clock: after a 429 without
    /// `Retry-After`, the server's window has most likely reset by then.
    pub fn until_next_window(&self) -> Duration {
        let t = since_epoch();
        let size = self.window.as_millis().max(1);
        let next = Duration::from_millis(((t.as_millis() / size + 1) * size) as u64);
        next.saturating_sub(t)
    }

    /// Takes one call from the budget, or says how long to wait until one is free.
    pub fn try_take(&self) -> Result<(), Duration> {
        self.take_at(Instant::now())
    }

    fn take_at(&self, now: Instant) -> Result<(), Duration> {
        let Ok(mut recent) = self.recent.lock() else { return Ok(()) };
        while recent.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            recent.pop_front();
        }
        if recent.len() < self.limit as usize {
            recent.push_back(now);
            return Ok(());
        }
        let oldest = recent.front().copied().unwrap_or(now);
        Err(self.window.saturating_sub(now.duration_since(oldest)) + Duration::from_millis(1))
    }

    /// Waits until a call may be made, then takes it.
    pub async fn acquire(&self) {
        while let Err(wait) = self.try_take() {
            tokio::time::sleep(wait).await;
        }
    }
}

pub struct PxBudget(DefaultDirectRateLimiter);

impl std::fmt::Debug for PxBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PxBudget")
    }
}

impl PxBudget {
    pub fn per_second(n: u32) -> Self {
        let n = NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN);
        PxBudget(RateLimiter::direct(Quota::per_second(n)))
    }

    pub async fn acquire(&self) {
        self.0.until_ready().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_never_holds_more_than_its_limit() {
        let w = CallWindow::new(3, Duration::from_secs(3600));
        let taken = (0..10).filter(|_| w.try_take().is_ok()).count();
        assert_eq!(taken, 3, "an hour-long window allows exactly the limit");
        assert!(w.try_take().expect_err("over").as_secs() <= 3600);
    }

    #[tokio::test]
    async fn acquire_waits_for_the_next_window() {
        let w = CallWindow::new(2, Duration::from_millis(200));
        let start = std::time::Instant::now();
        for _ in 0..5 {
            w.acquire().await;
        }
        // Five calls at two per window: the fifth waits for the third window after the first call.
        assert!(start.elapsed() >= Duration::from_millis(400), "{:?}", start.elapsed());
    }

    /// The server counts per minute on its own clock: a burst that straddles a minute boundary of
    /// ours must still fit one minute of theirs. At most `limit` calls in any window-long span.
    #[test]
    fn no_window_long_span_holds_more_than_the_limit_wherever_the_minute_starts() {
        let w = CallWindow::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        // Three calls at 50 s (near the end of a minute on some clock), then at 70 s: a window
        // that restarts on the minute would allow three more; 60 s after 50 s has not passed.
        for _ in 0..3 {
            assert!(w.take_at(at(50)).is_ok());
        }
        let wait = w.take_at(at(70)).expect_err("three calls within the last 60 s");
        assert_eq!(wait, Duration::from_secs(40) + Duration::from_millis(1));
        assert!(w.take_at(at(110)).is_ok(), "60 s after the burst one call is free again");
        assert!(w.take_at(at(110)).is_ok());
        assert!(w.take_at(at(110)).is_ok());
        assert!(w.take_at(at(111)).is_err(), "the calls at 110 s fill the window again");
        // Over a long run the rate is the full limit per window.
        let w = CallWindow::new(10, Duration::from_secs(60));
        let taken = (0..600).filter(|i| w.take_at(at(*i)).is_ok()).count();
        assert_eq!(taken, 100, "ten windows of ten calls in 600 s");
    }
}
