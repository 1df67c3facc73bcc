//! Shared call budgets, one per connection, so that every stream of a sync together stays under
//! Gainsight's limits and a well-behaved sync never sees a 429.
//!
//! CS counts calls in a fixed calendar-minute window (100 per minute, shared by every integration
//! of the org). [`FixedWindow`] mirrors that exactly: N calls per aligned window, then wait for the
//! next one. This is hand-written because token-bucket/GCRA limiters such as `governor` refill
//! continuously and cannot promise "at most N per calendar minute" without cutting the burst so far
//! that throughput halves. PX allows about 200 requests per second with no documented window, a
//! fit for `governor`'s GCRA limiter, which [`PxBudget`] wraps.

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The share of the org's 100 calls per minute Outpost uses by default, leaving room for the
/// org's other integrations.
pub const DEFAULT_CS_CALLS_PER_MINUTE: u32 = 60;

#[derive(Debug)]
pub struct FixedWindow {
    limit: u32,
    window: Duration,
    state: Mutex<(u64, u32)>,
}

fn since_epoch() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

impl FixedWindow {
    pub fn new(limit: u32, window: Duration) -> Self {
        FixedWindow {
            limit: limit.max(1),
            window: window.max(Duration::from_millis(10)),
            state: Mutex::new((0, 0)),
        }
    }

    pub fn per_minute(limit: u32) -> Self {
        Self::new(limit, Duration::from_secs(60))
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    fn index_at(&self, t: Duration) -> u64 {
        (t.as_millis() / self.window.as_millis()) as u64
    }

    /// Time until the current window ends (and a full budget is available again).
    pub fn until_next_window(&self) -> Duration {
        let t = since_epoch();
        let next = Duration::from_millis((self.index_at(t) + 1) * self.window.as_millis() as u64);
        next.saturating_sub(t)
    }

    /// Takes one call from the budget, or says how long to wait for the next window.
    pub fn try_take(&self) -> Result<(), Duration> {
        let t = since_epoch();
        let index = self.index_at(t);
        let Ok(mut s) = self.state.lock() else { return Ok(()) };
        if s.0 != index {
            *s = (index, 0);
        }
        if s.1 < self.limit {
            s.1 += 1;
            Ok(())
        } else {
            let next = Duration::from_millis((index + 1) * self.window.as_millis() as u64);
            Err(next.saturating_sub(t) + Duration::from_millis(5))
        }
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
    fn fixed_window_never_exceeds_its_limit_within_a_window() {
        let w = FixedWindow::new(3, Duration::from_secs(3600));
        let taken = (0..10).filter(|_| w.try_take().is_ok()).count();
        assert_eq!(taken, 3, "an hour-long window allows exactly the limit");
        assert!(w.try_take().expect_err("over").as_secs() <= 3600);
    }

    #[tokio::test]
    async fn acquire_waits_for_the_next_window() {
        let w = FixedWindow::new(2, Duration::from_millis(200));
        let start = std::time::Instant::now();
        for _ in 0..5 {
            w.acquire().await;
        }
        // Five calls at two per window need at least two window boundaries.
        assert!(start.elapsed() >= Duration::from_millis(200), "{:?}", start.elapsed());
    }
}
