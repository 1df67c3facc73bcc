//! The desktop shell: wires the core's [`outpost::Outpost`] into Tauri state, registers the
//! commands (one file per area under `commands/`) and nothing else. Domain logic lives in the core.

mod commands;
mod state;
pub mod tray;
pub mod window;

use std::path::PathBuf;
use tauri::{Listener, Manager};

/// `--data-dir DIR` (or `OUTPOST_DATA_DIR`) points the app at another data folder: tests use it for
/// a fresh, isolated one.
fn data_dir_from_args() -> PathBuf {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--data-dir" {
            if let Some(dir) = args.next() {
                return PathBuf::from(dir);
            }
        } else if let Some(dir) = a.strip_prefix("--data-dir=") {
            return PathBuf::from(dir);
        }
    }
    std::env::var_os("OUTPOST_DATA_DIR").map(PathBuf::from).unwrap_or_else(outpost::default_data_dir)
}

pub fn run() {
    let data_dir = data_dir_from_args();
    let context = tauri::generate_context!("../tauri.conf.json");
    let instance = window::instance_id(&context.config().identifier, &data_dir);
    let files = window::WindowFiles::new(&data_dir);
    let result = tauri::Builder::default()
        // First, so a second launch hands over before anything else starts.
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(instance)
                .callback(|app, _, _| window::show_main(app))
                .build(),
        )
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .on_window_event(move |w, event| window::on_event(w, event, &files))
        .setup(move |app| match state::AppState::open(&data_dir) {
            Ok(state) => start(app.handle(), state, &data_dir, false),
            // A damaged cache: ask, rather than fail to start with nothing on screen.
            Err(e) if outpost::rebuild::is_the_way_out(&e) => {
                offer_rebuild(app.handle().clone(), data_dir.clone(), e);
                Ok(())
            }
            Err(e) => Err(e.into()),
        })
        .invoke_handler(tauri::generate_handler![
            commands::about::about,
            commands::browse::list_accounts,
            commands::browse::account_page,
            commands::browse::account_facets,
            commands::browse::cta_page,
            commands::browse::cta_facets,
            commands::browse::get_account,
            commands::browse::list_bands,
            commands::browse::list_custom_columns,
            commands::browse::list_ctas,
            commands::browse::change_list,
            commands::browse::change_runs,
            commands::browse::sync_history,
            commands::budget::budget_meter,
            commands::settings::get_sync_settings,
            commands::settings::set_sync_settings,
            commands::settings::get_field_mappings,
            commands::settings::mappable_fields,
            commands::settings::set_field_mappings,
            commands::settings::org_report,
            commands::settings::set_field_role,
            commands::settings::usage_candidates,
            commands::sync::sync_now,
            commands::sync::cancel_sync,
            commands::connections::list_connections,
            commands::connections::test_connection,
            commands::connections::save_connection,
            commands::connections::rotate_key,
            commands::connections::set_connected_by,
            commands::connections::test_saved,
            commands::connections::disconnect,
            commands::demo::start_demo,
            commands::export::export_accounts,
            commands::export::export_ctas,
            commands::insights::renewals,
            commands::insights::list_alerts,
            commands::insights::dismiss_alert,
            commands::insights::quality,
            commands::insights::quality_check,
            commands::insights::unlinked_px_accounts,
            commands::insights::get_insight_settings,
            commands::insights::set_insight_settings,
        ])
        .run(context);
    if let Err(e) = result {
        eprintln!("outpost: the desktop app stopped: {e}");
        std::process::exit(1);
    }
}

/// Opens the window on an opened cache and starts the background work; after a rebuild, syncs
/// every connection so the new cache fills.
fn start(
    app: &tauri::AppHandle,
    state: state::AppState,
    data_dir: &std::path::Path,
    resync: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    app.manage(state);
    // The webview's own storage (the Accounts view's filters and sort) lives in the data
    // folder too, so a data folder is the whole profile: another one starts fresh.
    let config = app.config().app.windows.first().cloned().unwrap_or_default();
    tauri::WebviewWindowBuilder::from_config(app, &config)?
        .data_directory(data_dir.join("webview"))
        .build()?;
    window::restore(app, &window::WindowFiles::new(data_dir));
    tray::create(app)?;
    let tray_handle = app.clone();
    app.listen_any("sync://finished", move |_| tray::refresh(&tray_handle));
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = handle.state::<state::AppState>();
        if let Err(e) = state.core.revive_demo().await {
            eprintln!("outpost: could not restart the demo org: {}", e.message);
        }
        if resync {
            sync_every_connection(&handle).await;
        }
        scheduler(handle.clone()).await;
    });
    Ok(())
}

