//! Companies (`company`): every account, with its health score, ARR, renewal, CSM and the
//! admin's mapped custom fields; a band that moved, a company that appeared, go to the change log.

use super::{PageContext, change};
use crate::db::companies::{self, CompanyRow};
use crate::db::scores;
use crate::error::Result;
use crate::gainsight::record::Record;
use crate::model::ChangeKind;
use crate::sync::roles::{CREATED, GSID, MODIFIED, Read, Resolved, Role, needed, role};
use rusqlite::Transaction;
use serde_json::{Map, Value};

const CURRENT_SCORE_NAMES: &[&str] = &["CurrentScore", "OverallScore", "HealthScore"];
const CURRENT_SCORE_LABELS: &[&str] = &["Current Score", "Overall Score", "Health Score"];
const CSM_NAMES: &[&str] = &["Csm", "CSM"];
const CSM_LABELS: &[&str] = &["CSM", "Customer Success Manager"];

pub const ROLES: &[Role] = &[
    GSID,
    needed(role("name", "Company name", Read::Text, &["Name"], &["Name", "Company Name"])),
    role("industry", "Industry", Read::Text, &["Industry"], &["Industry"]),
    role("arr", "ARR", Read::Number, &["Arr", "ARR"], &["ARR", "Annual Recurring Revenue"]),
    role("mrr", "MRR", Read::Number, &["Mrr", "MRR"], &["MRR", "Monthly Recurring Revenue"]),
    role(
        "renewal_date",
        "Renewal date",
        Read::Date,
        &["RenewalDate"],
        &["Renewal Date", "Next Renewal Date"],
    ),
    role("stage", "Stage", Read::Text, &["Stage"], &["Stage", "Company Stage"]),
    role("status", "Status", Read::Text, &["Status"], &["Status", "Company Status"]),
    role("csm_name", "CSM name", Read::Sub("Name"), CSM_NAMES, CSM_LABELS),
    role("csm_email", "CSM email", Read::Sub("Email"), CSM_NAMES, CSM_LABELS),
    role("managed_as", "Managed as", Read::Text, &["ManagedAs"], &["Managed As"]),
    role("employees", "Employees", Read::Number, &["Employees"], &["Employees", "Number of Employees"]),
    role("score", "Health score", Read::Score, CURRENT_SCORE_NAMES, CURRENT_SCORE_LABELS),
    role("score_label", "Health score band", Read::Sub("Name"), CURRENT_SCORE_NAMES, CURRENT_SCORE_LABELS),
    role("score_color", "Health score colour", Read::Sub("Color"), CURRENT_SCORE_NAMES, CURRENT_SCORE_LABELS),
    CREATED,
    MODIFIED,
];

/// Writes one company; after the first sync, logs it when new or when its band moved.
pub(super) fn apply(
    tx: &Transaction<'_>,
    ctx: &PageContext<'_>,
    gsid: String,
    r: &Record,
    f: &Resolved,
) -> Result<()> {
    let custom: Map<String, Value> =
        f.custom_all().map(|c| (c.to_string(), r.get(c).cloned().unwrap_or(Value::Null))).collect();
    let score = f.num(r, "score");
    let (mut score_label, mut score_color) = (f.text(r, "score_label"), f.text(r, "score_color"));
    if score_label.is_none() && !f.has("score_label") {
        // A score held as a plain number: its band comes from the org's scoring scheme.
        if let Some((label, color)) = score.map(|s| scores::band_of(tx, ctx.cid, s)).transpose()?.flatten() {
            (score_label, score_color) = (Some(label), color);
        }
    }
    let row = CompanyRow {
        gsid: gsid.clone(),
        name: f.text(r, "name").unwrap_or_else(|| gsid.clone()),
        industry: f.text(r, "industry"),
        arr: f.num(r, "arr"),
        mrr: f.num(r, "mrr"),
        renewal_date: f.day(r, "renewal_date"),
        stage: f.text(r, "stage"),
        status: f.text(r, "status"),
        csm_name: f.text(r, "csm_name"),
        csm_email: f.text(r, "csm_email"),
        managed_as: f.text(r, "managed_as"),
        employees: f.num(r, "employees").map(|n| n as i64),
        score,
        score_label,
        score_color,
        custom: Value::Object(custom).to_string(),
        created_at: f.instant(r, "created"),
        modified_at: f.instant(r, "modified"),
    };
    let previous = companies::upsert(tx, ctx.cid, &row)?;
    if ctx.first {
        return Ok(());
    }
    match previous {
        None => change(tx, ctx, ChangeKind::CompanyAdded, Some(&gsid), Some(&row.name), None),
        Some(old) if old != row.score_label => {
            let detail =
                serde_json::json!({"from": old, "to": row.score_label, "score": row.score}).to_string();
            change(tx, ctx, ChangeKind::BandChanged, Some(&gsid), Some(&row.name), Some(&detail))
        }
        Some(_) => Ok(()),
    }
}
