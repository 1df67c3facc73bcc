//! Accounts at org scale: one page of the filtered, sorted accounts with the true total and the
//! number that match, and facet counts for the current filter, all computed in SQLite.
//!
//! A filter is a list of `(facet, value)` pairs: values of one facet widen (OR), different facets
//! narrow (AND). Each facet's counts are taken under every *other* facet's filter, so choosing
//! "Poor" still shows how many accounts are "Average" (picking a second band widens the list).

use super::account_index::{AccountIndex, Counted as MappedCounted, Snapshot};
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
pub(super) struct Where {
    pub(super) sql: String,
    pub(super) args: Vec<Sql>,
}

impl Where {
    fn arg(&mut self, v: Sql) -> String {
        self.args.push(v);
        format!("?{}", self.args.len() + 1)
    }
}

pub(super) fn column_of(facet: &str) -> Option<&'static str> {
    Some(match facet {
        "band" => "c.score_label",
        "csm" => "c.csm_name",
        "stage" => "c.stage",
        "industry" => "c.industry",
        "connection" => "c.connection_id",
        _ => return None,
    })
}

pub(super) const OVERDUE: &str = "EXISTS (SELECT 1 FROM ctas t INDEXED BY ctas_by_company WHERE t.connection_id = c.connection_id \
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
pub(super) fn items_of(path: &str) -> String {
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

/// A mapped field's value as the list shows it, for sorting: numbers as numbers, picklist and
/// multi-select ids replaced by their labels (an id the org no longer describes stays itself).
fn custom_sort_key(path: &str) -> String {
    let items = items_of(path);
    format!(
        "(CASE WHEN json_type(c.custom, {path}) IN ('integer', 'real') THEN json_extract(c.custom, {path})
          WHEN coalesce({items}, '') = '' THEN NULL
          ELSE (SELECT group_concat(coalesce(p.label, trim(i.value)), '; ')
                FROM json_each('[\"' || replace(replace(replace({items}, '\\', '\\\\'), '\"', '\\\"'), ';', '\",\"') || '\"]') i
                LEFT JOIN picklist_labels p ON p.connection_id = c.connection_id AND p.item_id = trim(i.value))
          END) COLLATE NOCASE"
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

/// The search's condition (name, CSM or industry contains it), added to `w`.
fn search_condition(w: &mut Where, f: &AccountFilter) {
    if let Some(s) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let p = w
            .arg(Sql::Text(format!("%{}%", s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))));
        w.sql.push_str(&format!(
            " AND (c.name LIKE {p} ESCAPE '\\' OR c.csm_name LIKE {p} ESCAPE '\\' OR c.industry LIKE {p} ESCAPE '\\')"
        ));
    }
}

