//! `outpost connect cs|px`, `test`, `rotate`, `disconnect`. Secrets come from stdin only.

use super::output::{Failure, Out};
use clap::{ArgGroup, Args, Subcommand};
use outpost::Outpost;
use outpost::connections::{ConnectInput, ConnectKind as Kind, CsAuthInput, PxTarget, input_notices};
use outpost::error::{Error, ErrorKind, Result};
use outpost::gainsight::px::{PxEndpoints, PxRegion, is_loopback};
use std::io::Read;
use std::path::Path;

/// Test-only: serve the PX regions from `{base}/px/{us|eu|us2}/v1` (the simulator's layout).
/// Honoured only for a loopback address, so it can never send a key elsewhere.
pub const PX_ENDPOINTS_ENV: &str = "OUTPOST_PX_ENDPOINTS_BASE";
/// Test-only: the CS rate window in milliseconds for simulators on this computer (started with a
/// short window). Real orgs always count per minute, whatever it says.
pub const LOOPBACK_WINDOW_ENV: &str = "OUTPOST_LOOPBACK_CS_WINDOW_MS";

#[derive(Subcommand)]
pub enum ConnectKind {
    /// Gainsight CS, with an Access Key (--access-key-stdin) or M2M OAuth (--client-id ID
    /// --client-secret-stdin).
    Cs(CsArgs),
    /// Gainsight PX, with a REST API key, by region, auto-detected region, or base URL.
    Px(PxArgs),
}

// Flags default to false, which clap counts as present for `requires`: hence a group.
#[derive(Args)]
#[command(group(ArgGroup::new("secret").required(true).args(["access_key_stdin", "client_secret_stdin"])))]
pub struct CsArgs {
    #[arg(long)]
    name: String,
    #[arg(long)]
    url: String,
    #[arg(long)]
    description: Option<String>,
    /// Read the Access Key from standard input.
    #[arg(long)]
    access_key_stdin: bool,
    /// M2M OAuth client id (not a secret).
    #[arg(long, conflicts_with = "access_key_stdin")]
    client_id: Option<String>,
    /// Read the M2M OAuth client secret from standard input.
    #[arg(long, requires = "client_id")]
    client_secret_stdin: bool,
}

#[derive(Args)]
pub struct PxArgs {
    /// Optional: defaults to the subscription's name.
    #[arg(long, default_value = "")]
    name: String,
    /// The PX data centre, or `auto` to try each in turn.
    #[arg(long, value_parser = ["us", "eu", "us2", "auto"], ignore_case = true,
          required_unless_present = "url", conflicts_with = "url")]
    region: Option<String>,
    /// An explicit PX API base URL, e.g. https://api-eu.aptrinsic.com/v1.
    #[arg(long)]
    url: Option<String>,
    #[arg(long)]
    description: Option<String>,
    /// Read the API key from standard input.
    #[arg(long, required = true)]
    api_key_stdin: bool,
}

/// Opens the data directory, with the test-only PX endpoint override when it is set and loopback.
pub fn open_app(data_dir: &Path) -> Result<Outpost> {
    let mut app = Outpost::open(data_dir)?;
    if let Some(ms) = std::env::var(LOOPBACK_WINDOW_ENV).ok().and_then(|v| v.trim().parse::<u64>().ok()) {
        app = app.with_loopback_window(std::time::Duration::from_millis(ms));
    }
    let Ok(base) = std::env::var(PX_ENDPOINTS_ENV) else {
        return Ok(app);
    };
    match url::Url::parse(&base) {
        Ok(u) if is_loopback(&u) => match PxEndpoints::simulator(&base) {
            Ok(endpoints) => Ok(app.with_px_endpoints(endpoints)),
            Err(_) => Ok(app),
        },
        _ => Err(Error::new(
            ErrorKind::InvalidInput,
            format!("{PX_ENDPOINTS_ENV} must point at this computer (127.0.0.1 or localhost)."),
        )
        .with_hint("It is for tests against the simulator only; unset it to use the real PX regions.")),
    }
}

