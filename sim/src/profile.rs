//! Org profiles: how one org differs from the simulator's default shape. Real orgs lack fields and
//! objects, hide fields from the API user, name fields and objects their own way, and PX
//! subscriptions lack endpoints; a profile says which, so clients can be tested against each.
//!
//! A profile is applied to the generated org once at start ([`crate::SimConfig::profile`]) and may
//! be applied again, on top, while it runs ([`crate::RunningSim::apply_profile`], `PUT
//! /__sim/profile`).
//!
//! ## Naming rule
//!
//! Changes apply in this order: renamed objects, absent objects, renamed fields, absent fields,
//! hidden fields. So **field entries name an object as the org serves it, i.e. by its new name
//! when it is renamed** (`scorecard_fact`, not `company_scorecard_fact`). Every object or field
//! named in a profile is looked up first by the name it is served under, then by its generator
//! name, so an entry naming a renamed object (or field) by its old name still finds it, and
//! applying the same profile twice changes nothing. Names match case-insensitively.
//!
//! Absences of things the org already lacks are no-ops; a rename or a hidden field that names
//! nothing, a rename onto a name already taken, a change to `Gsid` (the record key) or a PX entry
//! that is not `/path` with a 4xx/5xx status is an error, and then nothing of the profile applies.

use crate::schema::Store;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrgProfile {
    /// (object, field): the field does not exist: describe doesn't list it, rows don't carry it,
    /// and a query that selects, filters or orders by it (also through `Field__gr.Sub`) gets HTTP
    /// 400 `GSOBJ_1002` "Invalid field: <path>".
    pub absent_fields: Vec<(String, String)>,
    /// (object, field): describe lists it, but any query touching it gets 400 `GSOBJ_1002`
    /// "Invalid field: <path>" (field-level permissions hide it from the API user).
    pub hidden_fields: Vec<(String, String)>,
    /// (object, old field, new field, new label or None): the field is served under another API
    /// name (and label); rows carry the new name; the old name is then invalid.
    pub renamed_fields: Vec<(String, String, String, Option<String>)>,
    /// (old object, new object, new label or None): the object is served under another API name;
    /// the old name is then unknown (400 `OBJECT_NOT_FOUND`).
    pub renamed_objects: Vec<(String, String, Option<String>)>,
    /// Objects the org does not have: not in the object list; query and describe answer 400
    /// `OBJECT_NOT_FOUND`, as for any unknown object.
    pub absent_objects: Vec<String>,
    /// PX endpoints this subscription lacks: (path under `/v1`, e.g. `/events/feature_match` or
    /// `/users`; status, 404 or 403). Matched by path prefix (whole segments, case-insensitive)
    /// after the region's `/px/{region}/v1`; the longest matching path wins. Applies after auth.
    pub px_endpoints: Vec<(String, u16)>,
}

fn pair(object: &str, field: &str) -> (String, String) {
    (object.to_string(), field.to_string())
}

/// The standard company fields the `sparse` org lacks (it keeps `Gsid`, `Name`, `ModifiedDate`
/// and the `__gc` custom fields).
const SPARSE_COMPANY_ABSENT: &[&str] = &[
    "Industry",
    "Arr",
    "Mrr",
    "RenewalDate",
    "OriginalContractDate",
    "Stage",
    "Status",
    "Csm",
    "ManagedAs",
    "Employees",
    "SfdcAccountId",
    "CurrentScore",
    "CreatedDate",
];

