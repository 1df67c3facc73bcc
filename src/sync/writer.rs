//! The sync's page writer: a thread with its own connection to the cache file. A stream hands it
//! a page and fetches the next one while that page is written, so a sync costs about the larger
//! of fetching and storing instead of their sum. Pages are still written one at a time, in the
//! order they were read, each in its own transaction with its cursor.

use crate::db;
use crate::error::{Error, ErrorKind, Result};
use rusqlite::Connection;
use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

pub(super) struct PageWriter {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl PageWriter {
    /// Opens a second connection to the (already opened and migrated) database at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        let mut conn = db::open_writer(path)?;
        let (jobs, queue) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("outpost-writer".into())
            .spawn(move || {
                for job in queue {
                    job(&mut conn);
                }
            })
            .map_err(|e| Error::new(ErrorKind::Internal, format!("Could not start the page writer: {e}")))?;
        Ok(PageWriter { jobs: Some(jobs), thread: Some(thread) })
    }

    /// Queues `write`; the reply comes when it has run (after every write queued before it).
    pub fn submit<T: Send + 'static>(
        &self,
        write: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> oneshot::Receiver<Result<T>> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let _ = reply.send(write(conn));
        });
        // A writer whose thread is gone drops the job, and with it the reply: see `gone`.
        let _ = self.jobs.as_ref().map(|jobs| jobs.send(job));
        answer
    }

    /// The error for a write whose reply never came (the writer thread ended).
    pub fn gone() -> Error {
        Error::new(ErrorKind::Internal, "The sync's page writer stopped before writing a page.")
    }
}

impl Drop for PageWriter {
    /// Waits for the queued writes: nothing of a sync is written after it has returned.
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
