//! The scorecard fact and history objects have no fixed API names (they vary by org): the first
//! full read of health scores looks them up in the org's object list, keeps the configured names
//! while the org has them, and otherwise switches to the org's own objects and saves that choice.

use crate::gainsight::CsClient;
use serde_json::Value;

const OBJECT_LIST: &str = "/v1/meta/services/objects/list?po=company&em=false";

/// The names to use: each configured name if the org lists it, else the org's best candidate (a
/// name with "scorecard" and "fact" or "history", company scorecards before relationship ones,
/// then the shortest), else the configured name unchanged.
pub fn choose(listed: &[String], fact: &str, history: &str) -> (String, String) {
    (pick(listed, fact, "fact"), pick(listed, history, "history"))
}

fn pick(listed: &[String], configured: &str, part: &str) -> String {
    if listed.iter().any(|n| n.eq_ignore_ascii_case(configured)) {
        return configured.to_string();
    }
    listed
        .iter()
        .filter(|n| {
            let n = n.to_ascii_lowercase();
            n.contains("scorecard") && n.contains(part)
        })
        .min_by_key(|n| {
            let lower = n.to_ascii_lowercase();
            (lower.contains("relationship"), !lower.contains("company"), n.len(), lower)
        })
        .cloned()
        .unwrap_or_else(|| configured.to_string())
}

/// An object of the org's object list.
#[derive(Clone, Debug, PartialEq)]
pub struct Listed {
    pub name: String,
    pub label: String,
    /// STANDARD, CUSTOM or SYSTEM.
    pub object_type: String,
}

/// One call to the object list; `None` when it cannot be read (the sync then goes on with the
/// configured names, and a wrong one fails its stream with the object's own error).
pub async fn listed_objects(client: &CsClient) -> Option<Vec<Listed>> {
    client.meta(OBJECT_LIST).await.ok().map(|data| parse_list(data.records()))
}

pub fn parse_list(records: &[Value]) -> Vec<Listed> {
    records
        .iter()
        .filter_map(|o| {
            let name = o.get("objectName").and_then(Value::as_str)?.to_string();
            let text = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
            Some(Listed { label: text("label"), object_type: text("objectType"), name })
        })
        .collect()
}

/// Custom objects that may hold usage, named in a notice: "usage" in the name or label first.
pub fn usage_guesses(listed: &[Listed]) -> Vec<String> {
    let custom = |o: &&Listed| o.name.ends_with("__gc") || o.object_type.eq_ignore_ascii_case("CUSTOM");
    let usage = |o: &Listed| format!("{} {}", o.name, o.label).to_ascii_lowercase().contains("usage");
    let mut out: Vec<&Listed> = listed.iter().filter(custom).collect();
    out.sort_by_key(|o| (!usage(o), o.name.to_ascii_lowercase()));
    out.into_iter().take(5).map(|o| o.name.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn names_are_chosen_from_the_org() {
        let default = ("company_scorecard_fact", "company_scorecard_history");
        let cases: &[(&[&str], (&str, &str))] = &[
            // The configured names exist: kept, whatever else is listed.
            (&["company", "company_scorecard_fact", "company_scorecard_history"], default),
            (&["Company_Scorecard_Fact", "COMPANY_SCORECARD_HISTORY", "scorecard_fact"], default),
            // The org names them differently.
            (&["company", "scorecard_fact", "scorecard_history"], ("scorecard_fact", "scorecard_history")),
            (
                &["cs_scorecard_fact__gc", "cs_scorecard_history__gc", "scorecard_master"],
                ("cs_scorecard_fact__gc", "cs_scorecard_history__gc"),
            ),
            // Company scorecards before relationship ones, then the shortest name.
            (
                &[
                    "relationship_scorecard_fact",
                    "gs_company_scorecard_fact",
                    "relationship_scorecard_history",
                    "scorecard_history",
                ],
                ("gs_company_scorecard_fact", "scorecard_history"),
            ),
            (
                &[
                    "scorecard_fact_weekly",
                    "scorecard_fact",
                    "scorecard_history_archive",
                    "scorecard_history",
                ],
                ("scorecard_fact", "scorecard_history"),
            ),
            // Nothing that looks like one: the configured names stay, and only the missing one moves.
            (&["company", "call_to_action"], default),
            (
                &["company_scorecard_fact", "sc_history_scorecard"],
                ("company_scorecard_fact", "sc_history_scorecard"),
            ),
            (&[], default),
        ];
        for (listed, (fact, history)) in cases {
            let got = choose(&names(listed), default.0, default.1);
            assert_eq!(got, (fact.to_string(), history.to_string()), "listed {listed:?}");
        }
    }

    #[test]
    fn an_admins_own_names_are_kept_while_the_org_has_them() {
        let listed = names(&["company_scorecard_fact", "company_scorecard_history", "my_fact", "my_history"]);
        assert_eq!(choose(&listed, "my_fact", "my_history"), ("my_fact".into(), "my_history".into()));
    }
}