/// The WHERE clause of a filter.
pub(super) fn where_of(f: &AccountFilter) -> Result<Where> {
    // `?1 IS NOT NULL` keeps today a parameter of every statement, used or not.
    let mut w = Where { sql: String::from("?1 IS NOT NULL"), args: Vec::new() };
    search_condition(&mut w, f);
    let mut facets: Vec<&str> = f.filters.iter().map(|x| x.facet.as_str()).collect();
    facets.sort_unstable();
    facets.dedup();
    for facet in facets {
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
pub(super) fn order_of(w: &mut Where, sort: Option<&str>) -> Result<String> {
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
            custom = custom_sort_key(&w.arg(Sql::Text(json_path(&k["custom:".len()..])?)));
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

/// One page of accounts, from the in-memory index of the cache (see [`super::account_index`]).
pub fn page(
    conn: &Connection,
    index: &AccountIndex,
    q: &AccountPageQuery,
    today: &str,
) -> Result<AccountPage> {
    // The filter's errors are the SQL path's own.
    where_of(&q.filter)?;
    let Some(snap) = index.snapshot(conn, today)? else { return page_sql(conn, q, today) };
    let Some(filter) = snap.compile(conn, &q.filter)? else { return page_sql(conn, q, today) };
    let order = snap.order(conn, q.sort.as_deref())?;
    let (offset, limit) = (q.offset.max(0) as usize, q.limit.clamp(1, 1000) as usize);
    let mut matching = 0;
    let mut ids = Vec::with_capacity(limit);
    for &row in order.iter() {
        if filter.matches(&snap, row as usize) {
            if matching >= offset && ids.len() < limit {
                ids.push(snap.rowid(row as usize));
            }
            matching += 1;
        }
    }
    let rows = fetch_rows(conn, &ids, today, &snap.labels)?;
    Ok(AccountPage { total: snap.len() as i64, matching: matching as i64, offset: offset as i64, rows })
}

/// One page of accounts computed in SQL alone (what [`page`] answers from memory). The sort runs
/// over the keys alone; the CTA counts are computed for the page's rows only.
pub fn page_sql(conn: &Connection, q: &AccountPageQuery, today: &str) -> Result<AccountPage> {
    let total =
        count(conn, "SELECT count(*) FROM companies WHERE ?1 IS NOT NULL", vec![Sql::Text(today.into())])?;
    let w = where_of(&q.filter)?;
    let matching = count(
        conn,
        &format!("SELECT count(*) FROM companies c WHERE {}", w.sql),
        args(today, where_of(&q.filter)?),
    )?;
    let mut w = w;
    let order = order_of(&mut w, q.sort.as_deref())?;
    let limit = w.arg(Sql::Integer(q.limit.clamp(1, 1000)));
    let offset = w.arg(Sql::Integer(q.offset.max(0)));
    // The page's keys first, by SQLite's top-N sort over the matching rows (a window function
    // numbering every match cost 15 times more), then those rows with their CTA counts.
    let keys = format!(
        "SELECT c.rowid FROM companies c WHERE {} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
        w.sql
    );
    let ids: Vec<i64> = {
        let mut stmt = conn.prepare_cached(&keys).map_err(db_err)?;
        stmt.query_map(params_from_iter(args(today, w)), |r| r.get(0))
            .map_err(db_err)?
            .collect::<rusqlite::Result<_>>()
            .map_err(db_err)?
    };
    let rows = fetch_rows(conn, &ids, today, &Labels::load(conn)?)?;
    Ok(AccountPage { total, matching, offset: q.offset.max(0), rows })
}

/// The companies of these rowids, in this order, with their CTA counts and labels.
fn fetch_rows(conn: &Connection, ids: &[i64], today: &str, labels: &Labels) -> Result<Vec<AccountSummary>> {
    let at: std::collections::HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let sql = format!(
        "SELECT c.rowid, c.connection_id, {COMPANY_COLS}, {OPEN_CTAS},
            (SELECT count(*) FROM ctas t INDEXED BY ctas_by_company
                WHERE t.connection_id = c.connection_id AND t.company_gsid = c.gsid AND t.is_closed = 0 AND t.due_date < ?1)
         FROM companies c WHERE c.rowid IN (SELECT value FROM json_each(?2))"
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
    let ids = serde_json::Value::from(ids.to_vec()).to_string();
    let mut rows = stmt
        .query_map(rusqlite::params![today, ids], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                AccountSummary {
                    connection_id: r.get(1)?,
                    company: company_from(r, 2)?,
                    open_ctas: r.get(20)?,
                    overdue_ctas: r.get(21)?,
                },
            ))
        })
        .map_err(db_err)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db_err)?;
    rows.sort_by_key(|(id, _)| at.get(id).copied().unwrap_or(usize::MAX));
    let mut rows: Vec<AccountSummary> = rows.into_iter().map(|(_, r)| r).collect();
    for r in &mut rows {
        labels.company(&r.connection_id, &mut r.company);
    }
    Ok(rows)
}

/// One facet's counts as they are gathered: by value, case-insensitively (the first spelling met
/// is shown), as SQLite's `GROUP BY … COLLATE NOCASE` would. A value already met costs no
/// allocation (its key is folded into a buffer kept between calls).
#[derive(Default)]
pub(super) struct Tally {
    by_key: std::collections::HashMap<Vec<u8>, (String, i64)>,
    key: Vec<u8>,
}

impl Tally {
    /// A value counted elsewhere: its folded key, its spelling and its count.
    pub(super) fn insert(&mut self, key: &[u8], shown: &str, n: i64) {
        self.by_key.insert(key.to_vec(), (shown.to_string(), n));
    }

    pub(super) fn add(&mut self, value: &[u8]) {
        self.key.clear();
        self.key.extend(value.iter().map(u8::to_ascii_lowercase));
        match self.by_key.get_mut(self.key.as_slice()) {
            Some(seen) => seen.1 += 1,
            None => {
                let shown = String::from_utf8_lossy(value).into_owned();
                self.by_key.insert(self.key.clone(), (shown, 1));
            }
        }
    }

