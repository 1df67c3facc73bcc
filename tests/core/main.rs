//! The core's integration tests, one binary: the Gainsight client, connections, the sync engine
//! and the cache against the simulator on a real socket, the real keychain and a real database file.

#[path = "../common/mod.rs"]
mod common;

mod account_page;
mod bindings;
mod browse;
mod budget;
mod changes;
mod client_cs;
mod client_px;
mod connections;
mod export;
mod faults;
mod insights;
mod labels;
mod org_shapes;
mod schedule;
mod storage;
mod sync;
mod sync_px;
mod test_connection;
mod vault;
