//! The objects the simulated CS org holds: their fields, types and lookups, as describe reports them.

use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataType {
    Gsid,
    String,
    Email,
    Number,
    Currency,
    Boolean,
    Date,
    DateTime,
    Picklist,
    /// A multi-select dropdown: the chosen items' GSIDs, joined by `;`.
    MultiPicklist,
    Lookup,
}

impl DataType {
    pub fn api_name(self) -> &'static str {
        match self {
            DataType::Gsid => "GSID",
            DataType::String => "STRING",
            DataType::Email => "EMAIL",
            DataType::Number => "NUMBER",
            DataType::Currency => "CURRENCY",
            DataType::Boolean => "BOOLEAN",
            DataType::Date => "DATE",
            DataType::DateTime => "DATETIME",
            DataType::Picklist => "PICKLIST",
            DataType::MultiPicklist => "MULTISELECTDROPDOWNLIST",
            DataType::Lookup => "LOOKUP",
        }
    }

    pub fn is_date(self) -> bool {
        matches!(self, DataType::Date | DataType::DateTime)
    }
}

#[derive(Clone, Debug)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub data_type: DataType,
    /// The object a LOOKUP or PICKLIST field points into (picklists point into `da_picklist`).
    pub target: Option<&'static str>,
    /// For picklists: the `da_picklist` category whose items are its options.
    pub category: Option<&'static str>,
}

pub const fn field(name: &'static str, label: &'static str, data_type: DataType) -> Field {
    Field { name, label, data_type, target: None, category: None }
}

pub const fn lookup(name: &'static str, label: &'static str, target: &'static str) -> Field {
    Field { name, label, data_type: DataType::Lookup, target: Some(target), category: None }
}

pub const fn picklist(name: &'static str, label: &'static str, category: &'static str) -> Field {
    Field {
        name,
        label,
        data_type: DataType::Picklist,
        target: Some("da_picklist"),
        category: Some(category),
    }
}

/// A multi-select dropdown: its options are `da_picklist` items of `category`, but a `__gr` lookup
/// through it does not resolve (it holds several ids), so it has no target.
pub const fn multi_picklist(name: &'static str, label: &'static str, category: &'static str) -> Field {
    Field { name, label, data_type: DataType::MultiPicklist, target: None, category: Some(category) }
}

pub type Row = Map<String, Value>;

pub struct Object {
    pub name: &'static str,
    pub label: &'static str,
    pub object_type: &'static str,
    pub key_prefix: &'static str,
    pub fields: Vec<Field>,
    pub rows: Vec<Row>,
    pub by_gsid: HashMap<String, usize>,
}

impl Object {
    pub fn new(
        name: &'static str,
        label: &'static str,
        object_type: &'static str,
        key_prefix: &'static str,
        fields: Vec<Field>,
    ) -> Self {
        Object { name, label, object_type, key_prefix, fields, rows: Vec::new(), by_gsid: HashMap::new() }
    }

    /// Case-insensitive, as the real API is in practice.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }

    pub fn push(&mut self, row: Row) {
        if let Some(Value::String(id)) = row.get("Gsid") {
            self.by_gsid.insert(id.clone(), self.rows.len());
        }
        self.rows.push(row);
    }

    pub fn get(&self, gsid: &str) -> Option<&Row> {
        self.by_gsid.get(gsid).map(|&i| &self.rows[i])
    }

    pub fn get_mut(&mut self, gsid: &str) -> Option<&mut Row> {
        self.by_gsid.get(gsid).map(|&i| &mut self.rows[i])
    }

    /// Removes a row by GSID, keeping the index right.
    pub fn remove(&mut self, gsid: &str) -> Option<Row> {
        let i = self.by_gsid.remove(gsid)?;
        let row = self.rows.swap_remove(i);
        if let Some(Value::String(moved)) = self.rows.get(i).and_then(|r| r.get("Gsid")) {
            self.by_gsid.insert(moved.clone(), i);
        }
        Some(row)
    }
}

/// Every object of the org, keyed by lower-case API name.
#[derive(Default)]
pub struct Store {
    pub objects: BTreeMap<String, Object>,
    /// Objects served under another API name than the generator's (lower-case old → new), as
    /// orgs name their scorecard objects differently.
    renamed: BTreeMap<String, String>,
}

impl Store {
    /// Serves the object generated as `old` under the API name `new` from now on.
    pub fn rename(&mut self, old: &str, new: &str) {
        if let Some(mut o) = self.objects.remove(&old.to_ascii_lowercase()) {
            // Names are static everywhere else; a rename happens once per simulator, so its few
            // bytes are leaked rather than made owned in every object.
            o.name = Box::leak(new.to_string().into_boxed_str());
            self.renamed.insert(old.to_ascii_lowercase(), new.to_string());
            self.insert(o);
        }
    }

    /// The API name the object generated as `name` is served under.
    pub fn current_name(&self, name: &str) -> String {
        self.renamed.get(&name.to_ascii_lowercase()).cloned().unwrap_or_else(|| name.to_string())
    }

    pub fn insert(&mut self, object: Object) {
        self.objects.insert(object.name.to_ascii_lowercase(), object);
    }

    pub fn object(&self, name: &str) -> Option<&Object> {
        self.objects.get(&name.to_ascii_lowercase())
    }

    pub fn object_mut(&mut self, name: &str) -> Option<&mut Object> {
        self.objects.get_mut(&name.to_ascii_lowercase())
    }
}
