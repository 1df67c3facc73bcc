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
    /// Each CTA's name, ASCII-lowercased, ending at `ends[i]` in `names`.
    names: String,
    ends: Vec<u32>,
    /// Each CTA's account (an index in `companies`), `u32::MAX` for none.
    company: Vec<u32>,
    /// Account names, ASCII-lowercased.
    companies: Vec<String>,
}

impl CtaSnapshot {
    /// Read in table order and sorted here (walking `ctas_in_order` and joining each CTA's account
    /// took ten times longer at 200,000 CTAs); the order is the SQL list's, text compared byte by
    /// byte as SQLite's `BINARY` does.
    fn load(conn: &Connection, key: Key) -> Result<CtaSnapshot> {
        struct Raw {
            rowid: i64,
            grouped: [Option<String>; 5],
            closed: i64,
            overdue: bool,
            name: String,
            company_gsid: Option<String>,
            due: Option<String>,
            gsid: String,
        }
        let mut s = CtaSnapshot {
            rowids: Vec::new(),
            grouped: Default::default(),
            closed: Vec::new(),
            overdue: Vec::new(),
            names: String::new(),
            ends: Vec::new(),
            company: Vec::new(),
            companies: Vec::new(),
        };
        let mut company_at: HashMap<String, HashMap<String, u32>> = HashMap::new();
        {
            let mut stmt = conn.prepare("SELECT connection_id, gsid, name FROM companies").map_err(db_err)?;
            let mut rows = stmt.query([]).map_err(db_err)?;
            while let Some(r) = rows.next().map_err(db_err)? {
                let (cid, gsid, name): (String, String, String) =
                    (r.get(0).map_err(db_err)?, r.get(1).map_err(db_err)?, r.get(2).map_err(db_err)?);
                company_at.entry(cid).or_default().insert(gsid, s.companies.len() as u32);
                s.companies.push(name.to_ascii_lowercase());
            }
        }
        let sql = format!(
            "SELECT t.rowid, t.type, t.priority, t.status, t.owner_name, t.connection_id, t.is_closed,
                coalesce({OVERDUE}, 0), t.name, t.company_gsid, t.due_date, t.gsid
             FROM ctas t WHERE ?1 IS NOT NULL"
        );
        let mut all = Vec::new();
        {
            let mut stmt = conn.prepare(&sql).map_err(db_err)?;
            let mut rows = stmt.query([&key.today]).map_err(db_err)?;
            while let Some(r) = rows.next().map_err(db_err)? {
                let text = |at: usize| r.get::<_, Option<String>>(at).map_err(db_err);
                all.push(Raw {
                    rowid: r.get(0).map_err(db_err)?,
                    grouped: [text(1)?, text(2)?, text(3)?, text(4)?, text(5)?],
                    closed: r.get(6).map_err(db_err)?,
                    overdue: r.get::<_, i64>(7).map_err(db_err)? != 0,
                    name: r.get(8).map_err(db_err)?,
                    company_gsid: text(9)?,
                    due: text(10)?,
                    gsid: r.get(11).map_err(db_err)?,
                });
            }
        }
        // ORDER BY t.is_closed, t.due_date IS NULL, t.due_date, t.name, t.connection_id, t.gsid
        all.sort_unstable_by(|a, b| {
            (a.closed, a.due.is_none(), &a.due, &a.name, &a.grouped[4], &a.gsid).cmp(&(
                b.closed,
                b.due.is_none(),
                &b.due,
                &b.name,
                &b.grouped[4],
                &b.gsid,
            ))
        });
        for t in all {
            s.rowids.push(t.rowid);
            let company = match (t.grouped[4].as_deref(), t.company_gsid.as_deref()) {
                (Some(cid), Some(gsid)) => company_at.get(cid).and_then(|m| m.get(gsid)).copied(),
                _ => None,
            };
            s.company.push(company.unwrap_or(u32::MAX));
            for (g, value) in s.grouped.iter_mut().zip(t.grouped) {
                let value = value.unwrap_or_default();
                let before = g.values.len();
                let id = g.values.id(&value);
                if g.values.len() > before {
                    g.shown.push(value);
                }
                g.ids.push(id);
            }
            s.closed.push(t.closed);
            s.overdue.push(t.overdue);
            s.names.push_str(&t.name.to_ascii_lowercase());
            s.ends.push(s.names.len() as u32);
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
        let start = if row == 0 { 0 } else { self.ends[row - 1] as usize };
        &self.names[start..self.ends[row] as usize]
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
