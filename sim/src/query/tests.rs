use super::*;
use crate::data::{DataSpec, generate};
use serde_json::json;

fn store() -> Store {
    generate(&DataSpec { seed: 11, companies: 120, anchor_day: 20_000, measure_history: false })
}

fn query(store: &Store, body: Value) -> Result<(Vec<Row>, usize), QueryError> {
    query_on(store, "company", body)
}

fn query_on(store: &Store, object: &str, body: Value) -> Result<(Vec<Row>, usize), QueryError> {
    let body: QueryBody = serde_json::from_value(body).expect("valid body");
    let object = store.object(object).expect("object");
    run(store, object, &body, DateStyle::EpochMs)
}

fn text<'a>(r: &'a Row, field: &str) -> &'a str {
    r.get(field).and_then(Value::as_str).unwrap_or_default()
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

    // Two levels: CTA → its company → that company's CSM, checked against the rows themselves.
    let (rows, _) = query_on(
        &s,
        "call_to_action",
        json!({"select": ["Gsid", "CompanyId", "CompanyId__gr.Csm__gr.Email"], "limit": 40}),
    )
    .expect("two levels");
    let (companies, users) = (s.object("company").expect("company"), s.object("gsuser").expect("users"));
    assert_eq!(rows.len(), 40);
    for r in &rows {
        let company = companies.get(text(r, "CompanyId")).expect("the CTA's company exists");
        let csm = users.get(text(company, "Csm")).expect("the company's CSM exists");
        assert_eq!(
            text(r, "CompanyId__gr.Csm__gr.Email"),
            text(csm, "Email"),
            "the second lookup follows the first one's row"
        );
    }

    // Every hop of CompanyId → Csm → Manager is a real lookup: two of them resolve, three are refused.
    let (rows, _) =
        query(&s, json!({"select": ["Csm__gr.Manager__gr.Email"], "limit": 5000})).expect("two levels");
    assert!(rows.iter().any(|r| r["Csm__gr.Manager__gr.Email"].is_string()), "the chain resolves");
    let err = query_on(&s, "call_to_action", json!({"select": ["CompanyId__gr.Csm__gr.Manager__gr.Email"]}))
        .expect_err("three levels");
    assert_eq!(err.code, "GSOBJ_1002", "a third lookup level is refused");
    let err = query_on(
        &s,
        "call_to_action",
        json!({"select": ["Gsid"], "orderBy": {"CompanyId__gr.Csm__gr.Manager__gr.Email": "asc"}}),
    )
    .expect_err("three levels in orderBy");
    assert_eq!(err.code, "GSOBJ_1002");

    let err = query(&s, json!({"select": ["Csm__gr.Nope"]})).expect_err("unknown sub-field");
    assert_eq!(err.code, "GSOBJ_1002");
    let err = query(&s, json!({"select": ["Gsid"], "limit": 5001})).expect_err("limit over cap");
    assert_eq!(err.status, 400);
}

