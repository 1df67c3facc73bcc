//! What the accounts list offers beyond the rows, against the simulator on a real socket with the
//! real keychain and a real database file: the org's own health bands, the mapped custom fields of
//! every CS connection as columns, and a field mapped after a sync reaching every account.

use gainsight_sim::{RunningSim, SimConfig};
use outpost::Outpost;
use outpost::connections::CsConnectInput;
use outpost::db::browse::AccountQuery;
use outpost::db::settings::{FieldMapping, SyncSettings};
use outpost::sync::{StreamProgress, SyncOptions};
use serde_json::{Value, json};

async fn start(companies: usize) -> RunningSim {
    gainsight_sim::start(SimConfig { companies, anchor_day: Some(20_400), ..Default::default() })
        .await
        .expect("simulator")
}

async fn connect(app: &Outpost, name: &str, sim: &RunningSim) {
    let input = CsConnectInput {
        name: name.into(),
        description: None,
        instance_url: sim.base_url(),
        access_key: gainsight_sim::DEMO_ACCESS_KEY.into(),
    };
    app.connect_cs(&input).await.expect("connect (needs the keychain `make test` starts)");
    // The simulator is this test's own org: let the sync use its whole per-minute limit.
    let settings = SyncSettings { cs_calls_per_minute: 100, ..Default::default() };
    app.set_sync_settings(name, &settings).expect("settings");
}

fn quiet(_: &StreamProgress) {}

async fn sync_ok(app: &Outpost, name: &str) {
    let s = app.sync(name, SyncOptions::default(), &quiet).await.expect("sync");
    assert_eq!(s.outcome, "ok", "{:?}", s.error);
}

fn mapping(field: &str, label: &str) -> FieldMapping {
    FieldMapping {
        object: "company".into(),
        field_name: field.into(),
        label: label.into(),
        data_type: "STRING".into(),
    }
}

