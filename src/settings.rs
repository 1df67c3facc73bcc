//! Sync settings and custom field mappings per connection, and discovery of the fields an admin
//! can map (from CS describe).

use crate::db::db_err;
use crate::db::settings::{self, FieldMapping, SyncSettings};
use crate::error::{Error, ErrorKind, Result};
use crate::outpost::Outpost;
use crate::sync::plan::StreamKind;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

/// Where a rewound companies cursor points: before any Gainsight record was modified, so the next
/// sync reads every company again.
const REREAD_FROM: &str = "2000-01-01T00:00:00.000Z";

/// What saving a field mapping did.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct MappingSaved {
    /// The fields now mapped, in label order.
    pub mapped: Vec<FieldMapping>,
    /// API names mapped now that were not before.
    pub added: Vec<String>,
    /// The next sync reads every company again to fetch the added fields. False when nothing was
    /// added, or when no sync has read companies yet (the first one reads them all anyway).
    pub reread_all: bool,
}

impl Outpost {
    pub fn sync_settings(&self, id_or_name: &str) -> Result<SyncSettings> {
        let card = self.connection(id_or_name)?;
        let s = settings::get(&*self.db()?, &card.id)?;
        Ok(SyncSettings { cs_calls_per_day: self.budget.day_limit(&card.id)?, ..s })
    }

