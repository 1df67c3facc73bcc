//! The PX surface on a real socket: keys per region and permission, every endpoint, both paging
//! families and their caps, filters and sorts, event windows, and determinism.

use gainsight_sim::{DEMO_PX_API_KEY, OrgProfile, PxKey, Region, RunningSim, SimConfig};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashSet};

const EU_KEY: &str = "eu-px-key";
const NO_READ_KEY: &str = "us-write-only-key";
const DAY: i64 = 86_400_000;
const NOW: i64 = 20_400 * DAY + 12 * 3_600_000;

fn config(seed: u64) -> SimConfig {
    let mut keys = SimConfig::default().px_keys;
    keys.push(PxKey { key: EU_KEY.into(), region: Region::Eu, read: true, write: false });
    keys.push(PxKey { key: NO_READ_KEY.into(), region: Region::Us, read: false, write: true });
    SimConfig { seed, anchor_day: Some(20_400), px_keys: keys, ..Default::default() }
}

async fn sim(seed: u64) -> RunningSim {
    gainsight_sim::start(config(seed)).await.expect("start sim")
}

/// GET `{base}/px/{region}/v1{path}` with an optional key; status, parsed body and raw text.
async fn call(sim: &RunningSim, region: &str, path: &str, key: Option<&str>) -> (u16, Value, String) {
    let mut req = reqwest::Client::new().get(format!("{}/px/{region}/v1{path}", sim.base_url()));
    if let Some(k) = key {
        req = req.header("x-aptrinsic-api-key", k);
    }
    let resp = req.send().await.expect("send");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null), text)
}

async fn us(sim: &RunningSim, path: &str) -> (u16, Value) {
    let (s, v, _) = call(sim, "us", path, Some(DEMO_PX_API_KEY)).await;
    (s, v)
}

fn message(v: &Value) -> &str {
    v["externalapierror"]["message"].as_str().unwrap_or("")
}

/// Follows a scroll until a short page; returns every item and the last reply.
async fn scroll_all(sim: &RunningSim, path: &str, key: &str, size: usize) -> (Vec<Value>, Value) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut url = format!("{path}{sep}pageSize={size}");
    let mut items = Vec::new();
    loop {
        let (s, v) = us(sim, &url).await;
        assert_eq!(s, 200, "{url}: {v}");
        let page = v[key].as_array().expect("list").clone();
        let short = page.len() < size;
        items.extend(page);
        if short {
            return (items, v);
        }
        let sid = v["scrollId"].as_str().expect("scroll id on a full page");
        url = format!("{path}{sep}pageSize={size}&scrollId={sid}");
    }
}

#[tokio::test]
async fn keys_are_checked_per_region_and_permission() {
    let sim = sim(1).await;
    let (s, v, _) = call(&sim, "us", "/admin/subscription", Some(DEMO_PX_API_KEY)).await;
    assert_eq!(s, 200, "{v}");
    let (s, v, _) = call(&sim, "us", "/admin/subscription", Some("nope")).await;
    assert_eq!((s, message(&v)), (401, "Unauthorized or bad API Key"));
    assert_eq!(v["externalapierror"]["status"], "UNAUTHORIZED");
    let (s, _, _) = call(&sim, "us", "/accounts", None).await;
    assert_eq!(s, 401);
    let (s, _, _) = call(&sim, "us", "/accounts", Some(EU_KEY)).await;
    assert_eq!(s, 401, "an EU key must not work in the US data centre");
    let (s, _, _) = call(&sim, "eu", "/accounts", Some(EU_KEY)).await;
    assert_eq!(s, 200, "an EU key works under the EU prefix");
    let (s, _, _) = call(&sim, "eu", "/accounts", Some(DEMO_PX_API_KEY)).await;
    assert_eq!(s, 401, "a US key must not work in the EU data centre");
    let (s, v, _) = call(&sim, "us", "/users", Some(NO_READ_KEY)).await;
    assert_eq!((s, v["externalapierror"]["status"].as_str()), (403, Some("FORBIDDEN")));
    let (s, _, _) = call(&sim, "apac", "/accounts", Some(DEMO_PX_API_KEY)).await;
    assert_eq!(s, 404, "unknown region slug");
    let (s, _, _) = call(&sim, "us", "/no/such/endpoint", Some(DEMO_PX_API_KEY)).await;
    assert_eq!(s, 404);
    let c = sim.counters();
    assert_eq!((c.unauthorized, c.missing_auth), (3, 1));
    assert_eq!(c.calls_to("/px/us/v1/accounts"), 2);
}

