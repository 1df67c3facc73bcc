//! The CS query language of `POST /v1/data/objects/query/{object}`: select with `__gr` lookups,
//! `where` conditions combined by an alias expression, `orderBy`, `limit` and `offset`.

use crate::schema::{DataType, Field, Object, Row, Store};
use crate::time;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::cmp::Ordering;

pub const MAX_LIMIT: i64 = 5000;

#[derive(Debug, Deserialize)]
pub struct QueryBody {
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(rename = "where")]
    pub filter: Option<Where>,
    #[serde(rename = "orderBy")]
    pub order_by: Option<Map<String, Value>>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct Where {
    #[serde(default)]
    pub conditions: Vec<Condition>,
    pub expression: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Condition {
    #[serde(alias = "fieldName")]
    pub name: String,
    pub alias: Option<String>,
    #[serde(default)]
    pub value: Vec<Value>,
    pub operator: String,
}

/// A request the API refuses: HTTP status, Gainsight error code and description.
#[derive(Debug, PartialEq)]
pub struct QueryError {
    pub status: u16,
    pub code: &'static str,
    pub desc: String,
}

fn bad(code: &'static str, desc: impl Into<String>) -> QueryError {
    QueryError { status: 400, code, desc: desc.into() }
}

/// The field served as `name`, unless the API user may not see it: a hidden field is as invalid
/// as one that does not exist.
fn visible<'o>(object: &'o Object, name: &str) -> Option<&'o Field> {
    object.field(name).filter(|f| !f.hidden)
}

/// Checks a dotted `A__gr.B__gr.C` path against the schema and returns the final field's type.
pub fn check_path(store: &Store, object: &Object, path: &str) -> Result<DataType, QueryError> {
    let invalid = || bad("GSOBJ_1002", format!("Invalid field: {path}"));
    let mut current = object;
    let mut parts = path.split('.').peekable();
    let mut depth = 0;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            return visible(current, part).map(|f| f.data_type).ok_or_else(invalid);
        }
        let base = part.strip_suffix("__gr").ok_or_else(invalid)?;
        let target = visible(current, base).and_then(|f| f.target).ok_or_else(invalid)?;
        depth += 1;
        if depth > 2 {
            return Err(invalid());
        }
        current = store.generated(target).ok_or_else(invalid)?;
    }
    Err(invalid())
}

/// The value at `path` for one row, following lookups; null where a lookup does not resolve.
pub fn resolve(store: &Store, object: &Object, row: &Row, path: &str) -> Value {
    Lookup::new(store, object, path).follow(row).clone()
}

static NULL: Value = Value::Null;

/// A dotted path resolved against the schema once: for each step, the field to read and, for a
/// `__gr` step, the object its id points into. Following it per row costs no schema lookups.
struct Lookup<'a> {
    steps: Vec<(&'a str, Option<&'a Object>)>,
}

impl<'a> Lookup<'a> {
    fn new(store: &'a Store, object: &'a Object, path: &str) -> Lookup<'a> {
        let mut steps = Vec::new();
        let mut current = Some(object);
        for part in path.split('.') {
            let Some(field) = current.and_then(|o| o.field(part.strip_suffix("__gr").unwrap_or(part))) else {
                // An unknown field resolves to null on every row.
                return Lookup { steps: Vec::new() };
            };
            current = field.target.and_then(|t| store.generated(t));
            steps.push((field.name.as_str(), current));
        }
        Lookup { steps }
    }

    fn follow<'r>(&self, mut row: &'r Row) -> &'r Value
    where
        'a: 'r,
    {
        let last = self.steps.len().saturating_sub(1);
        for (i, (name, target)) in self.steps.iter().enumerate() {
            let value = row.get(*name).unwrap_or(&NULL);
            if i == last {
                return value;
            }
            match (target, value.as_str()) {
                (Some(t), Some(id)) => match t.get(id) {
                    Some(next) => row = next,
                    None => return &NULL,
                },
                _ => return &NULL,
            }
        }
        &NULL
    }
}