/// Gsid → Region__gc as the simulator serves it now.
async fn regions(sim: &RunningSim) -> Vec<(String, Value)> {
    let body =
        json!({"select": ["Gsid", "Region__gc"], "orderBy": {"Gsid": "asc"}, "limit": 5000, "offset": 0});
    let v: Value = reqwest::Client::new()
        .post(format!("{}/v1/data/objects/query/company", sim.base_url()))
        .header("Accesskey", gainsight_sim::DEMO_ACCESS_KEY)
        .json(&body)
        .send()
        .await
        .expect("truth query")
        .json()
        .await
        .expect("truth json");
    v["data"]["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| (r["Gsid"].as_str().unwrap_or_default().to_string(), r["Region__gc"].clone()))
        .collect()
}

fn custom_of(app: &Outpost, gsid: &str) -> Value {
    let a = app.account(gsid).expect("account");
    serde_json::from_str(&a.company.custom).expect("custom json")
}

/// A sync reading 10 records a page, and the pages of companies it read.
async fn sync_counting_company_pages(app: &Outpost, sim: &RunningSim) -> u64 {
    sim.reset_counters();
    let opts = SyncOptions { page_size: Some(10), ..Default::default() };
    let s = app.sync("Sim", opts, &quiet).await.expect("sync");
    assert_eq!(s.outcome, "ok", "{:?}", s.error);
    sim.counters().calls.get("POST /v1/data/objects/query/company").copied().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn bands_are_the_orgs_own_lowest_first() {
    let sim = start(20).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = Outpost::open(dir.path()).expect("open");
    assert!(app.bands().expect("bands").is_empty(), "nothing synced, no bands to offer");
    connect(&app, "Sim", &sim).await;
    sync_ok(&app, "Sim").await;

    let bands = app.bands().expect("bands");
    let names: Vec<&str> = bands.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["Poor", "Average", "Good"], "one entry per band of the scheme, lowest first");
    let lows: Vec<Option<f64>> = bands.iter().map(|b| b.min_score).collect();
    assert_eq!(lows, [Some(0.0), Some(50.0), Some(75.0)], "each band starts at its lowest score");
    assert!(bands.iter().all(|b| b.color.as_deref().is_some_and(|c| c.starts_with('#'))), "{bands:?}");

    // Every band offered filters to exactly the accounts that carry it.
    let all = app.accounts(&AccountQuery::default()).expect("accounts");
    for b in &bands {
        let q = AccountQuery { band: Some(b.name.clone()), ..Default::default() };
        let n = all.iter().filter(|a| a.company.score_label.as_deref() == Some(&b.name)).count();
        assert_eq!(app.accounts(&q).expect("filter").len(), n, "filtering by {}", b.name);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_health_scores_the_bands_come_from_the_accounts() {
    let sim = start(20).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = Outpost::open(dir.path()).expect("open");
    connect(&app, "Sim", &sim).await;
    let only_companies = SyncSettings {
        objects: vec![outpost::model::ObjectGroup::Companies],
        cs_calls_per_minute: 100,
        ..Default::default()
    };
    app.set_sync_settings("Sim", &only_companies).expect("settings");
    sync_ok(&app, "Sim").await;

    let bands = app.bands().expect("bands");
    let mut carried: Vec<String> = app
        .accounts(&AccountQuery::default())
        .expect("accounts")
        .into_iter()
        .filter_map(|a| a.company.score_label)
        .collect();
    carried.sort();
    carried.dedup();
    let mut offered: Vec<String> = bands.iter().map(|b| b.name.clone()).collect();
    offered.sort();
    assert!(!offered.is_empty(), "accounts carry their band even when the scheme is not synced");
    assert_eq!(offered, carried, "the bands the accounts carry, once each");
    assert!(bands.iter().all(|b| b.min_score.is_none()), "no scheme, no score ranges: {bands:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn custom_columns_are_the_mapped_fields_of_every_cs_connection_once() {
    let sim = start(5).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = Outpost::open(dir.path()).expect("open");
    assert!(app.custom_columns().expect("columns").is_empty());
    connect(&app, "Prod", &sim).await;
    connect(&app, "Sandbox", &sim).await;
    app.set_field_mappings("Prod", "company", &[mapping("Region__gc", "Region")]).expect("map");
    app.set_field_mappings(
        "Sandbox",
        "company",
        &[mapping("Segment__gc", "Segment"), mapping("Region__gc", "Region")],
    )
    .expect("map");

    let columns = app.custom_columns().expect("columns");
    let names: Vec<(&str, &str)> =
        columns.iter().map(|c| (c.field_name.as_str(), c.label.as_str())).collect();
    assert_eq!(names, [("Region__gc", "Region"), ("Segment__gc", "Segment")], "deduped, in label order");

    app.set_field_mappings("Sandbox", "company", &[]).expect("clear");
    let columns = app.custom_columns().expect("columns");
    assert_eq!(columns.len(), 1, "a cleared mapping is no longer a column: {columns:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_field_mapped_after_a_sync_reaches_every_account_at_the_next() {
    let sim = start(30).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = Outpost::open(dir.path()).expect("open");
    connect(&app, "Sim", &sim).await;

    // Mapped before the first sync: that sync reads every company anyway.
    let segment = mapping("Segment__gc", "Segment");
    let saved = app.set_field_mappings("Sim", "company", std::slice::from_ref(&segment)).expect("map");
    assert_eq!((saved.added.as_slice(), saved.reread_all), (&["Segment__gc".to_string()][..], false));
    sync_ok(&app, "Sim").await;

    // Mapped after it: an incremental sync alone would only fetch companies modified since.
    let offered = app.mappable_fields("Sim", "company").await.expect("describe");
    let region =
        offered.iter().find(|f| f.field_name == "Region__gc").expect("Region__gc is offered").clone();
    let saved = app.set_field_mappings("Sim", "company", &[segment.clone(), region.clone()]).expect("map");
    assert_eq!(saved.added, ["Region__gc"], "only the new field is added");
    assert!(saved.reread_all, "companies were synced before, so the next sync reads them all again");
    assert_eq!(saved.mapped.len(), 2);

    let moved = sim.modify("company", 3);
    let pages = sync_counting_company_pages(&app, &sim).await;
    assert!(pages >= 3, "all 30 companies are read again, 10 a page (read {pages} pages)");
    let truth = regions(&sim).await;
    assert_eq!(truth.len(), 30);
    for (gsid, region) in &truth {
        assert_eq!(&custom_of(&app, gsid)["Region__gc"], region, "Region fetched for {gsid}");
    }
    let changes = app.changes(None, 100).expect("changes");
    for id in &moved {
        assert!(
            changes
                .iter()
                .any(|c| c.kind == "band_changed" && c.company_gsid.as_deref() == Some(id.as_str())),
            "the re-read is incremental, so band moves are still logged ({id})"
        );
    }

    // Saving the same fields again, or only removing one, needs no re-read.
    let saved = app.set_field_mappings("Sim", "company", &[segment, region.clone()]).expect("same");
    assert_eq!((saved.added.len(), saved.reread_all), (0, false));
    let saved = app.set_field_mappings("Sim", "company", &[region]).expect("remove one");
    assert_eq!((saved.added.len(), saved.reread_all), (0, false));
    let pages = sync_counting_company_pages(&app, &sim).await;
    assert_eq!(pages, 1, "after the re-read, companies are read incrementally again");
}
