//! `outpost --version`: exits 0 and names the version and the commit the binary was built from.

use std::process::Command;

#[test]
fn version_names_the_crate_version_and_the_commit_built_from() {
    let out = Command::new(env!("CARGO_BIN_EXE_outpost")).arg("--version").output().expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "--version is a success: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8(out.stdout).expect("utf-8");
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(|| "unknown".to_string(), |o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let want = format!("outpost {} (commit {head})", env!("CARGO_PKG_VERSION"));
    assert_eq!(
        line.trim(),
        want,
        "the build's commit is this checkout's HEAD (build.rs reruns when HEAD moves)"
    );
}
