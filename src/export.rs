//! CSV export of what the admin is looking at: the Accounts or CTAs view with its filter, its sort
//! and its columns (mapped fields included, as labels), shared by the desktop app and the CLI.
//!
//! Values from Gainsight are text anyone in the org could type, so a cell that a spreadsheet would
//! run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first) is prefixed with `'`. The
//! file is written beside its target and renamed over it only when complete: a failed export
//! leaves an earlier file as it was.

use crate::db::account_page::{AccountFilter, AccountPageQuery};
use crate::db::browse::AccountSummary;
use crate::db::cta_page::{CtaPageQuery, CtaPageRow};
use crate::error::{Error, ErrorKind, Result};
use crate::outpost::Outpost;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;
use ts_rs::TS;

/// The Accounts view to export.
#[derive(Clone, Debug, Default, Deserialize, Serialize, TS, PartialEq)]
pub struct AccountExport {
    pub filter: AccountFilter,
    /// As [`AccountPageQuery::sort`].
    pub sort: Option<String>,
    /// Column keys in order (see [`ACCOUNT_COLUMNS`]; `custom:FIELD` for a mapped field); empty
    /// for the usual ones.
    pub columns: Vec<String>,
}

/// The CTAs view to export.
#[derive(Clone, Debug, Default, Deserialize, Serialize, TS, PartialEq)]
pub struct CtaExport {
    /// Its search and filters (offset and limit are ignored: every matching CTA is written).
    pub query: CtaPageQuery,
    /// Column keys in order (see [`CTA_COLUMNS`]); empty for the usual ones.
    pub columns: Vec<String>,
}

/// What an export wrote.
#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct ExportDone {
    pub path: String,
    pub rows: i64,
}

/// The header row: each column's label (the app), or its key (the CLI, for scripts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Headers {
    Labels,
    Keys,
}

/// Account column keys and their labels.
pub const ACCOUNT_COLUMNS: &[(&str, &str)] = &[
    ("gsid", "GSID"),
    ("name", "Name"),
    ("health", "Health"),
    ("band", "Band"),
    ("arr", "ARR"),
    ("renewal_date", "Renewal date"),
    ("csm", "CSM"),
    ("stage", "Stage"),
    ("status", "Status"),
    ("industry", "Industry"),
    ("open_ctas", "Open CTAs"),
    ("overdue_ctas", "Overdue CTAs"),
    ("connection", "Connection"),
];

/// CTA column keys and their labels.
pub const CTA_COLUMNS: &[(&str, &str)] = &[
    ("gsid", "GSID"),
    ("company", "Account"),
    ("name", "CTA"),
    ("type", "Type"),
    ("status", "Status"),
    ("priority", "Priority"),
    ("owner", "Owner"),
    ("due_date", "Due date"),
    ("closed", "Closed"),
    ("overdue", "Overdue"),
    ("connection", "Connection"),
];

const DEFAULT_ACCOUNTS: &[&str] = &[
    "gsid",
    "name",
    "health",
    "band",
    "arr",
    "renewal_date",
    "csm",
    "industry",
    "open_ctas",
    "overdue_ctas",
];
const DEFAULT_CTAS: &[&str] =
    &["gsid", "company", "name", "type", "status", "priority", "owner", "due_date", "closed"];

const PAGE: i64 = 1000;

