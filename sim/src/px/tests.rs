//! Generation at scale and on an empty CS store, straight on `PxData` (no server).

use super::PxData;
use super::events::{Kind, Select};
use crate::config::SimConfig;
use crate::schema::{Object, Store};
use crate::time::DAY_MS;
use serde_json::json;
use std::time::Instant;

const ANCHOR: i64 = 20_400;

fn companies(n: usize) -> Store {
    let mut company = Object::new("Company", "Company", "STANDARD", "1P02", Vec::new());
    for i in 0..n {
        let row = json!({
            "Gsid": format!("1P02{i:032}"), "Name": format!("Company {i}"), "Industry": "Retail",
            "Employees": 100 + i, "CreatedDate": (ANCHOR - 500) * DAY_MS, "RenewalDate": (ANCHOR + 90) * DAY_MS,
        });
        if let serde_json::Value::Object(map) = row {
            company.push(map);
        }
    }
    let mut store = Store::default();
    store.insert(company);
    store
}

#[test]
fn twenty_thousand_companies_generate_quickly_and_events_stay_lazy() {
    let store = companies(20_000);
    let started = Instant::now();
    let px = PxData::generate(&SimConfig::default(), &store, ANCHOR);
    let took = started.elapsed();
    assert!(took.as_secs_f64() < 3.0, "generation took {took:?}");
    assert_eq!(px.account_count(), 20_000);
    assert!((150_000..250_000).contains(&px.user_count()), "about ten users each: {}", px.user_count());
    let now = px.now;
    let sel = Select { start: now - 190 * DAY_MS, end: now, account: None, items: None, test: None };
    let started = Instant::now();
    let (total, page) = px.events_page(Kind::FeatureMatch, &sel, 1_000_000..1_000_010);
    assert!(total > 1_000_010 && page.len() == 10);
    assert!(page.windows(2).all(|w| w[0].date <= w[1].date));
    assert!(started.elapsed().as_secs_f64() < 3.0, "a deep page took {:?}", started.elapsed());
    for kind in Kind::ALL {
        let started = Instant::now();
        let (total, page) = px.events_page(kind, &sel, 1_000..1_010);
        assert!(total > 1_010 && page.len() == 10, "{kind:?}: {total}");
        assert!(started.elapsed().as_secs_f64() < 3.0, "{kind:?}: a page took {:?}", started.elapsed());
    }
}

#[test]
fn same_inputs_same_org_and_an_empty_store_is_fine() {
    let store = companies(30);
    let (a, b) = (
        PxData::generate(&SimConfig::default(), &store, ANCHOR),
        PxData::generate(&SimConfig::default(), &store, ANCHOR),
    );
    let json = |px: &PxData| px.accounts.iter().map(|x| x.to_json()).collect::<Vec<_>>();
    assert_eq!(json(&a), json(&b));
    assert_eq!(a.accounts[3].gs_id, format!("1P02{:032}", 3));
    let other = PxData::generate(&SimConfig { seed: 7, ..Default::default() }, &store, ANCHOR);
    assert_ne!(json(&a), json(&other));

    let empty = PxData::generate(&SimConfig::default(), &Store::default(), ANCHOR);
    assert_eq!(empty.account_count(), 0);
    let sel =
        Select { start: empty.now - 10 * DAY_MS, end: empty.now, account: None, items: None, test: None };
    assert_eq!(empty.events_page(Kind::Custom, &sel, 0..10).0, 0);
}
