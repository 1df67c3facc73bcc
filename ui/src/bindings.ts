// Generated from the Rust types by `make bindings` (src/bindings.rs). Do not edit by hand.

export type ErrorKind = "InvalidInput" | "InvalidKey" | "IpNotAllowed" | "WrongInstance" | "Forbidden" | "RateLimited" | "Offline" | "Timeout" | "ServerError" | "Rejected" | "BadResponse" | "NoKeychain" | "KeychainError" | "NotFound" | "Conflict" | "Database" | "Internal";

export type ErrorPayload = { kind: ErrorKind, message: string, hint: string | null, };

export type BuildInfo = { version: string, commit: string, };

export type ConnectionKind = "cs" | "px";

export type AuthMode = "access_key" | "m2m" | "api_key";

export type SyncOutcome = "running" | "ok" | "partial" | "failed" | "cancelled" | "interrupted";

export type Frequency = "manual" | "15m" | "1h" | "4h" | "24h";

export type ObjectGroup = "companies" | "ctas" | "health_scores" | "usage";

export type ChangeKind = "band_changed" | "cta_opened" | "cta_closed" | "company_added" | "company_removed" | "px_account_added" | "px_account_removed" | "px_health_changed";

export type Stream = "score_bands" | "companies" | "ctas" | "measure_scores" | "score_history" | "usage" | "deletes" | "px_accounts" | "px_users" | "px_features" | "px_feature_usage";

export type CsConnectInput = { name: string, description: string | null, instance_url: string, access_key: string, };

export type PxRegion = "us" | "eu" | "us2";

export type PxTarget = { "type": "region", "value": PxRegion } | { "type": "auto" } | { "type": "url", "value": string };

export type CsAuthInput = { "mode": "access_key", key: string, } | { "mode": "m2m", client_id: string, client_secret: string, };

export type ConnectKind = { "product": "cs", instance_url: string, auth: CsAuthInput, } | { "product": "px", target: PxTarget, api_key: string, };

export type ConnectInput = { 
/**
 * Empty: the CS domain, or the PX subscription's name.
 */
name: string, description: string | null, kind: ConnectKind, };

export type PxSubscription = { id: string, name: string, products: Array<string>, };

export type TestReport = { ok: boolean, 
/**
 * The normalised base URL that was tested, when the input could be normalised.
 */
instance_url: string | null, 
/**
 * The domain (CS), or the region label or host (PX).
 */
instance: string | null, auth_mode: AuthMode, 
/**
 * What was changed in the input (trimmed key, removed path, expanded tenant name).
 */
notices: Array<string>, error: ErrorPayload | null, 
/**
 * PX: the data centre the key works in (the detected one for auto-detect).
 */
region: PxRegion | null, 
/**
 * PX: the subscription the key belongs to.
 */
subscription: PxSubscription | null, };

export type ConnectionStatus = "connected" | "offline" | "syncing" | "needs_attention" | "disconnected";

export type ConnectionCard = { id: string, kind: ConnectionKind, name: string, description: string | null, status: ConnectionStatus, status_reason: string | null, connected_by: string, 
/**
 * RFC 3339, UTC; shown in local time.
 */
connected_on: string, 
/**
 * The domain (CS), the region label (PX, e.g. `EU`) or the host of an explicit PX URL.
 */
instance: string, instance_url: string, auth_mode: AuthMode, 
/**
 * M2M OAuth only: the client id (not a secret).
 */
client_id: string | null, 
/**
 * PX only, when the connection is to a named region.
 */
region: PxRegion | null, masked_key: string, is_demo: boolean, last_sync_at: string | null, next_sync_at: string | null, 
/**
 * How the last finished sync ended: ok, partial, failed, cancelled or interrupted.
 */
last_outcome: SyncOutcome | null, 
/**
 * The streams of that sync that failed or were skipped, each with its error and hint: the
 * card's "Synced with 1 problem".
 */
last_problems: Array<StreamOutcome>, };

