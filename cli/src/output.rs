//! Human and `--json` output. Errors go to stderr as `error[Kind]: message (hint)`; with `--json`
//! stdout holds exactly one JSON document per command, the error object included.

use outpost::connections::{ConnectionCard, TestReport};
use outpost::error::Error;
use serde::Serialize;
use serde_json::{Value, json};
use std::io::Write;

/// `println!` for human lines: control characters in it (from Gainsight data, names, typed
/// input) are shown escaped, so no value can move the cursor, clear the screen or forge a line.
/// Ends the process quietly when stdout is closed (`outpost accounts | head`).
macro_rules! println {
    () => { say(String::new()) };
    ($($arg:tt)*) => { say(crate::output::visible(&format!($($arg)*)).into_owned()) };
}

/// One JSON document on stdout, as serde_json wrote it (it escapes control characters itself).
macro_rules! json_line {
    ($v:expr) => {
        say(($v).to_string())
    };
}

/// `eprintln!` with the same escaping as [`println!`].
macro_rules! eline {
    ($($arg:tt)*) => { std::eprintln!("{}", crate::output::visible(&format!($($arg)*))) };
}
pub(crate) use eline;

fn say(line: String) {
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{line}").is_err() {
        std::process::exit(0);
    }
}

/// Characters a terminal acts on rather than shows: C0 and C1 controls and DEL, and the
/// bidirectional overrides and isolates that reorder what follows them.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character escaped (`\u{1b}`, `\n`, `\u{202e}`), unchanged when clean.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A human line printed by another module, escaped as [`println!`] escapes.
pub(crate) fn line(text: &str) {
    say(visible(text).into_owned());
}

pub struct Out {
    pub json: bool,
    pub quiet: bool,
}

/// The exit code of a usage error (clap's). Usage errors never cross to the UI, so they are the
/// CLI's own kind, `Usage`, not an [`outpost::ErrorKind`].
pub const USAGE_EXIT: i32 = 2;

/// The exit code of a sync that read some streams but not others (partial): what was read is
/// saved; the problems are printed per stream. Not an error kind: nothing failed outright.
pub const PARTIAL_EXIT: i32 = 25;

/// The exit code of a sync stopped by Ctrl-C (128 + SIGINT, as shells report it): the pages read
/// before it are saved, the run is recorded as cancelled.
pub const CANCELLED_EXIT: i32 = 130;

/// A failed command: its error, and what it had produced before failing (a failed test's report, a
/// failed sync's summaries), which `--json` prints inside the one error document.
pub struct Failure {
    pub error: Error,
    pub context: Option<(&'static str, Value)>,
    /// Its output is printed already; only this exit code is left to give (a partial or
    /// cancelled sync).
    pub exit: Option<i32>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure { error, context: None, exit: None }
    }
}

impl Failure {
    pub fn with(error: Error, key: &'static str, value: &impl Serialize) -> Self {
        Failure { error, context: Some((key, serde_json::to_value(value).unwrap_or_default())), exit: None }
    }

    /// Ends with `code`, everything already said.
    pub fn exit(code: i32) -> Self {
        let error = Error::new(outpost::error::ErrorKind::Internal, "exit");
        Failure { error, context: None, exit: Some(code) }
    }
}

/// Parses the named fields the cache keeps as JSON text (`custom`, `detail`, `counts`) so `--json`
/// prints them as JSON values; `v` is one object or an array of them.
fn parse_json_text(v: &mut Value, fields: &[&str]) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(|item| parse_json_text(item, fields)),
        Value::Object(obj) => {
            for f in fields {
                if let Some(field) = obj.get_mut(*f)
                    && let Some(parsed) = field.as_str().and_then(|s| serde_json::from_str(s).ok())
                {
                    *field = parsed;
                }
            }
        }
        _ => {}
    }
}

pub(crate) fn local_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| rfc3339.to_string())
}

impl Out {
    pub fn line(&self, text: &str) {
        if self.json {
            json_line!(json!({ "message": text }));
        } else if !self.quiet {
            println!("{text}");
        }
    }

    pub fn error(&self, f: &Failure) -> i32 {
        if let Some(code) = f.exit {
            return code;
        }
        let e = &f.error;
        self.emit_error(e.kind.name(), &e.message, e.hint.as_deref(), f.context.as_ref());
        e.kind.exit_code()
    }

