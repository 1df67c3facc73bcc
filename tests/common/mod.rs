//! Helpers for integration tests: the simulator on a real socket, and tiny raw HTTP servers that
//! answer the way wrong hosts do (an HTML page, a redirect), recording what they receive.

#![allow(dead_code)]

pub mod truth;

use gainsight_sim::{PxKey, Region, RunningSim, SimConfig};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub async fn sim() -> RunningSim {
    gainsight_sim::start(SimConfig { anchor_day: Some(20_400), ..Default::default() })
        .await
        .expect("simulator starts on loopback")
}

/// PX REST API keys of the simulator started by [`sim_with_px`] (plus the demo US key).
pub const EU_KEY: &str = "eu-px-read-key-1111-aaaa";
pub const US2_KEY: &str = "us2-px-read-key-2222-bbbb";
pub const US_NO_READ_KEY: &str = "us-px-write-only-key-3333";

/// A small org whose PX has a read key in every region and a US key without Read.
pub async fn sim_with_px() -> RunningSim {
    let mut px_keys = SimConfig::default().px_keys;
    let key = |key: &str, region, read| PxKey { key: key.into(), region, read, write: true };
    px_keys.push(key(EU_KEY, Region::Eu, true));
    px_keys.push(key(US2_KEY, Region::Us2, true));
    px_keys.push(key(US_NO_READ_KEY, Region::Us, false));
    let config = SimConfig { anchor_day: Some(20_400), companies: 20, px_keys, ..Default::default() };
    gainsight_sim::start(config).await.expect("simulator starts on loopback")
}

/// The database file and its write-ahead log, as bytes, for "never stored" checks.
pub fn db_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut db = std::fs::read(dir.join("outpost.db")).unwrap_or_default();
    db.extend(std::fs::read(dir.join("outpost.db-wal")).unwrap_or_default());
    db
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// A server that answers every request with `reply` and keeps the raw requests it saw.
pub struct RawServer {
    pub url: String,
    pub seen: Arc<Mutex<Vec<String>>>,
}

pub async fn raw_server(reply: String) -> RawServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = vec![0u8; 16 * 1024];
            let n = sock.read(&mut buf).await.unwrap_or(0);
            if let Ok(mut l) = log.lock() {
                l.push(String::from_utf8_lossy(&buf[..n]).into_owned());
            }
            let _ = sock.write_all(reply.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    RawServer { url, seen }
}

pub fn http_reply(status: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut s = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (k, v) in headers {
        s.push_str(&format!("{k}: {v}\r\n"));
    }
    s.push_str("\r\n");
    s.push_str(body);
    s
}

/// An address where nothing listens: bind a port, then let it go.
pub fn dead_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

/// Changes `count` records of `object` through the simulator's control API, as a test of the
/// whole stack would (`POST /__sim/modify`); returns the changed ids.
pub async fn sim_modify(base_url: &str, object: &str, count: usize) -> Vec<String> {
    reqwest::Client::new()
        .post(format!("{base_url}/__sim/modify"))
        .json(&serde_json::json!({ "object": object, "count": count }))
        .send()
        .await
        .expect("control API answers")
        .json()
        .await
        .expect("ids of the changed records")
}

/// Rows per table that belong to connection `id`, for every table with a `connection_id` column.
pub fn rows_of_connection(dir: &std::path::Path, id: &str) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(dir.join("outpost.db")).expect("database file");
    let mut stmt = conn
        .prepare(
            "SELECT m.name FROM sqlite_master m WHERE m.type = 'table'
             AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'connection_id') ORDER BY 1",
        )
        .expect("tables");
    let tables: Vec<String> =
        stmt.query_map([], |r| r.get(0)).expect("tables").collect::<Result<_, _>>().expect("names");
    tables
        .into_iter()
        .map(|t| {
            let n = conn
                .query_row(&format!("SELECT count(*) FROM \"{t}\" WHERE connection_id = ?1"), [id], |r| {
                    r.get(0)
                })
                .expect("count");
            (t, n)
        })
        .collect()
}

/// How one cache column is compared with the API field it comes from: both sides are turned into
/// the same text, so a table becomes sorted lines whose count and hash can be compared.
#[derive(Clone, Copy, Debug)]
pub enum Cell {
    /// Text as sent; NULL and a missing field are empty.
    Text,
    /// A REAL column: two decimals.
    Real,
    /// An INTEGER column: the whole number.
    Int,
    /// A boolean stored as 0/1 (absent or null is 0, as the schema's default).
    Flag,
    /// A date stored as `yyyy-MM-dd` (UTC).
    Day,
    /// An instant stored as RFC 3339 in UTC with milliseconds and `Z`.
    Instant,
    /// `column` is an SQL expression that already yields the canonical text; the field is taken as text.
    Sql,
}

/// A cache column, the API field (or a field the test derives from the API) it must equal, and how.
pub struct Col {
    pub column: &'static str,
    pub field: &'static str,
    pub cell: Cell,
}

