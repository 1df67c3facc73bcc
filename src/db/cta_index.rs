//! The org-wide CTA list from memory, kept as [`super::account_index`] keeps the accounts: what the
//! list filters and counts by is read once per state of the database, in the list's own order
//! (overdue first, then open by due date, undated last, then closed), and every page and facet
//! count is computed from it. `cta_page::page_sql` and `facets_sql` answer the same from SQL.
//!
//! At 200,000 CTAs a snapshot holds about 70 bytes a CTA: numbered facet values, flags, and the
//! names searched (lowercase, in one buffer).

use super::account_index::{Interned, Kept, Key};
use super::cta_page::{CtaPageQuery, GROUPED, OVERDUE};
use super::db_err;
use crate::error::Result;
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use std::collections::HashMap;
use std::sync::Arc;

pub type CtaIndex = Kept<CtaSnapshot>;

impl CtaIndex {
    pub(super) fn snapshot(&self, conn: &Connection, today: &str) -> Result<Option<Arc<CtaSnapshot>>> {
        self.get(conn, today, CtaSnapshot::load)
    }
}

/// A grouped facet's value per CTA ('' when not set), numbered; each value shown as first
/// spelled in list order.
#[derive(Default)]
pub(super) struct Grouped {
    pub(super) values: Interned,
    pub(super) shown: Vec<String>,
    pub(super) ids: Vec<u32>,
}

/// One state of the CTAs table, in list order.
pub struct CtaSnapshot {
    rowids: Vec<i64>,
    /// Type, priority, status, owner, connection ([`GROUPED`]).
    pub(super) grouped: [Grouped; 5],
    pub(super) closed: Vec<i64>,
    pub(super) overdue: Vec<bool>,
    /// Each CTA's name, ASCII-lowercased, at `spans[i]` (start, length) in `names`.
    names: String,
    spans: Vec<(u32, u32)>,
    /// Each CTA's account (an index in `companies`), `u32::MAX` for none.
    company: Vec<u32>,
    /// Account names, ASCII-lowercased.
    companies: Vec<String>,
}

impl CtaSnapshot {
    /// The list order is read from `ctas_in_order` alone (rowids, covering the index), then the
    /// table in its own order, each CTA put at its place; both reads in one read transaction.
    /// Walking the index and joining each CTA's account, or sorting here, took 1.1–1.7 s at
    /// 200,000 CTAs.
    fn load(conn: &Connection, key: Key) -> Result<CtaSnapshot> {
        conn.execute_batch("SAVEPOINT cta_snapshot").map_err(db_err)?;
        let read = Self::read(conn, key);
        conn.execute_batch("RELEASE cta_snapshot").map_err(db_err)?;
        read
    }

