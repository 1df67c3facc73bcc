//! End to end on the real app, custom fields: after a first sync of the demo org, map `Region__gc`
//! in Sync settings (Choose fields…, after Gainsight once refuses the key), sync again, and see,
//! sort and filter the Region column in Accounts; the band filter offers the org's own bands.

use crate::support;

use serde_json::json;
use std::time::{Duration, Instant};
use support::*;

const REGIONS: [&str; 4] = ["North America", "EMEA", "APAC", "LATAM"];
const REGION_CELLS: &str = "[data-testid='custom-cell'][data-field='Region__gc']";

/// Polls the Region column until `ok` holds for it, and returns it.
async fn wait_regions(app: &fantoccini::Client, what: &str, ok: impl Fn(&[String]) -> bool) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let cells = texts_css(app, REGION_CELLS).await;
        if ok(&cells) {
            return cells;
        }
        if Instant::now() >= deadline {
            let shot = screenshot(app, "timeout-regions.png").await;
            panic!("{what}: the Region column showed {cells:?}; the screen is in {}", shot.display());
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Presses Sync now on the CS card and waits for a run other than `previous` to finish ok.
pub(crate) async fn sync_cs(app: &fantoccini::Client, previous: Option<&str>) -> String {
    click_css(app, &in_card("cs", "sync-now")).await;
    let outcome = in_card("cs", "sync-outcome");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Ok(el) = app.find(fantoccini::Locator::Css(&outcome)).await {
            let run = el.attr("data-run-id").await.ok().flatten();
            if run.is_some() && run.as_deref() != previous {
                let got = el.attr("data-outcome").await.ok().flatten();
                assert_eq!(got.as_deref(), Some("ok"), "the sync succeeds");
                return run.unwrap_or_default();
            }
        }
        if Instant::now() >= deadline {
            let shot = screenshot(app, "timeout-sync.png").await;
            panic!("the sync did not finish in time; the screen is in {}", shot.display());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn map_a_custom_field_then_see_sort_and_filter_accounts_by_it() {
    let data = tempfile::tempdir().expect("data dir");
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;

    click(&app, "connect-cs").await;
    click(&app, "try-demo").await;
    let sim = wait_value(&app, "instance-url").await;
    click(&app, "test-connection").await;
    wait_attr(&app, "test-result", "data-ok", "true").await;
    click(&app, "save").await;
    wait_text_css(&app, &in_card("cs", "card-status"), "Connected").await;
    // A first sync before mapping: the field must then reach accounts that did not change since.
    let first = sync_cs(&app, None).await;

    // Sync settings list the mapped fields from the cache: none yet.
    click_css(&app, &in_card("cs", "sync-settings")).await;
    find_css(&app, &in_card("cs", "no-mapped-fields")).await;

    // Gainsight refusing the key once is explained where the admin pressed, and they can try again.
    let fault = json!({"endpoint": "/v1/meta/services/objects/company/describe",
        "fault": {"kind": "status", "status": 401, "error_code": null}, "count": 1});
    assert_eq!(sim_post(&sim, "/__sim/faults", &fault).await, 204, "the simulator takes the fault");
    click_css(&app, &in_card("cs", "choose-fields")).await;
    let note = format!("{} {}", in_card("cs", "field-mapping"), testid("error-note"));
    wait_outcome(&app, &note, "data-kind", "InvalidKey").await;
    scroll_to(&app, &in_card("cs", "field-mapping")).await;
    screenshot(&app, "field-mapping-error.png").await;

    click_css(&app, &in_card("cs", "choose-fields")).await;
    find_css(&app, &in_card("cs", "field-options")).await;
    assert_eq!(
        app.find_all(fantoccini::Locator::Css(&note)).await.expect("notes").len(),
        0,
        "a successful load clears the error"
    );
    let fields: Vec<String> = {
        let rows = app
            .find_all(fantoccini::Locator::Css(&in_card("cs", "field-option")))
            .await
            .expect("field options");
        let mut names = Vec::new();
        for r in rows {
            names.push(r.attr("data-field").await.ok().flatten().unwrap_or_default());
        }
        names
    };
    assert!(fields.contains(&"Region__gc".to_string()), "describe offers Region__gc: {fields:?}");
    let custom = fields.iter().take_while(|f| f.ends_with("__gc")).count();
    assert!(
        custom >= 4 && fields[custom..].iter().all(|f| !f.ends_with("__gc")),
        "custom fields come first: {fields:?}"
    );
    let ticked: Vec<bool> = app
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0]), e => e.checked)",
            vec![json!(in_card("cs", "field-tick"))],
        )
        .await
        .ok()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    assert!(ticked.iter().all(|t| !t), "nothing is mapped yet, so nothing is ticked");
    let region = format!("[data-testid='field-option'][data-field='Region__gc'] {}", testid("field-tick"));
    click_css(&app, &region).await;
    let label = text_css(&app, "[data-testid='field-option'][data-field='Region__gc']").await;
    assert!(label.contains("Region") && label.contains("Region__gc"), "label and API name: {label:?}");
    scroll_to(&app, &in_card("cs", "field-mapping")).await;
    screenshot(&app, "field-mapping-choose.png").await;

    click_css(&app, &in_card("cs", "save-mapping")).await;
    let saved = text_css(&app, &in_card("cs", "mapping-saved")).await;
    assert!(
        saved.contains("reads every account again") && saved.contains("Region"),
        "the admin is told the next sync re-reads every account: {saved:?}"
    );
    let mapped = text_css(&app, "[data-testid='mapped-field'][data-field='Region__gc']").await;
    assert!(mapped.contains("Region"), "the mapped field is listed: {mapped:?}");
    scroll_to(&app, &in_card("cs", "field-mapping")).await;
    screenshot(&app, "field-mapping-saved.png").await;

    sync_cs(&app, Some(&first)).await;

    // Accounts: a Region column, and a Region facet that counts a Region for every account, the
    // unchanged ones included.
    click(&app, "nav-accounts").await;
    wait_text_css(&app, "[data-testid='custom-column'][data-field='Region__gc']", "Region").await;
    wait_text_css(&app, &testid("account-total"), "50 accounts").await;
    let regions = facet_counts(&app, "custom:Region__gc").await;
    assert_eq!(regions.iter().map(|(_, n)| n).sum::<i64>(), 50, "every account is counted once: {regions:?}");
    assert!(
        regions.iter().all(|(r, _)| REGIONS.contains(&r.as_str())),
        "every account has its Region: {regions:?}"
    );
    let shown = wait_regions(&app, "the first rows", |c| !c.is_empty()).await;
    assert!(shown.iter().all(|r| REGIONS.contains(&r.as_str())), "the column shows them: {shown:?}");
    let bands: Vec<String> = facet_counts(&app, "band").await.into_iter().map(|(b, _)| b).collect();
    assert_eq!(bands, ["Poor", "Average", "Good"], "the org's bands, lowest first, from the cache");
    screenshot(&app, "accounts-region.png").await;

    // Sort by Region both ways, by its column header.
    let header = "[data-testid='custom-column'][data-field='Region__gc']";
    click_css(&app, header).await;
    let up = wait_regions(&app, "ascending", |c| c.len() >= 10 && c.windows(2).all(|w| w[0] <= w[1])).await;
    click_css(&app, header).await;
    let down =
        wait_regions(&app, "descending", |c| c.len() >= 10 && c.windows(2).all(|w| w[0] >= w[1])).await;
    assert_ne!(up.first(), down.first(), "the two orders differ");
    screenshot(&app, "accounts-region-sorted.png").await;

    // Filter: the Region facet's EMEA count, clicked.
    let emea = regions.iter().find(|(r, _)| r == "EMEA").map(|(_, n)| *n).expect("some EMEA accounts");
    assert!(emea > 0 && emea < 50, "the demo org has some EMEA accounts ({emea})");
    click_css(&app, "[data-testid='facet-value'][data-facet='custom:Region__gc'][data-value='EMEA']").await;
    wait_text_css(&app, &testid("account-total"), &format!("50 accounts · {emea} match")).await;
    let filtered = wait_regions(&app, "EMEA only", |c| !c.is_empty() && c.iter().all(|r| r == "EMEA")).await;
    assert!(filtered.len() as i64 <= emea, "no more rows than EMEA accounts: {filtered:?}");
    assert_eq!(
        text_css(&app, &testid("filter-chip")).await,
        "Region: EMEA ×",
        "the filter is a removable chip"
    );
    screenshot(&app, "accounts-region-filtered.png").await;
    app.close().await.expect("close the app");
}
