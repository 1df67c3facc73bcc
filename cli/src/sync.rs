//! `outpost sync`: on a terminal one progress line per connection and stream (a bar when the API
//! gives a total, a spinner with counts otherwise); plain lines when stderr is not a terminal; a
//! JSON summary with `--json`.

use super::output::{CANCELLED_EXIT, Failure, Out, PARTIAL_EXIT, eline};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use outpost::Outpost;
use outpost::error::{Error, ErrorKind};
use outpost::sync::{StreamProgress, SyncOptions, SyncSummary};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

/// The progress lines on a terminal, keyed by (connection id, stream) so syncing several
/// connections never merges two streams of the same name.
struct Lines {
    multi: MultiProgress,
    lines: Mutex<HashMap<(String, String), ProgressBar>>,
    spinner: ProgressStyle,
    bar: ProgressStyle,
}

impl Lines {
    fn new() -> Self {
        let spinner = ProgressStyle::with_template("{spinner} {prefix:<24} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = ProgressStyle::with_template("  {prefix:<24} [{bar:20}] {pos}/{len} {msg}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        Lines { multi: MultiProgress::new(), lines: Mutex::new(HashMap::new()), spinner, bar }
    }

    fn show(&self, connection: &str, p: &StreamProgress) {
        let Ok(mut lines) = self.lines.lock() else { return };
        let line = lines.entry((p.connection_id.clone(), p.stream.code().to_string())).or_insert_with(|| {
            let line = self.multi.add(
                ProgressBar::new_spinner()
                    .with_style(self.spinner.clone())
                    .with_prefix(super::output::visible(&format!("{connection} {}", p.stream)).into_owned()),
            );
            line.enable_steady_tick(Duration::from_millis(120));
            line
        });
        let message = match p.total.filter(|t| *t > 0) {
            Some(total) => {
                if line.length() != Some(total) {
                    line.set_length(total);
                    line.set_style(self.bar.clone());
                }
                line.set_position(p.records.min(total));
                format!("records, {} pages", p.pages)
            }
            None => format!("{} records, {} pages", p.records, p.pages),
        };
        let message = match &p.retrying {
            Some(r) => format!("{message} — {}", retrying_text(r)),
            None => message,
        };
        if p.done {
            line.finish_with_message(format!("{message} ✓"));
        } else {
            line.set_message(message);
        }
    }

    /// Stops the lines of streams a failed run left unfinished, as they stood.
    fn stop(&self) {
        let Ok(lines) = self.lines.lock() else { return };
        lines.values().filter(|l| !l.is_finished()).for_each(ProgressBar::abandon);
    }
}

/// "Gainsight is not answering; retrying (2 of 2) in 1 s…"
fn retrying_text(r: &outpost::gainsight::retry::Retrying) -> String {
    let why = match r.kind {
        ErrorKind::Offline => "Gainsight is not answering",
        ErrorKind::Timeout => "Gainsight is slow to answer",
        ErrorKind::RateLimited => "the org's API limit is reached",
        _ => "Gainsight had a problem",
    };
    let secs = r.wait_ms.div_ceil(1000).max(1);
    format!("{why}; retrying ({} of {}) in {secs} s…", r.attempt, r.of)
}

/// Which connections a `sync` runs.
pub enum Targets {
    /// These, or every connected one when empty.
    Named(Vec<String>),
    /// Those whose scheduled sync is due now.
    Due,
}

pub async fn run(app: &Outpost, targets: Targets, opts: SyncOptions, out: &Out) -> Result<(), Failure> {
    let targets: Vec<String> = match targets {
        Targets::Due => {
            let due = app.due_for_sync(app.now())?;
            if due.is_empty() {
                out.sync_summaries(&[], false);
                if !out.json && !out.quiet {
                    eline!("Nothing is due.");
                }
                return Ok(());
            }
            due
        }
        Targets::Named(names) if names.is_empty() => app
            .connection_cards()?
            .into_iter()
            .filter(|c| c.status != outpost::connections::ConnectionStatus::Disconnected)
            .map(|c| c.name)
            .collect(),
        Targets::Named(names) => names,
    };
    if targets.is_empty() {
        return Err(Error::new(ErrorKind::NotFound, "No connection to sync.")
            .with_hint("Add one with `outpost connect cs --name NAME --url URL --access-key-stdin`.")
            .into());
    }
    let chatty = !out.json && !out.quiet;
    let lines = (chatty && std::io::stderr().is_terminal()).then(Lines::new);
    let mut summaries: Vec<SyncSummary> = Vec::new();
    let mut first_error = None;
    let mut interrupted = false;
    for name in &targets {
        let progress = |p: &StreamProgress| match &lines {
            Some(lines) => lines.show(name, p),
            None if p.done && chatty => {
                eline!("{name} {}: {} records in {} pages", p.stream, p.records, p.pages);
            }
            None if chatty && let Some(r) = &p.retrying => {
                eline!("{name} {}: {}", p.stream, retrying_text(r));
            }
            None => {}
        };
        let result = until_ctrl_c(app.sync(name, opts.clone(), &progress), app, &mut interrupted).await;
        if let Some(lines) = &lines {
            lines.stop();
        }
        let summary = match result {
            Ok(summary) => summary,
            Err(e) => {
                // What already synced is reported with the error, not lost.
                out.sync_summaries(&summaries, true);
                return Err(Failure::with(e, "summaries", &summaries));
            }
        };
        if let Some(e) = &summary.error {
            first_error.get_or_insert(Error {
                kind: e.kind,
                message: e.message.clone(),
                hint: e.hint.clone(),
            });
        }
        summaries.push(summary);
        if interrupted {
            break;
        }
    }
    match first_error {
        Some(e) => {
            out.sync_summaries(&summaries, true);
            Err(Failure::with(e, "summaries", &summaries))
        }
        None => {
            out.sync_summaries(&summaries, false);
            if interrupted {
                if !out.quiet {
                    eline!(
                        "Cancelled: the pages read before Ctrl-C are saved; the next sync goes on from there."
                    );
                }
                return Err(Failure::exit(CANCELLED_EXIT));
            }
            // Each problem on stderr as one line, and the partial run's own exit code.
            let mut partial = false;
            for s in summaries.iter().filter(|s| s.outcome == "partial") {
                partial = true;
                for o in s.streams.iter().filter(|o| o.error.is_some()) {
                    if let Some(e) = &o.error {
                        let hint = e.hint.as_deref().map(|h| format!(" ({h})")).unwrap_or_default();
                        eline!(
                            "problem[{}]: {} {}: {}{hint}",
                            e.kind.name(),
                            s.connection,
                            o.stream,
                            e.message
                        );
                    }
                }
            }
            if partial { Err(Failure::exit(PARTIAL_EXIT)) } else { Ok(()) }
        }
    }
}

/// Awaits one sync; Ctrl-C asks it to stop after its current page (the same clean stop as the
/// app's Cancel button) and marks the whole command interrupted.
async fn until_ctrl_c(
    sync: impl std::future::Future<Output = outpost::Result<SyncSummary>>,
    app: &Outpost,
    interrupted: &mut bool,
) -> outpost::Result<SyncSummary> {
    tokio::pin!(sync);
    tokio::select! {
        r = &mut sync => r,
        _ = tokio::signal::ctrl_c() => {
            *interrupted = true;
            app.cancel_all_syncs();
            sync.await
        }
    }
}