/// Orders `rows` by `order` (path, descending?) far enough that `rows[..keep]` is the sorted head,
/// with ties kept in their original order, exactly as a full stable sort would leave them.
///
/// Each row's keys are resolved once (decorate, sort, undecorate) rather than on every
/// comparison, and only the head a page needs is sorted after an O(n) selection.
fn sort_rows<'a>(
    store: &'a Store,
    object: &'a Object,
    rows: &mut Vec<&'a Row>,
    order: &[(String, bool)],
    keep: usize,
) {
    let index = order_positions(store, object, rows, order, keep);
    *rows = index.into_iter().map(|i| rows[i]).collect();
}

/// The positions in `rows` of its first `keep` rows in `order` (see [`sort_rows`]).
fn order_positions(
    store: &Store,
    object: &Object,
    rows: &[&Row],
    order: &[(String, bool)],
    keep: usize,
) -> Vec<usize> {
    let width = order.len();
    let lookups: Vec<Lookup> = order.iter().map(|(path, _)| Lookup::new(store, object, path)).collect();
    let keys: Vec<&Value> = rows.iter().flat_map(|r| lookups.iter().map(move |l| l.follow(r))).collect();
    let cmp = |a: &usize, b: &usize| {
        let (ka, kb) = (&keys[a * width..(a + 1) * width], &keys[b * width..(b + 1) * width]);
        for ((x, y), (_, desc)) in ka.iter().zip(kb).zip(order) {
            let ord = cmp_values(x, y);
            if ord != Ordering::Equal {
                return if *desc { ord.reverse() } else { ord };
            }
        }
        // The original position breaks ties: a total order, so unstable selection stays stable.
        a.cmp(b)
    };
    let mut index: Vec<usize> = (0..rows.len()).collect();
    let keep = keep.min(index.len());
    if keep == 0 {
        return Vec::new();
    }
    if keep < index.len() {
        index.select_nth_unstable_by(keep - 1, cmp);
        index.truncate(keep);
    }
    index.sort_unstable_by(cmp);
    index
}

/// A query checked against the schema, ready to run.
struct Prepared<'a> {
    limit: usize,
    offset: usize,
    select_types: Vec<DataType>,
    filter: Option<Filter<'a>>,
    order: Vec<(String, bool)>,
}

fn prepare<'a>(store: &'a Store, object: &'a Object, body: &QueryBody) -> Result<Prepared<'a>, QueryError> {
    if body.select.is_empty() {
        return Err(bad("GSOBJ_1002", "select is required"));
    }
    let limit = body.limit.unwrap_or(100);
    if !(0..=MAX_LIMIT).contains(&limit) {
        return Err(bad("GSOBJ_1014", format!("limit must be between 0 and {MAX_LIMIT}")));
    }
    let offset = body.offset.unwrap_or(0).max(0) as usize;
    let select_types =
        body.select.iter().map(|p| check_path(store, object, p)).collect::<Result<Vec<_>, _>>()?;
    let filter = body.filter.as_ref().map(|w| Filter::compile(store, object, w)).transpose()?;
    let order: Vec<(String, bool)> = match &body.order_by {
        Some(map) => map
            .iter()
            .map(|(k, v)| {
                check_path(store, object, k)?;
                Ok((k.clone(), v.as_str().is_some_and(|d| d.eq_ignore_ascii_case("desc"))))
            })
            .collect::<Result<_, QueryError>>()?,
        None => Vec::new(),
    };
    Ok(Prepared { limit: limit as usize, offset, select_types, filter, order })
}

/// The rows of a page, projected to `select`.
fn project(
    store: &Store,
    object: &Object,
    body: &QueryBody,
    p: &Prepared<'_>,
    rows: Vec<&Row>,
    dates: DateStyle,
) -> Vec<Row> {
    let selects: Vec<Lookup> = body.select.iter().map(|s| Lookup::new(store, object, s)).collect();
    rows.into_iter()
        .skip(p.offset)
        .take(p.limit)
        .map(|r| {
            body.select
                .iter()
                .zip(&selects)
                .zip(&p.select_types)
                .map(|((s, l), t)| (s.clone(), dates.render(l.follow(r).clone(), *t)))
                .collect()
        })
        .collect()
}