impl OrgProfile {
    /// The names [`OrgProfile::named`] knows.
    pub const NAMES: &'static [&'static str] = &["default", "documented", "sparse", "hidden", "px-limited"];

    /// A named profile:
    /// - `default`: no changes.
    /// - `documented`: an org built from Gainsight's documented samples (scorecard objects named
    ///   `scorecard_fact` / `scorecard_history`, a usage object `customer_usage__gc`, no MRR,
    ///   employee count or company status, no CTA closed date).
    /// - `sparse`: a bare company object, a CTA object without closed date, reason or importance,
    ///   and no usage or scorecard objects at all.
    /// - `hidden`: company ARR and CSM hidden from the API user.
    /// - `px-limited`: a PX subscription without `/users` (403) or `/events/feature_match` (404).
    pub fn named(name: &str) -> Option<OrgProfile> {
        let mut p = OrgProfile::default();
        match name.trim().to_ascii_lowercase().as_str() {
            "default" => {}
            "documented" => {
                let renamed = |old: &str, new: &str, label: &str| {
                    (old.to_string(), new.to_string(), Some(label.to_string()))
                };
                p.renamed_objects = vec![
                    renamed("company_scorecard_fact", "scorecard_fact", "Scorecard Fact"),
                    renamed("company_scorecard_history", "scorecard_history", "Scorecard History"),
                    renamed("product_usage__gc", "customer_usage__gc", "Customer Usage"),
                ];
                let field = |object: &str, old: &str, new: &str, label: &str| {
                    (object.to_string(), old.to_string(), new.to_string(), Some(label.to_string()))
                };
                p.renamed_fields = vec![
                    field("scorecard_fact", "CurScoreId", "CurrentScoreId", "Current Score"),
                    field("scorecard_fact", "PrevScoreId", "PreviousScoreId", "Previous Score"),
                    field("scorecard_history", "SnapshotDate", "WeekStartDate", "Week Start Date"),
                    field("customer_usage__gc", "CompanyId__gc", "Company__gc", "Company"),
                    field("customer_usage__gc", "UsageDate__gc", "WeekOf__gc", "Week Of"),
                    field(
                        "customer_usage__gc",
                        "ActiveUsers__gc",
                        "WeeklyActiveUsers__gc",
                        "Weekly Active Users",
                    ),
                    field("customer_usage__gc", "Logins__gc", "LoginCount__gc", "Login Count"),
                ];
                p.absent_fields = vec![
                    pair("company", "Mrr"),
                    pair("company", "Employees"),
                    pair("company", "Status"),
                    pair("call_to_action", "ClosedDate"),
                    pair("scoring_scheme_definition", "ModifiedDate"),
                    pair("scorecard_history", "Score"),
                    pair("customer_usage__gc", "FeatureEvents__gc"),
                ];
            }
            "sparse" => {
                p.absent_fields = SPARSE_COMPANY_ABSENT.iter().map(|f| pair("company", f)).collect();
                for f in ["ClosedDate", "ReasonId", "IsImportant"] {
                    p.absent_fields.push(pair("call_to_action", f));
                }
                p.absent_objects =
                    ["product_usage__gc", "company_scorecard_fact", "company_scorecard_history"]
                        .map(str::to_string)
                        .to_vec();
            }
            "hidden" => p.hidden_fields = vec![pair("company", "Arr"), pair("company", "Csm")],
            "px-limited" => {
                p.px_endpoints =
                    vec![("/users".to_string(), 403), ("/events/feature_match".to_string(), 404)];
            }
            _ => return None,
        }
        Some(p)
    }

    pub fn is_empty(&self) -> bool {
        *self == OrgProfile::default()
    }

    /// Adds `other`'s entries to this profile (entries it already has are not repeated).
    pub fn merge(&mut self, other: &OrgProfile) {
        fn extend<T: Clone + PartialEq>(into: &mut Vec<T>, from: &[T]) {
            for item in from {
                if !into.contains(item) {
                    into.push(item.clone());
                }
            }
        }
        extend(&mut self.absent_fields, &other.absent_fields);
        extend(&mut self.hidden_fields, &other.hidden_fields);
        extend(&mut self.renamed_fields, &other.renamed_fields);
        extend(&mut self.renamed_objects, &other.renamed_objects);
        extend(&mut self.absent_objects, &other.absent_objects);
        extend(&mut self.px_endpoints, &other.px_endpoints);
    }

    /// Changes `store` as this profile says, or changes nothing and says why not.
    pub fn apply(&self, store: &mut Store) -> Result<(), String> {
        self.check_px()?;
        // A dry run on the schema alone finds every error before a row is touched.
        self.apply_unchecked(&mut store.shape())?;
        self.apply_unchecked(store)
    }

    fn check_px(&self) -> Result<(), String> {
        for (path, status) in &self.px_endpoints {
            if !path.starts_with('/') {
                return Err(format!("PX endpoint {path:?}: expected a path under /v1 such as /users"));
            }
            if !(400..=599).contains(status) {
                return Err(format!("PX endpoint {path}: status {status} is not an error status"));
            }
        }
        Ok(())
    }

    fn apply_unchecked(&self, store: &mut Store) -> Result<(), String> {
        for (old, new, label) in &self.renamed_objects {
            store.rename(old, new, label.as_deref())?;
        }
        for object in &self.absent_objects {
            store.remove(object);
        }
        for (object, old, new, label) in &self.renamed_fields {
            rename_field(store, object, old, new, label.as_deref())?;
        }
        for (object, field) in &self.absent_fields {
            remove_field(store, object, field)?;
        }
        for (object, field) in &self.hidden_fields {
            let o = store
                .find_mut(object)
                .ok_or_else(|| format!("hidden field {object}.{field}: no object {object}"))?;
            let i =
                field_index(o, field).ok_or_else(|| format!("hidden field: no field {object}.{field}"))?;
            not_the_key(object, &o.fields[i].name)?;
            o.fields[i].hidden = true;
        }
        Ok(())
    }

    /// The status a PX call to `path` (the part after `/px/{region}/v1`) gets instead of its
    /// reply, if this subscription lacks the endpoint.
    pub fn px_status(&self, path: &str) -> Option<u16> {
        let path = path.trim_end_matches('/').to_ascii_lowercase();
        self.px_endpoints
            .iter()
            .filter(|(prefix, _)| {
                let prefix = prefix.trim_end_matches('/').to_ascii_lowercase();
                path == prefix || path.strip_prefix(&prefix).is_some_and(|rest| rest.starts_with('/'))
            })
            .max_by_key(|(prefix, _)| prefix.trim_end_matches('/').len())
            .map(|(_, status)| *status)
    }
}

