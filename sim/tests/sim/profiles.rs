//! Org profiles: each named profile as describe, the object list and queries show it; the binary's
//! profile flags; profiles applied at runtime over the control API; and the control API's changes
//! to renamed objects and fields.

use gainsight_sim::{DEMO_ACCESS_KEY, OrgProfile, RunningSim, SimConfig};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const NOW_DAY: i64 = 20_400;

fn config(profile: &str) -> SimConfig {
    SimConfig {
        companies: 12,
        anchor_day: Some(NOW_DAY),
        profile: OrgProfile::named(profile).expect("a named profile"),
        ..Default::default()
    }
}

async fn sim(profile: &str) -> RunningSim {
    gainsight_sim::start(config(profile)).await.expect("start sim")
}

struct Reply {
    status: u16,
    json: Value,
}

async fn send(req: reqwest::RequestBuilder) -> Reply {
    let resp = req.send().await.expect("the simulator answers");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("a body");
    Reply { status, json: serde_json::from_str(&text).unwrap_or(Value::Null) }
}

async fn query(base: &str, object: &str, body: Value) -> Reply {
    send(
        reqwest::Client::new()
            .post(format!("{base}/v1/data/objects/query/{object}"))
            .header("Accesskey", DEMO_ACCESS_KEY)
            .json(&body),
    )
    .await
}

async fn rows(base: &str, object: &str, body: Value) -> Vec<Value> {
    let r = query(base, object, body).await;
    assert_eq!(r.status, 200, "query {object}: {}", r.json);
    r.json["data"]["records"].as_array().expect("records").clone()
}

fn select(fields: &[&str]) -> Value {
    json!({"select": fields, "limit": 5000})
}

/// The query is refused with `GSOBJ_1002` "Invalid field: <path>".
async fn refused(base: &str, object: &str, body: Value, path: &str) {
    let r = query(base, object, body.clone()).await;
    assert_eq!(
        (r.status, r.json["errorCode"].as_str(), r.json["errorDesc"].as_str()),
        (400, Some("GSOBJ_1002"), Some(format!("Invalid field: {path}").as_str())),
        "{object} {body}: {}",
        r.json
    );
}

/// Selecting, filtering and ordering by `path` are each refused.
async fn unusable(base: &str, object: &str, path: &str) {
    refused(base, object, json!({"select": ["Gsid", path]}), path).await;
    let filter = json!({"select": ["Gsid"], "where": {"conditions": [
        {"name": path, "alias": "A", "value": [], "operator": "IS_NOT_NULL"}], "expression": "A"}});
    refused(base, object, filter, path).await;
    refused(base, object, json!({"select": ["Gsid"], "orderBy": {path: "asc"}}), path).await;
}

async fn get(base: &str, path: &str) -> Reply {
    send(reqwest::Client::new().get(format!("{base}{path}")).header("Accesskey", DEMO_ACCESS_KEY)).await
}

/// Describe's fields of `object`: (name, label).
async fn described(base: &str, object: &str) -> Vec<(String, String)> {
    let r = get(base, &format!("/v1/meta/services/objects/{object}/describe?idd=true")).await;
    assert_eq!(r.status, 200, "describe {object}: {}", r.json);
    r.json["data"][0]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| {
            (f["fieldName"].as_str().unwrap_or("").to_string(), f["label"].as_str().unwrap_or("").to_string())
        })
        .collect()
}

async fn field_names(base: &str, object: &str) -> BTreeSet<String> {
    described(base, object).await.into_iter().map(|(n, _)| n).collect()
}

