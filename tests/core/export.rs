//! CSV export of the Accounts and CTAs views, read back: against the simulator on a real socket
//! and a real database file, the file holds exactly the view's rows in its order, its columns
//! (mapped fields as labels), and no cell a spreadsheet would run as a formula.

use gainsight_sim::{RunningSim, SimConfig};
use outpost::Outpost;
use outpost::db::account_page::{AccountFilter, AccountPageQuery, FacetFilter};
use outpost::db::cta_page::CtaPageQuery;
use outpost::db::settings::FieldMapping;
use outpost::error::ErrorKind;
use outpost::export::{AccountExport, CtaExport, Headers};
use outpost::sync::{StreamProgress, SyncOptions};
use serde_json::Value;

fn quiet(_: &StreamProgress) {}

/// RFC 4180 records: quoted fields may hold commas, quotes (doubled) and line breaks.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(field.is_empty() && row.is_empty(), "the file ends with a complete record");
    rows
}

async fn synced(sim: &RunningSim, dir: &std::path::Path) -> Outpost {
    let app = Outpost::open(dir).expect("open");
    crate::common::connect_cs(&app, "Sim", sim).await;
    let offered = app.mappable_fields("Sim", "company").await.expect("describe");
    let pick =
        |n: &str| -> FieldMapping { offered.iter().find(|f| f.field_name == n).expect("offered").clone() };
    app.set_field_mappings("Sim", "company", &[pick("Products__gc"), pick("Region__gc")]).expect("map");
    let s = app.sync("Sim", SyncOptions::default(), &quiet).await.expect("sync");
    assert_eq!(s.outcome, "ok", "{:?}", s.error);
    app
}

#[tokio::test(flavor = "multi_thread")]
async fn the_accounts_view_is_exported_with_its_filter_sort_and_columns() {
    let sim =
        gainsight_sim::start(SimConfig { companies: 60, anchor_day: Some(20_400), ..Default::default() })
            .await
            .expect("simulator");
    let dir = tempfile::tempdir().expect("dir");
    let app = synced(&sim, dir.path()).await;

    // A name an org member typed as a formula.
    let victim = app.accounts(&Default::default()).expect("accounts")[0].company.clone();
    let db = rusqlite::Connection::open(dir.path().join("outpost.db")).expect("db");
    db.execute(
        "UPDATE companies SET name = '=HYPERLINK(\"http://x\",\"y\")' WHERE gsid = ?1",
        [&victim.gsid],
    )
    .expect("formula name");

    let bands = app.account_facets(&AccountFilter::default()).expect("facets");
    let band = bands.iter().find(|f| f.facet == "band").expect("band facet").values[0].value.clone();
    let filter = AccountFilter {
        search: None,
        filters: vec![
            FacetFilter { facet: "band".into(), value: band.clone() },
            FacetFilter { facet: "band".into(), value: victim.score_label.clone().unwrap_or_default() },
        ],
    };
    let columns: Vec<String> =
        ["name", "arr", "band", "custom:Products__gc", "custom:Region__gc", "connection"]
            .map(String::from)
            .to_vec();
    let e = AccountExport { filter: filter.clone(), sort: Some("-arr".into()), columns };
    let path = dir.path().join("accounts.csv");
    let n = app.export_accounts(&e, &path, Headers::Labels).expect("export");

    let view = app
        .account_page(&AccountPageQuery { filter, sort: Some("-arr".into()), offset: 0, limit: 1000 })
        .expect("the same view");
    assert!(
        view.matching > 0 && view.matching < view.total,
        "a real filter: {} of {}",
        view.matching,
        view.total
    );
    assert_eq!(n, view.matching, "every matching account");
    let rows = read_csv(&std::fs::read_to_string(&path).expect("csv"));
    assert_eq!(
        rows[0],
        ["Name", "ARR", "Band", "Products", "Region", "Connection"],
        "the header names the columns"
    );
    assert_eq!(rows.len() as i64 - 1, view.matching);
    for (csv, a) in rows[1..].iter().zip(&view.rows) {
        let c = &a.company;
        let custom: Value = serde_json::from_str(&c.custom).expect("custom");
        let text = |v: &Value| v.as_str().map(str::to_string).unwrap_or_default();
        let name = if c.gsid == victim.gsid { format!("'{}", c.name) } else { c.name.clone() };
        let want = vec![
            name,
            c.arr.map(|x| x.to_string()).unwrap_or_default(),
            c.score_label.clone().unwrap_or_default(),
            text(&custom["Products__gc"]),
            text(&custom["Region__gc"]),
            "Sim".to_string(),
        ];
        assert_eq!(csv, &want, "the view's row, in its order");
        assert!(!csv[3].contains("1I00"), "products as labels: {}", csv[3]);
    }
    assert!(rows.iter().any(|r| r[0].starts_with("'=HYPERLINK")), "the formula is defused, not dropped");
    let arrs: Vec<f64> = rows[1..].iter().filter_map(|r| r[1].parse().ok()).collect();
    assert!(arrs.windows(2).all(|w| w[0] >= w[1]), "sorted as the view: {arrs:?}");

    // Bad input loses nothing: an unknown column is refused and the earlier file stays.
    let before = std::fs::read(&path).expect("file");
    let bad = AccountExport { columns: vec!["name".into(), "secret_sauce".into()], ..Default::default() };
    let err = app.export_accounts(&bad, &path, Headers::Labels).expect_err("unknown column");
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert!(err.message.contains("secret_sauce"), "{}", err.message);
    assert_eq!(std::fs::read(&path).expect("file"), before, "the earlier export is untouched");
    let nowhere = dir.path().join("no such folder").join("a.csv");
    let err =
        app.export_accounts(&AccountExport::default(), &nowhere, Headers::Labels).expect_err("no folder");
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{}", err.message);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "no partial file left behind");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_ctas_view_is_exported_with_its_filter_and_columns() {
    let sim =
        gainsight_sim::start(SimConfig { companies: 40, anchor_day: Some(20_400), ..Default::default() })
            .await
            .expect("simulator");
    let dir = tempfile::tempdir().expect("dir");
    let app = synced(&sim, dir.path()).await;
    let query = CtaPageQuery {
        filters: vec![FacetFilter { facet: "state".into(), value: "open".into() }],
        ..Default::default()
    };
    let columns: Vec<String> =
        ["company", "name", "type", "priority", "due_date", "overdue"].map(String::from).to_vec();
    let path = dir.path().join("ctas.csv");
    let n = app
        .export_ctas(&CtaExport { query: query.clone(), columns }, &path, Headers::Labels)
        .expect("export");
    let view = app.cta_page(&CtaPageQuery { limit: 1000, ..query }).expect("view");
    assert!(
        view.matching > 0 && view.matching < view.total,
        "open CTAs only: {} of {}",
        view.matching,
        view.total
    );
    assert_eq!(n, view.matching);
    let rows = read_csv(&std::fs::read_to_string(&path).expect("csv"));
    assert_eq!(rows[0], ["Account", "CTA", "Type", "Priority", "Due date", "Overdue"]);
    assert_eq!(rows.len() as i64 - 1, view.matching);
    for (csv, t) in rows[1..].iter().zip(&view.rows) {
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        let want = vec![
            o(&t.company_name),
            t.cta.name.clone(),
            o(&t.cta.r#type),
            o(&t.cta.priority),
            o(&t.cta.due_date),
            t.overdue.to_string(),
        ];
        assert_eq!(csv, &want, "the view's row, overdue first");
    }
}
