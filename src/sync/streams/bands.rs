//! Score bands (`scoring_scheme_definition`): the org's scoring scheme, small reference data read
//! whole every time.

use crate::db::scores::{self, BandRow};
use crate::error::Result;
use crate::gainsight::record::Record;
use crate::sync::roles::{GSID, MODIFIED, Read, Resolved, Role, needed, role};
use rusqlite::Transaction;

pub const ROLES: &[Role] = &[
    GSID,
    needed(role("name", "Band name", Read::Text, &["Name"], &["Name"])),
    role("score", "Score", Read::Number, &["Score"], &["Score"]),
    role("color", "Colour", Read::Text, &["Color", "Colour"], &["Color", "Colour"]),
    MODIFIED,
];

pub(super) fn apply(tx: &Transaction<'_>, cid: &str, gsid: String, r: &Record, f: &Resolved) -> Result<()> {
    scores::upsert_band(
        tx,
        cid,
        &BandRow {
            gsid,
            name: f.text(r, "name").unwrap_or_default(),
            score: f.num(r, "score"),
            color: f.text(r, "color"),
        },
    )?;
    Ok(())
}
