//! PX list filters and sorts: `filter=field op value` (ops `== != < <= > >= ~ !~`), `;` joins
//! conditions of one filter with AND, repeated `filter` params are ORed; `sort=name;-createDate`.
//!
//! Comparisons: numbers compare numerically when both sides are numbers, everything else as
//! case-insensitive text; `~`/`!~` test for a case-insensitive substring; `null` matches a missing
//! value; on an array field `==`/`~` match when any element does.

use serde_json::Value;
use std::cmp::Ordering;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    NotContains,
}

/// Longest spellings first, so `<=` is not read as `<` followed by `=`.
const OPS: &[(&str, Op)] = &[
    ("==", Op::Eq),
    ("!=", Op::Ne),
    ("<=", Op::Le),
    (">=", Op::Ge),
    ("!~", Op::NotContains),
    ("<", Op::Lt),
    (">", Op::Gt),
    ("~", Op::Contains),
];

#[derive(Clone, Debug, PartialEq)]
pub struct Cond {
    /// A field name, dotted for nested values (`location.countryName`, `customAttributes.x`).
    pub field: String,
    pub op: Op,
    pub value: String,
}

/// OR of ANDs: each inner list is one `filter` parameter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    pub any_of: Vec<Vec<Cond>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SortKey {
    pub field: String,
    pub desc: bool,
}

fn is_field_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

pub fn parse_cond(text: &str) -> Result<Cond, String> {
    let text = text.trim();
    let end = text.find(|c: char| !is_field_char(c)).unwrap_or(text.len());
    let field = &text[..end];
    let rest = text[end..].trim_start();
    if field.is_empty() {
        return Err(format!("Invalid filter '{text}': missing field name"));
    }
    let (sym, op) = OPS
        .iter()
        .find(|(sym, _)| rest.starts_with(sym))
        .ok_or_else(|| format!("Invalid filter '{text}': expected one of == != < <= > >= ~ !~"))?;
    let mut value = rest[sym.len()..].trim();
    if value.len() >= 2
        && ((value.starts_with('"') && value.ends_with('"'))
            || (value.starts_with('\'') && value.ends_with('\'')))
    {
        value = &value[1..value.len() - 1];
    }
    Ok(Cond { field: field.to_string(), op: *op, value: value.to_string() })
}

/// Parses every `filter` parameter; no parameters means "match everything".
pub fn parse_filters<S: AsRef<str>>(raw: &[S]) -> Result<Filter, String> {
    let mut any_of = Vec::new();
    for one in raw {
        let conds = one
            .as_ref()
            .split(';')
            .filter(|part| !part.trim().is_empty())
            .map(parse_cond)
            .collect::<Result<Vec<_>, _>>()?;
        if conds.is_empty() {
            return Err("Invalid filter: empty".to_string());
        }
        any_of.push(conds);
    }
    Ok(Filter { any_of })
}

pub fn parse_sort(raw: &str) -> Result<Vec<SortKey>, String> {
    let mut keys = Vec::new();
    for part in raw.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (desc, field) = match part.strip_prefix('-') {
            Some(f) => (true, f.trim()),
            None => (false, part.trim_start_matches('+').trim()),
        };
        if field.is_empty() || !field.chars().all(is_field_char) {
            return Err(format!("Invalid sort '{part}'"));
        }
        keys.push(SortKey { field: field.to_string(), desc });
    }
    Ok(keys)
}

impl Filter {
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.any_of.iter().flatten().map(|c| c.field.as_str())
    }

    /// `get` reads a (possibly dotted) field of the record being tested.
    pub fn matches(&self, get: impl Fn(&str) -> Value) -> bool {
        self.any_of.is_empty() || self.any_of.iter().any(|all| all.iter().all(|c| c.matches(&get(&c.field))))
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_lowercase(),
        Value::Null => "null".to_string(),
        other => other.to_string().to_lowercase(),
    }
}

impl Cond {
    pub fn matches(&self, actual: &Value) -> bool {
        if let Value::Array(items) = actual {
            let any = items.iter().any(|item| self.matches(item));
            return match self.op {
                Op::Ne | Op::NotContains => items.iter().all(|item| self.matches(item)),
                _ => any,
            };
        }
        let wanted = self.value.to_lowercase();
        match self.op {
            Op::Contains => !actual.is_null() && text(actual).contains(&wanted),
            Op::NotContains => actual.is_null() || !text(actual).contains(&wanted),
            op => {
                let ord = match (actual.as_f64(), self.value.trim().parse::<f64>()) {
                    (Some(a), Ok(b)) => a.partial_cmp(&b),
                    _ if actual.is_null() && wanted != "null" => None,
                    _ => Some(text(actual).cmp(&wanted)),
                };
                match (op, ord) {
                    (Op::Ne, None) => true,
                    (_, None) => false,
                    (Op::Eq, Some(o)) => o == Ordering::Equal,
                    (Op::Ne, Some(o)) => o != Ordering::Equal,
                    (Op::Lt, Some(o)) => o == Ordering::Less,
                    (Op::Le, Some(o)) => o != Ordering::Greater,
                    (Op::Gt, Some(o)) => o == Ordering::Greater,
                    (Op::Ge, Some(o)) => o != Ordering::Less,
                    (Op::Contains | Op::NotContains, _) => false,
                }
            }
        }
    }
}

