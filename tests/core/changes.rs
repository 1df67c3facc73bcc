//! The Changes screen and an account's "What changed", against the simulator on a real socket and
//! a real database file: changes since the last sync by default or since a chosen one, by
//! connection and kind, each with its date and its account; and one account's own entries.

use gainsight_sim::{RunningSim, SimConfig};
use outpost::Outpost;
use outpost::connections::CsConnectInput;
use outpost::db::changes::ChangeQuery;
use outpost::db::settings::SyncSettings;
use outpost::model::ChangeKind;
use outpost::sync::{StreamProgress, SyncOptions, SyncSummary};
use std::collections::BTreeSet;

fn quiet(_: &StreamProgress) {}

async fn connect(app: &Outpost, name: &str, sim: &RunningSim) -> String {
    let input = CsConnectInput {
        name: name.into(),
        description: None,
        instance_url: sim.base_url(),
        access_key: gainsight_sim::DEMO_ACCESS_KEY.into(),
    };
    let card = app.connect_cs(&input).await.expect("connect (needs the keychain `make test` starts)");
    app.set_sync_settings(name, &SyncSettings { cs_calls_per_minute: 100, ..Default::default() })
        .expect("settings");
    card.id
}

async fn sync(app: &Outpost, name: &str) -> SyncSummary {
    let s = app.sync(name, SyncOptions::default(), &quiet).await.expect("sync");
    assert_eq!(s.outcome, "ok", "{:?}", s.error);
    s
}

