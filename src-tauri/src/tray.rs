//! The tray icon: Open Outpost, Sync now per connection, each connection's last sync, Quit.
//! The menu is rebuilt from the connection cards whenever a sync finishes or the window hides.

use crate::state::AppState;
use outpost::connections::{ConnectionCard, ConnectionStatus};
use outpost::sync::SyncOptions;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter, Manager};

const TRAY: &str = "outpost";

/// One line of the menu: its id (`None`: an information line, disabled), label.
#[derive(Debug, PartialEq, Eq)]
pub struct Item {
    pub id: Option<String>,
    pub label: String,
}

/// The connection part of the menu, from the cards: what the admin can sync and how it last went.
pub fn connection_items(cards: &[ConnectionCard]) -> Vec<Item> {
    let mut items = Vec::new();
    for c in cards.iter().filter(|c| c.status != ConnectionStatus::Disconnected) {
        items.push(Item { id: Some(format!("sync:{}", c.id)), label: format!("Sync now: {}", c.name) });
        let last = match (&c.last_sync_at, c.last_outcome) {
            (Some(at), Some(outcome)) => format!("{}: last sync {at} ({})", c.name, outcome.code()),
            (Some(at), None) => format!("{}: last sync {at}", c.name),
            _ => format!("{}: not synced yet", c.name),
        };
        let label = match c.status {
            ConnectionStatus::NeedsAttention => format!("{last}, needs attention"),
            ConnectionStatus::Offline => format!("{last}, offline"),
            _ => last,
        };
        items.push(Item { id: None, label });
    }
    if items.is_empty() {
        items.push(Item { id: None, label: "No connections yet".to_string() });
    }
    items
}

fn menu(app: &AppHandle) -> tauri::Result<Menu<tauri::Wry>> {
    let cards = app.state::<AppState>().core.connection_cards().unwrap_or_default();
    let menu = Menu::new(app)?;
    menu.append(&MenuItem::with_id(app, "open", "Open Outpost", true, None::<&str>)?)?;
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    for (n, item) in connection_items(&cards).into_iter().enumerate() {
        let id = item.id.clone().unwrap_or_else(|| format!("info:{n}"));
        menu.append(&MenuItem::with_id(app, id, item.label, item.id.is_some(), None::<&str>)?)?;
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&MenuItem::with_id(app, "quit", "Quit Outpost", true, None::<&str>)?)?;
    Ok(menu)
}

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let mut tray = TrayIconBuilder::with_id(TRAY).tooltip("Outpost").menu(&menu(app)?);
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.on_menu_event(|app, event| on_menu(app, event.id.as_ref())).build(app)?;
    Ok(())
}

/// Rebuilds the menu from the current cards.
pub fn refresh(app: &AppHandle) {
    if let (Some(tray), Ok(menu)) = (app.tray_by_id(TRAY), menu(app)) {
        let _ = tray.set_menu(Some(menu));
    }
}

fn on_menu(app: &AppHandle, id: &str) {
    match id {
        "open" => crate::window::show_main(app),
        "quit" => app.exit(0),
        _ => {
            if let Some(conn) = id.strip_prefix("sync:") {
                let (app, conn) = (app.clone(), conn.to_string());
                tauri::async_runtime::spawn(async move {
                    let state = app.state::<AppState>();
                    match state.core.sync(&conn, SyncOptions::default(), &|_| {}).await {
                        Ok(summary) => {
                            crate::notify_new_alerts(&app, &summary);
                            let _ = app.emit("sync://finished", &summary);
                        }
                        Err(e) => eprintln!("outpost: sync from the tray: {}", e.message),
                    }
                    refresh(&app);
                });
            }
        }
    }
}
