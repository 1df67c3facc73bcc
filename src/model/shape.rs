//! What Outpost found of the org's shape and how each stream ended: the types the org report,
//! the sync summary and the stored run history share.

use super::Stream;
use crate::error::ErrorPayload;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One field of an object, as describe reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldInfo {
    pub name: String,
    pub label: String,
    /// Upper case: STRING, NUMBER, LOOKUP, PICKLIST, DATE…; empty when describe gave none.
    pub data_type: String,
    /// For a lookup: the object it points into.
    pub lookup_to: Option<String>,
}

/// How a role found its field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Matched {
    /// A candidate API name.
    Name,
    /// A candidate label.
    Label,
    /// The admin's choice in the sync settings.
    Setting,
    /// Not described (describe could not be read): the usual API name, assumed.
    Assumed,
    /// The org has no field for it.
    Missing,
    /// Described, but Gainsight refused to read it (field permissions).
    Refused,
}

/// One role of a stream and the field the org gave it, for the org report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct RoleMatch {
    pub role: String,
    pub label: String,
    pub needed: bool,
    /// What is selected for it (`Csm__gr.Email`); none when missing.
    pub field: Option<String>,
    /// The field's label in the org.
    pub field_label: Option<String>,
    pub matched: Matched,
}

/// How one stream of a run ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StreamResult {
    /// Read through; its rows are in the cache.
    #[default]
    Ok,
    /// Could not be read (its error says why); its cursor stays, so the next run retries it.
    Failed,
    /// The org or subscription lacks it (an object, a needed field, an API): nothing to read.
    Skipped,
    /// Waits for the admin to choose its object (usage).
    NotSetUp,
    Cancelled,
}

impl StreamResult {
    pub fn name(self) -> &'static str {
        match self {
            StreamResult::Ok => "ok",
            StreamResult::Failed => "failed",
            StreamResult::Skipped => "skipped",
            StreamResult::NotSetUp => "not_set_up",
            StreamResult::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> StreamResult {
        match s {
            "ok" => StreamResult::Ok,
            "skipped" => StreamResult::Skipped,
            "not_set_up" => StreamResult::NotSetUp,
            "cancelled" => StreamResult::Cancelled,
            _ => StreamResult::Failed,
        }
    }
}

/// One stream's part of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct StreamOutcome {
    pub stream: Stream,
    /// The object (CS) or API path (PX) it reads.
    pub object: Option<String>,
    pub outcome: StreamResult,
    pub records: u64,
    pub error: Option<ErrorPayload>,
    /// What the admin should know though it went through (fields the org lacks, say).
    pub notices: Vec<String>,
}
