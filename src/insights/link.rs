//! Which PX account is which CS company. The org links them by an id it chooses: a PX account's
//! id, or the CS id PX keeps for it (`gsId`), equals a Company field's value (the setting
//! `px_link_field`, `Gsid` by default). A PX account whose `gsId` is a company's Gsid is linked
//! whatever the field. What links to nothing is listed, never hidden.

use crate::db::browse::collect;
use crate::error::Result;
use rusqlite::Connection;
use serde::Serialize;
use std::collections::HashMap;
use ts_rs::TS;

/// A PX account, for the lists of what is not linked.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct PxAccountRef {
    pub connection_id: String,
    pub id: String,
    pub name: String,
    /// The CS id PX holds for it, when it holds one.
    pub gs_id: Option<String>,
}

/// (connection, id) of a company or of a PX account.
pub type Key = (String, String);

#[derive(Debug, Default)]
pub struct Links {
    /// CS company → the PX account linked to it (the first one found, when several match).
    pub px_of: HashMap<Key, Key>,
    /// PX accounts no CS company matches.
    pub unlinked_px: Vec<PxAccountRef>,
    /// Whether the cache holds any PX connection at all.
    pub has_px: bool,
}

/// The link field's value of company `c` in SQL: its Gsid when the field is `Gsid`, else the
/// custom field's value. The field is read from the settings in the statement itself (once per
/// statement), so every query sees the current choice; it is validated (letters, digits, `_`)
/// before it is stored, so it can stand inside the JSON path.
const LINK_VALUE: &str = "trim(CASE WHEN coalesce((SELECT value FROM insight_settings WHERE key = 'px_link_field'), 'Gsid') = 'Gsid'
        THEN c.gsid
        ELSE CAST(json_extract(c.custom, '$.\"' || (SELECT value FROM insight_settings WHERE key = 'px_link_field') || '\"') AS TEXT) END)";

/// The same rule in SQL, for the queries that filter, count and show by it: true when company `c`
/// has a linked PX account. Three lookups the indexes answer (by gsId; by connection and id), not one
/// scan per company. [`links`] keeps the first company a PX account matches; this holds for each it matches.
pub fn linked_sql() -> String {
    format!(
        "(EXISTS (SELECT 1 FROM px_accounts p WHERE p.gs_id = c.gsid)
          OR EXISTS (SELECT 1 FROM px_accounts p
                     WHERE p.connection_id IN (SELECT id FROM connections WHERE kind = 'px') AND p.id = {LINK_VALUE})
          OR EXISTS (SELECT 1 FROM px_accounts p WHERE p.gs_id = {LINK_VALUE}))"
    )
}

/// The rule for one pair: PX account `p` is linked to company `c` (for the account page's panel).
pub fn pair_sql() -> String {
    format!("(p.gs_id = c.gsid OR p.id = {LINK_VALUE} OR p.gs_id = {LINK_VALUE})")
}

/// Links every cached PX account to a CS company by `field` (`Gsid` or a custom field's API name,
/// already validated by the settings).
pub fn links(conn: &Connection, field: &str) -> Result<Links> {
    let path = format!("$.\"{field}\"");
    let companies: Vec<(String, String, Option<String>)> = collect(
        conn,
        "SELECT c.connection_id, c.gsid,
                CASE WHEN ?1 = 'Gsid' THEN c.gsid ELSE CAST(json_extract(c.custom, ?2) AS TEXT) END
         FROM companies c JOIN connections k ON k.id = c.connection_id AND k.kind = 'cs'
         ORDER BY c.connection_id, c.gsid",
        &[&field, &path],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let mut by_gsid: HashMap<String, Key> = HashMap::new();
    let mut by_field: HashMap<String, Key> = HashMap::new();
    for (cid, gsid, value) in companies {
        let key = (cid, gsid.clone());
        if let Some(v) = value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
            by_field.entry(v).or_insert_with(|| key.clone());
        }
        by_gsid.entry(gsid).or_insert(key);
    }
    let px: Vec<PxAccountRef> = collect(
        conn,
        "SELECT connection_id, id, name, gs_id FROM px_accounts ORDER BY connection_id, name, id",
        &[],
        |r| Ok(PxAccountRef { connection_id: r.get(0)?, id: r.get(1)?, name: r.get(2)?, gs_id: r.get(3)? }),
    )?;
    let has_px: bool = conn
        .query_row("SELECT EXISTS (SELECT 1 FROM connections WHERE kind = 'px')", [], |r| r.get(0))
        .map_err(crate::db::db_err)?;
    let mut out = Links { has_px, ..Default::default() };
    for a in px {
        let gs_id = a.gs_id.as_deref().map(str::trim).filter(|g| !g.is_empty());
        let found = gs_id
            .and_then(|g| by_gsid.get(g))
            .or_else(|| by_field.get(a.id.trim()))
            .or_else(|| gs_id.and_then(|g| by_field.get(g)));
        match found {
            Some(company) => {
                out.px_of.entry(company.clone()).or_insert_with(|| (a.connection_id.clone(), a.id.clone()));
            }
            None => out.unlinked_px.push(a),
        }
    }
    Ok(out)
}
