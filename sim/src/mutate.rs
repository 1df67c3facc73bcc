//! Changes to the org between syncs, made through the control API: records modified (a company's
//! health moves band, a CTA closes) or deleted (and written to the delete log).

use crate::rng::Rng;
use crate::schema::{Row, Store};
use crate::time::DAY_MS;
use serde_json::{Value, json};

/// Picks `count` distinct GSIDs of `object`, deterministically for a given `salt`.
fn pick(store: &Store, object: &str, count: usize, salt: u64) -> Vec<String> {
    let Some(o) = store.object(object) else { return Vec::new() };
    let mut ids: Vec<String> =
        o.rows.iter().filter_map(|r| r.get("Gsid").and_then(Value::as_str).map(str::to_string)).collect();
    ids.sort();
    Rng::new(salt).sample(ids, count)
}

fn scheme_id_for(store: &Store, score: i64) -> Option<String> {
    store.object("scoring_scheme_definition")?.rows.iter().find(|r| r["Score"] == score)?["Gsid"]
        .as_str()
        .map(str::to_string)
}

fn score_of(store: &Store, scheme_id: &str) -> i64 {
    store
        .object("scoring_scheme_definition")
        .and_then(|o| o.get(scheme_id))
        .and_then(|r| r["Score"].as_i64())
        .unwrap_or(50)
}

/// Modifies `count` records of `object` at time `now`; returns their GSIDs.
pub fn modify(store: &mut Store, object: &str, count: usize, now: i64, salt: u64) -> Vec<String> {
    let ids = pick(store, object, count, salt);
    let lower = object.to_ascii_lowercase();
    for id in &ids {
        match lower.as_str() {
            "company" => modify_company(store, id, now),
            "call_to_action" => modify_cta(store, id, now),
            _ => {
                if let Some(r) = store.object_mut(object).and_then(|o| o.get_mut(id)) {
                    bump(r, now);
                }
            }
        }
    }
    ids
}

fn bump(r: &mut Row, now: i64) {
    let key = if r.contains_key("LastModifiedDate") { "LastModifiedDate" } else { "ModifiedDate" };
    r.insert(key.to_string(), json!(now));
}

/// Moves the company's score across a band boundary and raises its ARR; the scorecard fact follows.
fn modify_company(store: &mut Store, id: &str, now: i64) {
    let Some(cur_id) =
        store.object("company").and_then(|o| o.get(id)).and_then(|r| r["CurrentScore"].as_str())
    else {
        return;
    };
    let old = score_of(store, cur_id);
    let new = if old >= 50 { (old - 40).max(0) } else { (old + 40).min(100) };
    let (Some(new_id), Some(old_id)) = (scheme_id_for(store, new), scheme_id_for(store, old)) else { return };
    if let Some(r) = store.object_mut("company").and_then(|o| o.get_mut(id)) {
        let arr = r["Arr"].as_i64().unwrap_or(0);
        r.insert("Arr".into(), json!(arr + 1000));
        r.insert("Mrr".into(), json!((arr + 1000) / 12));
        r.insert("CurrentScore".into(), json!(new_id));
        bump(r, now);
    }
    let overall = store
        .object("scorecard_measure")
        .and_then(|m| m.rows.iter().find(|r| r["IsOverall"] == true))
        .and_then(|r| r["Gsid"].as_str().map(str::to_string));
    let fact_name = store.current_name(crate::data::FACT_OBJECT);
    if let (Some(fact), Some(overall)) = (store.object_mut(&fact_name), overall) {
        for r in fact.rows.iter_mut().filter(|r| r["CompanyId"] == id && r["MeasureId"] == overall.as_str()) {
            r.insert("PrevScoreId".into(), json!(old_id));
            r.insert("CurScoreId".into(), json!(new_id));
            r.insert("Trend".into(), json!(if new > old { "Up" } else { "Down" }));
            bump(r, now);
        }
    }
}

/// Closes an open CTA, or re-opens a closed one with a new due date.
fn modify_cta(store: &mut Store, id: &str, now: i64) {
    let status_ids: Vec<(String, String)> = store
        .object("da_picklist")
        .map(|p| {
            p.rows
                .iter()
                .filter(|r| r["Category"] == "CTA Status")
                .map(|r| {
                    (
                        r["Name"].as_str().unwrap_or("").to_string(),
                        r["Gsid"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let status = |name: &str| status_ids.iter().find(|(n, _)| n == name).map(|(_, g)| g.clone());
    let Some(r) = store.object_mut("call_to_action").and_then(|o| o.get_mut(id)) else { return };
    if r["IsClosed"] == true {
        r.insert("IsClosed".into(), json!(false));
        r.insert("ClosedDate".into(), Value::Null);
        r.insert("StatusId".into(), json!(status("Work In Progress")));
        r.insert("DueDate".into(), json!((now / DAY_MS + 14) * DAY_MS));
    } else {
        r.insert("IsClosed".into(), json!(true));
        r.insert("ClosedDate".into(), json!(now));
        r.insert("StatusId".into(), json!(status("Closed Success")));
    }
    bump(r, now);
}

/// Records that hang off a company and go with it: (object, company field, logged in the delete log).
const DEPENDENTS: &[(&str, &str, bool)] = &[
    ("call_to_action", "CompanyId", true),
    (crate::data::FACT_OBJECT, "CompanyId", false),
    (crate::data::HISTORY_OBJECT, "CompanyId", false),
    (crate::data::USAGE_OBJECT, "CompanyId__gc", false),
    ("activity_timeline", "GsCompanyId", false),
];

/// Deletes `count` records of `object` and writes each to `record_delete_log`; returns their GSIDs.
/// Deleting a company takes its CTAs, scores, history, usage and timeline with it, as CS does.
pub fn delete(store: &mut Store, object: &str, count: usize, now: i64, salt: u64) -> Vec<String> {
    let ids = pick(store, object, count, salt);
    let name = store.object(object).map(|o| o.name).unwrap_or("unknown");
    let mut rng = Rng::new(salt).fork("delete-log");
    let mut log_rows = Vec::new();
    let mut log = |rng: &mut Rng, id: &str, object: &str| {
        log_rows.push(crate::data::row(json!({
            "Gsid": rng.gsid("1D01"), "RecordId": id, "ObjectName": object, "DeletedOn": now,
        })));
    };
    let is_company = object.eq_ignore_ascii_case("company");
    if let Some(o) = store.object_mut(object) {
        for id in &ids {
            if o.remove(id).is_some() {
                log(&mut rng, id, name);
            }
        }
    }
    if is_company {
        for (dependent, key, logged) in DEPENDENTS {
            let dependent = store.current_name(dependent);
            let Some(o) = store.object_mut(&dependent) else { continue };
            let doomed: Vec<String> = o
                .rows
                .iter()
                .filter(|r| r.get(*key).and_then(Value::as_str).is_some_and(|c| ids.iter().any(|id| id == c)))
                .filter_map(|r| r.get("Gsid").and_then(Value::as_str).map(str::to_string))
                .collect();
            for d in doomed {
                o.remove(&d);
                if *logged {
                    log(&mut rng, &d, &dependent);
                }
            }
        }
    }
    if let Some(log) = store.object_mut("record_delete_log") {
        for r in log_rows {
            log.push(r);
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
        let mut s = generate(&DataSpec { seed: 5, companies: 20, anchor_day: 20_000 });
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