/// The secret on stdin. The line ending `echo` adds is not part of it, so it is dropped here and
/// only other surrounding spaces make a "Removed spaces" note.
fn read_secret_stdin(what: &str) -> Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).map_err(|e| {
        Error::new(ErrorKind::InvalidInput, format!("could not read the {what} from stdin: {e}"))
    })?;
    let end = s.strip_suffix("\r\n").or_else(|| s.strip_suffix('\n')).map(str::len);
    if let Some(end) = end {
        s.truncate(end);
    }
    Ok(s)
}

pub async fn connect(kind: ConnectKind, data_dir: &Path, out: &Out) -> Result<(), Failure> {
    let input = match kind {
        ConnectKind::Cs(a) => {
            let auth = match a.client_id {
                Some(client_id) => {
                    CsAuthInput::M2m { client_id, client_secret: read_secret_stdin("client secret")? }
                }
                None => CsAuthInput::AccessKey { key: read_secret_stdin("Access Key")? },
            };
            ConnectInput {
                name: a.name,
                description: a.description,
                kind: Kind::Cs { instance_url: a.url, auth },
            }
        }
        ConnectKind::Px(a) => {
            let target = match (a.region.as_deref(), a.url) {
                (_, Some(url)) => PxTarget::Url(url),
                (Some(r), None) if r.eq_ignore_ascii_case("auto") => PxTarget::Auto,
                (Some(r), None) => PxTarget::Region(PxRegion::parse(r).ok_or_else(|| {
                    Error::new(ErrorKind::InvalidInput, format!("Unknown PX region \"{r}\"."))
                })?),
                (None, None) => {
                    return Err(Error::new(ErrorKind::InvalidInput, "Give --region or --url.").into());
                }
            };
            let api_key = read_secret_stdin("API key")?;
            ConnectInput { name: a.name, description: a.description, kind: Kind::Px { target, api_key } }
        }
    };
    let app = open_app(data_dir)?;
    let notices = input_notices(&input.kind, app.px_endpoints());
    match app.connect(&input).await {
        Ok(card) => {
            out.connected(&card, &notices);
            Ok(())
        }
        Err(e) if notices.is_empty() => Err(e.into()),
        Err(e) => {
            out.notes(&notices);
            Err(Failure::with(e, "notices", &notices))
        }
    }
}

/// A failing test prints its report's notes, then the error; with `--json`, one error object that
/// carries the report.
pub async fn test(name: &str, data_dir: &Path, out: &Out) -> Result<(), Failure> {
    let report = open_app(data_dir)?.test_saved(name).await?;
    match &report.error {
        None => {
            out.report(&report);
            Ok(())
        }
        Some(e) => {
            out.notes(&report.notices);
            let error = Error { kind: e.kind, message: e.message.clone(), hint: e.hint.clone() };
            Err(Failure::with(error, "report", &report))
        }
    }
}

pub async fn rotate(name: &str, data_dir: &Path, out: &Out) -> Result<()> {
    let app = open_app(data_dir)?;
    // Look the connection up before reading stdin, so a typo fails before a key is pasted.
    let card = app.connection(name)?;
    let what = match (card.kind.code(), card.client_id.is_some()) {
        ("px", _) => "API key",
        (_, true) => "client secret",
        _ => "Access Key",
    };
    let secret = read_secret_stdin(what)?;
    let card = app.rotate(&card.id, &secret).await?;
    if !out.json {
        out.line(&format!("The new {what} works; it replaced the old one in the OS keychain."));
    }
    out.card(&card);
    Ok(())
}

pub async fn disconnect(name: &str, purge: bool, data_dir: &Path, out: &Out) -> Result<()> {
    let card = open_app(data_dir)?.disconnect(name, purge).await?;
    let kept = if purge { "its cached data was deleted" } else { "its cached data stays browsable" };
    out.line(&format!(
        "Disconnected {} ({}): the key was removed from the OS keychain and {kept}.",
        card.name, card.instance
    ));
    Ok(())
}