export type DemoOrg = { 
/**
 * The simulator's base URL: the CS instance URL; PX is served under `{instance_url}/px/{region}/v1`.
 */
instance_url: string, access_key: string, 
/**
 * The demo M2M OAuth client.
 */
client_id: string, client_secret: string, px_api_key: string, 
/**
 * The region the demo PX key belongs to.
 */
px_region: PxRegion, 
/**
 * The demo PX API's base URL (its US region): a PX connection to the demo org is an ordinary
 * connection to this URL.
 */
px_url: string, };

export type CompanyRow = { gsid: string, name: string, industry: string | null, arr: number | null, mrr: number | null, 
/**
 * `yyyy-MM-dd`
 */
renewal_date: string | null, stage: string | null, status: string | null, csm_name: string | null, csm_email: string | null, managed_as: string | null, employees: number | null, score: number | null, score_label: string | null, score_color: string | null, 
/**
 * Mapped custom fields, as a JSON object of field name to value.
 */
custom: string, created_at: string | null, modified_at: string | null, };

export type CtaRow = { gsid: string, company_gsid: string | null, name: string, status: string | null, priority: string | null, type: string | null, reason: string | null, owner_name: string | null, owner_email: string | null, due_date: string | null, is_closed: boolean, closed_at: string | null, is_important: boolean, created_at: string | null, modified_at: string | null, };

export type AccountQuery = { search: string | null, 
/**
 * A band label such as "Poor".
 */
band: string | null, health_below: number | null, 
/**
 * name, health, arr, renewal, or `custom:FIELD` for a mapped custom field; `-` in front for
 * descending.
 */
sort: string | null, 
/**
 * Only accounts whose mapped custom field equals this value: `FIELD=VALUE`.
 */
field: string | null, limit: number | null, connection_id: string | null, };

export type AccountSummary = { connection_id: string, open_ctas: number, overdue_ctas: number, gsid: string, name: string, industry: string | null, arr: number | null, mrr: number | null, 
/**
 * `yyyy-MM-dd`
 */
renewal_date: string | null, stage: string | null, status: string | null, csm_name: string | null, csm_email: string | null, managed_as: string | null, employees: number | null, score: number | null, score_label: string | null, score_color: string | null, 
/**
 * Mapped custom fields, as a JSON object of field name to value.
 */
custom: string, created_at: string | null, modified_at: string | null, };

export type MeasureScore = { measure: string, score: number | null, label: string | null, color: string | null, prev_score: number | null, trend: string | null, };

export type HistoryPoint = { week: string, score: number | null, label: string | null, };

export type MeasureHistory = { measure: string, points: Array<HistoryPoint>, };

export type UsagePoint = { week: string, active_users: number | null, logins: number | null, feature_events: number | null, };

export type CustomValue = { field: string, label: string, 
/**
 * As text; empty when Gainsight sent no value.
 */
value: string, };

export type FeatureUse = { feature: string, events: number, users: number, };

export type PxUsage = { account_name: string, health_score: number | null, nps: number | null, users: number | null, last_seen: string | null, 
/**
 * Feature events over the synced days, most used first.
 */
top_features: Array<FeatureUse>, };

export type AccountDetail = { connection_id: string, company: CompanyRow, measures: Array<MeasureScore>, 
/**
 * The overall score, week by week.
 */
history: Array<HistoryPoint>, 
/**
 * Each other measure's weekly scores, when the org keeps them (left out when none).
 */
measure_history: Array<MeasureHistory>, ctas: Array<CtaRow>, usage: Array<UsagePoint>, px: PxUsage | null, 
/**
 * The mapped custom fields, labelled, in the admin's order.
 */
custom_fields: Array<CustomValue>, 
/**
 * What changed for this account (band moves, CTAs opened and closed), newest first.
 */
changes: Array<Change>, };

export type CtaQuery = { open: boolean, overdue: boolean, company: string | null, };

export type CtaListItem = { company_name: string | null, gsid: string, company_gsid: string | null, name: string, status: string | null, priority: string | null, type: string | null, reason: string | null, owner_name: string | null, owner_email: string | null, due_date: string | null, is_closed: boolean, closed_at: string | null, is_important: boolean, created_at: string | null, modified_at: string | null, };

