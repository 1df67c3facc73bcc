//! The accounts list from memory. What the list filters, counts and sorts by is read from SQLite
//! once per state of the database into columns, and every page, facet count and search keystroke
//! after that is computed from them, until the database changes: `PRAGMA data_version` tells a
//! commit by another connection (the sync's writer, the CLI, another app), `total_changes` one by
//! this connection, and today's date (overdue and renewal flags) is part of the key.
//!
//! A sort order is SQLite's own: the first page of a sort asks SQLite for every company's rowid in
//! that `ORDER BY` (the one of [`super::account_page`]) and keeps it; a page is the matching rows
//! walked in that order.
//!
//! Conditions follow SQLite's rules: `NOCASE` and `LIKE` fold ASCII letters only, dates are text
//! compared as text, the last day of a renewal window is SQLite's `date()`. `page_sql` and
//! `facets_sql` give the same answers straight from SQL; tests hold the two equal, and a filter
//! this index cannot answer (a custom field that is not mapped) is answered by them.

use super::account_page::{AccountFilter, OVERDUE, RENEWAL_WINDOWS, Where, column_of, items_of, order_of};
use super::browse::{custom_columns, json_path};
use super::db_err;
use super::picklists::Labels;
use crate::error::{Error, ErrorKind, Result};
use rusqlite::{Connection, params_from_iter, types::Value as Sql};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The state of the database a snapshot was taken from.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Key {
    data_version: i64,
    changes: u64,
    pub(super) today: String,
}

pub(super) fn key(conn: &Connection, today: &str) -> Result<Key> {
    let data_version = conn.query_row("PRAGMA data_version", [], |r| r.get(0)).map_err(db_err)?;
    Ok(Key { data_version, changes: conn.total_changes(), today: today.to_string() })
}

pub(super) fn poisoned() -> Error {
    Error::new(ErrorKind::Internal, "The in-memory list lock was poisoned by a crash.")
}

/// A snapshot of the database kept until the database changes. While it changes between one
/// query and the next (a sync is writing) queries are answered by SQL, so a sync's every commit
/// does not cost a new snapshot; the first query that finds the database as the one before did
/// takes a new one.
pub struct Kept<T> {
    state: Mutex<KeptState<T>>,
}

struct KeptState<T> {
    current: Option<Arc<T>>,
    key: Option<Key>,
    /// The database as the last query found it.
    seen: Option<Key>,
    built: u64,
    answered: u64,
}

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept { state: Mutex::new(KeptState { current: None, key: None, seen: None, built: 0, answered: 0 }) }
    }
}

impl<T> Kept<T> {
    /// The snapshot of the database as it is now, or `None` when the query is SQL's to answer.
    pub(super) fn get(
        &self,
        conn: &Connection,
        today: &str,
        load: impl FnOnce(&Connection, Key) -> Result<T>,
    ) -> Result<Option<Arc<T>>> {
        let now = key(conn, today)?;
        let mut s = self.state.lock().map_err(|_| poisoned())?;
        if s.key.as_ref() != Some(&now) {
            if s.seen.as_ref() != Some(&now) {
                s.seen = Some(now);
                return Ok(None);
            }
            let snapshot = Arc::new(load(conn, now.clone())?);
            s.current = Some(snapshot);
            s.key = Some(now);
            s.built += 1;
        }
        s.answered += 1;
        Ok(s.current.clone())
    }

    /// How many snapshots were taken.
    pub fn built(&self) -> u64 {
        self.state.lock().map_or(0, |s| s.built)
    }

    /// How many queries a snapshot answered.
    pub fn answered(&self) -> u64 {
        self.state.lock().map_or(0, |s| s.answered)
    }
}

/// The accounts list in memory.
pub type AccountIndex = Kept<Snapshot>;

impl AccountIndex {
    pub(super) fn snapshot(&self, conn: &Connection, today: &str) -> Result<Option<Arc<Snapshot>>> {
        self.get(conn, today, Snapshot::load)
    }
}