/// The damaged-cache dialog: Rebuild the cache (the file moved aside, connections, keys and
/// settings kept, then every connection synced) or Quit. Nothing is changed without the answer.
fn offer_rebuild(handle: tauri::AppHandle, data_dir: PathBuf, e: outpost::Error) {
    use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};
    let text = format!(
        "{}\n\nRebuild the cache moves the damaged file aside (nothing is deleted), keeps your connections \
         with their keys and settings, and syncs them again.",
        e.message
    );
    let dialogs = handle.dialog().clone();
    dialogs
        .message(text)
        .title("Outpost: the local cache is damaged")
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom("Rebuild the cache".into(), "Quit".into()))
        .show(move |rebuild| {
            if !rebuild {
                handle.exit(0);
                return;
            }
            let opened =
                outpost::rebuild::rebuild_cache(&data_dir).and_then(|_| state::AppState::open(&data_dir));
            match opened {
                Ok(state) => {
                    let h = handle.clone();
                    let _ = handle.run_on_main_thread(move || {
                        if let Err(e) = start(&h, state, &data_dir, true) {
                            eprintln!("outpost: the desktop app stopped: {e}");
                            h.exit(1);
                        }
                    });
                }
                Err(e) => {
                    let text = format!("{}\n\n{}", e.message, e.hint.unwrap_or_default());
                    let h = handle.clone();
                    handle
                        .dialog()
                        .message(text)
                        .title("Outpost: the cache could not be rebuilt")
                        .kind(MessageDialogKind::Error)
                        .show(move |_| h.exit(1));
                }
            }
        });
}

/// Syncs each connection once, with the progress and end the views listen for.
async fn sync_every_connection(handle: &tauri::AppHandle) {
    use tauri::Emitter;
    let state = handle.state::<state::AppState>();
    for card in state.core.connection_cards().unwrap_or_default() {
        let _ = handle.emit("sync://started", &card.id);
        let progress = |p: &outpost::sync::StreamProgress| {
            let _ = handle.emit("sync://progress", p);
        };
        match state.core.sync(&card.id, Default::default(), &progress).await {
            Ok(summary) => {
                let _ = handle.emit("sync://finished", &summary);
            }
            Err(e) => eprintln!("outpost: sync of {} after the rebuild: {}", card.name, e.message),
        }
    }
}

/// Says once, for a scheduled sync or Sync now, how many health alerts the run raised.
pub(crate) fn notify_new_alerts(handle: &tauri::AppHandle, summary: &outpost::sync::SyncSummary) {
    use tauri_plugin_notification::NotificationExt;
    if let Some(a) = outpost::alerts::new_health_alerts(summary) {
        let _ = handle.notification().builder().title(a.title).body(a.body).show();
    }
}

/// Hosts the core's scheduler while the app is open. Scheduled syncs send the same events as
/// Sync now (`sync://started`, `sync://progress`, `sync://finished`), so cards and lists refresh.
/// `OUTPOST_SCHEDULER_TICK_MS` shortens the half-minute tick (the end-to-end tests use it).
async fn scheduler(handle: tauri::AppHandle) {
    use outpost::schedule::Scheduled;
    use tauri::Emitter;
    use tauri_plugin_notification::NotificationExt;
    let tick = std::env::var("OUTPOST_SCHEDULER_TICK_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(std::time::Duration::from_secs(30), std::time::Duration::from_millis);
    let state = handle.state::<state::AppState>();
    // One desktop notification per problem: the scheduler retries every tick.
    let alerts = std::sync::Mutex::new(outpost::alerts::Alerts::default());
    let on = |event: Scheduled<'_>| {
        let _ = match event {
            Scheduled::Started(id) => handle.emit("sync://started", id),
            Scheduled::Progress(p) => handle.emit("sync://progress", p),
            Scheduled::Finished(summary) => {
                // A run that read nothing (offline, a rejected key) still ends with a summary.
                let alert = alerts.lock().unwrap_or_else(|p| p.into_inner()).finished(summary);
                if let Some(a) = alert {
                    let _ = handle.notification().builder().title(a.title).body(a.body).show();
                }
                notify_new_alerts(&handle, summary);
                handle.emit("sync://finished", summary)
            }
            Scheduled::Failed(id, e) => {
                eprintln!("outpost: scheduled sync {id}: {}", e.message);
                let cards = state.core.connection_cards().unwrap_or_default();
                let name = cards.iter().find(|c| c.id == id).map_or("Outpost", |c| c.name.as_str());
                let alert =
                    alerts.lock().unwrap_or_else(|p| p.into_inner()).failed(id, name, e.kind, &e.message);
                if let Some(a) = alert {
                    let _ = handle.notification().builder().title(a.title).body(a.body).show();
                }
                tray::refresh(&handle);
                Ok(())
            }
        };
    };
    state.core.run_scheduler(tick, &on).await;
}
