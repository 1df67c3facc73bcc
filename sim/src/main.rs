use clap::Parser;
use gainsight_sim::{DateStyle, SimConfig};

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
    #[arg(long, default_value = gainsight_sim::DEMO_ACCESS_KEY)]
    cs_access_key: String,
    /// Added to every response.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Render dates as ISO-8601 strings instead of epoch milliseconds.
    #[arg(long)]
    iso_dates: bool,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let anchor_day = match args.anchor_date.as_deref() {
        Some(text) => Some(
            gainsight_sim::time::parse(text)
                .map(|ms| ms.div_euclid(gainsight_sim::time::DAY_MS))
                .ok_or_else(|| std::io::Error::other(format!("--anchor-date: not a date: {text}")))?,
        ),
        None => None,
    };
    let sim = gainsight_sim::start(SimConfig {
        port: args.port,
        seed: args.seed,
        companies: args.companies,
        anchor_day,
        cs_access_key: args.cs_access_key,
        latency_ms: args.latency_ms,
        dates: if args.iso_dates {
            DateStyle::Iso
        } else {
            DateStyle::EpochMs
        },
    })
    .await?;
    println!("listening on {}", sim.base_url());
    tokio::signal::ctrl_c().await?;
    sim.stop().await;
    Ok(())
}