    /// The text of column `at` of `r` (a number as its text, NULL as ''), counted.
    pub(super) fn add_column(&mut self, r: &rusqlite::Row, at: usize) -> Result<()> {
        use rusqlite::types::ValueRef;
        match r.get_ref(at).map_err(db_err)? {
            ValueRef::Text(t) | ValueRef::Blob(t) => self.add(t),
            ValueRef::Null => self.add(b""),
            ValueRef::Integer(i) => self.add(i.to_string().as_bytes()),
            ValueRef::Real(f) => self.add(f.to_string().as_bytes()),
        }
        Ok(())
    }

    /// Most common first, set values before "not set", then by value; at most [`FACET_VALUES`],
    /// and how many distinct values there are.
    pub(super) fn values(self) -> (Vec<FacetValue>, i64) {
        let distinct = self.by_key.len() as i64;
        let mut all: Vec<(Vec<u8>, String, i64)> =
            self.by_key.into_iter().map(|(k, (v, n))| (k, v, n)).collect();
        all.sort_by(|a, b| {
            b.2.cmp(&a.2).then(a.1.is_empty().cmp(&b.1.is_empty())).then_with(|| a.0.cmp(&b.0))
        });
        all.truncate(FACET_VALUES as usize);
        let values = all
            .into_iter()
            .map(|(_, value, count)| {
                let label = if value.is_empty() { "(not set)".to_string() } else { value.clone() };
                FacetValue { value, label, count }
            })
            .collect();
        (values, distinct)
    }
}

/// Which of the chosen facets' conditions (columns from `first`, one per facet) row `r` fails:
/// `Ok(None)` when it fails more than one (it counts nowhere), else `Ok(Some(failed))` where
/// `failed` is the one it fails, if any (it counts for that facet alone).
pub(super) fn failed_choice(r: &rusqlite::Row, first: usize, chosen: usize) -> Result<Option<Option<usize>>> {
    let mut failed = None;
    for k in 0..chosen {
        if r.get::<_, i64>(first + k).map_err(db_err)? == 0 {
            if failed.is_some() {
                return Ok(None);
            }
            failed = Some(k);
        }
    }
    Ok(Some(failed))
}

/// What a facet counts, per company row of the single pass in [`facets`].
enum Counted {
    /// The text of this column ('' when not set).
    Column(usize),
    /// A multi-select's items in this column, each counted ('' when none).
    Items(usize),
    /// Yes/no values: for each, the column that says whether the row has a flag, and whether
    /// the value is having it or not.
    Flags(Vec<(String, String, usize, bool)>),
}

struct FacetSpec {
    facet: String,
    label: String,
    counted: Counted,
    /// Values shown by their picklist labels.
    labelled: bool,
}