/// Text values of one column, numbered by their ASCII-lowercase form (`GROUP BY … COLLATE NOCASE`).
#[derive(Default)]
pub(super) struct Interned {
    index: HashMap<Vec<u8>, u32>,
    keys: Vec<Vec<u8>>,
}

impl Interned {
    pub(super) fn id(&mut self, value: &str) -> u32 {
        if !value.bytes().any(|b| b.is_ascii_uppercase()) {
            if let Some(id) = self.index.get(value.as_bytes()) {
                return *id;
            }
        }
        let key = value.as_bytes().to_ascii_lowercase();
        if let Some(id) = self.index.get(&key) {
            return *id;
        }
        let id = self.keys.len() as u32;
        self.keys.push(key.clone());
        self.index.insert(key, id);
        id
    }

    pub(super) fn key(&self, id: u32) -> &[u8] {
        &self.keys[id as usize]
    }

    pub(super) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Which ids equal one of `values` under `NOCASE`.
    pub(super) fn matching(&self, values: &[&str]) -> Vec<bool> {
        let wanted: Vec<Vec<u8>> = values.iter().map(|v| v.as_bytes().to_ascii_lowercase()).collect();
        self.keys.iter().map(|k| wanted.iter().any(|w| w == k)).collect()
    }
}

/// A facet's value per row ('' when not set), as written and as numbered.
#[derive(Default)]
pub(super) struct Column {
    pub(super) values: Interned,
    pub(super) ids: Vec<u32>,
    pub(super) raw: Vec<String>,
}

impl Column {
    fn push(&mut self, value: String) {
        self.ids.push(self.values.id(&value));
        self.raw.push(value);
    }
}

/// A multi-select's items per row (one '' item when it has none), as written and as numbered.
#[derive(Default)]
pub(super) struct Items {
    pub(super) values: Interned,
    pub(super) rows: Vec<Vec<(u32, String)>>,
}

/// What a mapped custom field's facet counts.
pub(super) enum Counted {
    Single(Column),
    Multi(Items),
}

/// A mapped custom field of every company.
pub(super) struct Mapped {
    pub(super) field: String,
    pub(super) label: String,
    /// `coalesce(CAST(json_extract(custom, path) AS TEXT), '')`.
    text: Vec<String>,
    /// Its items between `;`s (`';' || replace(items, '; ', ';') || ';'`), `None` with none.
    wrapped: Vec<Option<String>>,
    pub(super) counted: Counted,
}

/// One state of the companies table, in columns (row `i` of each is the `i`-th company by rowid).
pub struct Snapshot {
    key: Key,
    rowids: Vec<i64>,
    /// Name, CSM and industry, ASCII-lowercased, for search.
    searched: Vec<[Option<String>; 3]>,
    renewal: Vec<Option<String>>,
    /// Renews within each of [`RENEWAL_WINDOWS`].
    pub(super) windows: Vec<[bool; 3]>,
    pub(super) overdue: Vec<bool>,
    pub(super) linked: Vec<bool>,
    /// Band, CSM, stage, industry, connection.
    pub(super) columns: [Column; 5],
    pub(super) mapped: Vec<Mapped>,
    pub(super) labels: Labels,
    orders: Mutex<HashMap<String, Arc<Vec<u32>>>>,
}

/// `renewal` falls on a day from `today` to `until` (text dates compared as text; no last day,
/// as SQLite's `date()` gives for a window out of its range, matches nothing).
fn renews_within(renewal: Option<&str>, today: &str, until: Option<&str>) -> bool {
    match (renewal, until) {
        (Some(r), Some(u)) => r >= today && r <= u,
        _ => false,
    }
}

/// The last day of a renewal window of `days` days, by SQLite's `date()`.
fn window_end(conn: &Connection, today: &str, days: i64) -> Result<Option<String>> {
    conn.query_row("SELECT date(?1, ?2)", rusqlite::params![today, format!("+{days} days")], |r| r.get(0))
        .map_err(db_err)
}

