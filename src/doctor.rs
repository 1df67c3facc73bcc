//! "What Outpost found in your org": per connection and stream, the object it reads, the field the
//! org gave each role (and which it lacks), the rows in the cache, and how the stream last ended.
//! Read offline from the cache; `refresh` describes every object again first. An admin can read it
//! out to Gainsight support.

use crate::db::db_err;
use crate::db::org::{self, StreamStatus};
use crate::db::settings::{self, SyncSettings};
use crate::error::{Error, ErrorKind, Result};
use crate::gainsight::record::iso;
use crate::model::Stream;
use crate::outpost::Outpost;
use crate::sync::plan::StreamKind;
use crate::sync::roles::{self, FieldInfo, Matched, RoleMatch};
use crate::sync::streams::{ObjectNames, object_of, roles_of};
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct OrgReport {
    pub connection_id: String,
    pub connection: String,
    pub kind: crate::model::ConnectionKind,
    pub instance: String,
    pub generated_at: String,
    pub streams: Vec<StreamReport>,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct StreamReport {
    pub stream: Stream,
    /// What the admin calls it: "Companies", "Score history".
    pub label: String,
    /// The CS object or PX API it reads.
    pub object: String,
    /// Whether the sync settings include it.
    pub enabled: bool,
    /// When its object was last described (CS).
    pub described_at: Option<String>,
    pub fields_described: Option<u64>,
    /// Each role and the org's field for it (CS).
    pub roles: Vec<RoleMatch>,
    /// Mapped custom fields the org no longer has.
    pub mapped_missing: Vec<String>,
    pub cached_rows: u64,
    pub last: Option<StreamStatus>,
}

const PX_STREAMS: [(Stream, &str, &str); 4] = [
    (Stream::PxAccounts, "/accounts", "px_accounts"),
    (Stream::PxUsers, "/users", "px_users"),
    (Stream::PxFeatures, "/feature", "px_features"),
    (Stream::PxFeatureUsage, "/events/feature_match", "px_feature_usage"),
];

fn table_of(kind: StreamKind) -> &'static str {
    match kind {
        StreamKind::ScoreBands => "score_bands",
        StreamKind::Companies => "companies",
        StreamKind::Ctas => "ctas",
        StreamKind::MeasureScores => "measure_scores",
        StreamKind::ScoreHistory => "score_history",
        StreamKind::Usage => "usage_weekly",
    }
}

fn rows_in(conn: &rusqlite::Connection, table: &str, cid: &str) -> Result<u64> {
    // Table names come from the constants above, never from input.
    conn.query_row(&format!("SELECT count(*) FROM {table} WHERE connection_id = ?1"), [cid], |r| {
        r.get::<_, i64>(0)
    })
    .map(|n| n.max(0) as u64)
    .map_err(db_err)
}

