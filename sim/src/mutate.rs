//! Changes to the org between syncs, made through the control API: records modified (a company's
//! health moves band, a CTA closes) or deleted (and written to the delete log).
//!
//! Objects and fields are named here by the generator's names ([`Object::origin`],
//! [`crate::schema::Field::origin`]) and written under whatever the org serves them as, so changes
//! follow an [`crate::OrgProfile`]'s renames; a field the org lacks is left out.

use crate::data::{FACT_OBJECT, HISTORY_OBJECT, USAGE_OBJECT};
use crate::rng::Rng;
use crate::schema::{Object, Row, Store};
use crate::time::DAY_MS;
use serde_json::{Value, json};

/// Picks `count` distinct GSIDs of `object`, deterministically for a given `salt`.
fn pick(store: &Store, object: &str, count: usize, salt: u64) -> Vec<String> {
    let Some(o) = store.find(object) else { return Vec::new() };
    let mut ids: Vec<String> =
        o.rows.iter().filter_map(|r| r.get("Gsid").and_then(Value::as_str).map(str::to_string)).collect();
    ids.sort();
    Rng::new(salt).sample(ids, count)
}

/// The row keys of `fields` (generator names) in `o`, taken before its rows are borrowed mutably.
fn cols<const N: usize>(o: &Object, fields: [&str; N]) -> [Option<String>; N] {
    fields.map(|f| o.col(f).map(str::to_string))
}

/// Writes `value` under `col`, unless the org lacks that field.
fn set(r: &mut Row, col: &Option<String>, value: Value) {
    if let Some(c) = col {
        r.insert(c.clone(), value);
    }
}

/// The text at `col` of a row, if the field exists and holds text.
fn text<'r>(r: &'r Row, col: &Option<String>) -> Option<&'r str> {
    col.as_deref().and_then(|c| r.get(c)).and_then(Value::as_str)
}

/// The modification stamp a change bumps: `LastModifiedDate` where the object has one, else `ModifiedDate`.
fn modified_col(o: &Object) -> Option<String> {
    o.col("LastModifiedDate").or_else(|| o.col("ModifiedDate")).map(str::to_string)
}

fn scheme_id_for(store: &Store, score: i64) -> Option<String> {
    let scheme = store.generated("scoring_scheme_definition")?;
    let [score_col, gsid] = cols(scheme, ["Score", "Gsid"]);
    let row =
        scheme.rows.iter().find(|r| score_col.as_deref().and_then(|c| r.get(c)) == Some(&json!(score)))?;
    text(row, &gsid).map(str::to_string)
}

fn score_of(store: &Store, scheme_id: &str) -> i64 {
    store
        .generated("scoring_scheme_definition")
        .and_then(|o| o.get(scheme_id).and_then(|r| r.get(o.col("Score")?)))
        .and_then(Value::as_i64)
        .unwrap_or(50)
}

/// Modifies `count` records of `object` at time `now`; returns their GSIDs.
pub fn modify(store: &mut Store, object: &str, count: usize, now: i64, salt: u64) -> Vec<String> {
    let ids = pick(store, object, count, salt);
    let origin = store.find(object).map(|o| o.origin.to_ascii_lowercase()).unwrap_or_default();
    for id in &ids {
        match origin.as_str() {
            "company" => modify_company(store, id, now),
            "call_to_action" => modify_cta(store, id, now),
            _ => {
                if let Some(o) = store.find_mut(object) {
                    let modified = modified_col(o);
                    if let Some(r) = o.get_mut(id) {
                        set(r, &modified, json!(now));
                    }
                }
            }
        }
    }
    ids
}

/// Moves the company's score across a band boundary and raises its ARR; the scorecard fact follows.
fn modify_company(store: &mut Store, id: &str, now: i64) {
    let Some(company) = store.generated("company") else { return };
    let [score, arr, mrr] = cols(company, ["CurrentScore", "Arr", "Mrr"]);
    let modified = modified_col(company);
    let current = company.get(id).and_then(|r| text(r, &score)).map(str::to_string);
    // (old score, new score, new scheme id, old scheme id), when the org has what it takes.
    let moved = current.and_then(|cur| {
        let old = score_of(store, &cur);
        let new = if old >= 50 { (old - 40).max(0) } else { (old + 40).min(100) };
        Some((old, new, scheme_id_for(store, new)?, scheme_id_for(store, old)?))
    });
    if score.is_some() && moved.is_none() {
        return;
    }
    let Some(r) = store.generated_mut("company").and_then(|o| o.get_mut(id)) else { return };
    if let Some(arr) = &arr {
        let value = r.get(arr).and_then(Value::as_i64).unwrap_or(0) + 1000;
        r.insert(arr.clone(), json!(value));
        set(r, &mrr, json!(value / 12));
    }
    if let Some((_, _, new_id, _)) = &moved {
        set(r, &score, json!(new_id));
    }
    set(r, &modified, json!(now));

    let Some((old, new, new_id, old_id)) = moved else { return };
    let overall = store.generated("scorecard_measure").and_then(|m| {
        let [is_overall, gsid] = cols(m, ["IsOverall", "Gsid"]);
        let row =
            m.rows.iter().find(|r| is_overall.as_deref().and_then(|c| r.get(c)) == Some(&json!(true)))?;
        text(row, &gsid).map(str::to_string)
    });
    let Some(fact) = store.generated_mut(FACT_OBJECT) else { return };
    let [company_col, measure, prev, cur, trend] =
        cols(fact, ["CompanyId", "MeasureId", "PrevScoreId", "CurScoreId", "Trend"]);
    let modified = modified_col(fact);
    let Some(overall) = overall else { return };
    let this = |r: &Row| text(r, &company_col) == Some(id) && text(r, &measure) == Some(overall.as_str());
    for r in fact.rows.iter_mut().filter(|r| this(r)) {
        set(r, &prev, json!(old_id));
        set(r, &cur, json!(new_id));
        set(r, &trend, json!(if new > old { "Up" } else { "Down" }));
        set(r, &modified, json!(now));
    }
}