#[test]
fn order_by_sorts_ascending_descending_and_breaks_ties_by_the_next_key() {
    let s = store();
    let all = |order: Value, limit: usize, offset: usize| {
        query(
            &s,
            json!({"select": ["Gsid", "Industry", "Arr", "Csm__gr.Name"], "orderBy": order, "limit": limit, "offset": offset}),
        )
        .expect("sorted")
        .0
    };
    let arr = |r: &Row| r["Arr"].as_i64().expect("Arr");

    let rows = all(json!({"Industry": "asc", "Arr": "desc"}), 5000, 0);
    assert_eq!(rows.len(), 120);
    let industries: std::collections::BTreeSet<&str> = rows.iter().map(|r| text(r, "Industry")).collect();
    assert!(industries.len() < 20, "industries repeat, so the second key decides: {industries:?}");
    for w in rows.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        assert!(text(a, "Industry") <= text(b, "Industry"), "first key ascending");
        if text(a, "Industry") == text(b, "Industry") {
            assert!(arr(a) >= arr(b), "ties on Industry are ordered by Arr descending");
        }
    }

    let rows = all(json!({"Industry": "desc", "Arr": "asc"}), 5000, 0);
    for w in rows.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        assert!(text(a, "Industry") >= text(b, "Industry"), "first key descending");
        if text(a, "Industry") == text(b, "Industry") {
            assert!(arr(a) <= arr(b), "ties on Industry are ordered by Arr ascending");
        }
    }

    // By a lookup, and with rows equal on every key: pages of any size join into the full order.
    let order = json!({"Csm__gr.Name": "desc"});
    let full: Vec<String> = all(order.clone(), 5000, 0).iter().map(|r| text(r, "Gsid").to_string()).collect();
    let names: Vec<String> =
        all(order.clone(), 5000, 0).iter().map(|r| text(r, "Csm__gr.Name").to_string()).collect();
    assert!(names.windows(2).all(|w| w[0] >= w[1]), "sorted by the CSM's name, descending");
    for size in [1, 7, 50] {
        let mut paged = Vec::new();
        for offset in (0..120).step_by(size) {
            paged.extend(all(order.clone(), size, offset).iter().map(|r| text(r, "Gsid").to_string()));
        }
        assert_eq!(paged, full, "pages of {size} keep ties in one stable order");
    }
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
        (
            json!({"conditions": [{"name": "Industry", "alias": "A", "value": ["fin"], "operator": "STARTS_WITH"}]}),
            count(&|r| r["Industry"].as_str().unwrap_or("").starts_with("Fin")),
        ),
        (
            json!({"conditions": [{"name": "Industry", "alias": "A", "value": ["ARE"], "operator": "ENDS_WITH"}]}),
            count(&|r| r["Industry"].as_str().unwrap_or("").ends_with("are")),
        ),
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
fn null_checks_on_a_field_that_is_sometimes_null() {
    let s = store();
    let all = query_on(&s, "call_to_action", json!({"select": ["Gsid", "ClosedDate"], "limit": 5000}))
        .expect("all")
        .0;
    let open = all.iter().filter(|r| r["ClosedDate"].is_null()).count();
    assert!(open > 0 && open < all.len(), "some CTAs are open, some closed ({open} of {})", all.len());
    let count = |operator: &str| {
        query_on(
            &s,
            "call_to_action",
            json!({"select": ["Gsid"], "where": {"conditions": [
                {"name": "ClosedDate", "alias": "A", "value": [], "operator": operator}]}, "limit": 5000}),
        )
        .expect("ok")
        .0
        .len()
    };
    assert_eq!(count("IS_NULL"), open, "open CTAs have no ClosedDate");
    assert_eq!(count("IS_NOT_NULL"), all.len() - open);
}