/// The facets of the accounts list with their counts under the current filter: band, CSM, stage,
/// industry, renewal windows, overdue CTAs, PX link, connection (when there are several) and each
/// mapped custom field.
///
/// One pass over the companies the search matches: each row brings every facet's value and
/// whether it meets each chosen facet's condition, and a row counts for a facet when it meets
/// every chosen facet but (maybe) that one. Before, each facet and flag was a query of its own
/// (about a dozen scans of the table per keystroke). [`facets`] gives the same counts from memory.
pub fn facets_sql(conn: &Connection, f: &AccountFilter, today: &str) -> Result<Vec<Facet>> {
    let labels = Labels::load(conn)?;
    let mut w = Where { sql: String::from("?1 IS NOT NULL"), args: Vec::new() };
    search_condition(&mut w, f);
    let mut columns: Vec<String> =
        ["c.score_label", "c.csm_name", "c.stage", "c.industry", "c.connection_id"]
            .iter()
            .map(|c| format!("coalesce({c}, '')"))
            .collect();
    let mut specs = Vec::new();
    for (i, (facet, label)) in
        [("band", "Health band"), ("csm", "CSM"), ("stage", "Stage"), ("industry", "Industry")]
            .into_iter()
            .enumerate()
    {
        let labelled = matches!(facet, "stage" | "industry");
        specs.push(FacetSpec {
            facet: facet.into(),
            label: label.into(),
            counted: Counted::Column(i),
            labelled,
        });
    }
    let flag = |columns: &mut Vec<String>, w: &mut Where, facet: &str, value: &str| -> Result<usize> {
        let cond = facet_condition(w, facet, &[value])?;
        columns.push(format!("coalesce({cond}, 0)"));
        Ok(columns.len() - 1)
    };
    let mut windows = Vec::new();
    for d in RENEWAL_WINDOWS {
        let at = flag(&mut columns, &mut w, "renewal", &d.to_string())?;
        windows.push((d.to_string(), format!("Within {d} days"), at, true));
    }
    specs.push(FacetSpec {
        facet: "renewal".into(),
        label: "Renewal".into(),
        counted: Counted::Flags(windows),
        labelled: false,
    });
    let overdue = flag(&mut columns, &mut w, "overdue", "yes")?;
    // "None overdue" and "Not linked" are the rows without the flag: one column serves both.
    specs.push(FacetSpec {
        facet: "overdue".into(),
        label: "Overdue CTAs".into(),
        counted: Counted::Flags(vec![
            ("yes".into(), "Has overdue CTAs".into(), overdue, true),
            ("no".into(), "None overdue".into(), overdue, false),
        ]),
        labelled: false,
    });
    let linked = flag(&mut columns, &mut w, "px", "linked")?;
    specs.push(FacetSpec {
        facet: "px".into(),
        label: "PX".into(),
        counted: Counted::Flags(vec![
            ("linked".into(), "Linked to PX".into(), linked, true),
            ("unlinked".into(), "Not linked".into(), linked, false),
        ]),
        labelled: false,
    });
    specs.push(FacetSpec {
        facet: "connection".into(),
        label: "Connection".into(),
        counted: Counted::Column(4),
        labelled: false,
    });
    for m in custom_columns(conn)? {
        let path = w.arg(Sql::Text(json_path(&m.field_name)?));
        let multi = m.data_type.eq_ignore_ascii_case("MULTISELECTDROPDOWNLIST");
        columns.push(if multi {
            format!("coalesce({}, '')", items_of(&path))
        } else {
            format!("coalesce(CAST(json_extract(c.custom, {path}) AS TEXT), '')")
        });
        let at = columns.len() - 1;
        let label = if m.label.is_empty() { m.field_name.clone() } else { m.label.clone() };
        let counted = if multi { Counted::Items(at) } else { Counted::Column(at) };
        specs.push(FacetSpec { facet: format!("custom:{}", m.field_name), label, counted, labelled: true });
    }
    // Each chosen facet's condition (its values OR-ed), as a column of its own.
    let mut chosen: Vec<&str> = f.filters.iter().map(|x| x.facet.as_str()).collect();
    chosen.sort_unstable();
    chosen.dedup();
    let first_cond = columns.len();
    for facet in &chosen {
        let values: Vec<&str> =
            f.filters.iter().filter(|x| x.facet == *facet).map(|x| x.value.as_str()).collect();
        let cond = facet_condition(&mut w, facet, &values)?;
        columns.push(format!("coalesce({cond}, 0)"));
    }
    // Which chosen facet, if any, each spec is (its own choice does not narrow its counts).
    let own: Vec<Option<usize>> = specs.iter().map(|s| chosen.iter().position(|c| *c == s.facet)).collect();
    let mut tallies: Vec<Tally> = specs.iter().map(|_| Tally::default()).collect();
    let mut flags: Vec<Vec<i64>> = specs
        .iter()
        .map(|s| match &s.counted {
            Counted::Flags(v) => vec![0; v.len()],
            _ => Vec::new(),
        })
        .collect();
    let sql = format!("SELECT {} FROM companies c WHERE {}", columns.join(", "), w.sql);
    let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
    let mut rows = stmt.query(params_from_iter(args(today, w))).map_err(db_err)?;
    while let Some(r) = rows.next().map_err(db_err)? {
        let Some(failed) = failed_choice(r, first_cond, chosen.len())? else { continue };
        for (i, spec) in specs.iter().enumerate() {
            if failed.is_some() && own[i] != failed {
                continue;
            }
            match &spec.counted {
                Counted::Column(at) => tallies[i].add_column(r, *at)?,
                Counted::Items(at) => {
                    let items: String = r.get(*at).map_err(db_err)?;
                    if items.is_empty() {
                        tallies[i].add(b"");
                    } else {
                        items.split(';').for_each(|item| tallies[i].add(item.trim().as_bytes()));
                    }
                }
                Counted::Flags(values) => {
                    for (v, (_, _, at, has)) in values.iter().enumerate() {
                        if (r.get::<_, i64>(*at).map_err(db_err)? != 0) == *has {
                            flags[i][v] += 1;
                        }
                    }
                }
            }
        }
    }
    let counted = specs
        .into_iter()
        .zip(tallies)
        .zip(flags)
        .map(|((spec, tally), counts)| {
            let (values, distinct) = match &spec.counted {
                Counted::Flags(v) => flag_values(v.iter().map(|(value, label, ..)| (value, label)), counts),
                _ => tally.values(),
            };
            (spec.facet, spec.label, spec.labelled, values, distinct)
        })
        .collect();
    finish(conn, &labels, counted)
}