#[tokio::test]
async fn admin_endpoints_describe_the_subscription() {
    let sim = sim(2).await;
    let (s, v) = us(&sim, "/admin/subscription").await;
    assert_eq!(s, 200);
    for k in ["id", "name", "timeZone", "website"] {
        assert!(v[k].is_string(), "subscription.{k}: {v}");
    }
    let key = &v["products"][0]["productKeys"][0];
    assert!(key["channel"].is_string() && key["productKey"].as_str().is_some_and(|k| k.starts_with("AP-")));
    for object in ["account", "user"] {
        let (s, v) = us(&sim, &format!("/admin/model/{object}/attributes")).await;
        assert_eq!(s, 200);
        let attrs = v.as_array().expect("bare array");
        assert!(attrs.len() > 10);
        for a in attrs {
            assert!(["STRING", "DATE_TIME", "BOOLEAN", "NUMBER"].contains(&a["type"].as_str().unwrap_or("")));
            assert!(["CUSTOM", "DEFAULT"].contains(&a["origin"].as_str().unwrap_or("")));
            assert!(
                a["id"].is_string()
                    && a["name"].is_string()
                    && a["apiName"].is_string()
                    && a["state"].is_string()
            );
        }
        assert!(attrs.iter().any(|a| a["origin"] == "CUSTOM"));
    }
}

#[tokio::test]
async fn accounts_scroll_once_each_and_the_last_page_keeps_a_scroll_id() {
    let sim = sim(3).await;
    let (items, last) = scroll_all(&sim, "/accounts", "accounts", 7).await;
    let ids: HashSet<&str> = items.iter().map(|a| a["id"].as_str().expect("id")).collect();
    assert_eq!(items.len(), 50, "one account per CS company");
    assert_eq!(ids.len(), 50, "no account repeated");
    assert_eq!(last["totalHits"], 50);
    let sid = last["scrollId"].as_str().expect("scrollId is not null on the last page");
    let (s, v) = us(&sim, &format!("/accounts?pageSize=7&scrollId={sid}")).await;
    assert_eq!((s, v["accounts"].as_array().map(Vec::len)), (200, Some(0)));
    assert!(v["scrollId"].is_string());

    let a = &items[0];
    for k in ["id", "gsId", "name", "sfdcId", "plan", "website", "trackedSubscriptionId", "industry"] {
        assert!(a[k].is_string(), "account.{k}: {a}");
    }
    for k in ["lastSeenDate", "createDate", "lastModifiedDate", "numberOfUsers", "numberOfEmployees"] {
        assert!(a[k].is_i64(), "account.{k}: {a}");
    }
    assert!((0..=100).contains(&a["healthScore"].as_i64().expect("health")));
    assert!(a["nps"].is_null() || (-100..=100).contains(&a["nps"].as_i64().expect("nps")));
    assert!(a["location"]["countryName"].is_string() && a["location"]["city"].is_string());
    assert!(a["customAttributes"].is_object() && a["propertyKeys"].is_array());
    assert!(a["gsId"].as_str().is_some_and(|g| g.starts_with("1P02") && g.len() == 36));

    // gsId joins each PX account to its CS company.
    let cs: Value = reqwest::Client::new()
        .post(format!("{}/v1/data/objects/query/Company", sim.base_url()))
        .header("Accesskey", gainsight_sim::DEMO_ACCESS_KEY)
        .json(&json!({"select": ["Gsid"], "limit": 5000, "offset": 0}))
        .send()
        .await
        .expect("cs query")
        .json()
        .await
        .expect("cs json");
    let rows = cs["data"]["records"].as_array().or(cs["data"].as_array()).expect("cs rows");
    let cs_ids: BTreeSet<&str> = rows.iter().filter_map(|r| r["Gsid"].as_str()).collect();
    let px_ids: BTreeSet<&str> = items.iter().filter_map(|a| a["gsId"].as_str()).collect();
    assert_eq!(cs_ids, px_ids);
}

#[tokio::test]
async fn users_belong_to_accounts_and_bad_scroll_ids_are_400() {
    let sim = sim(4).await;
    let (accounts, _) = scroll_all(&sim, "/accounts", "accounts", 1000).await;
    let ids: HashSet<&str> = accounts.iter().filter_map(|a| a["id"].as_str()).collect();
    let (users, last) = scroll_all(&sim, "/users", "users", 100).await;
    assert_eq!(last["totalHits"].as_u64(), Some(users.len() as u64));
    assert!(users.len() > 200 && users.len() < 1000, "about ten users per account: {}", users.len());
    let emails: HashSet<&str> = users.iter().filter_map(|u| u["email"].as_str()).collect();
    assert_eq!(emails.len(), users.len(), "emails are unique");
    for u in &users {
        assert!(ids.contains(u["accountId"].as_str().expect("accountId")));
        for k in ["aptrinsicId", "identifyId", "email", "firstName", "lastName", "role"] {
            assert!(u[k].is_string(), "user.{k}: {u}");
        }
        for k in ["lastSeenDate", "signUpDate", "firstVisitDate", "numberOfVisits", "score", "createDate"] {
            assert!(u[k].is_i64(), "user.{k}: {u}");
        }
    }
    let (s, v) = us(&sim, "/users?scrollId=garbage").await;
    assert_eq!(s, 400, "{v}");
    assert!(!message(&v).is_empty());
    let (_, first) = us(&sim, "/accounts?pageSize=5").await;
    let sid = first["scrollId"].as_str().expect("sid");
    let (s, _) = us(&sim, &format!("/users?scrollId={sid}")).await;
    assert_eq!(s, 400, "an accounts scroll id is not a users scroll id");
}

