//! End to end on the real app: what Gainsight sends is shown as text, never run as HTML. A cache
//! holds script and markup in a company name, a CTA name, a CSM name and a mapped custom field;
//! every screen that shows them shows the characters, and no script ran.

use crate::support;

use support::*;

const NAME: &str = "<img src=x onerror=\"window.__xss='name'\">Acme";
const CTA: &str = "<script>window.__xss='cta'</script>Renewal call";
const CSM: &str = "<b onmouseover=\"window.__xss='csm'\">Dana</b>";
const REGION: &str = "<svg onload=\"window.__xss='field'\"></svg>EMEA";

fn seed(dir: &std::path::Path) {
    let db = outpost::db::open(&dir.join("outpost.db")).expect("open the cache");
    db.execute_batch(
        "INSERT INTO connections (id, kind, name, instance_url, auth_mode, connected_by, connected_on, last_sync_at)
            VALUES ('x', 'cs', 'Org', 'https://org.gainsightcloud.com', 'access_key', 'e2e', '2026-01-01',
                    strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
         INSERT INTO field_mappings VALUES ('x', 'company', 'Region__gc', 'Region', 'STRING');",
    )
    .expect("connection");
    db.execute(
        "INSERT INTO companies (connection_id, gsid, name, industry, csm_name, score, score_label, custom)
         VALUES ('x', 'G1', ?1, 'Retail', ?2, 30, 'Poor', json_object('Region__gc', ?3))",
        [NAME, CSM, REGION],
    )
    .expect("company");
    db.execute(
        "INSERT INTO ctas (connection_id, gsid, company_gsid, name, owner_name, due_date, is_closed)
         VALUES ('x', 'T1', 'G1', ?1, ?2, '2000-01-01', 0)",
        [CTA, CSM],
    )
    .expect("cta");
}

async fn no_script_ran(app: &fantoccini::Client, screen: &str) {
    let ran = app.execute("return window.__xss ?? null", vec![]).await.expect("read");
    assert_eq!(ran, serde_json::Value::Null, "{screen}: a script from Gainsight's data ran");
    let injected = count_css(app, "img[src='x'], svg[onload], b[onmouseover], script:not([src])").await;
    assert_eq!(injected, 0, "{screen}: markup from Gainsight's data became elements");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn script_and_markup_from_gainsight_show_as_text() {
    let data = tempfile::tempdir().expect("data dir");
    seed(data.path());
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;

    click(&app, "nav-accounts").await;
    wait_text_css(&app, &testid("account-total"), "1 account").await;
    assert_eq!(texts_css(&app, &testid("account-open")).await, [NAME], "the name, character for character");
    let region = text_content(&app, "[data-testid='custom-cell'][data-field='Region__gc']").await;
    assert_eq!(region.trim(), REGION);
    screenshot(&app, "hostile-accounts.png").await;
    let facets = text_content(&app, &testid("facets")).await;
    assert!(facets.contains(CSM) && facets.contains(REGION), "facet values as text: {facets}");
    no_script_ran(&app, "Accounts").await;

    click(&app, "account-open").await;
    wait_text_css(&app, &testid("account-name"), NAME).await;
    let page = text_css(&app, "body").await;
    assert!(page.contains(CTA) && page.contains(REGION), "the account page shows them as text: {page}");
    no_script_ran(&app, "the account page").await;

    click(&app, "nav-ctas").await;
    find(&app, "cta-row").await;
    let row = text_content(&app, &testid("cta-row")).await;
    assert!(row.contains(CTA) && row.contains(NAME), "{row}");
    no_script_ran(&app, "CTAs").await;
    screenshot(&app, "hostile-ctas.png").await;
    app.close().await.expect("close the app");
}
