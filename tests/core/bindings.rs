//! The UI's types must be exactly what the Rust side sends: regenerate with `make bindings`.

#[test]
fn ui_bindings_match_the_rust_types() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings.ts");
    let generated = outpost::bindings::typescript();
    if std::env::var_os("OUTPOST_WRITE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).expect("write bindings");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "ui/src/bindings.ts is out of date with the Rust types: run `make bindings` and commit the result"
    );
}
