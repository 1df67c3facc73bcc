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
    /// The API name the org serves the field under (an [`crate::OrgProfile`] may rename it).
    pub name: String,
    pub label: String,
    /// The generator's name for the field. The simulator's own code (mutations, links between
    /// objects) names fields by it, so it keeps working whatever the org calls them.
    pub origin: &'static str,
    pub data_type: DataType,
    /// The object a LOOKUP or PICKLIST field points into (picklists point into `da_picklist`), by
    /// its generator name.
    pub target: Option<&'static str>,
    /// For picklists: the `da_picklist` category whose items are its options.
    pub category: Option<&'static str>,
    /// Listed by describe, refused by queries: field-level permissions hide it from the API user.
    pub hidden: bool,
}

fn make(
    name: &'static str,
    label: &str,
    data_type: DataType,
    target: Option<&'static str>,
    category: Option<&'static str>,
) -> Field {
    Field {
        name: name.to_string(),
        label: label.to_string(),
        origin: name,
        data_type,
        target,
        category,
        hidden: false,
    }
}

pub fn field(name: &'static str, label: &str, data_type: DataType) -> Field {
    make(name, label, data_type, None, None)
}

pub fn lookup(name: &'static str, label: &str, target: &'static str) -> Field {
    make(name, label, DataType::Lookup, Some(target), None)
}

pub fn picklist(name: &'static str, label: &str, category: &'static str) -> Field {
    make(name, label, DataType::Picklist, Some("da_picklist"), Some(category))
}

/// A multi-select dropdown: its options are `da_picklist` items of `category`, but a `__gr` lookup
/// through it does not resolve (it holds several ids), so it has no target.
pub fn multi_picklist(name: &'static str, label: &str, category: &'static str) -> Field {
    make(name, label, DataType::MultiPicklist, None, Some(category))
}

pub type Row = Map<String, Value>;

pub struct Object {
    /// The API name the org serves the object under.
    pub name: String,
    pub label: String,
    /// The generator's name for the object (see [`Field::origin`]).
    pub origin: &'static str,
    pub object_type: &'static str,
    pub key_prefix: &'static str,
    pub fields: Vec<Field>,
    pub rows: Vec<Row>,
    pub by_gsid: HashMap<String, usize>,
}

impl Object {
    pub fn new(
        name: &'static str,
        label: &str,
        object_type: &'static str,
        key_prefix: &'static str,
        fields: Vec<Field>,
    ) -> Self {
        Object {
            name: name.to_string(),
            label: label.to_string(),
            origin: name,
            object_type,
            key_prefix,
            fields,
            rows: Vec::new(),
            by_gsid: HashMap::new(),
        }
    }

    /// The field served as `name`; case-insensitive, as the real API is in practice.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The field the generator called `origin`, whatever it is served as.
    pub fn generated_field(&self, origin: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.origin.eq_ignore_ascii_case(origin))
    }

    /// The row key of the field the generator called `origin`; `None` when the org lacks it.
    pub fn col(&self, origin: &str) -> Option<&str> {
        self.generated_field(origin).map(|f| f.name.as_str())
    }

    /// The same object with no rows: enough to try a profile on before changing the real thing.
    pub fn shape(&self) -> Object {
        Object {
            name: self.name.clone(),
            label: self.label.clone(),
            origin: self.origin,
            object_type: self.object_type,
            key_prefix: self.key_prefix,
            fields: self.fields.clone(),
            rows: Vec::new(),
            by_gsid: HashMap::new(),
        }
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

/// Every object of the org, keyed by lower-case API name (the name it is served under).
#[derive(Default)]
pub struct Store {
    pub objects: BTreeMap<String, Object>,
}

impl Store {
    pub fn insert(&mut self, object: Object) {
        self.objects.insert(object.name.to_ascii_lowercase(), object);
    }

    /// The object served as `name` (what the query and describe endpoints look up).
    pub fn object(&self, name: &str) -> Option<&Object> {
        self.objects.get(&name.to_ascii_lowercase())
    }

    pub fn object_mut(&mut self, name: &str) -> Option<&mut Object> {
        self.objects.get_mut(&name.to_ascii_lowercase())
    }

    /// The key of the object generated as `origin`, whatever it is served as.
    fn generated_key(&self, origin: &str) -> Option<String> {
        self.objects.iter().find(|(_, o)| o.origin.eq_ignore_ascii_case(origin)).map(|(k, _)| k.clone())
    }

    /// The object the generator called `origin`; `None` when the org lacks it.
    pub fn generated(&self, origin: &str) -> Option<&Object> {
        self.objects.values().find(|o| o.origin.eq_ignore_ascii_case(origin))
    }

    pub fn generated_mut(&mut self, origin: &str) -> Option<&mut Object> {
        self.objects.values_mut().find(|o| o.origin.eq_ignore_ascii_case(origin))
    }

    /// The key of the object served as `name`, or else generated as `name`.
    fn key_of(&self, name: &str) -> Option<String> {
        let key = name.to_ascii_lowercase();
        if self.objects.contains_key(&key) { Some(key) } else { self.generated_key(name) }
    }

    /// The object served as `name`, or else generated as `name`: what the control API changes, so
    /// `modify` of "company" works whatever the org calls its companies.
    pub fn find(&self, name: &str) -> Option<&Object> {
        self.key_of(name).and_then(|k| self.objects.get(&k))
    }

    pub fn find_mut(&mut self, name: &str) -> Option<&mut Object> {
        self.key_of(name).and_then(|k| self.objects.get_mut(&k))
    }

    /// The API name the object generated as `origin` is served under: its new name when renamed,
    /// else `origin` itself as given.
    pub fn current_name(&self, origin: &str) -> String {
        match self.generated(origin) {
            Some(o) if !o.name.eq_ignore_ascii_case(o.origin) => o.name.clone(),
            _ => origin.to_string(),
        }
    }

    /// Serves the object served (or generated) as `old` under the API name `new` from now on,
    /// with a new label if given.
    pub fn rename(&mut self, old: &str, new: &str, label: Option<&str>) -> Result<(), String> {
        let key = self.key_of(old).ok_or_else(|| format!("no object {old}"))?;
        let new_key = new.to_ascii_lowercase();
        if new_key != key && self.objects.contains_key(&new_key) {
            return Err(format!("cannot rename {old} to {new}: that object exists"));
        }
        if new.trim().is_empty() {
            return Err(format!("cannot rename {old} to an empty name"));
        }
        let Some(mut o) = self.objects.remove(&key) else { return Err(format!("no object {old}")) };
        o.name = new.to_string();
        if let Some(label) = label {
            o.label = label.to_string();
        }
        self.insert(o);
        Ok(())
    }

    /// Takes the object served (or generated) as `name` out of the org.
    pub fn remove(&mut self, name: &str) -> Option<Object> {
        self.key_of(name).and_then(|k| self.objects.remove(&k))
    }

    /// The schema without rows, to try changes on.
    pub fn shape(&self) -> Store {
        Store { objects: self.objects.iter().map(|(k, o)| (k.clone(), o.shape())).collect() }
    }
}
