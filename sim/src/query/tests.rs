use super::*;
use crate::data::{DataSpec, generate};
use serde_json::json;

fn store() -> Store {
    generate(&DataSpec { seed: 11, companies: 120, anchor_day: 20_000 })
}

fn query(store: &Store, body: Value) -> Result<(Vec<Row>, usize), QueryError> {
    let body: QueryBody = serde_json::from_value(body).expect("valid body");
    let company = store.object("company").expect("company");
    run(store, company, &body, DateStyle::EpochMs)
}

#[test]
fn select_follows_lookups_two_levels() {
    let s = store();
    let (rows, _) =
        query(&s, json!({"select": ["Gsid", "Csm__gr.Email", "Stage__gr.Name"], "limit": 3})).expect("ok");
    assert_eq!(rows.len(), 3);
    for r in &rows {
        assert!(r["Csm__gr.Email"].as_str().is_some_and(|e| e.ends_with("@example.com")));
        assert!(r["Stage__gr.Name"].is_string(), "picklist label must resolve through __gr");
    }
    let err = query(&s, json!({"select": ["Csm__gr.Nope"]})).expect_err("unknown sub-field");
    assert_eq!(err.code, "GSOBJ_1002");
    let err = query(&s, json!({"select": ["Gsid"], "limit": 5001})).expect_err("limit over cap");
    assert_eq!(err.status, 400);
}

#[test]
fn paging_by_offset_covers_every_row_once() {
    let s = store();
    let mut seen = Vec::new();
    for offset in (0..).step_by(50) {
        let (rows, _) = query(
            &s,
            json!({"select": ["Gsid"], "orderBy": {"ModifiedDate": "asc", "Gsid": "asc"}, "limit": 50, "offset": offset}),
        )
        .expect("page");
        let short = rows.len() < 50;
        seen.extend(rows.into_iter().map(|r| r["Gsid"].as_str().unwrap_or_default().to_string()));
        if short {
            break;
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(seen.len(), 120, "every row exactly once");
    assert_eq!(unique.len(), 120);
}

#[test]
fn operators_and_expressions_filter_like_the_api() {
    let s = store();
    let all = query(&s, json!({"select": ["Gsid", "Arr", "Industry"], "limit": 5000})).expect("all").0;
    let count = |pred: &dyn Fn(&Row) -> bool| all.iter().filter(|r| pred(r)).count();
    let arr = |r: &Row| r["Arr"].as_i64().unwrap_or(0);

    let cases: Vec<(Value, usize)> = vec![
        (
            json!({"conditions": [{"name": "Arr", "alias": "A", "value": [500000], "operator": "GT"}]}),
            count(&|r| arr(r) > 500_000),
        ),
        (
            json!({"conditions": [{"name": "Arr", "alias": "A", "value": [100000, 300000], "operator": "BTW"}]}),
            count(&|r| (100_000..=300_000).contains(&arr(r))),
        ),
        (
            json!({"conditions": [
            {"name": "Industry", "alias": "A", "value": ["Retail"], "operator": "EQ"},
            {"name": "Industry", "alias": "B", "value": ["Media"], "operator": "EQ"},
            {"name": "Arr", "alias": "C", "value": [1000000], "operator": "LTE"}],
            "expression": "(A OR B) AND C"}),
            count(&|r| {
                ["Retail", "Media"].contains(&r["Industry"].as_str().unwrap_or("")) && arr(r) <= 1_000_000
            }),
        ),
        (
            json!({"conditions": [{"name": "Industry", "alias": "A", "value": ["Retail", "Energy"], "operator": "IN"}]}),
            count(&|r| ["Retail", "Energy"].contains(&r["Industry"].as_str().unwrap_or(""))),
        ),
        (
            json!({"conditions": [{"name": "Industry", "alias": "A", "value": ["care"], "operator": "CONTAINS"}]}),
            count(&|r| r["Industry"].as_str().unwrap_or("").contains("care")),
        ),
        (
            json!({"conditions": [{"name": "Industry", "alias": "A", "value": ["Retail"], "operator": "NE"}]}),
            count(&|r| r["Industry"] != "Retail"),
        ),
        (json!({"conditions": [{"name": "Csm", "alias": "A", "value": [], "operator": "IS_NULL"}]}), 0),
        (json!({"conditions": [{"name": "Csm", "alias": "A", "value": [], "operator": "IS_NOT_NULL"}]}), 120),
    ];
    for (filter, expected) in cases {
        let got = query(&s, json!({"select": ["Gsid"], "where": filter.clone(), "limit": 5000}))
            .expect("ok")
            .0
            .len();
        assert_eq!(got, expected, "filter {filter}");
    }
}

#[test]
fn date_conditions_accept_iso_text() {
    let s = store();
    let cutoff = "2024-10-01T00:00:00Z";
    let cut_ms = crate::time::parse(cutoff).expect("date");
    let all = query(&s, json!({"select": ["ModifiedDate"], "limit": 5000})).expect("all").0;
    let expected = all.iter().filter(|r| r["ModifiedDate"].as_i64().unwrap_or(0) >= cut_ms).count();
    let filtered = query(
        &s,
        json!({"select": ["Gsid"], "where": {"conditions": [
            {"name": "ModifiedDate", "alias": "A", "value": [cutoff], "operator": "GTE"}]}, "limit": 5000}),
    )
    .expect("ok");
    assert_eq!(filtered.0.len(), expected);
}
