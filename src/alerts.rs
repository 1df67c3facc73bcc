//! Which scheduled-sync problems deserve a desktop notification: one per problem, not one per
//! retry. A problem is a connection failing with a kind of error; it stays announced until that
//! connection syncs again, so the scheduler retrying every tick stays quiet.

use crate::error::ErrorKind;
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
}
