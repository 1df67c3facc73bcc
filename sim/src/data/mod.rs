//! Generates the simulated org from a seed: users (CSMs), picklists, the scoring scheme and companies.
//! Everything is a pure function of [`DataSpec`], so one seed always yields the same org.

mod activity;
mod ctas;
mod scores;

pub use activity::USAGE_OBJECT;
pub use scores::{FACT_OBJECT, HISTORY_OBJECT, HISTORY_WEEKS, MEASURES};

use crate::rng::Rng;
use crate::schema::{DataType as T, Object, Row, Store, field, lookup, multi_picklist, picklist};
use crate::time::DAY_MS;
use serde_json::{Value, json};

#[derive(Clone, Debug)]
pub struct DataSpec {
    pub seed: u64,
    pub companies: usize,
    /// The simulated "today", in days since 1970-01-01; all dates are placed around it.
    pub anchor_day: i64,
    /// Weekly history for each measure too, not only the overall score (the demo org's charts).
    pub measure_history: bool,
}

const FIRST: &[&str] =
    &["Ava", "Liam", "Maya", "Noah", "Priya", "Mateo", "Chloe", "Kenji", "Amara", "Lucas", "Sofia", "Ethan"];
const LAST: &[&str] =
    &["Okafor", "Lindqvist", "Tanaka", "Moreau", "Patel", "Hughes", "Garcia", "Novak", "Byrne", "Kim"];
const NAME_A: &[&str] = &[
    "Acme",
    "Blue",
    "Northwind",
    "Summit",
    "Vertex",
    "Harbor",
    "Granite",
    "Lumen",
    "Cobalt",
    "Pioneer",
    "Silver",
    "Redwood",
    "Atlas",
    "Beacon",
    "Crescent",
    "Evergreen",
    "Falcon",
    "Orbit",
    "Quartz",
    "Sterling",
];
const NAME_B: &[&str] = &[
    "Analytics",
    "Logistics",
    "Health",
    "Robotics",
    "Foods",
    "Energy",
    "Labs",
    "Systems",
    "Media",
    "Freight",
    "Software",
    "Bank",
    "Networks",
    "Retail",
    "Insurance",
    "Pharma",
    "Motors",
    "Cloud",
    "Studios",
    "Works",
];
const SUFFIX: &[&str] = &["Inc.", "Ltd", "GmbH", "Group", "Corp.", "Co.", "AG", "LLC"];
const INDUSTRIES: &[&str] = &[
    "Software",
    "Healthcare",
    "Financial Services",
    "Manufacturing",
    "Retail",
    "Logistics",
    "Education",
    "Media",
    "Energy",
    "Telecommunications",
];
const REGIONS: &[&str] = &["North America", "EMEA", "APAC", "LATAM"];
const SEGMENTS: &[&str] = &["Enterprise", "Mid-Market", "SMB"];
const PRODUCTS: &[&str] = &["Analytics", "Automation", "Mobile", "Integrations", "Premium Support"];
const MANAGED_AS: &[&str] =
    &["Customer", "Customer", "Customer", "Customer", "Ex-customer", "Partner", "Prospect"];

/// Score bands of the scoring scheme: name, lower bound, upper bound, colour.
pub const BANDS: &[(&str, i64, i64, &str)] =
    &[("Poor", 0, 50, "#E0474C"), ("Average", 50, 75, "#F5B73B"), ("Good", 75, 101, "#3BB273")];

