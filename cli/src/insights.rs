//! `outpost renewals`, `outpost alerts` and `outpost quality`: the insights of the core, printed.

use crate::output::{Out, cut, line, local_time, money, or_dash};
use outpost::Outpost;
use outpost::db::insights::HealthAlert;
use outpost::error::{Error, ErrorKind, Result};
use outpost::insights::quality::QualityCheck;
use outpost::insights::renewals::RenewalRisk;

/// `90d` or `90`: a number of days.
pub fn parse_days(text: &str) -> std::result::Result<u32, String> {
    let t = text.trim();
    let n = t.strip_suffix('d').unwrap_or(t);
    n.parse::<u32>().map_err(|_| format!("\"{text}\" is not a number of days such as 90d"))
}

pub fn renewals(app: &Outpost, within: u32, limit: usize, out: &Out) -> Result<()> {
    let rows = app.renewals(within, limit)?;
    out.emit(&rows, || print_renewals(&rows, within));
    Ok(())
}

fn print_renewals(rows: &[RenewalRisk], within: u32) {
    line(&format!(
        "{:<32} {:>4} {:>9} {:>8} {:<10} {:<8} WHY",
        "ACCOUNT", "RISK", "AT RISK", "ARR", "RENEWAL", "BAND"
    ));
    for r in rows {
        let why = if r.reasons.is_empty() { "-".to_string() } else { r.reasons.join(" · ") };
        line(&format!(
            "{:<32} {:>4} {:>9} {:>8} {:<10} {:<8} {}",
            cut(&r.name, 32),
            r.risk,
            money(Some(r.arr_at_risk)),
            money(r.arr),
            r.renewal_date,
            cut(or_dash(&r.band), 8),
            why
        ));
    }
    line(&format!("{} accounts renew within {within} days", rows.len()));
}

pub fn alerts(app: &Outpost, all: bool, dismiss: Option<i64>, out: &Out) -> Result<()> {
    if let Some(id) = dismiss {
        let a = app.dismiss_alert(id)?;
        out.emit(&a, || line(&format!("Dismissed alert {}: {} — {}", a.id, a.company_name, a.detail)));
        return Ok(());
    }
    let rows = app.alerts(all)?;
    out.emit(&rows, || print_alerts(&rows, all));
    Ok(())
}

fn print_alerts(rows: &[HealthAlert], all: bool) {
    line(&format!("{:>5} {:<13} {:<10} {:<30} {:<16} DETAIL", "ID", "KIND", "STATE", "ACCOUNT", "OPENED"));
    for a in rows {
        line(&format!(
            "{:>5} {:<13} {:<10} {:<30} {:<16} {}",
            a.id,
            a.kind,
            a.state,
            cut(&a.company_name, 30),
            local_time(&a.opened_at),
            a.detail
        ));
    }
    let what = if all { "alerts" } else { "open alerts" };
    line(&format!("{} {what}", rows.len()));
}

pub fn quality(app: &Outpost, check: Option<&str>, limit: usize, out: &Out) -> Result<()> {
    match check {
        Some(code) => {
            let c = app.quality_check(code, limit)?;
            out.emit(&c, || print_check(&c, true));
        }
        None => {
            let checks = app.quality()?;
            out.emit(&checks, || {
                for c in &checks {
                    print_check(c, false);
                }
                let failing = checks.iter().filter(|c| c.count > 0).count();
                line(&format!("{failing} of {} checks found something", checks.len()));
            });
        }
    }
    Ok(())
}

fn print_check(c: &QualityCheck, every_item: bool) {
    let mark = if c.count == 0 { "ok".to_string() } else { c.severity.to_string() };
    line(&format!("{:<8} {:<15} {:<46} {:>6}", mark, c.code, c.title, c.count));
    let shown = if every_item { c.items.len() } else { c.items.len().min(3) };
    for i in &c.items[..shown] {
        line(&format!("           {:<40} {}", cut(&i.name, 40), or_dash(&i.detail)));
    }
    let more = c.count as usize - shown.min(c.count as usize);
    if more > 0 && every_item {
        line(&format!("           … and {more} more (a larger --limit shows them)"));
    } else if more > 0 {
        line(&format!("           … and {more} more (outpost quality --check {})", c.code));
    }
}

/// `--limit` of at least one.
pub fn limit(n: i64) -> Result<usize> {
    usize::try_from(n).ok().filter(|n| *n > 0).ok_or_else(|| {
        Error::new(ErrorKind::InvalidInput, format!("--limit {n} is not a positive number."))
            .with_hint("e.g. --limit 20")
    })
}