/// The position of the field served as `name` in `o`, or else generated as `name`.
fn field_index(o: &crate::schema::Object, name: &str) -> Option<usize> {
    o.fields
        .iter()
        .position(|f| f.name.eq_ignore_ascii_case(name))
        .or_else(|| o.fields.iter().position(|f| f.origin.eq_ignore_ascii_case(name)))
}

fn not_the_key(object: &str, field: &str) -> Result<(), String> {
    if field.eq_ignore_ascii_case("Gsid") {
        return Err(format!("{object}.Gsid is the record key and cannot be changed"));
    }
    Ok(())
}

fn rename_field(
    store: &mut Store,
    object: &str,
    old: &str,
    new: &str,
    label: Option<&str>,
) -> Result<(), String> {
    let o =
        store.find_mut(object).ok_or_else(|| format!("renamed field {object}.{old}: no object {object}"))?;
    let i = field_index(o, old).ok_or_else(|| format!("renamed field: no field {object}.{old}"))?;
    let current = o.fields[i].name.clone();
    not_the_key(object, &current)?;
    if new.trim().is_empty() || new.contains('.') {
        return Err(format!("cannot rename {object}.{old} to {new:?}"));
    }
    if o.fields.iter().enumerate().any(|(j, f)| j != i && f.name.eq_ignore_ascii_case(new)) {
        return Err(format!("cannot rename {object}.{old} to {new}: that field exists"));
    }
    if let Some(label) = label {
        o.fields[i].label = label.to_string();
    }
    if current == new {
        return Ok(());
    }
    o.fields[i].name = new.to_string();
    for row in &mut o.rows {
        if let Some(value) = row.remove(&current) {
            row.insert(new.to_string(), value);
        }
    }
    Ok(())
}

