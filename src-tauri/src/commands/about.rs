use outpost::build_info::{BuildInfo, build_info};

/// The version and commit this app was built from, for the About panel.
#[tauri::command]
pub fn about() -> BuildInfo {
    build_info()
}
