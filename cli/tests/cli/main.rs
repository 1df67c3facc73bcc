//! The built `outpost` binary, one test binary: every command against the simulator, with the
//! contract's exit codes, error lines and JSON documents.

#[path = "../../../tests/common/mod.rs"]
mod common;

mod budget;
mod commands;
mod crash;
mod hostile;
mod run;
mod schedule;
mod version;