fn is_iso_instant(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

/// (run, connection, kind, account) of every row, to compare as sets.
type Key = (i64, String, String, String);

fn keys(rows: &[outpost::db::changes::Change]) -> BTreeSet<Key> {
    rows.iter()
        .map(|c| {
            (
                c.run_id,
                c.connection_id.clone(),
                c.kind.code().to_string(),
                c.company_gsid.clone().unwrap_or_default(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_since_the_last_sync_or_a_chosen_one_by_connection_and_kind() {
    let sim =
        gainsight_sim::start(SimConfig { companies: 30, anchor_day: Some(20_400), ..Default::default() })
            .await
            .expect("simulator");
    let dir = tempfile::tempdir().expect("dir");
    let app = Outpost::open(dir.path()).expect("open");
    let prod = connect(&app, "Prod", &sim).await;
    let sandbox = connect(&app, "Sandbox", &sim).await;
    sync(&app, "Prod").await;
    sync(&app, "Sandbox").await;
    let first = app.change_list(&ChangeQuery { limit: 100, ..Default::default() }).expect("changes");
    assert_eq!(first.matching, 0, "a first sync records no changes: {:?}", first.rows);

    let moved = sim.modify("company", 3);
    let r3 = sync(&app, "Prod").await;
    let flipped = sim.modify("call_to_action", 4);
    let r4 = sync(&app, "Prod").await;
    let r5 = sync(&app, "Sandbox").await;

    let cta_company = |gsid: &str| -> String {
        let all = app.ctas(&Default::default()).expect("ctas");
        all.iter()
            .find(|t| t.cta.gsid == gsid)
            .and_then(|t| t.cta.company_gsid.clone())
            .expect("CTA's account")
    };
    let cta_rows = |run: i64, cid: &str| -> BTreeSet<Key> {
        let all = app.ctas(&Default::default()).expect("ctas");
        flipped
            .iter()
            .map(|g| {
                let t = all.iter().find(|t| &t.cta.gsid == g).expect("flipped CTA cached");
                let kind = if t.cta.is_closed { "cta_closed" } else { "cta_opened" };
                (run, cid.to_string(), kind.to_string(), cta_company(g))
            })
            .collect()
    };
    let band_rows = |run: i64, cid: &str| -> BTreeSet<Key> {
        moved.iter().map(|g| (run, cid.to_string(), "band_changed".to_string(), g.clone())).collect()
    };

    // By default: what each connection's last sync found.
    let default = app.change_list(&ChangeQuery { limit: 100, ..Default::default() }).expect("default");
    let mut want = cta_rows(r4.run_id, &prod);
    want.extend(band_rows(r5.run_id, &sandbox));
    want.extend(cta_rows(r5.run_id, &sandbox));
    assert_eq!(keys(&default.rows), want, "since each connection's last sync");
    assert_eq!(default.matching, want.len() as i64);

    // Since a chosen sync: that one and every later one.
    let since = |run: i64| ChangeQuery { since_run: Some(run), limit: 100, ..Default::default() };
    let all = app.change_list(&since(r3.run_id)).expect("since run 3");
    let mut want_all = band_rows(r3.run_id, &prod);
    want_all.extend(want.iter().cloned());
    assert_eq!(keys(&all.rows), want_all, "since the chosen sync, inclusive");
    let ids: Vec<i64> = all.rows.iter().map(|c| c.id).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");

    // By connection and by kind.
    let q = ChangeQuery { connection_id: Some(prod.clone()), ..since(r3.run_id) };
    let only_prod = app.change_list(&q).expect("prod");
    let mut want_prod = band_rows(r3.run_id, &prod);
    want_prod.extend(cta_rows(r4.run_id, &prod));
    assert_eq!(keys(&only_prod.rows), want_prod);
    let q = ChangeQuery { kinds: vec![ChangeKind::BandChanged], ..since(r3.run_id) };
    let bands = app.change_list(&q).expect("bands");
    let mut want_bands = band_rows(r3.run_id, &prod);
    want_bands.extend(band_rows(r5.run_id, &sandbox));
    assert_eq!(keys(&bands.rows), want_bands);
    let q = ChangeQuery { kinds: vec![ChangeKind::CtaOpened, ChangeKind::CtaClosed], ..since(r3.run_id) };
    assert_eq!(app.change_list(&q).expect("ctas").matching, 8, "4 CTAs seen by each connection");
    let q = ChangeQuery { limit: 2, ..since(r3.run_id) };
    let capped = app.change_list(&q).expect("capped");
    assert_eq!(
        (capped.rows.len(), capped.matching),
        (2, want_all.len() as i64),
        "the true count past the limit"
    );

    // Each row has its date and an account it links to.
    for c in &all.rows {
        assert!(is_iso_instant(&c.at), "a date on every row: {:?}", c.at);
        let gsid = c.company_gsid.as_deref().expect("an account");
        let account = app.account(gsid).expect("the link opens the account");
        assert_eq!(c.company_name.as_deref(), Some(account.company.name.as_str()));
    }

    // The picker: every run, newest first, with its dates and how many changes it recorded.
    let runs = app.change_runs(None).expect("runs");
    let listed: Vec<(i64, i64)> = runs.iter().map(|r| (r.id, r.changes)).collect();
    assert_eq!(
        listed,
        [(r5.run_id, 7), (r4.run_id, 4), (r3.run_id, 3), (r3.run_id - 1, 0), (r3.run_id - 2, 0)],
        "{runs:?}"
    );
    assert!(
        runs.iter()
            .all(|r| is_iso_instant(&r.started_at) && r.finished_at.as_deref().is_some_and(is_iso_instant))
    );
    assert_eq!(runs[0].connection, "Sandbox");
    let prod_runs = app.change_runs(Some(&prod)).expect("prod runs");
    assert!(prod_runs.iter().all(|r| r.connection_id == prod) && prod_runs.len() == 3, "{prod_runs:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_accounts_what_changed_lists_its_band_moves_and_ctas_with_dates() {
    let sim =
        gainsight_sim::start(SimConfig { companies: 20, anchor_day: Some(20_400), ..Default::default() })
            .await
            .expect("simulator");
    let dir = tempfile::tempdir().expect("dir");
    let app = Outpost::open(dir.path()).expect("open");
    connect(&app, "Sim", &sim).await;
    sync(&app, "Sim").await;
    let quiet_account = app.accounts(&Default::default()).expect("accounts")[0].company.gsid.clone();
    assert!(app.account(&quiet_account).expect("account").changes.is_empty(), "nothing changed yet");

    let moved = sim.modify("company", 2);
    let flipped = sim.modify("call_to_action", 3);
    sync(&app, "Sim").await;
    let moved_again = sim.modify("company", 2);
    sync(&app, "Sim").await;

    let ctas = app.ctas(&Default::default()).expect("ctas");
    for gsid in moved.iter().chain(&moved_again) {
        let a = app.account(gsid).expect("account");
        let bands: Vec<_> = a.changes.iter().filter(|c| c.kind == ChangeKind::BandChanged).collect();
        let times = moved.iter().chain(&moved_again).filter(|g| *g == gsid).count();
        assert_eq!(bands.len(), times, "{gsid}: one entry per band move");
        for c in &bands {
            let d: serde_json::Value =
                serde_json::from_str(c.detail.as_deref().unwrap_or("{}")).expect("detail");
            assert!(d["from"].is_string() && d["to"].is_string() && d["from"] != d["to"], "{d}");
        }
    }
    for cta in &flipped {
        let t = ctas.iter().find(|t| &t.cta.gsid == cta).expect("cached");
        let company = t.cta.company_gsid.as_deref().expect("CTA's account");
        let a = app.account(company).expect("account");
        let kind = if t.cta.is_closed { ChangeKind::CtaClosed } else { ChangeKind::CtaOpened };
        assert!(
            a.changes.iter().any(|c| c.kind == kind && c.subject.as_deref() == Some(t.cta.name.as_str())),
            "{company}'s What changed has {kind:?} for {}: {:?}",
            t.cta.name,
            a.changes
        );
    }
    // Only this account's entries, with dates, newest first.
    for gsid in moved.iter().chain(&moved_again) {
        let a = app.account(gsid).expect("account");
        assert!(a.changes.iter().all(|c| c.company_gsid.as_deref() == Some(gsid.as_str())));
        assert!(a.changes.iter().all(|c| is_iso_instant(&c.at)));
        let at: Vec<&str> = a.changes.iter().map(|c| c.at.as_str()).collect();
        assert!(at.windows(2).all(|w| w[0] >= w[1]), "newest first: {at:?}");
    }
}
