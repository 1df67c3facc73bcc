//! Accounts at org scale: one page of the filtered, sorted accounts with the true total and the
//! number that match, and facet counts for the current filter, all computed in SQLite.
//!
//! A filter is a list of `(facet, value)` pairs: values of one facet widen (OR), different facets
//! narrow (AND). Each facet's counts are taken under every *other* facet's filter, so choosing
//! "Poor" still shows how many accounts are "Average" (picking a second band widens the list).

use super::browse::{AccountSummary, COMPANY_COLS, collect, company_from, custom_columns, json_path};
use super::db_err;
use super::picklists::Labels;
use crate::error::{Error, ErrorKind, Result};
use rusqlite::{Connection, params_from_iter, types::Value as Sql};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One chosen facet value. `facet` is `band`, `csm`, `stage`, `industry`, `renewal` (value: days,
/// `30`, `90` or `180`), `overdue` (value `yes`), `px` (`linked` or `unlinked`), `connection`, or
/// `custom:FIELD`; an empty value means "not set".
#[derive(Clone, Debug, Default, Deserialize, Serialize, TS, PartialEq)]
pub struct FacetFilter {
    pub facet: String,
    pub value: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, TS, PartialEq)]
pub struct AccountFilter {
    /// Matched against name, CSM and industry, case-insensitively.
    pub search: Option<String>,
    pub filters: Vec<FacetFilter>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, TS, PartialEq)]
pub struct AccountPageQuery {
    pub filter: AccountFilter,
    /// `name`, `health`, `arr`, `renewal`, `csm`, `stage`, `industry`, `ctas` or `custom:FIELD`;
    /// `-` in front for descending. Missing values sort last either way.
    pub sort: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct AccountPage {
    /// Every account in the cache.
    pub total: i64,
    /// The accounts the filter matches.
    pub matching: i64,
    pub offset: i64,
    pub rows: Vec<AccountSummary>,
}

#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct FacetValue {
    /// What to filter by (`FacetFilter::value`).
    pub value: String,
    /// What to show.
    pub label: String,
    pub count: i64,
}

#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct Facet {
    pub facet: String,
    pub label: String,
    /// Most common first, at most [`FACET_VALUES`].
    pub values: Vec<FacetValue>,
    /// How many distinct values there are in all.
    pub distinct: i64,
}

pub const FACET_VALUES: i64 = 30;
pub const RENEWAL_WINDOWS: [i64; 3] = [30, 90, 180];

/// SQL text and its arguments, numbered from `?2` on (`?1` is always today).
struct Where {
    sql: String,
    args: Vec<Sql>,
}

impl Where {
    fn arg(&mut self, v: Sql) -> String {
        self.args.push(v);
        format!("?{}", self.args.len() + 1)
    }
}

fn column_of(facet: &str) -> Option<&'static str> {
    Some(match facet {
        "band" => "c.score_label",
        "csm" => "c.csm_name",
        "stage" => "c.stage",
        "industry" => "c.industry",
        "connection" => "c.connection_id",
        _ => return None,
    })
}

const OVERDUE: &str = "EXISTS (SELECT 1 FROM ctas t INDEXED BY ctas_by_company WHERE t.connection_id = c.connection_id \
     AND t.company_gsid = c.gsid AND t.is_closed = 0 AND t.due_date < ?1)";
/// Linked to a PX account by the admin's link field: the rule of [`crate::insights::link`].
fn px_linked() -> String {
    crate::insights::link::linked_sql()
}

fn invalid(facet: &str, value: &str) -> Error {
    Error::new(ErrorKind::InvalidInput, format!("\"{value}\" is not a value of the {facet} filter."))
}

/// A mapped field's value as `;`-separated text: a JSON array's items joined, anything else as
/// text (Gainsight sends a multi-select as its item ids separated by `;`).
fn items_of(path: &str) -> String {
    format!(
        "(CASE json_type(c.custom, {path}) WHEN 'array' THEN (SELECT group_concat(value, ';') FROM json_each(c.custom, {path}))
          ELSE CAST(json_extract(c.custom, {path}) AS TEXT) END)"
    )
}