impl Outpost {
    /// The org report of one connection. With `refresh`, every CS object is described again first
    /// (network); without, it is read from the cache alone.
    pub async fn org_report(&self, id_or_name: &str, refresh: bool) -> Result<OrgReport> {
        let card = self.connection(id_or_name)?;
        let s = settings::get(&*self.db()?, &card.id)?;
        if refresh && card.kind == "cs" {
            self.describe_all(&card, &s).await?;
        }
        let db = self.db()?;
        let status: BTreeMap<Stream, StreamStatus> =
            org::list_status(&db, &card.id)?.into_iter().map(|st| (st.stream, st)).collect();
        let mut streams = Vec::new();
        if card.kind == "px" {
            for (stream, path, table) in PX_STREAMS {
                streams.push(StreamReport {
                    stream,
                    label: stream.label().into(),
                    object: path.into(),
                    enabled: true,
                    described_at: None,
                    fields_described: None,
                    roles: Vec::new(),
                    mapped_missing: Vec::new(),
                    cached_rows: rows_in(&db, table, &card.id)?,
                    last: status.get(&stream).cloned(),
                });
            }
        } else {
            let names = ObjectNames {
                fact: s.fact_object.clone(),
                history: s.history_object.clone(),
                usage: s.usage_object.clone(),
            };
            let mapped: Vec<String> =
                settings::mappings(&db, &card.id, "company")?.into_iter().map(|m| m.field_name).collect();
            for kind in StreamKind::ALL {
                let object = object_of(kind, &names);
                let described = org::get_fields(&db, &card.id, &object)?;
                let last = status.get(&kind.stream()).cloned();
                let refused: Vec<String> = last
                    .iter()
                    .filter(|l| l.object.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(&object)))
                    .flat_map(|l| l.roles.iter())
                    .filter(|r| r.matched == Matched::Refused)
                    .filter_map(|r| r.field.clone())
                    .collect();
                let overrides = s.field_roles.get(kind.name()).cloned().unwrap_or_default();
                let own_mapped = if kind == StreamKind::Companies { mapped.clone() } else { Vec::new() };
                let fields: Option<&[FieldInfo]> = described.as_ref().map(|(_, f)| f.as_slice());
                // Not described yet: the roles show the names the first sync will try.
                let resolved =
                    roles::resolve(&object, roles_of(kind), fields, &overrides, &refused, &own_mapped);
                streams.push(StreamReport {
                    stream: kind.stream(),
                    label: kind.stream().label().into(),
                    object,
                    enabled: kind == StreamKind::Companies || s.objects.contains(&kind.group()),
                    described_at: described.as_ref().map(|(at, _)| at.clone()),
                    fields_described: described.as_ref().map(|(_, f)| f.len() as u64),
                    roles: resolved.roles.clone(),
                    mapped_missing: resolved.custom_missing.clone(),
                    cached_rows: rows_in(&db, table_of(kind), &card.id)?,
                    last,
                });
            }
            if let Some(last) = status.get(&Stream::Deletes) {
                streams.push(StreamReport {
                    stream: Stream::Deletes,
                    label: "Deletes".into(),
                    object: "record_delete_log".into(),
                    enabled: true,
                    described_at: None,
                    fields_described: None,
                    roles: Vec::new(),
                    mapped_missing: Vec::new(),
                    cached_rows: 0,
                    last: Some(last.clone()),
                });
            }
        }
        Ok(OrgReport {
            connection_id: card.id.clone(),
            connection: card.name.clone(),
            kind: card.kind,
            instance: card.instance.clone(),
            generated_at: iso(self.now()),
            streams,
        })
    }

    /// Describes every object the CS streams read, now, and keeps the results.
    async fn describe_all(&self, card: &crate::connections::ConnectionCard, s: &SyncSettings) -> Result<()> {
        let client = self.cs_client(card).await?;
        let names = ObjectNames {
            fact: s.fact_object.clone(),
            history: s.history_object.clone(),
            usage: s.usage_object.clone(),
        };
        for kind in StreamKind::ALL {
            let object = object_of(kind, &names);
            let path = format!("/v1/meta/services/objects/{object}/describe?idd=true");
            match client.meta(&path).await {
                Ok(data) => {
                    let fields = roles::parse_describe(&data.data);
                    org::put_fields(&*self.db()?, &card.id, &object, &iso(self.now()), &fields)?;
                }
                // The org lacks it: the report says so from the stream's last outcome.
                Err(e) if e.is_unknown_object() => {
                    self.db()?
                        .execute(
                            "DELETE FROM object_fields WHERE connection_id = ?1 AND object = ?2",
                            [&card.id, &object],
                        )
                        .map_err(db_err)?;
                }
                Err(e) => return Err(e.into()),
            }
        }
        // Fields refused before may be readable now: the next sync asks for them again.
        self.db()?
            .execute("UPDATE stream_status SET roles = '[]' WHERE connection_id = ?1", [&card.id])
            .map_err(db_err)?;
        Ok(())
    }

    /// Sets (or with `None` clears) the field that holds `role` of `stream`, e.g. `companies`,
    /// `arr`, `Arr__gc`. The stream is read whole on the next sync, so every row gets the field.
    pub fn set_field_role(
        &self,
        id_or_name: &str,
        stream: &str,
        role: &str,
        field: Option<&str>,
    ) -> Result<SyncSettings> {
        let card = self.connection(id_or_name)?;
        let kind = StreamKind::ALL.into_iter().find(|k| k.name() == stream).ok_or_else(|| {
            let all: Vec<&str> = StreamKind::ALL.iter().map(|k| k.name()).collect();
            Error::new(ErrorKind::InvalidInput, format!("Unknown stream \"{stream}\"."))
                .with_hint(format!("Use one of {}.", all.join(", ")))
        })?;
        let known = roles_of(kind);
        if !known.iter().any(|r| r.key == role) {
            let all: Vec<&str> = known.iter().map(|r| r.key).collect();
            return Err(Error::new(ErrorKind::InvalidInput, format!("{stream} has no role \"{role}\"."))
                .with_hint(format!("Use one of {}.", all.join(", "))));
        }
        if let Some(f) = field.filter(|f| !roles::is_field_path(f)) {
            return Err(Error::new(ErrorKind::InvalidInput, format!("\"{f}\" is not a field's API name."))
                .with_hint("Use the API name describe shows, such as Arr__gc or Csm__gr.Email."));
        }
        let _no_sync = self.try_sync_lock(&card.id)?.ok_or_else(|| {
            Error::new(ErrorKind::Conflict, format!("A sync of {} is running.", card.name))
                .with_hint("Change the field when it has finished.")
        })?;
        let mut db = self.db()?;
        let tx = db.transaction().map_err(db_err)?;
        let mut s = settings::get(&tx, &card.id)?;
        let entry = s.field_roles.entry(stream.to_string()).or_default();
        match field {
            Some(f) => entry.insert(role.to_string(), f.to_string()),
            None => entry.remove(role),
        };
        s.field_roles.retain(|_, m| !m.is_empty());
        settings::put(&tx, &card.id, &s)?;
        crate::db::cursors::rewind_cursor(&tx, &card.id, stream, "2000-01-01T00:00:00.000Z")?;
        tx.commit().map_err(db_err)?;
        Ok(s)
    }
}