    /// A usage error (unknown flag, missing argument): one line like any other error, exit 2.
    pub fn usage(&self, message: &str, hint: Option<&str>) -> i32 {
        self.emit_error("Usage", message, hint, None);
        USAGE_EXIT
    }

    fn emit_error(&self, kind: &str, message: &str, hint: Option<&str>, context: Option<&(&str, Value)>) {
        let shown = hint.map(|h| format!(" ({h})")).unwrap_or_default();
        eline!("error[{kind}]: {message}{shown}");
        if self.json {
            let mut doc = json!({ "error": { "kind": kind, "message": message, "hint": hint } });
            if let (Some((key, value)), Some(obj)) = (context, doc.as_object_mut()) {
                obj.insert((*key).to_string(), value.clone());
            }
            json_line!(doc);
        }
    }

    /// A new connection's card, after the notes on what normalising the input changed.
    pub fn connected(&self, c: &ConnectionCard, notices: &[String]) {
        if self.json {
            let mut v = serde_json::to_value(c).unwrap_or_default();
            if let Some(obj) = v.as_object_mut() {
                obj.insert("notices".into(), json!(notices));
            }
            json_line!(v);
        } else if !self.quiet {
            self.notes(notices);
            print_card(c);
        }
    }

    /// What `rebuild-cache` did: where the damaged file went, what was kept and what was lost.
    pub fn rebuilt(&self, r: &outpost::rebuild::RebuildReport) {
        if self.json {
            json_line!(json!({ "rebuilt": r }));
        } else if !self.quiet {
            println!("Moved the damaged database to {}.", visible(&r.moved_to));
            if r.connections.is_empty() {
                println!("No connection could be kept: connect again.");
            } else {
                let names: Vec<String> = r.connections.iter().map(|n| visible(n).into_owned()).collect();
                let what = if names.len() == 1 {
                    "1 connection".to_string()
                } else {
                    format!("{} connections", names.len())
                };
                println!("Kept {what} with their keys and settings: {}.", names.join(", "));
            }
            for lost in &r.lost {
                println!("note: could not keep {}", visible(lost));
            }
        }
    }

    pub fn exported(&self, what: &str, rows: usize, file: &std::path::Path) {
        if self.json {
            json_line!(json!({ "exported": what, "rows": rows, "out": file.display().to_string() }));
        } else if !self.quiet {
            println!("Wrote {rows} {what} to {}.", file.display());
        }
    }

    /// One `note:` line per normalisation notice (trimmed key, removed path, expanded name).
    pub fn notes(&self, notices: &[String]) {
        if !self.json && !self.quiet {
            for n in notices {
                println!("note: {n}");
            }
        }
    }

    /// The demo org's keys are public, well-known values (they open only the simulator), not secrets.
    pub fn demo(&self, d: &outpost::connections::DemoOrg) {
        if self.json {
            println!(
                "{}",
                json!({
                    "url": d.instance_url,
                    "access_key": d.access_key,
                    "client_id": d.client_id,
                    "client_secret": d.client_secret,
                    "px_api_key": d.px_api_key,
                    "px_region": "us",
                    "px_url": d.px_url,
                })
            );
        } else {
            println!("Demo Gainsight org at {}", d.instance_url);
            println!("CS Access Key:     {}", d.access_key);
            println!("CS M2M client id:  {}", d.client_id);
            println!("CS M2M secret:     {}", d.client_secret);
            println!("PX API key (US):   {}", d.px_api_key);
            println!("PX is served at {}: connect with --url {}.", d.px_url, d.px_url);
            println!("Press Ctrl-C to stop.");
        }
    }

    pub fn card(&self, c: &ConnectionCard) {
        if self.json {
            json_line!(serde_json::to_string(c).unwrap_or_default());
        } else if !self.quiet {
            print_card(c);
        }
    }

    pub fn cards(&self, cards: &[ConnectionCard]) {
        if self.json {
            json_line!(serde_json::to_string(cards).unwrap_or_default());
        } else if cards.is_empty() {
            if !self.quiet {
                println!(
                    "No connections yet. Add one with `outpost connect cs --name NAME --url URL --access-key-stdin` \
                     or `outpost connect px --name NAME --region auto --api-key-stdin`."
                );
            }
        } else if !self.quiet {
            for (i, c) in cards.iter().enumerate() {
                if i > 0 {
                    println!();
                }
                print_card(c);
            }
        }
    }

