//! Picklist labels. Gainsight sends dropdown and multi-select values as item ids
//! (`1I0054U9FAKXZ0H26HO92M3F1G5SPWVQDNF3`); describe lists each field's items with their labels.
//! The cache keeps the ids; everything shown or filtered goes through [`Labels`], and an id with
//! no known label is shown as itself, never blank.

use super::companies::CompanyRow;
use super::ctas::CtaRow;
use super::db_err;
use crate::error::Result;
use rusqlite::{Connection, params};
use serde_json::Value;
use std::collections::HashMap;

/// One item of a picklist as describe listed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PicklistItem {
    /// `object.Field` it was listed under.
    pub source: String,
    pub id: String,
    pub label: String,
}

/// Keeps the labels of one described object's picklist items, replacing what the object listed
/// before (items since removed from the org keep their last label: old rows may still hold them).
pub fn put_labels(conn: &Connection, cid: &str, items: &[PicklistItem]) -> Result<()> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO picklist_labels (connection_id, item_id, label, source) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (connection_id, item_id) DO UPDATE SET label = excluded.label, source = excluded.source",
        )
        .map_err(db_err)?;
    for i in items {
        stmt.execute(params![cid, i.id, i.label, i.source]).map_err(db_err)?;
    }
    Ok(())
}

/// The source of labels read from the org's picklist object rather than a describe.
pub const PICKLIST_OBJECT: &str = "da_picklist";

/// Whether labels were learned from `object`'s describe, or from the org's picklist object.
pub fn has_labels_from(conn: &Connection, cid: &str, object: &str) -> Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM picklist_labels WHERE connection_id = ?1
            AND (source LIKE ?2 || '.%' ESCAPE '\\' OR source = 'da_picklist'))",
        params![cid, object.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")],
        |r| r.get(0),
    )
    .map_err(db_err)
}

/// Every known label, by connection and item id.
#[derive(Clone, Debug, Default)]
pub struct Labels {
    by_id: HashMap<String, HashMap<String, String>>,
}

impl Labels {
    pub fn load(conn: &Connection) -> Result<Labels> {
        let mut stmt =
            conn.prepare("SELECT connection_id, item_id, label FROM picklist_labels").map_err(db_err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
            .map_err(db_err)?;
        let mut by_id: HashMap<String, HashMap<String, String>> = HashMap::new();
        for row in rows {
            let (cid, id, label) = row.map_err(db_err)?;
            by_id.entry(cid).or_default().insert(id, label);
        }
        Ok(Labels { by_id })
    }

    fn one(&self, cid: &str, id: &str) -> Option<&str> {
        self.by_id.get(cid).and_then(|m| m.get(id.trim())).map(String::as_str)
    }

    /// The label of a value: one item id, or a multi-select's `;`-separated ids (labels joined
    /// with "; "). Text that names no known item comes back unchanged.
    pub fn text(&self, cid: &str, raw: &str) -> String {
        if let Some(l) = self.one(cid, raw) {
            return l.to_string();
        }
        if raw.contains(';') {
            let parts: Vec<&str> = raw.split(';').map(str::trim).filter(|p| !p.is_empty()).collect();
            if parts.iter().any(|p| self.one(cid, p).is_some()) {
                return parts.iter().map(|p| self.one(cid, p).unwrap_or(p)).collect::<Vec<_>>().join("; ");
            }
        }
        raw.to_string()
    }

    pub fn opt(&self, cid: &str, raw: Option<String>) -> Option<String> {
        raw.map(|r| self.text(cid, &r))
    }

    /// A JSON value as text with labels: strings and arrays of item ids; numbers and flags as
    /// JSON; null as empty.
    pub fn value(&self, cid: &str, v: &Value) -> String {
        match v {
            Value::Null => String::new(),
            Value::String(s) => self.text(cid, s),
            Value::Array(items) => items.iter().map(|i| self.value(cid, i)).collect::<Vec<_>>().join("; "),
            other => other.to_string(),
        }
    }

    /// The item ids of connection `cid` whose label is `label` (ASCII case folded, as SQLite's
    /// `NOCASE`).
    pub fn ids_labelled<'a>(&'a self, cid: &str, label: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.by_id
            .get(cid)
            .into_iter()
            .flatten()
            .filter(move |(_, l)| l.eq_ignore_ascii_case(label))
            .map(|(id, _)| id.as_str())
    }

    /// A value's label under whichever connection knows it (facets count across connections).
    pub fn any(&self, raw: &str) -> String {
        self.by_id.keys().map(|cid| self.text(cid, raw)).find(|l| l != raw).unwrap_or_else(|| raw.to_string())
    }

    /// A company row for display: its picklist columns and mapped fields as labels.
    pub fn company(&self, cid: &str, c: &mut CompanyRow) {
        for v in [&mut c.industry, &mut c.stage, &mut c.status, &mut c.managed_as] {
            *v = self.opt(cid, v.take());
        }
        c.custom = self.custom(cid, &c.custom);
    }

    /// A CTA row for display: status, priority, type and reason as labels.
    pub fn cta(&self, cid: &str, t: &mut CtaRow) {
        for v in [&mut t.status, &mut t.priority, &mut t.r#type, &mut t.reason] {
            *v = self.opt(cid, v.take());
        }
    }

