//! Usage (the customer-defined usage object the admin chose): weekly active users, logins and
//! feature events per company.

use crate::db::scores::{self, UsageRow};
use crate::error::Result;
use crate::gainsight::record::Record;
use crate::sync::roles::{GSID, MODIFIED, Read, Resolved, Role, needed, role};
use rusqlite::Transaction;

pub const ROLES: &[Role] = &[
    GSID,
    Role {
        lookup_into: Some("company"),
        ..needed(role(
            "company",
            "Company",
            Read::Id,
            &["CompanyId__gc", "Company__gc", "GsCompanyId__gc", "CompanyId"],
            &["Company"],
        ))
    },
    needed(role(
        "week",
        "Week",
        Read::Date,
        &["UsageDate__gc", "WeekOf__gc", "Week__gc", "WeekStartDate__gc", "Date__gc"],
        &["Week", "Week Of", "Week Start Date", "Usage Date", "Date"],
    )),
    role(
        "active_users",
        "Active users",
        Read::Number,
        &["ActiveUsers__gc", "WeeklyActiveUsers__gc", "Wau__gc"],
        &["Active Users", "Weekly Active Users", "WAU"],
    ),
    role("logins", "Logins", Read::Number, &["Logins__gc", "LoginCount__gc"], &["Logins", "Login Count"]),
    role(
        "feature_events",
        "Feature events",
        Read::Number,
        &["FeatureEvents__gc", "Events__gc"],
        &["Feature Events", "Events"],
    ),
    MODIFIED,
];

pub(super) fn apply(tx: &Transaction<'_>, cid: &str, gsid: String, r: &Record, f: &Resolved) -> Result<()> {
    scores::upsert_usage(
        tx,
        cid,
        &UsageRow {
            gsid,
            company_gsid: f.text(r, "company").unwrap_or_default(),
            week: f.day(r, "week").unwrap_or_default(),
            active_users: f.num(r, "active_users").map(|n| n as i64),
            logins: f.num(r, "logins").map(|n| n as i64),
            feature_events: f.num(r, "feature_events").map(|n| n as i64),
            modified_at: f.instant(r, "modified"),
        },
    )?;
    Ok(())
}
