//! The vault against the real Secret Service that `make test` starts (gnome-keyring in a private
//! D-Bus session), and the clear NoKeychain error when no keychain is reachable.

use outpost::ErrorKind;
use outpost::secret::Secret;
use outpost::vault::Vault;
use std::process::Command;

#[test]
fn save_load_delete_round_trip_through_the_os_keychain() {
    let vault = Vault::with_service(format!("outpost-test-{}", std::process::id()));
    let key = Secret::new("round-trip-key-7f3e9a");
    vault
        .save("conn-1", &key)
        .expect("save into the Secret Service (is gnome-keyring running? use make test)");
    assert_eq!(vault.load("conn-1").expect("load").expose(), key.expose());

    let rotated = Secret::new("rotated-key-0042");
    vault.save("conn-1", &rotated).expect("overwrite");
    assert_eq!(vault.load("conn-1").expect("load again").expose(), rotated.expose(), "save replaces");

    vault.delete("conn-1").expect("delete");
    assert_eq!(vault.load("conn-1").expect_err("gone").kind, ErrorKind::NotFound);
    vault.delete("conn-1").expect("deleting twice is fine");
}

#[test]
fn the_key_is_visible_to_other_secret_service_clients() {
    // Proves the secret is in the real keychain, not in a process-local mock.
    let service = format!("outpost-test-lookup-{}", std::process::id());
    let vault = Vault::with_service(&service);
    vault.save("conn-x", &Secret::new("looked-up-by-secret-tool")).expect("save");
    let out = Command::new("secret-tool")
        .args(["lookup", "service", &service, "username", "conn-x"])
        .output()
        .expect("secret-tool (libsecret-tools) is installed by make deps");
    vault.delete("conn-x").expect("cleanup");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "looked-up-by-secret-tool");
}

/// Re-runs this test binary with no reachable session bus, so the keychain cannot be found.
#[test]
fn no_keychain_is_a_clear_error_never_a_fallback() {
    if std::env::var_os("OUTPOST_VAULT_CHILD").is_some() {
        let vault = Vault::with_service("outpost-test-nokeychain");
        let err = vault.save("c", &Secret::new("k-123456789012")).expect_err("no keychain reachable");
        assert_eq!(err.kind, ErrorKind::NoKeychain, "{err:?}");
        assert!(
            err.hint.as_deref().is_some_and(|h| h.contains("Secret Service")),
            "the hint says how to fix it"
        );
        return;
    }
    let status = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", "no_keychain_is_a_clear_error_never_a_fallback", "--nocapture"])
        .env("OUTPOST_VAULT_CHILD", "1")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/outpost-test-bus")
        .env_remove("DISPLAY")
        .status()
        .expect("re-run the test binary");
    assert!(status.success(), "the child run (no session bus) must see NoKeychain");
}

#[test]
fn the_mock_store_is_refused_so_no_key_lives_only_in_memory() {
    let vault = Vault::with_store("outpost-test-mock", keyring::mock::default_credential_builder());
    assert!(!vault.is_persistent(), "keyring's mock keeps a key in the entry only");
    let err = vault.save("c", &Secret::new("k-held-in-memory")).expect_err("the mock store must be refused");
    assert_eq!(err.kind, ErrorKind::NoKeychain, "{err:?}");
    assert_eq!(vault.load("c").expect_err("refused too").kind, ErrorKind::NoKeychain);
    assert_eq!(vault.delete("c").expect_err("refused too").kind, ErrorKind::NoKeychain);
}

#[test]
fn this_build_uses_a_store_that_keeps_keys_until_deleted() {
    assert!(Vault::default().is_persistent(), "the default store of this build must be the OS keychain");
}
