//! Helpers for integration tests: the simulator on a real socket, and tiny raw HTTP servers that
//! answer the way wrong hosts do (an HTML page, a redirect), recording what they receive.

#![allow(dead_code)]

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
