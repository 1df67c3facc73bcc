//! The subscription-level catalog: the subscription and its product keys, the attribute model,
//! features (modules with child features), segments, engagements, articles and KC bots, with the
//! fields the PX REST description (v0.1.6) gives them and no others.

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
    pub articles: Vec<Value>,
    pub kcbots: Vec<Value>,
}

const MODULES: &[(&str, &[&str])] = &[
    ("Dashboards", &["Create Dashboard", "Share Dashboard", "Dashboard Filters"]),
    ("Reports", &["Run Report", "Schedule Report", "Export CSV"]),
    ("Workflows", &["Build Workflow", "Approve Request"]),
    ("Administration", &["Invite User", "Configure SSO"]),
];
const SEGMENTS: &[&str] = &[
    "Power Users",
    "New Sign-ups (30d)",
    "Admins",
    "Dormant Accounts",
    "Enterprise Accounts",
    "Renewing This Quarter",
];
/// Engagements (name, type); each is also run per region, so there are more than a default page.
const ENGAGEMENTS: &[(&str, &str)] = &[
    ("Welcome Tour", "IN_APP_GUIDE"),
    ("NPS Survey", "IN_APP_NPS_SURVEY"),
    ("New Reports Announcement", "IN_APP_DIALOG"),
    ("SSO Setup Guide", "IN_APP_GUIDE"),
    ("Workflow Tips", "IN_APP_CAROUSEL"),
    ("Renewal Reminder", "OUT_BOUND_EMAIL"),
    ("Feature Feedback", "IN_APP_RATING_SURVEY"),
    ("Dashboard Sharing Nudge", "IN_APP_NOTIFICATION"),
    ("Release Notes", "IN_APP_DIALOG"),
    ("Admin Checklist", "IN_APP_GUIDE"),
    ("Onboarding Email Series", "EMAIL"),
    ("Support Effort Survey", "IN_APP_CES_SURVEY"),
];
const ENGAGEMENT_REGIONS: &[&str] = &["", " (EMEA)", " (APAC)"];
const ENGAGEMENT_STATES: &[&str] = &["STARTED", "STARTED", "STARTED", "PAUSED", "EDITING", "COMPLETED"];
const ARTICLE_TOPICS: &[&str] = &["Dashboards", "Reports", "Workflows", "Single Sign-On", "User Management"];
const ARTICLE_KINDS: &[&str] = &["Getting started with", "FAQ:", "Troubleshooting", "Best practices for"];
const AUTHORS: &[&str] = &["Priya Patel", "Lucas Moreau", "Amara Okafor"];
const KCBOTS: &[(&str, &str)] = &[
    ("Help Center", "Articles and guides for every user"),
    ("Admin Assistant", "Setup help for administrators"),
    ("Mobile Help", "Help inside the mobile app"),
];

/// The product id the PX description's `productId` parameter takes, from a product key
/// (`AP-XXXXXXXXXXXX-2` → `XXXXXXXXXXXX`).
pub fn product_id(product_key: &str) -> String {
    product_key.trim_start_matches("AP-").trim_end_matches("-2").to_string()
}

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
            "propertyKey": product_keys[0], "status": "ACTIVATED",
        }));
        for child in *children {
            let status = if rng.chance(0.1) { "DELETED" } else { "ACTIVATED" };
            features.push(json!({
                "id": rng.gsid("")[..24].to_lowercase(), "name": child, "type": "FEATURE",
                "parentFeatureId": module_id, "propertyKey": product_keys[usize::from(rng.chance(0.2))],
                "status": status,
            }));
        }
    }

    let mut rng = root.fork("px-segment");
    let segments =
        SEGMENTS.iter().map(|name| json!({"id": rng.gsid("")[..24].to_lowercase(), "name": name})).collect();

    let mut rng = root.fork("px-engagement");
    let mut engagements = Vec::new();
    for region in ENGAGEMENT_REGIONS {
        for (name, kind) in ENGAGEMENTS {
            let state = *rng.pick(ENGAGEMENT_STATES);
            let envs: &[&str] = match state {
                "EDITING" => &["STAGE"],
                _ if rng.chance(0.2) => &["PRODUCTION", "STAGE"],
                _ => &["PRODUCTION"],
            };
            engagements.push(json!({
                "id": rng.gsid("")[..24].to_lowercase(), "name": format!("{name}{region}"), "type": kind,
                "state": state, "propertyKeys": [product_keys[0]], "envs": envs,
            }));
        }
    }

    let mut rng = root.fork("px-kcbot");
    let products = [("Outpost Demo Web App", &product_keys[0]), ("Outpost Demo Mobile", &product_keys[1])];
    let kcbots: Vec<Value> = KCBOTS
        .iter()
        .enumerate()
        .map(|(i, (name, description))| {
            let (product, key) = products[usize::from(i == 2)];
            let created = now - rng.range(100, 700) * DAY_MS;
            json!({
                "id": rng.gsid("")[..24].to_lowercase(), "name": name, "description": description,
                "status": if i == 2 { "PAUSED" } else { "STARTED" }, "environments": ["PRODUCTION"],
                "priority": i + 1, "productId": product_id(key), "productName": product,
                "defaultLanguage": "en-US", "createdDate": created, "modifiedDate": created + rng.range(0, 90) * DAY_MS,
            })
        })
        .collect();

    let mut rng = root.fork("px-article");
    let mut articles = Vec::new();
    for topic in ARTICLE_TOPICS {
        for kind in ARTICLE_KINDS {
            let bot = &kcbots[usize::from(rng.chance(0.3))];
            let created = now - rng.range(20, 600) * DAY_MS;
            articles.push(json!({
                "id": rng.gsid("")[..24].to_lowercase(), "articleName": format!("{kind} {topic}"),
                "author": rng.pick(AUTHORS), "defaultLanguage": "en-US",
                "productId": bot["productId"], "productName": bot["productName"],
                "articleKCs": [{"kcId": bot["id"], "kcName": bot["name"]}],
                "createdDate": created, "modifiedDate": created + rng.range(0, 20) * DAY_MS,
            }));
        }
    }

    Catalog {
        subscription,
        product_keys,
        account_attributes,
        user_attributes,
        features,
        segments,
        engagements,
        articles,
        kcbots,
    }
}
