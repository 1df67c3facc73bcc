//! What each CS stream reads, asked of the org rather than assumed.
//!
//! Every stream names the *roles* Outpost gives meaning to (a company's ARR, a CTA's closed date,
//! a history row's week and score) with candidate field names and labels, in order. Before a read,
//! the stream's object is described; each role takes the first candidate the org has whose data
//! type fits, and how it is read follows from that type: a picklist or lookup through
//! `Field__gr.Name`, a score held as a lookup to the scoring scheme through `Field__gr.Score`. A
//! role the admin set in the sync settings wins. What the org lacks is selected by nobody: its
//! column stays null and the admin is told; a missing *needed* role fails only its own stream.

use crate::gainsight::dates::parse_date;
use crate::gainsight::record::Record;
pub use crate::model::shape::{FieldInfo, Matched, RoleMatch};
use serde_json::Value;
use std::collections::BTreeMap;

/// The fields of a describe reply: `data[0].fields` (what the docs show) or `data.fields`.
pub fn parse_describe(data: &Value) -> Vec<FieldInfo> {
    let object = match data {
        Value::Array(items) => items.first(),
        other => Some(other),
    };
    let fields = object.and_then(|o| o.get("fields")).and_then(Value::as_array);
    fields
        .into_iter()
        .flatten()
        .filter_map(|f| {
            let name = f.get("fieldName").and_then(Value::as_str)?.to_string();
            let lookup_to = f
                .pointer("/meta/lookupDetail/lookupObjects/0/objectName")
                .or_else(|| f.pointer("/lookupDetail/lookupObjects/0/objectName"))
                .and_then(Value::as_str)
                .map(str::to_string);
            Some(FieldInfo {
                label: f.get("label").and_then(Value::as_str).unwrap_or(&name).to_string(),
                data_type: f.get("dataType").and_then(Value::as_str).unwrap_or_default().to_ascii_uppercase(),
                lookup_to,
                name,
            })
        })
        .collect()
}

/// How a role's value is read from the field that holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    /// Text: a string field as it is; a picklist or lookup through its `__gr.Name`.
    Text,
    Number,
    Flag,
    Date,
    /// A record id: a GSID, lookup or string field as it is.
    Id,
    /// A sub-field of a lookup (`Csm__gr.Email`); `Name` also reads a picklist's label.
    Sub(&'static str),
    /// A score: a number field as it is, or a lookup to the scoring scheme through `__gr.Score`.
    Score,
}

/// A meaning Outpost gives to one field of a stream's object.
#[derive(Clone, Copy, Debug)]
pub struct Role {
    pub key: &'static str,
    /// What the admin reads in the org report.
    pub label: &'static str,
    pub needed: bool,
    pub read: Read,
    /// Candidate API names, then candidate labels, in order.
    pub names: &'static [&'static str],
    pub labels: &'static [&'static str],
    /// Last resort: the first lookup into this object (a usage row's company).
    pub lookup_into: Option<&'static str>,
}

pub(crate) const fn role(
    key: &'static str,
    label: &'static str,
    read: Read,
    names: &'static [&'static str],
    labels: &'static [&'static str],
) -> Role {
    Role { key, label, needed: false, read, names, labels, lookup_into: None }
}

pub(crate) const fn needed(mut r: Role) -> Role {
    r.needed = true;
    r
}

pub(crate) const GSID: Role = needed(role("gsid", "Record id", Read::Id, &["Gsid"], &["GSID"]));
pub(crate) const MODIFIED: Role = role(
    "modified",
    "Modified date (for incremental syncs)",
    Read::Date,
    &["ModifiedDate", "LastModifiedDate"],
    &["Modified Date", "Last Modified Date"],
);
pub(crate) const CREATED: Role =
    role("created", "Created date", Read::Date, &["CreatedDate"], &["Created Date"]);

/// A stream's select list, as the org's describe allows it.
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    pub object: String,
    pub roles: Vec<RoleMatch>,
    paths: BTreeMap<String, String>,
    /// Mapped custom fields the org still has.
    pub custom: Vec<String>,
    /// Mapped custom fields the org no longer has.
    pub custom_missing: Vec<String>,
}

fn text_like(t: &str) -> bool {
    matches!(t, "" | "STRING" | "EMAIL" | "URL" | "GSID" | "SFDCID" | "TEXT" | "RICHTEXTAREA")
}

fn numeric(t: &str) -> bool {
    matches!(t, "" | "NUMBER" | "CURRENCY" | "PERCENTAGE" | "DOUBLE" | "INTEGER")
}

fn is_ref(t: &str) -> bool {
    matches!(t, "LOOKUP" | "PICKLIST")
}

