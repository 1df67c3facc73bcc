//! Retries for transient failures only (timeouts, resets, 429, 5xx), with capped, jittered
//! exponential backoff from `backon`. A 429 waits for `Retry-After` when given, else for the rate
//! window to reset. Auth and validation errors are never retried.

use super::error::ApiError;
use crate::error::ErrorKind;
use backon::{BackoffBuilder, ExponentialBuilder};
use serde::Serialize;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use ts_rs::TS;

/// Timeouts retried at most this often (each waited a whole timeout already).
const MAX_TIMEOUT_RETRIES: usize = 1;
/// A host that didn't answer at all is tried this many more times.
const MAX_OFFLINE_RETRIES: usize = 2;

/// A call about to be tried again, for the progress an admin watches: "retrying (2 of 5)…".
#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct Retrying {
    /// Which retry this is, from 1.
    pub attempt: u32,
    /// The most retries a failure of this kind gets.
    pub of: u32,
    /// Why the last attempt failed.
    pub kind: ErrorKind,
    /// How long until the retry, in milliseconds.
    pub wait_ms: u64,
}

type RetrySink = Arc<dyn Fn(&Retrying) + Send + Sync>;

tokio::task_local! {
    /// Told of each retry made while the future it is scoped to runs (see [`noting_retries`]).
    static ON_RETRY: RetrySink;
}

