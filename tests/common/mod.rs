//! Helpers for integration tests: the simulator on a real socket, and tiny raw HTTP servers that
//! answer the way wrong hosts do (an HTML page, a redirect), recording what they receive.

#![allow(dead_code)]

use gainsight_sim::{RunningSim, SimConfig};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub async fn sim() -> RunningSim {
    gainsight_sim::start(SimConfig { anchor_day: Some(20_400), ..Default::default() })
        .await
        .expect("simulator starts on loopback")
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