pub fn generate(spec: &DataSpec) -> Store {
    let root = Rng::new(spec.seed);
    let now = spec.anchor_day * DAY_MS + 12 * 3_600_000;
    let mut store = Store::default();

    let mut users = Object::new(
        "GsUser",
        "User",
        "STANDARD",
        "1P01",
        vec![
            field("Gsid", "GSID", T::Gsid),
            field("Name", "Name", T::String),
            field("FirstName", "First Name", T::String),
            field("LastName", "Last Name", T::String),
            field("Email", "Email", T::Email),
            lookup("Manager", "Manager", "GsUser"),
            field("ModifiedDate", "Modified Date", T::DateTime),
        ],
    );
    let mut rng = root.fork("user");
    for i in 0..12 {
        let (first, last) = (FIRST[i % FIRST.len()], *rng.pick(LAST));
        let gsid = rng.gsid("1P01");
        users.push(row(json!({
            "Gsid": gsid, "Name": format!("{first} {last}"), "FirstName": first, "LastName": last,
            "Email": format!("{}.{}@example.com", first.to_lowercase(), last.to_lowercase()),
            "Manager": null,
            "ModifiedDate": now - 400 * DAY_MS,
        })));
    }
    // The first user leads the CS team and manages the others (a lookup chain for `__gr` depth).
    let head = users.rows.first().and_then(|r| r.get("Gsid")).cloned().unwrap_or(Value::Null);
    for r in users.rows.iter_mut().skip(1) {
        r.insert("Manager".into(), head.clone());
    }

    let mut picklists = Object::new(
        "da_picklist",
        "Picklist",
        "SYSTEM",
        "1I00",
        vec![
            field("Gsid", "GSID", T::Gsid),
            field("Name", "Name", T::String),
            field("Category", "Category", T::String),
            field("Active", "Active", T::Boolean),
            field("ModifiedDate", "Modified Date", T::DateTime),
        ],
    );
    let mut rng = root.fork("picklist");
    let mut category = |cat: &str, labels: &[&str]| -> Vec<String> {
        labels
            .iter()
            .map(|label| {
                let gsid = rng.gsid("1I00");
                picklists.push(row(json!({"Gsid": gsid, "Name": label, "Category": cat, "Active": true})));
                gsid
            })
            .collect()
    };
    let stages =
        category("Company Stage", &["New Customer", "Kick Off", "Launched", "Adopting", "Will Churn"]);
    let statuses = category("Company Status", &["Active", "Inactive", "Churn"]);
    let products = category("Company Products", PRODUCTS);

    let mut scheme = Object::new(
        "scoring_scheme_definition",
        "Scoring Scheme Definition",
        "STANDARD",
        "1S05",
        vec![
            field("Gsid", "GSID", T::Gsid),
            field("Name", "Name", T::String),
            field("Score", "Score", T::Number),
            field("RangeFrom", "Range From", T::Number),
            field("RangeTo", "Range To", T::Number),
            field("Color", "Color", T::String),
            field("ModifiedDate", "Modified Date", T::DateTime),
        ],
    );
    // One scheme row per score 0..=100, as a numeric scheme resolves a score to its band's label.
    let mut rng = root.fork("scheme");
    let mut score_ids = Vec::with_capacity(101);
    for score in 0..=100 {
        let (name, from, to, color) =
            BANDS.iter().find(|b| score >= b.1 && score < b.2).copied().unwrap_or(BANDS[0]);
        let gsid = rng.gsid("1S05");
        scheme.push(row(json!({
            "Gsid": gsid, "Name": name, "Score": score, "RangeFrom": from, "RangeTo": to - 1, "Color": color,
            "ModifiedDate": now - 500 * DAY_MS,
        })));
        score_ids.push(gsid);
    }

    let mut companies = Object::new(
        "Company",
        "Company",
        "STANDARD",
        "1P02",
        vec![
            field("Gsid", "GSID", T::Gsid),
            field("Name", "Name", T::String),
            field("Industry", "Industry", T::String),
            field("Arr", "ARR", T::Currency),
            field("Mrr", "MRR", T::Currency),
            field("RenewalDate", "Renewal Date", T::Date),
            field("OriginalContractDate", "Original Contract Date", T::Date),
            picklist("Stage", "Stage", "Company Stage"),
            picklist("Status", "Status", "Company Status"),
            lookup("Csm", "CSM", "GsUser"),
            field("ManagedAs", "Managed As", T::String),
            field("Employees", "Employees", T::Number),
            field("SfdcAccountId", "SFDC Account ID", T::String),
            lookup("CurrentScore", "Current Score", "scoring_scheme_definition"),
            field("CreatedDate", "Created Date", T::DateTime),
            field("ModifiedDate", "Modified Date", T::DateTime),
            field("Region__gc", "Region", T::String),
            field("Segment__gc", "Segment", T::String),
            field("NpsScore__gc", "NPS Score", T::Number),
            field("OnboardingComplete__gc", "Onboarding Complete", T::Boolean),
            multi_picklist("Products__gc", "Products", "Company Products"),
        ],
    );
    let mut rng = root.fork("company");
    // A stream of its own, so the multi-select field leaves every other company value as it was.
    let mut product_rng = root.fork("company-products");
    for i in 0..spec.companies {
        let name = format!("{} {} {}", rng.pick(NAME_A), rng.pick(NAME_B), rng.pick(SUFFIX));
        // Names repeat in large orgs, as they do in real ones; a numeric tail keeps them tellable apart.
        let name = if i >= NAME_A.len() * NAME_B.len() { format!("{name} {}", i + 1) } else { name };
        let employees = rng.range(20, 20_000);
        let arr = rng.range(12, 2_400) * 1000;
        let created = now - rng.range(60, 2_000) * DAY_MS - rng.range(0, DAY_MS);
        let modified = (created + rng.range(0, 60) * DAY_MS).min(now - rng.range(1, 30) * DAY_MS);
        let score = (rng.range(15, 100) + rng.range(0, 30)).min(100);
        let sfdc = format!("001{}", &rng.gsid("")[..15]);
        let csm = users.rows[rng.range(0, users.rows.len() as i64) as usize]["Gsid"].clone();
        let owned: Vec<&str> =
            products.iter().filter(|_| product_rng.chance(0.35)).map(String::as_str).collect();
        companies.push(row(json!({
            "Gsid": rng.gsid("1P02"),
            "Name": name,
            "Industry": rng.pick(INDUSTRIES),
            "Arr": arr,
            "Mrr": arr / 12,
            "RenewalDate": (spec.anchor_day + rng.range(-30, 400)) * DAY_MS,
            "OriginalContractDate": created,
            "Stage": rng.pick(&stages),
            "Status": statuses[usize::from(rng.chance(0.08))],
            "Csm": csm,
            "ManagedAs": rng.pick(MANAGED_AS),
            "Employees": employees,
            "SfdcAccountId": sfdc,
            "CurrentScore": score_ids[score as usize],
            "CreatedDate": created,
            "ModifiedDate": modified,
            "Region__gc": rng.pick(REGIONS),
            "Segment__gc": SEGMENTS[if employees > 5000 { 0 } else if employees > 500 { 1 } else { 2 }],
            "NpsScore__gc": rng.range(-40, 90),
            "OnboardingComplete__gc": rng.chance(0.8),
            "Products__gc": if owned.is_empty() { Value::Null } else { Value::from(owned.join(";")) },
        })));
    }

    for object in [users, picklists, scheme, companies] {
        store.insert(object);
    }
    ctas::add(&mut store, &root, now);
    scores::add(&mut store, &root, spec, now);
    activity::add(&mut store, &root, spec, now);
    store
}