/// The path that reads `read` from `f`, if its type allows.
fn path_for(read: Read, f: &FieldInfo) -> Option<String> {
    let t = f.data_type.as_str();
    let sub = |s: &str| format!("{}__gr.{s}", f.name);
    match read {
        Read::Text if text_like(t) => Some(f.name.clone()),
        Read::Text if is_ref(t) => Some(sub("Name")),
        Read::Number if numeric(t) => Some(f.name.clone()),
        Read::Flag if matches!(t, "" | "BOOLEAN") => Some(f.name.clone()),
        Read::Date if matches!(t, "" | "DATE" | "DATETIME") => Some(f.name.clone()),
        Read::Id if text_like(t) || t == "LOOKUP" => Some(f.name.clone()),
        Read::Sub(s) if t == "LOOKUP" || (t == "PICKLIST" && s == "Name") => Some(sub(s)),
        Read::Score if numeric(t) => Some(f.name.clone()),
        Read::Score if t == "LOOKUP" => Some(sub("Score")),
        _ => None,
    }
}

/// The org's field for `role`, from describe: candidate names, then labels, then a lookup into
/// the role's object.
fn find<'f>(role: &Role, fields: &'f [FieldInfo]) -> Option<(&'f FieldInfo, String, Matched)> {
    let fits = |f: &'f FieldInfo, how| path_for(role.read, f).map(|p| (f, p, how));
    let by_name = role.names.iter().find_map(|n| {
        fields.iter().find(|f| f.name.eq_ignore_ascii_case(n)).and_then(|f| fits(f, Matched::Name))
    });
    let by_label = || {
        role.labels.iter().find_map(|l| {
            fields.iter().filter(|f| f.label.eq_ignore_ascii_case(l)).find_map(|f| fits(f, Matched::Label))
        })
    };
    let by_lookup = || {
        let target = role.lookup_into?;
        fields
            .iter()
            .filter(|f| f.lookup_to.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(target)))
            .find_map(|f| fits(f, Matched::Label))
    };
    by_name.or_else(by_label).or_else(by_lookup)
}

