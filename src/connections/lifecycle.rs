//! The connection lifecycle on [`Outpost`]: test, connect, test again, rotate the key, edit who
//! connected it, disconnect. Every key is tested before it is stored, and stored only in the vault.

use super::TestReport;
use super::card::{ConnectionCard, ConnectionStatus, region_code};
use super::input::{ConnectInput, CsConnectInput};
use super::prepare::{Prepared, prepare, prepare_saved, secret_name};
use crate::db::connections::{self as rows, ConnectionRow};
use crate::error::{Error, ErrorKind, Result};
use crate::gainsight::normalize_key;
use crate::gainsight::px::PxEndpoints;
use crate::outpost::{Outpost, os_user_full_name};

/// The reason shown on a card whose key Gainsight rejected (the sync engine uses the same words).
pub const KEY_REJECTED: &str = "key rejected";

/// A name or description Outpost stores and prints: refused when it holds control or
/// direction-changing characters (they could rewrite the terminal or reorder a line).
fn one_line(what: &str, text: &str) -> Result<()> {
    if text.chars().any(is_unprintable) {
        return Err(Error::new(ErrorKind::InvalidInput, format!("{what} contains control characters."))
            .with_hint("Use plain text on one line."));
    }
    Ok(())
}

fn is_unprintable(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A name from Gainsight made printable: unprintable characters become spaces.
fn printable(text: &str) -> String {
    let cleaned: String = text.chars().map(|c| if is_unprintable(c) { ' ' } else { c }).collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if cleaned.is_empty() { "PX".to_string() } else { cleaned }
}

fn clean_description(d: Option<&str>) -> Option<String> {
    d.map(str::trim).filter(|d| !d.is_empty()).map(str::to_string)
}

impl Outpost {
    /// The explaining connection test for any input: one classified outcome. Never saves anything.
    pub async fn test_connection(&self, input: &ConnectInput) -> TestReport {
        let label = input.kind.auth_mode();
        let endpoints = &self.px_endpoints;
        self.report(prepare(&input.kind, endpoints), label, endpoints).await
    }

    /// [`Outpost::test_connection`] for the CS Access Key form.
    pub async fn test_cs(&self, input: &CsConnectInput) -> TestReport {
        self.test_connection(&input.into()).await
    }

    async fn report(
        &self,
        prepared: Result<Prepared>,
        auth_mode: crate::model::AuthMode,
        endpoints: &PxEndpoints,
    ) -> TestReport {
        let mut report = TestReport {
            ok: false,
            instance_url: None,
            instance: None,
            auth_mode,
            notices: Vec::new(),
            error: None,
            region: None,
            subscription: None,
        };
        let p = match prepared {
            Ok(p) => p,
            Err(e) => {
                report.error = Some(e.payload());
                return report;
            }
        };
        report.notices = p.notices.clone();
        if let Some((url, region)) = p.planned(endpoints) {
            report.instance = Some(super::card::display_instance(&url, region));
            report.instance_url = Some(url);
            report.region = region;
        }
        match p.verify(endpoints, self.dns_probe).await {
            Ok(v) => {
                report.ok = true;
                report.instance = Some(v.instance());
                report.instance_url = Some(v.instance_url);
                report.region = v.region;
                report.subscription = v.subscription;
            }
            Err(e) => report.error = Some(e.payload()),
        }
        report
    }

    fn ensure_name_free(&self, name: &str) -> Result<()> {
        if rows::name_taken(&*self.db()?, name)? {
            return Err(Error::new(
                ErrorKind::Conflict,
                format!("A connection named \"{name}\" already exists."),
            )
            .with_hint("Pick another name, or disconnect the existing one first."));
        }
        Ok(())
    }

    /// Normalise, test, and only when the test passes store the secret in the keychain and the
    /// rest in SQLite. An empty name becomes the CS domain or the PX subscription's name. A
    /// connection to the running demo org is marked as one, so it can be revived after a restart.
    pub async fn connect(&self, input: &ConnectInput) -> Result<ConnectionCard> {
        let endpoints = &self.px_endpoints;
        let p = prepare(&input.kind, endpoints)?;
        let given = input.name.trim();
        if !given.is_empty() {
            one_line("The connection name", given)?;
            self.ensure_name_free(given)?;
        }
        if let Some(d) = input.description.as_deref() {
            one_line("The description", d)?;
        }
        let v = p.verify(endpoints, self.dns_probe).await?;
        let name = match (given, &v.subscription) {
            // Outpost picks this one: whatever the subscription's name holds, the stored one is printable.
            ("", Some(sub)) => printable(&sub.name),
            ("", None) => v.instance(),
            (n, _) => n.to_string(),
        };
        if given.is_empty() {
            self.ensure_name_free(&name)?;
        }
        let is_demo = self.is_demo_url(&v.instance_url).await;
        let row = ConnectionRow {
            id: uuid::Uuid::new_v4().to_string(),
            kind: p.kind(),
            name,
            description: clean_description(input.description.as_deref()),
            instance_url: v.instance_url.clone(),
            auth_mode: p.auth_mode(),
            client_id: p.client_id(),
            key_hint: p.secret.hint(),
            connected_by: os_user_full_name(),
            connected_on: self.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            status: "connected".into(),
            status_reason: None,
            is_demo,
            last_sync_at: None,
            next_sync_at: None,
            region: v.region.map(region_code),
        };
        let (id, key) = (row.id.clone(), p.secret.clone());
        self.with_vault(move |vault| vault.save(&id, &key)).await?;
        let inserted = self.db().and_then(|db| rows::insert(&db, &row));
        if let Err(e) = inserted {
            let id = row.id.clone();
            let _ = self.with_vault(move |vault| vault.delete(&id)).await;
            return Err(e);
        }
        Ok(row.into())
    }

    /// [`Outpost::connect`] for the CS Access Key form.
    pub async fn connect_cs(&self, input: &CsConnectInput) -> Result<ConnectionCard> {
        self.connect(&input.into()).await
    }

    pub fn connection_cards(&self) -> Result<Vec<ConnectionCard>> {
        let list = rows::list(&*self.db()?)?;
        list.into_iter().map(|r| self.card_of(r)).collect()
    }

    /// A stored connection as its card: Syncing while a sync holds it (the stored status never
    /// says so), and a run a killed process left "running" settled as interrupted.
    fn card_of(&self, row: ConnectionRow) -> Result<ConnectionCard> {
        self.settle_stale_runs(&row.id)?;
        let mut card = ConnectionCard::from(row);
        if card.status != ConnectionStatus::Disconnected && self.is_syncing(&card.id) {
            card.status = ConnectionStatus::Syncing;
        }
        self.with_last_run(card)
    }

    /// The card with how its last finished sync ended.
    fn with_last_run(&self, mut card: ConnectionCard) -> Result<ConnectionCard> {
        if let Some(run) = crate::db::runs::last_finished_run(&*self.db()?, &card.id)? {
            card.last_problems = run
                .streams
                .into_iter()
                .filter(|o| {
                    matches!(
                        o.outcome,
                        crate::db::org::StreamResult::Failed | crate::db::org::StreamResult::Skipped
                    )
                })
                .collect();
            card.last_outcome = Some(run.outcome);
        }
        Ok(card)
    }

    fn row(&self, id_or_name: &str) -> Result<ConnectionRow> {
        rows::get(&*self.db()?, id_or_name)?
            .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("No connection named \"{id_or_name}\".")))
    }

    pub fn connection(&self, id_or_name: &str) -> Result<ConnectionCard> {
        self.card_of(self.row(id_or_name)?)
    }

    /// Tests a saved connection with the secret from the keychain. A rejected key marks the card
    /// Needs attention ("key rejected"); a passing test clears that again.
    pub async fn test_saved(&self, id_or_name: &str) -> Result<TestReport> {
        let row = self.row(id_or_name)?;
        let id = row.id.clone();
        let secret = self.with_vault(move |v| v.load(&id)).await?;
        let label = row.auth_mode;
        let report = self.report(prepare_saved(&row, secret), label, &self.px_endpoints).await;
        match &report.error {
            Some(e) if e.kind == ErrorKind::InvalidKey => {
                rows::set_status(&*self.db()?, &row.id, "needs_attention", Some(KEY_REJECTED))?
            }
            Some(e) if e.kind.is_unanswered() => self.note_unanswered(&row.id, &e.message)?,
            None if matches!(row.status.as_str(), "needs_attention" | "offline") => {
                rows::set_status(&*self.db()?, &row.id, "connected", None)?
            }
            _ => {}
        }
        Ok(report)
    }

    /// Gainsight did not answer a test or a sync of this connection: its card says Offline, with
    /// why. A card that needs attention (or is disconnected) keeps saying so: that is still the
    /// thing to fix, and only an answer from Gainsight can show it fixed.
    pub(crate) fn note_unanswered(&self, id: &str, message: &str) -> Result<()> {
        let db = self.db()?;
        let Some(row) = rows::get(&db, id)? else { return Ok(()) };
        if matches!(row.status.as_str(), "connected" | "offline" | "syncing") {
            rows::set_status(&db, id, "offline", Some(message))?;
        }
        Ok(())
    }

    /// Replaces a connection's key (CS Access Key, M2M client secret or PX API key). The new one is
    /// tested against the saved instance first; only when it passes does it replace the old one in
    /// the keychain, and the card is Connected again. A failing key changes nothing. On a
    /// Disconnected connection (no key in the keychain) this is the reconnect.
    pub async fn rotate(&self, id_or_name: &str, new_secret: &str) -> Result<ConnectionCard> {
        let row = self.row(id_or_name)?;
        let key = normalize_key(new_secret, secret_name(&row))?.key;
        prepare_saved(&row, key.clone())?.verify(&self.px_endpoints, self.dns_probe).await?;
        let id = row.id.clone();
        let old = self.with_vault(move |v| v.load(&id)).await.ok();
        let (id, new) = (row.id.clone(), key.clone());
        self.with_vault(move |v| v.save(&id, &new)).await?;
        let updated = self.db().and_then(|db| rows::set_key_hint_connected(&db, &row.id, &key.hint()));
        if let Err(e) = updated {
            // Keep the keychain and the mask in step: put the old key back.
            let id = row.id.clone();
            let _ = self
                .with_vault(move |v| match old {
                    Some(old) => v.save(&id, &old),
                    None => v.delete(&id),
                })
                .await;
            return Err(e);
        }
        // A reconnected (or repaired) connection is back on its schedule from now.
        self.update_next_sync(&row.id, self.now())?;
        self.connection(&row.id)
    }

    /// Who the card says connected it (defaults to the OS account's full name).
    pub fn set_connected_by(&self, id_or_name: &str, name: &str) -> Result<ConnectionCard> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(is_unprintable) {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "Connected by must be a name of 1 to 200 characters on one line.",
            ));
        }
        let row = self.row(id_or_name)?;
        rows::set_connected_by(&*self.db()?, &row.id, name)?;
        self.connection(&row.id)
    }

    /// Removes the key from the keychain. The cached data stays browsable (the connection shows as
    /// Disconnected) unless `purge`, which deletes the connection and everything cached under it.
    /// Refused while a sync of the connection runs (in this process or another).
    pub async fn disconnect(&self, id_or_name: &str, purge: bool) -> Result<ConnectionCard> {
        let card = self.connection(id_or_name)?;
        let _no_sync = self.lock_out_syncs(&card)?;
        let id = card.id.clone();
        self.with_vault(move |v| v.delete(&id)).await?;
        let db = self.db()?;
        if purge {
            rows::delete(&db, &card.id)?;
            return Ok(ConnectionCard { status: ConnectionStatus::Disconnected, ..card });
        }
        rows::set_status(&db, &card.id, "disconnected", None)?;
        crate::db::connections::set_next_sync(&db, &card.id, None)?;
        drop(db);
        self.connection(&card.id)
    }

    /// Holds the lock file that a sync of this connection holds while it runs (the sync engine's
    /// `sync_lock`: `locks/sync-{id}.lock`), so that no sync starts meanwhile. A sync that was
    /// already running would finish by marking the card Connected again, without a key.
    fn lock_out_syncs(&self, card: &ConnectionCard) -> Result<std::fs::File> {
        self.try_sync_lock(&card.id)?.ok_or_else(|| {
            Error::new(ErrorKind::Conflict, format!("{} is syncing now.", card.name))
                .with_hint("Cancel the sync or let it finish, then disconnect.")
        })
    }
}