impl Snapshot {
    fn load(conn: &Connection, key: Key) -> Result<Snapshot> {
        let today = key.today.clone();
        let fields = custom_columns(conn)?;
        let mut args = vec![Sql::Text(today.clone())];
        let mut columns = vec![
            "c.rowid".to_string(),
            "c.name".into(),
            "c.csm_name".into(),
            "c.industry".into(),
            "c.stage".into(),
            "c.score_label".into(),
            "c.connection_id".into(),
            "c.renewal_date".into(),
            OVERDUE.into(),
            crate::insights::link::linked_sql(),
        ];
        for m in &fields {
            args.push(Sql::Text(json_path(&m.field_name)?));
            let path = format!("?{}", args.len());
            columns.push(format!("CAST(json_extract(c.custom, {path}) AS TEXT)"));
            columns.push(items_of(&path));
        }
        let mut ends = Vec::new();
        for d in RENEWAL_WINDOWS {
            ends.push(window_end(conn, &today, d)?);
        }
        let labels = Labels::load(conn)?;
        let mut s = Snapshot {
            key,
            rowids: Vec::new(),
            searched: Vec::new(),
            renewal: Vec::new(),
            windows: Vec::new(),
            overdue: Vec::new(),
            linked: Vec::new(),
            columns: Default::default(),
            mapped: fields
                .iter()
                .map(|m| Mapped {
                    field: m.field_name.clone(),
                    label: if m.label.is_empty() { m.field_name.clone() } else { m.label.clone() },
                    text: Vec::new(),
                    wrapped: Vec::new(),
                    counted: if m.data_type.eq_ignore_ascii_case("MULTISELECTDROPDOWNLIST") {
                        Counted::Multi(Items::default())
                    } else {
                        Counted::Single(Column::default())
                    },
                })
                .collect(),
            labels,
            orders: Mutex::new(HashMap::new()),
        };
        let sql =
            format!("SELECT {} FROM companies c WHERE ?1 IS NOT NULL ORDER BY c.rowid", columns.join(", "));
        let mut stmt = conn.prepare(&sql).map_err(db_err)?;
        let mut rows = stmt.query(params_from_iter(args)).map_err(db_err)?;
        let lower = |v: &Option<String>| v.as_ref().map(|t| t.to_ascii_lowercase());
        while let Some(r) = rows.next().map_err(db_err)? {
            let text = |at: usize| r.get::<_, Option<String>>(at).map_err(db_err);
            let flag = |at: usize| -> Result<bool> {
                Ok(r.get::<_, Option<i64>>(at).map_err(db_err)?.unwrap_or(0) != 0)
            };
            s.rowids.push(r.get(0).map_err(db_err)?);
            let name: String = r.get(1).map_err(db_err)?;
            let (csm, industry, stage, band) = (text(2)?, text(3)?, text(4)?, text(5)?);
            s.searched.push([Some(name.to_ascii_lowercase()), lower(&csm), lower(&industry)]);
            let connection: String = r.get(6).map_err(db_err)?;
            let renewal = text(7)?;
            let mut windows = [false; 3];
            for (w, end) in windows.iter_mut().zip(&ends) {
                *w = renews_within(renewal.as_deref(), &today, end.as_deref());
            }
            s.windows.push(windows);
            s.renewal.push(renewal);
            s.overdue.push(flag(8)?);
            s.linked.push(flag(9)?);
            for (col, v) in s.columns.iter_mut().zip([band, csm, stage, industry, Some(connection)]) {
                col.push(v.unwrap_or_default());
            }
            for (k, m) in s.mapped.iter_mut().enumerate() {
                let value = text(10 + 2 * k)?.unwrap_or_default();
                let items = text(11 + 2 * k)?;
                match &mut m.counted {
                    Counted::Single(col) => col.push(value.clone()),
                    Counted::Multi(it) => {
                        let listed = items.as_deref().unwrap_or("");
                        let row = if listed.is_empty() {
                            vec![(it.values.id(""), String::new())]
                        } else {
                            listed
                                .split(';')
                                .map(|i| {
                                    let i = i.trim();
                                    (it.values.id(i), i.to_string())
                                })
                                .collect()
                        };
                        it.rows.push(row);
                    }
                }
                m.text.push(value);
                m.wrapped.push(items.map(|i| format!(";{};", i.replace("; ", ";"))));
            }
        }
        Ok(s)
    }