export type Retrying = { 
/**
 * Which retry this is, from 1.
 */
attempt: number, 
/**
 * The most retries a failure of this kind gets.
 */
of: number, 
/**
 * Why the last attempt failed.
 */
kind: ErrorKind, 
/**
 * How long until the retry, in milliseconds.
 */
wait_ms: number, };

export type StreamProgress = { connection_id: string, stream: Stream, records: number, pages: number, 
/**
 * The total to expect, when the API says (PX `totalHits`); CS does not.
 */
total: number | null, done: boolean, 
/**
 * Set while a call of this stream is being tried again (Gainsight busy or not answering).
 */
retrying: Retrying | null, };

export type StreamResult = "ok" | "failed" | "skipped" | "not_set_up" | "cancelled";

export type StreamOutcome = { stream: Stream, 
/**
 * The object (CS) or API path (PX) it reads.
 */
object: string | null, outcome: StreamResult, records: number, error: ErrorPayload | null, 
/**
 * What the admin should know though it went through (fields the org lacks, say).
 */
notices: Array<string>, };

export type SyncSummary = { run_id: number, connection_id: string, connection: string, 
/**
 * ok (every stream read), partial (some streams read, others failed or skipped: see
 * `streams`), failed (nothing could be read: see `error`) or cancelled.
 */
outcome: SyncOutcome, counts: { [key in string]: number }, deleted: number, calls: number, started_at: string, finished_at: string, 
/**
 * Why a failed run failed (the first stream's error); none for ok, partial and cancelled runs.
 */
error: ErrorPayload | null, 
/**
 * What the admin should know about a run that still went through (a stream skipped, say).
 */
notices: Array<string>, 
/**
 * Each stream's outcome, with its own error.
 */
streams: Array<StreamOutcome>, 
/**
 * Health alerts this run raised (see [`crate::insights::attention`]), for the desktop to say once.
 */
new_alerts: number, };

export type Matched = "name" | "label" | "setting" | "assumed" | "missing" | "refused";

export type RoleMatch = { role: string, label: string, needed: boolean, 
/**
 * What is selected for it (`Csm__gr.Email`); none when missing.
 */
field: string | null, 
/**
 * The field's label in the org.
 */
field_label: string | null, matched: Matched, };

export type StreamStatus = { stream: Stream, object: string | null, run_id: number, at: string, outcome: StreamResult, records: number, error: ErrorPayload | null, notices: Array<string>, roles: Array<RoleMatch>, };

export type StreamReport = { stream: Stream, 
/**
 * What the admin calls it: "Companies", "Score history".
 */
label: string, 
/**
 * The CS object or PX API it reads.
 */
object: string, 
/**
 * Whether the sync settings include it.
 */
enabled: boolean, 
/**
 * When its object was last described (CS).
 */
described_at: string | null, fields_described: number | null, 
/**
 * Each role and the org's field for it (CS).
 */
roles: Array<RoleMatch>, 
/**
 * Mapped custom fields the org no longer has.
 */
mapped_missing: Array<string>, cached_rows: number, last: StreamStatus | null, };

export type OrgReport = { connection_id: string, connection: string, kind: ConnectionKind, instance: string, generated_at: string, streams: Array<StreamReport>, };

export type UsageCandidate = { object: string, label: string, 
/**
 * How the usage roles would be matched in it (the admin can change each).
 */
roles: Array<RoleMatch>, };

export type SyncRun = { id: number, connection_id: string, started_at: string, finished_at: string | null, 
/**
 * running, ok (complete), partial (some streams failed or were skipped), failed (nothing could
 * be read), cancelled or interrupted (the process stopped mid-sync).
 */
outcome: SyncOutcome, full: boolean, 
/**
 * Records applied per stream.
 */
counts: { [key in string]: number }, calls: number, error_kind: string | null, error_message: string | null, 
/**
 * Each stream's outcome, records and error.
 */
streams: Array<StreamOutcome>, notices: Array<string>, };

