//! CTAs org-wide at any scale: one page of the filtered CTAs, overdue first, with the cache's total,
//! the matching count and facet counts (type, owner, priority, status, open/overdue/closed,
//! connection), all in SQLite. Filters work as in [`super::account_page`]: values of one facet
//! widen, facets narrow, and a facet's counts leave out its own choice.

use super::account_page::{Facet, FacetFilter, FacetValue, Tally};
use super::browse::collect;
use super::cta_index::CtaIndex;
use super::ctas::CtaRow;
use super::db_err;
use crate::error::{Error, ErrorKind, Result};
use rusqlite::{Connection, params_from_iter, types::Value as Sql};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Clone, Debug, Default, Deserialize, Serialize, TS, PartialEq)]
pub struct CtaPageQuery {
    /// Matched against the CTA's name and its account's name.
    pub search: Option<String>,
    /// `type`, `owner`, `priority`, `status`, `state` (`open`, `overdue`, `closed`), `connection`.
    pub filters: Vec<FacetFilter>,
    pub offset: i64,
    pub limit: i64,
}

/// A CTA with its connection (two connections to one org hold the same ids) and account name.
#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct CtaPageRow {
    pub connection_id: String,
    #[serde(flatten)]
    #[ts(flatten)]
    pub cta: CtaRow,
    pub company_name: Option<String>,
    pub overdue: bool,
}

#[derive(Clone, Debug, Serialize, TS, PartialEq)]
pub struct CtaPage {
    pub total: i64,
    pub matching: i64,
    pub offset: i64,
    pub rows: Vec<CtaPageRow>,
}

pub(super) const OVERDUE: &str = "(t.is_closed = 0 AND t.due_date < ?1)";

/// The facets counted by value, in the order shown.
pub(super) const GROUPED: [(&str, &str); 5] = [
    ("type", "Type"),
    ("priority", "Priority"),
    ("status", "Status"),
    ("owner", "Owner"),
    ("connection", "Connection"),
];

fn column_of(facet: &str) -> Option<&'static str> {
    Some(match facet {
        "type" => "t.type",
        "owner" => "t.owner_name",
        "priority" => "t.priority",
        "status" => "t.status",
        "connection" => "t.connection_id",
        _ => return None,
    })
}

struct Where {
    sql: String,
    args: Vec<Sql>,
}

impl Where {
    fn arg(&mut self, v: Sql) -> String {
        self.args.push(v);
        format!("?{}", self.args.len() + 1)
    }

    fn all(self, today: &str) -> Vec<Sql> {
        let mut all = vec![Sql::Text(today.to_string())];
        all.extend(self.args);
        all
    }
}

fn condition(w: &mut Where, facet: &str, value: &str) -> Result<String> {
    if let Some(col) = column_of(facet) {
        return Ok(format!("coalesce({col}, '') = {} COLLATE NOCASE", w.arg(Sql::Text(value.to_string()))));
    }
    match (facet, value) {
        ("state", "open") => Ok("t.is_closed = 0".into()),
        ("state", "closed") => Ok("t.is_closed = 1".into()),
        ("state", "overdue") => Ok(OVERDUE.into()),
        ("state", other) => {
            Err(Error::new(ErrorKind::InvalidInput, format!("\"{other}\" is not open, overdue or closed.")))
        }
        _ => Err(Error::new(ErrorKind::InvalidInput, format!("There is no \"{facet}\" filter for CTAs."))
            .with_hint("Filter by type, owner, priority, status, state or connection.")),
    }
}

/// The search's condition (the CTA's or its account's name contains it), added to `w`.
fn search_condition(w: &mut Where, q: &CtaPageQuery) {
    if let Some(s) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let p = w
            .arg(Sql::Text(format!("%{}%", s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))));
        w.sql.push_str(&format!(" AND (t.name LIKE {p} ESCAPE '\\' OR c.name LIKE {p} ESCAPE '\\')"));
    }
}

