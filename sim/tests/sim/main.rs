//! The simulator's integration tests, one binary: its CS and PX surfaces, the control API, the
//! binary's flags and the org profiles, over a real socket.

mod control;
mod cs;
mod profiles;
mod px;
mod server;
mod variants;