export type Change = { id: number, run_id: number, at: string, kind: ChangeKind, 
/**
 * The connection that recorded it (its name).
 */
connection: string, connection_id: string, 
/**
 * The CS company: for PX changes, the company the PX account is linked to.
 */
company_gsid: string | null, company_name: string | null, subject: string | null, detail: string | null, };

export type ChangeQuery = { 
/**
 * Changes recorded by this sync and every later one. None: since each connection's last
 * sync that read through (ok or partial), so a failed run after it hides nothing.
 */
since_run: number | null, connection_id: string | null, 
/**
 * Only these kinds; empty for all.
 */
kinds: Array<ChangeKind>, limit: number, };

export type ChangeList = { 
/**
 * How many changes match (the rows stop at the query's limit).
 */
matching: number, rows: Array<Change>, };

export type ChangeRun = { id: number, connection_id: string, connection: string, started_at: string, finished_at: string | null, outcome: SyncOutcome, changes: number, };

export type SyncSettings = { 
/**
 * Object groups to sync (companies are always synced).
 */
objects: Array<ObjectGroup>, frequency: Frequency, backfill_days: number, 
/**
 * API names that vary by org: the scorecard fact and history objects, the usage object.
 */
fact_object: string, history_object: string, usage_object: string, 
/**
 * How many of the org's 100 CS calls per minute Outpost may use (others share the limit).
 */
cs_calls_per_minute: number, 
/**
 * The org's CS calls a day (its package's limit; 50,000 for most). Kept in the shared call
 * budget file, not here: [`crate::Outpost::sync_settings`] fills it in.
 */
cs_calls_per_day: number, 
/**
 * The admin's choice of field per role, by stream: `{"companies": {"arr": "Arr__gc"}}`. Roles
 * not named here are matched from the org's describe.
 */
field_roles: { [key in string]: { [key in string]: string } }, };

export type EstimateBasis = "last_full_run" | "cache_rows";

export type BudgetMeter = { connection_id: string, connection_name: string, 
/**
 * The org's instance host: every connection to it shares these counts.
 */
host: string, 
/**
 * CS calls Outpost made to the org in the last 60 seconds, from any process on this computer.
 */
calls_last_minute: number, 
/**
 * The org's limit a minute (Gainsight's, for every integration together).
 */
org_calls_per_minute: number, 
/**
 * The share of it Outpost takes (the connection's `cs_calls_per_minute` setting).
 */
share_per_minute: number, 
/**
 * CS calls Outpost made to the org today (UTC), from any process on this computer.
 */
calls_today: number, calls_per_day: number, 
/**
 * About how many calls a full sync spends; none before anything was synced.
 */
full_sync_estimate: number | null, estimate_basis: EstimateBasis | null, };

export type FieldMapping = { object: string, field_name: string, label: string, data_type: string, };

export type MappingSaved = { 
/**
 * The fields now mapped, in label order.
 */
mapped: Array<FieldMapping>, 
/**
 * API names mapped now that were not before.
 */
added: Array<string>, 
/**
 * The next sync reads every company again to fetch the added fields. False when nothing was
 * added, or when no sync has read companies yet (the first one reads them all anyway).
 */
reread_all: boolean, };

export type ScoreBand = { name: string, color: string | null, 
/**
 * The lowest score in the band; none when only accounts name it (health scores not synced).
 */
min_score: number | null, };

export type FacetFilter = { facet: string, value: string, };

export type AccountFilter = { 
/**
 * Matched against name, CSM and industry, case-insensitively.
 */
search: string | null, filters: Array<FacetFilter>, };

export type AccountPageQuery = { filter: AccountFilter, 
/**
 * `name`, `health`, `arr`, `renewal`, `csm`, `stage`, `industry`, `ctas` or `custom:FIELD`;
 * `-` in front for descending. Missing values sort last either way.
 */
sort: string | null, offset: number, limit: number, };

export type AccountPage = { 
/**
 * Every account in the cache.
 */
total: number, 
/**
 * The accounts the filter matches.
 */
matching: number, offset: number, rows: Array<AccountSummary>, };