pub const fn col(column: &'static str, field: &'static str, cell: Cell) -> Col {
    Col { column, field, cell }
}

/// The canonical text of an API value, as [`sql_canon`] renders the cache's value.
pub fn canon(v: Option<&serde_json::Value>, cell: Cell) -> String {
    use chrono::{DateTime, NaiveDate, Utc};
    use serde_json::Value;
    let instant = |v: &Value| -> Option<DateTime<Utc>> {
        match v {
            Value::Number(n) => n.as_i64().and_then(DateTime::from_timestamp_millis),
            Value::String(s) => {
                DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc)).or_else(|| {
                    let day = NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
                    Some(day.and_hms_opt(0, 0, 0)?.and_utc())
                })
            }
            _ => None,
        }
    };
    let number = |v: &Value| match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    let v = match v {
        None | Some(Value::Null) => {
            return if matches!(cell, Cell::Flag) { "0".into() } else { String::new() };
        }
        Some(v) => v,
    };
    let unreadable = || format!("<unreadable {v}>");
    match cell {
        Cell::Text | Cell::Sql => match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        },
        Cell::Real => number(v).map_or_else(unreadable, |f| format!("{f:.2}")),
        Cell::Int => number(v).map_or_else(unreadable, |f| format!("{}", f.trunc() as i64)),
        Cell::Flag => match v {
            Value::Bool(b) => u8::from(*b).to_string(),
            _ => unreadable(),
        },
        Cell::Day => instant(v).map_or_else(unreadable, |t| t.format("%Y-%m-%d").to_string()),
        Cell::Instant => {
            instant(v).map_or_else(unreadable, |t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        }
    }
}

/// The SQL that renders a cache column as [`canon`] renders the API value.
fn sql_canon(c: &Col) -> String {
    let x = c.column;
    match c.cell {
        Cell::Text | Cell::Day | Cell::Instant => format!("coalesce({x}, '')"),
        Cell::Real => format!("iif({x} IS NULL, '', printf('%.2f', {x}))"),
        Cell::Int | Cell::Flag => format!("coalesce(CAST({x} AS TEXT), '')"),
        Cell::Sql => format!("coalesce(({x}), '')"),
    }
}

