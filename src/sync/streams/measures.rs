//! Scorecard measures (the org's scorecard fact object): each company's current score per measure,
//! with its previous score and trend; the measures and scorecards they name are kept too.

use crate::db::scores::{self, MeasureRow, MeasureScoreRow};
use crate::error::Result;
use crate::gainsight::record::Record;
use crate::sync::roles::{GSID, MODIFIED, Read, Resolved, Role, needed, role};
use rusqlite::Transaction;

const FACT_SCORE: &[&str] = &["CurScoreId", "CurrentScoreId", "CurScore", "CurrentScore"];
const FACT_SCORE_LABELS: &[&str] = &["Current Score", "Score"];
const SCORECARD_NAMES: &[&str] = &["ScorecardId", "Scorecard"];
pub(super) const MEASURE_NAMES: &[&str] = &["MeasureId", "Measure"];
pub const ROLES: &[Role] = &[
    GSID,
    needed(role("company", "Company", Read::Id, &["CompanyId"], &["Company"])),
    role("scorecard", "Scorecard", Read::Id, SCORECARD_NAMES, &["Scorecard"]),
    role("scorecard_name", "Scorecard name", Read::Sub("Name"), SCORECARD_NAMES, &["Scorecard"]),
    needed(role("measure", "Measure", Read::Id, MEASURE_NAMES, &["Measure"])),
    role("measure_name", "Measure name", Read::Sub("Name"), MEASURE_NAMES, &["Measure"]),
    role("score", "Current score", Read::Score, FACT_SCORE, FACT_SCORE_LABELS),
    role("score_label", "Current score band", Read::Sub("Name"), FACT_SCORE, FACT_SCORE_LABELS),
    role("score_color", "Current score colour", Read::Sub("Color"), FACT_SCORE, FACT_SCORE_LABELS),
    role(
        "prev_score",
        "Previous score",
        Read::Score,
        &["PrevScoreId", "PreviousScoreId", "PrevScore", "PreviousScore"],
        &["Previous Score"],
    ),
    role("trend", "Trend", Read::Text, &["Trend"], &["Trend"]),
    MODIFIED,
];

pub(super) fn apply(tx: &Transaction<'_>, cid: &str, gsid: String, r: &Record, f: &Resolved) -> Result<()> {
    let measure = f.text(r, "measure").unwrap_or_default();
    let measure_name = f.text(r, "measure_name");
    // The API documents no flag for the overall measure: its name says it.
    let is_overall = measure_name.as_deref().is_some_and(|n| n.to_ascii_lowercase().contains("overall"));
    let scorecard = f.text(r, "scorecard");
    if let Some(id) = &scorecard {
        let name = f.text(r, "scorecard_name").unwrap_or_default();
        scores::upsert_scorecard(tx, cid, id, &name)?;
    }
    scores::upsert_measure(
        tx,
        cid,
        &MeasureRow {
            gsid: measure.clone(),
            scorecard,
            name: measure_name.clone().unwrap_or_default(),
            is_overall,
        },
    )?;
    scores::upsert_measure_score(
        tx,
        cid,
        &MeasureScoreRow {
            gsid,
            company_gsid: f.text(r, "company").unwrap_or_default(),
            measure_gsid: measure,
            measure_name,
            score: f.num(r, "score"),
            label: f.text(r, "score_label"),
            color: f.text(r, "score_color"),
            prev_score: f.num(r, "prev_score"),
            trend: f.text(r, "trend"),
            modified_at: f.instant(r, "modified"),
        },
    )?;
    Ok(())
}
