//! Score history (the org's scorecard history object): weekly scores per company and measure.

use super::measures::MEASURE_NAMES;
use crate::db::scores::{self, HistoryRow};
use crate::error::Result;
use crate::gainsight::record::Record;
use crate::sync::roles::{GSID, MODIFIED, Read, Resolved, Role, needed, role};
use rusqlite::Transaction;

const HISTORY_SCORE_LOOKUPS: &[&str] = &["ScoreId", "CurScoreId"];
pub const ROLES: &[Role] = &[
    GSID,
    needed(role("company", "Company", Read::Id, &["CompanyId"], &["Company"])),
    role("measure", "Measure", Read::Id, MEASURE_NAMES, &["Measure"]),
    needed(role(
        "week",
        "Week",
        Read::Date,
        &["SnapshotDate", "WeekStartDate", "WeekDate", "Week", "Date"],
        &["Snapshot Date", "Week Start Date", "Week", "Date"],
    )),
    needed(role(
        "score",
        "Score",
        Read::Score,
        &["Score", "ScoreValue", "ScoreId", "CurScoreId"],
        &["Score Value", "Score"],
    )),
    role("score_label", "Score band", Read::Sub("Name"), HISTORY_SCORE_LOOKUPS, &["Score"]),
    MODIFIED,
];

pub(super) fn apply(tx: &Transaction<'_>, cid: &str, gsid: String, r: &Record, f: &Resolved) -> Result<()> {
    scores::upsert_history(
        tx,
        cid,
        &HistoryRow {
            gsid,
            company_gsid: f.text(r, "company").unwrap_or_default(),
            measure_gsid: f.text(r, "measure"),
            week: f.day(r, "week").unwrap_or_default(),
            score: f.num(r, "score"),
            label: f.text(r, "score_label"),
            modified_at: f.instant(r, "modified"),
        },
    )?;
    Ok(())
}
