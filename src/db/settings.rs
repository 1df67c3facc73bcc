//! Per-connection sync settings and custom field mappings.

use super::db_err;
use crate::error::Result;
use crate::model::{Frequency, ObjectGroup};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct SyncSettings {
    /// Object groups to sync (companies are always synced).
    pub objects: Vec<ObjectGroup>,
    pub frequency: Frequency,
    pub backfill_days: i64,
    /// API names that vary by org: the scorecard fact and history objects, the usage object.
    pub fact_object: String,
    pub history_object: String,
    pub usage_object: String,
    /// How many of the org's 100 CS calls per minute Outpost may use (others share the limit).
    pub cs_calls_per_minute: i64,
    /// The org's CS calls a day (its package's limit; 50,000 for most). Kept in the shared call
    /// budget file, not here: [`crate::Outpost::sync_settings`] fills it in.
    #[serde(default = "default_calls_per_day")]
    pub cs_calls_per_day: i64,
    /// The admin's choice of field per role, by stream: `{"companies": {"arr": "Arr__gc"}}`. Roles
    /// not named here are matched from the org's describe.
    #[serde(default)]
    pub field_roles: BTreeMap<String, BTreeMap<String, String>>,
}

fn default_calls_per_day() -> i64 {
    crate::budget::DEFAULT_CALLS_PER_DAY
}

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings {
            objects: ObjectGroup::ALL.to_vec(),
            frequency: Frequency::Manual,
            backfill_days: 30,
            fact_object: "company_scorecard_fact".into(),
            history_object: "company_scorecard_history".into(),
            usage_object: "product_usage__gc".into(),
            cs_calls_per_minute: 60,
            cs_calls_per_day: default_calls_per_day(),
            field_roles: BTreeMap::new(),
        }
    }
}

pub fn get(conn: &Connection, cid: &str) -> Result<SyncSettings> {
    let row = conn
        .query_row(
            "SELECT objects, frequency, backfill_days, fact_object, history_object, usage_object, cs_calls_per_minute,
                field_roles
             FROM sync_settings WHERE connection_id = ?1",
            [cid],
            |r| {
                let objects: String = r.get(0)?;
                Ok(SyncSettings {
                    objects: serde_json::from_str(&objects).unwrap_or_default(),
                    frequency: r.get(1)?,
                    backfill_days: r.get(2)?,
                    fact_object: r.get(3)?,
                    history_object: r.get(4)?,
                    usage_object: r.get(5)?,
                    cs_calls_per_minute: r.get(6)?,
                    cs_calls_per_day: default_calls_per_day(),
                    field_roles: serde_json::from_str(&r.get::<_, String>(7)?).unwrap_or_default(),
                })
            },
        )
        .optional()
        .map_err(db_err)?;
    Ok(row.unwrap_or_default())
}

pub fn put(conn: &Connection, cid: &str, s: &SyncSettings) -> Result<()> {
    let objects = serde_json::to_string(&s.objects).unwrap_or_else(|_| "[]".into());
    let roles = serde_json::to_string(&s.field_roles).unwrap_or_else(|_| "{}".into());
    conn.execute(
        "INSERT INTO sync_settings (connection_id, objects, frequency, backfill_days, fact_object, history_object, usage_object,
            cs_calls_per_minute, field_roles)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (connection_id) DO UPDATE SET objects = excluded.objects, frequency = excluded.frequency,
            backfill_days = excluded.backfill_days, fact_object = excluded.fact_object,
            history_object = excluded.history_object, usage_object = excluded.usage_object,
            cs_calls_per_minute = excluded.cs_calls_per_minute, field_roles = excluded.field_roles",
        params![
            cid, objects, s.frequency, s.backfill_days, s.fact_object, s.history_object, s.usage_object,
            s.cs_calls_per_minute, roles
        ],
    )
    .map_err(db_err)?;
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct FieldMapping {
    pub object: String,
    pub field_name: String,
    pub label: String,
    pub data_type: String,
}

pub fn mappings(conn: &Connection, cid: &str, object: &str) -> Result<Vec<FieldMapping>> {
    let mut stmt = conn
        .prepare(
            "SELECT object, field_name, label, data_type FROM field_mappings WHERE connection_id = ?1 AND object = ?2
             ORDER BY label",
        )
        .map_err(db_err)?;
    let rows = stmt
        .query_map(params![cid, object], |r| {
            Ok(FieldMapping {
                object: r.get(0)?,
                field_name: r.get(1)?,
                label: r.get(2)?,
                data_type: r.get(3)?,
            })
        })
        .map_err(db_err)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db_err)
}

/// Replaces the mappings of one object.
pub fn set_mappings(conn: &Connection, cid: &str, object: &str, fields: &[FieldMapping]) -> Result<()> {
    conn.execute("DELETE FROM field_mappings WHERE connection_id = ?1 AND object = ?2", params![cid, object])
        .map_err(db_err)?;
    for f in fields {
        conn.execute(
            "INSERT INTO field_mappings (connection_id, object, field_name, label, data_type) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![cid, object, f.field_name, f.label, f.data_type],
        )
        .map_err(db_err)?;
    }
    Ok(())
}
