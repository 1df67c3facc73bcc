//! The words the core, the CLI and the UI share: enumerations where the storage keeps text. Each
//! serializes as its storage code (`"cs"`, `"access_key"`, `"15m"`, `"band_changed"`…), so the
//! generated TypeScript has string unions, the database keeps its values, and the JSON of the CLI
//! its words. Each compares equal to its code as text, for readable assertions.

pub mod shape;

use crate::error::{Error, ErrorKind, Result};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Declares an enumeration with its storage codes: serde, text round trip, SQL and `== "code"`.
macro_rules! coded {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $code)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The storage code.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            /// The value a storage code stands for.
            pub fn from_code(code: &str) -> Option<$name> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.code())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.code() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.code() == *other
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.code()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                $name::from_code(text).ok_or_else(|| FromSqlError::Other(format!("unknown {}: {text}", stringify!($name)).into()))
            }
        }
    };
}

coded! {
    /// Which Gainsight product a connection is to.
    ConnectionKind { Cs = "cs", Px = "px" }
}

coded! {
    /// How a connection authenticates.
    AuthMode { AccessKey = "access_key", M2m = "m2m", ApiKey = "api_key" }
}

impl AuthMode {
    /// What the admin reads: `Access Key`, `M2M OAuth`, `API Key`.
    pub fn label(self) -> &'static str {
        match self {
            AuthMode::AccessKey => "Access Key",
            AuthMode::M2m => "M2M OAuth",
            AuthMode::ApiKey => "API Key",
        }
    }
}

coded! {
    /// How a sync run ended (or that it is still running).
    SyncOutcome {
        Running = "running",
        /// Every stream read.
        Ok = "ok",
        /// Some streams read, others failed or were skipped.
        Partial = "partial",
        /// Nothing could be read.
        Failed = "failed",
        Cancelled = "cancelled",
        /// The process stopped mid-sync.
        Interrupted = "interrupted",
    }
}

coded! {
    /// How often a connection syncs by itself.
    Frequency { Manual = "manual", Every15Minutes = "15m", Hourly = "1h", Every4Hours = "4h", Daily = "24h" }
}

impl Frequency {
    /// The interval; `None` for manual only.
    pub fn interval(self) -> Option<chrono::Duration> {
        match self {
            Frequency::Manual => None,
            Frequency::Every15Minutes => Some(chrono::Duration::minutes(15)),
            Frequency::Hourly => Some(chrono::Duration::hours(1)),
            Frequency::Every4Hours => Some(chrono::Duration::hours(4)),
            Frequency::Daily => Some(chrono::Duration::hours(24)),
        }
    }

    pub fn parse(text: &str) -> Result<Frequency> {
        Frequency::from_code(text.trim()).ok_or_else(|| {
            Error::new(ErrorKind::InvalidInput, format!("Unknown sync frequency \"{text}\"."))
                .with_hint("Use manual, 15m, 1h, 4h or 24h.")
        })
    }
}

coded! {
    /// An object group the admin turns on or off in the sync settings.
    ObjectGroup { Companies = "companies", Ctas = "ctas", HealthScores = "health_scores", Usage = "usage" }
}

impl ObjectGroup {
    /// Parses a list of group names (as the CLI's `--objects` and the settings take them); an
    /// unknown one is refused, never silently skipped.
    pub fn parse_list<S: AsRef<str>>(names: &[S]) -> Result<Vec<ObjectGroup>> {
        names
            .iter()
            .map(|n| {
                ObjectGroup::from_code(n.as_ref().trim()).ok_or_else(|| {
                    Error::new(ErrorKind::InvalidInput, format!("Unknown object group \"{}\".", n.as_ref()))
                        .with_hint("Use companies, ctas, health_scores or usage.")
                })
            })
            .collect()
    }
}

coded! {
    /// A notable move of an account's health that a sync raises (see [`crate::insights::attention`]).
    AlertKind {
        /// The latest week's band is lower than the week before's.
        BandDropped = "band_dropped",
        /// The score fell week after week, the set number of weeks in a row.
        Declining = "declining",
        /// Usage fell by more than the set share over 30 days.
        UsageDown = "usage_down",
        /// Renews within the set window with a Poor score.
        RenewalPoor = "renewal_poor",
    }
}

coded! {
    /// Where an alert stands: open, dismissed by the admin (still open underneath), or resolved
    /// because its condition no longer holds.
    AlertState { Open = "open", Dismissed = "dismissed", Resolved = "resolved" }
}

coded! {
    /// How much a failed data-quality check matters.
    Severity { Info = "info", Warning = "warning", Error = "error" }
}

coded! {
    /// What a change-log entry says moved.
    ChangeKind {
        BandChanged = "band_changed",
        CtaOpened = "cta_opened",
        CtaClosed = "cta_closed",
        CompanyAdded = "company_added",
        CompanyRemoved = "company_removed",
        PxAccountAdded = "px_account_added",
        PxAccountRemoved = "px_account_removed",
        PxHealthChanged = "px_health_changed",
    }
}

coded! {
    /// A stream of a sync: the CS streams, the deletes step, and the PX streams.
    Stream {
        ScoreBands = "score_bands",
        Companies = "companies",
        Ctas = "ctas",
        MeasureScores = "measure_scores",
        ScoreHistory = "score_history",
        Usage = "usage",
        Deletes = "deletes",
        PxAccounts = "px_accounts",
        PxUsers = "px_users",
        PxFeatures = "px_features",
        PxFeatureUsage = "px_feature_usage",
    }
}

impl Stream {
    /// What the admin calls it.
    pub fn label(self) -> &'static str {
        match self {
            Stream::ScoreBands => "Score bands",
            Stream::Companies => "Companies",
            Stream::Ctas => "CTAs",
            Stream::MeasureScores => "Scorecard measures",
            Stream::ScoreHistory => "Score history",
            Stream::Usage => "Usage",
            Stream::Deletes => "Deletes",
            Stream::PxAccounts => "PX accounts",
            Stream::PxUsers => "PX users",
            Stream::PxFeatures => "PX features",
            Stream::PxFeatureUsage => "PX feature usage",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_text_serde_and_sql() {
        let conn = rusqlite::Connection::open_in_memory().expect("db");
        for f in Frequency::ALL {
            assert_eq!(Frequency::from_code(f.code()), Some(*f));
            let json = serde_json::to_string(f).expect("json");
            assert_eq!(json, format!("\"{}\"", f.code()));
            let back: Frequency = conn.query_row("SELECT ?1", [f], |r| r.get(0)).expect("sql");
            assert_eq!(back, *f);
        }
        assert!(ObjectGroup::parse_list(&["companies", "ctas"]).is_ok());
        let e = ObjectGroup::parse_list(&["invoices"]).expect_err("unknown");
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert_eq!(SyncOutcome::Partial, "partial");
        let bad: rusqlite::Result<ChangeKind> = conn.query_row("SELECT 'nope'", [], |r| r.get(0));
        assert!(bad.is_err(), "an unknown code is an error, not a default");
    }
}
