use clap::Parser;
use gainsight_sim::{
    DEMO_ACCESS_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PX_API_KEY, DateStyle, EmptyStyle, M2mStyle,
    PxKey, RateLimitStyle, Region, RowsStyle, SimConfig,
};

/// A simulated Gainsight CS + PX API server on 127.0.0.1.
#[derive(Parser)]
#[command(name = "gainsight-sim", version)]
struct Args {
    /// Port to listen on; 0 picks any free port.
    #[arg(long, default_value_t = 0)]
    port: u16,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[arg(long, default_value_t = 50)]
    companies: usize,
    /// The simulated today, yyyy-MM-dd (default: the current UTC date).
    #[arg(long)]
    anchor_date: Option<String>,
    #[arg(long, default_value = DEMO_ACCESS_KEY)]
    cs_access_key: String,
    #[arg(long, default_value = DEMO_CLIENT_ID)]
    cs_client_id: String,
    #[arg(long, default_value = DEMO_CLIENT_SECRET)]
    cs_client_secret: String,
    /// A PX REST API key, as `KEY[@REGION][:PERMISSIONS]` (repeat the flag for more keys).
    /// REGION is us (default), eu or us2; PERMISSIONS is r (Read, the default), w (Write), rw or
    /// none. E.g. `--px-api-key k1 --px-api-key k2@eu:rw --px-api-key k3@us:w`.
    #[arg(long, value_name = "KEY[@REGION][:PERMISSIONS]", default_value = DEMO_PX_API_KEY)]
    px_api_key: Vec<String>,
    /// CS calls allowed per window (the real org allows 100 per minute).
    #[arg(long, default_value_t = 100)]
    rate_limit_per_min: u32,
    /// Length of the rate window in seconds (shorter makes rate-limit tests fast).
    #[arg(long, default_value_t = 60)]
    window_secs: u64,
    #[arg(long, default_value_t = 50_000)]
    daily_limit: u32,
    /// Added to every response.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Render dates as ISO-8601 strings instead of epoch milliseconds.
    #[arg(long)]
    iso_dates: bool,
    /// Put query rows directly in `data` instead of `data.records`.
    #[arg(long)]
    bare_list: bool,
    /// How an empty query result looks: list, no-data-found, gsobj-1011.
    #[arg(long, default_value = "list")]
    empty_style: String,
    /// 429s carry no GS_APIG_2404 body.
    #[arg(long)]
    plain_429: bool,
    /// 429s carry a Retry-After header.
    #[arg(long)]
    retry_after: bool,
    /// How the M2M token endpoint behaves: comma-separated, `bare` (default) or `wrapped` (the
    /// token inside the CS envelope's `data`), and `either-body` (default), `form-body` (requires
    /// `grant_type=client_credentials`) or `no-body` (refuses any body).
    #[arg(long, value_name = "STYLE[,STYLE]", default_value = "bare,either-body")]
    m2m_style: String,
    /// Serve the scorecard fact and history objects under these API names (`FACT,HISTORY`), as
    /// their names vary by org.
    #[arg(long, value_name = "FACT,HISTORY")]
    scorecard_objects: Option<String>,
}

/// `KEY[@REGION][:PERMISSIONS]`: a trailing `:r`, `:w`, `:rw` or `:none` sets the permissions
/// (Read only by default); any other `:` stays part of the key.
fn parse_px_key(s: &str) -> std::io::Result<PxKey> {
    let (rest, (read, write)) = match s.rsplit_once(':') {
        Some((k, "r")) => (k, (true, false)),
        Some((k, "w")) => (k, (false, true)),
        Some((k, "rw" | "wr")) => (k, (true, true)),
        Some((k, "none")) => (k, (false, false)),
        _ => (s, (true, false)),
    };
    let (key, region) = match rest.rsplit_once('@') {
        Some((k, r)) => {
            (k, Region::from_slug(r).ok_or_else(|| std::io::Error::other(format!("unknown region {r}")))?)
        }
        None => (rest, Region::Us),
    };
    if key.is_empty() {
        return Err(std::io::Error::other(format!("--px-api-key: no key in {s:?}")));
    }
    Ok(PxKey { key: key.to_string(), region, read, write })
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let a = Args::parse();
    let anchor_day = match a.anchor_date.as_deref() {
        Some(text) => Some(
            gainsight_sim::time::parse(text)
                .map(|ms| ms.div_euclid(gainsight_sim::time::DAY_MS))
                .ok_or_else(|| std::io::Error::other(format!("--anchor-date: not a date: {text}")))?,
        ),
        None => None,
    };
    let empty = match a.empty_style.as_str() {
        "list" => EmptyStyle::EmptyList,
        "no-data-found" => EmptyStyle::NoDataFound,
        "gsobj-1011" => EmptyStyle::Gsobj1011,
        other => return Err(std::io::Error::other(format!("--empty-style: unknown style {other}"))),
    };
    let scorecard_objects = match a.scorecard_objects.as_deref().map(|s| s.split_once(',')) {
        None => None,
        Some(Some((fact, history))) if !fact.trim().is_empty() && !history.trim().is_empty() => {
            Some((fact.trim().to_string(), history.trim().to_string()))
        }
        Some(_) => return Err(std::io::Error::other("--scorecard-objects: expected FACT,HISTORY")),
    };
    let m2m =
        M2mStyle::parse(&a.m2m_style).map_err(|e| std::io::Error::other(format!("--m2m-style: {e}")))?;
    let config = SimConfig {
        port: a.port,
        seed: a.seed,
        companies: a.companies,
        anchor_day,
        cs_access_key: a.cs_access_key,
        cs_client_id: a.cs_client_id,
        cs_client_secret: a.cs_client_secret,
        px_keys: a.px_api_key.iter().map(|k| parse_px_key(k)).collect::<std::io::Result<_>>()?,
        rate_limit_per_window: a.rate_limit_per_min,
        window_secs: a.window_secs,
        daily_limit: a.daily_limit,
        latency_ms: a.latency_ms,
        dates: if a.iso_dates { DateStyle::Iso } else { DateStyle::EpochMs },
        rows: if a.bare_list { RowsStyle::BareList } else { RowsStyle::Records },
        empty,
        rate_limit_style: RateLimitStyle { gs_2404_body: !a.plain_429, retry_after: a.retry_after },
        m2m,
        scorecard_objects,
        ..SimConfig::default()
    };
    let sim = gainsight_sim::start(config).await?;
    println!("listening on {}", sim.base_url());
    tokio::signal::ctrl_c().await?;
    sim.stop().await;
    Ok(())
}
