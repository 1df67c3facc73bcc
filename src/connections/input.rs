//! What the admin types into a connect form or the CLI. Input only: these types carry raw secrets,
//! so they are deserialised, never serialised, printed or sent back.

use crate::gainsight::px::PxRegion;
use serde::Deserialize;
use ts_rs::TS;

/// Any connection, CS or PX.
#[derive(Clone, Deserialize, TS)]
pub struct ConnectInput {
    /// Empty: the CS domain, or the PX subscription's name.
    pub name: String,
    pub description: Option<String>,
    pub kind: ConnectKind,
}

#[derive(Clone, Deserialize, TS)]
#[serde(tag = "product", rename_all = "snake_case")]
pub enum ConnectKind {
    Cs { instance_url: String, auth: CsAuthInput },
    Px { target: PxTarget, api_key: String },
}

#[derive(Clone, Deserialize, TS)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum CsAuthInput {
    AccessKey { key: String },
    M2m { client_id: String, client_secret: String },
}

/// Where a PX key is tried: one region, every region in turn, or an explicit base URL.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, TS)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum PxTarget {
    Region(PxRegion),
    Auto,
    Url(String),
}

/// What the admin typed into the CS Access Key form; kept for the desktop app's CS form.
#[derive(Clone, Deserialize, TS)]
pub struct CsConnectInput {
    pub name: String,
    pub description: Option<String>,
    pub instance_url: String,
    pub access_key: String,
}

impl From<&CsConnectInput> for ConnectInput {
    fn from(i: &CsConnectInput) -> Self {
        ConnectInput {
            name: i.name.clone(),
            description: i.description.clone(),
            kind: ConnectKind::Cs {
                instance_url: i.instance_url.clone(),
                auth: CsAuthInput::AccessKey { key: i.access_key.clone() },
            },
        }
    }
}

impl ConnectKind {
    /// The label of the auth mode, known before anything is checked.
    pub fn auth_mode(&self) -> crate::model::AuthMode {
        use crate::model::AuthMode;
        match self {
            ConnectKind::Cs { auth: CsAuthInput::AccessKey { .. }, .. } => AuthMode::AccessKey,
            ConnectKind::Cs { auth: CsAuthInput::M2m { .. }, .. } => AuthMode::M2m,
            ConnectKind::Px { .. } => AuthMode::ApiKey,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ui_shape_deserialises() {
        let px: ConnectInput = serde_json::from_str(
            r#"{"name":"","description":null,"kind":{"product":"px","target":{"type":"region","value":"eu"},"api_key":"k"}}"#,
        )
        .expect("px input");
        assert!(matches!(px.kind, ConnectKind::Px { target: PxTarget::Region(PxRegion::Eu), .. }));
        let auto: PxTarget = serde_json::from_str(r#"{"type":"auto"}"#).expect("auto");
        assert_eq!(auto, PxTarget::Auto);
        let m2m: ConnectKind = serde_json::from_str(
            r#"{"product":"cs","instance_url":"acme","auth":{"mode":"m2m","client_id":"i","client_secret":"s"}}"#,
        )
        .expect("m2m input");
        assert_eq!(m2m.auth_mode().label(), "M2M OAuth");
    }
}
