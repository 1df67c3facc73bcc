//! The `outpost` command line (contract: shared/cli.md). Same engine, same data directory as the app.

mod output;

use crate::app::{Outpost, default_data_dir};
use crate::connections::CsConnectInput;
use crate::error::{Error, ErrorKind, Result};
use clap::{Args, Parser, Subcommand};
use output::Out;
use std::io::Read;
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "outpost", version, about = "Gainsight account health on your own machine", after_help = exit_codes_help())]
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
    /// Remove a connection and its key from the OS keychain.
    Disconnect { name: String },
    /// Start the built-in Gainsight simulator and print its URL and key.
    Demo {
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
}

#[derive(Subcommand)]
enum ConnectKind {
    /// Gainsight CS, with an Access Key read from stdin.
    Cs(CsArgs),
}

#[derive(Args)]
struct CsArgs {
    #[arg(long)]
    name: String,
    #[arg(long)]
    url: String,
    #[arg(long)]
    description: Option<String>,
    /// Read the Access Key from standard input.
    #[arg(long, required = true)]
    access_key_stdin: bool,
}

fn exit_codes_help() -> String {
    let mut s = String::from("Exit codes: 0 ok, 2 usage error");
    for kind in ErrorKind::ALL {
        s.push_str(&format!(", {} {}", kind.exit_code(), kind.name()));
    }
    s
}

/// Parses arguments, runs the command, prints, and returns the process exit code.
pub fn run() -> i32 {
    let cli = Cli::parse();
    let out = Out {
        json: cli.json,
        quiet: cli.quiet,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return out.error(&Error::new(ErrorKind::Internal, format!("could not start: {e}"))),
    };
    match runtime.block_on(dispatch(cli, &out)) {
        Ok(()) => 0,
        Err(e) => out.error(&e),
    }
}

fn read_secret_stdin(what: &str) -> Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).map_err(|e| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("could not read the {what} from stdin: {e}"),
        )
    })?;
    Ok(s)
}

async fn dispatch(cli: Cli, out: &Out) -> Result<()> {
    let data_dir = cli.data_dir.clone().unwrap_or_else(default_data_dir);
    match cli.command {
        Command::Demo { port } => {
            let sim = gainsight_sim::start(gainsight_sim::SimConfig {
                port,
                ..Default::default()
            })
            .await
            .map_err(|e| Error::new(ErrorKind::Internal, format!("could not start the simulator: {e}")))?;
            out.demo(&sim.base_url(), gainsight_sim::DEMO_ACCESS_KEY);
            tokio::signal::ctrl_c().await.ok();
            sim.stop().await;
            Ok(())
        }
        Command::Connect(ConnectKind::Cs(a)) => {
            let key = read_secret_stdin("Access Key")?;
            let app = Outpost::open(&data_dir)?;
            let input = CsConnectInput {
                name: a.name,
                description: a.description,
                instance_url: a.url,
                access_key: key,
            };
            let card = app.connect_cs(&input, false).await?;
            out.card(&card);
            Ok(())
        }
        Command::Test { name } => {
            let app = Outpost::open(&data_dir)?;
            let report = app.test_saved(&name).await?;
            out.report(&report);
            match report.error {
                Some(e) => Err(Error {
                    kind: e.kind,
                    message: e.message,
                    hint: e.hint,
                }),
                None => Ok(()),
            }
        }
        Command::Connections => {
            let app = Outpost::open(&data_dir)?;
            out.cards(&app.connection_cards()?);
            Ok(())
        }
        Command::Disconnect { name } => {
            let app = Outpost::open(&data_dir)?;
            let card = app.disconnect(&name).await?;
            out.line(&format!(
                "Disconnected {} ({}); its key was removed from the OS keychain.",
                card.name, card.instance
            ));
            Ok(())
        }
    }
}