    fn read(conn: &Connection, key: Key) -> Result<CtaSnapshot> {
        let mut rowids: Vec<i64> = Vec::new();
        {
            let mut stmt = conn
                .prepare(
                    "SELECT rowid FROM ctas INDEXED BY ctas_in_order
                     ORDER BY is_closed, due_date IS NULL, due_date, name, connection_id, gsid",
                )
                .map_err(db_err)?;
            let mut rows = stmt.query([]).map_err(db_err)?;
            while let Some(r) = rows.next().map_err(db_err)? {
                rowids.push(r.get(0).map_err(db_err)?);
            }
        }
        let n = rowids.len();
        let place = Places::of(&rowids);
        let mut company_at: HashMap<String, HashMap<String, u32>> = HashMap::new();
        let mut companies = Vec::new();
        {
            let mut stmt = conn.prepare("SELECT connection_id, gsid, name FROM companies").map_err(db_err)?;
            let mut rows = stmt.query([]).map_err(db_err)?;
            while let Some(r) = rows.next().map_err(db_err)? {
                let (cid, gsid, name): (String, String, String) =
                    (r.get(0).map_err(db_err)?, r.get(1).map_err(db_err)?, r.get(2).map_err(db_err)?);
                company_at.entry(cid).or_default().insert(gsid, companies.len() as u32);
                companies.push(name.to_ascii_lowercase());
            }
        }
        let mut s = CtaSnapshot {
            rowids,
            grouped: Default::default(),
            closed: vec![0; n],
            overdue: vec![false; n],
            names: String::new(),
            spans: vec![(0, 0); n],
            company: vec![u32::MAX; n],
            companies,
        };
        for g in &mut s.grouped {
            g.ids = vec![0; n];
        }
        // Where each value's shown spelling was found: the first place in list order wins.
        let mut shown_at: [Vec<usize>; 5] = Default::default();
        let sql = format!(
            "SELECT t.rowid, t.type, t.priority, t.status, t.owner_name, t.connection_id, t.is_closed,
                coalesce({OVERDUE}, 0), t.name, t.company_gsid
             FROM ctas t"
        );
        let mut stmt = conn.prepare(&sql).map_err(db_err)?;
        let mut rows = stmt.query([&key.today]).map_err(db_err)?;
        while let Some(r) = rows.next().map_err(db_err)? {
            let text = |at: usize| -> Result<&str> {
                Ok(match r.get_ref(at).map_err(db_err)? {
                    ValueRef::Text(t) => std::str::from_utf8(t).unwrap_or_default(),
                    _ => "",
                })
            };
            let Some(at) = place.at(r.get(0).map_err(db_err)?) else {
                continue;
            };
            for (i, g) in s.grouped.iter_mut().enumerate() {
                let value = text(i + 1)?;
                let id = g.values.id(value) as usize;
                if id == g.shown.len() {
                    g.shown.push(value.to_string());
                    shown_at[i].push(at);
                } else if at < shown_at[i][id] {
                    if g.shown[id] != value {
                        g.shown[id] = value.to_string();
                    }
                    shown_at[i][id] = at;
                }
                g.ids[at] = id as u32;
            }
            s.closed[at] = r.get(6).map_err(db_err)?;
            s.overdue[at] = r.get::<_, i64>(7).map_err(db_err)? != 0;
            let start = s.names.len();
            s.names.extend(text(8)?.chars().map(|c| c.to_ascii_lowercase()));
            s.spans[at] = (start as u32, (s.names.len() - start) as u32);
            let company_gsid = text(9)?;
            let company = company_at.get(text(5)?).and_then(|m| m.get(company_gsid));
            if let Some(&c) = company {
                s.company[at] = c;
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

    fn name(&self, row: usize) -> &str {
        let (start, len) = self.spans[row];
        &self.names[start as usize..(start + len) as usize]
    }

    /// The query as conditions on rows. It must have been checked by `where_of`.
    pub(super) fn compile(&self, q: &CtaPageQuery) -> CtaFilter {
        let search =
            q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| s.to_ascii_lowercase());
        let companies = search
            .as_ref()
            .map(|q| self.companies.iter().map(|c| c.contains(q.as_str())).collect())
            .unwrap_or_default();
        let mut chosen: Vec<&str> = q.filters.iter().map(|f| f.facet.as_str()).collect();
        chosen.sort_unstable();
        chosen.dedup();
        let conds = chosen
            .into_iter()
            .map(|facet| {
                let values: Vec<&str> =
                    q.filters.iter().filter(|f| f.facet == facet).map(|f| f.value.as_str()).collect();
                let cond = match GROUPED.iter().position(|(g, _)| *g == facet) {
                    Some(col) => CtaCond::Grouped { col, ok: self.grouped[col].values.matching(&values) },
                    None => CtaCond::State {
                        open: values.contains(&"open"),
                        overdue: values.contains(&"overdue"),
                        closed: values.contains(&"closed"),
                    },
                };
                (facet.to_string(), cond)
            })
            .collect();
        CtaFilter { search, companies, conds }
    }
}

pub(super) enum CtaCond {
    Grouped { col: usize, ok: Vec<bool> },
    State { open: bool, overdue: bool, closed: bool },
}

pub(super) struct CtaFilter {
    search: Option<String>,
    /// Which accounts' names the search matches.
    companies: Vec<bool>,
    pub(super) conds: Vec<(String, CtaCond)>,
}

impl CtaFilter {
    pub(super) fn searched(&self, s: &CtaSnapshot, row: usize) -> bool {
        let Some(q) = &self.search else { return true };
        s.name(row).contains(q.as_str())
            || self.companies.get(s.company[row] as usize).copied().unwrap_or(false)
    }

    pub(super) fn meets(&self, s: &CtaSnapshot, row: usize, cond: &CtaCond) -> bool {
        match cond {
            CtaCond::Grouped { col, ok } => ok[s.grouped[*col].ids[row] as usize],
            CtaCond::State { open, overdue, closed } => {
                (*open && s.closed[row] == 0)
                    || (*closed && s.closed[row] == 1)
                    || (*overdue && s.overdue[row])
            }
        }
    }

    pub(super) fn matches(&self, s: &CtaSnapshot, row: usize) -> bool {
        self.searched(s, row) && self.conds.iter().all(|(_, c)| self.meets(s, row, c))
    }
}

/// Each rowid's place in list order: a table by rowid while the rowids are dense, else a map.
enum Places {
    Dense(Vec<u32>),
    Sparse(HashMap<i64, u32>),
}

impl Places {
    fn of(rowids: &[i64]) -> Places {
        let max = rowids.iter().copied().max().unwrap_or(0);
        let min = rowids.iter().copied().min().unwrap_or(0);
        if min >= 0 && (max as u64) <= 2 * rowids.len() as u64 + 1024 {
            let mut at = vec![u32::MAX; max as usize + 1];
            for (i, &r) in rowids.iter().enumerate() {
                at[r as usize] = i as u32;
            }
            Places::Dense(at)
        } else {
            Places::Sparse(rowids.iter().enumerate().map(|(i, &r)| (r, i as u32)).collect())
        }
    }

    fn at(&self, rowid: i64) -> Option<usize> {
        match self {
            Places::Dense(at) => {
                at.get(usize::try_from(rowid).ok()?).filter(|&&i| i != u32::MAX).map(|&i| i as usize)
            }
            Places::Sparse(map) => map.get(&rowid).map(|&i| i as usize),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Places;

    #[test]
    fn places_are_found_for_dense_and_sparse_rowids() {
        let dense = [3, 1, 2, 7];
        let sparse = [5_000_000_000, 1, -4, 9_999];
        for rowids in [&dense[..], &sparse[..]] {
            let place = Places::of(rowids);
            assert_eq!(matches!(place, Places::Dense(_)), rowids == dense);
            for (i, &r) in rowids.iter().enumerate() {
                assert_eq!(place.at(r), Some(i));
            }
            assert_eq!(place.at(4), None);
            assert_eq!(place.at(-1), None);
            assert_eq!(place.at(i64::MAX), None);
        }
    }
}
