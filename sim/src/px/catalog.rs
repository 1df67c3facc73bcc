//! The subscription-level catalog: the subscription and its product keys, the attribute model,
//! features (modules with child features), segments and engagements.

use crate::rng::Rng;
use crate::time::DAY_MS;
use serde_json::{Value, json};

pub struct Catalog {
    pub subscription: Value,
    pub product_keys: Vec<String>,
    pub account_attributes: Value,
    pub user_attributes: Value,
    pub features: Vec<Value>,
    pub segments: Vec<Value>,
    pub engagements: Vec<Value>,
}

const MODULES: &[(&str, &[&str])] = &[
    ("Dashboards", &["Create Dashboard", "Share Dashboard", "Dashboard Filters"]),
    ("Reports", &["Run Report", "Schedule Report", "Export CSV"]),
    ("Workflows", &["Build Workflow", "Approve Request"]),
    ("Administration", &["Invite User", "Configure SSO"]),
];
const SEGMENTS: &[(&str, &str)] = &[
    ("Power Users", "USER"),
    ("New Sign-ups (30d)", "USER"),
    ("Admins", "USER"),
    ("Dormant Accounts", "ACCOUNT"),
    ("Enterprise Accounts", "ACCOUNT"),
    ("Renewing This Quarter", "ACCOUNT"),
];
const ENGAGEMENT_KINDS: &[&str] = &["Dialog", "Slider", "Bubble", "Guide", "Survey"];
const ENGAGEMENT_STATES: &[&str] = &["LIVE", "LIVE", "PAUSED", "DRAFT", "COMPLETED"];
const ENGAGEMENT_NAMES: &[&str] = &[
    "Welcome Tour",
    "NPS Survey",
    "New Reports Announcement",
    "SSO Setup Guide",
    "Workflow Tips",
    "Renewal Reminder",
    "Feature Feedback",
    "Dashboard Sharing Nudge",
    "Release Notes",
    "Admin Checklist",
    "Export Walkthrough",
    "Beta Invitation",
];

fn attr(id: usize, name: &str, api_name: &str, kind: &str, origin: &str) -> Value {
    json!({
        "id": format!("attr-{id:04}"), "name": name, "apiName": api_name, "type": kind,
        "state": "ACTIVE", "origin": origin,
    })
}

fn attributes(list: &[(&str, &str, &str, &str)], id_base: usize) -> Value {
    let items = list.iter().enumerate().map(|(i, (n, a, t, o))| attr(id_base + i, n, a, t, o));
    Value::Array(items.collect())
}