/// A mapped field (JSON path in SQL `path`) matches `val`: its whole value, one of its items (a
/// multi-select), or an item whose label `val` is.
pub(super) fn custom_condition(path: &str, val: &str) -> String {
    let items = format!("(';' || replace({}, '; ', ';') || ';')", items_of(path));
    format!(
        "(coalesce(CAST(json_extract(c.custom, {path}) AS TEXT), '') = {val} COLLATE NOCASE
          OR ({val} <> '' AND instr({items}, ';' || {val} || ';') > 0)
          OR EXISTS (SELECT 1 FROM picklist_labels p
              WHERE p.connection_id = c.connection_id AND p.label = {val} COLLATE NOCASE
              AND instr({items}, ';' || p.item_id || ';') > 0))"
    )
}

/// One facet's condition: its values OR-ed.
fn facet_condition(w: &mut Where, facet: &str, values: &[&str]) -> Result<String> {
    let mut any = Vec::new();
    for v in values {
        let cond = if let Some(col) = column_of(facet) {
            format!("coalesce({col}, '') = {} COLLATE NOCASE", w.arg(Sql::Text(v.to_string())))
        } else if let Some(field) = facet.strip_prefix("custom:") {
            let path = w.arg(Sql::Text(json_path(field)?));
            let val = w.arg(Sql::Text(v.to_string()));
            custom_condition(&path, &val)
        } else {
            match (facet, *v) {
                ("renewal", days) => {
                    let days: i64 = days.parse().map_err(|_| invalid(facet, days))?;
                    let until = w.arg(Sql::Text(format!("+{days} days")));
                    format!("(c.renewal_date >= ?1 AND c.renewal_date <= date(?1, {until}))")
                }
                ("overdue", "yes") => OVERDUE.to_string(),
                ("overdue", "no") => format!("NOT {OVERDUE}"),
                ("px", "linked") => px_linked(),
                ("px", "unlinked") => format!("NOT {}", px_linked()),
                ("overdue" | "px", other) => return Err(invalid(facet, other)),
                _ => {
                    return Err(Error::new(ErrorKind::InvalidInput, format!("There is no \"{facet}\" filter."))
                        .with_hint("Filter by band, csm, stage, industry, renewal, overdue, px, connection or custom:FIELD."));
                }
            }
        };
        any.push(cond);
    }
    Ok(format!("({})", any.join(" OR ")))
}

/// The WHERE clause of a filter, leaving out one facet's own values when counting that facet.
fn where_of(f: &AccountFilter, except: Option<&str>) -> Result<Where> {
    // `?1 IS NOT NULL` keeps today a parameter of every statement, used or not.
    let mut w = Where { sql: String::from("?1 IS NOT NULL"), args: Vec::new() };
    if let Some(s) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let p = w
            .arg(Sql::Text(format!("%{}%", s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))));
        w.sql.push_str(&format!(
            " AND (c.name LIKE {p} ESCAPE '\\' OR c.csm_name LIKE {p} ESCAPE '\\' OR c.industry LIKE {p} ESCAPE '\\')"
        ));
    }
    let mut facets: Vec<&str> = f.filters.iter().map(|x| x.facet.as_str()).collect();
    facets.sort_unstable();
    facets.dedup();
    for facet in facets.into_iter().filter(|x| Some(*x) != except) {
        let values: Vec<&str> =
            f.filters.iter().filter(|x| x.facet == facet).map(|x| x.value.as_str()).collect();
        let cond = facet_condition(&mut w, facet, &values)?;
        w.sql.push_str(" AND ");
        w.sql.push_str(&cond);
    }
    Ok(w)
}

fn args(today: &str, w: Where) -> Vec<Sql> {
    let mut all = vec![Sql::Text(today.to_string())];
    all.extend(w.args);
    all
}

fn count(conn: &Connection, sql: &str, args: Vec<Sql>) -> Result<i64> {
    conn.query_row(sql, params_from_iter(args), |r| r.get(0)).map_err(db_err)
}

const OPEN_CTAS: &str = "(SELECT count(*) FROM ctas t INDEXED BY ctas_by_company
     WHERE t.connection_id = c.connection_id AND t.company_gsid = c.gsid AND t.is_closed = 0)";