/// Runs a query and returns the page of matching rows (projected to `select`) and the total match count.
pub fn run(
    store: &Store,
    object: &Object,
    body: &QueryBody,
    dates: DateStyle,
) -> Result<(Vec<Row>, usize), QueryError> {
    let p = prepare(store, object, body)?;
    let mut matched: Vec<&Row> =
        object.rows.iter().filter(|r| p.filter.as_ref().is_none_or(|f| f.eval(r))).collect();
    let total = matched.len();
    if !p.order.is_empty() {
        sort_rows(store, object, &mut matched, &p.order, p.offset.saturating_add(p.limit));
    }
    Ok((project(store, object, body, &p, matched, dates), total))
}

/// An object's rows in the order of an `orderBy` (positions into `rows`), ties in their original
/// order: computed once and kept while the object is unchanged (see [`page_in_order`]).
pub fn order_index(store: &Store, object: &Object, order_by: &Map<String, Value>) -> Vec<u32> {
    let order: Vec<(String, bool)> = order_by
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().is_some_and(|d| d.eq_ignore_ascii_case("desc"))))
        .collect();
    let all: Vec<&Row> = object.rows.iter().collect();
    order_positions(store, object, &all, &order, usize::MAX).into_iter().map(|i| i as u32).collect()
}

/// [`run`]'s page without the total count, from the rows already in the query's order (`index`,
/// from [`order_index`] for the same `orderBy`): the page is the first `offset + limit` rows of the
/// index that pass the filter. When the filter requires the first order field (ascending, a date)
/// to be at least (`GTE`), after (`GT`) or at (`EQ`) an instant — a keyset page — the walk starts
/// at that instant, so a page costs about its own size rather than the object's.
pub fn page_in_order(
    store: &Store,
    object: &Object,
    body: &QueryBody,
    dates: DateStyle,
    index: &[u32],
) -> Result<Vec<Row>, QueryError> {
    let p = prepare(store, object, body)?;
    let start = match (&p.filter, p.order.first()) {
        (Some(f), Some((path, false))) => f.lower_bound(store, object, path, index),
        _ => 0,
    };
    let want = p.offset.saturating_add(p.limit);
    let mut matched = Vec::with_capacity(want.min(index.len()));
    for &i in &index[start..] {
        if matched.len() >= want {
            break;
        }
        let row = &object.rows[i as usize];
        if p.filter.as_ref().is_none_or(|f| f.eval(row)) {
            matched.push(row);
        }
    }
    Ok(project(store, object, body, &p, matched, dates))
}

/// How dates leave the server: the docs promise epoch milliseconds, live tenants send ISO-8601.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DateStyle {
    #[default]
    EpochMs,
    Iso,
}

impl DateStyle {
    fn render(self, v: Value, t: DataType) -> Value {
        match (self, t, v.as_i64()) {
            (DateStyle::Iso, DataType::Date, Some(ms)) => Value::String(time::format_date(ms)),
            (DateStyle::Iso, DataType::DateTime, Some(ms)) => Value::String(time::format_iso(ms)),
            _ => v,
        }
    }
}

fn cmp_values(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            _ => 3,
        }
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().unwrap_or(0.0).partial_cmp(&y.as_f64().unwrap_or(0.0)).unwrap_or(Ordering::Equal)
        }
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

struct Compiled<'a> {
    /// The condition's field path, as the query named it.
    path: String,
    lookup: Lookup<'a>,
    op: Op,
    values: Vec<Value>,
}

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Lte,
    Gte,
    Btw,
    In,
    /// Multi-value fields: any of the values is among the field's items.
    Includes,
    /// Multi-value fields: none of the values is among the field's items (an empty field qualifies).
    Excludes,
    Contains,
    StartsWith,
    EndsWith,
    IsNull,
    IsNotNull,
}

enum Expr {
    Leaf(usize),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

struct Filter<'a> {
    conditions: Vec<Compiled<'a>>,
    expr: Option<Expr>,
}