/// Closes an open CTA, or re-opens a closed one with a new due date.
fn modify_cta(store: &mut Store, id: &str, now: i64) {
    let status_ids: Vec<(String, String)> = store
        .generated("da_picklist")
        .map(|p| {
            let [category, name, gsid] = cols(p, ["Category", "Name", "Gsid"]);
            p.rows
                .iter()
                .filter(|r| text(r, &category) == Some("CTA Status"))
                .map(|r| (text(r, &name).unwrap_or("").to_string(), text(r, &gsid).unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default();
    let status = |name: &str| status_ids.iter().find(|(n, _)| n == name).map(|(_, g)| g.clone());
    let Some(ctas) = store.generated_mut("call_to_action") else { return };
    let [closed, closed_date, status_col, due] =
        cols(ctas, ["IsClosed", "ClosedDate", "StatusId", "DueDate"]);
    let modified = modified_col(ctas);
    let Some(r) = ctas.get_mut(id) else { return };
    if closed.as_deref().and_then(|c| r.get(c)) == Some(&json!(true)) {
        set(r, &closed, json!(false));
        set(r, &closed_date, Value::Null);
        set(r, &status_col, json!(status("Work In Progress")));
        set(r, &due, json!((now / DAY_MS + 14) * DAY_MS));
    } else {
        set(r, &closed, json!(true));
        set(r, &closed_date, json!(now));
        set(r, &status_col, json!(status("Closed Success")));
    }
    set(r, &modified, json!(now));
}

/// Records that hang off a company and go with it: (object, company field, logged in the delete log).
const DEPENDENTS: &[(&str, &str, bool)] = &[
    ("call_to_action", "CompanyId", true),
    (FACT_OBJECT, "CompanyId", false),
    (HISTORY_OBJECT, "CompanyId", false),
    (USAGE_OBJECT, "CompanyId__gc", false),
    ("activity_timeline", "GsCompanyId", false),
];

/// Deletes `count` records of `object` and writes each to `record_delete_log` under the name the
/// object is served as; returns their GSIDs. Deleting a company takes its CTAs, scores, history,
/// usage and timeline with it, as CS does.
pub fn delete(store: &mut Store, object: &str, count: usize, now: i64, salt: u64) -> Vec<String> {
    let ids = pick(store, object, count, salt);
    let Some(o) = store.find_mut(object) else { return ids };
    let (name, is_company) = (o.name.clone(), o.origin.eq_ignore_ascii_case("company"));
    // (record id, object name), in the order they are logged.
    let mut logged: Vec<(String, String)> = Vec::new();
    for id in &ids {
        if o.remove(id).is_some() {
            logged.push((id.clone(), name.clone()));
        }
    }
    if is_company {
        for (dependent, key, log) in DEPENDENTS {
            let served = store.current_name(dependent);
            let Some(o) = store.generated_mut(dependent) else { continue };
            // Without the field that links them to their company, they cannot be found.
            let Some(key) = o.col(key).map(str::to_string) else { continue };
            let doomed: Vec<String> = o
                .rows
                .iter()
                .filter(|r| r.get(&key).and_then(Value::as_str).is_some_and(|c| ids.iter().any(|id| id == c)))
                .filter_map(|r| r.get("Gsid").and_then(Value::as_str).map(str::to_string))
                .collect();
            for d in doomed {
                o.remove(&d);
                if *log {
                    logged.push((d, served.clone()));
                }
            }
        }
    }
    let mut rng = Rng::new(salt).fork("delete-log");
    if let Some(log) = store.generated_mut("record_delete_log") {
        let keys = cols(log, ["Gsid", "RecordId", "ObjectName", "DeletedOn"]);
        for (id, object) in logged {
            let mut row = Row::new();
            for (key, value) in
                keys.iter().zip([json!(rng.gsid("1D01")), json!(id), json!(object), json!(now)])
            {
                set(&mut row, key, value);
            }
            log.push(row);
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{DataSpec, generate};

    #[test]
    fn modify_moves_bands_and_delete_logs() {
        let mut s =
            generate(&DataSpec { seed: 5, companies: 20, anchor_day: 20_000, measure_history: false });
        let now = 20_001 * DAY_MS;
        let changed = modify(&mut s, "company", 3, now, 1);
        assert_eq!(changed.len(), 3);
        for id in &changed {
            let r = s.object("company").and_then(|o| o.get(id)).expect("still there");
            assert_eq!(r["ModifiedDate"], json!(now));
        }
        let gone = delete(&mut s, "company", 2, now, 2);
        assert_eq!(s.object("company").map(|o| o.rows.len()), Some(18));
        let log = s.object("record_delete_log").expect("log");
        assert_eq!(log.rows.iter().filter(|r| r["ObjectName"] == "Company").count(), 2);
        assert!(
            log.rows.iter().any(|r| r["ObjectName"] == "call_to_action"),
            "their CTAs go with them, logged"
        );
        let fact = s.object(crate::data::FACT_OBJECT).expect("fact");
        assert!(
            gone.iter().all(|g| fact.rows.iter().all(|r| r["CompanyId"] != g.as_str())),
            "scores cascade"
        );
        assert!(gone.iter().all(|id| log.rows.iter().any(|r| r["RecordId"] == id.as_str())));
        assert!(gone.iter().all(|id| s.object("company").and_then(|o| o.get(id)).is_none()));
    }
}