/// An object of the org that may hold usage: a custom object with a date field and a company.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct UsageCandidate {
    pub object: String,
    pub label: String,
    /// How the usage roles would be matched in it (the admin can change each).
    pub roles: Vec<RoleMatch>,
}

/// Custom objects described at most per look: each costs one call of the org's budget.
const MAX_DESCRIBED: usize = 25;

impl Outpost {
    /// The org's objects that could be its usage object: custom objects (those named like usage
    /// first) whose describe shows a date field and a company, each with its usage roles matched.
    pub async fn usage_candidates(&self, id_or_name: &str) -> Result<Vec<UsageCandidate>> {
        let card = self.connection(id_or_name)?;
        if card.kind != "cs" {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("{} is not a Gainsight CS connection.", card.name),
            ));
        }
        let client = self.cs_client(&card).await?;
        let data = client.meta("/v1/meta/services/objects/list?po=company&em=false").await?;
        let listed = crate::sync::discover::parse_list(data.records());
        let overrides =
            settings::get(&*self.db()?, &card.id)?.field_roles.get("usage").cloned().unwrap_or_default();
        let mut custom: Vec<_> = listed
            .into_iter()
            .filter(|o| o.name.ends_with("__gc") || o.object_type.eq_ignore_ascii_case("CUSTOM"))
            .collect();
        let usage_like = |o: &crate::sync::discover::Listed| {
            format!("{} {}", o.name, o.label).to_ascii_lowercase().contains("usage")
        };
        custom.sort_by_key(|o| (!usage_like(o), o.name.to_ascii_lowercase()));
        let mut out = Vec::new();
        for o in custom.into_iter().take(MAX_DESCRIBED) {
            let path = format!("/v1/meta/services/objects/{}/describe?idd=true", o.name);
            let Ok(described) = client.meta(&path).await else { continue };
            let fields = roles::parse_describe(&described.data);
            org::put_fields(&*self.db()?, &card.id, &o.name, &iso(self.now()), &fields)?;
            let r = roles::resolve(
                &o.name,
                crate::sync::streams::usage::ROLES,
                Some(&fields),
                &overrides,
                &[],
                &[],
            );
            if r.has("company") && r.has("week") {
                out.push(UsageCandidate { object: o.name, label: o.label, roles: r.roles });
            }
        }
        Ok(out)
    }
}