impl<'a> Filter<'a> {
    fn compile(store: &'a Store, object: &'a Object, w: &Where) -> Result<Filter<'a>, QueryError> {
        let mut conditions = Vec::new();
        for c in &w.conditions {
            let dtype = check_path(store, object, &c.name)?;
            let op = match c.operator.to_ascii_uppercase().as_str() {
                "EQ" => Op::Eq,
                "NE" => Op::Ne,
                "LT" => Op::Lt,
                "GT" => Op::Gt,
                "LTE" => Op::Lte,
                "GTE" => Op::Gte,
                "BTW" => Op::Btw,
                "IN" => Op::In,
                "INCLUDES" => Op::Includes,
                "EXCLUDES" => Op::Excludes,
                "CONTAINS" => Op::Contains,
                "STARTS_WITH" => Op::StartsWith,
                "ENDS_WITH" => Op::EndsWith,
                "IS_NULL" => Op::IsNull,
                "IS_NOT_NULL" => Op::IsNotNull,
                other => return Err(bad("GSOBJ_1002", format!("Unsupported operator: {other}"))),
            };
            let needs = match op {
                Op::IsNull | Op::IsNotNull => 0,
                Op::Btw => 2,
                _ => 1,
            };
            if c.value.len() < needs {
                return Err(bad("GSOBJ_1002", format!("operator {} needs {needs} value(s)", c.operator)));
            }
            let values = c
                .value
                .iter()
                .map(|v| match (dtype.is_date(), v) {
                    (true, Value::String(s)) => time::parse(s)
                        .map(Value::from)
                        .ok_or_else(|| bad("GSOBJ_1002", format!("Invalid date value for {}", c.name))),
                    _ => Ok(v.clone()),
                })
                .collect::<Result<_, _>>()?;
            conditions.push(Compiled {
                path: c.name.clone(),
                lookup: Lookup::new(store, object, &c.name),
                op,
                values,
            });
        }
        let expr = match w.expression.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(text) => Some(parse_expression(text, &w.conditions)?),
            None => None,
        };
        Ok(Filter { conditions, expr })
    }

    /// Conditions every match must meet: all of them without an expression, else the leaves the
    /// expression joins by AND alone (none under an OR).
    fn required(&self) -> Vec<usize> {
        fn walk(e: &Expr, out: &mut Vec<usize>) {
            match e {
                Expr::Leaf(i) => out.push(*i),
                Expr::And(a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                Expr::Or(..) => {}
            }
        }
        match &self.expr {
            None => (0..self.conditions.len()).collect(),
            Some(e) => {
                let mut out = Vec::new();
                walk(e, &mut out);
                out
            }
        }
    }

    /// In `index` (rows sorted ascending by `path`), the first position a match can be at: past
    /// every row a required `GTE`/`GT`/`EQ` date condition on `path` rejects by its order alone.
    fn lower_bound(&self, store: &Store, object: &Object, path: &str, index: &[u32]) -> usize {
        if !check_path(store, object, path).is_ok_and(DataType::is_date) {
            return 0;
        }
        let key = Lookup::new(store, object, path);
        let mut start = 0;
        for i in self.required() {
            let c = &self.conditions[i];
            if c.path != path || c.values.is_empty() {
                continue;
            }
            let at = &c.values[0];
            let before = |pos: &u32| {
                let ord = cmp_values(key.follow(&object.rows[*pos as usize]), at);
                match c.op {
                    Op::Gte | Op::Eq => ord == Ordering::Less,
                    Op::Gt => ord != Ordering::Greater,
                    _ => false,
                }
            };
            start = start.max(index.partition_point(before));
        }
        start
    }

    fn eval(&self, row: &Row) -> bool {
        let leaf = |i: usize| {
            let c = &self.conditions[i];
            matches_condition(c.lookup.follow(row), c.op, &c.values)
        };
        match &self.expr {
            Some(e) => eval_expr(e, &leaf),
            None => (0..self.conditions.len()).all(leaf),
        }
    }
}

fn eval_expr(e: &Expr, leaf: &impl Fn(usize) -> bool) -> bool {
    match e {
        Expr::Leaf(i) => leaf(*i),
        Expr::And(a, b) => eval_expr(a, leaf) && eval_expr(b, leaf),
        Expr::Or(a, b) => eval_expr(a, leaf) || eval_expr(b, leaf),
    }
}