export type FacetValue = { 
/**
 * What to filter by (`FacetFilter::value`).
 */
value: string, 
/**
 * What to show.
 */
label: string, count: number, };

export type Facet = { facet: string, label: string, 
/**
 * Most common first, at most [`FACET_VALUES`].
 */
values: Array<FacetValue>, 
/**
 * How many distinct values there are in all.
 */
distinct: number, };

export type CtaPageQuery = { 
/**
 * Matched against the CTA's name and its account's name.
 */
search: string | null, 
/**
 * `type`, `owner`, `priority`, `status`, `state` (`open`, `overdue`, `closed`), `connection`.
 */
filters: Array<FacetFilter>, offset: number, limit: number, };

export type CtaPageRow = { connection_id: string, company_name: string | null, overdue: boolean, gsid: string, company_gsid: string | null, name: string, status: string | null, priority: string | null, type: string | null, reason: string | null, owner_name: string | null, owner_email: string | null, due_date: string | null, is_closed: boolean, closed_at: string | null, is_important: boolean, created_at: string | null, modified_at: string | null, };

export type CtaPage = { total: number, matching: number, offset: number, rows: Array<CtaPageRow>, };

export type AlertKind = "band_dropped" | "declining" | "usage_down" | "renewal_poor";

export type AlertState = "open" | "dismissed" | "resolved";

export type Severity = "info" | "warning" | "error";

export type RenewalRisk = { connection_id: string, gsid: string, name: string, arr: number | null, renewal_date: string, days_to_renewal: number, score: number | null, band: string | null, csm_name: string | null, 
/**
 * 0–100: the sum of the points of `reasons` (see the README's table), capped at 100.
 */
risk: number, 
/**
 * ARR × risk / 100: what ranks the rows.
 */
arr_at_risk: number, reasons: Array<string>, 
/**
 * The linked PX account, when one is.
 */
px_account: string | null, };

export type HealthAlert = { id: number, connection_id: string, company_gsid: string, company_name: string, kind: AlertKind, 
/**
 * What moved, in a short phrase ("Good → Poor", "usage −38% in 30 days").
 */
detail: string, state: AlertState, 
/**
 * The sync run that raised it.
 */
run_id: number | null, opened_at: string, dismissed_at: string | null, resolved_at: string | null, };

export type QualityItem = { connection_id: string, 
/**
 * The account's Gsid, the PX account's id, the field's API name or the connection's id.
 */
id: string, name: string, detail: string | null, };

export type QualityCheck = { code: string, title: string, severity: Severity, 
/**
 * How many items fail the check (all of them, however many `items` shows).
 */
count: number, items: Array<QualityItem>, };

export type PxAccountRef = { connection_id: string, id: string, name: string, 
/**
 * The CS id PX holds for it, when it holds one.
 */
gs_id: string | null, };

export type InsightSettings = { 
/**
 * A score falling this many weeks in a row raises a `declining` alert (2–26).
 */
decline_weeks: number, 
/**
 * Usage down by more than this percentage over 30 days raises a `usage_down` alert (1–100).
 */
usage_drop_pct: number, 
/**
 * A renewal within this many days with a Poor score raises a `renewal_poor` alert (1–365).
 */
renewal_alert_days: number, 
/**
 * The Company field whose value a PX account's id (or its CS id, `gsId`) matches: `Gsid`,
 * or the API name of a mapped custom field.
 */
px_link_field: string, };

export type AccountExport = { filter: AccountFilter, 
/**
 * As [`AccountPageQuery::sort`].
 */
sort: string | null, 
/**
 * Column keys in order (see [`ACCOUNT_COLUMNS`]; `custom:FIELD` for a mapped field); empty
 * for the usual ones.
 */
columns: Array<string>, };

export type CtaExport = { 
/**
 * Its search and filters (offset and limit are ignored: every matching CTA is written).
 */
query: CtaPageQuery, 
/**
 * Column keys in order (see [`CTA_COLUMNS`]); empty for the usual ones.
 */
columns: Array<string>, };

export type ExportDone = { path: string, rows: number, };
