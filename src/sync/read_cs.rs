//! One CS stream's read: describe its object (once, then from the cache), match its roles to the
//! org's fields, and page through what the org has. A field Gainsight refuses (`GSOBJ_1002`) is
//! dropped and the read tried again; a needed one fails only this stream, saying which and how
//! to fix it.

use super::plan::{Fetch, StreamKind, StreamPlan};
use super::roles::{self, FieldInfo, Matched, Resolved, RoleMatch};
use super::streams::{self, Applied, ObjectNames, PageJob};
use super::writer::PageWriter;
use super::{Reporter, StreamRead, StreamResult, SyncOptions};
use crate::db::{org, picklists};
use crate::error::{Error, ErrorKind, Result};
use crate::gainsight::CsClient;
use crate::gainsight::error::ApiError;
use crate::gainsight::paging::{QuerySpec, query_pages};
use crate::gainsight::record::{Record, iso, text};
use crate::outpost::Outpost;
use futures_util::StreamExt;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::oneshot;

/// Reads tried again after Gainsight refused a field: a handful of hidden fields at most.
const MAX_REFUSALS: usize = 8;

pub(super) struct Run<'a> {
    pub app: &'a Outpost,
    pub client: &'a CsClient,
    pub cid: &'a str,
    /// The connection's name, for hints that show a command.
    pub connection: &'a str,
    pub run_id: i64,
    pub started_at: &'a str,
    pub names: ObjectNames,
    pub mapped: Vec<String>,
    /// The admin's field choices per stream and role.
    pub roles: BTreeMap<String, BTreeMap<String, String>>,
    pub opts: &'a SyncOptions,
    pub progress: Reporter<'a>,
    /// Set when a stream found the database file damaged: the others stop at their next page.
    pub damaged: std::sync::atomic::AtomicBool,
    /// Writes the pages on its own connection while the next ones are fetched (none: written on
    /// the app's connection, one after the other).
    pub writer: Option<PageWriter>,
}

/// Why a page loop stopped.
enum Stop {
    Api(ApiError),
    Other(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Stop::Other(e)
    }
}

/// Describe's object path.
fn describe_path(object: &str) -> String {
    format!("/v1/meta/services/objects/{object}/describe?idd=true")
}

/// The label an admin reads for an object: Company, not `company`.
fn object_label(kind: StreamKind, object: &str) -> String {
    match kind {
        StreamKind::Companies => "Company".into(),
        StreamKind::Ctas => "CTA".into(),
        StreamKind::ScoreBands => "The scoring scheme".into(),
        _ => object.to_string(),
    }
}

fn list(items: &[String]) -> String {
    items.join(", ")
}