    pub fn report(&self, r: &TestReport) {
        if self.json {
            json_line!(serde_json::to_string(r).unwrap_or_default());
            return;
        }
        if self.quiet {
            return;
        }
        self.notes(&r.notices);
        if r.ok {
            println!(
                "Connection OK: reached {} with {}.",
                r.instance.as_deref().unwrap_or("?"),
                r.auth_mode.label()
            );
            if let Some(s) = &r.subscription {
                let products = if s.products.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", s.products.join(", "))
                };
                println!("PX subscription: {}{products}", s.name);
            }
        }
    }
}

fn print_card(c: &ConnectionCard) {
    let status = match c.status {
        outpost::connections::ConnectionStatus::Connected => "Connected".to_string(),
        outpost::connections::ConnectionStatus::Syncing => "Syncing".to_string(),
        outpost::connections::ConnectionStatus::Disconnected => "Disconnected".to_string(),
        outpost::connections::ConnectionStatus::Offline => {
            format!("Offline: {}", c.status_reason.as_deref().unwrap_or("Gainsight did not answer"))
        }
        outpost::connections::ConnectionStatus::NeedsAttention => {
            format!("Needs attention: {}", c.status_reason.as_deref().unwrap_or("see the app"))
        }
    };
    let kind = if c.kind == "cs" { "Gainsight CS" } else { "Gainsight PX" };
    println!("{} — {kind}", c.name);
    if let Some(d) = &c.description {
        println!("  Description   {d}");
    }
    println!("  Status        {status}");
    println!("  Connected by  {}", c.connected_by);
    println!("  Connected on  {}", local_time(&c.connected_on));
    println!("  Instance      {}", c.instance);
    match &c.client_id {
        Some(id) => println!("  Auth          {} client {id}, secret {}", c.auth_mode.label(), c.masked_key),
        None => println!("  Auth          {} {}", c.auth_mode.label(), c.masked_key),
    }
    println!(
        "  Last sync     {}",
        c.last_sync_at.as_deref().map(local_time).unwrap_or_else(|| "never".into())
    );
    println!(
        "  Next sync     {}",
        c.next_sync_at.as_deref().map(local_time).unwrap_or_else(|| "manual".into())
    );
}

pub(crate) fn money(v: Option<f64>) -> String {
    match v {
        // From 999,500 up "$1000k" would be the rounding: say millions.
        Some(x) if x >= 999_500.0 => format!("${:.1}M", x / 1_000_000.0),
        Some(x) if x >= 1_000.0 => format!("${:.0}k", x / 1_000.0),
        Some(x) => format!("${x:.0}"),
        None => "-".into(),
    }
}

pub(crate) fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

pub(crate) fn or_dash(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("-")
}

impl Out {
    /// One JSON document with `--json`; otherwise the human lines, unless `--quiet`.
    pub(crate) fn emit<T: Serialize>(&self, v: &T, human: impl FnOnce()) {
        self.json_or(v, human);
    }

    fn json_or<T: Serialize>(&self, v: &T, human: impl FnOnce()) {
        self.json_parsed_or(v, &[], human);
    }

    /// [`Out::json_or`], with the named JSON-text fields printed as JSON values.
    fn json_parsed_or<T: Serialize>(&self, v: &T, fields: &[&str], human: impl FnOnce()) {
        if self.json {
            let mut v = serde_json::to_value(v).unwrap_or_default();
            parse_json_text(&mut v, fields);
            json_line!(v);
        } else if !self.quiet {
            human();
        }
    }

    pub fn accounts(&self, rows: &[outpost::db::browse::AccountSummary]) {
        self.json_parsed_or(&rows, &["custom"], || {
            println!(
                "{:<36} {:>6} {:<8} {:>8} {:<10} {:>5}  {}",
                "ACCOUNT", "HEALTH", "BAND", "ARR", "RENEWAL", "CTAS", "CSM"
            );
            for a in rows {
                let c = &a.company;
                println!(
                    "{:<36} {:>6} {:<8} {:>8} {:<10} {:>5}  {}",
                    cut(&c.name, 36),
                    c.score.map(|s| format!("{s:.0}")).unwrap_or_else(|| "-".into()),
                    cut(or_dash(&c.score_label), 8),
                    money(c.arr),
                    or_dash(&c.renewal_date),
                    a.open_ctas,
                    or_dash(&c.csm_name)
                );
            }
            println!("{} accounts", rows.len());
        });
    }

