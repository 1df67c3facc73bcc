//! Running the built `outpost` binary in the tests: one runner for every test module.

use std::io::Write;
use std::process::{Command, Output, Stdio};

pub fn outpost(data: &std::path::Path, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_outpost"));
    cmd.arg("--data-dir").arg(data).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("run");
    feed(child, stdin)
}

/// Writes `stdin` to the child and waits for it. A command that refuses its arguments exits
/// without reading stdin: the pipe is closed by then, which is no failure of the test.
pub fn feed(mut child: std::process::Child, stdin: &str) -> Output {
    if let Err(e) = child.stdin.take().expect("stdin").write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
    }
    child.wait_with_output().expect("wait")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
