//! The `outpost` command line (contract: shared/cli.md). Same engine, same data directory as the app:
//! this crate parses, calls the `outpost` core and prints.

mod budget;
mod connections;
mod export;
mod insights;
mod output;
mod sync;

use clap::{Parser, Subcommand};
use connections::{ConnectKind, open_app};
use outpost::db::browse::{AccountQuery, CtaQuery};
use outpost::default_data_dir;
use outpost::error::{Error, ErrorKind};
use output::{Failure, Out};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "outpost", version = outpost::build_info::LONG_VERSION, about = "Gainsight account health on your own machine", after_help = exit_codes_help())]
struct Cli {
    /// Data directory shared with the desktop app.
    #[arg(long, global = true, env = "OUTPOST_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Machine-readable output on stdout.
    #[arg(long, global = true)]
    json: bool,
    /// Print only errors.
    #[arg(long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Test and save a connection. Secrets are read from stdin, never from arguments.
    #[command(subcommand)]
    Connect(ConnectKind),
    /// Run the explaining connection test for a saved connection.
    Test { name: String },
    /// Show the Connected cards.
    Connections,
    /// Replace a connection's key (Access Key, M2M client secret or PX API key), read from stdin.
    /// The new key is tested first; a key that fails changes nothing.
    Rotate { name: String },
    /// Change who a connection's card says connected it.
    ConnectedBy { name: String, person: String },
    /// Remove a connection's key from the OS keychain; cached data stays browsable unless --purge.
    Disconnect {
        name: String,
        /// Also delete everything cached for this connection.
        #[arg(long)]
        purge: bool,
    },
    /// Sync connections (every connected one, CS and PX, when none is named).
    Sync {
        names: Vec<String>,
        /// Re-read everything and reconcile deletes.
        #[arg(long)]
        full: bool,
        /// CS object groups for this run: companies,ctas,health_scores,usage (PX reads all).
        #[arg(long, value_delimiter = ',')]
        objects: Option<Vec<String>>,
        /// Rows per page (2-5000; 1 is taken as 2).
        #[arg(long)]
        page_size: Option<usize>,
        /// Only the connections whose scheduled sync is due now (for cron, systemd timers, launchd
        /// or the Task Scheduler); nothing due: no call, exit 0.
        #[arg(long, conflicts_with = "names")]
        due: bool,
    },
    /// Accounts in the local cache.
    Accounts {
        #[arg(long)]
        search: Option<String>,
        /// Health band label, e.g. Poor.
        #[arg(long)]
        band: Option<String>,
        #[arg(long)]
        health_below: Option<f64>,
        /// name, health, arr, renewal or custom:FIELD (prefix - for descending).
        #[arg(long, default_value = "health", allow_hyphen_values = true)]
        sort: String,
        /// Only accounts whose mapped custom field has this value: FIELD=VALUE.
        #[arg(long)]
        field: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// One account: scores per measure, history, CTAs, usage.
    Account { id: String },
    /// Calls to Action.
    Ctas {
        #[arg(long)]
        open: bool,
        #[arg(long)]
        overdue: bool,
        #[arg(long)]
        company: Option<String>,
    },
    /// What changed: band moves, CTAs opened and closed, accounts added and removed.
    Changes {
        /// Only changes recorded after this sync run id.
        #[arg(long)]
        since: Option<i64>,
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Sync runs, newest first.
    History {
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// The way out of a damaged database: move it aside, make a new one keeping the connections,
    /// their keys and settings, and sync every connection again.
    RebuildCache {
        /// Only rebuild; sync later.
        #[arg(long)]
        no_sync: bool,
    },
    /// Show or change a connection's sync settings.
    Settings {
        name: String,
        /// manual, 15m, 1h, 4h or 24h.
        #[arg(long)]
        frequency: Option<String>,
        /// Object groups: companies,ctas,health_scores,usage.
        #[arg(long, value_delimiter = ',')]
        objects: Option<Vec<String>>,
        /// Share of the org's 100 CS calls per minute Outpost may use.
        #[arg(long)]
        calls_per_minute: Option<i64>,
        /// The org's CS calls a day (its package's limit; 50,000 for most).
        #[arg(long)]
        calls_per_day: Option<i64>,
        /// Days of PX usage the first sync reads.
        #[arg(long)]
        backfill_days: Option<i64>,
        /// API names of the org's scorecard fact and history objects (found automatically on the
        /// first sync when the configured ones don't exist).
        #[arg(long, value_name = "FACT,HISTORY")]
        scorecard_objects: Option<String>,
        /// API name of the org's usage object (read weekly per company when Usage is on).
        #[arg(long, value_name = "OBJECT")]
        usage_object: Option<String>,
        /// The field that holds a role, e.g. companies.arr=Arr__gc or score_history.score=ScoreId__gr.Score
        /// (roles are listed by `outpost doctor NAME`). Repeatable.
        #[arg(long = "field", value_name = "STREAM.ROLE=FIELD")]
        fields: Vec<String>,
        /// Forget a role's field (STREAM.ROLE): it is matched from describe again. Repeatable.
        #[arg(long = "clear-field", value_name = "STREAM.ROLE")]
        clear_fields: Vec<String>,
    },
    /// What Outpost found in the org: per stream, the object, the field matched to each role (and
    /// which are missing), rows in the cache, and the last outcome with its error.
    Doctor {
        name: String,
        /// Describe every object again first (needs the network); otherwise read from the cache.
        #[arg(long)]
        refresh: bool,
        /// List the org's objects that could hold usage (custom objects with a date and a company),
        /// to choose one with `outpost settings NAME --usage-object OBJECT`.
        #[arg(long)]
        usage_objects: bool,
    },
    /// List the fields of a CS object that can be mapped (mapped ones marked), or map them.
    Fields {
        name: String,
        #[arg(long, default_value = "company")]
        object: String,
        /// Replace the mapped fields with these API names (e.g. Region__gc); empty clears them.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        map: Option<Vec<String>>,
    },
    /// Accounts renewing soon, riskiest ARR first, each with why (see the README for the score).
    Renewals {
        /// The window: 30d, 90d or 180d.
        #[arg(long, default_value = "90d", value_parser = insights::parse_days)]
        within: u32,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Health alerts the syncs raised: open ones, or every one with --all.
    Alerts {
        /// Also dismissed and resolved alerts.
        #[arg(long)]
        all: bool,
        /// Dismiss the alert with this id (it is not raised again while its condition holds).
        #[arg(long, value_name = "ID")]
        dismiss: Option<i64>,
    },
    /// Data-quality checks over the cache, with counts and the affected accounts.
    Quality {
        /// One check by its code (e.g. no_csm), with its affected accounts.
        #[arg(long, value_name = "CODE")]
        check: Option<String>,
        /// Affected accounts to list for --check.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// CS calls spent in the last minute and today against the org's limits (shared with the app
    /// and every Outpost process on this computer), and what a full sync needs.
    Budget { name: Option<String> },
    /// Export accounts or CTAs as CSV.
    Export {
        #[arg(value_parser = ["accounts", "ctas"])]
        what: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Start the built-in Gainsight simulator and print its URL and key.
    Demo {
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
}

fn exit_codes_help() -> String {
    let mut s = format!("Exit codes: 0 ok, {} usage error", output::USAGE_EXIT);
    for kind in ErrorKind::ALL {
        s.push_str(&format!(", {} {}", kind.exit_code(), kind.name()));
    }
    s.push_str(&format!(
        ", {} partial sync (some streams failed or were skipped; the rest is saved)",
        output::PARTIAL_EXIT
    ));
    s
}

/// Whether a flag was given, for reporting a usage error the way the flags ask (clap failed, so
/// there are no parsed flags). Arguments after `--` are values, not flags.
fn flag_given(flag: &str) -> bool {
    std::env::args_os().skip(1).take_while(|a| a != "--").any(|a| a == flag)
}

/// clap's multi-line usage error as one line: its first line the message; its tips, possible
/// values and the usage line the hint.
fn usage_error(e: &clap::Error) -> (String, String) {
    let text = e.render().to_string();
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let usage = lines.iter().find_map(|l| l.strip_prefix("Usage: "));
    let message = match lines.first().and_then(|l| l.strip_prefix("error: ")) {
        Some(m) => {
            let mut m = m.to_string();
            // "the following required arguments were not provided:" names them on the lines after.
            if let Some(head) = m.strip_suffix(':') {
                let named: Vec<&str> = lines
                    .iter()
                    .skip(1)
                    .take_while(|l| !l.starts_with("Usage: ") && !l.starts_with("tip: "))
                    .copied()
                    .collect();
                m = format!("{head}: {}", named.join(", "));
            }
            if let Some(first) = m.get(..1) {
                m.replace_range(..1, &first.to_uppercase());
            }
            if !m.ends_with(['.', '?', '!']) {
                m.push('.');
            }
            m
        }
        // `outpost connect` alone: clap shows help; say what is missing instead.
        None => {
            let command: Vec<&str> = usage
                .unwrap_or("outpost")
                .split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect();
            format!("`{}` needs a command.", command.join(" "))
        }
    };
    let mut hint: Vec<String> = lines
        .iter()
        .skip(1)
        .take_while(|l| !l.starts_with("Usage: ") && !l.starts_with("For more information"))
        .filter(|l| l.starts_with('[') || l.starts_with("tip: "))
        .map(|l| l.trim_start_matches('[').trim_end_matches(']').to_string())
        .collect();
    match usage {
        Some(u) => hint.push(format!("usage: {u}; see --help")),
        None => hint.push("see --help".into()),
    }
    (message, hint.join("; "))
}

fn main() {
    std::process::exit(run());
}

/// Parses arguments, runs the command, prints, and returns the process exit code.
fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind as Clap;
            if matches!(e.kind(), Clap::DisplayHelp | Clap::DisplayVersion) {
                // Help and version are answers, not errors: stdout, exit 0.
                return match e.print() {
                    Ok(()) => 0,
                    Err(_) => output::USAGE_EXIT,
                };
            }
            let out = Out { json: flag_given("--json"), quiet: flag_given("--quiet") };
            let (message, hint) = usage_error(&e);
            return out.usage(&message, Some(&hint));
        }
    };
    let out = Out { json: cli.json, quiet: cli.quiet };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            let e = Error::new(ErrorKind::Internal, format!("could not start: {e}"));
            return out.error(&e.into());
        }
    };
    match runtime.block_on(dispatch(cli, &out)) {
        Ok(()) => 0,
        Err(f) => out.error(&f),
    }
}

async fn dispatch(cli: Cli, out: &Out) -> std::result::Result<(), Failure> {
    let data_dir = cli.data_dir.clone().unwrap_or_else(default_data_dir);
    match cli.command {
        Command::Demo { port } => {
            let demo = outpost::demo::Demo::start(port).await?;
            out.demo(&demo.org());
            tokio::signal::ctrl_c().await.ok();
            demo.stop().await;
            Ok(())
        }
        Command::Connect(kind) => connections::connect(kind, &data_dir, out).await,
        Command::Test { name } => connections::test(&name, &data_dir, out).await,
        Command::Connections => {
            out.cards(&open_app(&data_dir)?.connection_cards()?);
            Ok(())
        }
        Command::Rotate { name } => Ok(connections::rotate(&name, &data_dir, out).await?),
        Command::ConnectedBy { name, person } => {
            out.card(&open_app(&data_dir)?.set_connected_by(&name, &person)?);
            Ok(())
        }
        Command::Disconnect { name, purge } => {
            Ok(connections::disconnect(&name, purge, &data_dir, out).await?)
        }
        Command::Sync { names, full, objects, page_size, due } => {
            let objects = objects.as_deref().map(outpost::model::ObjectGroup::parse_list).transpose()?;
            let app = open_app(&data_dir)?;
            let opts = outpost::sync::SyncOptions { full, objects, page_size, ..Default::default() };
            let targets = if due { sync::Targets::Due } else { sync::Targets::Named(names) };
            sync::run(&app, targets, opts, out).await
        }
        Command::RebuildCache { no_sync } => {
            out.rebuilt(&outpost::rebuild::rebuild_cache(&data_dir)?);
            if no_sync {
                return Ok(());
            }
            let app = open_app(&data_dir)?;
            sync::run(&app, sync::Targets::Named(Vec::new()), Default::default(), out).await
        }
        Command::Accounts { search, band, health_below, sort, field, limit } => {
            let app = open_app(&data_dir)?;
            let q = AccountQuery {
                search,
                band,
                health_below,
                sort: Some(sort),
                field,
                limit: Some(limit),
                connection_id: None,
            };
            out.accounts(&app.accounts(&q)?);
            Ok(())
        }
        Command::Account { id } => {
            let app = open_app(&data_dir)?;
            out.account(&app.account(&id)?);
            Ok(())
        }
        Command::Ctas { open, overdue, company } => {
            let app = open_app(&data_dir)?;
            out.ctas(&app.ctas(&CtaQuery { open, overdue, company })?);
            Ok(())
        }
        Command::Changes { since, limit } => {
            let app = open_app(&data_dir)?;
            out.changes(&app.changes(since, limit)?);
            Ok(())
        }
        Command::History { limit } => {
            let app = open_app(&data_dir)?;
            out.history(&app.sync_history(None, limit)?);
            Ok(())
        }
        Command::Settings {
            name,
            frequency,
            objects,
            calls_per_minute,
            calls_per_day,
            backfill_days,
            scorecard_objects,
            usage_object,
            fields,
            clear_fields,
        } => {
            let patch = outpost::settings::SettingsPatch {
                frequency,
                objects,
                calls_per_minute,
                calls_per_day,
                backfill_days,
                scorecard_objects,
                usage_object,
                set_fields: fields,
                clear_fields,
            };
            out.settings(&open_app(&data_dir)?.patch_sync_settings(&name, &patch)?);
            Ok(())
        }
        Command::Doctor { name, refresh, usage_objects } => {
            let app = open_app(&data_dir)?;
            if usage_objects {
                out.usage_candidates(&app.usage_candidates(&name).await?);
            } else {
                out.org_report(&app.org_report(&name, refresh).await?);
            }
            Ok(())
        }
        Command::Fields { name, object, map } => {
            let (offered, mapped) =
                open_app(&data_dir)?.map_fields_by_name(&name, &object, map.as_deref()).await?;
            out.fields(&offered, &mapped);
            Ok(())
        }
        Command::Renewals { within, limit } => {
            Ok(insights::renewals(&open_app(&data_dir)?, within, insights::limit(limit)?, out)?)
        }
        Command::Alerts { all, dismiss } => Ok(insights::alerts(&open_app(&data_dir)?, all, dismiss, out)?),
        Command::Quality { check, limit } => {
            Ok(insights::quality(&open_app(&data_dir)?, check.as_deref(), insights::limit(limit)?, out)?)
        }
        Command::Budget { name } => Ok(budget::show(&open_app(&data_dir)?, name.as_deref(), out)?),
        Command::Export { what, out: file } => {
            let app = open_app(&data_dir)?;
            let n = export::write(&app, &what, &file)?;
            out.exported(&what, n, &file);
            Ok(())
        }
    }
}