fn where_of(q: &CtaPageQuery) -> Result<Where> {
    // `?1 IS NOT NULL` keeps today a parameter of every statement, used or not.
    let mut w = Where { sql: "?1 IS NOT NULL".into(), args: Vec::new() };
    search_condition(&mut w, q);
    let mut facets: Vec<&str> = q.filters.iter().map(|f| f.facet.as_str()).collect();
    facets.sort_unstable();
    facets.dedup();
    for facet in facets {
        let mut any = Vec::new();
        for f in q.filters.iter().filter(|f| f.facet == facet) {
            any.push(condition(&mut w, facet, &f.value)?);
        }
        w.sql.push_str(&format!(" AND ({})", any.join(" OR ")));
    }
    Ok(w)
}

/// The accounts are joined only when a search may match their names: grouping 200,000 CTAs
/// costs several times more through the join.
fn from(q: &CtaPageQuery) -> &'static str {
    if q.search.as_deref().is_some_and(|s| !s.trim().is_empty()) {
        "FROM ctas t LEFT JOIN companies c ON c.connection_id = t.connection_id AND c.gsid = t.company_gsid"
    } else {
        "FROM ctas t"
    }
}

fn count(conn: &Connection, sql: &str, args: Vec<Sql>) -> Result<i64> {
    conn.query_row(sql, params_from_iter(args), |r| r.get(0)).map_err(db_err)
}

/// The columns of a CTA row as the list shows it (`CTA_ROW`, read by [`cta_row`]).
const CTA_COLS: &str = "t.connection_id, t.gsid, t.company_gsid, t.name, t.status, t.priority, t.type, t.reason, \
     t.owner_name, t.owner_email, t.due_date, t.is_closed, t.closed_at, t.is_important, t.created_at, t.modified_at, c.name";

fn cta_row(r: &rusqlite::Row) -> rusqlite::Result<CtaPageRow> {
    Ok(CtaPageRow {
        connection_id: r.get(0)?,
        cta: CtaRow {
            gsid: r.get(1)?,
            company_gsid: r.get(2)?,
            name: r.get(3)?,
            status: r.get(4)?,
            priority: r.get(5)?,
            r#type: r.get(6)?,
            reason: r.get(7)?,
            owner_name: r.get(8)?,
            owner_email: r.get(9)?,
            due_date: r.get(10)?,
            is_closed: r.get(11)?,
            closed_at: r.get(12)?,
            is_important: r.get(13)?,
            created_at: r.get(14)?,
            modified_at: r.get(15)?,
        },
        company_name: r.get(16)?,
        overdue: r.get(17)?,
    })
}

fn labelled(conn: &Connection, mut rows: Vec<CtaPageRow>) -> Result<Vec<CtaPageRow>> {
    let labels = super::picklists::Labels::load(conn)?;
    for r in &mut rows {
        labels.cta(&r.connection_id, &mut r.cta);
    }
    Ok(rows)
}

/// One page of CTAs from the in-memory index of the cache (see [`super::cta_index`]).
pub fn page(conn: &Connection, index: &CtaIndex, q: &CtaPageQuery, today: &str) -> Result<CtaPage> {
    // The query's errors are the SQL path's own.
    where_of(q)?;
    let Some(snap) = index.snapshot(conn, today)? else { return page_sql(conn, q, today) };
    let filter = snap.compile(q);
    let (offset, limit) = (q.offset.max(0) as usize, q.limit.clamp(1, 1000) as usize);
    let mut matching = 0usize;
    let mut ids = Vec::with_capacity(limit);
    for row in 0..snap.len() {
        if filter.matches(&snap, row) {
            if matching >= offset && ids.len() < limit {
                ids.push(snap.rowid(row));
            }
            matching += 1;
        }
    }
    let sql = format!(
        "SELECT {CTA_COLS}, coalesce({OVERDUE}, 0), t.rowid FROM ctas t
         LEFT JOIN companies c ON c.connection_id = t.connection_id AND c.gsid = t.company_gsid
         WHERE t.rowid IN (SELECT value FROM json_each(?2))"
    );
    let at: std::collections::HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
    let mut rows = stmt
        .query_map(rusqlite::params![today, serde_json::Value::from(ids).to_string()], |r| {
            Ok((r.get::<_, i64>(18)?, cta_row(r)?))
        })
        .map_err(db_err)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db_err)?;
    rows.sort_by_key(|(id, _)| at.get(id).copied().unwrap_or(usize::MAX));
    let rows = labelled(conn, rows.into_iter().map(|(_, r)| r).collect())?;
    Ok(CtaPage { total: snap.len() as i64, matching: matching as i64, offset: offset as i64, rows })
}

