//! End to end on the real app through WebDriver, one binary. The tests take turns (see
//! `support::Driver`): each drives its own app and `tauri-driver`.

#[path = "../../../tests/common/mod.rs"]
mod common;
mod support;

mod about;
mod background;
mod changes_export;
mod connect_cs;
mod crash;
mod dark;
mod fields;
mod hostile;
mod insights;
mod instance;
mod lifecycle;
mod offline;
mod rebuild;
mod scale;
mod schedule;