/// The ORDER BY of a sort key, ending with the name and the key so the order is total (paging
/// must never show a row twice or skip one).
fn order_of(w: &mut Where, sort: Option<&str>) -> Result<String> {
    let sort = sort.unwrap_or("health");
    let (desc, key) = match sort.strip_prefix('-') {
        Some(k) => (true, k),
        None => (false, sort),
    };
    let custom;
    let column = match key {
        "name" => "c.name COLLATE NOCASE",
        "health" | "score" => "c.score",
        "arr" => "c.arr",
        "renewal" => "c.renewal_date",
        "csm" => "c.csm_name COLLATE NOCASE",
        "stage" => "c.stage COLLATE NOCASE",
        "industry" => "c.industry COLLATE NOCASE",
        "ctas" => OPEN_CTAS,
        k if k.starts_with("custom:") => {
            custom =
                format!("json_extract(c.custom, {})", w.arg(Sql::Text(json_path(&k["custom:".len()..])?)));
            custom.as_str()
        }
        other => {
            return Err(Error::new(ErrorKind::InvalidInput, format!("Cannot sort by \"{other}\"."))
                .with_hint("Use name, health, arr, renewal, csm, stage, industry, ctas or custom:FIELD."));
        }
    };
    let dir = if desc { "DESC" } else { "ASC" };
    Ok(format!("{column} IS NULL, {column} {dir}, c.name COLLATE NOCASE, c.connection_id, c.gsid"))
}

/// One page of accounts. The sort runs over the keys alone; the CTA counts are computed for the
/// page's rows only.
pub fn page(conn: &Connection, q: &AccountPageQuery, today: &str) -> Result<AccountPage> {
    let total =
        count(conn, "SELECT count(*) FROM companies WHERE ?1 IS NOT NULL", vec![Sql::Text(today.into())])?;
    let w = where_of(&q.filter, None)?;
    let matching = count(
        conn,
        &format!("SELECT count(*) FROM companies c WHERE {}", w.sql),
        args(today, where_of(&q.filter, None)?),
    )?;
    let mut w = w;
    let order = order_of(&mut w, q.sort.as_deref())?;
    let limit = w.arg(Sql::Integer(q.limit.clamp(1, 1000)));
    let offset = w.arg(Sql::Integer(q.offset.max(0)));
    let sql = format!(
        "WITH keys AS (
            SELECT c.rowid AS rid, row_number() OVER (ORDER BY {order}) AS n FROM companies c WHERE {}
            ORDER BY n LIMIT {limit} OFFSET {offset}
         )
         SELECT c.connection_id, {COMPANY_COLS}, {OPEN_CTAS},
            (SELECT count(*) FROM ctas t INDEXED BY ctas_by_company
                WHERE t.connection_id = c.connection_id AND t.company_gsid = c.gsid AND t.is_closed = 0 AND t.due_date < ?1)
         FROM keys JOIN companies c ON c.rowid = keys.rid ORDER BY keys.n",
        w.sql
    );
    let mut stmt = conn.prepare(&sql).map_err(db_err)?;
    let rows = stmt
        .query_map(params_from_iter(args(today, w)), |r| {
            Ok(AccountSummary {
                connection_id: r.get(0)?,
                company: company_from(r, 1)?,
                open_ctas: r.get(19)?,
                overdue_ctas: r.get(20)?,
            })
        })
        .map_err(db_err)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db_err)?;
    let labels = Labels::load(conn)?;
    let mut rows = rows;
    for r in &mut rows {
        labels.company(&r.connection_id, &mut r.company);
    }
    Ok(AccountPage { total, matching, offset: q.offset.max(0), rows })
}

fn grouped(
    conn: &Connection,
    f: &AccountFilter,
    facet: &str,
    expr: &str,
    today: &str,
) -> Result<(Vec<FacetValue>, i64)> {
    grouped_over(conn, f, facet, expr, "", today)
}

/// Counts per value of `expr` over the companies (joined with `join`, which may name `i`).
fn grouped_over(
    conn: &Connection,
    f: &AccountFilter,
    facet: &str,
    expr: &str,
    join: &str,
    today: &str,
) -> Result<(Vec<FacetValue>, i64)> {
    let mut w = where_of(f, Some(facet))?;
    let cap = w.arg(Sql::Integer(FACET_VALUES));
    let sql = format!(
        "SELECT v, n, count(*) OVER () FROM (
            SELECT coalesce({expr}, '') AS v, count(*) AS n FROM companies c {join} WHERE {} GROUP BY 1 COLLATE NOCASE
         ) ORDER BY n DESC, v = '', v COLLATE NOCASE LIMIT {cap}",
        w.sql
    );
    let mut distinct = 0;
    let mut stmt = conn.prepare(&sql).map_err(db_err)?;
    let rows = stmt
        .query_map(params_from_iter(args(today, w)), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        })
        .map_err(db_err)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db_err)?;
    let values = rows
        .into_iter()
        .map(|(value, count, d)| {
            distinct = d;
            let label = if value.is_empty() { "(not set)".to_string() } else { value.clone() };
            FacetValue { value, label, count }
        })
        .collect();
    Ok((values, distinct))
}