    pub fn len(&self) -> usize {
        self.rowids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rowids.is_empty()
    }

    pub(super) fn rowid(&self, row: usize) -> i64 {
        self.rowids[row]
    }

    /// Every row in the order of `sort` (see `order_of`), as SQLite sorts them.
    pub(super) fn order(&self, conn: &Connection, sort: Option<&str>) -> Result<Arc<Vec<u32>>> {
        let name = sort.unwrap_or("health").to_string();
        if let Some(o) = self.orders.lock().map_err(|_| poisoned())?.get(&name) {
            return Ok(o.clone());
        }
        let mut w = Where { sql: String::new(), args: Vec::new() };
        let order = order_of(&mut w, sort)?;
        let mut args = vec![Sql::Text(self.key.today.clone())];
        args.extend(w.args);
        let sql = format!("SELECT c.rowid FROM companies c WHERE ?1 IS NOT NULL ORDER BY {order}");
        let mut stmt = conn.prepare(&sql).map_err(db_err)?;
        let mut rows = stmt.query(params_from_iter(args)).map_err(db_err)?;
        let mut order = Vec::with_capacity(self.len());
        while let Some(r) = rows.next().map_err(db_err)? {
            // A row written since this snapshot (the next query takes a new one) is left out.
            if let Ok(at) = self.rowids.binary_search(&r.get(0).map_err(db_err)?) {
                order.push(at as u32);
            }
        }
        let order = Arc::new(order);
        // Kept only if it was read from the snapshot's own state of the database.
        if key(conn, &self.key.today)? == self.key {
            self.orders.lock().map_err(|_| poisoned())?.insert(name, order.clone());
        }
        Ok(order)
    }

    /// The filter as conditions on rows, or `None` when it needs SQL (a custom field that is not
    /// mapped). The filter must have been checked by `where_of` (its errors are SQL's).
    pub(super) fn compile(&self, conn: &Connection, f: &AccountFilter) -> Result<Option<Compiled>> {
        let search =
            f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| s.to_ascii_lowercase());
        let mut chosen: Vec<&str> = f.filters.iter().map(|x| x.facet.as_str()).collect();
        chosen.sort_unstable();
        chosen.dedup();
        let mut conds = Vec::new();
        for facet in chosen {
            let values: Vec<&str> =
                f.filters.iter().filter(|x| x.facet == facet).map(|x| x.value.as_str()).collect();
            let Some(cond) = self.condition(conn, facet, &values)? else { return Ok(None) };
            conds.push((facet.to_string(), cond));
        }
        Ok(Some(Compiled { search, conds }))
    }

    fn condition(&self, conn: &Connection, facet: &str, values: &[&str]) -> Result<Option<Cond>> {
        let yes_no = |yes: &str, no: &str| (values.contains(&yes), values.contains(&no));
        Ok(Some(match facet {
            _ if column_of(facet).is_some() => {
                let col = ["band", "csm", "stage", "industry", "connection"].iter().position(|c| *c == facet);
                let Some(col) = col else { return Ok(None) };
                Cond::Column { col, ok: self.columns[col].values.matching(values) }
            }
            "renewal" => {
                let mut ends = Vec::new();
                for v in values {
                    let Ok(days) = v.parse::<i64>() else { return Ok(None) };
                    ends.push(window_end(conn, &self.key.today, days)?);
                }
                Cond::Renewal(ends)
            }
            "overdue" => {
                let (yes, no) = yes_no("yes", "no");
                Cond::Flag { linked: false, yes, no }
            }
            "px" => {
                let (yes, no) = yes_no("linked", "unlinked");
                Cond::Flag { linked: true, yes, no }
            }
            _ => {
                let Some(field) = facet.strip_prefix("custom:") else { return Ok(None) };
                let Some(at) = self.mapped.iter().position(|m| m.field == field) else { return Ok(None) };
                let mut connections: Vec<&str> = self.columns[4].raw.iter().map(String::as_str).collect();
                connections.sort_unstable();
                connections.dedup();
                let values = values
                    .iter()
                    .map(|v| MappedValue {
                        value: v.to_string(),
                        item: (!v.is_empty()).then(|| format!(";{v};")),
                        labelled: connections
                            .iter()
                            .map(|c| {
                                let ids =
                                    self.labels.ids_labelled(c, v).map(|id| format!(";{id};")).collect();
                                (c.to_string(), ids)
                            })
                            .collect(),
                    })
                    .collect();
                Cond::Mapped { at, values }
            }
        }))
    }
}

