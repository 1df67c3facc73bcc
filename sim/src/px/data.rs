//! Generates the PX accounts and users from the CS companies: one account per company (linked by
//! `gsId`), a handful of users each. Pure function of the seed, the CS store and the anchor day.

use super::model::{Account, DEPARTMENTS, FIRST, LAST, ROLES, User};
use crate::rng::Rng;
use crate::schema::{Row, Store};
use crate::time::{self, DAY_MS};
use serde_json::Value;

const PLANS: &[&str] = &["Starter", "Professional", "Business", "Enterprise"];
const TIERS: &[&str] = &["Bronze", "Silver", "Gold", "Platinum"];
/// Countries (with cities) per CS `Region__gc` value.
type Places = &'static [(&'static str, &'static [&'static str])];
const PLACES: &[(&str, Places)] = &[
    (
        "North America",
        &[
            ("United States", &["New York", "Austin", "Chicago", "Seattle"]),
            ("Canada", &["Toronto", "Vancouver"]),
        ],
    ),
    (
        "EMEA",
        &[
            ("United Kingdom", &["London", "Manchester"]),
            ("Germany", &["Berlin", "Munich"]),
            ("France", &["Paris", "Lyon"]),
        ],
    ),
    (
        "APAC",
        &[("Japan", &["Tokyo", "Osaka"]), ("Australia", &["Sydney", "Melbourne"]), ("India", &["Bengaluru"])],
    ),
    ("LATAM", &[("Brazil", &["São Paulo"]), ("Mexico", &["Mexico City"])]),
];

fn text(row: &Row, key: &str) -> Option<String> {
    row.get(key).and_then(Value::as_str).map(str::to_string)
}

fn number(row: &Row, key: &str) -> Option<i64> {
    match row.get(key)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => time::parse(s).or_else(|| s.parse().ok()),
        _ => None,
    }
}

fn domain(name: &str) -> String {
    let slug: String = name.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
    format!("{}.example.com", if slug.is_empty() { "account" } else { &slug })
}

pub struct Generated {
    pub accounts: Vec<Account>,
    pub users: Vec<User>,
}

pub fn generate(root: &Rng, cs: &Store, now: i64, product_keys: &[String]) -> Generated {
    let companies: &[Row] = cs.object("company").map(|o| o.rows.as_slice()).unwrap_or(&[]);
    let cs_users = cs.object("gsuser");
    let scheme = cs.object("scoring_scheme_definition");
    let mut rng = root.fork("px-account");
    let mut urng = root.fork("px-user");
    let mut accounts = Vec::with_capacity(companies.len());
    let mut users = Vec::with_capacity(companies.len() * 10);
    for (i, company) in companies.iter().enumerate() {
        let name = text(company, "Name").unwrap_or_else(|| format!("Account {}", i + 1));
        let cs_created = number(company, "CreatedDate").unwrap_or(now - 400 * DAY_MS);
        let created = (cs_created + rng.range(0, 30) * DAY_MS).min(now - DAY_MS);
        let last_seen = now - rng.range(0, 45) * DAY_MS - rng.range(0, DAY_MS);
        let modified =
            (created + rng.range(0, 200) * DAY_MS).min(now - rng.range(0, 5) * DAY_MS).max(created);
        let cs_score = text(company, "CurrentScore")
            .and_then(|id| scheme.and_then(|s| s.get(&id)))
            .and_then(|row| number(row, "Score"));
        let health_score = cs_score.unwrap_or_else(|| rng.range(10, 101)).clamp(0, 100);
        let csm = text(company, "Csm")
            .and_then(|id| cs_users.and_then(|u| u.get(&id)))
            .and_then(|row| text(row, "Email"));
        let region = text(company, "Region__gc").unwrap_or_default();
        let countries = PLACES.iter().find(|(r, _)| *r == region).unwrap_or(&PLACES[0]).1;
        let (country, cities) = *rng.pick(countries);
        let property_keys = if rng.chance(0.3) { product_keys.to_vec() } else { product_keys[..1].to_vec() };
        let user_count = rng.range(2, 19) as u32;
        let activity = rng.range(5, 95) as u8;
        let account = Account {
            id: format!("acct-{}", rng.gsid("")[..12].to_lowercase()),
            gs_id: text(company, "Gsid").unwrap_or_default(),
            industry: text(company, "Industry").unwrap_or_default(),
            employees: number(company, "Employees").unwrap_or(0),
            sfdc_id: text(company, "SfdcAccountId").unwrap_or_default(),
            health_score,
            nps: if rng.chance(0.2) { None } else { Some(rng.range(-100, 101)) },
            last_seen,
            created,
            modified,
            plan: rng.pick::<&str>(PLANS),
            domain: domain(&name),
            country,
            city: rng.pick::<&str>(cities),
            renewal: number(company, "RenewalDate"),
            csm,
            subscription_id: format!("sub-{:08}", rng.range(0, 100_000_000)),
            property_keys,
            tier: rng.pick::<&str>(TIERS),
            onboarded: rng.chance(0.75),
            first_user: users.len() as u32,
            user_count,
            activity,
            removed: false,
            name,
        };
        for ordinal in 0..user_count {
            let sign_up = (created + urng.range(0, 120) * DAY_MS + urng.range(0, DAY_MS)).min(now - DAY_MS);
            let first_visit = sign_up + urng.range(0, 3_600_000);
            let last_seen = (first_visit + urng.range(0, 400) * DAY_MS).min(now - urng.range(0, 20) * DAY_MS);
            let last_seen = last_seen.max(first_visit);
            users.push(User {
                account: i as u32,
                ordinal,
                key: urng.next_u64(),
                first: urng.range(0, FIRST.len() as i64) as u8,
                last: urng.range(0, LAST.len() as i64) as u8,
                role: urng.range(0, ROLES.len() as i64) as u8,
                department: urng.range(0, DEPARTMENTS.len() as i64) as u8,
                beta: urng.chance(0.15),
                last_seen,
                sign_up,
                first_visit,
                visits: urng.range(1, 600),
                score: urng.range(0, 101),
                created: sign_up,
                modified: last_seen.max(sign_up + urng.range(0, 30) * DAY_MS).min(now),
            });
        }
        accounts.push(account);
    }
    Generated { accounts, users }
}