/// One page of CTAs from SQL alone (what [`page`] answers from memory): overdue first, then open
/// by due date (undated last), then closed.
pub fn page_sql(conn: &Connection, q: &CtaPageQuery, today: &str) -> Result<CtaPage> {
    let total = count(conn, "SELECT count(*) FROM ctas WHERE ?1 IS NOT NULL", vec![Sql::Text(today.into())])?;
    let w = where_of(q)?;
    let from = from(q);
    let matching = count(conn, &format!("SELECT count(*) {from} WHERE {}", w.sql), where_of(q)?.all(today))?;
    let mut w = w;
    let limit = w.arg(Sql::Integer(q.limit.clamp(1, 1000)));
    let offset = w.arg(Sql::Integer(q.offset.max(0)));
    // Overdue first, then the other open CTAs by due date (undated last), then the closed: the
    // overdue are the open ones due before today, so ordering by (closed, undated, due date) puts
    // them first without naming today, and the list is walked from `ctas_in_order` (named: the
    // planner would rather take the facet index for the state filter and sort every match).
    let sql = format!(
        "SELECT {CTA_COLS}, coalesce({OVERDUE}, 0)
         FROM ctas t INDEXED BY ctas_in_order
         LEFT JOIN companies c ON c.connection_id = t.connection_id AND c.gsid = t.company_gsid
         WHERE {}
         ORDER BY t.is_closed, t.due_date IS NULL, t.due_date, t.name, t.connection_id, t.gsid LIMIT {limit} OFFSET {offset}",
        w.sql
    );
    let mut stmt = conn.prepare(&sql).map_err(db_err)?;
    let rows = stmt
        .query_map(params_from_iter(w.all(today)), cta_row)
        .map_err(db_err)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db_err)?;
    let rows = labelled(conn, rows)?;
    Ok(CtaPage { total, matching, offset: q.offset.max(0), rows })
}

/// The CTA list's facets with their counts under the current filter: state, type, priority,
/// status, owner and connection (when there are several).
///
/// One pass over the CTAs the search matches, as for accounts ([`super::account_page::facets`]):
/// each row brings every facet's value and whether it meets each chosen facet's condition, and
/// counts for a facet when it meets every chosen facet but (maybe) that one.
pub fn facets_sql(conn: &Connection, q: &CtaPageQuery, today: &str) -> Result<Vec<Facet>> {
    use super::account_page::failed_choice;
    let mut w = Where { sql: "?1 IS NOT NULL".into(), args: Vec::new() };
    search_condition(&mut w, q);
    let mut columns: Vec<String> =
        GROUPED.iter().map(|(f, _)| column_of(f).unwrap_or("NULL").to_string()).collect();
    columns.push("t.is_closed".into());
    columns.push(format!("coalesce({OVERDUE}, 0)"));
    let mut chosen: Vec<&str> = q.filters.iter().map(|f| f.facet.as_str()).collect();
    chosen.sort_unstable();
    chosen.dedup();
    let first_cond = columns.len();
    for facet in &chosen {
        let mut any = Vec::new();
        for f in q.filters.iter().filter(|f| f.facet == *facet) {
            any.push(condition(&mut w, facet, &f.value)?);
        }
        columns.push(format!("coalesce(({}), 0)", any.join(" OR ")));
    }
    let own = |facet: &str| chosen.iter().position(|c| *c == facet);
    let own_grouped: Vec<Option<usize>> = GROUPED.iter().map(|(f, _)| own(f)).collect();
    let own_state = own("state");
    let mut tallies: Vec<Tally> = GROUPED.iter().map(|_| Tally::default()).collect();
    let (mut open, mut overdue, mut closed) = (0i64, 0i64, 0i64);
    let sql = format!("SELECT {} {} WHERE {}", columns.join(", "), from(q), w.sql);
    let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
    let mut rows = stmt.query(params_from_iter(w.all(today))).map_err(db_err)?;
    while let Some(r) = rows.next().map_err(db_err)? {
        let Some(failed) = failed_choice(r, first_cond, chosen.len())? else { continue };
        for (i, tally) in tallies.iter_mut().enumerate() {
            if failed.is_none() || own_grouped[i] == failed {
                tally.add_column(r, i)?;
            }
        }
        if failed.is_none() || own_state == failed {
            match r.get::<_, i64>(GROUPED.len()).map_err(db_err)? {
                0 => open += 1,
                _ => closed += 1,
            }
            if r.get::<_, i64>(GROUPED.len() + 1).map_err(db_err)? != 0 {
                overdue += 1;
            }
        }
    }
    finish(conn, [open, overdue, closed], tallies)
}