fn remove_field(store: &mut Store, object: &str, field: &str) -> Result<(), String> {
    // Gone with its object, or already gone: absent either way.
    let Some(o) = store.find_mut(object) else { return Ok(()) };
    let Some(i) = field_index(o, field) else { return Ok(()) };
    not_the_key(object, &o.fields[i].name)?;
    let removed = o.fields.remove(i);
    for row in &mut o.rows {
        row.remove(&removed.name);
    }
    Ok(())
}

/// `OBJ.FIELD`, as the `--absent-field` and `--hidden-field` flags take it.
pub fn parse_object_field(text: &str) -> Result<(String, String), String> {
    match text.trim().split_once('.') {
        Some((o, f)) if !o.trim().is_empty() && !f.trim().is_empty() => Ok(pair(o.trim(), f.trim())),
        _ => Err(format!("expected OBJECT.FIELD, got {text:?}")),
    }
}

/// `NEW` or `NEW:Label`.
fn name_and_label(text: &str) -> (String, Option<String>) {
    match text.split_once(':') {
        Some((name, label)) if !label.trim().is_empty() => {
            (name.trim().to_string(), Some(label.trim().to_string()))
        }
        _ => (text.trim().trim_end_matches(':').to_string(), None),
    }
}

/// `OBJ.OLD=NEW` or `OBJ.OLD=NEW:Label`, as `--rename-field` takes it.
pub fn parse_field_rename(text: &str) -> Result<(String, String, String, Option<String>), String> {
    let bad = || format!("expected OBJECT.OLD=NEW[:LABEL], got {text:?}");
    let (left, right) = text.split_once('=').ok_or_else(bad)?;
    let (object, old) = parse_object_field(left).map_err(|_| bad())?;
    let (new, label) = name_and_label(right);
    if new.is_empty() {
        return Err(bad());
    }
    Ok((object, old, new, label))
}

/// `OLD=NEW` or `OLD=NEW:Label`, as `--rename-object` takes it.
pub fn parse_object_rename(text: &str) -> Result<(String, String, Option<String>), String> {
    let bad = || format!("expected OLD=NEW[:LABEL], got {text:?}");
    let (old, right) = text.split_once('=').ok_or_else(bad)?;
    let (new, label) = name_and_label(right);
    if old.trim().is_empty() || new.is_empty() {
        return Err(bad());
    }
    Ok((old.trim().to_string(), new, label))
}

