//! `outpost sync`: a progress bar per stream on a terminal, plain lines otherwise, a JSON summary
//! with `--json`.

use super::output::Out;
use crate::app::Outpost;
use crate::error::{Error, ErrorKind, Result};
use crate::sync::{StreamProgress, SyncOptions, SyncSummary};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

pub async fn run(app: &Outpost, names: Vec<String>, opts: SyncOptions, out: &Out) -> Result<()> {
    let targets: Vec<String> = if names.is_empty() {
        app.connection_cards()?
            .into_iter()
            .filter(|c| c.status != crate::connections::ConnectionStatus::Disconnected)
            .map(|c| c.name)
            .collect()
    } else {
        names
    };
    if targets.is_empty() {
        return Err(Error::new(ErrorKind::NotFound, "No connection to sync.")
            .with_hint("Add one with `outpost connect cs --name NAME --url URL --access-key-stdin`."));
    }
    let fancy = std::io::stderr().is_terminal() && !out.json && !out.quiet;
    let multi = MultiProgress::new();
    let bars: Mutex<HashMap<String, ProgressBar>> = Mutex::new(HashMap::new());
    let style = ProgressStyle::with_template("{spinner} {prefix:>16} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    let progress = |p: &StreamProgress| {
        if fancy {
            let Ok(mut bars) = bars.lock() else { return };
            let bar = bars.entry(p.stream.clone()).or_insert_with(|| {
                let b = multi.add(ProgressBar::new_spinner());
                b.set_style(style.clone());
                b.set_prefix(p.stream.clone());
                b
            });
            bar.set_message(format!("{} records, {} pages", p.records, p.pages));
            bar.tick();
            if p.done {
                bar.finish_with_message(format!("{} records, {} pages ✓", p.records, p.pages));
            }
        } else if p.done && !out.json && !out.quiet {
            eprintln!("{}: {} records in {} pages", p.stream, p.records, p.pages);
        }
    };
    let mut summaries: Vec<SyncSummary> = Vec::new();
    let mut first_error = None;
    for name in &targets {
        let summary = app.sync(name, opts.clone(), &progress).await?;
        if let Some(e) = &summary.error {
            first_error.get_or_insert(Error {
                kind: e.kind,
                message: e.message.clone(),
                hint: e.hint.clone(),
            });
        }
        summaries.push(summary);
    }
    out.sync_summaries(&summaries);
    match first_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