/// The facets as shown: the state counts, then each grouped facet by its labels (connections by
/// name, the connection facet only when there are several).
fn finish(conn: &Connection, [open, overdue, closed]: [i64; 3], tallies: Vec<Tally>) -> Result<Vec<Facet>> {
    let mut out = Vec::new();
    let values = [("open", "Open", open), ("overdue", "Overdue", overdue), ("closed", "Closed", closed)]
        .into_iter()
        .map(|(v, l, n)| FacetValue { value: v.into(), label: l.into(), count: n })
        .collect();
    out.push(Facet { facet: "state".into(), label: "State".into(), values, distinct: 3 });
    let names: std::collections::HashMap<String, String> =
        collect(conn, "SELECT id, name FROM connections", &[], |r| Ok((r.get(0)?, r.get(1)?)))?
            .into_iter()
            .collect();
    let labels = super::picklists::Labels::load(conn)?;
    for ((facet, label), tally) in GROUPED.into_iter().zip(tallies) {
        let (values, distinct) = tally.values();
        if facet == "connection" && distinct < 2 {
            continue;
        }
        let values = values
            .into_iter()
            .map(|v| {
                let label = match (facet, v.value.as_str()) {
                    (_, "") => "(not set)".to_string(),
                    ("connection", id) => names.get(id).cloned().unwrap_or_else(|| id.to_string()),
                    ("owner", _) => v.value.clone(),
                    _ => labels.any(&v.value),
                };
                FacetValue { label, ..v }
            })
            .collect();
        out.push(Facet { facet: facet.into(), label: label.into(), values, distinct });
    }
    Ok(out)
}

/// The CTA list's facets from the in-memory index (the same counts as [`facets_sql`]; a value
/// spelled several ways is shown as first spelled in list order).
pub fn facets(conn: &Connection, index: &CtaIndex, q: &CtaPageQuery, today: &str) -> Result<Vec<Facet>> {
    where_of(q)?;
    let Some(snap) = index.snapshot(conn, today)? else { return facets_sql(conn, q, today) };
    let filter = snap.compile(q);
    let own = |facet: &str| filter.conds.iter().position(|(c, _)| c == facet);
    let own_grouped: Vec<Option<usize>> = GROUPED.iter().map(|(f, _)| own(f)).collect();
    let own_state = own("state");
    let mut counts: Vec<Vec<i64>> = snap.grouped.iter().map(|g| vec![0; g.values.len()]).collect();
    let mut state = [0i64; 3];
    'rows: for row in 0..snap.len() {
        if !filter.searched(&snap, row) {
            continue;
        }
        let mut failed = None;
        for (k, (_, cond)) in filter.conds.iter().enumerate() {
            if !filter.meets(&snap, row, cond) {
                if failed.is_some() {
                    continue 'rows;
                }
                failed = Some(k);
            }
        }
        for (i, c) in counts.iter_mut().enumerate() {
            if failed.is_none() || own_grouped[i] == failed {
                c[snap.grouped[i].ids[row] as usize] += 1;
            }
        }
        if failed.is_none() || own_state == failed {
            state[if snap.closed[row] == 0 { 0 } else { 2 }] += 1;
            if snap.overdue[row] {
                state[1] += 1;
            }
        }
    }
    let tallies = counts
        .iter()
        .zip(&snap.grouped)
        .map(|(c, g)| {
            let mut t = Tally::default();
            for (id, &n) in c.iter().enumerate().filter(|(_, n)| **n > 0) {
                t.insert(g.values.key(id as u32), &g.shown[id], n);
            }
            t
        })
        .collect();
    finish(conn, state, tallies)
}