    pub fn set_sync_settings(&self, id_or_name: &str, s: &SyncSettings) -> Result<SyncSettings> {
        let card = self.connection(id_or_name)?;
        if !(1..=100).contains(&s.cs_calls_per_minute) {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "CS calls per minute must be 1 to 100 (the org's limit).",
            )
            .with_hint("60 leaves room for the org's other integrations."));
        }
        // Object names go into request paths: API names only (letters, digits, underscores).
        for name in [&s.fact_object, &s.history_object, &s.usage_object] {
            if !is_api_name(name) {
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    format!("\"{name}\" is not an object's API name."),
                )
                .with_hint(
                    "Use the API name from Gainsight's object list, such as company_scorecard_fact.",
                ));
            }
        }
        if !(1..=190).contains(&s.backfill_days) {
            return Err(Error::new(ErrorKind::InvalidInput, "The backfill period must be 1 to 190 days."));
        }
        crate::budget::meter::check_calls_per_day(s.cs_calls_per_day)?;
        {
            // Another object under a stream: the cached rows and the cursor belong to the old one,
            // so they go, and the next sync reads the new object whole.
            let old = settings::get(&*self.db()?, &card.id)?;
            let moved: Vec<(StreamKind, &str)> = [
                (&old.fact_object, &s.fact_object, StreamKind::MeasureScores, "measure_scores"),
                (&old.history_object, &s.history_object, StreamKind::ScoreHistory, "score_history"),
                (&old.usage_object, &s.usage_object, StreamKind::Usage, "usage_weekly"),
            ]
            .into_iter()
            .filter(|(before, after, ..)| !before.eq_ignore_ascii_case(after))
            .map(|(.., stream, table)| (stream, table))
            .collect();
            // Not while a sync writes those tables.
            let _no_sync = match moved.is_empty() {
                true => None,
                false => Some(self.try_sync_lock(&card.id)?.ok_or_else(|| {
                    Error::new(ErrorKind::Conflict, format!("A sync of {} is running.", card.name))
                        .with_hint("Change the objects when it has finished.")
                })?),
            };
            let mut db = self.db()?;
            let tx = db.transaction().map_err(db_err)?;
            for (stream, table) in moved {
                crate::db::cursors::reset_cursor(&tx, &card.id, stream.name())?;
                tx.execute(&format!("DELETE FROM {table} WHERE connection_id = ?1"), [&card.id])
                    .map_err(db_err)?;
            }
            settings::put(&tx, &card.id, s)?;
            tx.commit().map_err(db_err)?;
        }
        self.budget.set_day_limit(&card.id, s.cs_calls_per_day)?;
        let last = self
            .sync_history(Some(&card.id), 1)?
            .first()
            .and_then(|r| chrono::DateTime::parse_from_rfc3339(&r.started_at).ok());
        self.update_next_sync(
            &card.id,
            last.map_or_else(chrono::Utc::now, |t| t.with_timezone(&chrono::Utc)),
        )?;
        self.sync_settings(&card.id)
    }

    pub fn field_mappings(&self, id_or_name: &str, object: &str) -> Result<Vec<FieldMapping>> {
        let card = self.connection(id_or_name)?;
        settings::mappings(&*self.db()?, &card.id, object)
    }

    /// Replaces the mapped custom fields of `object`; the next sync fetches and stores them. Companies
    /// are read incrementally, so when a field is added after a sync the companies stream is rewound:
    /// the next sync reads every company again (as an incremental read, so changes are still logged).
    pub fn set_field_mappings(
        &self,
        id_or_name: &str,
        object: &str,
        fields: &[FieldMapping],
    ) -> Result<MappingSaved> {
        let card = self.connection(id_or_name)?;
        if card.kind != "cs" {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("{} is not a Gainsight CS connection.", card.name),
            )
            .with_hint("Custom fields are mapped on CS connections."));
        }
        // Held while saving, so no sync (here or in another process) starts or runs meanwhile.
        let _no_sync = self.try_sync_lock(&card.id)?.ok_or_else(|| {
            Error::new(ErrorKind::Conflict, format!("A sync of {} is running.", card.name))
                .with_hint("Save the mapping when it has finished: a running sync reads the fields mapped when it started.")
        })?;
        if let Some(bad) = fields.iter().find(|f| !is_api_name(&f.field_name)) {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("\"{}\" is not a field name.", bad.field_name),
            ));
        }
        let mut db = self.db()?;
        let tx = db.transaction().map_err(db_err)?;
        let before = settings::mappings(&tx, &card.id, object)?;
        settings::set_mappings(&tx, &card.id, object, fields)?;
        let added: Vec<String> = fields
            .iter()
            .filter(|f| !before.iter().any(|b| b.field_name == f.field_name))
            .map(|f| f.field_name.clone())
            .collect();
        let stream = StreamKind::Companies.name();
        let reread_all = object == "company"
            && !added.is_empty()
            && crate::db::cursors::get_cursor(&tx, &card.id, stream)?.modified_to.is_some();
        if reread_all {
            crate::db::cursors::rewind_cursor(&tx, &card.id, stream, REREAD_FROM)?;
        }
        let mapped = settings::mappings(&tx, &card.id, object)?;
        tx.commit().map_err(db_err)?;
        Ok(MappingSaved { mapped, added, reread_all })
    }

    /// The fields of a CS object that can be mapped, from describe: custom (`__gc`) fields first.
    pub async fn mappable_fields(&self, id_or_name: &str, object: &str) -> Result<Vec<FieldMapping>> {
        let card = self.connection(id_or_name)?;
        let client = self.cs_client(&card).await?;
        let data = match client.meta(&format!("/v1/meta/services/objects/{object}/describe?idd=true")).await {
            Ok(data) => {
                // The key works again (updated in Gainsight's favour, say): the card says so.
                if card.status == crate::connections::ConnectionStatus::NeedsAttention {
                    crate::db::connections::set_status(&*self.db()?, &card.id, "connected", None)?;
                }
                data
            }
            Err(e) => {
                // A rejected key is news for the card, whichever call found it.
                if e.kind == ErrorKind::InvalidKey {
                    let reason = Some(crate::connections::KEY_REJECTED);
                    crate::db::connections::set_status(&*self.db()?, &card.id, "needs_attention", reason)?;
                }
                return Err(e.into());
            }
        };
        // What describe said is kept: the next sync selects from it.
        let described = crate::sync::roles::parse_describe(&data.data);
        if !described.is_empty() {
            let at = crate::gainsight::record::iso(self.now());
            crate::db::org::put_fields(&*self.db()?, &card.id, object, &at, &described)?;
        }
        let fields = data
            .records()
            .first()
            .and_then(|o| o.get("fields"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut out: Vec<FieldMapping> = fields
            .iter()
            .filter_map(|f| {
                Some(FieldMapping {
                    object: object.to_string(),
                    field_name: f.get("fieldName")?.as_str()?.to_string(),
                    label: f.get("label").and_then(Value::as_str).unwrap_or_default().to_string(),
                    data_type: f.get("dataType").and_then(Value::as_str).unwrap_or("STRING").to_string(),
                })
            })
            .filter(|f| !matches!(f.data_type.as_str(), "LOOKUP" | "GSID" | "JSON" | "RICHTEXTAREA"))
            .collect();
        out.sort_by_key(|f| (!f.field_name.ends_with("__gc"), f.label.to_lowercase()));
        Ok(out)
    }
}

/// A Gainsight API name: letters, digits and underscores (`Region__gc`, `company_scorecard_fact`).
fn is_api_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A change to some of a connection's sync settings, as text the admin typed (the CLI's flags);
/// what is `None` or empty stays as it is.
#[derive(Clone, Debug, Default)]
pub struct SettingsPatch {
    pub frequency: Option<String>,
    pub objects: Option<Vec<String>>,
    pub calls_per_minute: Option<i64>,
    pub calls_per_day: Option<i64>,
    pub backfill_days: Option<i64>,
    /// `FACT,HISTORY`.
    pub scorecard_objects: Option<String>,
    pub usage_object: Option<String>,
    /// `STREAM.ROLE=FIELD`: the field that holds a role.
    pub set_fields: Vec<String>,
    /// `STREAM.ROLE`: back to matching from describe.
    pub clear_fields: Vec<String>,
}

