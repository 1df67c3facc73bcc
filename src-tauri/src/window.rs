//! The main window's life: one instance per data directory (a second launch focuses the first),
//! closing hides it to the tray (said once, by a notification), and its size and position are
//! kept in `window.json` in the data directory between runs.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Manager, PhysicalPosition, PhysicalSize, Window, WindowEvent};
use tauri_plugin_notification::NotificationExt;

const MAIN: &str = "main";
const STATE_FILE: &str = "window.json";
/// Present once the admin has been told that closing the window keeps Outpost in the tray.
const TOLD_FILE: &str = "told-about-tray";

/// The single-instance D-Bus name (Linux): one per data directory, so two data directories (the
/// end-to-end tests) each get their own app and one directory never gets two.
pub fn instance_id(identifier: &str, data_dir: &Path) -> String {
    // FNV-1a: stable across builds, unlike std's hasher, so a newer build finds an older one running.
    let path = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    let hash = path
        .to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3));
    format!("{identifier}.d{hash:016x}")
}

pub fn show_main(app: &AppHandle) {
    if let Some(w) = app.get_webview_window(MAIN) {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

pub struct WindowFiles {
    dir: PathBuf,
}

impl WindowFiles {
    pub fn new(data_dir: &Path) -> Self {
        WindowFiles { dir: data_dir.to_path_buf() }
    }

    pub fn load(&self) -> Option<Placement> {
        let text = std::fs::read_to_string(self.dir.join(STATE_FILE)).ok()?;
        serde_json::from_str(&text).ok().filter(|p: &Placement| p.width > 0 && p.height > 0)
    }

    pub fn save(&self, p: &Placement) {
        if let Ok(text) = serde_json::to_string(p) {
            let _ = std::fs::write(self.dir.join(STATE_FILE), text);
        }
    }

    /// True the first time only: whether to say that the app keeps running in the tray.
    pub fn first_close(&self) -> bool {
        let marker = self.dir.join(TOLD_FILE);
        if marker.exists() {
            return false;
        }
        let _ = std::fs::write(marker, b"");
        true
    }
}

/// Puts the main window where it was last time.
pub fn restore(app: &AppHandle, files: &WindowFiles) {
    if let (Some(w), Some(p)) = (app.get_webview_window(MAIN), files.load()) {
        let _ = w.set_size(PhysicalSize::new(p.width, p.height));
        let _ = w.set_position(PhysicalPosition::new(p.x, p.y));
    }
}

pub fn on_event(window: &Window, event: &WindowEvent, files: &WindowFiles) {
    if window.label() != MAIN {
        return;
    }
    match event {
        WindowEvent::CloseRequested { api, .. } => {
            api.prevent_close();
            let _ = window.hide();
            crate::tray::refresh(window.app_handle());
            if files.first_close() {
                let _ = window
                    .app_handle()
                    .notification()
                    .builder()
                    .title("Outpost is still running")
                    .body("Scheduled syncs go on in the background. Open Outpost or quit it from the tray icon.")
                    .show();
            }
        }
        WindowEvent::Moved(_) | WindowEvent::Resized(_) => {
            if let (Ok(pos), Ok(size)) = (window.outer_position(), window.inner_size())
                && size.width > 0
                && size.height > 0
                && window.is_visible().unwrap_or(false)
            {
                files.save(&Placement { x: pos.x, y: pos.y, width: size.width, height: size.height });
            }
        }
        _ => {}
    }
}
