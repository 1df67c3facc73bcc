//! The simulator's truth, table by table: which API field each cache column must equal, and the
//! assertion that the whole cache equals what the simulator serves.

use super::{Cell, Col, col};
use gainsight_sim::RunningSim;
use serde_json::Value;
use std::path::Path;

pub fn rows(dir: &Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(dir.join("outpost.db")).expect("database file");
    let mut stmt = conn.prepare(sql).expect("sql");
    stmt.query_map([], |r| r.get::<_, String>(0))
        .expect("query")
        .collect::<Result<Vec<_>, _>>()
        .expect("rows")
}

/// Every row of `object` as the simulator serves it now.
pub async fn truth(sim: &RunningSim, object: &str, select: &[&str]) -> Vec<serde_json::Map<String, Value>> {
    super::cs_records(&sim.base_url(), object, select).await
}

pub const COMPANY: &[Col] = &[
    col("gsid", "Gsid", Cell::Text),
    col("name", "Name", Cell::Text),
    col("industry", "Industry", Cell::Text),
    col("arr", "Arr", Cell::Real),
    col("mrr", "Mrr", Cell::Real),
    col("renewal_date", "RenewalDate", Cell::Day),
    col("stage", "Stage__gr.Name", Cell::Text),
    col("status", "Status__gr.Name", Cell::Text),
    col("csm_name", "Csm__gr.Name", Cell::Text),
    col("csm_email", "Csm__gr.Email", Cell::Text),
    col("managed_as", "ManagedAs", Cell::Text),
    col("employees", "Employees", Cell::Int),
    col("score", "CurrentScore__gr.Score", Cell::Real),
    col("score_label", "CurrentScore__gr.Name", Cell::Text),
    col("score_color", "CurrentScore__gr.Color", Cell::Text),
    // The mapped custom fields, `Field=json` sorted by field and joined by `;` (see `custom_text`).
    col(
        "SELECT group_concat(j.key || '=' || (companies.custom -> ('$.\"' || j.key || '\"')), ';' ORDER BY j.key) \
         FROM json_each(companies.custom) AS j",
        "custom",
        Cell::Sql,
    ),
    col("created_at", "CreatedDate", Cell::Instant),
    col("modified_at", "ModifiedDate", Cell::Instant),
];
pub const CTA: &[Col] = &[
    col("gsid", "Gsid", Cell::Text),
    col("company_gsid", "CompanyId", Cell::Text),
    col("name", "Name", Cell::Text),
    col("status", "StatusId__gr.Name", Cell::Text),
    col("priority", "PriorityId__gr.Name", Cell::Text),
    col("type", "TypeId__gr.Name", Cell::Text),
    col("reason", "ReasonId__gr.Name", Cell::Text),
    col("owner_name", "OwnerId__gr.Name", Cell::Text),
    col("owner_email", "OwnerId__gr.Email", Cell::Text),
    col("due_date", "DueDate", Cell::Day),
    col("is_closed", "IsClosed", Cell::Flag),
    col("closed_at", "ClosedDate", Cell::Instant),
    col("is_important", "IsImportant", Cell::Flag),
    col("created_at", "CreatedDate", Cell::Instant),
    col("modified_at", "ModifiedDate", Cell::Instant),
];
pub const BAND: &[Col] = &[
    col("gsid", "Gsid", Cell::Text),
    col("name", "Name", Cell::Text),
    col("score", "Score", Cell::Real),
    col("color", "Color", Cell::Text),
];
// `scorecard` is left out: the sync never fills it (see the note in `assert_equals_objects`).
pub const MEASURE: &[Col] = &[
    col("gsid", "Gsid", Cell::Text),
    col("scorecard", "ScorecardId", Cell::Text),
    col("name", "Name", Cell::Text),
    col("is_overall", "IsOverall", Cell::Flag),
];
pub const SCORECARD: &[Col] = &[col("gsid", "Gsid", Cell::Text), col("name", "Name", Cell::Text)];
pub const MEASURE_SCORE: &[Col] = &[
    col("gsid", "Gsid", Cell::Text),
    col("company_gsid", "CompanyId", Cell::Text),
    col("measure_gsid", "MeasureId", Cell::Text),
    col("measure_name", "MeasureId__gr.Name", Cell::Text),
    col("score", "CurScoreId__gr.Score", Cell::Real),
    col("label", "CurScoreId__gr.Name", Cell::Text),
    col("color", "CurScoreId__gr.Color", Cell::Text),
    col("prev_score", "PrevScoreId__gr.Score", Cell::Real),
    col("trend", "Trend", Cell::Text),
    col("modified_at", "ModifiedDate", Cell::Instant),
];
pub const HISTORY: &[Col] = &[
    col("gsid", "Gsid", Cell::Text),
    col("company_gsid", "CompanyId", Cell::Text),
    col("measure_gsid", "MeasureId", Cell::Text),
    col("week", "SnapshotDate", Cell::Day),
    col("score", "Score", Cell::Real),
    col("label", "ScoreId__gr.Name", Cell::Text),
    col("modified_at", "ModifiedDate", Cell::Instant),
];
pub const USAGE: &[Col] = &[
    col("gsid", "Gsid", Cell::Text),
    col("company_gsid", "CompanyId__gc", Cell::Text),
    col("week", "UsageDate__gc", Cell::Day),
    col("active_users", "ActiveUsers__gc", Cell::Int),
    col("logins", "Logins__gc", Cell::Int),
    col("feature_events", "FeatureEvents__gc", Cell::Int),
    col("modified_at", "ModifiedDate", Cell::Instant),
];

