//! The two PX paging families.
//!
//! Scroll (`/accounts`, `/users`, `/events/*`): `pageSize` (default 25, max 1000), `scrollId`. The
//! scroll id is self-contained: base64url of `[listKind, offset, pageSize, [[param, value], ...]]`
//! plus a checksum, so a follow-up call may send only `scrollId` (its filters, sort and window are
//! carried in the token and win over any sent again). Like the real API, the last page still
//! carries a non-null `scrollId`; following it yields an empty page.
//!
//! Page number (`/feature`, `/segment`, `/engagement`, `/articles`, `/kcbot`): `pageNumber`
//! (0-based), `pageSize` (default and max per endpoint: 25 and 200 for features and segments, 200
//! and 500 for the others), reply `pageNumber` and `isLastPage`.

use super::auth::{PxError, bad_request};
use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

pub const SCROLL_MAX: usize = 1000;
pub const DEFAULT_PAGE_SIZE: usize = 25;

/// Query parameters in order, repeats kept (for repeated `filter`).
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, PxError> {
        match self.get(name).map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => {
                v.parse().map(Some).map_err(|_| bad_request(&format!("Invalid value for {name}: {v}")))
            }
        }
    }

    fn page_size(&self, max: usize) -> Result<Option<usize>, PxError> {
        match self.int("pageSize")? {
            None => Ok(None),
            Some(n) if n >= 1 && n as u64 <= max as u64 => Ok(Some(n as usize)),
            Some(n) => Err(bad_request(&format!("pageSize must be between 1 and {max}, got {n}"))),
        }
    }
}

/// Where a scroll stands: the list, the next row, the page size and the params that shaped it.
#[derive(Clone, Debug, PartialEq)]
pub struct Scroll {
    pub kind: String,
    pub offset: usize,
    pub page_size: usize,
    pub params: Vec<(String, String)>,
}

impl Scroll {
    /// A new scroll from the request, or the one its `scrollId` continues. `shape` names the params
    /// a fresh scroll keeps (filter, sort, date range...).
    pub fn start(kind: &str, q: &Params, shape: &[&str]) -> Result<Scroll, PxError> {
        let size = q.page_size(SCROLL_MAX)?;
        match q.get("scrollId").map(str::trim).filter(|s| !s.is_empty()) {
            Some(token) => {
                let mut s = decode(token)
                    .filter(|s| s.kind == kind)
                    .ok_or_else(|| bad_request("Invalid scrollId"))?;
                s.page_size = size.unwrap_or(s.page_size);
                Ok(s)
            }
            None => Ok(Scroll {
                kind: kind.to_string(),
                offset: 0,
                page_size: size.unwrap_or(DEFAULT_PAGE_SIZE),
                params: q.0.iter().filter(|(k, _)| shape.contains(&k.as_str())).cloned().collect(),
            }),
        }
    }

    pub fn params(&self) -> Params {
        Params(self.params.clone())
    }

    pub fn window(&self) -> std::ops::Range<usize> {
        self.offset..self.offset.saturating_add(self.page_size)
    }

    /// `{<list_key>: items, totalHits, scrollId}`; the scroll id points past this page, even at the end.
    pub fn reply(&self, list_key: &str, items: Vec<Value>, total: usize) -> Response {
        let next = Scroll { offset: self.offset + items.len(), ..self.clone() };
        let mut body = Map::new();
        body.insert(list_key.to_string(), Value::Array(items));
        body.insert("totalHits".to_string(), json!(total));
        body.insert("scrollId".to_string(), json!(encode(&next)));
        Json(Value::Object(body)).into_response()
    }
}

/// Page-number paging: `(pageNumber, pageSize)` after checking `pageSize <= max`; `default`
/// when no `pageSize` is given.
pub fn page_request(q: &Params, max: usize, default: usize) -> Result<(usize, usize), PxError> {
    let size = q.page_size(max)?.unwrap_or(default);
    let number = match q.int("pageNumber")? {
        None => 0,
        Some(n) if n >= 0 => n as usize,
        Some(n) => return Err(bad_request(&format!("pageNumber must be 0 or more, got {n}"))),
    };
    Ok((number, size))
}

/// `{<list_key>: items of the page, pageNumber, isLastPage}`.
pub fn page_reply(list_key: &str, all: &[Value], number: usize, size: usize) -> Response {
    let len = all.len();
    let start = number.saturating_mul(size).min(len);
    let end = start.saturating_add(size).min(len);
    let mut body = Map::new();
    body.insert(list_key.to_string(), Value::Array(all[start..end].to_vec()));
    body.insert("pageNumber".to_string(), json!(number));
    body.insert("isLastPage".to_string(), json!(end >= len));
    Json(Value::Object(body)).into_response()
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn b64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 3);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn b64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        if chunk.len() < 2 {
            return None;
        }
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let v = B64.iter().position(|b| b == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

fn checksum(bytes: &[u8]) -> u32 {
    let h = bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3));
    (h ^ (h >> 32)) as u32
}

pub fn encode(s: &Scroll) -> String {
    let payload = json!([s.kind, s.offset, s.page_size, s.params]).to_string().into_bytes();
    let mut bytes = checksum(&payload).to_be_bytes().to_vec();
    bytes.extend_from_slice(&payload);
    b64_encode(&bytes)
}

pub fn decode(token: &str) -> Option<Scroll> {
    let bytes = b64_decode(token)?;
    let (sum, payload) = bytes.split_at_checked(4)?;
    if sum != checksum(payload).to_be_bytes() {
        return None;
    }
    let (kind, offset, page_size, params): (String, usize, usize, Vec<(String, String)>) =
        serde_json::from_slice(payload).ok()?;
    Some(Scroll { kind, offset, page_size, params })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_every_length() {
        for len in 0..10 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 250) as u8).collect();
            assert_eq!(b64_decode(&b64_encode(&bytes)).as_deref(), Some(bytes.as_slice()));
        }
    }

    #[test]
    fn scroll_ids_round_trip_and_reject_tampering() {
        let s = Scroll {
            kind: "accounts".into(),
            offset: 14,
            page_size: 7,
            params: vec![("filter".into(), "name~a".into())],
        };
        let token = encode(&s);
        assert_eq!(decode(&token), Some(s));
        let mut bad = token.into_bytes();
        bad[8] = if bad[8] == b'A' { b'B' } else { b'A' };
        assert_eq!(decode(&String::from_utf8(bad).expect("ascii")), None);
        assert_eq!(decode("not a token"), None);
        assert_eq!(decode(""), None);
    }
}