#[test]
fn includes_and_excludes_judge_each_item_of_a_multi_select() {
    let s = store();
    let all = query(&s, json!({"select": ["Gsid", "Products__gc"], "limit": 5000})).expect("all").0;
    let items = |r: &Row| -> Vec<String> {
        r["Products__gc"].as_str().map(|v| v.split(';').map(str::to_string).collect()).unwrap_or_default()
    };
    let options: Vec<String> = {
        let mut o: Vec<String> = all.iter().flat_map(items).collect();
        o.sort();
        o.dedup();
        o
    };
    assert!(options.len() >= 3, "the multi-select uses several options: {options:?}");
    assert!(all.iter().any(|r| items(r).len() >= 2), "some companies have several items");
    assert!(all.iter().any(|r| r["Products__gc"].is_null()), "and some have none");
    let (a, b) = (options[0].clone(), options[1].clone());
    let run = |operator: &str, values: Value| {
        query(
            &s,
            json!({"select": ["Gsid"], "where": {"conditions": [
                {"name": "Products__gc", "alias": "A", "value": values, "operator": operator}]}, "limit": 5000}),
        )
        .expect("ok")
        .0
        .len()
    };
    let with = |x: &str| all.iter().filter(|r| items(r).iter().any(|i| i == x)).count();
    let with_either = all.iter().filter(|r| items(r).iter().any(|i| *i == a || *i == b)).count();

    assert_eq!(run("INCLUDES", json!([a])), with(&a), "INCLUDES matches a row holding the item among others");
    assert_eq!(run("INCLUDES", json!([a, b])), with_either, "any of the values");
    assert_eq!(run("INCLUDES", json!([a.to_lowercase()])), with(&a), "ids compare case-insensitively");
    assert_eq!(
        run("EXCLUDES", json!([a])),
        all.len() - with(&a),
        "EXCLUDES keeps rows without it, empty ones too"
    );
    assert_eq!(run("EXCLUDES", json!([a, b])), all.len() - with_either, "none of the values");
    let exactly_a = all.iter().filter(|r| r["Products__gc"].as_str() == Some(a.as_str())).count();
    assert_eq!(run("IN", json!([a])), exactly_a, "IN compares the whole value");
    assert!(with(&a) > exactly_a, "so INCLUDES is not IN on a multi-select");
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

#[test]
fn a_page_from_the_cached_order_is_the_page_the_whole_query_gives() {
    let s = store();
    for name in ["company_scorecard_history", "call_to_action", "company"] {
        let object = s.object(name).expect("object");
        let all = query_on(&s, name, json!({"select": ["ModifiedDate"], "limit": 5000})).expect("all").0;
        let mut instants: Vec<i64> = all.iter().filter_map(|r| r["ModifiedDate"].as_i64()).collect();
        instants.sort_unstable();
        // An instant many rows share (history snapshots), one in the middle, and one past the end.
        let shared = instants.windows(2).find(|w| w[0] == w[1]).map_or(instants[0], |w| w[0]);
        let cuts = [instants[0], shared, instants[instants.len() / 2], instants[instants.len() - 1] + 1];
        let asc = json!({"ModifiedDate": "asc", "Gsid": "asc"});
        let desc = json!({"ModifiedDate": "desc", "Gsid": "asc"});
        for order in [&asc, &desc] {
            let index = order_index(&s, object, order.as_object().expect("order"));
            for cut in cuts {
                for (op, expression) in [
                    ("GTE", "KEY"),
                    ("GT", "KEY"),
                    ("EQ", "KEY"),
                    ("GTE", "(A) AND KEY"),
                    ("GTE", "A OR KEY"),
                    ("LT", "KEY"),
                ] {
                    for (limit, offset) in [(5, 0), (7, 3), (5000, 0), (0, 0), (10, 100_000)] {
                        let body = json!({
                            "select": ["Gsid", "ModifiedDate"],
                            "where": {"conditions": [
                                {"name": "Gsid", "alias": "A", "value": [""], "operator": "NE"},
                                {"name": "ModifiedDate", "alias": "KEY", "value": [cut], "operator": op}],
                                "expression": expression},
                            "orderBy": order, "limit": limit, "offset": offset
                        });
                        let (whole, _) = query_on(&s, name, body.clone()).expect("run");
                        let body: QueryBody = serde_json::from_value(body).expect("body");
                        let paged =
                            page_in_order(&s, object, &body, DateStyle::EpochMs, &index).expect("page");
                        assert_eq!(
                            paged, whole,
                            "{name} {order} {op} {cut} {expression} limit {limit} offset {offset}"
                        );
                    }
                }
            }
            // No filter at all: the order alone.
            let body = json!({"select": ["Gsid"], "orderBy": order, "limit": 50, "offset": 20});
            let (whole, _) = query_on(&s, name, body.clone()).expect("run");
            let body: QueryBody = serde_json::from_value(body).expect("body");
            assert_eq!(page_in_order(&s, object, &body, DateStyle::EpochMs, &index).expect("page"), whole);
        }
    }
}