/// `PATH=STATUS`, as `--px-endpoint` takes it (e.g. `/users=403`).
pub fn parse_px_endpoint(text: &str) -> Result<(String, u16), String> {
    let bad = || format!("expected PATH=STATUS such as /users=403, got {text:?}");
    let (path, status) = text.rsplit_once('=').ok_or_else(bad)?;
    let status: u16 = status.trim().parse().map_err(|_| bad())?;
    let path = path.trim();
    if !path.starts_with('/') || !(400..=599).contains(&status) {
        return Err(bad());
    }
    Ok((path.to_string(), status))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{DataSpec, generate};

    fn org() -> Store {
        generate(&DataSpec { seed: 4, companies: 10, anchor_day: 20_000, measure_history: false })
    }

    #[test]
    fn every_name_is_known_and_the_default_changes_nothing() {
        for name in OrgProfile::NAMES {
            assert!(OrgProfile::named(name).is_some(), "{name}");
        }
        assert!(OrgProfile::named("nope").is_none());
        assert!(OrgProfile::named("default").is_some_and(|p| p.is_empty()));
        assert_eq!(OrgProfile::named("Documented"), OrgProfile::named("documented"), "case-insensitive");
    }

    #[test]
    fn documented_applies_cleanly_and_twice_is_the_same() {
        let mut store = org();
        let p = OrgProfile::named("documented").expect("documented");
        p.apply(&mut store).expect("applies");
        let names = |s: &Store| s.objects.keys().cloned().collect::<Vec<_>>();
        let once = names(&store);
        p.apply(&mut store).expect("and again");
        assert_eq!(names(&store), once);
        let fact = store.object("scorecard_fact").expect("renamed fact");
        assert_eq!(fact.label, "Scorecard Fact");
        assert!(fact.field("CurrentScoreId").is_some() && fact.field("CurScoreId").is_none());
        assert!(fact.rows.iter().all(|r| r.contains_key("CurrentScoreId") && !r.contains_key("CurScoreId")));
        let history = store.object("scorecard_history").expect("history");
        assert!(history.field("Score").is_none() && history.field("ScoreId").is_some());
        assert!(history.rows.iter().all(|r| !r.contains_key("Score")));
        let company = store.object("company").expect("company");
        assert!(company.field("Mrr").is_none() && company.rows.iter().all(|r| !r.contains_key("Mrr")));
        assert_eq!(store.current_name("product_usage__gc"), "customer_usage__gc");
        assert!(store.object("product_usage__gc").is_none());
    }

    #[test]
    fn an_error_leaves_the_org_untouched() {
        let mut store = org();
        let p = OrgProfile {
            absent_fields: vec![pair("company", "Arr")],
            hidden_fields: vec![pair("company", "NoSuchField")],
            ..Default::default()
        };
        assert!(p.apply(&mut store).is_err());
        assert!(store.object("company").is_some_and(|c| c.field("Arr").is_some()), "nothing applied");
        for bad in [
            OrgProfile { absent_fields: vec![pair("company", "Gsid")], ..Default::default() },
            OrgProfile {
                renamed_fields: vec![("company".into(), "Arr".into(), "Mrr".into(), None)],
                ..Default::default()
            },
            OrgProfile {
                renamed_objects: vec![("company".into(), "gsuser".into(), None)],
                ..Default::default()
            },
            OrgProfile { px_endpoints: vec![("users".into(), 403)], ..Default::default() },
            OrgProfile { px_endpoints: vec![("/users".into(), 200)], ..Default::default() },
        ] {
            assert!(bad.apply(&mut store).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn px_paths_match_by_whole_segments_and_the_longest_wins() {
        let p = OrgProfile {
            px_endpoints: vec![
                ("/events".into(), 403),
                ("/events/feature_match".into(), 404),
                ("/users/".into(), 403),
            ],
            ..Default::default()
        };
        assert_eq!(p.px_status("/events/feature_match"), Some(404));
        assert_eq!(p.px_status("/events/custom"), Some(403));
        assert_eq!(p.px_status("/users"), Some(403));
        assert_eq!(p.px_status("/Users/abc"), Some(403));
        assert_eq!(p.px_status("/usersX"), None);
        assert_eq!(p.px_status("/accounts"), None);
    }

    #[test]
    fn flag_values_parse() {
        assert_eq!(parse_object_field("company.Arr"), Ok(pair("company", "Arr")));
        assert!(parse_object_field("company").is_err());
        assert_eq!(
            parse_field_rename("company.Arr=AnnualRevenue:Annual Revenue"),
            Ok(("company".into(), "Arr".into(), "AnnualRevenue".into(), Some("Annual Revenue".into())))
        );
        assert_eq!(
            parse_field_rename("company.Arr=AnnualRevenue"),
            Ok(("company".into(), "Arr".into(), "AnnualRevenue".into(), None))
        );
        assert!(parse_field_rename("company.Arr").is_err());
        assert_eq!(parse_object_rename("a=b"), Ok(("a".into(), "b".into(), None)));
        assert!(parse_object_rename("=b").is_err());
        assert_eq!(parse_px_endpoint("/users=403"), Ok(("/users".into(), 403)));
        assert!(parse_px_endpoint("/users=abc").is_err());
        assert!(parse_px_endpoint("users=404").is_err());
    }
}
