//! Human and `--json` output. Errors go to stderr as `error[Kind]: message (hint)`.

use crate::connections::{ConnectionCard, TestReport};
use crate::error::Error;
use serde_json::json;

pub struct Out {
    pub json: bool,
    pub quiet: bool,
}

fn local_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}

impl Out {
    pub fn line(&self, text: &str) {
        if self.json {
            println!("{}", json!({ "message": text }));
        } else if !self.quiet {
            println!("{text}");
        }
    }

    pub fn error(&self, e: &Error) -> i32 {
        let hint = e.hint.as_deref().map(|h| format!(" ({h})")).unwrap_or_default();
        eprintln!("error[{}]: {}{hint}", e.kind.name(), e.message);
        if self.json {
            println!(
                "{}",
                json!({ "error": { "kind": e.kind, "message": e.message, "hint": e.hint } })
            );
        }
        e.kind.exit_code()
    }

    pub fn demo(&self, url: &str, key: &str) {
        if self.json {
            println!("{}", json!({ "url": url, "access_key": key }));
        } else {
            println!("Demo Gainsight org at {url}\nAccess Key: {key}\nPress Ctrl-C to stop.");
        }
    }

    pub fn card(&self, c: &ConnectionCard) {
        if self.json {
            println!("{}", serde_json::to_string(c).unwrap_or_default());
        } else if !self.quiet {
            print_card(c);
        }
    }

    pub fn cards(&self, cards: &[ConnectionCard]) {
        if self.json {
            println!("{}", serde_json::to_string(cards).unwrap_or_default());
        } else if cards.is_empty() {
            if !self.quiet {
                println!(
                    "No connections yet. Add one with `outpost connect cs --name NAME --url URL --access-key-stdin`."
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
            println!("{}", serde_json::to_string(r).unwrap_or_default());
            return;
        }
        if self.quiet {
            return;
        }
        for n in &r.notices {
            println!("note: {n}");
        }
        if r.ok {
            println!(
                "Connection OK: reached {} with {}.",
                r.instance.as_deref().unwrap_or("?"),
                r.auth_mode
            );
        }
    }
}

fn print_card(c: &ConnectionCard) {
    let status = match c.status {
        crate::connections::ConnectionStatus::Connected => "Connected".to_string(),
        crate::connections::ConnectionStatus::Syncing => "Syncing".to_string(),
        crate::connections::ConnectionStatus::Disconnected => "Disconnected".to_string(),
        crate::connections::ConnectionStatus::NeedsAttention => {
            format!(
                "Needs attention: {}",
                c.status_reason.as_deref().unwrap_or("see the app")
            )
        }
    };
    let kind = if c.kind == "cs" {
        "Gainsight CS"
    } else {
        "Gainsight PX"
    };
    println!("{} — {kind}", c.name);
    println!("  Status        {status}");
    println!("  Connected by  {}", c.connected_by);
    println!("  Connected on  {}", local_time(&c.connected_on));
    println!("  Instance      {}", c.instance);
    println!("  Auth          {} {}", c.auth_mode, c.masked_key);
    println!(
        "  Last sync     {}",
        c.last_sync_at
            .as_deref()
            .map(local_time)
            .unwrap_or_else(|| "never".into())
    );
}
