//! The demo org: the built-in Gainsight simulator, for trying Outpost without a tenant. One owner
//! for it: it is started here (once per process), its public keys are rendered here, a connection
//! to it is an ordinary connection to its URLs (PX at `{url}/px/us/v1`), and after a restart a
//! saved demo connection brings it back on the port it had.

use crate::connections::DemoOrg;
use crate::db::connections as rows;
use crate::error::{Error, ErrorKind, Result};
use crate::gainsight::px::PxRegion;
use crate::outpost::Outpost;
use gainsight_sim::{RunningSim, SimConfig};

/// A running demo org.
pub struct Demo {
    sim: RunningSim,
}

fn sim_err(e: std::io::Error) -> Error {
    Error::new(ErrorKind::Internal, format!("Could not start the demo org: {e}."))
}

impl Demo {
    /// Starts the simulator on `port` (0: any free port).
    pub async fn start(port: u16) -> Result<Demo> {
        // Each measure's weekly history too: the account page charts one line per measure.
        let config = SimConfig { port, measure_history: true, ..Default::default() };
        let sim = gainsight_sim::start(config).await.map_err(sim_err)?;
        Ok(Demo { sim })
    }

    pub fn base_url(&self) -> String {
        self.sim.base_url()
    }

    /// Its address and its public, well-known keys (they open nothing but the simulator).
    pub fn org(&self) -> DemoOrg {
        let url = self.base_url();
        DemoOrg {
            px_url: format!("{url}/px/us/v1"),
            instance_url: url,
            access_key: gainsight_sim::DEMO_ACCESS_KEY.into(),
            client_id: gainsight_sim::DEMO_CLIENT_ID.into(),
            client_secret: gainsight_sim::DEMO_CLIENT_SECRET.into(),
            px_api_key: gainsight_sim::DEMO_PX_API_KEY.into(),
            px_region: PxRegion::Us,
        }
    }

    /// Whether `url` (a CS instance URL or a PX base) is served by this demo org.
    fn serves(&self, url: &str) -> bool {
        let base = self.base_url();
        let url = url.trim().trim_end_matches('/');
        url == base || url.strip_prefix(&base).is_some_and(|rest| rest.starts_with("/px/"))
    }

    pub async fn stop(self) {
        self.sim.stop().await;
    }
}

/// `http://127.0.0.1:4000/px/us/v1` → (`http://127.0.0.1:4000`, `/px/us/v1`).
fn split_origin(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => url.split_at(after_scheme + i),
        None => (url, ""),
    }
}

impl Outpost {
    /// Starts the demo org once per process (on `port` when given and free, else any) and returns
    /// what the connect forms fill in.
    pub async fn start_demo(&self, port: u16) -> Result<DemoOrg> {
        let mut demo = self.demo.lock().await;
        if let Some(d) = demo.as_ref() {
            return Ok(d.org());
        }
        let started = match Demo::start(port).await {
            Ok(d) => d,
            Err(_) if port != 0 => Demo::start(0).await?,
            Err(e) => return Err(e),
        };
        let org = started.org();
        *demo = Some(started);
        Ok(org)
    }

    /// Whether `url` is the running demo org's.
    pub(crate) async fn is_demo_url(&self, url: &str) -> bool {
        self.demo.lock().await.as_ref().is_some_and(|d| d.serves(url))
    }

    /// Saved demo connections point at a simulator that stopped with the last run: start it
    /// again, on the port it had when free, and follow it when it had to move.
    pub async fn revive_demo(&self) -> Result<()> {
        let saved: Vec<rows::ConnectionRow> =
            rows::list(&*self.db()?)?.into_iter().filter(|r| r.is_demo).collect();
        for row in saved {
            let (origin, path) = split_origin(&row.instance_url);
            let port = origin.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(0);
            let url = format!("{}{path}", self.start_demo(port).await?.instance_url);
            if url != row.instance_url {
                rows::update_instance_url(&*self.db()?, &row.id, &url)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::split_origin;

    #[test]
    fn demo_urls_split_into_origin_and_path() {
        assert_eq!(split_origin("http://127.0.0.1:4000/px/us/v1"), ("http://127.0.0.1:4000", "/px/us/v1"));
        assert_eq!(split_origin("http://127.0.0.1:4000"), ("http://127.0.0.1:4000", ""));
    }
}
