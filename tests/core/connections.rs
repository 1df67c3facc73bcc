//! The connection lifecycle through the core API, against the simulator on a real socket, the real
//! keychain (`scripts/headless.sh`) and a real database file: CS with an Access Key or M2M OAuth,
//! PX by region, auto-detect and URL, key rotation (by the admin, and noticed by a test or a sync),
//! and that no key ever reaches SQLite or anything the core returns.

use crate::common;

use common::*;
use gainsight_sim::{
    DEMO_ACCESS_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PX_API_KEY, RunningSim, SimConfig,
};
use outpost::connections::{
    ConnectInput, ConnectKind, ConnectionCard, ConnectionStatus, CsAuthInput, PxTarget, TestReport,
};
use outpost::db::settings::SyncSettings;
use outpost::gainsight::px::{PxEndpoints, PxRegion};
use outpost::sync::{StreamProgress, SyncOptions};
use outpost::vault::Vault;
use outpost::{ErrorKind, Outpost};
use std::path::Path;

const NEW_CS_KEY: &str = "regenerated-cs-access-key-9999";

fn app(dir: &Path, sim: &RunningSim) -> Outpost {
    Outpost::open(dir)
        .expect("open data dir")
        .with_px_endpoints(PxEndpoints::simulator(&sim.base_url()).expect("sim endpoints"))
}

fn cs(name: &str, url: &str, key: &str) -> ConnectInput {
    ConnectInput {
        name: name.into(),
        description: None,
        kind: ConnectKind::Cs { instance_url: url.into(), auth: CsAuthInput::AccessKey { key: key.into() } },
    }
}

fn m2m(name: &str, url: &str, secret: &str) -> ConnectInput {
    ConnectInput {
        name: name.into(),
        description: Some("M2M".into()),
        kind: ConnectKind::Cs {
            instance_url: url.into(),
            auth: CsAuthInput::M2m { client_id: DEMO_CLIENT_ID.into(), client_secret: secret.into() },
        },
    }
}

fn px(name: &str, target: PxTarget, key: &str) -> ConnectInput {
    ConnectInput {
        name: name.into(),
        description: None,
        kind: ConnectKind::Px { target, api_key: key.into() },
    }
}

fn kind(r: &TestReport) -> Option<ErrorKind> {
    r.error.as_ref().map(|e| e.kind)
}

fn last4(key: &str) -> String {
    format!("••••{}", &key[key.len() - 4..])
}

fn quiet(_: &StreamProgress) {}

