//! The desktop shell: wires the core's [`outpost::Outpost`] into Tauri state, registers the
//! commands (one file per area under `commands/`) and nothing else. Domain logic lives in the core.

mod commands;
mod state;

use std::path::PathBuf;
use tauri::Manager;

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
    std::env::var_os("OUTPOST_DATA_DIR").map(PathBuf::from).unwrap_or_else(outpost::app::default_data_dir)
}

pub fn run() {
    let data_dir = data_dir_from_args();
    let result = tauri::Builder::default()
        .setup(move |app| {
            let state = state::AppState::open(&data_dir)?;
            app.manage(state);
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let state = handle.state::<state::AppState>();
                if let Err(e) = state.revive_demo().await {
                    eprintln!("outpost: could not restart the demo org: {}", e.message);
                }
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::connections::list_connections,
            commands::connections::test_cs_connection,
            commands::connections::save_cs_connection,
            commands::connections::disconnect,
            commands::demo::start_demo,
        ])
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("outpost: the desktop app stopped: {e}");
        std::process::exit(1);
    }
}
