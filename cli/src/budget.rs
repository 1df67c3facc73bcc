//! `outpost budget [NAME]`: each CS connection's call budget, shared with the desktop app and every
//! other Outpost process on this computer.

use crate::output::Out;
use outpost::Outpost;
use outpost::budget::meter::{BudgetMeter, EstimateBasis};
use outpost::budget::thousands;
use outpost::error::Result;

pub fn show(app: &Outpost, name: Option<&str>, out: &Out) -> Result<()> {
    let meters = match name {
        Some(n) => vec![app.budget_meter(n)?],
        None => app.budget_meters()?,
    };
    out.emit(&meters, || {
        if meters.is_empty() {
            println!("No Gainsight CS connection: `outpost connect cs` adds one.");
        }
        for m in &meters {
            println!("{} ({})", m.connection_name, m.host);
            println!("  {}", summary(m));
        }
    });
    Ok(())
}

/// "37 of 100 calls this minute (Outpost's share 60) · 1,204 of 50,000 today · a full sync needs about 190".
pub fn summary(m: &BudgetMeter) -> String {
    let estimate = match (m.full_sync_estimate, m.estimate_basis) {
        (Some(n), Some(EstimateBasis::LastFullRun)) => {
            format!("a full sync needs about {} (the last full sync's calls)", thousands(n))
        }
        (Some(n), _) => format!("a full sync needs about {} (from the cached rows)", thousands(n)),
        (None, _) => "a full sync's cost is known after the first sync".to_string(),
    };
    format!(
        "{} of {} calls this minute (Outpost's share {}) · {} of {} today · {estimate}",
        m.calls_last_minute,
        m.org_calls_per_minute,
        m.share_per_minute,
        thousands(m.calls_today),
        thousands(m.calls_per_day),
    )
}