fn matches_condition(v: &Value, op: Op, values: &[Value]) -> bool {
    let text = |x: &Value| match x {
        Value::String(s) => s.to_lowercase(),
        other => other.to_string(),
    };
    let eq = |x: &Value| same(v, x);
    match op {
        Op::IsNull => v.is_null(),
        Op::IsNotNull => !v.is_null(),
        Op::Includes => items(v).iter().any(|item| values.iter().any(|x| same(item, x))),
        Op::Excludes => !items(v).iter().any(|item| values.iter().any(|x| same(item, x))),
        _ if v.is_null() => op == Op::Ne,
        Op::Eq => eq(&values[0]),
        Op::Ne => !eq(&values[0]),
        Op::In => values.iter().any(eq),
        Op::Lt => cmp_values(v, &values[0]) == Ordering::Less,
        Op::Gt => cmp_values(v, &values[0]) == Ordering::Greater,
        Op::Lte => cmp_values(v, &values[0]) != Ordering::Greater,
        Op::Gte => cmp_values(v, &values[0]) != Ordering::Less,
        Op::Btw => {
            cmp_values(v, &values[0]) != Ordering::Less && cmp_values(v, &values[1]) != Ordering::Greater
        }
        Op::Contains => text(v).contains(&text(&values[0])),
        Op::StartsWith => text(v).starts_with(&text(&values[0])),
        Op::EndsWith => text(v).ends_with(&text(&values[0])),
    }
}

/// The items of a multi-value field: a multi-select dropdown stores its picklist item GSIDs joined
/// by `;`; a JSON list is taken as is; any other value is one item, null none.
fn items(v: &Value) -> Vec<Value> {
    match v {
        Value::Null => Vec::new(),
        Value::String(s) => s.split(';').map(str::trim).filter(|x| !x.is_empty()).map(Value::from).collect(),
        Value::Array(list) => list.clone(),
        other => vec![other.clone()],
    }
}

/// Equality as `EQ` judges it: by value, and text case-insensitively.
fn same(a: &Value, b: &Value) -> bool {
    let text = |x: &Value| match x {
        Value::String(s) => s.to_lowercase(),
        other => other.to_string(),
    };
    cmp_values(a, b) == Ordering::Equal || (!a.is_null() && text(a) == text(b))
}

/// `A AND (B OR C)`: AND binds tighter than OR; aliases refer to conditions.
fn parse_expression(text: &str, conditions: &[Condition]) -> Result<Expr, QueryError> {
    let spaced = text.replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let mut pos = 0;
    let expr = parse_or(&tokens, &mut pos, conditions)?;
    if pos != tokens.len() {
        return Err(bad("GSOBJ_1002", format!("Invalid expression: {text}")));
    }
    Ok(expr)
}

fn parse_or(t: &[&str], pos: &mut usize, c: &[Condition]) -> Result<Expr, QueryError> {
    let mut left = parse_and(t, pos, c)?;
    while t.get(*pos).is_some_and(|w| w.eq_ignore_ascii_case("OR")) {
        *pos += 1;
        left = Expr::Or(Box::new(left), Box::new(parse_and(t, pos, c)?));
    }
    Ok(left)
}

fn parse_and(t: &[&str], pos: &mut usize, c: &[Condition]) -> Result<Expr, QueryError> {
    let mut left = parse_atom(t, pos, c)?;
    while t.get(*pos).is_some_and(|w| w.eq_ignore_ascii_case("AND")) {
        *pos += 1;
        left = Expr::And(Box::new(left), Box::new(parse_atom(t, pos, c)?));
    }
    Ok(left)
}

fn parse_atom(t: &[&str], pos: &mut usize, c: &[Condition]) -> Result<Expr, QueryError> {
    let token = t.get(*pos).ok_or_else(|| bad("GSOBJ_1002", "Invalid expression: unexpected end"))?;
    *pos += 1;
    if *token == "(" {
        let inner = parse_or(t, pos, c)?;
        if t.get(*pos) != Some(&")") {
            return Err(bad("GSOBJ_1002", "Invalid expression: missing )"));
        }
        *pos += 1;
        return Ok(inner);
    }
    c.iter()
        .position(|cond| cond.alias.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(token)))
        .map(Expr::Leaf)
        .ok_or_else(|| bad("GSOBJ_1002", format!("Invalid expression: unknown alias {token}")))
}

#[cfg(test)]
mod tests;
