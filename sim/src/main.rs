use clap::Parser;
use gainsight_sim::profile::{
    parse_field_rename, parse_object_field, parse_object_rename, parse_px_endpoint,
};
use gainsight_sim::{
    DEMO_ACCESS_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PX_API_KEY, DateStyle, EmptyStyle, M2mStyle,
    OrgProfile, PxKey, RateLimitStyle, Region, RowsStyle, SimConfig,
};

/// A simulated Gainsight CS + PX API server on 127.0.0.1.
///
/// An org profile makes the org differ from the default shape the way real orgs do: `--profile
/// NAME` picks a named one (default, documented, sparse, hidden, px-limited) and the repeatable
/// `--absent-field`, `--hidden-field`, `--rename-field`, `--rename-object`, `--absent-object` and
/// `--px-endpoint` flags add to it. Field flags name an object as the org serves it (its new name
/// when renamed). The test control API is under /__sim (counters, faults, rotate, modify, delete,
/// profile).
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
    /// How an empty query result looks: list, no-data-found (or no-data), gsobj-1011.
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
    /// A named org profile: default, documented (an org built from Gainsight's documented
    /// samples), sparse (few company fields, no usage or scorecard objects), hidden (company ARR
    /// and CSM hidden by field permissions) or px-limited (no PX /users or feature-match events).
    #[arg(long, value_name = "NAME", default_value = "default")]
    profile: String,
    /// The org lacks this field (repeatable).
    #[arg(long, value_name = "OBJECT.FIELD")]
    absent_field: Vec<String>,
    /// Describe lists this field but queries touching it get GSOBJ_1002 (repeatable).
    #[arg(long, value_name = "OBJECT.FIELD")]
    hidden_field: Vec<String>,
    /// Serve a field under another API name, optionally with a new label (repeatable).
    #[arg(long, value_name = "OBJECT.OLD=NEW[:LABEL]")]
    rename_field: Vec<String>,
    /// Serve an object under another API name, optionally with a new label (repeatable).
    #[arg(long, value_name = "OLD=NEW[:LABEL]")]
    rename_object: Vec<String>,
    /// The org lacks this object (repeatable).
    #[arg(long, value_name = "OBJECT")]
    absent_object: Vec<String>,
    /// The PX subscription lacks this endpoint (a path under /v1, matched by prefix) and answers
    /// it with STATUS, 404 or 403 (repeatable). E.g. `--px-endpoint /users=403`.
    #[arg(long, value_name = "PATH=STATUS")]
    px_endpoint: Vec<String>,
}

/// The named profile plus the fine-grained profile flags.
fn profile(a: &Args) -> std::io::Result<OrgProfile> {
    let fail = |flag: &str, e: String| std::io::Error::other(format!("--{flag}: {e}"));
    let mut p = OrgProfile::named(&a.profile).ok_or_else(|| {
        fail("profile", format!("unknown profile {} (known: {})", a.profile, OrgProfile::NAMES.join(", ")))
    })?;
    let extra = OrgProfile {
        absent_fields: a
            .absent_field
            .iter()
            .map(|t| parse_object_field(t).map_err(|e| fail("absent-field", e)))
            .collect::<std::io::Result<_>>()?,
        hidden_fields: a
            .hidden_field
            .iter()
            .map(|t| parse_object_field(t).map_err(|e| fail("hidden-field", e)))
            .collect::<std::io::Result<_>>()?,
        renamed_fields: a
            .rename_field
            .iter()
            .map(|t| parse_field_rename(t).map_err(|e| fail("rename-field", e)))
            .collect::<std::io::Result<_>>()?,
        renamed_objects: a
            .rename_object
            .iter()
            .map(|t| parse_object_rename(t).map_err(|e| fail("rename-object", e)))
            .collect::<std::io::Result<_>>()?,
        absent_objects: a.absent_object.iter().map(|o| o.trim().to_string()).collect(),
        px_endpoints: a
            .px_endpoint
            .iter()
            .map(|t| parse_px_endpoint(t).map_err(|e| fail("px-endpoint", e)))
            .collect::<std::io::Result<_>>()?,
    };
    p.merge(&extra);
    Ok(p)
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
    let empty = EmptyStyle::parse(&a.empty_style)
        .ok_or_else(|| std::io::Error::other(format!("--empty-style: unknown style {}", a.empty_style)))?;
    let profile = profile(&a)?;
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
        profile,
        ..SimConfig::default()
    };
    let sim = gainsight_sim::start(config).await?;
    println!("listening on {}", sim.base_url());
    tokio::signal::ctrl_c().await?;
    sim.stop().await;
    Ok(())
}