#[tokio::test(flavor = "multi_thread")]
async fn px_connects_by_each_region_auto_detect_and_url() {
    let sim = sim_with_px().await;
    let dir = tempfile::tempdir().expect("dir");
    let app = app(dir.path(), &sim);

    for (region, key, label) in
        [(PxRegion::Us, DEMO_PX_API_KEY, "US"), (PxRegion::Eu, EU_KEY, "EU"), (PxRegion::Us2, US2_KEY, "US2")]
    {
        let name = format!("PX {label}");
        let card = app.connect(&px(&name, PxTarget::Region(region), key)).await.expect(&name);
        assert_eq!((card.kind.code(), card.instance.as_str()), ("px", label), "the card names the region");
        assert_eq!(card.region, Some(region));
        assert_eq!(card.auth_mode.label(), "API Key");
        assert_eq!(card.masked_key, last4(key));
        assert_eq!(card.instance_url, format!("{}/px/{}/v1", sim.base_url(), label.to_lowercase()));
        let report = app.test_saved(&name).await.expect("saved test");
        assert!(report.ok, "{name}: {:?}", report.error);
    }

    let report = app.test_connection(&px("", PxTarget::Auto, US2_KEY)).await;
    assert!(report.ok, "{:?}", report.error);
    assert_eq!(report.region, Some(PxRegion::Us2), "auto-detect finds the key's data centre");
    let sub = report.subscription.expect("the test names the subscription");
    assert!(!sub.name.is_empty() && !sub.products.is_empty(), "{sub:?}");

    // No name: the subscription's name is used.
    let card = app.connect(&px("", PxTarget::Auto, EU_KEY)).await.expect("auto");
    assert_eq!((card.name.as_str(), card.instance.as_str()), (sub.name.as_str(), "EU"));

    // An explicit URL that is one of the regions keeps the region; any other shows its host.
    let eu_url = format!("{}/px/eu/v1/", sim.base_url());
    let card = app.connect(&px("By URL", PxTarget::Url(eu_url), EU_KEY)).await.expect("url");
    assert_eq!(card.region, Some(PxRegion::Eu));
    let plain = Outpost::open(dir.path()).expect("open without sim endpoints");
    let us2_url = format!("{}/px/us2/v1", sim.base_url());
    let card = plain.connect(&px("Proxy", PxTarget::Url(us2_url), US2_KEY)).await.expect("url");
    assert_eq!(card.region, None);
    assert_eq!(card.instance, sim.base_url().trim_start_matches("http://"), "the host for a custom URL");
    assert_eq!(app.connection_cards().expect("cards").len(), 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn px_wrong_keys_and_missing_permissions_are_classified_and_save_nothing() {
    let sim = sim_with_px().await;
    let dir = tempfile::tempdir().expect("dir");
    let app = app(dir.path(), &sim);
    let cases = [
        (PxTarget::Region(PxRegion::Us), "not-a-px-key-000000", ErrorKind::InvalidKey),
        (PxTarget::Region(PxRegion::Us), EU_KEY, ErrorKind::InvalidKey),
        (PxTarget::Auto, "not-a-px-key-000000", ErrorKind::InvalidKey),
        (PxTarget::Region(PxRegion::Us), US_NO_READ_KEY, ErrorKind::Forbidden),
        (PxTarget::Auto, US_NO_READ_KEY, ErrorKind::Forbidden),
        (PxTarget::Url("http://px.example.com/v1".into()), EU_KEY, ErrorKind::InvalidInput),
    ];
    for (target, key, expected) in cases {
        let report = app.test_connection(&px("x", target.clone(), key)).await;
        assert_eq!(kind(&report), Some(expected), "{target:?}");
        let err = app.connect(&px("x", target.clone(), key)).await.expect_err("must fail");
        assert_eq!(err.kind, expected, "{target:?}");
    }
    assert!(app.connection_cards().expect("cards").is_empty(), "a failed test saves nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn cs_m2m_connects_tests_and_stores_only_the_client_id() {
    let sim = sim_with_px().await;
    let dir = tempfile::tempdir().expect("dir");
    let app = app(dir.path(), &sim);

    let report = app.test_connection(&m2m("M2M", &sim.base_url(), "wrong-client-secret-00000")).await;
    assert_eq!(kind(&report), Some(ErrorKind::InvalidKey));
    assert_eq!(report.auth_mode.label(), "M2M OAuth");

    let card = app.connect(&m2m("M2M", &sim.base_url(), DEMO_CLIENT_SECRET)).await.expect("connect");
    assert_eq!(card.auth_mode.label(), "M2M OAuth");
    assert_eq!(card.client_id.as_deref(), Some(DEMO_CLIENT_ID));
    assert_eq!(card.masked_key, last4(DEMO_CLIENT_SECRET), "the mask is the secret's last four");
    assert_eq!(card.description.as_deref(), Some("M2M"));
    assert!(app.test_saved("m2m").await.expect("test").ok);
    assert_eq!(Vault::default().load(&card.id).expect("keychain").expose(), DEMO_CLIENT_SECRET);

    let db = rusqlite::Connection::open(dir.path().join("outpost.db")).expect("db");
    let (mode, client_id): (String, String) = db
        .query_row("SELECT auth_mode, client_id FROM connections WHERE id = ?1", [&card.id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("row");
    assert_eq!((mode.as_str(), client_id.as_str()), ("m2m", DEMO_CLIENT_ID));

    // Rotating the secret: a wrong one is refused and changes nothing; the right one is kept.
    let err = app.rotate("M2M", "wrong-client-secret-00000").await.expect_err("wrong secret");
    assert_eq!(err.kind, ErrorKind::InvalidKey);
    assert_eq!(Vault::default().load(&card.id).expect("keychain").expose(), DEMO_CLIENT_SECRET);
    let card = app.rotate("M2M", &format!(" {DEMO_CLIENT_SECRET}\n")).await.expect("same secret, trimmed");
    assert_eq!(card.status, ConnectionStatus::Connected);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_regenerated_cs_key_is_noticed_by_test_and_fixed_by_rotate() {
    let sim = sim_with_px().await;
    let dir = tempfile::tempdir().expect("dir");
    let app = app(dir.path(), &sim);
    let card = app.connect(&cs("Prod", &sim.base_url(), DEMO_ACCESS_KEY)).await.expect("connect");

    sim.rotate_cs_key(NEW_CS_KEY);
    let report = app.test_saved("Prod").await.expect("test runs");
    assert_eq!(kind(&report), Some(ErrorKind::InvalidKey), "the old key is rejected");
    let after = app.connection("Prod").expect("card");
    assert_eq!(after.status, ConnectionStatus::NeedsAttention);
    assert_eq!(after.status_reason.as_deref(), Some("key rejected"));

    let err = app.rotate("Prod", "still-not-the-right-key-1234").await.expect_err("a wrong new key fails");
    assert_eq!(err.kind, ErrorKind::InvalidKey);
    assert_eq!(
        Vault::default().load(&card.id).expect("keychain").expose(),
        DEMO_ACCESS_KEY,
        "a key that fails its test never replaces the old one"
    );
    let unchanged = app.connection("Prod").expect("card");
    assert_eq!(
        (unchanged.status, unchanged.masked_key.as_str()),
        (ConnectionStatus::NeedsAttention, card.masked_key.as_str())
    );

    let rotated = app.rotate("Prod", NEW_CS_KEY).await.expect("the new key works");
    assert_eq!(rotated.status, ConnectionStatus::Connected);
    assert_eq!(rotated.status_reason, None);
    assert_eq!(rotated.masked_key, last4(NEW_CS_KEY));
    assert_eq!(Vault::default().load(&card.id).expect("keychain").expose(), NEW_CS_KEY);
    assert!(app.test_saved("Prod").await.expect("test").ok);

    // A disconnected connection has no key: a test says so; rotating reconnects it.
    app.disconnect("Prod", false).await.expect("disconnect");
    assert_eq!(app.test_saved("Prod").await.err().map(|e| e.kind), Some(ErrorKind::NotFound));
    assert_eq!(app.rotate("Prod", NEW_CS_KEY).await.expect("reconnect").status, ConnectionStatus::Connected);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_regenerated_between_syncs_marks_the_card_and_rotate_clears_it() {
    let sim = sim_with_px().await;
    let dir = tempfile::tempdir().expect("dir");
    let app = app(dir.path(), &sim);
    app.connect(&cs("Prod", &sim.base_url(), DEMO_ACCESS_KEY)).await.expect("connect");
    let opts =
        || SyncOptions { objects: Some(vec![outpost::model::ObjectGroup::Companies]), ..Default::default() };
    let first = app.sync("Prod", opts(), &quiet).await.expect("sync");
    assert_eq!(first.outcome, "ok", "{:?}", first.error);

    sim.rotate_cs_key(NEW_CS_KEY);
    let second = app.sync("Prod", opts(), &quiet).await.expect("sync runs");
    assert_eq!(second.error.map(|e| e.kind), Some(ErrorKind::InvalidKey));
    let card = app.connection("Prod").expect("card");
    assert_eq!(card.status, ConnectionStatus::NeedsAttention);
    assert_eq!(card.status_reason.as_deref(), Some("key rejected"));

    app.rotate("Prod", NEW_CS_KEY).await.expect("rotate");
    assert_eq!(app.sync("Prod", opts(), &quiet).await.expect("sync").outcome, "ok");
    assert_eq!(app.connection("Prod").expect("card").status, ConnectionStatus::Connected);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disconnected_connection_never_syncs_and_reconnects_only_with_a_working_key() {
    let sim = sim_with_px().await;
    let dir = tempfile::tempdir().expect("dir");
    let app = app(dir.path(), &sim);
    let card = app.connect(&cs("Prod", &sim.base_url(), DEMO_ACCESS_KEY)).await.expect("connect");
    let opts =
        || SyncOptions { objects: Some(vec![outpost::model::ObjectGroup::Companies]), ..Default::default() };
    assert_eq!(app.sync("Prod", opts(), &quiet).await.expect("sync").outcome, "ok");
    let every_15m = SyncSettings {
        frequency: outpost::model::Frequency::Every15Minutes,
        ..app.sync_settings("Prod").expect("settings")
    };
    app.set_sync_settings("Prod", &every_15m).expect("a schedule");
    let in_an_hour = app.now() + chrono::Duration::hours(1);
    let due = |app: &Outpost| app.due_for_sync(in_an_hour).expect("due").contains(&card.id);
    assert!(due(&app), "sanity check: a connected connection on a schedule is due after an hour");

    let gone = app.disconnect("Prod", false).await.expect("disconnect, keeping the data");
    assert_eq!(gone.status, ConnectionStatus::Disconnected);
    let in_keychain = || Vault::default().load(&card.id).map(|k| k.expose().to_string());
    assert_eq!(in_keychain().err().map(|e| e.kind), Some(ErrorKind::NotFound), "disconnect removes the key");
    assert!(!due(&app), "the scheduler never picks a disconnected connection");
    let refused =
        app.sync("Prod", opts(), &quiet).await.expect_err("a disconnected connection does not sync");
    assert_eq!(refused.kind, ErrorKind::InvalidInput);

    let err = app.rotate("Prod", "still-not-the-right-key-1234").await.expect_err("a wrong key fails");
    assert_eq!(err.kind, ErrorKind::InvalidKey);
    assert_eq!(app.connection("Prod").expect("card").status, ConnectionStatus::Disconnected);
    assert_eq!(
        in_keychain().err().map(|e| e.kind),
        Some(ErrorKind::NotFound),
        "a failing key is never stored"
    );

    let back = app.rotate("Prod", DEMO_ACCESS_KEY).await.expect("reconnect");
    assert_eq!(
        (back.status, back.status_reason.as_deref(), back.masked_key.as_str()),
        (ConnectionStatus::Connected, None, last4(DEMO_ACCESS_KEY).as_str()),
        "a key that passes its test reconnects"
    );
    assert_eq!(in_keychain().expect("the key is stored again"), DEMO_ACCESS_KEY);
    assert!(due(&app), "scheduled syncs resume");
    assert_eq!(app.sync("Prod", opts(), &quiet).await.expect("sync").outcome, "ok");
    assert_eq!(app.connection("Prod").expect("card").status, ConnectionStatus::Connected);
}

#[tokio::test(flavor = "multi_thread")]
async fn disconnect_is_refused_while_a_sync_runs_that_would_mark_the_card_connected_again() {
    // Slow enough that the sync is still paging when the disconnect comes.
    let config = SimConfig { anchor_day: Some(20_400), companies: 12, latency_ms: 100, ..Default::default() };
    let sim = gainsight_sim::start(config).await.expect("simulator");
    let dir = tempfile::tempdir().expect("dir");
    let app = std::sync::Arc::new(app(dir.path(), &sim));
    let card = app.connect(&cs("Prod", &sim.base_url(), DEMO_ACCESS_KEY)).await.expect("connect");

    let started = std::sync::Arc::new(tokio::sync::Notify::new());
    let (a, s) = (app.clone(), started.clone());
    let sync = tokio::spawn(async move {
        let signal = move |_: &StreamProgress| s.notify_one();
        let opts = SyncOptions {
            objects: Some(vec![outpost::model::ObjectGroup::Companies]),
            page_size: Some(2),
            ..Default::default()
        };
        a.sync("Prod", opts, &signal).await
    });
    started.notified().await;
    let err = app.disconnect("Prod", false).await.expect_err("refused while the sync runs");
    assert_eq!(err.kind, ErrorKind::Conflict, "{err:?}");
    assert_eq!(Vault::default().load(&card.id).expect("the key stays").expose(), DEMO_ACCESS_KEY);
    assert_eq!(sync.await.expect("join").expect("sync").outcome, "ok");
    assert_eq!(app.connection("Prod").expect("card").status, ConnectionStatus::Connected);

    let gone = app.disconnect("Prod", false).await.expect("disconnect after the sync");
    assert_eq!(gone.status, ConnectionStatus::Disconnected);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_regenerated_px_key_is_rotated_in_its_region() {
    let sim = sim_with_px().await;
    let dir = tempfile::tempdir().expect("dir");
    let app = app(dir.path(), &sim);
    app.connect(&px("PX", PxTarget::Region(PxRegion::Eu), EU_KEY)).await.expect("connect");
    let new_eu = "eu-px-read-key-rotated-5555";
    assert!(sim.rotate_px_key(EU_KEY, new_eu));
    assert_eq!(kind(&app.test_saved("PX").await.expect("test")), Some(ErrorKind::InvalidKey));
    assert_eq!(app.connection("PX").expect("card").status, ConnectionStatus::NeedsAttention);
    let err = app.rotate("PX", US2_KEY).await.expect_err("a key of another region fails in EU");
    assert_eq!(err.kind, ErrorKind::InvalidKey);
    let card = app.rotate("PX", new_eu).await.expect("rotate");
    assert_eq!((card.status, card.instance.as_str()), (ConnectionStatus::Connected, "EU"));
    let report = app.test_saved("PX").await.expect("test");
    assert!(report.ok && report.subscription.is_some(), "{:?}", report.error);
}

#[tokio::test(flavor = "multi_thread")]
async fn connected_by_is_editable() {
    let sim = sim_with_px().await;
    let dir = tempfile::tempdir().expect("dir");
    let app = app(dir.path(), &sim);
    app.connect(&cs("Prod", &sim.base_url(), DEMO_ACCESS_KEY)).await.expect("connect");
    let card = app.set_connected_by("prod", "  Grace Hopper ").expect("edit");
    assert_eq!(card.connected_by, "Grace Hopper");
    assert_eq!(app.connection("Prod").expect("card").connected_by, "Grace Hopper", "it is stored");
    assert_eq!(app.set_connected_by("Prod", " ").err().map(|e| e.kind), Some(ErrorKind::InvalidInput));
    assert_eq!(app.set_connected_by("Nope", "X").err().map(|e| e.kind), Some(ErrorKind::NotFound));
}

/// Everything the core hands back, serialised as the UI and the CLI would see it.
fn json<T: serde::Serialize>(seen: &mut String, v: &T) {
    seen.push_str(&serde_json::to_string(v).expect("serialises"));
}

#[tokio::test(flavor = "multi_thread")]
async fn no_key_reaches_sqlite_or_any_returned_value() {
    let sim = sim_with_px().await;
    let dir = tempfile::tempdir().expect("dir");
    let app = app(dir.path(), &sim);
    let mut seen = String::new();
    let url = sim.base_url();

    let cards: Vec<ConnectionCard> = vec![
        app.connect(&cs("Prod", &url, DEMO_ACCESS_KEY)).await.expect("cs"),
        app.connect(&m2m("M2M", &url, DEMO_CLIENT_SECRET)).await.expect("m2m"),
        app.connect(&px("PX", PxTarget::Auto, EU_KEY)).await.expect("px"),
    ];
    json(&mut seen, &cards);
    json(&mut seen, &app.test_connection(&cs("", &url, DEMO_ACCESS_KEY)).await);
    json(&mut seen, &app.test_connection(&px("", PxTarget::Auto, EU_KEY)).await);
    let opts =
        SyncOptions { objects: Some(vec![outpost::model::ObjectGroup::Companies]), ..Default::default() };
    json(&mut seen, &app.sync("Prod", opts.clone(), &quiet).await.expect("sync"));
    json(&mut seen, &app.sync("M2M", opts.clone(), &quiet).await.ok());
    sim.rotate_cs_key(NEW_CS_KEY);
    json(&mut seen, &app.test_saved("Prod").await.expect("failed test"));
    json(&mut seen, &app.sync("Prod", opts, &quiet).await.expect("failed sync"));
    json(&mut seen, &app.rotate("Prod", DEMO_ACCESS_KEY).await.err().map(|e| e.payload()));
    json(&mut seen, &app.rotate("Prod", NEW_CS_KEY).await.expect("rotate"));
    json(&mut seen, &app.rotate("PX", EU_KEY).await.expect("rotate px"));
    json(&mut seen, &app.test_saved("PX").await.expect("test px"));
    json(&mut seen, &app.test_saved("M2M").await.expect("test m2m"));
    json(&mut seen, &app.connection_cards().expect("cards"));
    json(&mut seen, &app.sync_history(None, 50).expect("history"));
    drop(app);

    let db = db_bytes(dir.path());
    assert!(!db.is_empty(), "the database file exists");
    for key in [DEMO_ACCESS_KEY, NEW_CS_KEY, DEMO_CLIENT_SECRET, EU_KEY] {
        assert!(!contains(&db, key), "a key must never be written to SQLite");
        assert!(!seen.contains(key), "a key must never be in a value the core returns");
    }
    assert!(seen.contains("••••"), "masks are returned instead: {seen}");
    assert!(contains(&db, DEMO_CLIENT_ID), "the client id is not a secret and is stored (sanity check)");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_answer_makes_the_card_offline_with_its_cache_time_and_an_answer_makes_it_connected() {
    let sim = sim().await;
    let port = sim.addr().port();
    let dir = tempfile::tempdir().expect("dir");
    let app = app(dir.path(), &sim);
    app.connect(&cs("Prod", &sim.base_url(), DEMO_ACCESS_KEY)).await.expect("connect");
    let opts =
        || SyncOptions { objects: Some(vec![outpost::model::ObjectGroup::Companies]), ..Default::default() };
    assert_eq!(app.sync("Prod", opts(), &quiet).await.expect("sync").outcome, "ok");
    let synced = app.connection("Prod").expect("card");
    assert_eq!(synced.status, ConnectionStatus::Connected);
    let cache_time = synced.last_sync_at.clone().expect("synced once");

    sim.stop().await;
    let _ = app.sync("Prod", opts(), &quiet).await;
    let card = app.connection("Prod").expect("card");
    assert_eq!(card.status, ConnectionStatus::Offline, "nothing answered the sync");
    let reason = card.status_reason.clone().expect("the card says why");
    assert!(reason.contains(&format!("127.0.0.1:{port}")), "the reason names the instance: {reason}");
    assert_eq!(
        card.last_sync_at.as_deref(),
        Some(cache_time.as_str()),
        "the cache shown is the last good one"
    );

    // A test that gets no answer keeps it Offline.
    let report = app.test_saved("Prod").await.expect("test runs");
    assert_eq!(kind(&report), Some(ErrorKind::Offline));
    assert_eq!(app.connection("Prod").expect("card").status, ConnectionStatus::Offline);

    // Gainsight answers again (same address): the test says so and the card is Connected.
    let back = gainsight_sim::start(SimConfig { anchor_day: Some(20_400), port, ..Default::default() })
        .await
        .expect("the simulator starts again on its port");
    let report = app.test_saved("Prod").await.expect("test runs");
    assert!(report.ok, "{:?}", report.error);
    let card = app.connection("Prod").expect("card");
    assert_eq!(card.status, ConnectionStatus::Connected);
    assert_eq!(card.status_reason, None);

    // Offline again, then a sync that reads: Connected, with a newer cache time.
    back.stop().await;
    let _ = app.sync("Prod", opts(), &quiet).await;
    assert_eq!(app.connection("Prod").expect("card").status, ConnectionStatus::Offline);
    let _back = gainsight_sim::start(SimConfig { anchor_day: Some(20_400), port, ..Default::default() })
        .await
        .expect("the simulator starts again on its port");
    assert_eq!(app.sync("Prod", opts(), &quiet).await.expect("sync").outcome, "ok");
    assert_eq!(app.connection("Prod").expect("card").status, ConnectionStatus::Connected);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_card_that_needs_attention_keeps_saying_so_when_nothing_answers() {
    let sim = sim().await;
    let dir = tempfile::tempdir().expect("dir");
    let app = app(dir.path(), &sim);
    app.connect(&cs("Prod", &sim.base_url(), DEMO_ACCESS_KEY)).await.expect("connect");
    sim.rotate_cs_key(NEW_CS_KEY);
    assert_eq!(kind(&app.test_saved("Prod").await.expect("test")), Some(ErrorKind::InvalidKey));
    assert_eq!(app.connection("Prod").expect("card").status, ConnectionStatus::NeedsAttention);

    sim.stop().await;
    let report = app.test_saved("Prod").await.expect("test runs");
    assert_eq!(kind(&report), Some(ErrorKind::Offline));
    let card = app.connection("Prod").expect("card");
    assert_eq!(card.status, ConnectionStatus::NeedsAttention, "the key is still the thing to fix");
    assert_eq!(card.status_reason.as_deref(), Some("key rejected"));
}
