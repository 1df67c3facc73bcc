// Typed fixtures for the fake Rust side: every value is built from a type in src/bindings.ts, so a
// change to a Rust type that the UI reads breaks these at `npm run check` rather than in the app.
import type {
  AccountDetail,
  AccountSummary,
  BudgetMeter,
  BuildInfo,
  Change,
  ChangeRun,
  ConnectionCard,
  DemoOrg,
  CtaPageRow,
  CtaRow,
  ErrorKind,
  ErrorPayload,
  FieldMapping,
  HealthAlert,
  HistoryPoint,
  InsightSettings,
  QualityCheck,
  QualityItem,
  RenewalRisk,
  ScoreBand,
  SyncRun,
  SyncSettings,
  TestReport,
} from "../../src/bindings";

/** The moment the fixtures are dated against: when the test file loads. */
export const NOW = new Date();
const iso = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();
const day = (daysFromNow: number) => new Date(NOW.getTime() + daysFromNow * 86_400_000).toISOString().slice(0, 10);

export const build: BuildInfo = { version: "0.1.0", commit: "1c9ee69" };

export function card(over: Partial<ConnectionCard> = {}): ConnectionCard {
  return {
    id: "cs-1",
    kind: "cs",
    name: "Acme production",
    description: null,
    status: "connected",
    status_reason: null,
    connected_by: "Dana Admin",
    connected_on: iso(60 * 24 * 3),
    instance: "acme.gainsightcloud.com",
    instance_url: "https://acme.gainsightcloud.com",
    auth_mode: "access_key",
    client_id: null,
    region: null,
    masked_key: "••••••3f9a",
    is_demo: false,
    last_sync_at: iso(180),
    next_sync_at: new Date(NOW.getTime() + 57 * 60_000).toISOString(),
    last_outcome: "ok",
    last_problems: [],
    ...over,
  };
}

export const bands: ScoreBand[] = [
  { name: "Poor", color: "#d9534f", min_score: 0 },
  { name: "Average", color: "#f0ad4e", min_score: 50 },
  { name: "Good", color: "#5cb85c", min_score: 75 },
];

const BAND_NAMES = ["Poor", "Average", "Good"];
const CSMS = ["Ada Lovelace", "Grace Hopper", "Alan Turing"];

/** Account `i` of a fake org: a name, a score and a band that follow from `i`. */
export function account(i: number, over: Partial<AccountSummary> = {}): AccountSummary {
  const score = (i * 37) % 100;
  const band = score >= 75 ? "Good" : score >= 50 ? "Average" : "Poor";
  return {
    connection_id: "cs-1",
    open_ctas: i % 4,
    overdue_ctas: i % 7 === 0 ? 1 : 0,
    gsid: `1P02${String(i).padStart(6, "0")}`,
    name: `Account ${String(i).padStart(5, "0")}`,
    industry: ["Software", "Retail", "Health"][i % 3],
    arr: 10_000 + i * 1_000,
    mrr: null,
    renewal_date: day((i % 200) - 20),
    stage: ["Onboarding", "Adoption", "Renewal"][i % 3],
    status: "Active",
    csm_name: CSMS[i % 3],
    csm_email: null,
    managed_as: null,
    employees: 50 + i,
    score,
    score_label: band,
    score_color: bands.find((b) => b.name === band)?.color ?? null,
    custom: "{}",
    created_at: null,
    modified_at: null,
    ...over,
  };
}

export function accounts(n: number, over: (i: number) => Partial<AccountSummary> = () => ({})): AccountSummary[] {
  return Array.from({ length: n }, (_, i) => account(i + 1, over(i + 1)));
}

export { BAND_NAMES, CSMS };

export function ctaRow(i: number, over: Partial<CtaRow> = {}): CtaRow {
  return {
    gsid: `1I00${String(i).padStart(6, "0")}`,
    company_gsid: `1P02${String(i).padStart(6, "0")}`,
    name: `Renewal risk review ${i}`,
    status: "Open",
    priority: ["High", "Medium", "Low"][i % 3],
    type: ["Risk", "Expansion", "Lifecycle"][i % 3],
    reason: null,
    owner_name: CSMS[i % 3],
    owner_email: null,
    due_date: day(i % 2 === 0 ? -5 : 10),
    is_closed: false,
    closed_at: null,
    is_important: false,
    created_at: iso(60 * 24 * 20),
    modified_at: null,
    ...over,
  };
}

export function cta(i: number, over: Partial<CtaPageRow> = {}): CtaPageRow {
  const row = ctaRow(i);
  return {
    ...row,
    connection_id: "cs-1",
    company_name: `Account ${String(i).padStart(5, "0")}`,
    overdue: !row.is_closed && (row.due_date ?? "9999") < day(0),
    ...over,
  };
}