/// Yes/no values with their counts (every one shown).
fn flag_values<'a>(
    values: impl Iterator<Item = (&'a String, &'a String)>,
    counts: Vec<i64>,
) -> (Vec<FacetValue>, i64) {
    let values: Vec<FacetValue> = values
        .zip(counts)
        .map(|((value, label), count)| FacetValue { value: value.clone(), label: label.clone(), count })
        .collect();
    let n = values.len() as i64;
    (values, n)
}

/// The facets as shown: each facet's values by their labels (connections by name), the
/// connection facet only when there are several.
fn finish(
    conn: &Connection,
    labels: &Labels,
    counted: Vec<(String, String, bool, Vec<FacetValue>, i64)>,
) -> Result<Vec<Facet>> {
    let names: std::collections::HashMap<String, String> =
        collect(conn, "SELECT id, name FROM connections", &[], |r| Ok((r.get(0)?, r.get(1)?)))?
            .into_iter()
            .collect();
    let mut out = Vec::new();
    for (facet, label, labelled, values, distinct) in counted {
        if facet == "connection" && distinct <= 1 {
            continue;
        }
        let values = values
            .into_iter()
            .map(|v| match facet.as_str() {
                _ if v.value.is_empty() => v,
                "connection" => {
                    FacetValue { label: names.get(&v.value).cloned().unwrap_or_else(|| v.value.clone()), ..v }
                }
                _ if labelled => FacetValue { label: labels.any(&v.value), ..v },
                _ => v,
            })
            .collect();
        out.push(Facet { facet, label, values, distinct });
    }
    Ok(out)
}

/// Where a yes/no facet value of the in-memory facets reads its flag.
#[derive(Clone, Copy)]
enum Flag {
    Window(usize),
    Overdue,
    Linked,
}

/// What a facet of the in-memory facets counts.
enum FromSnapshot {
    /// `Snapshot::columns[i]`.
    Column(usize),
    /// `Snapshot::mapped[i]`.
    Mapped(usize),
    Flags(Vec<(String, String, Flag, bool)>),
}

/// Counts of one facet's numbered values, and the first row (and item) counted for each, whose
/// spelling is shown (as the SQL pass shows the first one met).
struct Counts {
    n: Vec<i64>,
    first: Vec<(u32, u32)>,
}

impl Counts {
    fn new(len: usize) -> Counts {
        Counts { n: vec![0; len], first: vec![(0, 0); len] }
    }

    fn add(&mut self, id: u32, row: usize, item: usize) {
        let id = id as usize;
        if self.n[id] == 0 {
            self.first[id] = (row as u32, item as u32);
        }
        self.n[id] += 1;
    }

    /// As [`Tally::values`] gives them.
    fn values(
        &self,
        keys: &super::account_index::Interned,
        shown: impl Fn(u32, u32) -> String,
    ) -> (Vec<FacetValue>, i64) {
        let mut tally = Tally::default();
        for (id, &n) in self.n.iter().enumerate() {
            if n > 0 {
                let (row, item) = self.first[id];
                tally.by_key.insert(keys.key(id as u32).to_vec(), (shown(row, item), n));
            }
        }
        tally.values()
    }
}