/// Every row of `table` (optionally narrowed by `filter`, an SQL condition) as canonical lines, sorted.
pub fn cache_lines(dir: &std::path::Path, table: &str, filter: &str, cols: &[Col]) -> Vec<String> {
    let line = cols.iter().map(sql_canon).collect::<Vec<_>>().join(" || '|' || ");
    let filter = if filter.is_empty() { String::new() } else { format!(" WHERE {filter}") };
    let conn = rusqlite::Connection::open(dir.join("outpost.db")).expect("database file");
    let sql = format!("SELECT {line} FROM {table}{filter}");
    let mut stmt = conn.prepare(&sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut lines: Vec<String> =
        stmt.query_map([], |r| r.get(0)).expect("query").collect::<Result<_, _>>().expect("rows");
    lines.sort();
    lines
}

/// API records as canonical lines, sorted.
pub fn api_lines(records: &[serde_json::Map<String, serde_json::Value>], cols: &[Col]) -> Vec<String> {
    let mut lines: Vec<String> = records
        .iter()
        .map(|r| cols.iter().map(|c| canon(r.get(c.field), c.cell)).collect::<Vec<_>>().join("|"))
        .collect();
    lines.sort();
    lines
}

/// FNV-1a (64-bit) over the lines, each ended by a newline.
pub fn fnv1a(lines: &[String]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in lines.iter().flat_map(|l| l.bytes().chain(std::iter::once(b'\n'))) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Asserts the cache's lines equal the truth's: the same number of rows, then the same content
/// hash; on a difference, names the columns that differ and shows the first differing rows side by side.
pub fn assert_same_rows(what: &str, cols: &[Col], cache: &[String], truth: &[String]) {
    let (hc, ht) = (fnv1a(cache), fnv1a(truth));
    if cache.len() == truth.len() && hc == ht {
        return;
    }
    let cells = |l: &str| l.split('|').map(str::to_string).collect::<Vec<_>>();
    let only_cache: Vec<Vec<String>> =
        cache.iter().filter(|l| truth.binary_search(l).is_err()).map(|l| cells(l)).collect();
    let only_truth: Vec<Vec<String>> =
        truth.iter().filter(|l| cache.binary_search(l).is_err()).map(|l| cells(l)).collect();
    // A truth row pairs with the cache row that shares the most leading cells (its key at least).
    let shared = |a: &[String], b: &[String]| a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let names: Vec<&str> =
        cols.iter().map(|c| if matches!(c.cell, Cell::Sql) { c.field } else { c.column }).collect();
    let (mut report, mut paired) = (Vec::new(), std::collections::HashSet::new());
    let mut differing = std::collections::BTreeSet::new();
    for t in &only_truth {
        let best = (0..only_cache.len())
            .filter(|i| !paired.contains(i))
            .map(|i| (shared(&only_cache[i], t), i))
            .filter(|(n, _)| *n > 0)
            .max_by_key(|(n, i)| (*n, std::cmp::Reverse(*i)));
        match best {
            Some((_, i)) => {
                paired.insert(i);
                let c = &only_cache[i];
                for (j, name) in names.iter().enumerate() {
                    if c.get(j) != t.get(j) {
                        differing.insert(*name);
                    }
                }
                report.push(format!("  cache {}\n  truth {}", c.join("|"), t.join("|")));
            }
            None => report.push(format!("  missing from the cache: {}", t.join("|"))),
        }
    }
    for (_, c) in only_cache.iter().enumerate().filter(|(i, _)| !paired.contains(i)) {
        report.push(format!("  not in the truth: {}", c.join("|")));
    }
    let shown = report.len().min(4);
    panic!(
        "{what}: the cache has {} rows (hash {hc:016x}), the truth {} (hash {ht:016x}); {} rows differ{}\n\
         columns: {}\n{}{}",
        cache.len(),
        truth.len(),
        report.len(),
        if differing.is_empty() {
            String::new()
        } else {
            format!(", in {}", differing.into_iter().collect::<Vec<_>>().join(", "))
        },
        names.join("|"),
        report[..shown].join("\n"),
        if report.len() > shown {
            format!("\n  … and {} more", report.len() - shown)
        } else {
            String::new()
        },
    );
}

/// Compares `table` (narrowed by `filter`) with `records` column by column; see [`assert_same_rows`].
pub fn assert_table(
    dir: &std::path::Path,
    table: &str,
    filter: &str,
    cols: &[Col],
    records: &[serde_json::Map<String, serde_json::Value>],
) {
    let cache = cache_lines(dir, table, filter, cols);
    let truth = api_lines(records, cols);
    assert_same_rows(&format!("{table} must equal the API's rows"), cols, &cache, &truth);
}

/// Every record of a CS object through the query API the app uses (`limit`/`offset` pages), the
/// way an admin's script would read it; waits out a 429 as the API asks.
pub async fn cs_records(
    base_url: &str,
    object: &str,
    select: &[&str],
) -> Vec<serde_json::Map<String, serde_json::Value>> {
    const PAGE: usize = 5000;
    let client = reqwest::Client::new();
    let (mut out, mut waits) = (Vec::new(), 0);
    loop {
        let body = serde_json::json!({
            "select": select, "orderBy": {"Gsid": "asc"}, "limit": PAGE, "offset": out.len(),
        });
        let reply = client
            .post(format!("{base_url}/v1/data/objects/query/{object}"))
            .header("Accesskey", gainsight_sim::DEMO_ACCESS_KEY)
            .json(&body)
            .send()
            .await
            .expect("truth query");
        if reply.status() == reqwest::StatusCode::TOO_MANY_REQUESTS && waits < 3 {
            waits += 1;
            let wait = reply
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
                .unwrap_or(1);
            tokio::time::sleep(std::time::Duration::from_secs(wait.clamp(1, 61))).await;
            continue;
        }
        let v: serde_json::Value = reply.json().await.expect("truth json");
        let page: Vec<_> = v["data"]["records"]
            .as_array()
            .unwrap_or_else(|| panic!("records of {object}: {v}"))
            .iter()
            .filter_map(|r| r.as_object().cloned())
            .collect();
        let short = page.len() < PAGE;
        out.extend(page);
        if short {
            return out;
        }
    }
}

/// Connects the simulator's CS as `name` with the demo Access Key (the real keychain `make test`
/// starts), and lets its syncs use the org's whole per-minute limit: the simulator is the test's own.
pub async fn connect_cs(
    app: &outpost::Outpost,
    name: &str,
    sim: &RunningSim,
) -> outpost::connections::ConnectionCard {
    let input = outpost::connections::CsConnectInput {
        name: name.into(),
        description: None,
        instance_url: sim.base_url(),
        access_key: gainsight_sim::DEMO_ACCESS_KEY.into(),
    };
    let card = app.connect_cs(&input).await.expect("connect (needs the keychain `make test` starts)");
    let settings = outpost::db::settings::SyncSettings { cs_calls_per_minute: 100, ..Default::default() };
    app.set_sync_settings(name, &settings).expect("sync settings");
    card
}

/// Every file under `dir` (recursively) whose bytes hold `needle`.
pub fn files_holding(dir: &std::path::Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else if let Ok(bytes) = std::fs::read(&path)
                && bytes.windows(needle.len()).any(|w| w == needle)
            {
                found.push(path);
            }
        }
    }
    found
}

/// After a scenario: the key's bytes are in no file of the data folder (database, WAL, budget
/// file, locks, exports), and the scan itself is shown to find what the database holds (`proof`).
pub fn assert_key_nowhere(dir: &std::path::Path, key: &str, proof: &str) {
    assert!(!files_holding(dir, proof.as_bytes()).is_empty(), "the scan finds {proof:?} in the data folder");
    let holding = files_holding(dir, key.as_bytes());
    assert!(holding.is_empty(), "the key's bytes are in {holding:?}");
}
