//! Connections: test, save, list as Connected cards, disconnect. Secrets go to the vault; the rest
//! to SQLite. The only key material that ever leaves this module is a mask such as `••••3f9a`.

use crate::app::{Outpost, os_user_full_name};
use crate::db::connections::{self as rows, ConnectionRow};
use crate::error::{Error, ErrorKind, ErrorPayload, Result};
use crate::gainsight::http::Timeouts;
use crate::gainsight::{CsAuth, CsClient, InstanceUrl, normalize_instance_url, normalize_key};
use crate::secret::{Secret, mask_hint};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the admin typed into the CS form. The key is input only: this type is never sent back.
#[derive(Clone, Deserialize, TS)]
pub struct CsConnectInput {
    pub name: String,
    pub description: Option<String>,
    pub instance_url: String,
    pub access_key: String,
}

#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct TestReport {
    pub ok: bool,
    /// The normalised base URL that was tested, when the input could be normalised.
    pub instance_url: Option<String>,
    pub instance: Option<String>,
    pub auth_mode: String,
    /// What was changed in the input (trimmed key, removed path, expanded tenant name).
    pub notices: Vec<String>,
    pub error: Option<ErrorPayload>,
}

#[derive(Clone, Copy, Debug, Serialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    Connected,
    Syncing,
    NeedsAttention,
    Disconnected,
}

/// The Connected card: everything the UI and `outpost connections` show about a connection.
#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct ConnectionCard {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub description: Option<String>,
    pub status: ConnectionStatus,
    pub status_reason: Option<String>,
    pub connected_by: String,
    /// RFC 3339, UTC; shown in local time.
    pub connected_on: String,
    /// The domain (CS) or region (PX).
    pub instance: String,
    pub instance_url: String,
    pub auth_mode: String,
    pub masked_key: String,
    pub is_demo: bool,
    pub last_sync_at: Option<String>,
    pub next_sync_at: Option<String>,
}

impl From<ConnectionRow> for ConnectionCard {
    fn from(r: ConnectionRow) -> Self {
        let instance = url::Url::parse(&r.instance_url)
            .ok()
            .map(|u| match (u.host_str(), u.port()) {
                (Some(h), Some(p)) => format!("{h}:{p}"),
                (Some(h), None) => h.to_string(),
                _ => r.instance_url.clone(),
            })
            .unwrap_or_else(|| r.instance_url.clone());
        let status = match r.status.as_str() {
            "syncing" => ConnectionStatus::Syncing,
            "needs_attention" => ConnectionStatus::NeedsAttention,
            "disconnected" => ConnectionStatus::Disconnected,
            _ => ConnectionStatus::Connected,
        };
        ConnectionCard {
            id: r.id,
            kind: r.kind,
            name: r.name,
            description: r.description,
            status,
            status_reason: r.status_reason,
            connected_by: r.connected_by,
            connected_on: r.connected_on,
            instance,
            instance_url: r.instance_url,
            auth_mode: match r.auth_mode.as_str() {
                "access_key" => "Access Key".to_string(),
                other => other.to_string(),
            },
            masked_key: mask_hint(&r.key_hint),
            is_demo: r.is_demo,
            last_sync_at: r.last_sync_at,
            next_sync_at: r.next_sync_at,
        }
    }
}

/// Input checked and normalised, ready to test or save.
struct CsPrepared {
    url: InstanceUrl,
    key: Secret,
    notices: Vec<String>,
}

fn prepare_cs(input: &CsConnectInput) -> Result<CsPrepared> {
    let url = normalize_instance_url(&input.instance_url)?;
    let key = normalize_key(&input.access_key, "Access Key")?;
    let mut notices = url.notices.clone();
    notices.extend(key.notice);
    Ok(CsPrepared { url, key: key.key, notices })
}

async fn test_prepared(p: &CsPrepared) -> Result<()> {
    let client = CsClient::new(p.url.clone(), CsAuth::AccessKey(p.key.clone()), Timeouts::default())?;
    client.test_connection().await.map_err(Error::from)
}