#[tokio::test]
async fn page_size_caps_are_400() {
    let sim = sim(5).await;
    for (path, max) in [
        ("/accounts", 1000),
        ("/users", 1000),
        ("/feature", 200),
        ("/segment", 200),
        ("/engagement", 500),
        ("/articles", 500),
        ("/kcbot", 500),
        ("/events/feature_match", 1000),
        ("/events/custom", 1000),
        ("/events/session", 1000),
        ("/survey/responses", 1000),
    ] {
        let (s, v) = us(&sim, &format!("{path}?pageSize={}", max + 1)).await;
        assert_eq!(s, 400, "{path} above its cap: {v}");
        assert!(message(&v).contains("pageSize"));
        let (s, _) = us(&sim, &format!("{path}?pageSize={max}")).await;
        assert_eq!(s, 200, "{path} at its cap");
    }
    let (s, _) = us(&sim, "/accounts?pageSize=0").await;
    assert_eq!(s, 400);
    let (s, _) = us(&sim, "/feature?pageNumber=-1").await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn filters_and_sorts() {
    let sim = sim(6).await;
    let (_, all) = us(&sim, "/accounts?pageSize=1000").await;
    let all = all["accounts"].as_array().expect("accounts").clone();
    let industry = all[0]["industry"].as_str().expect("industry").to_string();
    let expect = all.iter().filter(|a| a["industry"] == industry.as_str()).count();
    let (s, v) =
        us(&sim, &format!("/accounts?pageSize=1000&filter=industry=={}", industry.replace(' ', "%20"))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["totalHits"].as_u64(), Some(expect as u64));
    assert!(v["accounts"].as_array().expect("list").iter().all(|a| a["industry"] == industry.as_str()));

    // `;` is AND, repeated filter params are OR.
    let big = |a: &Value| a["numberOfEmployees"].as_i64().unwrap_or(0) > 5000;
    let healthy = |a: &Value| a["healthScore"].as_i64().unwrap_or(0) >= 75;
    let (_, v) = us(&sim, "/accounts?pageSize=1000&filter=numberOfEmployees%3E5000;healthScore%3E=75").await;
    assert_eq!(v["totalHits"].as_u64(), Some(all.iter().filter(|a| big(a) && healthy(a)).count() as u64));
    let (_, v) =
        us(&sim, "/accounts?pageSize=1000&filter=numberOfEmployees%3E5000&filter=healthScore%3E=75").await;
    assert_eq!(v["totalHits"].as_u64(), Some(all.iter().filter(|a| big(a) || healthy(a)).count() as u64));
    let country = all[0]["location"]["countryName"].as_str().expect("country").to_string();
    let (_, v) =
        us(&sim, &format!("/accounts?pageSize=1000&filter=location.countryName~{}", &country[..3])).await;
    assert!(v["totalHits"].as_u64().unwrap_or(0) >= 1);

    // sort=name;-createDate
    let (_, v) = us(&sim, "/accounts?pageSize=1000&sort=name;-createDate").await;
    let sorted = v["accounts"].as_array().expect("list");
    assert_eq!(sorted.len(), all.len());
    for w in sorted.windows(2) {
        let (a, b) = (w[0]["name"].as_str().unwrap_or(""), w[1]["name"].as_str().unwrap_or(""));
        let (la, lb) = (a.to_lowercase(), b.to_lowercase());
        assert!(la <= lb, "{a} before {b}");
        if la == lb {
            assert!(w[0]["createDate"].as_i64() >= w[1]["createDate"].as_i64());
        }
    }
    let (_, v) = us(&sim, "/users?pageSize=50&sort=-numberOfVisits&filter=role==Admin").await;
    let users = v["users"].as_array().expect("users");
    assert!(!users.is_empty() && users.iter().all(|u| u["role"] == "Admin"));
    assert!(users.windows(2).all(|w| w[0]["numberOfVisits"].as_i64() >= w[1]["numberOfVisits"].as_i64()));

    // A scroll keeps its filter and sort: page two of a sorted, filtered scroll continues it.
    let (_, p1) = us(&sim, "/users?pageSize=3&sort=-numberOfVisits&filter=role==Admin").await;
    let sid = p1["scrollId"].as_str().expect("sid");
    let (_, p2) = us(&sim, &format!("/users?pageSize=3&scrollId={sid}")).await;
    assert_eq!(p2["users"].as_array().expect("p2")[..], users[3..6]);

    for bad in ["filter=nosuchfield==1", "filter=name=Acme", "sort=nosuchfield", "filter=;"] {
        let (s, v) = us(&sim, &format!("/accounts?{bad}")).await;
        assert_eq!(s, 400, "{bad}: {v}");
    }
}

#[tokio::test]
async fn page_number_endpoints() {
    let sim = sim(7).await;
    let (s, v) = us(&sim, "/feature?pageSize=200").await;
    assert_eq!((s, v["isLastPage"].as_bool()), (200, Some(true)));
    let features = v["features"].as_array().expect("features").clone();
    assert!(features.len() >= 10);
    let ids: HashSet<&str> = features.iter().filter_map(|f| f["id"].as_str()).collect();
    for f in &features {
        assert!(["FEATURE", "MODULE"].contains(&f["type"].as_str().unwrap_or("")));
        assert!(f["name"].is_string() && f["propertyKey"].is_string() && f["status"].is_string());
        assert!(f["parentFeatureId"].is_null() || ids.contains(f["parentFeatureId"].as_str().unwrap_or("")));
    }
    let mut paged = Vec::new();
    for n in 0.. {
        let (_, v) = us(&sim, &format!("/feature?pageSize=4&pageNumber={n}")).await;
        paged.extend(v["features"].as_array().expect("page").clone());
        if v["isLastPage"] == true {
            break;
        }
    }
    assert_eq!(paged, features);
    let (_, v) = us(&sim, "/segment").await;
    assert!(v["segments"].as_array().is_some_and(|s| !s.is_empty()) && v["isLastPage"] == true);
    let (_, v) = us(&sim, "/engagement?pageSize=5&pageNumber=0").await;
    assert_eq!(
        (v["engagements"].as_array().map(Vec::len), v["isLastPage"].as_bool()),
        (Some(5), Some(false))
    );
    let (_, v) = us(&sim, "/engagement?pageSize=5&pageNumber=99").await;
    assert_eq!((v["engagements"].as_array().map(Vec::len), v["isLastPage"].as_bool()), (Some(0), Some(true)));
}

/// `filter=date>=A;date<B`, percent-encoded.
fn dates(a: i64, b: i64) -> String {
    format!("filter=date%3E={a};date%3C{b}")
}

#[tokio::test]
async fn events_windows_filters_and_adoption() {
    let sim = sim(8).await;
    let (s, v) = us(&sim, "/events/feature_match").await;
    assert_eq!(s, 200, "default window: {v}");
    for e in v["featureMatchEvents"].as_array().expect("events") {
        let d = e["date"].as_i64().expect("date");
        assert!((NOW - DAY..NOW).contains(&d), "default window is the last day");
    }
    let start = NOW - 190 * DAY;
    let (s, _) = us(&sim, &format!("/events/feature_match?{}", dates(start, NOW))).await;
    assert_eq!(s, 200, "exactly 190 days is allowed");
    let (s, v) = us(&sim, &format!("/events/feature_match?{}", dates(start - DAY, NOW))).await;
    assert_eq!((s, message(&v)), (400, "Exceeded date range190days"));
    let (s, v) = us(&sim, &format!("/events/custom?dateRangeStart={}&dateRangeEnd={NOW}", start - 1)).await;
    assert_eq!((s, message(&v)), (400, "Exceeded date range190days"));
    let (s, v) = us(&sim, &format!("/events/custom?{}", dates(start - 1, NOW))).await;
    assert_eq!((s, message(&v)), (400, "Exceeded date range190days"), "a date filter is held to it too");

    let q = format!("/events/feature_match?{}", dates(NOW - 30 * DAY, NOW));
    let (events, last) = scroll_all(&sim, &q, "featureMatchEvents", 250).await;
    assert!(events.len() > 100, "a month of usage: {}", events.len());
    assert_eq!(last["totalHits"].as_u64(), Some(events.len() as u64));
    let ids: HashSet<&str> = events.iter().filter_map(|e| e["eventId"].as_str()).collect();
    assert_eq!(ids.len(), events.len(), "each event once");
    let dates_seen: Vec<i64> = events.iter().filter_map(|e| e["date"].as_i64()).collect();
    assert!(dates_seen.windows(2).all(|w| w[0] <= w[1]), "date order");
    assert!(dates_seen.iter().all(|d| (NOW - 30 * DAY..NOW).contains(d)));
    let e = &events[0];
    for k in ["eventId", "identifyId", "accountId", "featureId", "propertyKey", "sessionId"] {
        assert!(e[k].is_string(), "event.{k}: {e}");
    }
    assert_eq!(e["userType"], "USER");

    let account = e["accountId"].as_str().expect("account").to_string();
    let (_, v) = us(&sim, &format!("{q}&accountId={account}&pageSize=1000")).await;
    let mine = events.iter().filter(|e| e["accountId"] == account.as_str()).count();
    assert_eq!(v["totalHits"].as_u64(), Some(mine as u64));
    let feature = e["featureId"].as_str().expect("feature").to_string();
    let (_, v) = us(&sim, &format!("{q}&featureId={feature}&pageSize=1000")).await;
    let used = events.iter().filter(|e| e["featureId"] == feature.as_str()).count();
    assert_eq!(v["totalHits"].as_u64(), Some(used as u64));

    let (s, v) =
        us(&sim, &format!("/events/custom?dateRangeStart={}&dateRangeEnd={NOW}&pageSize=5", NOW - 30 * DAY))
            .await;
    assert_eq!(s, 200);
    let custom = v["customEvents"].as_array().expect("custom events");
    assert!(!custom.is_empty() && custom.iter().all(|e| e["eventName"].is_string()));
    assert!(custom.iter().all(|e| e["userType"] == "USER"), "custom events carry userType");

    // Adoption over a week agrees with the events of that feature in the same week.
    let week = format!("dateRangeStart={}&dateRangeEnd={NOW}", NOW - 7 * DAY);
    let (s, v) = us(&sim, &format!("/feature/adoption/{feature}?{week}")).await;
    assert_eq!(s, 200, "{v}");
    let (_, listed) = us(
        &sim,
        &format!("/events/feature_match?{}&featureId={feature}&pageSize=1000", dates(NOW - 7 * DAY, NOW)),
    )
    .await;
    let listed = listed["featureMatchEvents"].as_array().expect("week").clone();
    assert_eq!(v["totalEventCount"].as_u64(), Some(listed.len() as u64));
    let users: HashSet<&str> = listed.iter().filter_map(|e| e["identifyId"].as_str()).collect();
    let accounts: HashSet<&str> = listed.iter().filter_map(|e| e["accountId"].as_str()).collect();
    assert_eq!(v["uniqueUserCount"].as_u64(), Some(users.len() as u64));
    assert_eq!(v["uniqueAccountCount"].as_u64(), Some(accounts.len() as u64));
    let (s, _) =
        us(&sim, &format!("/feature/adoption/{feature}?dateRangeStart={}&dateRangeEnd={NOW}", NOW - 8 * DAY))
            .await;
    assert_eq!(s, 400, "adoption windows are at most 7 days");
    let (s, _) = us(&sim, "/feature/adoption/no-such-feature").await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn same_seed_same_bytes() {
    let (a, b, c) = (sim(9).await, sim(9).await, sim(10).await);
    let week = format!("dateRangeStart={}&dateRangeEnd={NOW}", NOW - 7 * DAY);
    let paths = [
        "/admin/subscription".to_string(),
        "/admin/model/account/attributes".to_string(),
        "/accounts?pageSize=20&sort=-healthScore".to_string(),
        "/users?pageSize=50".to_string(),
        "/feature".to_string(),
        "/segment".to_string(),
        "/engagement".to_string(),
        format!("/events/feature_match?{}&pageSize=100", dates(NOW - 7 * DAY, NOW)),
        format!("/events/custom?{week}&pageSize=100"),
        "/events/pageView?pageSize=100".to_string(),
        "/articles".to_string(),
    ];
    for path in &paths {
        let (_, _, x) = call(&a, "us", path, Some(DEMO_PX_API_KEY)).await;
        let (_, _, y) = call(&b, "us", path, Some(DEMO_PX_API_KEY)).await;
        assert_eq!(x, y, "{path} differs between two sims with one seed");
    }
    let (_, _, x) = call(&a, "us", "/accounts", Some(DEMO_PX_API_KEY)).await;
    let (_, _, z) = call(&c, "us", "/accounts", Some(DEMO_PX_API_KEY)).await;
    assert_ne!(x, z, "another seed, another org");
}

#[tokio::test]
async fn the_control_api_moves_health_scores_and_deletes_accounts_with_their_users() {
    let sim = sim(11).await;
    let control = |what: &str, count: usize| {
        let url = format!("{}/__sim/{what}", sim.base_url());
        async move {
            let resp = reqwest::Client::new()
                .post(url)
                .json(&json!({"object": "px_account", "count": count}))
                .send()
                .await
                .expect("control call");
            assert_eq!(resp.status().as_u16(), 200);
            resp.json::<Vec<String>>().await.expect("ids")
        }
    };
    let by_id = |items: &[Value]| -> std::collections::HashMap<String, Value> {
        items.iter().map(|a| (a["id"].as_str().unwrap_or_default().to_string(), a.clone())).collect()
    };
    let (before, _) = scroll_all(&sim, "/accounts", "accounts", 1000).await;
    let (users_before, _) = scroll_all(&sim, "/users", "users", 1000).await;
    let before = by_id(&before);

    let moved = control("modify", 3).await;
    assert_eq!(moved.len(), 3);
    let removed = control("delete", 2).await;
    assert_eq!(removed.len(), 2);

    let (after, reply) = scroll_all(&sim, "/accounts", "accounts", 1000).await;
    assert_eq!(
        reply["totalHits"].as_u64(),
        Some(before.len() as u64 - 2),
        "totalHits counts listed accounts"
    );
    let after = by_id(&after);
    for id in &removed {
        assert!(!after.contains_key(id), "deleted account {id} is not listed");
    }
    for id in moved.iter().filter(|id| !removed.contains(id)) {
        let (old, new) = (before[id]["healthScore"].as_i64(), after[id]["healthScore"].as_i64());
        let (Some(old), Some(new)) = (old, new) else { panic!("health scores of {id}") };
        assert_eq!((old - new).abs(), 30, "{id} moved 30 points: {old} → {new}");
        assert!(after[id]["lastModifiedDate"].as_i64() > before[id]["lastModifiedDate"].as_i64());
    }
    let untouched = after.keys().filter(|id| !moved.contains(id)).count();
    assert!(untouched > 0);
    for id in after.keys().filter(|id| !moved.contains(id)) {
        assert_eq!(before[id], after[id], "{id} was not touched");
    }

    let (users_after, _) = scroll_all(&sim, "/users", "users", 1000).await;
    let gone: Vec<&Value> =
        users_before.iter().filter(|u| removed.iter().any(|id| u["accountId"] == json!(id))).collect();
    assert!(!gone.is_empty(), "the deleted accounts had users");
    assert_eq!(users_after.len(), users_before.len() - gone.len(), "their users went with them");
    assert!(users_after.iter().all(|u| removed.iter().all(|id| u["accountId"] != json!(id))));
}

/// Every scroll endpoint of the PX description's events, with the list key its page schema names.
const EVENT_LISTS: &[(&str, &str)] = &[
    ("/events/feature_match", "featureMatchEvents"),
    ("/events/custom", "customEvents"),
    ("/events/email", "results"),
    ("/events/engagementView", "results"),
    ("/events/formSubmit", "results"),
    ("/events/identify", "identifyEvents"),
    ("/events/lead", "results"),
    ("/events/pageView", "results"),
    ("/events/segment_match", "featureMatchEvents"),
    ("/events/session", "sessionInitializedEvents"),
    ("/survey/responses", "results"),
];

#[tokio::test]
async fn every_documented_endpoint_answers_with_its_list_key() {
    let sim = sim(13).await;
    let month = dates(NOW - 30 * DAY, NOW);
    for (path, key) in EVENT_LISTS {
        let (s, v) = us(&sim, path).await;
        assert_eq!(s, 200, "{path}: {v}");
        assert!(v[key].is_array() && v["totalHits"].is_u64() && v["scrollId"].is_string(), "{path}: {v}");
        let (events, _) = scroll_all(&sim, &format!("{path}?{month}"), key, 1000).await;
        assert!(!events.is_empty(), "{path}: a month holds some");
        for e in &events {
            let d = e["date"].as_i64().expect("date");
            assert!((NOW - 30 * DAY..NOW).contains(&d), "{path}: {d} inside the filter's window");
            assert!(e["eventId"].is_string() && e["identifyId"].is_string() && e["propertyKey"].is_string());
            let user_type = e["userType"].as_str().unwrap_or("");
            assert!(["USER", "LEAD"].contains(&user_type), "{path}: userType {e}");
        }
        let ids: HashSet<&str> = events.iter().filter_map(|e| e["eventId"].as_str()).collect();
        assert_eq!(ids.len(), events.len(), "{path}: each event once");
    }
    let (_, v) = us(&sim, &format!("/events/email?{month}&pageSize=5")).await;
    let e = &v["results"][0];
    assert!(
        e["email"].is_string() && e["emailTrackType"].is_string() && e["engagementId"].is_string(),
        "{e}"
    );
    let (_, v) = us(&sim, &format!("/survey/responses?{month}&pageSize=5")).await;
    let e = &v["results"][0];
    assert!(e["contentType"].as_str().is_some_and(|c| c.starts_with("IN_APP_SURVEY")), "{e}");
    assert!(e["score"].is_u64() && e["engagementId"].is_string(), "{e}");
    let (_, v) = us(&sim, &format!("/events/segment_match?{month}&pageSize=5")).await;
    assert!(v["featureMatchEvents"][0]["segmentId"].is_string(), "{v}");
    let (_, v) = us(&sim, &format!("/events/pageView?{month}&pageSize=5")).await;
    assert!(v["results"][0]["path"].is_string() && v["results"][0]["host"].is_string(), "{v}");

    for (path, key, n) in [("/articles", "articleExternalViewList", 20), ("/kcbot", "kcList", 3)] {
        let (s, v) = us(&sim, path).await;
        assert_eq!(s, 200, "{path}: {v}");
        let items = v[key].as_array().expect("list");
        assert_eq!(items.len(), n, "{path}: everything on the default page of 200");
        assert_eq!((v["pageNumber"].as_u64(), v["isLastPage"].as_bool()), (Some(0), Some(true)));
        assert!(items.iter().all(|i| i["id"].is_string() && i["productId"].is_string()));
        let product = items[0]["productId"].as_str().expect("product");
        let (_, mine) = us(&sim, &format!("{path}?productId={product}")).await;
        let mine = mine[key].as_array().expect("list");
        assert!(!mine.is_empty() && mine.iter().all(|i| i["productId"] == product));
        let (_, v) = us(&sim, &format!("{path}?pageSize=2&pageNumber=1")).await;
        assert_eq!(
            (v[key].as_array().map(Vec::len), v["pageNumber"].as_u64()),
            (Some(2.min(n - 2)), Some(1))
        );
    }
    let (s, _) = us(&sim, "/no/such/endpoint").await;
    assert_eq!(s, 404, "an undocumented endpoint still does not exist");
}

#[tokio::test]
async fn feature_match_ignores_date_ranges_and_honours_filter_and_sort() {
    let sim = sim(14).await;
    let (_, default) = us(&sim, "/events/feature_match?pageSize=1000").await;
    let (s, ranged) = us(
        &sim,
        &format!("/events/feature_match?pageSize=1000&dateRangeStart={}&dateRangeEnd={NOW}", NOW - 30 * DAY),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(ranged, default, "dateRangeStart/End are not documented for feature matches: ignored");
    let (s, _) = us(&sim, "/events/feature_match?dateRangeStart=soon&dateRangeEnd=later").await;
    assert_eq!(s, 200, "not even read");
    let (s, _) = us(&sim, &format!("/events/feature_match?dateRangeStart={}", NOW - 400 * DAY)).await;
    assert_eq!(s, 200, "nor held to 190 days");

    // The window of a date filter, paged by scroll: the scroll keeps the first request's filter.
    let (a, b) = (NOW - 9 * DAY - 3_600_000, NOW - 2 * DAY);
    let q = format!("/events/feature_match?{}", dates(a, b));
    let (events, last) = scroll_all(&sim, &q, "featureMatchEvents", 40).await;
    assert!(events.len() > 80, "a week of usage: {}", events.len());
    assert_eq!(last["totalHits"].as_u64(), Some(events.len() as u64));
    assert!(events.iter().all(|e| (a..b).contains(&e["date"].as_i64().expect("date"))), "inside [a, b)");
    let (_, first) = us(&sim, &format!("{q}&pageSize=10")).await;
    let sid = first["scrollId"].as_str().expect("sid");
    let (_, next) = us(&sim, &format!("/events/feature_match?pageSize=10&scrollId={sid}")).await;
    assert_eq!(
        next["featureMatchEvents"].as_array().expect("page")[..],
        events[10..20],
        "only the scrollId sent"
    );
    assert_eq!(next["totalHits"], last["totalHits"]);

    // sort=-date: the same events, newest first, also across scroll pages.
    let (desc, _) = scroll_all(&sim, &format!("{q}&sort=-date"), "featureMatchEvents", 40).await;
    let d: Vec<i64> = desc.iter().filter_map(|e| e["date"].as_i64()).collect();
    assert!(d.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let ids = |list: &[Value]| {
        list.iter().filter_map(|e| e["eventId"].as_str().map(str::to_string)).collect::<BTreeSet<_>>()
    };
    assert_eq!(ids(&desc), ids(&events));
    let (asc, _) = scroll_all(&sim, &format!("{q}&sort=date"), "featureMatchEvents", 40).await;
    assert_eq!(asc, events, "sort=date is the default order");
    let (by_account, _) = scroll_all(&sim, &format!("{q}&sort=accountId"), "featureMatchEvents", 40).await;
    let accounts: Vec<&str> = by_account.iter().filter_map(|e| e["accountId"].as_str()).collect();
    assert!(accounts.windows(2).all(|w| w[0].to_lowercase() <= w[1].to_lowercase()), "by account");
    assert_eq!(ids(&by_account), ids(&events));

    // Repeated filters are ORed, each with its own window; other fields filter too.
    let (x, y) = (NOW - 20 * DAY, NOW - 19 * DAY);
    let (_, one) = us(&sim, &format!("/events/feature_match?{}&pageSize=1", dates(x, y))).await;
    let (_, both) = us(&sim, &format!("{q}&{}&pageSize=1", dates(x, y))).await;
    let hits = |v: &Value| v["totalHits"].as_u64().unwrap_or(0);
    assert_eq!(hits(&both), hits(&one) + events.len() as u64);
    let account = events[0]["accountId"].as_str().expect("account");
    let (_, mine) = us(&sim, &format!("{q};accountId=={account}&pageSize=1000")).await;
    let expect = events.iter().filter(|e| e["accountId"] == account).count();
    assert_eq!(hits(&mine), expect as u64);
    let (s, v) = us(&sim, &format!("{q};nosuchfield==1")).await;
    assert_eq!(s, 400, "{v}");
    let (s, _) = us(&sim, &format!("{q}&sort=nosuchfield")).await;
    assert_eq!(s, 400);
    for extreme in
        ["date%3C=9223372036854775807", "date%3E-9223372036854775808", "date==-9223372036854775808"]
    {
        let (s, _) = us(&sim, &format!("/events/feature_match?filter={extreme}")).await;
        assert!(s == 200 || s == 400, "{extreme}: an answer, not a crash");
    }
    let (s, _) = us(&sim, "/events/custom?dateRangeStart=-9223372036854775808").await;
    assert_eq!(s, 400);
    let (s, _) = us(&sim, "/events/feature_match?filter=date%3E=yesterday").await;
    assert_eq!(s, 400, "a date is epoch milliseconds");
    let (_, only_lower) = us(&sim, &format!("/events/feature_match?filter=date%3E={a}&pageSize=1")).await;
    assert!(hits(&only_lower) > events.len() as u64, "a lower bound alone runs to now");

    // Custom events keep their documented date range: older than the default day.
    let (_, custom) = us(
        &sim,
        &format!(
            "/events/custom?dateRangeStart={}&dateRangeEnd={}&pageSize=1000",
            NOW - 30 * DAY,
            NOW - 10 * DAY
        ),
    )
    .await;
    let custom = custom["customEvents"].as_array().expect("custom");
    assert!(!custom.is_empty());
    assert!(
        custom.iter().all(|e| (NOW - 30 * DAY..NOW - 10 * DAY).contains(&e["date"].as_i64().unwrap_or(0)))
    );
}

#[tokio::test]
async fn catalog_objects_carry_what_the_description_gives_them() {
    let sim = sim(15).await;
    let (s, v) = us(&sim, "/engagement").await;
    assert_eq!(s, 200);
    let engagements = v["engagements"].as_array().expect("engagements");
    assert!(engagements.len() > 25, "the default page is 200, not 25: {}", engagements.len());
    assert_eq!((v["pageNumber"].as_u64(), v["isLastPage"].as_bool()), (Some(0), Some(true)));
    let types = [
        "EMAIL",
        "IN_APP_DIALOG",
        "IN_APP_CAROUSEL",
        "IN_APP_GUIDE",
        "IN_APP_NOTIFICATION",
        "OUT_BOUND_EMAIL",
        "IN_APP_NPS_SURVEY",
        "IN_APP_CES_SURVEY",
        "IN_APP_RATING_SURVEY",
        "IN_APP_BOOLEAN_SURVEY",
        "IN_APP_MULTIPLE_QUESTION_SURVEY",
    ];
    let states = ["IN_PROGRESS", "STARTED", "PAUSED", "FAILED", "EDITING", "COMPLETED"];
    let allowed = [
        "id",
        "name",
        "description",
        "type",
        "state",
        "propertyKeys",
        "envs",
        "defaultLanguage",
        "languages",
        "translationState",
    ];
    for g in engagements {
        assert!(types.contains(&g["type"].as_str().unwrap_or("")), "{g}");
        assert!(states.contains(&g["state"].as_str().unwrap_or("")), "{g}");
        let envs = g["envs"].as_array().expect("envs");
        assert!(!envs.is_empty() && envs.iter().all(|e| ["PRODUCTION", "STAGE", "QA", "INTEGRATION"].contains(&e.as_str().unwrap_or(""))));
        assert!(
            g.as_object().expect("object").keys().all(|k| allowed.contains(&k.as_str())),
            "undocumented field: {g}"
        );
    }
    assert!(engagements.iter().any(|g| g["envs"] == json!(["PRODUCTION"])));
    let (_, v) = us(&sim, "/engagement?pageSize=10").await;
    assert_eq!(v["engagements"].as_array().map(Vec::len), Some(10));

    let (_, v) = us(&sim, "/segment").await;
    for seg in v["segments"].as_array().expect("segments") {
        let keys: BTreeSet<&str> = seg.as_object().expect("object").keys().map(String::as_str).collect();
        assert_eq!(keys, BTreeSet::from(["id", "name"]), "a segment is an id and a name: {seg}");
    }
    let (_, v) = us(&sim, "/feature?pageSize=200").await;
    let features = v["features"].as_array().expect("features");
    assert!(features.iter().all(|f| ["ACTIVATED", "DELETED"].contains(&f["status"].as_str().unwrap_or(""))));
    assert!(features.iter().any(|f| f["status"] == "ACTIVATED"));
}

#[tokio::test]
async fn a_subscription_without_endpoints_answers_404_or_403_after_auth() {
    let limited = OrgProfile::named("px-limited").expect("px-limited");
    let sim = gainsight_sim::start(SimConfig { profile: limited, ..config(16) }).await.expect("start");
    let (s, v) = us(&sim, "/users").await;
    assert_eq!((s, v["externalapierror"]["status"].as_str()), (403, Some("FORBIDDEN")), "{v}");
    let (s, v) = us(&sim, "/events/feature_match?pageSize=5").await;
    assert_eq!((s, v["externalapierror"]["status"].as_str()), (404, Some("NOT_FOUND")), "{v}");
    let (s, _, _) = call(&sim, "us", "/users", Some("bad-key")).await;
    assert_eq!(s, 401, "a bad key is still a 401");
    let (s, _, _) = call(&sim, "eu", "/events/feature_match", Some(EU_KEY)).await;
    assert_eq!(s, 404, "in every region");
    for path in ["/accounts", "/events/custom", "/events/session", "/feature"] {
        assert_eq!(us(&sim, path).await.0, 200, "{path} is still there");
    }
    let more = OrgProfile {
        px_endpoints: vec![("/articles".into(), 404), ("/events".into(), 403)],
        ..Default::default()
    };
    sim.apply_profile(&more).expect("applies at runtime");
    assert_eq!(us(&sim, "/articles?pageSize=5").await.0, 404);
    assert_eq!(us(&sim, "/events/session").await.0, 403, "a prefix covers the endpoints under it");
    assert_eq!(us(&sim, "/events/feature_match").await.0, 404, "the longer path wins");
    assert_eq!(us(&sim, "/kcbot").await.0, 200);
}