export function weeks(n: number): string[] {
  const end = new Date(NOW.getTime());
  end.setUTCDate(end.getUTCDate() - end.getUTCDay());
  return Array.from({ length: n }, (_, i) => new Date(end.getTime() - (n - 1 - i) * 7 * 86_400_000).toISOString().slice(0, 10));
}

export function detail(i: number, over: Partial<AccountDetail> = {}): AccountDetail {
  const a = account(i);
  const { connection_id, open_ctas: _o, overdue_ctas: _d, ...company } = a;
  const history: HistoryPoint[] = weeks(12).map((week, w) => ({ week, score: 40 + w * 3, label: null }));
  return {
    connection_id,
    company,
    measures: [
      { measure: "Adoption", score: 72, label: "Average", color: "#f0ad4e", prev_score: 65, trend: "Up" },
      { measure: "Support", score: 40, label: "Poor", color: "#d9534f", prev_score: 48, trend: "Down" },
    ],
    history,
    measure_history: [{ measure: "Adoption", points: history.map((p) => ({ ...p, score: (p.score ?? 0) + 10 })) }],
    ctas: [ctaRow(i), ctaRow(i + 1000, { due_date: day(-3) }), ctaRow(i + 2000, { is_closed: true, closed_at: iso(600) })],
    usage: weeks(12).map((week, w) => ({ week, active_users: 20 + w, logins: 100 + w * 5, feature_events: null })),
    px: null,
    custom_fields: [],
    changes: [],
    ...over,
  };
}

export function run(id: number, over: Partial<SyncRun> = {}): SyncRun {
  const started = iso(180 + (10 - id) * 60);
  return {
    id,
    connection_id: "cs-1",
    started_at: started,
    finished_at: new Date(Date.parse(started) + 42_500).toISOString(),
    outcome: "ok",
    full: id === 1,
    counts: { companies: 120, ctas: 40, score_history: 0 },
    calls: 12,
    error_kind: null,
    error_message: null,
    streams: [],
    notices: [],
    ...over,
  };
}

export function change(id: number, over: Partial<Change> = {}): Change {
  return {
    id,
    run_id: 7,
    at: iso(180),
    kind: "band_changed",
    connection: "Acme production",
    connection_id: "cs-1",
    company_gsid: "1P02000001",
    company_name: "Account 00001",
    subject: null,
    detail: JSON.stringify({ from: "Average", to: "Poor" }),
    ...over,
  };
}

/** Sync `id` as the Changes picker lists it: when it ran and how many changes it recorded. */
export function changeRun(id: number, over: Partial<ChangeRun> = {}): ChangeRun {
  const r = run(id);
  return {
    id,
    connection_id: r.connection_id,
    connection: "Acme production",
    started_at: r.started_at,
    finished_at: r.finished_at,
    outcome: r.outcome,
    changes: id,
    ...over,
  };
}

export function customColumns(n: number): FieldMapping[] {
  const all: FieldMapping[] = [
    { object: "company", field_name: "Region__gc", label: "Region", data_type: "STRING" },
    { object: "company", field_name: "Tier__gc", label: "Support tier", data_type: "PICKLIST" },
    { object: "company", field_name: "Seats__gc", label: "Licensed seats", data_type: "NUMBER" },
    { object: "company", field_name: "Segment__gc", label: "Segment", data_type: "STRING" },
  ];
  return all.slice(0, n);
}

export function testReport(over: Partial<TestReport> = {}): TestReport {
  return {
    ok: true,
    instance_url: "https://acme.gainsightcloud.com",
    instance: "acme.gainsightcloud.com",
    auth_mode: "access_key",
    notices: [],
    error: null,
    region: null,
    subscription: null,
    ...over,
  };
}