/// Reads every record of `object` with the API fields `cols` compare.
pub async fn records(sim: &RunningSim, object: &str, cols: &[Col]) -> Vec<serde_json::Map<String, Value>> {
    let fields: Vec<&str> = cols.iter().filter(|c| !matches!(c.cell, Cell::Sql)).map(|c| c.field).collect();
    truth(sim, object, &fields).await
}

/// A company's mapped fields as the `custom` column compares them: `Field=json`, sorted, `;`-joined.
pub fn custom_text(r: &serde_json::Map<String, Value>, mapped: &[String]) -> String {
    let mut fields: Vec<&String> = mapped.iter().collect();
    fields.sort();
    let pairs: Vec<String> =
        fields.iter().map(|f| format!("{f}={}", r.get(f.as_str()).unwrap_or(&Value::Null))).collect();
    pairs.join(";")
}

/// Asserts the cache holds exactly what the simulator serves, table by table and column by column.
pub async fn assert_equals_truth(sim: &RunningSim, dir: &Path) {
    assert_equals_objects(sim, dir, "company_scorecard_fact", "company_scorecard_history").await;
}

/// [`assert_equals_truth`] for an org whose scorecard objects have the given API names.
pub async fn assert_equals_objects(sim: &RunningSim, dir: &Path, fact: &str, history: &str) {
    let mapped = rows(dir, "SELECT field_name FROM field_mappings WHERE lower(object) = 'company'");
    let mut fields: Vec<&str> =
        COMPANY.iter().filter(|c| !matches!(c.cell, Cell::Sql)).map(|c| c.field).collect();
    fields.extend(mapped.iter().map(String::as_str));
    let mut companies = truth(sim, "company", &fields).await;
    for r in &mut companies {
        let custom = custom_text(r, &mapped);
        r.insert("custom".into(), Value::from(custom));
    }
    super::assert_table(dir, "companies", "", COMPANY, &companies);
    super::assert_table(dir, "ctas", "", CTA, &records(sim, "call_to_action", CTA).await);
    super::assert_table(dir, "score_bands", "", BAND, &records(sim, "scoring_scheme_definition", BAND).await);
    // Measures are cached as the scores name them; `scorecard` stays NULL (the sync does not read
    // the measure object, so it cannot know it).
    super::assert_table(dir, "measures", "", MEASURE, &records(sim, "scorecard_measure", MEASURE).await);
    super::assert_table(dir, "scorecards", "", SCORECARD, &records(sim, "scorecard_master", SCORECARD).await);
    super::assert_table(dir, "measure_scores", "", MEASURE_SCORE, &records(sim, fact, MEASURE_SCORE).await);
    super::assert_table(dir, "score_history", "", HISTORY, &records(sim, history, HISTORY).await);
    super::assert_table(dir, "usage_weekly", "", USAGE, &records(sim, "product_usage__gc", USAGE).await);
}

/// Asserts that no stream's cursor is ahead of its data: every record the simulator serves with a
/// modification time before a stream's `modified_to` is in that stream's table (pages are read in
/// modification order, so those were all in committed pages; a cursor written without its page
/// would make the next incremental sync skip the page for good). Records at the cursor's instant
/// itself may be in the next page, which the next sync re-reads.
/// Returns how many cursors were checked.
pub async fn assert_no_cursor_ahead(sim: &RunningSim, dir: &Path) -> usize {
    const STREAMS: &[(&str, &str, &str)] = &[
        ("companies", "companies", "company"),
        ("ctas", "ctas", "call_to_action"),
        ("measure_scores", "measure_scores", "company_scorecard_fact"),
        ("score_history", "score_history", "company_scorecard_history"),
        ("usage", "usage_weekly", "product_usage__gc"),
    ];
    let conn = rusqlite::Connection::open(dir.join("outpost.db")).expect("database file");
    let mut checked = 0;
    for (stream, table, object) in STREAMS {
        let cursor: Option<String> = conn
            .query_row("SELECT max(modified_to) FROM sync_cursors WHERE stream = ?1", [stream], |r| r.get(0))
            .expect("cursor");
        let Some(cursor) = cursor else { continue };
        let cursor = chrono::DateTime::parse_from_rfc3339(&cursor)
            .unwrap_or_else(|e| panic!("{stream}'s cursor {cursor:?} is an instant: {e}"))
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string();
        let cached: std::collections::HashSet<String> =
            rows(dir, &format!("SELECT gsid FROM {table}")).into_iter().collect();
        let missing: Vec<String> = truth(sim, object, &["Gsid", "ModifiedDate"])
            .await
            .iter()
            .filter(|r| super::canon(r.get("ModifiedDate"), Cell::Instant) < cursor)
            .map(|r| super::canon(r.get("Gsid"), Cell::Text))
            .filter(|id| !cached.contains(id))
            .collect();
        assert!(
            missing.is_empty(),
            "{stream}'s cursor is at {cursor} but {} records modified by then are not cached (first {:?})",
            missing.len(),
            missing.first()
        );
        checked += 1;
    }
    checked
}
