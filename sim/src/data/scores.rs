//! Scorecards 2.0: a scorecard, its measures, the current score per company and measure (with the
//! previous score and trend), and weekly history of the overall score.

use super::{ids, row};
use crate::data::DataSpec;
use crate::rng::Rng;
use crate::schema::{DataType as T, Object, Store, field, lookup};
use crate::time::DAY_MS;
use serde_json::{Value, json};

pub const MEASURES: &[&str] = &["Overall Score", "Product Usage", "Support", "NPS", "Engagement", "Adoption"];
pub const HISTORY_WEEKS: i64 = 20;
pub const FACT_OBJECT: &str = "company_scorecard_fact";
pub const HISTORY_OBJECT: &str = "company_scorecard_history";

fn score_of(store: &Store, scheme_id: &str) -> i64 {
    store
        .object("scoring_scheme_definition")
        .and_then(|o| o.get(scheme_id))
        .and_then(|r| r["Score"].as_i64())
        .unwrap_or(50)
}

pub fn add(store: &mut Store, root: &Rng, spec: &DataSpec, now: i64) {
    let mut rng = root.fork("scorecard");
    let scheme = ids(store, "scoring_scheme_definition");
    let mut master = Object::new(
        "scorecard_master",
        "Scorecard",
        "STANDARD",
        "1S02",
        vec![
            field("Gsid", "GSID", T::Gsid),
            field("Name", "Name", T::String),
            field("IsActive", "Active", T::Boolean),
        ],
    );
    let scorecard = rng.gsid("1S02");
    master.push(row(json!({"Gsid": scorecard, "Name": "Customer Health", "IsActive": true})));

    let mut measures = Object::new(
        "scorecard_measure",
        "Scorecard Measure",
        "STANDARD",
        "1S03",
        vec![
            field("Gsid", "GSID", T::Gsid),
            field("Name", "Name", T::String),
            lookup("ScorecardId", "Scorecard", "scorecard_master"),
            field("Weight", "Weight", T::Number),
            field("IsOverall", "Is Overall", T::Boolean),
            field("ModifiedDate", "Modified Date", T::DateTime),
        ],
    );
    let measure_ids: Vec<String> = MEASURES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let id = rng.gsid("1S03");
            measures.push(row(json!({
                "Gsid": id, "Name": name, "ScorecardId": scorecard, "Weight": if i == 0 { 0 } else { 20 }, "IsOverall": i == 0,
            })));
            id
        })
        .collect();

    let score_fields = |extra: Vec<crate::schema::Field>| {
        let mut f = vec![
            field("Gsid", "GSID", T::Gsid),
            lookup("CompanyId", "Company", "company"),
            lookup("ScorecardId", "Scorecard", "scorecard_master"),
            lookup("MeasureId", "Measure", "scorecard_measure"),
        ];
        f.extend(extra);
        f.push(field("ModifiedDate", "Modified Date", T::DateTime));
        f
    };
    let mut fact = Object::new(
        FACT_OBJECT,
        "Company Scorecard Fact",
        "SYSTEM",
        "1S04",
        score_fields(vec![
            lookup("CurScoreId", "Current Score", "scoring_scheme_definition"),
            lookup("PrevScoreId", "Previous Score", "scoring_scheme_definition"),
            field("Trend", "Trend", T::String),
            field("Comments", "Comments", T::String),
        ]),
    );
    let mut history = Object::new(
        HISTORY_OBJECT,
        "Company Scorecard History",
        "SYSTEM",
        "1S06",
        score_fields(vec![
            lookup("ScoreId", "Score", "scoring_scheme_definition"),
            field("Score", "Score Value", T::Number),
            field("SnapshotDate", "Snapshot Date", T::Date),
        ]),
    );

    let companies: Vec<(String, String, i64)> = store
        .object("company")
        .map(|o| {
            o.rows
                .iter()
                .map(|r| {
                    let id = r["Gsid"].as_str().unwrap_or_default().to_string();
                    let cur = r["CurrentScore"].as_str().unwrap_or_default().to_string();
                    (id, cur.clone(), r["ModifiedDate"].as_i64().unwrap_or(now))
                })
                .collect()
        })
        .unwrap_or_default();
    let week_start = (spec.anchor_day - spec.anchor_day.rem_euclid(7)) * DAY_MS;
    for (company, current_id, modified) in &companies {
        let overall = score_of(store, current_id);
        let mut currents = Vec::with_capacity(measure_ids.len());
        for (m, measure) in measure_ids.iter().enumerate() {
            let cur = if m == 0 { overall } else { (overall + rng.range(-25, 26)).clamp(0, 100) };
            currents.push(cur);
            let prev = (cur + rng.range(-15, 16)).clamp(0, 100);
            let trend = match cur.cmp(&prev) {
                std::cmp::Ordering::Greater => "Up",
                std::cmp::Ordering::Less => "Down",
                std::cmp::Ordering::Equal => "Same",
            };
            fact.push(row(json!({
                "Gsid": rng.gsid("1S04"), "CompanyId": company, "ScorecardId": scorecard, "MeasureId": measure,
                "CurScoreId": scheme[cur as usize], "PrevScoreId": scheme[prev as usize], "Trend": trend,
                "Comments": Value::Null, "ModifiedDate": modified,
            })));
        }
        // Weekly overall history, walking back from today's score.
        let mut score = overall;
        for week in 0..HISTORY_WEEKS {
            let date = week_start - week * 7 * DAY_MS;
            history.push(row(json!({
                "Gsid": rng.gsid("1S06"), "CompanyId": company, "ScorecardId": scorecard, "MeasureId": measure_ids[0],
                "ScoreId": scheme[score as usize], "Score": score, "SnapshotDate": date, "ModifiedDate": date + DAY_MS,
            })));
            score = (score + rng.range(-6, 7)).clamp(0, 100);
        }
        // Each measure's own weeks back from its current score, on a random stream of its own so
        // the rest of the org is the same with or without them.
        if spec.measure_history {
            let mut walk = rng.fork(&format!("measure-history-{company}"));
            for (m, measure) in measure_ids.iter().enumerate().skip(1) {
                let mut score = currents[m];
                for week in 0..HISTORY_WEEKS {
                    let date = week_start - week * 7 * DAY_MS;
                    history.push(row(json!({
                        "Gsid": walk.gsid("1S06"), "CompanyId": company, "ScorecardId": scorecard, "MeasureId": measure,
                        "ScoreId": scheme[score as usize], "Score": score, "SnapshotDate": date, "ModifiedDate": date + DAY_MS,
                    })));
                    score = (score + walk.range(-8, 9) + (m as i64 % 2)).clamp(0, 100);
                }
            }
        }
    }
    for o in [master, measures, fact, history] {
        store.insert(o);
    }
}