pub fn generate(root: &Rng, now: i64) -> Catalog {
    let mut rng = root.fork("px-subscription");
    let alnum = |rng: &mut Rng| rng.gsid("")[..12].to_string();
    let product_keys = vec![format!("AP-{}-2", alnum(&mut rng)), format!("AP-{}-2", alnum(&mut rng))];
    let (hi, lo) = (rng.next_u64(), rng.next_u64());
    let subscription = json!({
        "id": format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xFFFF,
            hi & 0xFFF,
            0x8000 | (lo >> 48) & 0x3FFF,
            lo & 0xFFFF_FFFF_FFFF
        ),
        "name": "Outpost Demo",
        "timeZone": "America/New_York",
        "website": "https://www.outpost-demo.example",
        "products": [
            {"name": "Outpost Demo Web App", "productKeys": [{"channel": "WEB", "productKey": product_keys[0]}]},
            {"name": "Outpost Demo Mobile", "productKeys": [{"channel": "MOBILE", "productKey": product_keys[1]}]},
        ],
    });

    let account_attributes = attributes(
        &[
            ("Id", "id", "STRING", "DEFAULT"),
            ("Name", "name", "STRING", "DEFAULT"),
            ("Tracked Subscription Id", "trackedSubscriptionId", "STRING", "DEFAULT"),
            ("SFDC Id", "sfdcId", "STRING", "DEFAULT"),
            ("Last Seen Date", "lastSeenDate", "DATE_TIME", "DEFAULT"),
            ("Industry", "industry", "STRING", "DEFAULT"),
            ("Number of Employees", "numberOfEmployees", "NUMBER", "DEFAULT"),
            ("Website", "website", "STRING", "DEFAULT"),
            ("Plan", "plan", "STRING", "DEFAULT"),
            ("Number of Users", "numberOfUsers", "NUMBER", "DEFAULT"),
            ("Create Date", "createDate", "DATE_TIME", "DEFAULT"),
            ("Last Modified Date", "lastModifiedDate", "DATE_TIME", "DEFAULT"),
            ("Renewal Date", "renewalDate", "DATE_TIME", "DEFAULT"),
            ("Health Score", "healthScore", "NUMBER", "DEFAULT"),
            ("GS Id", "gsId", "STRING", "DEFAULT"),
            ("NPS", "nps", "NUMBER", "DEFAULT"),
            ("CSM", "csm", "STRING", "DEFAULT"),
            ("Contract Tier", "contractTier", "STRING", "CUSTOM"),
            ("Onboarding Complete", "onboardingComplete", "BOOLEAN", "CUSTOM"),
        ],
        1,
    );
    let user_attributes = attributes(
        &[
            ("Aptrinsic Id", "aptrinsicId", "STRING", "DEFAULT"),
            ("Identify Id", "identifyId", "STRING", "DEFAULT"),
            ("Email", "email", "STRING", "DEFAULT"),
            ("First Name", "firstName", "STRING", "DEFAULT"),
            ("Last Name", "lastName", "STRING", "DEFAULT"),
            ("Account Id", "accountId", "STRING", "DEFAULT"),
            ("Last Seen Date", "lastSeenDate", "DATE_TIME", "DEFAULT"),
            ("Sign Up Date", "signUpDate", "DATE_TIME", "DEFAULT"),
            ("First Visit Date", "firstVisitDate", "DATE_TIME", "DEFAULT"),
            ("Number of Visits", "numberOfVisits", "NUMBER", "DEFAULT"),
            ("Score", "score", "NUMBER", "DEFAULT"),
            ("Role", "role", "STRING", "DEFAULT"),
            ("Create Date", "createDate", "DATE_TIME", "DEFAULT"),
            ("Last Modified Date", "lastModifiedDate", "DATE_TIME", "DEFAULT"),
            ("Department", "department", "STRING", "CUSTOM"),
            ("Beta Opt-In", "betaOptIn", "BOOLEAN", "CUSTOM"),
        ],
        101,
    );

    let mut rng = root.fork("px-feature");
    let mut features = Vec::new();
    for (module, children) in MODULES {
        let module_id = rng.gsid("")[..24].to_lowercase();
        features.push(json!({
            "id": module_id, "name": module, "type": "MODULE", "parentFeatureId": null,
            "propertyKey": product_keys[0], "status": "ACTIVE",
        }));
        for child in *children {
            let status = if rng.chance(0.1) { "INACTIVE" } else { "ACTIVE" };
            features.push(json!({
                "id": rng.gsid("")[..24].to_lowercase(), "name": child, "type": "FEATURE",
                "parentFeatureId": module_id, "propertyKey": product_keys[usize::from(rng.chance(0.2))],
                "status": status,
            }));
        }
    }

    let mut rng = root.fork("px-segment");
    let segments = SEGMENTS
        .iter()
        .map(|(name, kind)| {
            let created = now - rng.range(30, 700) * DAY_MS;
            json!({
                "id": rng.gsid("")[..24].to_lowercase(), "name": name, "type": kind,
                "description": format!("{name} ({})", kind.to_lowercase()),
                "createDate": created, "lastModifiedDate": created + rng.range(0, 30) * DAY_MS,
            })
        })
        .collect();

    let mut rng = root.fork("px-engagement");
    let engagements = ENGAGEMENT_NAMES
        .iter()
        .map(|name| {
            let created = now - rng.range(10, 500) * DAY_MS;
            json!({
                "id": rng.gsid("")[..24].to_lowercase(), "name": name,
                "type": if name.contains("Survey") { "Survey" } else { *rng.pick(ENGAGEMENT_KINDS) },
                "state": rng.pick(ENGAGEMENT_STATES), "propertyKeys": [product_keys[0]],
                "createDate": created, "lastModifiedDate": created + rng.range(0, 10) * DAY_MS,
            })
        })
        .collect();

    Catalog {
        subscription,
        product_keys,
        account_attributes,
        user_attributes,
        features,
        segments,
        engagements,
    }
}
