//! Calls to Action: about ten per company, of types Risk / Expansion / Renewal / Lifecycle, open
//! and closed, with owners, priorities, reasons and due dates.

use super::{add_picklist, ids, row};
use crate::rng::Rng;
use crate::schema::{DataType as T, Object, Store, field, lookup, picklist};
use crate::time::DAY_MS;
use serde_json::{Value, json};

pub const TYPES: &[&str] = &["Risk", "Expansion", "Renewal", "Lifecycle"];
const STATUSES: &[&str] = &["New", "Work In Progress", "Closed Success", "Closed Lost"];
const PRIORITIES: &[&str] = &["High", "Medium", "Low"];
const REASONS: &[(&str, &[&str])] = &[
    ("Risk", &["Low Usage", "Champion Left", "Support Escalation", "Low NPS"]),
    ("Expansion", &["Upsell Opportunity", "New Team Interest"]),
    ("Renewal", &["Upcoming Renewal", "Pricing Discussion"]),
    ("Lifecycle", &["Onboarding", "Quarterly Business Review", "Adoption Check-in"]),
];
const SUBJECTS: &[(&str, &[&str])] = &[
    (
        "Risk",
        &[
            "Usage dropped in the last 30 days",
            "Executive sponsor left",
            "Open P1 tickets",
            "Detractor NPS response",
        ],
    ),
    ("Expansion", &["Expansion opportunity: more seats", "New department evaluating"]),
    ("Renewal", &["Renewal in 90 days", "Prepare renewal proposal"]),
    ("Lifecycle", &["Complete onboarding", "Schedule QBR", "Adoption review"]),
];

pub fn add(store: &mut Store, root: &Rng, now: i64) {
    let mut rng = root.fork("cta-picklists");
    let types = add_picklist(store, &mut rng, "CTA Type", TYPES);
    let statuses = add_picklist(store, &mut rng, "CTA Status", STATUSES);
    let priorities = add_picklist(store, &mut rng, "CTA Priority", PRIORITIES);
    let reasons: Vec<Vec<String>> =
        REASONS.iter().map(|(_, labels)| add_picklist(store, &mut rng, "CTA Reason", labels)).collect();
    let companies = ids(store, "company");
    let users = ids(store, "gsuser");

    let mut ctas = Object::new(
        "call_to_action",
        "Call To Action",
        "STANDARD",
        "1S01",
        vec![
            field("Gsid", "GSID", T::Gsid),
            field("Name", "Name", T::String),
            lookup("CompanyId", "Company", "company"),
            picklist("StatusId", "Status", "CTA Status"),
            picklist("PriorityId", "Priority", "CTA Priority"),
            picklist("TypeId", "Type", "CTA Type"),
            picklist("ReasonId", "Reason", "CTA Reason"),
            lookup("OwnerId", "Owner", "GsUser"),
            field("DueDate", "Due Date", T::Date),
            field("IsClosed", "Is Closed", T::Boolean),
            field("ClosedDate", "Closed Date", T::DateTime),
            field("IsImportant", "Is Important", T::Boolean),
            field("EntityType", "Entity Type", T::String),
            field("Comments", "Comments", T::String),
            field("CreatedDate", "Created Date", T::DateTime),
            field("ModifiedDate", "Modified Date", T::DateTime),
        ],
    );
    let mut rng = root.fork("cta");
    for company in &companies {
        let n = rng.range(6, 15);
        for _ in 0..n {
            let t = rng.range(0, TYPES.len() as i64) as usize;
            let closed = rng.chance(0.55);
            let status = if closed { rng.range(2, 4) } else { rng.range(0, 2) } as usize;
            let created = now - rng.range(1, 365) * DAY_MS - rng.range(0, DAY_MS);
            let due = created + rng.range(7, 90) * DAY_MS;
            let closed_at = closed.then(|| (created + rng.range(1, 60) * DAY_MS).min(now - DAY_MS));
            let modified = closed_at.unwrap_or(created + rng.range(0, 20) * DAY_MS).min(now - 3_600_000);
            let subject = *rng.pick(SUBJECTS[t].1);
            ctas.push(row(json!({
                "Gsid": rng.gsid("1S01"),
                "Name": subject,
                "CompanyId": company,
                "StatusId": statuses[status],
                "PriorityId": rng.pick(&priorities),
                "TypeId": types[t],
                "ReasonId": rng.pick(&reasons[t]),
                "OwnerId": rng.pick(&users),
                "DueDate": due.div_euclid(DAY_MS) * DAY_MS,
                "IsClosed": closed,
                "ClosedDate": closed_at.map_or(Value::Null, Value::from),
                "IsImportant": rng.chance(0.2),
                "EntityType": "COMPANY",
                "Comments": if rng.chance(0.5) { Value::from("Discussed on the last call.") } else { Value::Null },
                "CreatedDate": created,
                "ModifiedDate": modified,
            })));
        }
    }
    store.insert(ctas);
}