/// Adds items to `da_picklist` under `category` and returns their GSIDs in order.
pub(crate) fn add_picklist(store: &mut Store, rng: &mut Rng, category: &str, labels: &[&str]) -> Vec<String> {
    let Some(picklists) = store.object_mut("da_picklist") else {
        return Vec::new();
    };
    labels
        .iter()
        .map(|label| {
            let gsid = rng.gsid("1I00");
            picklists.push(row(json!({"Gsid": gsid, "Name": label, "Category": category, "Active": true})));
            gsid
        })
        .collect()
}

/// The GSIDs of every row of `object`, in generation order.
pub(crate) fn ids(store: &Store, object: &str) -> Vec<String> {
    store
        .object(object)
        .map(|o| {
            o.rows.iter().filter_map(|r| r.get("Gsid").and_then(Value::as_str).map(str::to_string)).collect()
        })
        .unwrap_or_default()
}

pub(crate) fn row(value: Value) -> Row {
    match value {
        Value::Object(map) => map,
        _ => Row::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_requested_counts_with_resolvable_lookups() {
        let store =
            generate(&DataSpec { seed: 3, companies: 40, anchor_day: 20_000, measure_history: false });
        let companies = store.object("company").expect("company object");
        assert_eq!(companies.rows.len(), 40);
        let users = store.object("gsuser").expect("user object");
        for c in &companies.rows {
            let csm = c["Csm"].as_str().expect("csm id");
            assert!(users.get(csm).is_some(), "every CSM lookup must resolve");
        }
    }

    #[test]
    fn measure_history_adds_each_measures_weeks_and_changes_nothing_else() {
        let spec = |measure_history| DataSpec { seed: 3, companies: 12, anchor_day: 20_000, measure_history };
        let (plain, with) = (generate(&spec(false)), generate(&spec(true)));
        for object in ["company", "call_to_action", FACT_OBJECT] {
            assert_eq!(
                plain.object(object).map(|o| &o.rows),
                with.object(object).map(|o| &o.rows),
                "{object}"
            );
        }
        let history = |s: &Store| s.object(HISTORY_OBJECT).map(|o| o.rows.clone()).unwrap_or_default();
        let (before, after) = (history(&plain), history(&with));
        assert_eq!(before.len() as i64, 12 * HISTORY_WEEKS);
        assert_eq!(after.len() as i64, 12 * HISTORY_WEEKS * MEASURES.len() as i64);
        assert!(before.iter().all(|r| after.contains(r)), "the overall weeks are the same");
        // Each measure's newest week is its current score in the fact object.
        let newest = after.iter().filter_map(|r| r["SnapshotDate"].as_i64()).max().expect("weeks");
        for f in &with.object(FACT_OBJECT).expect("fact").rows {
            let week = after
                .iter()
                .find(|r| {
                    r["CompanyId"] == f["CompanyId"]
                        && r["MeasureId"] == f["MeasureId"]
                        && r["SnapshotDate"] == newest
                })
                .expect("a newest week for every measure");
            assert_eq!(week["ScoreId"], f["CurScoreId"], "{:?}", f["MeasureId"]);
        }
    }
}