    pub fn account(&self, a: &outpost::db::browse::AccountDetail) {
        if self.json {
            let mut v = serde_json::to_value(a).unwrap_or_default();
            if let Some(company) = v.get_mut("company") {
                parse_json_text(company, &["custom"]);
            }
            json_line!(v);
            return;
        }
        self.json_or(a, || {
            let c = &a.company;
            println!("{}  ({})", c.name, c.gsid);
            println!(
                "  Health {} {}   ARR {}   Renewal {}   CSM {}",
                c.score.map(|s| format!("{s:.0}")).unwrap_or_else(|| "-".into()),
                or_dash(&c.score_label),
                money(c.arr),
                or_dash(&c.renewal_date),
                or_dash(&c.csm_name)
            );
            for f in &a.custom_fields {
                println!(
                    "  {:<20} {}",
                    cut(&f.label, 20),
                    if f.value.is_empty() { "-" } else { f.value.as_str() }
                );
            }
            if !a.measures.is_empty() {
                println!();
                println!("  Scorecard");
                for m in &a.measures {
                    let s = m.score.map(|s| format!("{s:.0}")).unwrap_or_else(|| "-".into());
                    println!(
                        "    {:<20} {:>4} {:<8} {}",
                        cut(&m.measure, 20),
                        s,
                        or_dash(&m.label),
                        or_dash(&m.trend)
                    );
                }
            }
            if !a.history.is_empty() {
                let line: Vec<String> = a
                    .history
                    .iter()
                    .map(|h| h.score.map(|s| format!("{s:.0}")).unwrap_or_else(|| "-".into()))
                    .collect();
                println!();
                println!("  Weekly score ({} weeks, oldest first): {}", a.history.len(), line.join(" "));
            }
            let open: Vec<_> = a.ctas.iter().filter(|t| !t.is_closed).collect();
            println!();
            println!("  CTAs: {} open, {} closed", open.len(), a.ctas.len() - open.len());
            for t in open {
                println!(
                    "    {:<10} {:<9} due {:<10} {}",
                    or_dash(&t.r#type),
                    or_dash(&t.priority),
                    or_dash(&t.due_date),
                    cut(&t.name, 50)
                );
            }
            if let Some(px) = &a.px {
                println!(
                    "\n  PX: {} — health {}, NPS {}, {} users",
                    px.account_name,
                    px.health_score.map(|s| format!("{s:.0}")).unwrap_or_else(|| "-".into()),
                    px.nps.map(|s| format!("{s:.0}")).unwrap_or_else(|| "-".into()),
                    px.users.unwrap_or(0)
                );
                for f in &px.top_features {
                    println!(
                        "    {:<28} {:>6} events  {:>4} users (busiest day)",
                        cut(&f.feature, 28),
                        f.events,
                        f.users
                    );
                }
            }
            if let Some(u) = a.usage.last() {
                println!(
                    "\n  Usage (week of {}): {} active users, {} logins",
                    u.week,
                    u.active_users.unwrap_or(0),
                    u.logins.unwrap_or(0)
                );
            }
        });
    }

    pub fn ctas(&self, rows: &[outpost::db::browse::CtaListItem]) {
        self.json_or(&rows, || {
            println!(
                "{:<28} {:<10} {:<17} {:<8} {:<10} {}",
                "ACCOUNT", "TYPE", "STATUS", "PRIORITY", "DUE", "CTA"
            );
            for t in rows {
                let c = &t.cta;
                println!(
                    "{:<28} {:<10} {:<17} {:<8} {:<10} {}",
                    cut(or_dash(&t.company_name), 28),
                    cut(or_dash(&c.r#type), 10),
                    cut(or_dash(&c.status), 17),
                    or_dash(&c.priority),
                    or_dash(&c.due_date),
                    cut(&c.name, 60)
                );
            }
            println!("{} CTAs", rows.len());
        });
    }

    pub fn changes(&self, rows: &[outpost::db::changes::Change]) {
        self.json_parsed_or(&rows, &["detail"], || {
            for ch in rows {
                let what = match ch.kind.code() {
                    "band_changed" => {
                        let d: serde_json::Value = ch
                            .detail
                            .as_deref()
                            .and_then(|d| serde_json::from_str(d).ok())
                            .unwrap_or_default();
                        format!(
                            "health moved {} → {}",
                            d["from"].as_str().unwrap_or("?"),
                            d["to"].as_str().unwrap_or("?")
                        )
                    }
                    "cta_opened" => format!("CTA opened: {}", or_dash(&ch.subject)),
                    "cta_closed" => format!("CTA closed: {}", or_dash(&ch.subject)),
                    "company_added" => "account added".into(),
                    "company_removed" => "account removed".into(),
                    "px_account_added" => "PX account added".into(),
                    "px_account_removed" => "PX account removed".into(),
                    "px_health_changed" => {
                        let d: serde_json::Value = ch
                            .detail
                            .as_deref()
                            .and_then(|d| serde_json::from_str(d).ok())
                            .unwrap_or_default();
                        let score =
                            |v: &serde_json::Value| v.as_f64().map_or("none".into(), |s| format!("{s:.0}"));
                        format!("PX health score {} → {}", score(&d["from"]), score(&d["to"]))
                    }
                    other => other.to_string(),
                };
                let who = ch
                    .company_name
                    .as_deref()
                    .or(ch.subject.as_deref().filter(|_| names_account(ch.kind.code())));
                println!(
                    "run {:>4}  {:<16} {:<32} {}",
                    ch.run_id,
                    cut(&ch.connection, 16),
                    cut(who.unwrap_or("-"), 32),
                    what
                );
            }
            println!("{} changes", rows.len());
        });
    }

    pub fn history(&self, rows: &[outpost::db::runs::SyncRun]) {
        self.json_or(&rows, || {
            println!(
                "{:>5} {:<17} {:<11} {:>6} {:>8}  {}",
                "RUN", "STARTED", "OUTCOME", "CALLS", "RECORDS", "ERROR"
            );
            for r in rows {
                let counts = &r.counts;
                println!(
                    "{:>5} {:<17} {:<11} {:>6} {:>8}  {}",
                    r.id,
                    local_time(&r.started_at),
                    r.outcome,
                    r.calls,
                    counts.values().sum::<u64>(),
                    r.error_message.as_deref().unwrap_or("")
                );
            }
        });
    }

    /// A failed sync's summaries go inside the `--json` error object instead ([`Failure`]).
    pub fn sync_summaries(&self, rows: &[outpost::sync::SyncSummary], failed: bool) {
        if self.json && failed {
            return;
        }
        self.json_or(&rows, || {
            for s in rows {
                let total: u64 = s.counts.values().sum();
                println!(
                    "{}: {} — {total} records, {} deleted, {} calls (run {})",
                    s.connection,
                    outcome_words(s.outcome.code(), s.streams.iter().filter(|o| is_problem(o)).count()),
                    s.deleted,
                    s.calls,
                    s.run_id
                );
                for o in &s.streams {
                    println!("  {:<18} {}", o.stream, stream_words(o));
                }
                for n in &s.notices {
                    println!("  note: {n}");
                }
            }
        });
    }
}

fn is_problem(o: &outpost::sync::StreamOutcome) -> bool {
    use outpost::sync::StreamResult::{Failed, Skipped};
    matches!(o.outcome, Failed | Skipped)
}

/// "ok", or "partial (1 problem)".
fn outcome_words(outcome: &str, problems: usize) -> String {
    match problems {
        0 => outcome.to_string(),
        1 => format!("{outcome} (1 problem)"),
        n => format!("{outcome} ({n} problems)"),
    }
}

/// One stream's line: its outcome, records, and the error with its hint.
fn stream_words(o: &outpost::sync::StreamOutcome) -> String {
    let what = match &o.object {
        Some(obj) => format!(" from {obj}"),
        None => String::new(),
    };
    match (&o.error, o.outcome) {
        (Some(e), outcome) => {
            let hint = e.hint.as_deref().map(|h| format!(" ({h})")).unwrap_or_default();
            format!("{} — {}{hint}", outcome.name(), e.message)
        }
        (None, outpost::sync::StreamResult::Ok) => format!("ok — {} records{what}", o.records),
        (None, outcome) => outcome.name().to_string(),
    }
}

impl Out {
    pub fn settings(&self, s: &outpost::db::settings::SyncSettings) {
        self.json_or(s, || {
            let objects: Vec<&str> = s.objects.iter().map(|o| o.code()).collect();
            println!("  Objects            {}", objects.join(", "));
            println!("  Frequency          {}", s.frequency);
            println!("  CS calls a minute  {} of the org's 100", s.cs_calls_per_minute);
            println!("  CS calls a day     {}", outpost::budget::thousands(s.cs_calls_per_day));
            println!("  PX usage backfill  {} days", s.backfill_days);
            println!("  Scorecard objects  {}, {}", s.fact_object, s.history_object);
            println!("  Usage object       {}", s.usage_object);
            for (stream, roles) in &s.field_roles {
                for (role, field) in roles {
                    println!("  Field              {stream}.{role} = {field}");
                }
            }
        });
    }

    pub fn usage_candidates(&self, rows: &[outpost::doctor::UsageCandidate]) {
        self.json_or(&rows, || {
            if rows.is_empty() {
                println!("No custom object of this org has both a date field and a company lookup.");
            }
            for c in rows {
                println!("{} ({})", c.object, c.label);
                for m in &c.roles {
                    if let Some(f) = m.field.as_deref().filter(|_| m.role != "gsid") {
                        println!("  {:<16} {f}", m.label);
                    }
                }
            }
        });
    }

    /// `outpost doctor`: what Outpost found in the org, stream by stream.
    pub fn org_report(&self, r: &outpost::doctor::OrgReport) {
        self.json_or(r, || {
            println!("{} ({}, {}) — what Outpost found in this org", r.connection, r.kind, r.instance);
            for s in &r.streams {
                let state = if s.enabled { "" } else { "  [off in the sync settings]" };
                println!();
                println!("{} — {}{state}", s.label, s.object);
                if let Some(at) = &s.described_at {
                    println!(
                        "  described {} ({} fields)",
                        local_time(at),
                        s.fields_described.unwrap_or_default()
                    );
                } else if r.kind == "cs" && s.stream != "deletes" {
                    println!("  not described yet (the next sync describes it; `outpost doctor NAME --refresh` now)");
                }
                for m in &s.roles {
                    let field = match (&m.field, m.matched) {
                        (_, outpost::sync::roles::Matched::Missing) => "— missing in this org".to_string(),
                        (Some(f), outpost::sync::roles::Matched::Refused) => format!("{f} — refused by Gainsight"),
                        (Some(f), how) => {
                            let label = m.field_label.as_deref().map(|l| format!(" \"{l}\"")).unwrap_or_default();
                            format!("{f}{label} (by {})", match how {
                                outpost::sync::roles::Matched::Name => "name",
                                outpost::sync::roles::Matched::Label => "label",
                                outpost::sync::roles::Matched::Setting => "your setting",
                                _ => "the usual name, not described",
                            })
                        }
                        (None, _) => "—".to_string(),
                    };
                    let need = if m.needed { "*" } else { " " };
                    println!("  {need}{:<28} {field}", m.label);
                }
                for f in &s.mapped_missing {
                    println!("   mapped field {f} — not in this org");
                }
                println!("  {} rows in the cache", s.cached_rows);
                if let Some(last) = &s.last {
                    let words = stream_words(&outpost::sync::StreamOutcome {
                        stream: last.stream,
                        object: last.object.clone(),
                        outcome: last.outcome,
                        records: last.records,
                        error: last.error.clone(),
                        notices: Vec::new(),
                    });
                    println!("  last sync {} (run {}): {words}", local_time(&last.at), last.run_id);
                    for n in &last.notices {
                        println!("  note: {n}");
                    }
                } else {
                    println!("  never synced");
                }
            }
            println!();
            println!("* needed: without it the stream cannot be read.");
        });
    }

    pub fn fields(
        &self,
        offered: &[outpost::db::settings::FieldMapping],
        mapped: &[outpost::db::settings::FieldMapping],
    ) {
        self.json_or(&serde_json::json!({ "mapped": mapped, "offered": offered }), || {
            for f in offered {
                let on = mapped.iter().any(|m| m.field_name == f.field_name);
                println!(
                    "  [{}] {:<32} {:<28} {}",
                    if on { "x" } else { " " },
                    f.field_name,
                    cut(&f.label, 28),
                    f.data_type
                );
            }
        });
    }
}

/// Change kinds whose subject is the account itself (for the others it is a CTA's name).
fn names_account(kind: &str) -> bool {
    kind.starts_with("company") || kind.starts_with("px_")
}