/// Counts of yes/no style facets: each value's condition counted under the other facets' filter.
fn flagged(
    conn: &Connection,
    f: &AccountFilter,
    facet: &str,
    values: &[(&str, &str)],
    today: &str,
) -> Result<Vec<FacetValue>> {
    let mut out = Vec::new();
    for (value, label) in values {
        let mut w = where_of(f, Some(facet))?;
        let cond = facet_condition(&mut w, facet, &[value])?;
        let n = count(
            conn,
            &format!("SELECT count(*) FROM companies c WHERE {} AND {cond}", w.sql),
            args(today, w),
        )?;
        out.push(FacetValue { value: value.to_string(), label: label.to_string(), count: n });
    }
    Ok(out)
}

/// The facets of the accounts list with their counts under the current filter: band, CSM, stage,
/// industry, renewal windows, overdue CTAs, PX link, connection (when there are several) and each
/// mapped custom field.
pub fn facets(conn: &Connection, f: &AccountFilter, today: &str) -> Result<Vec<Facet>> {
    let mut out = Vec::new();
    let labels = Labels::load(conn)?;
    let labelled = |values: Vec<FacetValue>| -> Vec<FacetValue> {
        values
            .into_iter()
            .map(|v| if v.value.is_empty() { v } else { FacetValue { label: labels.any(&v.value), ..v } })
            .collect()
    };
    for (facet, label) in
        [("band", "Health band"), ("csm", "CSM"), ("stage", "Stage"), ("industry", "Industry")]
    {
        let expr = column_of(facet).unwrap_or("NULL");
        let (values, distinct) = grouped(conn, f, facet, expr, today)?;
        let values = if matches!(facet, "stage" | "industry") { labelled(values) } else { values };
        out.push(Facet { facet: facet.into(), label: label.into(), values, distinct });
    }
    let windows: Vec<(String, String)> =
        RENEWAL_WINDOWS.iter().map(|d| (d.to_string(), format!("Within {d} days"))).collect();
    let windows: Vec<(&str, &str)> = windows.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    for (facet, label, values) in [
        ("renewal", "Renewal", windows),
        ("overdue", "Overdue CTAs", vec![("yes", "Has overdue CTAs"), ("no", "None overdue")]),
        ("px", "PX", vec![("linked", "Linked to PX"), ("unlinked", "Not linked")]),
    ] {
        let values = flagged(conn, f, facet, &values, today)?;
        out.push(Facet { facet: facet.into(), label: label.into(), distinct: values.len() as i64, values });
    }
    let (connections, distinct) = grouped(conn, f, "connection", "c.connection_id", today)?;
    if distinct > 1 {
        let names: std::collections::HashMap<String, String> =
            collect(conn, "SELECT id, name FROM connections", &[], |r| Ok((r.get(0)?, r.get(1)?)))?
                .into_iter()
                .collect();
        let values = connections
            .into_iter()
            .map(|v| FacetValue {
                label: names.get(&v.value).cloned().unwrap_or_else(|| v.value.clone()),
                ..v
            })
            .collect();
        out.push(Facet { facet: "connection".into(), label: "Connection".into(), values, distinct });
    }
    for m in custom_columns(conn)? {
        let facet = format!("custom:{}", m.field_name);
        let path = format!("'{}'", json_path(&m.field_name)?);
        let (values, distinct) = if m.data_type.eq_ignore_ascii_case("MULTISELECTDROPDOWNLIST") {
            // One count per item: an account with two products counts under each.
            let items = items_of(&path);
            let join = format!(
                "LEFT JOIN json_each(CASE WHEN coalesce({items}, '') = '' THEN NULL ELSE
                    '[\"' || replace(replace(replace({items}, '\\', '\\\\'), '\"', '\\\"'), ';', '\",\"') || '\"]' END) i"
            );
            grouped_over(conn, f, &facet, "trim(i.value)", &join, today)?
        } else {
            grouped(conn, f, &facet, &format!("CAST(json_extract(c.custom, {path}) AS TEXT)"), today)?
        };
        let values = labelled(values);
        let label = if m.label.is_empty() { m.field_name.clone() } else { m.label.clone() };
        out.push(Facet { facet, label, values, distinct });
    }
    Ok(out)
}