/// A field path as the admin may give it: API names joined by `__gr.` lookups.
pub fn is_field_path(path: &str) -> bool {
    !path.is_empty()
        && path
            .split("__gr.")
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// Resolves every role of `roles` against `fields` (`None`: describe could not be read, so the
/// usual names are assumed), the admin's `overrides` (role key → field or path) and fields
/// `refused` by an earlier read, plus the mapped custom fields.
pub fn resolve(
    object: &str,
    roles: &[Role],
    fields: Option<&[FieldInfo]>,
    overrides: &BTreeMap<String, String>,
    refused: &[String],
    mapped: &[String],
) -> Resolved {
    let mut out = Resolved { object: object.to_string(), ..Default::default() };
    let is_refused = |p: &str| refused.iter().any(|r| r.eq_ignore_ascii_case(p));
    for role in roles {
        let (field, field_label, matched) = if let Some(path) = overrides.get(role.key) {
            // A field named by the admin is read the way its type asks, when describe has it.
            let base = path.split("__gr.").next().unwrap_or(path);
            let described = fields.and_then(|fs| fs.iter().find(|f| f.name.eq_ignore_ascii_case(base)));
            let p = match described {
                Some(f) if !path.contains("__gr.") => {
                    path_for(role.read, f).unwrap_or_else(|| f.name.clone())
                }
                _ => path.clone(),
            };
            (Some(p), described.map(|f| f.label.clone()), Matched::Setting)
        } else {
            match fields {
                Some(fs) => match find(role, fs) {
                    Some((f, p, how)) => (Some(p), Some(f.label.clone()), how),
                    None => (None, None, Matched::Missing),
                },
                None => {
                    let p = role.names.first().map(|n| match role.read {
                        Read::Sub(s) => format!("{n}__gr.{s}"),
                        _ => n.to_string(),
                    });
                    (p, None, Matched::Assumed)
                }
            }
        };
        // A refused field keeps its path in the report, but is not read.
        let matched = match &field {
            Some(p) if is_refused(p) => Matched::Refused,
            _ => matched,
        };
        if let Some(p) = field.as_ref().filter(|_| matched != Matched::Refused) {
            out.paths.insert(role.key.to_string(), p.clone());
        }
        out.roles.push(RoleMatch {
            role: role.key.to_string(),
            label: role.label.to_string(),
            needed: role.needed,
            field,
            field_label,
            matched,
        });
    }
    for m in mapped {
        let has = fields.is_none_or(|fs| fs.iter().any(|f| f.name.eq_ignore_ascii_case(m)));
        if has && !is_refused(m) {
            out.custom.push(m.clone());
        } else {
            out.custom_missing.push(m.clone());
        }
    }
    out
}

impl Resolved {
    pub fn path(&self, role: &str) -> Option<&str> {
        self.paths.get(role).map(String::as_str)
    }

    pub fn has(&self, role: &str) -> bool {
        self.paths.contains_key(role)
    }

    /// Everything to select: each matched role's path once, then the mapped custom fields.
    pub fn select(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in self.paths.values().chain(self.custom.iter()) {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(p)) {
                out.push(p.clone());
            }
        }
        out
    }

    /// Needed roles the org has no readable field for.
    pub fn missing_needed(&self) -> impl Iterator<Item = &RoleMatch> {
        self.roles.iter().filter(|r| r.needed && !self.has(&r.role))
    }

    /// Wanted roles the org has no readable field for.
    pub fn missing_wanted(&self) -> impl Iterator<Item = &RoleMatch> {
        self.roles.iter().filter(|r| !r.needed && !self.has(&r.role))
    }

    /// The role that reads `path`, if any.
    pub fn role_of_path(&self, path: &str) -> Option<&RoleMatch> {
        self.roles.iter().find(|r| self.path(&r.role).is_some_and(|p| p.eq_ignore_ascii_case(path)))
    }

    /// Every mapped custom field, readable or not: each gets its key in the row's `custom`.
    pub fn custom_all(&self) -> impl Iterator<Item = &str> {
        self.custom.iter().chain(self.custom_missing.iter()).map(String::as_str)
    }

    /// Paths refused by Gainsight, to remember for the next read.
    pub fn refused(&self) -> Vec<String> {
        self.roles.iter().filter(|r| r.matched == Matched::Refused).filter_map(|r| r.field.clone()).collect()
    }

    fn value<'r>(&self, r: &'r Record, role: &str) -> Option<&'r Value> {
        r.get(self.path(role)?)
    }

    pub fn text(&self, r: &Record, role: &str) -> Option<String> {
        match self.value(r, role)? {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    pub fn num(&self, r: &Record, role: &str) -> Option<f64> {
        match self.value(r, role)? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn flag(&self, r: &Record, role: &str) -> bool {
        match self.value(r, role) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            Some(Value::Number(n)) => n.as_i64() == Some(1),
            _ => false,
        }
    }

    /// An instant as stored (RFC 3339 with millis).
    pub fn instant(&self, r: &Record, role: &str) -> Option<String> {
        self.value(r, role).and_then(parse_date).map(crate::gainsight::record::iso)
    }

    pub fn day(&self, r: &Record, role: &str) -> Option<String> {
        self.value(r, role).and_then(parse_date).map(|t| t.format("%Y-%m-%d").to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::streams::{
        companies::ROLES as COMPANY, history::ROLES as HISTORY, usage::ROLES as USAGE,
    };

    fn f(name: &str, label: &str, t: &str) -> FieldInfo {
        FieldInfo { name: name.into(), label: label.into(), data_type: t.into(), lookup_to: None }
    }

    fn path(r: &Resolved, role: &str) -> Option<String> {
        r.path(role).map(str::to_string)
    }

    #[test]
    fn roles_follow_names_then_labels_and_read_by_type() {
        let fields = vec![
            f("Gsid", "GSID", "GSID"),
            f("Name", "Name", "STRING"),
            f("Arr__gc", "ARR", "CURRENCY"),
            f("Stage", "Stage", "PICKLIST"),
            f("Status", "Status", "STRING"),
            f("Csm", "CSM", "LOOKUP"),
            f("CurrentScore", "Current Score", "LOOKUP"),
            f("RenewalDate", "Renewal Date", "DATE"),
        ];
        let r = resolve("company", COMPANY, Some(&fields), &BTreeMap::new(), &[], &[]);
        assert_eq!(path(&r, "arr").as_deref(), Some("Arr__gc"), "ARR found by its label");
        assert_eq!(path(&r, "stage").as_deref(), Some("Stage__gr.Name"), "a picklist reads its label");
        assert_eq!(path(&r, "status").as_deref(), Some("Status"), "a text field reads as it is");
        assert_eq!(path(&r, "csm_email").as_deref(), Some("Csm__gr.Email"));
        assert_eq!(path(&r, "score").as_deref(), Some("CurrentScore__gr.Score"), "score through the scheme");
        assert_eq!(path(&r, "score_color").as_deref(), Some("CurrentScore__gr.Color"));
        assert_eq!(path(&r, "mrr"), None, "no MRR in this org");
        let missing: Vec<&str> = r.missing_wanted().map(|m| m.role.as_str()).collect();
        assert!(missing.contains(&"mrr") && missing.contains(&"modified"), "{missing:?}");
        assert_eq!(r.missing_needed().count(), 0);
        assert!(!r.select().iter().any(|s| s == "Mrr"), "what the org lacks is never selected");
    }

    #[test]
    fn a_score_is_a_number_or_a_lookup_and_types_that_do_not_fit_are_skipped() {
        let number = vec![f("Score", "Score Value", "NUMBER"), f("ScoreId", "Score", "LOOKUP")];
        let lookup = vec![f("ScoreId", "Score", "LOOKUP")];
        let text = vec![f("Score", "Score", "STRING"), f("ScoreId", "Score", "LOOKUP")];
        for (fields, want) in [(number, "Score"), (lookup, "ScoreId__gr.Score"), (text, "ScoreId__gr.Score")]
        {
            let r = resolve("h", HISTORY, Some(&fields), &BTreeMap::new(), &[], &[]);
            assert_eq!(path(&r, "score").as_deref(), Some(want), "{fields:?}");
        }
    }

    #[test]
    fn settings_win_refused_fields_go_and_missing_needed_ones_are_named() {
        let fields =
            vec![f("Gsid", "GSID", "GSID"), f("Title", "Title", "STRING"), f("Arr", "ARR", "CURRENCY")];
        let mut overrides = BTreeMap::new();
        overrides.insert("name".to_string(), "Title".to_string());
        overrides.insert("csm_name".to_string(), "Owner__gr.FullName".to_string());
        let r = resolve("company", COMPANY, Some(&fields), &overrides, &["Arr".to_string()], &[]);
        assert_eq!(path(&r, "name").as_deref(), Some("Title"));
        assert_eq!(path(&r, "csm_name").as_deref(), Some("Owner__gr.FullName"), "a path is taken as given");
        let arr = r.roles.iter().find(|m| m.role == "arr").expect("arr role");
        assert_eq!((arr.field.as_deref(), arr.matched), (Some("Arr"), Matched::Refused));
        assert!(!r.has("arr") && r.refused() == ["Arr"], "a refused field is remembered, not read");
        let none = resolve("company", COMPANY, Some(&fields[..1]), &BTreeMap::new(), &[], &[]);
        let needed: Vec<&str> = none.missing_needed().map(|m| m.role.as_str()).collect();
        assert_eq!(needed, ["name"]);
    }

    #[test]
    fn without_describe_the_usual_names_are_assumed_and_mapped_fields_are_checked() {
        let r = resolve("company", COMPANY, None, &BTreeMap::new(), &[], &["Region__gc".into()]);
        assert_eq!(path(&r, "csm_name").as_deref(), Some("Csm__gr.Name"));
        assert_eq!(path(&r, "arr").as_deref(), Some("Arr"));
        assert_eq!(r.custom, ["Region__gc"]);
        let fields = vec![f("Gsid", "GSID", "GSID"), f("Name", "Name", "STRING")];
        let r = resolve("company", COMPANY, Some(&fields), &BTreeMap::new(), &[], &["Region__gc".into()]);
        assert_eq!((r.custom.len(), r.custom_missing.as_slice()), (0, ["Region__gc".to_string()].as_slice()));
    }

    #[test]
    fn a_usage_company_is_found_through_its_lookup_when_named_otherwise() {
        let mut account = f("Account__gc", "Account", "LOOKUP");
        account.lookup_to = Some("Company".into());
        let fields = vec![f("Gsid", "GSID", "GSID"), account, f("When__gc", "Week Of", "DATE")];
        let r = resolve("u", USAGE, Some(&fields), &BTreeMap::new(), &[], &[]);
        assert_eq!(path(&r, "company").as_deref(), Some("Account__gc"));
        assert_eq!(path(&r, "week").as_deref(), Some("When__gc"));
    }

    #[test]
    fn describe_replies_parse_in_both_shapes() {
        let listed = serde_json::json!([{"fields": [{"fieldName": "Csm", "label": "CSM", "dataType": "lookup",
            "meta": {"lookupDetail": {"lookupObjects": [{"objectName": "GsUser"}]}}}]}]);
        let bare = serde_json::json!({"fields": [{"fieldName": "Name"}]});
        let a = parse_describe(&listed);
        assert_eq!((a[0].data_type.as_str(), a[0].lookup_to.as_deref()), ("LOOKUP", Some("GsUser")));
        let b = parse_describe(&bare);
        assert_eq!((b[0].name.as_str(), b[0].label.as_str()), ("Name", "Name"));
        assert!(
            is_field_path("CompanyId__gr.Csm__gr.Email") && !is_field_path("a b") && !is_field_path("X__gr.")
        );
    }
}