/** One error of each kind the Rust side can send, each with the hint the admin should read. */
export const ERRORS: Record<ErrorKind, ErrorPayload> = {
  InvalidInput: { kind: "InvalidInput", message: "The instance URL is not a web address.", hint: "Enter the address you open Gainsight at." },
  InvalidKey: { kind: "InvalidKey", message: "Gainsight did not accept this Access Key.", hint: "Generate a new key under Connectors 2.0." },
  IpNotAllowed: { kind: "IpNotAllowed", message: "Gainsight refused this computer's address.", hint: "Ask your Gainsight admin to allow this IP." },
  WrongInstance: { kind: "WrongInstance", message: "No Gainsight org answers at this address.", hint: "Check the instance URL." },
  Forbidden: { kind: "Forbidden", message: "This key may not read companies.", hint: "Give the connector read access." },
  RateLimited: { kind: "RateLimited", message: "Gainsight is limiting calls right now.", hint: "Outpost tries again in a minute." },
  Offline: { kind: "Offline", message: "Gainsight could not be reached.", hint: "Check this computer's network; the cache stays browsable." },
  Timeout: { kind: "Timeout", message: "Gainsight took too long to answer.", hint: "Try again later." },
  ServerError: { kind: "ServerError", message: "Gainsight had a problem answering.", hint: "Try again later." },
  Rejected: { kind: "Rejected", message: "Gainsight rejected the request.", hint: "Check the sync settings." },
  BadResponse: { kind: "BadResponse", message: "Gainsight's answer could not be read.", hint: "Try again; if it persists, report it." },
  NoKeychain: { kind: "NoKeychain", message: "No keychain is available.", hint: "Unlock your desktop keychain." },
  KeychainError: { kind: "KeychainError", message: "The keychain refused to store the key.", hint: "Unlock your desktop keychain." },
  NotFound: { kind: "NotFound", message: "This account is no longer in the cache.", hint: "Sync again to refresh it." },
  Conflict: { kind: "Conflict", message: "A sync is already running for this connection.", hint: "Wait for it to finish." },
  Database: { kind: "Database", message: "The cache could not be read.", hint: "Restart Outpost; your data is kept." },
  Internal: { kind: "Internal", message: "Something went wrong inside Outpost.", hint: "Restart Outpost." },
};

export const settings: SyncSettings = {
  objects: ["companies", "ctas", "health_scores", "usage"],
  frequency: "1h",
  backfill_days: 30,
  fact_object: "scorecard_fact",
  history_object: "scorecard_history",
  usage_object: "usage_data__gc",
  cs_calls_per_minute: 50,
  cs_calls_per_day: 50000,
  field_roles: {},
};

/** A CS connection's call budget meter. */
export function meter(over: Partial<BudgetMeter> = {}): BudgetMeter {
  return {
    connection_id: "cs-1",
    connection_name: "Acme production",
    host: "acme.gainsightcloud.com",
    calls_last_minute: 37,
    org_calls_per_minute: 100,
    share_per_minute: 50,
    calls_today: 1204,
    calls_per_day: 50000,
    full_sync_estimate: 190,
    estimate_basis: "last_full_run",
    ...over,
  };
}

export const demo: DemoOrg = {
  instance_url: "http://127.0.0.1:45123",
  access_key: "demo-access-key-0001",
  client_id: "demo-client",
  client_secret: "demo-secret",
  px_api_key: "demo-px-key",
  px_region: "us",
  px_url: "http://127.0.0.1:45123/px/us/v1",
};

/** Renewal `i`: account `i` of the fake org, renewing in `i * 5` days, riskier the smaller `i`. */
export function renewal(i: number, over: Partial<RenewalRisk> = {}): RenewalRisk {
  const a = account(i);
  const risk = Math.max(0, 80 - i * 10);
  return {
    connection_id: "cs-1",
    gsid: a.gsid,
    name: a.name,
    arr: a.arr,
    renewal_date: day(i * 5),
    days_to_renewal: i * 5,
    score: a.score,
    band: a.score_label,
    csm_name: a.csm_name,
    risk,
    arr_at_risk: ((a.arr ?? 0) * risk) / 100,
    reasons: risk ? ["Poor for 3 weeks", "usage −38% in 30 days", "2 overdue risk CTAs"].slice(0, 1 + (i % 3)) : [],
    px_account: null,
    ...over,
  };
}

export function healthAlert(id: number, over: Partial<HealthAlert> = {}): HealthAlert {
  const a = account(id);
  return {
    id,
    connection_id: "cs-1",
    company_gsid: a.gsid,
    company_name: a.name,
    kind: (["band_dropped", "declining", "usage_down", "renewal_poor"] as const)[id % 4],
    detail: ["Good → Poor", "score down 3 weeks in a row (85 → 76)", "usage −38% in 30 days", "renews in 40 days with a Poor score"][id % 4],
    state: "open",
    run_id: 7,
    opened_at: iso(30 + id),
    dismissed_at: null,
    resolved_at: null,
    ...over,
  };
}

export function qualityItem(i: number, over: Partial<QualityItem> = {}): QualityItem {
  const a = account(i);
  return { connection_id: "cs-1", id: a.gsid, name: a.name, detail: null, ...over };
}

/** A data-quality check with `n` items (all listed). */
export function qualityCheck(code: string, title: string, n: number, over: Partial<QualityCheck> = {}): QualityCheck {
  return {
    code,
    title,
    severity: "warning",
    count: n,
    items: Array.from({ length: n }, (_, i) => qualityItem(i + 1)),
    ...over,
  };
}

export const insightDefaults: InsightSettings = { decline_weeks: 3, usage_drop_pct: 30, renewal_alert_days: 90, px_link_field: "Gsid" };