/// Defuses spreadsheet formulas in text from Gainsight, then quotes the field when CSV needs it.
pub fn csv_field(s: &str) -> String {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<f64>().is_err();
    let s = if risky { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn unknown(key: &str, known: &[(&str, &str)]) -> Error {
    let keys: Vec<&str> = known.iter().map(|(k, _)| *k).collect();
    Error::new(ErrorKind::InvalidInput, format!("There is no \"{key}\" column to export."))
        .with_hint(format!("Use {} or custom:FIELD.", keys.join(", ")))
}

fn chosen(columns: &[String], default: &[&str]) -> Vec<String> {
    if columns.is_empty() { default.iter().map(|s| s.to_string()).collect() } else { columns.to_vec() }
}

/// Writes `rows` under `header` to `path`, complete or not at all.
pub fn write_csv(path: &Path, header: &[String], rows: &[Vec<String>]) -> Result<()> {
    let io = |e: std::io::Error| {
        Error::new(ErrorKind::InvalidInput, format!("Could not write {}: {e}.", path.display()))
            .with_hint("Choose a folder you can write to.")
    };
    let name = path.file_name().ok_or_else(|| io(std::io::Error::other("not a file name")))?;
    let partial = path.with_file_name(format!(".{}.partial", name.to_string_lossy()));
    let result = (|| {
        let mut f = std::io::BufWriter::new(crate::private::create(&partial)?);
        for line in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
            let cells: Vec<String> = line.iter().map(|s| csv_field(s)).collect();
            f.write_all(cells.join(",").as_bytes())?;
            f.write_all(b"\r\n")?;
        }
        f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&partial, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result.map_err(io)
}

impl Outpost {
    /// Writes the Accounts view to `path` as CSV; returns how many accounts it wrote.
    pub fn export_accounts(&self, e: &AccountExport, path: &Path, headers: Headers) -> Result<i64> {
        let columns = chosen(&e.columns, DEFAULT_ACCOUNTS);
        let custom = self.custom_columns()?;
        let mut header = Vec::new();
        for key in &columns {
            let label = match key.strip_prefix("custom:") {
                Some(field) => custom
                    .iter()
                    .find(|m| m.field_name == field)
                    .map(|m| m.label.clone())
                    .ok_or_else(|| unknown(key, ACCOUNT_COLUMNS))?,
                None => ACCOUNT_COLUMNS
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, l)| l.to_string())
                    .ok_or_else(|| unknown(key, ACCOUNT_COLUMNS))?,
            };
            header.push(if headers == Headers::Keys { key.clone() } else { label });
        }
        let names = self.connection_names()?;
        let mut rows = Vec::new();
        loop {
            let q = AccountPageQuery {
                filter: e.filter.clone(),
                sort: e.sort.clone(),
                offset: rows.len() as i64,
                limit: PAGE,
            };
            let page = self.account_page(&q)?;
            let n = page.rows.len();
            rows.extend(page.rows.iter().map(|a| account_cells(a, &columns, &names)));
            if (n as i64) < PAGE || rows.len() as i64 >= page.matching {
                break;
            }
        }
        write_csv(path, &header, &rows)?;
        Ok(rows.len() as i64)
    }

    /// Writes the CTAs view to `path` as CSV; returns how many CTAs it wrote.
    pub fn export_ctas(&self, e: &CtaExport, path: &Path, headers: Headers) -> Result<i64> {
        let columns = chosen(&e.columns, DEFAULT_CTAS);
        let mut header = Vec::new();
        for key in &columns {
            let (k, l) =
                CTA_COLUMNS.iter().find(|(k, _)| k == key).ok_or_else(|| unknown(key, CTA_COLUMNS))?;
            header.push(if headers == Headers::Keys { k.to_string() } else { l.to_string() });
        }
        let names = self.connection_names()?;
        let mut rows = Vec::new();
        loop {
            let q = CtaPageQuery { offset: rows.len() as i64, limit: PAGE, ..e.query.clone() };
            let page = self.cta_page(&q)?;
            let n = page.rows.len();
            rows.extend(page.rows.iter().map(|t| cta_cells(t, &columns, &names)));
            if (n as i64) < PAGE || rows.len() as i64 >= page.matching {
                break;
            }
        }
        write_csv(path, &header, &rows)?;
        Ok(rows.len() as i64)
    }

    fn connection_names(&self) -> Result<std::collections::HashMap<String, String>> {
        Ok(crate::db::connections::list(&*self.db()?)?.into_iter().map(|c| (c.id, c.name)).collect())
    }
}

fn account_cells(
    a: &AccountSummary,
    columns: &[String],
    names: &std::collections::HashMap<String, String>,
) -> Vec<String> {
    let c = &a.company;
    let custom: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&c.custom).unwrap_or_default();
    columns
        .iter()
        .map(|key| match key.as_str() {
            "gsid" => c.gsid.clone(),
            "name" => c.name.clone(),
            "health" => opt(&c.score),
            "band" => opt(&c.score_label),
            "arr" => opt(&c.arr),
            "renewal_date" => opt(&c.renewal_date),
            "csm" => opt(&c.csm_name),
            "stage" => opt(&c.stage),
            "status" => opt(&c.status),
            "industry" => opt(&c.industry),
            "open_ctas" => a.open_ctas.to_string(),
            "overdue_ctas" => a.overdue_ctas.to_string(),
            "connection" => names.get(&a.connection_id).cloned().unwrap_or_else(|| a.connection_id.clone()),
            other => match custom.get(other.strip_prefix("custom:").unwrap_or(other)) {
                None | Some(serde_json::Value::Null) => String::new(),
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
            },
        })
        .collect()
}

fn cta_cells(
    t: &CtaPageRow,
    columns: &[String],
    names: &std::collections::HashMap<String, String>,
) -> Vec<String> {
    let c = &t.cta;
    columns
        .iter()
        .map(|key| match key.as_str() {
            "gsid" => c.gsid.clone(),
            "company" => opt(&t.company_name),
            "name" => c.name.clone(),
            "type" => opt(&c.r#type),
            "status" => opt(&c.status),
            "priority" => opt(&c.priority),
            "owner" => opt(&c.owner_name),
            "due_date" => opt(&c.due_date),
            "closed" => c.is_closed.to_string(),
            "overdue" => t.overdue.to_string(),
            "connection" => names.get(&t.connection_id).cloned().unwrap_or_else(|| t.connection_id.clone()),
            _ => String::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn formulas_are_defused_and_fields_quoted() {
        let cases = [
            ("Acme", "Acme"),
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            ("+1 555", "'+1 555"),
            ("-12.5", "-12.5"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("a,b", "\"a,b\""),
            ("line\nbreak", "\"line\nbreak\""),
            ("", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(csv_field(raw), want, "{raw:?}");
        }
    }
}