    /// A company's `custom` JSON with its picklist values replaced by their labels (for display:
    /// the cache keeps the ids).
    pub fn custom(&self, cid: &str, custom: &str) -> String {
        let Ok(Value::Object(map)) = serde_json::from_str::<Value>(custom) else { return custom.to_string() };
        let out: serde_json::Map<String, Value> = map
            .into_iter()
            .map(|(k, v)| {
                let v = match &v {
                    Value::String(_) | Value::Array(_) => Value::String(self.value(cid, &v)),
                    _ => v,
                };
                (k, v)
            })
            .collect();
        Value::Object(out).to_string()
    }
}

/// A picklist item's fields in describe's `options[]`, under the names orgs use for them.
const LABEL_KEYS: [&str; 4] = ["label", "name", "displayName", "Name"];
const ID_KEYS: [&str; 6] = ["value", "gsid", "Gsid", "id", "itemId", "key"];

/// The picklist items of a describe reply (`data[0].fields` or `data.fields`): each field's
/// `options`, `meta.options` or `picklistValues`, items as `{label, value}`, `{name, gsid}`,
/// `{displayName, id}` and the like. Items whose id is their label tell nothing and are left out.
pub fn parse_options(object: &str, data: &Value) -> Vec<PicklistItem> {
    let described = match data {
        Value::Array(items) => items.first(),
        other => Some(other),
    };
    let fields = described.and_then(|o| o.get("fields")).and_then(Value::as_array);
    let mut out = Vec::new();
    for f in fields.into_iter().flatten() {
        let Some(name) = f.get("fieldName").and_then(Value::as_str) else { continue };
        let options = ["/options", "/meta/options", "/picklistValues", "/meta/picklistValues"]
            .iter()
            .find_map(|p| f.pointer(p).and_then(Value::as_array).filter(|a| !a.is_empty()));
        for o in options.into_iter().flatten() {
            let pick = |keys: &[&str]| {
                keys.iter()
                    .find_map(|k| o.get(*k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()))
            };
            let (Some(id), Some(label)) = (pick(&ID_KEYS), pick(&LABEL_KEYS)) else { continue };
            if id != label {
                out.push(PicklistItem {
                    source: format!("{object}.{name}"),
                    id: id.into(),
                    label: label.into(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn describe_options_are_read_in_every_shape() {
        let data = json!([{"fields": [
            {"fieldName": "Stage", "options": [{"label": "Launched", "value": "1I00A"}, {"label": "Kick Off", "value": "1I00B", "active": false}]},
            {"fieldName": "Products__gc", "meta": {"options": [{"name": "Analytics", "gsid": "1I00C"}]}},
            {"fieldName": "Tier__gc", "picklistValues": [{"displayName": "Gold", "id": "1I00D"}]},
            {"fieldName": "Plain__gc", "options": [{"label": "Same", "value": "Same"}, "bare"]},
            {"fieldName": "Name", "options": []},
        ]}]);
        let got: Vec<(String, String, String)> =
            parse_options("company", &data).into_iter().map(|i| (i.source, i.id, i.label)).collect();
        let want = [
            ("company.Stage", "1I00A", "Launched"),
            ("company.Stage", "1I00B", "Kick Off"),
            ("company.Products__gc", "1I00C", "Analytics"),
            ("company.Tier__gc", "1I00D", "Gold"),
        ];
        let want: Vec<(String, String, String)> =
            want.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
        assert_eq!(got, want);
        let flat =
            json!({"fields": [{"fieldName": "Stage", "options": [{"label": "Adopting", "value": "1I00E"}]}]});
        assert_eq!(
            parse_options("company", &flat).len(),
            1,
            "data.fields is accepted as well as data[0].fields"
        );
    }

    #[test]
    fn values_show_their_labels_and_unknown_ids_show_themselves() {
        let conn = crate::db::open_in_memory().expect("db");
        conn.execute_batch(
            "INSERT INTO connections (id, kind, name, instance_url, auth_mode, connected_by, connected_on)
                 VALUES ('c1', 'cs', 'Prod', 'https://acme.gainsightcloud.com', 'access_key', 'Ada', '2026-01-01');",
        )
        .expect("connection");
        let item = |id: &str, label: &str| PicklistItem {
            source: "company.Products__gc".into(),
            id: id.into(),
            label: label.into(),
        };
        put_labels(&conn, "c1", &[item("1I00A", "Analytics"), item("1I00B", "Journeys")]).expect("put");
        assert!(has_labels_from(&conn, "c1", "company").expect("has"));
        assert!(!has_labels_from(&conn, "c1", "call_to_action").expect("has"));
        let l = Labels::load(&conn).expect("load");
        assert_eq!(l.text("c1", "1I00A"), "Analytics");
        assert_eq!(l.text("c1", "1I00A;1I00B"), "Analytics; Journeys");
        assert_eq!(l.text("c1", "1I00A;1I00ZZ"), "Analytics; 1I00ZZ", "an unknown id shows itself");
        assert_eq!(l.text("c1", "1I00ZZ"), "1I00ZZ");
        assert_eq!(l.text("c2", "1I00A"), "1I00A", "labels belong to their connection");
        assert_eq!(l.text("c1", "free; text"), "free; text", "text naming no item is left alone");
        assert_eq!(l.value("c1", &json!(["1I00B", "1I00A"])), "Journeys; Analytics");
        let custom = l.custom("c1", r#"{"Products__gc":"1I00B;1I00A","Nps__gc":40,"Region__gc":null}"#);
        assert_eq!(custom, r#"{"Products__gc":"Journeys; Analytics","Nps__gc":40,"Region__gc":null}"#);
    }
}