impl SettingsPatch {
    fn changes_settings(&self) -> bool {
        self.frequency.is_some()
            || self.objects.is_some()
            || self.calls_per_minute.is_some()
            || self.calls_per_day.is_some()
            || self.backfill_days.is_some()
            || self.scorecard_objects.is_some()
            || self.usage_object.is_some()
    }
}

/// `STREAM.ROLE` → (stream, role).
fn stream_role(text: &str) -> Result<(&str, &str)> {
    text.trim().split_once('.').ok_or_else(|| {
        Error::new(ErrorKind::InvalidInput, format!("\"{text}\" is not STREAM.ROLE."))
            .with_hint("For example companies.arr; `outpost doctor NAME` lists the roles.")
    })
}

impl Outpost {
    /// Applies a patch to the sync settings (parsed and checked here, for the CLI and any other
    /// caller alike) and returns the settings in force.
    pub fn patch_sync_settings(&self, id_or_name: &str, patch: &SettingsPatch) -> Result<SyncSettings> {
        for set in &patch.set_fields {
            let (target, field) = set.split_once('=').ok_or_else(|| {
                Error::new(ErrorKind::InvalidInput, format!("--field {set}: expected STREAM.ROLE=FIELD."))
            })?;
            let (stream, role) = stream_role(target)?;
            self.set_field_role(id_or_name, stream, role, Some(field.trim()))?;
        }
        for clear in &patch.clear_fields {
            let (stream, role) = stream_role(clear)?;
            self.set_field_role(id_or_name, stream, role, None)?;
        }
        let mut s = self.sync_settings(id_or_name)?;
        if !patch.changes_settings() {
            return Ok(s);
        }
        if let Some(f) = &patch.frequency {
            s.frequency = crate::model::Frequency::parse(f)?;
        }
        if let Some(objects) = &patch.objects {
            s.objects = crate::model::ObjectGroup::parse_list(objects)?;
        }
        if let Some(pair) = &patch.scorecard_objects {
            let (fact, history) = pair
                .split_once(',')
                .map(|(f, h)| (f.trim().to_string(), h.trim().to_string()))
                .filter(|(f, h)| !f.is_empty() && !h.is_empty())
                .ok_or_else(|| {
                    Error::new(ErrorKind::InvalidInput, "--scorecard-objects takes two names: FACT,HISTORY.")
                })?;
            (s.fact_object, s.history_object) = (fact, history);
        }
        if let Some(object) = &patch.usage_object {
            s.usage_object = object.trim().to_string();
        }
        s.cs_calls_per_minute = patch.calls_per_minute.unwrap_or(s.cs_calls_per_minute);
        s.cs_calls_per_day = patch.calls_per_day.unwrap_or(s.cs_calls_per_day);
        s.backfill_days = patch.backfill_days.unwrap_or(s.backfill_days);
        self.set_sync_settings(id_or_name, &s)
    }

    /// Maps the fields named (API names, any case) from what describe offers for `object`; a name
    /// it doesn't offer is refused. Returns what was offered and what is mapped now.
    pub async fn map_fields_by_name(
        &self,
        id_or_name: &str,
        object: &str,
        names: Option<&[String]>,
    ) -> Result<(Vec<FieldMapping>, Vec<FieldMapping>)> {
        let offered = self.mappable_fields(id_or_name, object).await?;
        if let Some(wanted) = names {
            let mut chosen = Vec::new();
            for f in wanted.iter().filter(|f| !f.is_empty()) {
                let found =
                    offered.iter().find(|o| o.field_name.eq_ignore_ascii_case(f)).ok_or_else(|| {
                        Error::new(
                            ErrorKind::InvalidInput,
                            format!("{object} has no mappable field \"{f}\"."),
                        )
                        .with_hint("List them with `outpost fields NAME`.")
                    })?;
                chosen.push(found.clone());
            }
            self.set_field_mappings(id_or_name, object, &chosen)?;
        }
        let mapped = self.field_mappings(id_or_name, object)?;
        Ok((offered, mapped))
    }
}
