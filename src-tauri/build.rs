fn main() {
    // tauri.conf.json lives at the repository root (see DEVELOPERS.md); tell tauri-build where.
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json")) {
        panic!("tauri-build failed: {e:#}");
    }
}
