//! Picklist and multi-select values are shown and filtered by their labels while the cache keeps
//! the ids, against the simulator on a real socket with a real database file: the labels come
//! from the org's describe, exactly as an independent read of the simulator resolves them.

use gainsight_sim::{OptionsStyle, RunningSim, SimConfig};
use outpost::Outpost;
use outpost::db::account_page::{AccountFilter, AccountPageQuery, FacetFilter};
use outpost::db::browse::AccountQuery;
use outpost::sync::{StreamProgress, SyncOptions};
use serde_json::{Value, json};
use std::collections::HashMap;

fn quiet(_: &StreamProgress) {}

async fn query(sim: &RunningSim, object: &str, select: &[&str]) -> Vec<Value> {
    let body = json!({"select": select, "limit": 5000, "offset": 0});
    let v: Value = reqwest::Client::new()
        .post(format!("{}/v1/data/objects/query/{object}", sim.base_url()))
        .header("Accesskey", gainsight_sim::DEMO_ACCESS_KEY)
        .json(&body)
        .send()
        .await
        .expect("truth query")
        .json()
        .await
        .expect("truth json");
    v["data"]["records"].as_array().expect("records").clone()
}

/// Gsid → the raw Products__gc value the simulator serves, and the org's item id → label (from
/// its picklist object, whatever describe lists).
async fn truth(sim: &RunningSim) -> (Vec<(String, Option<String>)>, HashMap<String, String>) {
    let rows = query(sim, "company", &["Gsid", "Products__gc"])
        .await
        .iter()
        .map(|r| {
            (r["Gsid"].as_str().expect("gsid").to_string(), r["Products__gc"].as_str().map(str::to_string))
        })
        .collect();
    let labels = query(sim, "da_picklist", &["Gsid", "Name", "Category"])
        .await
        .iter()
        .filter(|r| r["Category"] == "Company Products")
        .map(|r| {
            (r["Gsid"].as_str().expect("id").to_string(), r["Name"].as_str().expect("label").to_string())
        })
        .collect();
    (rows, labels)
}

fn shown(raw: &Option<String>, labels: &HashMap<String, String>) -> String {
    raw.as_deref()
        .unwrap_or("")
        .split(';')
        .filter(|p| !p.is_empty())
        .map(|p| labels.get(p).cloned().unwrap_or_else(|| p.to_string()))
        .collect::<Vec<_>>()
        .join("; ")
}