impl Run<'_> {
    /// Hands `page` to the writer thread, or writes it now on the app's connection when there is
    /// no writer; the reply says what was written.
    fn write(&self, job: &Arc<PageJob>, page: Vec<Record>) -> Result<oneshot::Receiver<Result<Applied>>> {
        if let Some(writer) = &self.writer {
            let job = Arc::clone(job);
            return Ok(writer.submit(move |conn| job.write(conn, &page)));
        }
        let (reply, answer) = oneshot::channel();
        let _ = reply.send(job.write(&mut *self.app.db()?, &page));
        Ok(answer)
    }

    fn report(&self, stream: crate::model::Stream, records: u64, pages: u64, done: bool) {
        self.progress.report(stream, records, pages, None, done);
    }

    /// Reads one stream. Returns its object, the fields its read used and what it did.
    pub async fn stream(&self, p: &StreamPlan) -> (String, Vec<RoleMatch>, Result<StreamRead>) {
        let object = streams::object_of(p.kind, &self.names);
        let mut used = Vec::new();
        let result = self.progress.noting_retries(p.kind.stream(), self.read(p, &object, &mut used)).await;
        (object, used, result)
    }

    /// The object's fields: from the cache unless `fresh`, else described now and kept. `Ok(None)`
    /// when describe itself is refused (the usual names are then assumed).
    pub(crate) async fn fields(&self, object: &str, fresh: bool) -> Result<Option<Vec<FieldInfo>>, ApiError> {
        let cached = match self.app.db().and_then(|db| org::get_fields(&db, self.cid, object)) {
            Ok(Some((_, fields))) if !fresh && !fields.is_empty() => Some(fields),
            _ => None,
        };
        if let Some(fields) = &cached
            && !self.lacks_labels(object, fields)
        {
            return Ok(cached);
        }
        match self.client.meta(&describe_path(object)).await {
            Ok(data) => {
                let fields = roles::parse_describe(&data.data);
                if fields.is_empty() {
                    return Ok(cached);
                }
                let items = picklists::parse_options(object, &data.data);
                if let Ok(db) = self.app.db() {
                    let _ = org::put_fields(&db, self.cid, object, &iso(self.app.now()), &fields);
                    let _ = picklists::put_labels(&db, self.cid, &items);
                }
                if items.is_empty() && self.lacks_labels(object, &fields) {
                    self.labels_from_picklist_object().await;
                }
                Ok(Some(fields))
            }
            // Described only for its labels: the cached fields still serve.
            Err(_) if cached.is_some() => Ok(cached),
            Err(e) if e.is_unknown_object() => Err(e),
            Err(e) if matches!(e.kind, ErrorKind::Rejected | ErrorKind::Forbidden) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Labels for an org whose describe lists no picklist items: its `da_picklist` object (every
    /// item with its label), read once. Unreadable, it leaves the ids to be shown as they are.
    async fn labels_from_picklist_object(&self) {
        let spec = QuerySpec::new("da_picklist", &["Gsid", "Name"]);
        let mut pages = std::pin::pin!(query_pages(self.client, spec));
        let mut items = Vec::new();
        while let Some(Ok(page)) = pages.next().await {
            for r in &page {
                if let (Some(id), Some(label)) = (text(r, "Gsid"), text(r, "Name")) {
                    items.push(picklists::PicklistItem {
                        source: picklists::PICKLIST_OBJECT.into(),
                        id,
                        label,
                    });
                }
            }
        }
        if let Ok(db) = self.app.db() {
            let _ = picklists::put_labels(&db, self.cid, &items);
        }
    }

    /// A cache described before picklist labels were kept: described again once, for its labels.
    fn lacks_labels(&self, object: &str, fields: &[FieldInfo]) -> bool {
        let has_picklists =
            fields.iter().any(|f| matches!(f.data_type.as_str(), "PICKLIST" | "MULTISELECTDROPDOWNLIST"));
        has_picklists
            && self
                .app
                .db()
                .and_then(|db| picklists::has_labels_from(&db, self.cid, object))
                .is_ok_and(|has| !has)
    }

    /// Fields Gainsight refused on an earlier read of this object: not asked for again.
    fn remembered_refusals(&self, stream: &str, object: &str) -> Vec<String> {
        let Ok(db) = self.app.db() else { return Vec::new() };
        let Ok(all) = org::list_status(&db, self.cid) else { return Vec::new() };
        all.into_iter()
            .filter(|s| {
                s.stream == stream && s.object.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(object))
            })
            .flat_map(|s| s.roles)
            .filter(|r| r.matched == Matched::Refused)
            .filter_map(|r| r.field)
            .collect()
    }

    async fn read(&self, p: &StreamPlan, object: &str, used: &mut Vec<RoleMatch>) -> Result<StreamRead> {
        let stream = p.kind.name();
        let label = object_label(p.kind, object);
        let overrides = self.roles.get(stream).cloned().unwrap_or_default();
        let mapped = if p.kind == StreamKind::Companies { self.mapped.clone() } else { Vec::new() };
        let mut refused = self.remembered_refusals(stream, object);
        let mut notices = Vec::new();
        let mut fields = match self.fields(object, false).await {
            Ok(f) => f,
            Err(e) if e.is_unknown_object() => return Ok(self.absent_object(p.kind, object)),
            Err(e) => return Err(self.api_error(e, &label)),
        };
        if fields.is_none() {
            notices.push(format!("{label} could not be described; the usual field names were asked for."));
        }
        let mut described_again = false;
        loop {
            let resolved = roles::resolve(
                object,
                streams::roles_of(p.kind),
                fields.as_deref(),
                &overrides,
                &refused,
                &mapped,
            );
            *used = resolved.roles.clone();
            if let Some(m) = resolved.missing_needed().next() {
                return Err(self.missing_needed(p.kind, &label, m));
            }
            match self.pages(p, &resolved).await {
                Ok((records, skipped)) => {
                    notices.extend(gap_notices(p.kind, &label, &resolved));
                    if skipped > 0 {
                        let what = if skipped == 1 { "1 record" } else { &format!("{skipped} records") };
                        notices.push(format!("{label}: {what} without an id (Gsid) could not be kept."));
                    }
                    return Ok(StreamRead { records, notices, ..Default::default() });
                }
                Err(Stop::Api(e)) if e.is_unknown_field() && refused.len() < MAX_REFUSALS => {
                    let select = resolved.select();
                    let named = e.desc.mentions(select.iter().map(String::as_str));
                    if named.is_empty() {
                        // Not told which: the org may have changed since it was described.
                        if described_again {
                            return Err(self.api_error(e, &label));
                        }
                        described_again = true;
                        fields = self.fields(object, true).await.map_err(|e| self.api_error(e, &label))?;
                        continue;
                    }
                    for path in named {
                        if let Some(role) = resolved.role_of_path(path).filter(|r| r.needed) {
                            return Err(Error::new(
                                ErrorKind::Rejected,
                                format!(
                                    "{label}: Gainsight refused to read {path}, which holds the {}.",
                                    role.label.to_lowercase()
                                ),
                            )
                            .with_hint(self.fix_hint(stream, &role.role)));
                        }
                        refused.push(path.to_string());
                    }
                }
                Err(Stop::Api(e)) => return Err(self.api_error(e, &label)),
                Err(Stop::Other(e)) => return Err(e),
            }
        }
    }

    /// The org has no such object: scorecards are skipped, usage is not set up.
    fn absent_object(&self, kind: StreamKind, object: &str) -> StreamRead {
        if kind == StreamKind::Usage {
            let notice = format!(
                "Usage is not set up: this org has no object named {object}. Choose the org's usage object in \
                 the sync settings, or turn Usage off."
            );
            return StreamRead {
                outcome: StreamResult::NotSetUp,
                notices: vec![notice],
                ..Default::default()
            };
        }
        let why = Error::new(ErrorKind::NotFound, format!("This org has no object named {object}."))
            .with_hint("Name the org's own object in the sync settings, or turn this object group off.");
        StreamRead { outcome: StreamResult::Skipped, error: Some(why.payload()), ..Default::default() }
    }

    fn fix_hint(&self, stream: &str, role: &str) -> String {
        format!(
            "Choose the field that holds it in the sync settings (`outpost settings {} --field {stream}.{role}=FIELD`), \
             or ask a Gainsight admin to let the API user read it.",
            self.connection
        )
    }

    fn missing_needed(&self, kind: StreamKind, label: &str, m: &RoleMatch) -> Error {
        let role = streams::roles_of(kind).iter().find(|r| r.key == m.role);
        let looked = role
            .map(|r| {
                let names = r.names.join(" or ");
                let labels = r.labels.iter().map(|l| format!("\"{l}\"")).collect::<Vec<_>>().join(" or ");
                format!(" (looked for {names}, or a field labelled {labels})")
            })
            .unwrap_or_default();
        Error::new(
            ErrorKind::NotFound,
            format!("{label}: this org has no field for the {}{looked}.", m.label.to_lowercase()),
        )
        .with_hint(self.fix_hint(kind.name(), &m.role))
    }

    fn api_error(&self, e: ApiError, label: &str) -> Error {
        let mut e = Error::from(e);
        if e.kind == ErrorKind::Rejected {
            e.message = format!("{label}: {}", e.message);
        }
        e
    }

    /// Pages through the stream's object with the resolved select list; returns the rows applied
    /// and the records skipped for having no id.
    async fn pages(&self, p: &StreamPlan, resolved: &Resolved) -> Result<(u64, u64), Stop> {
        let mut spec = streams::spec(resolved);
        if let Some(size) = self.opts.page_size {
            spec.page_size = crate::gainsight::paging::effective_page_size(size);
        }
        let stream = p.kind.name();
        // Until a stream has been read through once (a first sync, even one resumed after a kill),
        // every row is new: nothing goes to the change log.
        let first =
            crate::db::cursors::get_cursor(&*self.app.db()?, self.cid, stream)?.last_ok_start.is_none();
        // Without a modified date there is no "since": the object is read whole.
        if let (Fetch::Since(t), Some(modified)) = (&p.fetch, resolved.path("modified")) {
            spec.filter = Some(json!({"conditions": [
                {"name": modified, "alias": "A", "value": [iso(*t)], "operator": "GTE"}], "expression": "A"}));
        }
        let job = Arc::new(PageJob {
            cid: self.cid.to_string(),
            run_id: self.run_id,
            now: self.started_at.to_string(),
            first,
            order_field: spec.order_field.clone(),
            kind: p.kind,
            resolved: resolved.clone(),
        });
        let pages = query_pages(self.client, spec);
        futures_util::pin_mut!(pages);
        let (mut records, mut count, mut skipped) = (0u64, 0u64, 0u64);
        self.report(p.kind.stream(), 0, 0, false);
        // The page being written while the next one is fetched.
        let mut writing: Option<oneshot::Receiver<Result<Applied>>> = None;
        loop {
            if self.opts.cancel.load(Ordering::SeqCst) {
                return Err(Stop::Other(super::cancelled()));
            }
            if self.damaged.load(Ordering::SeqCst) {
                return Err(Stop::Other(crate::db::stopped_by_damage()));
            }
            let (page, written) = match writing.take() {
                Some(w) => {
                    let (page, written) = futures_util::future::join(pages.next(), w).await;
                    (page, Some(written))
                }
                None => (pages.next().await, None),
            };
            if let Some(written) = written {
                let applied = written.unwrap_or_else(|_| Err(PageWriter::gone())).inspect_err(|e| {
                    // Damage in the file: every stream stops writing into it.
                    if crate::db::is_damaged(e.hint.as_deref()) {
                        self.damaged.store(true, Ordering::SeqCst);
                    }
                })?;
                records += applied.rows;
                skipped += applied.skipped;
                count += 1;
                self.report(p.kind.stream(), records, count, false);
            }
            let Some(page) = page else { break };
            let page = page.map_err(Stop::Api)?;
            writing = Some(self.write(&job, page)?);
        }
        self.report(p.kind.stream(), records, count, true);
        Ok((records, skipped))
    }
}

/// What the admin should know about a stream that read what the org has.
fn gap_notices(kind: StreamKind, label: &str, r: &Resolved) -> Vec<String> {
    let mut out = Vec::new();
    let missing: Vec<String> = r
        .missing_wanted()
        .filter(|m| m.matched == Matched::Missing && m.role != "modified")
        .map(|m| m.label.clone())
        .collect();
    if !missing.is_empty() {
        out.push(format!("{label}: this org has no field for {}; left empty.", list(&missing)));
    }
    let refused: Vec<String> = r
        .roles
        .iter()
        .filter(|m| m.matched == Matched::Refused && !m.needed)
        .map(|m| format!("{} ({})", m.field.as_deref().unwrap_or("?"), m.label))
        .collect();
    if !refused.is_empty() {
        out.push(format!(
            "{label}: Gainsight refused to read {} for this API user; left empty.",
            list(&refused)
        ));
    }
    if !r.has("modified") && kind != StreamKind::ScoreBands {
        out.push(format!("{label} has no modified date in this org, so it is read whole on every sync."));
    }
    if !r.custom_missing.is_empty() {
        out.push(format!(
            "{label}: the mapped field {} is not readable in this org; left empty.",
            list(&r.custom_missing)
        ));
    }
    out
}