/// The accounts list's facets from the in-memory index (the same counts as [`facets_sql`]).
pub fn facets(conn: &Connection, index: &AccountIndex, f: &AccountFilter, today: &str) -> Result<Vec<Facet>> {
    where_of(f)?;
    let Some(snap) = index.snapshot(conn, today)? else { return facets_sql(conn, f, today) };
    let Some(filter) = snap.compile(conn, f)? else { return facets_sql(conn, f, today) };
    let s: &Snapshot = &snap;
    let mut specs: Vec<(String, String, bool, FromSnapshot)> = Vec::new();
    for (i, (facet, label)) in
        [("band", "Health band"), ("csm", "CSM"), ("stage", "Stage"), ("industry", "Industry")]
            .into_iter()
            .enumerate()
    {
        specs.push((
            facet.into(),
            label.into(),
            matches!(facet, "stage" | "industry"),
            FromSnapshot::Column(i),
        ));
    }
    let windows = RENEWAL_WINDOWS
        .iter()
        .enumerate()
        .map(|(k, d)| (d.to_string(), format!("Within {d} days"), Flag::Window(k), true))
        .collect();
    specs.push(("renewal".into(), "Renewal".into(), false, FromSnapshot::Flags(windows)));
    specs.push((
        "overdue".into(),
        "Overdue CTAs".into(),
        false,
        FromSnapshot::Flags(vec![
            ("yes".into(), "Has overdue CTAs".into(), Flag::Overdue, true),
            ("no".into(), "None overdue".into(), Flag::Overdue, false),
        ]),
    ));
    specs.push((
        "px".into(),
        "PX".into(),
        false,
        FromSnapshot::Flags(vec![
            ("linked".into(), "Linked to PX".into(), Flag::Linked, true),
            ("unlinked".into(), "Not linked".into(), Flag::Linked, false),
        ]),
    ));
    specs.push(("connection".into(), "Connection".into(), false, FromSnapshot::Column(4)));
    for (i, m) in s.mapped.iter().enumerate() {
        specs.push((format!("custom:{}", m.field), m.label.clone(), true, FromSnapshot::Mapped(i)));
    }
    let own: Vec<Option<usize>> =
        specs.iter().map(|(facet, ..)| filter.conds.iter().position(|(c, _)| c == facet)).collect();
    let mut counts: Vec<Counts> = specs
        .iter()
        .map(|(.., from)| match from {
            FromSnapshot::Column(c) => Counts::new(s.columns[*c].values.len()),
            FromSnapshot::Mapped(m) => Counts::new(match &s.mapped[*m].counted {
                MappedCounted::Single(col) => col.values.len(),
                MappedCounted::Multi(items) => items.values.len(),
            }),
            FromSnapshot::Flags(v) => Counts::new(v.len()),
        })
        .collect();
    'rows: for row in 0..s.len() {
        if !filter.searched(s, row) {
            continue;
        }
        let mut failed = None;
        for (k, (_, cond)) in filter.conds.iter().enumerate() {
            if !filter.meets(s, row, cond) {
                if failed.is_some() {
                    continue 'rows;
                }
                failed = Some(k);
            }
        }
        for (i, (.., from)) in specs.iter().enumerate() {
            if failed.is_some() && own[i] != failed {
                continue;
            }
            let c = &mut counts[i];
            match from {
                FromSnapshot::Column(col) => c.add(s.columns[*col].ids[row], row, 0),
                FromSnapshot::Mapped(m) => match &s.mapped[*m].counted {
                    MappedCounted::Single(col) => c.add(col.ids[row], row, 0),
                    MappedCounted::Multi(items) => {
                        for (k, (id, _)) in items.rows[row].iter().enumerate() {
                            c.add(*id, row, k);
                        }
                    }
                },
                FromSnapshot::Flags(values) => {
                    for (v, (.., flag, has)) in values.iter().enumerate() {
                        let set = match flag {
                            Flag::Window(k) => s.windows[row][*k],
                            Flag::Overdue => s.overdue[row],
                            Flag::Linked => s.linked[row],
                        };
                        if set == *has {
                            c.n[v] += 1;
                        }
                    }
                }
            }
        }
    }
    let counted = specs
        .into_iter()
        .zip(counts)
        .map(|((facet, label, labelled, from), c)| {
            let (values, distinct) = match &from {
                FromSnapshot::Column(col) => {
                    let col = &s.columns[*col];
                    c.values(&col.values, |row, _| col.raw[row as usize].clone())
                }
                FromSnapshot::Mapped(m) => match &s.mapped[*m].counted {
                    MappedCounted::Single(col) => {
                        c.values(&col.values, |row, _| col.raw[row as usize].clone())
                    }
                    MappedCounted::Multi(items) => {
                        c.values(&items.values, |row, item| items.rows[row as usize][item as usize].1.clone())
                    }
                },
                FromSnapshot::Flags(v) => flag_values(v.iter().map(|(value, label, ..)| (value, label)), c.n),
            };
            (facet, label, labelled, values, distinct)
        })
        .collect();
    finish(conn, &s.labels, counted)
}