#[tokio::test(flavor = "multi_thread")]
async fn multi_select_values_are_shown_and_filtered_by_their_labels() {
    let sim =
        gainsight_sim::start(SimConfig { companies: 40, anchor_day: Some(20_400), ..Default::default() })
            .await
            .expect("simulator");
    let dir = tempfile::tempdir().expect("dir");
    let app = Outpost::open(dir.path()).expect("open");
    crate::common::connect_cs(&app, "Sim", &sim).await;
    let offered = app.mappable_fields("Sim", "company").await.expect("describe");
    let products = offered.iter().find(|f| f.field_name == "Products__gc").expect("offered").clone();
    assert_eq!(products.data_type, "MULTISELECTDROPDOWNLIST");
    app.set_field_mappings("Sim", "company", &[products]).expect("map");
    let s = app.sync("Sim", SyncOptions::default(), &quiet).await.expect("sync");
    assert_eq!(s.outcome, "ok", "{:?}", s.error);

    let (rows, labels) = truth(&sim).await;
    assert!(labels.len() >= 3 && labels.keys().all(|id| id.starts_with("1I00")), "{labels:?}");
    let with_products = rows.iter().filter(|(_, p)| p.is_some()).count();
    assert!(with_products >= 5, "the org has accounts with products ({with_products})");

    // The cache keeps the ids.
    let db = rusqlite::Connection::open(dir.path().join("outpost.db")).expect("db file");
    for (gsid, raw) in rows.iter().filter(|(_, p)| p.is_some()) {
        let stored: String = db
            .query_row(
                "SELECT json_extract(custom, '$.Products__gc') FROM companies WHERE gsid = ?1",
                [gsid],
                |r| r.get(0),
            )
            .expect("stored value");
        assert_eq!(Some(&stored), raw.as_ref(), "the cache holds Gainsight's ids for {gsid}");
    }

    // The account page and the list show labels.
    let page = app.account_page(&AccountPageQuery { limit: 1000, ..Default::default() }).expect("page");
    assert_eq!(page.rows.len(), rows.len());
    for r in &page.rows {
        let raw = &rows.iter().find(|(g, _)| *g == r.company.gsid).expect("known account").1;
        let custom: Value = serde_json::from_str(&r.company.custom).expect("custom json");
        let got = custom["Products__gc"].as_str().unwrap_or("").to_string();
        assert_eq!(got, shown(raw, &labels), "the list shows labels for {}", r.company.gsid);
        assert!(!got.contains("1I00"), "no raw id shown: {got}");
    }
    let (gsid, raw) =
        rows.iter().find(|(_, p)| p.as_deref().is_some_and(|p| p.contains(';'))).expect("two products");
    let detail = app.account(gsid).expect("account");
    let value = &detail.custom_fields.iter().find(|c| c.field == "Products__gc").expect("mapped").value;
    assert_eq!(value, &shown(raw, &labels), "the account page shows each product's label");

    // Facets count each item under its label, and clicking one filters to those accounts.
    let facets = app.account_facets(&AccountFilter::default()).expect("facets");
    let facet = facets.iter().find(|f| f.facet == "custom:Products__gc").expect("products facet");
    for (id, label) in &labels {
        let n =
            rows.iter().filter(|(_, p)| p.as_deref().is_some_and(|p| p.split(';').any(|x| x == id))).count();
        if n == 0 {
            continue;
        }
        let v =
            facet.values.iter().find(|v| &v.label == label).unwrap_or_else(|| panic!("{label} in {facet:?}"));
        assert_eq!(v.count, n as i64, "{label} counts every account that has it");
        let filter = AccountFilter {
            search: None,
            filters: vec![FacetFilter { facet: facet.facet.clone(), value: v.value.clone() }],
        };
        let q = AccountPageQuery { filter, limit: 1000, ..Default::default() };
        assert_eq!(app.account_page(&q).expect("filtered").matching, n as i64, "clicking {label} filters");
        // The CLI's `--field FIELD=LABEL` filters by the label too.
        let q = AccountQuery { field: Some(format!("Products__gc={label}")), ..Default::default() };
        assert_eq!(app.accounts(&q).expect("by label").len(), n, "--field Products__gc={label}");
    }
    let none = facet.values.iter().find(|v| v.value.is_empty()).map_or(0, |v| v.count);
    assert_eq!(none, (rows.len() - with_products) as i64, "accounts without products count as (not set)");

    // Sorting by the column sorts by what it shows: the labels, not the ids; accounts without last.
    for (sort, desc) in [("custom:Products__gc", false), ("-custom:Products__gc", true)] {
        let q = AccountPageQuery { sort: Some(sort.into()), limit: 1000, ..Default::default() };
        let got: Vec<String> = app
            .account_page(&q)
            .expect("sorted")
            .rows
            .iter()
            .map(|r| {
                let custom: Value = serde_json::from_str(&r.company.custom).expect("custom json");
                custom["Products__gc"].as_str().unwrap_or("").to_string()
            })
            .collect();
        let mut want: Vec<String> = rows.iter().map(|(_, raw)| shown(raw, &labels)).collect();
        want.sort_by_key(|s| s.to_lowercase());
        if desc {
            want.reverse();
        }
        // Missing values sort last either way.
        want.retain(|s| !s.is_empty());
        want.extend(std::iter::repeat_n(String::new(), rows.len() - want.len()));
        assert_eq!(got, want, "{sort} sorts by label");
    }

    // An id the org no longer describes shows as itself, never blank.
    let (forgotten, forgotten_label) =
        labels.iter().find(|(id, _)| raw.as_deref().unwrap_or("").contains(id.as_str())).expect("an item");
    db.execute("DELETE FROM picklist_labels WHERE item_id = ?1", [forgotten]).expect("forget a label");
    let value = app
        .account(gsid)
        .expect("account")
        .custom_fields
        .into_iter()
        .find(|c| c.field == "Products__gc")
        .expect("mapped")
        .value;
    assert!(value.contains(forgotten.as_str()), "an unknown id is shown as the id: {value}");
    assert!(!value.contains(forgotten_label.as_str()), "{value}");
}

/// Orgs list picklist items in describe differently, or not at all: the labels are learned either
/// way (from the org's picklist object when describe lists none).
#[tokio::test(flavor = "multi_thread")]
async fn labels_are_learned_whatever_shape_describe_gives_them() {
    for style in [OptionsStyle::NameGsid, OptionsStyle::Absent] {
        let config =
            SimConfig { companies: 15, anchor_day: Some(20_400), options: style, ..Default::default() };
        let sim = gainsight_sim::start(config).await.expect("simulator");
        let dir = tempfile::tempdir().expect("dir");
        let app = Outpost::open(dir.path()).expect("open");
        crate::common::connect_cs(&app, "Sim", &sim).await;
        let offered = app.mappable_fields("Sim", "company").await.expect("describe");
        let products = offered.iter().find(|f| f.field_name == "Products__gc").expect("offered").clone();
        app.set_field_mappings("Sim", "company", &[products]).expect("map");
        let s = app.sync("Sim", SyncOptions::default(), &quiet).await.expect("sync");
        assert_eq!(s.outcome, "ok", "{style:?}: {:?}", s.error);
        let (rows, labels) = truth(&sim).await;
        let mut checked = 0;
        for (gsid, raw) in rows.iter().filter(|(_, p)| p.is_some()) {
            let detail = app.account(gsid).expect("account");
            let value =
                &detail.custom_fields.iter().find(|c| c.field == "Products__gc").expect("mapped").value;
            assert_eq!(value, &shown(raw, &labels), "{style:?}: labels for {gsid}");
            checked += 1;
        }
        assert!(checked > 0, "{style:?}: some accounts have products");
        sim.stop().await;
    }
}