/// Sort order of two field values: nulls first, then numbers, booleans, text (case-insensitive).
pub fn compare(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Number(_) => 1,
            Value::Bool(_) => 2,
            _ => 3,
        }
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(Ordering::Equal)
        }
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::String(x), Value::String(y)) => {
            x.to_lowercase().cmp(&y.to_lowercase()).then_with(|| x.cmp(y))
        }
        _ if rank(a) != rank(b) => rank(a).cmp(&rank(b)),
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// Reads a dotted path out of a JSON value (`location.city`); `Null` when any step is missing.
pub fn dig(value: &Value, path: &str) -> Value {
    path.split('.').try_fold(value, |v, step| v.get(step)).cloned().unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cond(field: &str, op: Op, value: &str) -> Cond {
        Cond { field: field.into(), op, value: value.into() }
    }

    #[test]
    fn parses_every_operator_and_prefers_the_longest() {
        assert_eq!(parse_cond("name==Acme").expect("eq"), cond("name", Op::Eq, "Acme"));
        assert_eq!(parse_cond("score != 3").expect("ne"), cond("score", Op::Ne, "3"));
        assert_eq!(parse_cond("score<=3").expect("le"), cond("score", Op::Le, "3"));
        assert_eq!(parse_cond("score>=3").expect("ge"), cond("score", Op::Ge, "3"));
        assert_eq!(parse_cond("score<3").expect("lt"), cond("score", Op::Lt, "3"));
        assert_eq!(parse_cond("score>3").expect("gt"), cond("score", Op::Gt, "3"));
        assert_eq!(parse_cond("name~cme").expect("contains"), cond("name", Op::Contains, "cme"));
        assert_eq!(parse_cond("name!~cme").expect("not"), cond("name", Op::NotContains, "cme"));
        assert_eq!(
            parse_cond("location.city==\"New York\"").expect("quoted"),
            cond("location.city", Op::Eq, "New York")
        );
        assert_eq!(parse_cond("name=Acme").map_err(|_| ()), Err(()));
        assert_eq!(parse_cond("==Acme").map_err(|_| ()), Err(()));
        assert_eq!(parse_cond("name").map_err(|_| ()), Err(()));
    }

    #[test]
    fn semicolons_and_and_repeats_or() {
        let f = parse_filters(&["industry==Retail;numberOfEmployees>100", "name~acme"]).expect("filters");
        assert_eq!(f.any_of.len(), 2);
        assert_eq!(f.any_of[0].len(), 2);
        let row = json!({"industry": "Retail", "numberOfEmployees": 50, "name": "Acme Labs"});
        assert!(f.matches(|p| dig(&row, p)), "second filter matches");
        let row = json!({"industry": "Retail", "numberOfEmployees": 50, "name": "Blue"});
        assert!(!f.matches(|p| dig(&row, p)), "neither filter matches");
        let row = json!({"industry": "retail", "numberOfEmployees": 500, "name": "Blue"});
        assert!(f.matches(|p| dig(&row, p)), "first filter matches, text case-insensitively");
        assert!(parse_filters::<&str>(&[]).expect("none").matches(|_| Value::Null));
        assert!(parse_filters(&[";"]).is_err());
    }

    #[test]
    fn comparisons_numbers_text_nulls_and_arrays() {
        assert!(cond("n", Op::Gt, "9").matches(&json!(10)), "numeric, not lexical");
        assert!(cond("n", Op::Le, "10").matches(&json!(10)));
        assert!(!cond("n", Op::Lt, "10").matches(&Value::Null));
        assert!(cond("n", Op::Eq, "null").matches(&Value::Null));
        assert!(cond("n", Op::Ne, "3").matches(&Value::Null));
        assert!(cond("b", Op::Eq, "true").matches(&json!(true)));
        assert!(cond("k", Op::Eq, "AP-2").matches(&json!(["AP-1", "AP-2"])));
        assert!(!cond("k", Op::Ne, "AP-2").matches(&json!(["AP-1", "AP-2"])));
        assert!(cond("s", Op::NotContains, "x").matches(&json!("abc")));
    }

    #[test]
    fn sort_keys_and_order() {
        let keys = parse_sort("name;-createDate; +id").expect("sort");
        assert_eq!(
            keys,
            vec![
                SortKey { field: "name".into(), desc: false },
                SortKey { field: "createDate".into(), desc: true },
                SortKey { field: "id".into(), desc: false },
            ]
        );
        assert!(parse_sort("na me").is_err());
        assert_eq!(compare(&json!(2), &json!(10)), Ordering::Less);
        assert_eq!(compare(&json!("b"), &json!("A")), Ordering::Greater);
        assert_eq!(compare(&Value::Null, &json!(0)), Ordering::Less);
    }
}
