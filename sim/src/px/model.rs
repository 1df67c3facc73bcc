//! PX accounts and users, stored compactly and turned into JSON field by field, so a large org
//! (20,000 accounts, ~200,000 users) generates quickly and filters read only the fields they test.

use serde_json::{Map, Value, json};

pub const FIRST: &[&str] = &[
    "Olivia", "Arjun", "Hana", "Diego", "Freya", "Kwame", "Lena", "Marco", "Nadia", "Oscar", "Ruth", "Tomas",
    "Yuki", "Zara", "Felix", "Ines",
];
pub const LAST: &[&str] = &[
    "Adeyemi", "Berg", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Haddad", "Ivanova", "Jensen",
    "Kowalski", "Larsen", "Mensah", "Nakamura", "Olsen", "Reyes",
];
pub const ROLES: &[&str] = &["Admin", "Manager", "Analyst", "Viewer", "Owner"];
pub const DEPARTMENTS: &[&str] = &["Sales", "Support", "Finance", "Engineering", "Marketing", "Operations"];

pub const ACCOUNT_FIELDS: &[&str] = &[
    "id",
    "name",
    "trackedSubscriptionId",
    "sfdcId",
    "lastSeenDate",
    "industry",
    "numberOfEmployees",
    "website",
    "plan",
    "location",
    "numberOfUsers",
    "propertyKeys",
    "createDate",
    "lastModifiedDate",
    "customAttributes",
    "renewalDate",
    "healthScore",
    "gsId",
    "nps",
    "csm",
];

pub const USER_FIELDS: &[&str] = &[
    "aptrinsicId",
    "identifyId",
    "email",
    "firstName",
    "lastName",
    "accountId",
    "lastSeenDate",
    "signUpDate",
    "firstVisitDate",
    "numberOfVisits",
    "score",
    "role",
    "createDate",
    "lastModifiedDate",
    "customAttributes",
];

pub struct Account {
    pub id: String,
    pub gs_id: String,
    pub name: String,
    pub industry: String,
    pub employees: i64,
    pub sfdc_id: String,
    pub health_score: i64,
    pub nps: Option<i64>,
    pub last_seen: i64,
    pub created: i64,
    pub modified: i64,
    pub plan: &'static str,
    pub domain: String,
    pub country: &'static str,
    pub city: &'static str,
    pub renewal: Option<i64>,
    pub csm: Option<String>,
    pub subscription_id: String,
    pub property_keys: Vec<String>,
    pub tier: &'static str,
    pub onboarded: bool,
    /// This account's users: `users[first_user..first_user + user_count]`.
    pub first_user: u32,
    pub user_count: u32,
    /// Chance (percent) the account uses the product on a given day; drives generated events.
    pub activity: u8,
    /// Deleted through the control API: no longer listed, and neither are its users or events.
    pub removed: bool,
}

impl Account {
    pub fn get(&self, field: &str) -> Option<Value> {
        Some(match field {
            "id" => json!(self.id),
            "name" => json!(self.name),
            "trackedSubscriptionId" => json!(self.subscription_id),
            "sfdcId" => json!(self.sfdc_id),
            "lastSeenDate" => json!(self.last_seen),
            "industry" => json!(self.industry),
            "numberOfEmployees" => json!(self.employees),
            "website" => json!(format!("https://www.{}", self.domain)),
            "plan" => json!(self.plan),
            "location" => json!({"countryName": self.country, "city": self.city}),
            "numberOfUsers" => json!(self.user_count),
            "propertyKeys" => json!(self.property_keys),
            "createDate" => json!(self.created),
            "lastModifiedDate" => json!(self.modified),
            "customAttributes" => json!({"contractTier": self.tier, "onboardingComplete": self.onboarded}),
            "renewalDate" => json!(self.renewal),
            "healthScore" => json!(self.health_score),
            "gsId" => json!(self.gs_id),
            "nps" => json!(self.nps),
            "csm" => json!(self.csm),
            _ => return None,
        })
    }

    pub fn to_json(&self) -> Value {
        to_json(ACCOUNT_FIELDS, |f| self.get(f))
    }
}

pub struct User {
    /// Index of the account in `PxData::accounts`.
    pub account: u32,
    /// Position within the account, which keeps emails unique.
    pub ordinal: u32,
    /// Source of the user's ids.
    pub key: u64,
    pub first: u8,
    pub last: u8,
    pub role: u8,
    pub department: u8,
    pub beta: bool,
    pub last_seen: i64,
    pub sign_up: i64,
    pub first_visit: i64,
    pub visits: i64,
    pub score: i64,
    pub created: i64,
    pub modified: i64,
}

impl User {
    pub fn identify_id(&self) -> String {
        format!("u-{:010x}", self.key >> 24)
    }

    pub fn get(&self, account: &Account, field: &str) -> Option<Value> {
        let (first, last) = (FIRST[usize::from(self.first)], LAST[usize::from(self.last)]);
        Some(match field {
            "aptrinsicId" => {
                let k = self.key;
                let tail = k.rotate_left(17) & 0xFFFF_FFFF_FFFF;
                json!(format!(
                    "{:08x}-{:04x}-4{:03x}-a{:03x}-{tail:012x}",
                    k >> 32,
                    (k >> 16) & 0xFFFF,
                    k & 0xFFF,
                    (k >> 40) & 0xFFF
                ))
            }
            "identifyId" => json!(self.identify_id()),
            "email" => {
                let n = if self.ordinal == 0 { String::new() } else { self.ordinal.to_string() };
                json!(format!("{}.{}{n}@{}", first.to_lowercase(), last.to_lowercase(), account.domain))
            }
            "firstName" => json!(first),
            "lastName" => json!(last),
            "accountId" => json!(account.id),
            "lastSeenDate" => json!(self.last_seen),
            "signUpDate" => json!(self.sign_up),
            "firstVisitDate" => json!(self.first_visit),
            "numberOfVisits" => json!(self.visits),
            "score" => json!(self.score),
            "role" => json!(ROLES[usize::from(self.role)]),
            "createDate" => json!(self.created),
            "lastModifiedDate" => json!(self.modified),
            "customAttributes" => json!({
                "department": DEPARTMENTS[usize::from(self.department)],
                "betaOptIn": self.beta,
            }),
            _ => return None,
        })
    }

    pub fn to_json(&self, account: &Account) -> Value {
        to_json(USER_FIELDS, |f| self.get(account, f))
    }
}

fn to_json(fields: &[&str], get: impl Fn(&str) -> Option<Value>) -> Value {
    let map: Map<String, Value> =
        fields.iter().filter_map(|f| get(f).map(|v| ((*f).to_string(), v))).collect();
    Value::Object(map)
}

/// A dotted field path (`location.city`) read through `get` for its first step.
pub fn path_value(get: impl Fn(&str) -> Option<Value>, path: &str) -> Option<Value> {
    let (head, rest) = path.split_once('.').map_or((path, None), |(h, r)| (h, Some(r)));
    let top = get(head)?;
    Some(match rest {
        None => top,
        Some(rest) => super::filter::dig(&top, rest),
    })
}