/// Runs `fut`, calling `on` for every retry its calls make (from the same task, between polls of
/// `fut`, so `on` may borrow what `fut` borrows).
pub async fn noting_retries<F: Future>(fut: F, on: impl Fn(&Retrying)) -> F::Output {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Retrying>();
    let sink: RetrySink = Arc::new(move |r: &Retrying| {
        let _ = tx.send(r.clone());
    });
    let fut = ON_RETRY.scope(sink, fut);
    tokio::pin!(fut);
    loop {
        tokio::select! {
            out = &mut fut => return out,
            Some(note) = rx.recv() => on(&note),
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: usize,
    pub min_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 5,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// One attempt: for a connection test, where the admin wants the answer now.
    pub fn none() -> Self {
        RetryPolicy { max_retries: 0, ..Self::default() }
    }

    /// Runs `op` until it succeeds, fails for a reason retrying cannot fix, or retries run out.
    /// `window_reset` says how long until the rate window resets, for a 429 without `Retry-After`.
    pub async fn run<T, F, Fut>(&self, window_reset: impl Fn() -> Duration, mut op: F) -> Result<T, ApiError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        let mut delays = ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_jitter()
            .with_max_times(self.max_retries)
            .build();
        let (mut timeouts, mut unanswered, mut retries) = (0usize, 0usize, 0usize);
        loop {
            match op().await {
                Ok(v) => return Ok(v),
                Err(e) if !e.is_transient() => return Err(e),
                Err(e) => {
                    // Each timeout already waited the whole timeout, and nothing answering at all
                    // (no network, nothing listening) rarely mends within seconds: those give up
                    // sooner than a busy server, so the admin hears in about two minutes, not six.
                    match e.kind {
                        ErrorKind::Timeout => timeouts += 1,
                        ErrorKind::Offline => unanswered += 1,
                        _ => {}
                    }
                    if timeouts > MAX_TIMEOUT_RETRIES.min(self.max_retries)
                        || unanswered > MAX_OFFLINE_RETRIES.min(self.max_retries)
                    {
                        return Err(e);
                    }
                    let Some(backoff) = delays.next() else { return Err(e) };
                    retries += 1;
                    let wait = match (e.kind, e.retry_after) {
                        (ErrorKind::RateLimited, Some(after)) => after,
                        (ErrorKind::RateLimited, None) => window_reset().max(backoff),
                        _ => backoff,
                    }
                    .min(Duration::from_secs(120));
                    let (attempt, of) = match e.kind {
                        ErrorKind::Timeout => (timeouts, MAX_TIMEOUT_RETRIES.min(self.max_retries)),
                        ErrorKind::Offline => (unanswered, MAX_OFFLINE_RETRIES.min(self.max_retries)),
                        _ => (retries, self.max_retries),
                    };
                    let note = Retrying {
                        attempt: attempt as u32,
                        of: of as u32,
                        kind: e.kind,
                        wait_ms: wait.as_millis() as u64,
                    };
                    let _ = ON_RETRY.try_with(|on| on(&note));
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn fast() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        }
    }

    #[tokio::test]
    async fn transient_errors_are_retried_until_success() {
        let calls = AtomicUsize::new(0);
        let r = fast()
            .run(
                || Duration::ZERO,
                || async {
                    match calls.fetch_add(1, Ordering::SeqCst) {
                        0 => Err(ApiError::new(ErrorKind::ServerError, "503", None)),
                        1 => Err(ApiError::new(ErrorKind::Timeout, "slow", None)),
                        _ => Ok(7),
                    }
                },
            )
            .await;
        assert_eq!(r.ok(), Some(7));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn auth_errors_are_never_retried_and_retries_are_capped() {
        let calls = AtomicUsize::new(0);
        let r: Result<(), _> = fast()
            .run(
                || Duration::ZERO,
                || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Err(ApiError::new(ErrorKind::InvalidKey, "401", None))
                },
            )
            .await;
        assert_eq!(r.expect_err("fails").kind, ErrorKind::InvalidKey);
        assert_eq!(calls.load(Ordering::SeqCst), 1, "a bad key is not retried");

        let calls = AtomicUsize::new(0);
        let _ = fast()
            .run(
                || Duration::ZERO,
                || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Err::<(), _>(ApiError::new(ErrorKind::ServerError, "500", None))
                },
            )
            .await;
        assert_eq!(calls.load(Ordering::SeqCst), 4, "one attempt and three retries");
    }

    #[tokio::test]
    async fn timeouts_and_silence_give_up_sooner_than_server_errors() {
        for (kind, attempts) in
            [(ErrorKind::Timeout, 2), (ErrorKind::Offline, 3), (ErrorKind::ServerError, 4)]
        {
            let calls = AtomicUsize::new(0);
            let _ = fast()
                .run(
                    || Duration::ZERO,
                    || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        Err::<(), _>(ApiError::new(kind, "x", None))
                    },
                )
                .await;
            assert_eq!(calls.load(Ordering::SeqCst), attempts, "{kind:?}");
        }
    }

    #[tokio::test]
    async fn each_retry_is_told_with_its_number_and_the_most_it_gets() {
        let calls = AtomicUsize::new(0);
        let notes = std::sync::Mutex::new(Vec::new());
        let r = noting_retries(
            fast().run(
                || Duration::ZERO,
                || async {
                    match calls.fetch_add(1, Ordering::SeqCst) {
                        0 | 1 => Err(ApiError::new(ErrorKind::ServerError, "503", None)),
                        2 => Err(ApiError::new(ErrorKind::Offline, "refused", None)),
                        _ => Ok(()),
                    }
                },
            ),
            |n| notes.lock().expect("lock").push((n.attempt, n.of, n.kind)),
        )
        .await;
        assert!(r.is_ok());
        assert_eq!(
            notes.into_inner().expect("lock"),
            [(1, 3, ErrorKind::ServerError), (2, 3, ErrorKind::ServerError), (1, 2, ErrorKind::Offline)],
            "one note per retry, numbered within its kind's allowance"
        );
        // Outside `noting_retries` a retry is told to no one, and still made.
        let calls = AtomicUsize::new(0);
        let r = fast()
            .run(
                || Duration::ZERO,
                || async {
                    if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                        Err(ApiError::new(ErrorKind::ServerError, "503", None))
                    } else {
                        Ok(())
                    }
                },
            )
            .await;
        assert!(r.is_ok());
    }

    #[tokio::test]
    async fn a_429_waits_for_retry_after() {
        let calls = AtomicUsize::new(0);
        let start = std::time::Instant::now();
        let _ = fast()
            .run(
                || Duration::ZERO,
                || async {
                    if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                        let mut e = ApiError::new(ErrorKind::RateLimited, "429", None);
                        e.retry_after = Some(Duration::from_millis(150));
                        Err(e)
                    } else {
                        Ok(())
                    }
                },
            )
            .await;
        assert!(start.elapsed() >= Duration::from_millis(150), "Retry-After is honoured");
    }
}