/// One value of a mapped field's filter (see `custom_condition`).
pub(super) struct MappedValue {
    value: String,
    /// `;value;`, unless the value is empty.
    item: Option<String>,
    /// Per connection, `;id;` of each item labelled `value`.
    labelled: HashMap<String, Vec<String>>,
}

/// One chosen facet's condition, its values OR-ed.
pub(super) enum Cond {
    /// The row's value of `columns[col]` is one of these ids.
    Column {
        col: usize,
        ok: Vec<bool>,
    },
    /// Renews within one of these windows (their last days).
    Renewal(Vec<Option<String>>),
    /// Has overdue CTAs (or is linked to PX): `yes` takes the rows that do, `no` the others.
    Flag {
        linked: bool,
        yes: bool,
        no: bool,
    },
    Mapped {
        at: usize,
        values: Vec<MappedValue>,
    },
}

/// A filter as conditions: the search (lowercase) and each chosen facet's, by facet name.
pub(super) struct Compiled {
    search: Option<String>,
    pub(super) conds: Vec<(String, Cond)>,
}

impl Compiled {
    pub(super) fn searched(&self, s: &Snapshot, row: usize) -> bool {
        match &self.search {
            None => true,
            Some(q) => s.searched[row].iter().flatten().any(|t| t.contains(q.as_str())),
        }
    }

    pub(super) fn meets(&self, s: &Snapshot, row: usize, cond: &Cond) -> bool {
        match cond {
            Cond::Column { col, ok } => ok[s.columns[*col].ids[row] as usize],
            Cond::Renewal(ends) => {
                ends.iter().any(|e| renews_within(s.renewal[row].as_deref(), &s.key.today, e.as_deref()))
            }
            Cond::Flag { linked, yes, no } => {
                let has = if *linked { s.linked[row] } else { s.overdue[row] };
                if has { *yes } else { *no }
            }
            Cond::Mapped { at, values } => {
                let m = &s.mapped[*at];
                let wrapped = m.wrapped[row].as_deref();
                values.iter().any(|v| {
                    m.text[row].eq_ignore_ascii_case(&v.value)
                        || wrapped.is_some_and(|w| {
                            v.item.as_deref().is_some_and(|i| w.contains(i))
                                || v.labelled
                                    .get(&s.columns[4].raw[row])
                                    .is_some_and(|ids| ids.iter().any(|id| w.contains(id.as_str())))
                        })
                })
            }
        }
    }

    /// The row is searched and meets every chosen facet.
    pub(super) fn matches(&self, s: &Snapshot, row: usize) -> bool {
        self.searched(s, row) && self.conds.iter().all(|(_, c)| self.meets(s, row, c))
    }
}
