//! Which scheduled-sync problems deserve a desktop notification: one per problem, not one per
//! retry. A problem is a connection failing with a kind of error; it stays announced until that
//! connection syncs again, so the scheduler retrying every tick stays quiet.

use crate::error::ErrorKind;
use crate::model::SyncOutcome;
use crate::sync::SyncSummary;
use std::collections::HashMap;

/// What a notification says about a problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    pub title: String,
    pub body: String,
}

#[derive(Debug, Default)]
pub struct Alerts {
    open: HashMap<String, ErrorKind>,
}

/// Errors the admin fixes with the key: Update key on the card, or unlocking the keychain.
fn needs_the_key(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::InvalidKey | ErrorKind::Forbidden | ErrorKind::NoKeychain | ErrorKind::KeychainError
    )
}

impl Alerts {
    /// A scheduled sync of `connection` (its display name) failed: the alert to show, or `None`
    /// when this problem was already announced.
    pub fn failed(&mut self, id: &str, connection: &str, kind: ErrorKind, message: &str) -> Option<Alert> {
        if self.open.insert(id.to_string(), kind) == Some(kind) {
            return None;
        }
        let title = if needs_the_key(kind) {
            format!("{connection}: the key needs attention")
        } else {
            format!("{connection}: scheduled sync failed")
        };
        Some(Alert { title, body: message.to_string() })
    }

    /// A sync of the connection finished: its problem is over, and a new failure is news again.
    pub fn recovered(&mut self, id: &str) {
        self.open.remove(id);
    }

    /// A scheduled sync ended with a summary. A run that read nothing (offline, a rejected key)
    /// still ends with a summary, and is a problem like an error before one; a run that read
    /// something ends the problem; a cancelled one changes nothing.
    pub fn finished(&mut self, summary: &SyncSummary) -> Option<Alert> {
        match summary.outcome {
            SyncOutcome::Failed => {
                let (kind, message) = match &summary.error {
                    Some(e) => (e.kind, e.message.as_str()),
                    None => (ErrorKind::Internal, "The sync read nothing."),
                };
                self.failed(&summary.connection_id, &summary.connection, kind, message)
            }
            SyncOutcome::Ok | SyncOutcome::Partial => {
                self.recovered(&summary.connection_id);
                None
            }
            SyncOutcome::Cancelled | SyncOutcome::Running | SyncOutcome::Interrupted => None,
        }
    }
}

/// The one notification a sync that raised health alerts gets ("3 new health alerts"), whether it
/// ran on schedule or by Sync now; `None` when it raised none.
pub fn new_health_alerts(summary: &SyncSummary) -> Option<Alert> {
    let title = match summary.new_alerts {
        0 => return None,
        1 => "1 new health alert".to_string(),
        n => format!("{n} new health alerts"),
    };
    Some(Alert { title, body: format!("{}: see Attention in Outpost.", summary.connection) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_alert_per_problem_not_per_retry() {
        let mut a = Alerts::default();
        let first = a.failed("c1", "Acme CS", ErrorKind::Offline, "No answer.").expect("a new problem");
        assert_eq!(first.title, "Acme CS: scheduled sync failed");
        assert_eq!(a.failed("c1", "Acme CS", ErrorKind::Offline, "No answer."), None, "a retry is quiet");
        assert_eq!(a.failed("c1", "Acme CS", ErrorKind::Offline, "Still none."), None, "same problem");
    }

    #[test]
    fn another_kind_or_connection_is_another_problem() {
        let mut a = Alerts::default();
        assert!(a.failed("c1", "Acme CS", ErrorKind::Offline, "x").is_some());
        let key = a.failed("c1", "Acme CS", ErrorKind::InvalidKey, "Rejected.").expect("the problem changed");
        assert_eq!(key.title, "Acme CS: the key needs attention");
        assert!(a.failed("c2", "Acme PX", ErrorKind::InvalidKey, "y").is_some(), "per connection");
    }

    #[test]
    fn after_a_sync_succeeds_the_same_failure_is_news_again() {
        let mut a = Alerts::default();
        assert!(a.failed("c1", "Acme CS", ErrorKind::Timeout, "x").is_some());
        a.recovered("c1");
        assert!(a.failed("c1", "Acme CS", ErrorKind::Timeout, "x").is_some());
    }

    fn summary(outcome: SyncOutcome, error: Option<(ErrorKind, &str)>) -> SyncSummary {
        SyncSummary {
            run_id: 1,
            connection_id: "c1".into(),
            connection: "Acme CS".into(),
            outcome,
            counts: Default::default(),
            deleted: 0,
            calls: 1,
            started_at: "2026-12-02T10:00:00Z".into(),
            finished_at: "2026-12-02T10:00:01Z".into(),
            error: error.map(|(kind, message)| crate::error::ErrorPayload {
                kind,
                message: message.into(),
                hint: None,
            }),
            notices: Vec::new(),
            streams: Vec::new(),
            new_alerts: 0,
        }
    }

    #[test]
    fn a_run_that_read_nothing_is_a_problem_and_one_that_read_ends_it() {
        let mut a = Alerts::default();
        let failed = summary(SyncOutcome::Failed, Some((ErrorKind::Offline, "Gainsight did not answer.")));
        let alert = a.finished(&failed).expect("a failed run is announced");
        assert_eq!(alert.title, "Acme CS: scheduled sync failed");
        assert_eq!(alert.body, "Gainsight did not answer.");
        assert_eq!(a.finished(&failed), None, "the next failing try is quiet");
        assert_eq!(
            a.failed("c1", "Acme CS", ErrorKind::Offline, "No answer."),
            None,
            "an error before a summary is the same problem"
        );
        assert_eq!(a.finished(&summary(SyncOutcome::Cancelled, None)), None);
        assert_eq!(a.finished(&failed), None, "a cancelled run does not end the problem");
        assert_eq!(a.finished(&summary(SyncOutcome::Partial, None)), None, "a partial run read something");
        assert!(a.finished(&failed).is_some(), "after it, a failure is news again");
        let key = summary(SyncOutcome::Failed, Some((ErrorKind::InvalidKey, "Rejected.")));
        assert_eq!(a.finished(&key).map(|a| a.title), Some("Acme CS: the key needs attention".to_string()));
    }

    #[test]
    fn new_health_alerts_are_told_once_per_sync_with_their_count() {
        let mut run = summary(SyncOutcome::Ok, None);
        assert_eq!(new_health_alerts(&run), None, "a sync that raised nothing is quiet");
        run.new_alerts = 1;
        assert_eq!(new_health_alerts(&run).map(|a| a.title), Some("1 new health alert".to_string()));
        run.new_alerts = 3;
        let alert = new_health_alerts(&run).expect("three alerts are news");
        assert_eq!(alert.title, "3 new health alerts");
        assert_eq!(alert.body, "Acme CS: see Attention in Outpost.", "the body names the connection");
    }
}
