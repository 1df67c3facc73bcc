//! Timeline activities, a custom usage object, and the (initially empty) delete log.

use super::{ids, row};
use crate::data::DataSpec;
use crate::rng::Rng;
use crate::schema::{DataType as T, Object, Store, field, lookup};
use crate::time::DAY_MS;
use serde_json::json;

pub const USAGE_OBJECT: &str = "product_usage__gc";
pub const USAGE_WEEKS: i64 = 8;
const SUBJECTS: &[&str] =
    &["Kick-off call", "QBR", "Support review", "Renewal check-in", "Training session", "Exec sync"];

pub fn add(store: &mut Store, root: &Rng, spec: &DataSpec, now: i64) {
    let companies = ids(store, "company");
    let users = ids(store, "gsuser");
    let mut rng = root.fork("timeline");
    let mut timeline = Object::new(
        "activity_timeline",
        "Activity Timeline",
        "STANDARD",
        "1T01",
        vec![
            field("Gsid", "GSID", T::Gsid),
            field("Subject", "Subject", T::String),
            field("Notes", "Notes", T::String),
            field("ActivityDate", "Activity Date", T::DateTime),
            lookup("GsCompanyId", "Company", "company"),
            lookup("AuthorId", "Author", "GsUser"),
            field("CreatedDate", "Created Date", T::DateTime),
            field("LastModifiedDate", "Last Modified Date", T::DateTime),
        ],
    );
    for company in &companies {
        for _ in 0..rng.range(1, 5) {
            let at = now - rng.range(1, 200) * DAY_MS;
            timeline.push(row(json!({
                "Gsid": rng.gsid("1T01"), "Subject": rng.pick(SUBJECTS), "Notes": "Notes from the meeting.",
                "ActivityDate": at, "GsCompanyId": company, "AuthorId": rng.pick(&users),
                "CreatedDate": at, "LastModifiedDate": at + rng.range(0, 3) * DAY_MS,
            })));
        }
    }

    let mut rng = root.fork("usage");
    let mut usage = Object::new(
        USAGE_OBJECT,
        "Product Usage",
        "CUSTOM",
        "1Z02",
        vec![
            field("Gsid", "GSID", T::Gsid),
            lookup("CompanyId__gc", "Company", "company"),
            field("UsageDate__gc", "Week", T::Date),
            field("ActiveUsers__gc", "Active Users", T::Number),
            field("Logins__gc", "Logins", T::Number),
            field("FeatureEvents__gc", "Feature Events", T::Number),
            field("ModifiedDate", "Modified Date", T::DateTime),
        ],
    );
    let week_start = (spec.anchor_day - spec.anchor_day.rem_euclid(7)) * DAY_MS;
    for company in &companies {
        let mut active = rng.range(5, 400);
        for week in 0..USAGE_WEEKS {
            let date = week_start - week * 7 * DAY_MS;
            usage.push(row(json!({
                "Gsid": rng.gsid("1Z02"), "CompanyId__gc": company, "UsageDate__gc": date,
                "ActiveUsers__gc": active, "Logins__gc": active * rng.range(2, 9),
                "FeatureEvents__gc": active * rng.range(10, 60), "ModifiedDate": date + DAY_MS,
            })));
            active = (active + rng.range(-20, 21)).max(0);
        }
    }

    let delete_log = Object::new(
        "record_delete_log",
        "Record Delete Log",
        "SYSTEM",
        "1D01",
        vec![
            field("Gsid", "GSID", T::Gsid),
            field("RecordId", "Record ID", T::String),
            field("ObjectName", "Object Name", T::String),
            field("DeletedOn", "Deleted On", T::DateTime),
        ],
    );
    for o in [timeline, usage, delete_log] {
        store.insert(o);
    }
}