impl Outpost {
    /// The explaining connection test: one call, one classified outcome. Never saves anything.
    pub async fn test_cs(&self, input: &CsConnectInput) -> TestReport {
        let mut report = TestReport {
            ok: false,
            instance_url: None,
            instance: None,
            auth_mode: "Access Key".into(),
            notices: Vec::new(),
            error: None,
        };
        match prepare_cs(input) {
            Err(e) => report.error = Some(e.payload()),
            Ok(p) => {
                report.instance_url = Some(p.url.as_str().to_string());
                report.instance = Some(p.url.domain());
                report.notices = p.notices.clone();
                match test_prepared(&p).await {
                    Ok(()) => report.ok = true,
                    Err(e) => report.error = Some(e.payload()),
                }
            }
        }
        report
    }

    /// Normalise, test, and only when the test passes store the key in the keychain and the rest in SQLite.
    pub async fn connect_cs(&self, input: &CsConnectInput, is_demo: bool) -> Result<ConnectionCard> {
        let p = prepare_cs(input)?;
        let name = match input.name.trim() {
            "" => p.url.domain(),
            n => n.to_string(),
        };
        if rows::name_taken(&*self.db()?, &name)? {
            return Err(Error::new(
                ErrorKind::Conflict,
                format!("A connection named \"{name}\" already exists."),
            )
            .with_hint("Pick another name, or disconnect the existing one first."));
        }
        test_prepared(&p).await?;
        let row = ConnectionRow {
            id: uuid::Uuid::new_v4().to_string(),
            kind: "cs".into(),
            name,
            description: input
                .description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_string),
            instance_url: p.url.as_str().to_string(),
            auth_mode: "access_key".into(),
            client_id: None,
            key_hint: p.key.hint(),
            connected_by: os_user_full_name(),
            connected_on: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            status: "connected".into(),
            status_reason: None,
            is_demo,
            last_sync_at: None,
            next_sync_at: None,
        };
        let (id, key) = (row.id.clone(), p.key.clone());
        self.with_vault(move |v| v.save(&id, &key)).await?;
        let inserted = self.db().and_then(|db| rows::insert(&db, &row));
        if let Err(e) = inserted {
            let id = row.id.clone();
            let _ = self.with_vault(move |v| v.delete(&id)).await;
            return Err(e);
        }
        Ok(row.into())
    }

    pub fn connection_cards(&self) -> Result<Vec<ConnectionCard>> {
        Ok(rows::list(&*self.db()?)?.into_iter().map(ConnectionCard::from).collect())
    }

    pub fn connection(&self, id_or_name: &str) -> Result<ConnectionCard> {
        rows::get(&*self.db()?, id_or_name)?
            .map(ConnectionCard::from)
            .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("No connection named \"{id_or_name}\".")))
    }

    /// Tests a saved connection with the key from the keychain.
    pub async fn test_saved(&self, id_or_name: &str) -> Result<TestReport> {
        let card = self.connection(id_or_name)?;
        let id = card.id.clone();
        let key = self.with_vault(move |v| v.load(&id)).await?;
        let input = CsConnectInput {
            name: card.name,
            description: card.description,
            instance_url: card.instance_url,
            access_key: key.expose().to_string(),
        };
        Ok(self.test_cs(&input).await)
    }

    /// Points a demo connection at the simulator's new address after an app restart.
    pub fn set_instance_url(&self, id: &str, url: &str) -> Result<()> {
        rows::update_instance_url(&*self.db()?, id, url)
    }

    /// Removes the key from the keychain. The cached data stays browsable (the connection shows as
    /// Disconnected) unless `purge`, which deletes the connection and everything cached under it.
    pub async fn disconnect(&self, id_or_name: &str, purge: bool) -> Result<ConnectionCard> {
        let card = self.connection(id_or_name)?;
        let id = card.id.clone();
        self.with_vault(move |v| v.delete(&id)).await?;
        let db = self.db()?;
        if purge {
            rows::delete(&db, &card.id)?;
            return Ok(ConnectionCard { status: ConnectionStatus::Disconnected, ..card });
        }
        rows::set_status(&db, &card.id, "disconnected", None)?;
        drop(db);
        self.connection(&card.id)
    }
}

/// The built-in demo org's address and its public, well-known Access Key.
#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct DemoOrg {
    pub instance_url: String,
    pub access_key: String,
}
