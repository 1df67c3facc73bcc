//! CTAs (`call_to_action`): open and closed, with type, status, owner and dates; a CTA opened or
//! closed since the last sync goes to the change log.

use super::{PageContext, change};
use crate::db::ctas::{self, CtaRow};
use crate::error::Result;
use crate::gainsight::record::Record;
use crate::model::ChangeKind;
use crate::sync::roles::{CREATED, GSID, MODIFIED, Read, Resolved, Role, needed, role};
use rusqlite::Transaction;

const OWNER_NAMES: &[&str] = &["OwnerId", "Owner"];
pub const ROLES: &[Role] = &[
    GSID,
    needed(role("name", "CTA name", Read::Text, &["Name"], &["Name", "Subject"])),
    needed(role("company", "Company", Read::Id, &["CompanyId"], &["Company"])),
    role("status", "Status", Read::Text, &["StatusId", "Status"], &["Status"]),
    role("priority", "Priority", Read::Text, &["PriorityId", "Priority"], &["Priority"]),
    role("type", "Type", Read::Text, &["TypeId", "Type"], &["Type"]),
    role("reason", "Reason", Read::Text, &["ReasonId", "Reason"], &["Reason"]),
    role("owner_name", "Owner name", Read::Sub("Name"), OWNER_NAMES, &["Owner"]),
    role("owner_email", "Owner email", Read::Sub("Email"), OWNER_NAMES, &["Owner"]),
    role("due_date", "Due date", Read::Date, &["DueDate"], &["Due Date"]),
    role("is_closed", "Closed", Read::Flag, &["IsClosed"], &["Is Closed", "Closed"]),
    role(
        "closed_at",
        "Closed date",
        Read::Date,
        &["ClosedDate", "ClosedOn", "ClosedDateTime"],
        &["Closed Date", "Closed On", "Date Closed"],
    ),
    role("is_important", "Important", Read::Flag, &["IsImportant"], &["Is Important", "Important"]),
    CREATED,
    MODIFIED,
];

/// Writes one CTA; after the first sync, logs it when it opened or closed.
pub(super) fn apply(
    tx: &Transaction<'_>,
    ctx: &PageContext<'_>,
    gsid: String,
    r: &Record,
    f: &Resolved,
) -> Result<()> {
    let row = CtaRow {
        gsid,
        company_gsid: f.text(r, "company"),
        name: f.text(r, "name").unwrap_or_default(),
        status: f.text(r, "status"),
        priority: f.text(r, "priority"),
        r#type: f.text(r, "type"),
        reason: f.text(r, "reason"),
        owner_name: f.text(r, "owner_name"),
        owner_email: f.text(r, "owner_email"),
        due_date: f.day(r, "due_date"),
        is_closed: f.flag(r, "is_closed"),
        closed_at: f.instant(r, "closed_at"),
        is_important: f.flag(r, "is_important"),
        created_at: f.instant(r, "created"),
        modified_at: f.instant(r, "modified"),
    };
    let was_closed = ctas::upsert(tx, ctx.cid, &row)?;
    if ctx.first {
        return Ok(());
    }
    let kind = match (was_closed, row.is_closed) {
        (None, false) | (Some(true), false) => ChangeKind::CtaOpened,
        (Some(false), true) => ChangeKind::CtaClosed,
        _ => return Ok(()),
    };
    let detail = serde_json::json!({"type": row.r#type, "status": row.status}).to_string();
    change(tx, ctx, kind, row.company_gsid.as_deref(), Some(&row.name), Some(&detail))
}