/// The object list: name → label.
async fn objects(base: &str) -> std::collections::BTreeMap<String, String> {
    let r = get(base, "/v1/meta/services/objects/list?po=company&em=false").await;
    assert_eq!(r.status, 200);
    r.json["data"]
        .as_array()
        .expect("objects")
        .iter()
        .map(|o| {
            (
                o["objectName"].as_str().unwrap_or("").to_string(),
                o["label"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

async fn unknown_object(base: &str, object: &str) {
    let r = query(base, object, select(&["Gsid"])).await;
    assert_eq!((r.status, r.json["errorCode"].as_str()), (400, Some("OBJECT_NOT_FOUND")), "query {object}");
    let r = get(base, &format!("/v1/meta/services/objects/{object}/describe")).await;
    assert_eq!(
        (r.status, r.json["errorCode"].as_str()),
        (400, Some("OBJECT_NOT_FOUND")),
        "describe {object}"
    );
}

fn has(set: &BTreeSet<String>, name: &str) -> bool {
    set.contains(name)
}

#[tokio::test]
async fn the_default_and_px_limited_orgs_have_every_field() {
    for name in ["default", "px-limited"] {
        let sim = sim(name).await;
        let base = sim.base_url();
        let company = field_names(&base, "company").await;
        for f in ["Mrr", "Employees", "Status", "Arr", "Csm", "Industry"] {
            assert!(has(&company, f), "{name}: company.{f}");
        }
        let list = objects(&base).await;
        for o in ["company_scorecard_fact", "company_scorecard_history", "product_usage__gc"] {
            assert!(list.contains_key(o), "{name}: {o}");
        }
        assert_eq!(rows(&base, "company", select(&["Gsid", "Arr", "Csm__gr.Email"])).await.len(), 12);
        assert!(sim.profile() == OrgProfile::named(name).expect("named"), "{name}: the profile in force");
    }
}

#[tokio::test]
async fn documented_lacks_fields_and_names_its_objects_and_fields_as_the_docs_do() {
    let sim = sim("documented").await;
    let base = sim.base_url();

    let list = objects(&base).await;
    assert_eq!(list.get("scorecard_fact").map(String::as_str), Some("Scorecard Fact"));
    assert_eq!(list.get("scorecard_history").map(String::as_str), Some("Scorecard History"));
    assert_eq!(list.get("customer_usage__gc").map(String::as_str), Some("Customer Usage"));
    for old in ["company_scorecard_fact", "company_scorecard_history", "product_usage__gc"] {
        assert!(!list.contains_key(old), "{old} is no longer listed");
        unknown_object(&base, old).await;
    }

    let company = field_names(&base, "company").await;
    for f in ["Mrr", "Employees", "Status"] {
        assert!(!has(&company, f), "company.{f} is not described");
        unusable(&base, "company", f).await;
    }
    assert!(has(&company, "Arr") && has(&company, "CurrentScore"));
    let companies = rows(&base, "company", select(&["Gsid", "Name", "Arr", "CurrentScore__gr.Score"])).await;
    assert_eq!(companies.len(), 12);
    assert!(!has(&field_names(&base, "call_to_action").await, "ClosedDate"));
    unusable(&base, "call_to_action", "ClosedDate").await;
    unusable(&base, "call_to_action", "CompanyId__gr.Mrr").await;
    assert!(!has(&field_names(&base, "scoring_scheme_definition").await, "ModifiedDate"));
    unusable(&base, "company", "CurrentScore__gr.ModifiedDate").await;

    // The fact object: renamed score lookups, read through their new names.
    let fact = described(&base, "scorecard_fact").await;
    assert!(fact.contains(&("CurrentScoreId".into(), "Current Score".into())), "{fact:?}");
    assert!(fact.contains(&("PreviousScoreId".into(), "Previous Score".into())), "{fact:?}");
    for old in ["CurScoreId", "PrevScoreId", "CurScoreId__gr.Score"] {
        unusable(&base, "scorecard_fact", old).await;
    }
    let facts = rows(
        &base,
        "scorecard_fact",
        select(&[
            "Gsid",
            "CompanyId",
            "CurrentScoreId",
            "CurrentScoreId__gr.Score",
            "PreviousScoreId__gr.Name",
        ]),
    )
    .await;
    assert!(!facts.is_empty());
    for r in &facts {
        assert!(r["CurrentScoreId"].is_string(), "rows carry the new name: {r}");
        assert!(r["CurrentScoreId__gr.Score"].as_i64().is_some_and(|s| (0..=100).contains(&s)), "{r}");
        assert!(r["PreviousScoreId__gr.Name"].is_string(), "{r}");
    }

    // History: the week under its documented name, and the score only through its lookup.
    let history = described(&base, "scorecard_history").await;
    assert!(history.contains(&("WeekStartDate".into(), "Week Start Date".into())));
    assert!(!history.iter().any(|(n, _)| n == "Score" || n == "SnapshotDate"));
    unusable(&base, "scorecard_history", "Score").await;
    unusable(&base, "scorecard_history", "SnapshotDate").await;
    let weeks = rows(&base, "scorecard_history", select(&["WeekStartDate", "ScoreId__gr.Score"])).await;
    assert!(
        weeks.iter().all(|r| r["WeekStartDate"].is_i64() && r["ScoreId__gr.Score"].is_i64()),
        "{:?}",
        weeks[0]
    );

    // Usage: every field under its documented name, the company through the renamed lookup.
    let usage = described(&base, "customer_usage__gc").await;
    for (name, label) in [
        ("Company__gc", "Company"),
        ("WeekOf__gc", "Week Of"),
        ("WeeklyActiveUsers__gc", "Weekly Active Users"),
        ("LoginCount__gc", "Login Count"),
    ] {
        assert!(usage.contains(&(name.to_string(), label.to_string())), "{name}: {usage:?}");
    }
    for old in ["CompanyId__gc", "UsageDate__gc", "ActiveUsers__gc", "Logins__gc", "FeatureEvents__gc"] {
        unusable(&base, "customer_usage__gc", old).await;
    }
    let body = json!({"select": ["Company__gc", "Company__gc__gr.Name", "WeekOf__gc", "WeeklyActiveUsers__gc", "LoginCount__gc"],
        "where": {"conditions": [{"name": "WeeklyActiveUsers__gc", "alias": "A", "value": [0], "operator": "GTE"}],
            "expression": "A"},
        "orderBy": {"WeekOf__gc": "desc"}, "limit": 5000});
    let usage_rows = rows(&base, "customer_usage__gc", body).await;
    assert_eq!(usage_rows.len(), 12 * 8, "eight weeks per company");
    assert!(usage_rows.iter().all(|r| r["Company__gc__gr.Name"].is_string()), "{}", usage_rows[0]);
    assert!(usage_rows.windows(2).all(|w| w[0]["WeekOf__gc"].as_i64() >= w[1]["WeekOf__gc"].as_i64()));
}

#[tokio::test]
async fn sparse_has_a_bare_company_and_no_usage_or_scorecard_objects() {
    let sim = sim("sparse").await;
    let base = sim.base_url();
    let company = field_names(&base, "company").await;
    let expect: BTreeSet<String> = [
        "Gsid",
        "Name",
        "ModifiedDate",
        "Region__gc",
        "Segment__gc",
        "NpsScore__gc",
        "OnboardingComplete__gc",
        "Products__gc",
    ]
    .map(str::to_string)
    .into();
    assert_eq!(company, expect);
    for f in ["Arr", "Csm", "CurrentScore", "RenewalDate", "Csm__gr.Email", "CurrentScore__gr.Score"] {
        unusable(&base, "company", f).await;
    }
    assert_eq!(rows(&base, "company", select(&["Gsid", "Name", "Segment__gc"])).await.len(), 12);
    let cta = field_names(&base, "call_to_action").await;
    for f in ["ClosedDate", "ReasonId", "IsImportant"] {
        assert!(!has(&cta, f), "call_to_action.{f}");
        unusable(&base, "call_to_action", f).await;
    }
    unusable(&base, "call_to_action", "ReasonId__gr.Name").await;
    unusable(&base, "call_to_action", "CompanyId__gr.Arr").await;
    assert!(
        !rows(&base, "call_to_action", select(&["Gsid", "IsClosed", "CompanyId__gr.Name"])).await.is_empty()
    );
    let list = objects(&base).await;
    for o in ["product_usage__gc", "company_scorecard_fact", "company_scorecard_history"] {
        assert!(!list.contains_key(o), "{o} is not listed");
        unknown_object(&base, o).await;
    }
    assert!(list.contains_key("scorecard_master") && list.contains_key("call_to_action"));

    // Changes still work on what is left: a company is bumped, a CTA closes or opens.
    let changed = sim.modify("company", 2);
    assert_eq!(changed.len(), 2);
    let bumped = rows(&base, "company", select(&["Gsid", "ModifiedDate"])).await;
    for id in &changed {
        let r = bumped.iter().find(|r| r["Gsid"] == id.as_str()).expect("still there");
        assert!(r["ModifiedDate"].as_i64() > Some((NOW_DAY) * 86_400_000), "{r}");
    }
    assert_eq!(sim.modify("call_to_action", 2).len(), 2);
    assert_eq!(sim.delete("company", 1).len(), 1);
}

#[tokio::test]
async fn hidden_fields_are_described_but_refused() {
    let sim = sim("hidden").await;
    let base = sim.base_url();
    let company = described(&base, "company").await;
    assert!(
        company.contains(&("Arr".into(), "ARR".into())) && company.contains(&("Csm".into(), "CSM".into()))
    );
    for f in ["Arr", "Csm", "Csm__gr.Email"] {
        unusable(&base, "company", f).await;
    }
    unusable(&base, "call_to_action", "CompanyId__gr.Arr").await;
    unusable(&base, "call_to_action", "CompanyId__gr.Csm__gr.Name").await;
    assert_eq!(rows(&base, "company", select(&["Gsid", "Mrr", "Name"])).await.len(), 12);
    assert!(!rows(&base, "call_to_action", select(&["Gsid", "CompanyId__gr.Name"])).await.is_empty());

    // The cockpit API reads the same fields and refuses the same way, in its own error code.
    let r = send(
        reqwest::Client::new()
            .post(format!("{base}/v2/cockpit/cta/list"))
            .header("Accesskey", DEMO_ACCESS_KEY)
            .json(&json!({"select": ["Gsid", "CompanyId__gr.Arr"], "pageSize": 10, "pageNumber": 1})),
    )
    .await;
    assert_eq!((r.status, r.json["errorCode"].as_str()), (400, Some("COCKPIT_5101")), "{}", r.json);
    assert!(r.json["errorDesc"].as_str().is_some_and(|d| d.contains("Invalid field: CompanyId__gr.Arr")));
}

async fn control(base: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> Reply {
    let mut req = reqwest::Client::new().request(method, format!("{base}/__sim/{path}"));
    if let Some(b) = body {
        req = req.json(&b);
    }
    send(req).await
}

#[tokio::test]
async fn a_profile_is_applied_at_runtime_over_the_control_api() {
    use reqwest::Method;
    let sim = sim("default").await;
    let base = sim.base_url();
    let r = control(&base, Method::GET, "profile", None).await;
    assert_eq!((r.status, r.json.clone()), (200, serde_json::to_value(OrgProfile::default()).expect("json")));

    let hidden = serde_json::to_value(OrgProfile::named("hidden").expect("hidden")).expect("json");
    let r = control(&base, Method::PUT, "profile", Some(hidden)).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["hidden_fields"], json!([["company", "Arr"], ["company", "Csm"]]));
    unusable(&base, "company", "Arr").await;

    // On top: a partial body is enough, and what was in force stays.
    let more = json!({"renamed_objects": [["product_usage__gc", "usage__gc", "Usage"]],
        "renamed_fields": [["usage__gc", "Logins__gc", "SignIns__gc", null]],
        "absent_fields": [["company", "Industry"]]});
    let r = control(&base, Method::PUT, "profile", Some(more)).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let r = control(&base, Method::GET, "profile", None).await;
    assert_eq!(r.json["hidden_fields"].as_array().map(Vec::len), Some(2), "{}", r.json);
    assert_eq!(r.json["absent_fields"], json!([["company", "Industry"]]));
    assert_eq!(sim.profile().renamed_objects.len(), 1);
    unusable(&base, "company", "Arr").await;
    unusable(&base, "company", "Industry").await;
    unknown_object(&base, "product_usage__gc").await;
    let signins = rows(&base, "usage__gc", select(&["SignIns__gc", "CompanyId__gc__gr.Name"])).await;
    assert!(signins.iter().all(|r| r["SignIns__gc"].is_i64()), "{}", signins[0]);
    assert_eq!(objects(&base).await.get("usage__gc").map(String::as_str), Some("Usage"));

    // A profile that does not fit is refused whole.
    let bad = json!({"absent_fields": [["company", "Name"]], "hidden_fields": [["company", "NoSuchField"]]});
    let r = control(&base, Method::PUT, "profile", Some(bad)).await;
    assert_eq!(r.status, 400);
    assert!(r.json["error"].as_str().is_some_and(|e| e.contains("NoSuchField")), "{}", r.json);
    assert!(has(&field_names(&base, "company").await, "Name"), "nothing of it applied");
    assert_eq!(
        control(&base, Method::GET, "profile", None).await.json["absent_fields"],
        json!([["company", "Industry"]])
    );
    let r =
        control(&base, Method::PUT, "profile", Some(json!({"absent_fields": [["company", "Gsid"]]}))).await;
    assert_eq!(r.status, 400, "the record key stays");
    assert!(
        sim.apply_profile(&OrgProfile::named("documented").expect("documented")).is_ok(),
        "and more on top"
    );
    assert!(objects(&base).await.contains_key("scorecard_fact"));
}

#[tokio::test]
async fn changes_reach_renamed_objects_and_fields_and_deletes_are_logged_under_the_new_names() {
    let sim = sim("documented").await;
    let base = sim.base_url();
    let overall_before = rows(
        &base,
        "scorecard_fact",
        json!({"select": ["CompanyId", "CurrentScoreId__gr.Score", "MeasureId__gr.IsOverall"], "limit": 5000}),
    )
    .await;

    let changed = sim.modify("company", 3);
    assert_eq!(changed.len(), 3);
    let companies = rows(&base, "company", select(&["Gsid", "CurrentScore__gr.Score", "ModifiedDate"])).await;
    let facts = rows(
        &base,
        "scorecard_fact",
        json!({"select": ["CompanyId", "CurrentScoreId__gr.Score", "PreviousScoreId__gr.Score", "MeasureId__gr.IsOverall"],
            "limit": 5000}),
    )
    .await;
    for id in &changed {
        let c = companies.iter().find(|r| r["Gsid"] == id.as_str()).expect("company");
        let overall = |list: &[Value]| {
            list.iter()
                .find(|r| r["CompanyId"] == id.as_str() && r["MeasureId__gr.IsOverall"] == true)
                .cloned()
                .expect("an overall fact row")
        };
        let (before, after) = (overall(&overall_before), overall(&facts));
        assert_eq!(
            after["CurrentScoreId__gr.Score"], c["CurrentScore__gr.Score"],
            "the fact follows the company"
        );
        assert_eq!(
            after["PreviousScoreId__gr.Score"], before["CurrentScoreId__gr.Score"],
            "its old score moves back"
        );
        assert_ne!(after["CurrentScoreId__gr.Score"], before["CurrentScoreId__gr.Score"]);
    }
    for object in ["product_usage__gc", "customer_usage__gc", "company_scorecard_history", "scorecard_fact"] {
        assert_eq!(sim.modify(object, 2).len(), 2, "modify {object}: old and new names both work");
    }

    // Deletes: a company with its dependents, then the fact object by its old and its new name.
    let gone = sim.delete("company", 2);
    assert_eq!(gone.len(), 2);
    let filter = |field: &str| {
        json!({"select": ["Gsid"], "where": {"conditions": [{"name": field, "alias": "A", "value": gone, "operator": "IN"}],
            "expression": "A"}, "limit": 5000})
    };
    let r = query(&base, "customer_usage__gc", filter("Company__gc")).await;
    assert_eq!(r.json["data"]["records"].as_array().map(Vec::len), Some(0), "usage goes with its company");
    let r = query(&base, "scorecard_fact", filter("CompanyId")).await;
    assert_eq!(r.json["data"]["records"].as_array().map(Vec::len), Some(0), "scores go with it");
    let fact_gone = [sim.delete("company_scorecard_fact", 1), sim.delete("scorecard_fact", 1)].concat();
    assert_eq!(fact_gone.len(), 2);
    let history_gone = sim.delete("company_scorecard_history", 1);
    let log = rows(&base, "record_delete_log", select(&["RecordId", "ObjectName", "DeletedOn"])).await;
    let logged = |id: &str| log.iter().find(|r| r["RecordId"] == id).map(|r| r["ObjectName"].clone());
    for id in &gone {
        assert_eq!(logged(id), Some(json!("Company")));
    }
    for id in &fact_gone {
        assert_eq!(logged(id), Some(json!("scorecard_fact")), "logged under the name it is served as");
    }
    assert_eq!(logged(&history_gone[0]), Some(json!("scorecard_history")));
    assert!(log.iter().any(|r| r["ObjectName"] == "call_to_action"), "CTAs of the companies, logged");
    assert!(!log.iter().any(|r| r["ObjectName"] == "company_scorecard_fact"));

    // Over HTTP too.
    let r = control(
        &base,
        reqwest::Method::POST,
        "delete",
        Some(json!({"object": "customer_usage__gc", "count": 1})),
    )
    .await;
    let id = r.json[0].as_str().expect("an id").to_string();
    let log = rows(&base, "record_delete_log", select(&["RecordId", "ObjectName"])).await;
    assert!(log.iter().any(|r| r["RecordId"] == id.as_str() && r["ObjectName"] == "customer_usage__gc"));
}

#[tokio::test]
async fn modify_writes_the_fields_an_org_renamed_even_on_a_renamed_company() {
    let profile = OrgProfile {
        renamed_objects: vec![("company".into(), "customer_account".into(), Some("Customer Account".into()))],
        renamed_fields: vec![
            ("customer_account".into(), "Arr".into(), "AnnualRevenue".into(), None),
            ("customer_account".into(), "ModifiedDate".into(), "UpdatedAt".into(), None),
            ("call_to_action".into(), "IsClosed".into(), "Closed".into(), Some("Closed?".into())),
        ],
        ..Default::default()
    };
    let sim = gainsight_sim::start(SimConfig { profile, ..config("default") }).await.expect("start");
    let base = sim.base_url();
    unknown_object(&base, "company").await;
    let before = rows(&base, "customer_account", select(&["Gsid", "AnnualRevenue", "UpdatedAt"])).await;
    let changed = sim.modify("company", 2);
    assert_eq!(changed.len(), 2, "modify of company still works");
    let after = rows(&base, "customer_account", select(&["Gsid", "AnnualRevenue", "UpdatedAt"])).await;
    for id in &changed {
        let find = |list: &[Value]| list.iter().find(|r| r["Gsid"] == id.as_str()).cloned().expect("row");
        let (b, a) = (find(&before), find(&after));
        assert_eq!(a["AnnualRevenue"].as_i64(), b["AnnualRevenue"].as_i64().map(|v| v + 1000), "{b} → {a}");
        assert!(a["UpdatedAt"].as_i64() > b["UpdatedAt"].as_i64());
    }

    // Lookups into the renamed company still resolve, and describe names its new name.
    let cta = rows(
        &base,
        "call_to_action",
        select(&["Gsid", "Closed", "CompanyId__gr.Name", "CompanyId__gr.AnnualRevenue"]),
    )
    .await;
    assert!(cta.iter().all(|r| r["CompanyId__gr.Name"].is_string() && r["Closed"].is_boolean()));
    let r = get(&base, "/v1/meta/services/objects/call_to_action/describe").await;
    let company_id = r.json["data"][0]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["fieldName"] == "CompanyId")
        .cloned()
        .expect("CompanyId");
    assert_eq!(company_id["meta"]["lookupDetail"]["lookupObjects"][0]["objectName"], "customer_account");
    let flipped = sim.modify("call_to_action", 3);
    let now = rows(&base, "call_to_action", select(&["Gsid", "Closed"])).await;
    for id in &flipped {
        let was = cta.iter().find(|r| r["Gsid"] == id.as_str()).expect("cta")["Closed"].clone();
        let is = now.iter().find(|r| r["Gsid"] == id.as_str()).expect("cta")["Closed"].clone();
        assert_ne!(was, is, "the renamed IsClosed flips");
    }

    let gone = sim.delete("company", 1);
    let log = rows(&base, "record_delete_log", select(&["RecordId", "ObjectName"])).await;
    assert!(log.iter().any(|r| r["RecordId"] == gone[0].as_str() && r["ObjectName"] == "customer_account"));
}

#[tokio::test]
async fn a_profile_that_does_not_fit_refuses_to_start() {
    let profile = OrgProfile { hidden_fields: vec![("company".into(), "Nope".into())], ..Default::default() };
    let err = gainsight_sim::start(SimConfig { profile, ..config("default") }).await.err().expect("refused");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("company.Nope"), "{err}");
}

/// The binary, killed when the test ends.
struct Running {
    child: Child,
    base: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gainsight-sim"))
        .args(["--port", "0", "--companies", "6", "--anchor-date", "2025-11-10"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("first line");
    let base = line.trim().strip_prefix("listening on ").expect("the listening line").to_string();
    Running { child, base }
}

#[tokio::test]
async fn the_binary_serves_a_named_profile_with_flags_on_top() {
    let sim = spawn(&[
        "--profile",
        "documented",
        "--hidden-field",
        "company.Industry",
        "--absent-field",
        "company.SfdcAccountId",
        "--rename-field",
        "company.Arr=AnnualRevenue:Annual Revenue",
        "--rename-object",
        "activity_timeline=timeline_entry",
        "--absent-object",
        "scorecard_master",
        "--px-endpoint",
        "/users=403",
    ]);
    let base = sim.base.as_str();
    let list = objects(base).await;
    assert!(
        list.contains_key("scorecard_fact") && list.contains_key("customer_usage__gc"),
        "--profile documented"
    );
    assert!(
        list.contains_key("timeline_entry") && !list.contains_key("activity_timeline"),
        "--rename-object"
    );
    assert!(!list.contains_key("scorecard_master"), "--absent-object");
    unusable(base, "company", "Mrr").await;
    let company = described(base, "company").await;
    assert!(company.contains(&("Industry".into(), "Industry".into())), "--hidden-field: still described");
    unusable(base, "company", "Industry").await;
    assert!(!company.iter().any(|(n, _)| n == "SfdcAccountId"), "--absent-field");
    assert!(company.contains(&("AnnualRevenue".into(), "Annual Revenue".into())), "--rename-field");
    assert_eq!(rows(base, "company", select(&["Gsid", "AnnualRevenue"])).await.len(), 6);
    let r = send(
        reqwest::Client::new()
            .get(format!("{base}/px/us/v1/users"))
            .header("X-APTRINSIC-API-KEY", gainsight_sim::DEMO_PX_API_KEY),
    )
    .await;
    assert_eq!(r.status, 403, "--px-endpoint");
    let r = control(base, reqwest::Method::GET, "profile", None).await;
    assert_eq!(r.json["px_endpoints"], json!([["/users", 403]]));
    assert_eq!(r.json["renamed_objects"].as_array().map(Vec::len), Some(4));
}

#[test]
fn the_binary_refuses_an_unknown_profile_or_one_that_does_not_fit() {
    for args in [
        &["--profile", "nope"][..],
        &["--hidden-field", "company.Nope"][..],
        &["--rename-field", "company.Arr"][..],
        &["--px-endpoint", "/users=200"][..],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_gainsight-sim"))
            .args(["--port", "0", "--companies", "2"])
            .args(args)
            .output()
            .expect("run");
        assert!(!out.status.success(), "{args:?} is refused");
        assert!(!String::from_utf8_lossy(&out.stdout).contains("listening"), "{args:?}: no server");
        assert!(!out.stderr.is_empty(), "{args:?}: says why");
    }
}
