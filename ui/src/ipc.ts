// The only module that talks to the Rust side. Every call is typed with the generated bindings,
// and every failure arrives as an ErrorPayload { kind, message, hint } to branch on by kind.
import { Channel, invoke as tauriInvoke, type InvokeArgs } from "@tauri-apps/api/core";
import { listen as tauriListen, type EventCallback, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  BudgetMeter,
  AccountDetail,
  AccountExport,
  AccountFilter,
  AccountPage,
  AccountPageQuery,
  AccountQuery,
  AccountSummary,
  BuildInfo,
  ChangeList,
  ChangeQuery,
  ChangeRun,
  ConnectInput,
  ConnectionCard,
  CtaListItem,
  CtaExport,
  CtaPage,
  CtaPageQuery,
  CtaQuery,
  DemoOrg,
  ExportDone,
  Facet,
  ErrorPayload,
  FieldMapping,
  HealthAlert,
  InsightSettings,
  MappingSaved,
  OrgReport,
  PxAccountRef,
  QualityCheck,
  RenewalRisk,
  ScoreBand,
  StreamProgress,
  SyncRun,
  SyncSettings,
  SyncSummary,
  TestReport,
  UsageCandidate,
} from "./bindings";

export function isErrorPayload(e: unknown): e is ErrorPayload {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e;
}

/** Turns anything thrown by invoke into an ErrorPayload: words for the admin, never raw data. */
export function asError(e: unknown): ErrorPayload {
  if (isErrorPayload(e) && typeof e.message === "string") return e;
  const message = typeof e === "string" && e.trim() ? e : e instanceof Error && e.message ? e.message : "Something went wrong inside Outpost.";
  return { kind: "Internal", message, hint: "Try again; if it keeps happening, restart Outpost." };
}

/** One message from the Rust side, as the secrets scan of the end-to-end tests reads it. */
export interface Recorded {
  name: string;
  ok: boolean;
  text: string;
  /** When the call was sent and when its answer came (performance.now(), ms): for the benchmark. */
  sentAt: number;
  at: number;
}

/**
 * Keeps a copy of every reply, error, channel message and event from the Rust side, but only
 * once a test has set `window.__outpostIpcLog` to an array (WebDriver does, to scan everything
 * that crossed the boundary for key bytes). Otherwise nothing is kept.
 */
function record(name: string, ok: boolean, value: unknown, sentAt = performance.now()) {
  const log = (window as { __outpostIpcLog?: Recorded[] }).__outpostIpcLog;
  if (!Array.isArray(log)) return;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  log.push({ name, ok, text, sentAt, at: performance.now() });
}

function invoke<T>(cmd: string, args?: InvokeArgs): Promise<T> {
  const sentAt = performance.now();
  return tauriInvoke<T>(cmd, args).then(
    (reply) => {
      record(cmd, true, reply, sentAt);
      return reply;
    },
    (e: unknown) => {
      record(cmd, false, e, sentAt);
      throw e;
    },
  );
}

function listen<T>(event: string, f: EventCallback<T>): Promise<UnlistenFn> {
  return tauriListen<T>(event, (e) => {
    record(event, true, e.payload);
    f(e);
  });
}

export const ipc = {
  about: () => invoke<BuildInfo>("about"),
  listConnections: () => invoke<ConnectionCard[]>("list_connections"),
  testConnection: (input: ConnectInput) => invoke<TestReport>("test_connection", { input }),
  saveConnection: (input: ConnectInput) => invoke<ConnectionCard>("save_connection", { input }),
  rotateKey: (id: string, secret: string) => invoke<ConnectionCard>("rotate_key", { id, secret }),
  setConnectedBy: (id: string, name: string) => invoke<ConnectionCard>("set_connected_by", { id, name }),
  testSaved: (id: string) => invoke<TestReport>("test_saved", { id }),
  disconnect: (id: string, purge: boolean) => invoke<ConnectionCard>("disconnect", { id, purge }),
  startDemo: () => invoke<DemoOrg>("start_demo"),

  syncNow: (id: string, onProgress: (p: StreamProgress) => void) => {
    const channel = new Channel<StreamProgress>();
    channel.onmessage = (p) => {
      record("sync_now:progress", true, p);
      onProgress(p);
    };
    return invoke<SyncSummary>("sync_now", { id, onProgress: channel });
  },
  cancelSync: (id: string) => invoke<boolean>("cancel_sync", { id }),
  /** A CS connection's call budget: this minute and today (app and CLI together), a full sync's cost. */
  budgetMeter: (id: string) => invoke<BudgetMeter>("budget_meter", { id }),
  getSyncSettings: (id: string) => invoke<SyncSettings>("get_sync_settings", { id }),
  setSyncSettings: (id: string, settings: SyncSettings) => invoke<SyncSettings>("set_sync_settings", { id, settings }),
  /** The mapped custom fields of a connection's object, from the cache (works offline). */
  getFieldMappings: (id: string, object: string) => invoke<FieldMapping[]>("get_field_mappings", { id, object }),
  /** The fields Gainsight offers for an object: one describe call, custom (`__gc`) fields first. */
  mappableFields: (id: string, object: string) => invoke<FieldMapping[]>("mappable_fields", { id, object }),
  setFieldMappings: (id: string, object: string, fields: FieldMapping[]) =>
    invoke<MappingSaved>("set_field_mappings", { id, object, fields }),
  /** What Outpost found in the org: from the cache (offline), or with `refresh` after describing every object again. */
  orgReport: (id: string, refresh: boolean) => invoke<OrgReport>("org_report", { id, refresh }),
  /** Sets the field that holds one role of a stream; `null` goes back to matching it automatically. */
  setFieldRole: (id: string, stream: string, role: string, field: string | null) =>
    invoke<SyncSettings>("set_field_role", { id, stream, role, field }),
  /** The org's custom objects that could hold usage, with their usage roles matched (describe calls). */
  usageCandidates: (id: string) => invoke<UsageCandidate[]>("usage_candidates", { id }),

  listAccounts: (query: AccountQuery) => invoke<AccountSummary[]>("list_accounts", { query }),
  /** One page of accounts with the cache's total and the matching count, sorted and filtered in SQLite. */
  accountPage: (query: AccountPageQuery) => invoke<AccountPage>("account_page", { query }),
  /** The accounts list's facets, with counts under the current filter. */
  accountFacets: (filter: AccountFilter) => invoke<Facet[]>("account_facets", { filter }),
  getAccount: (id: string) => invoke<AccountDetail>("get_account", { id }),
  listBands: () => invoke<ScoreBand[]>("list_bands"),
  /** The mapped custom company fields of all CS connections, once each: the accounts list's extra columns. */
  listCustomColumns: () => invoke<FieldMapping[]>("list_custom_columns"),
  /** One page of CTAs org-wide, overdue first, with the cache's total and the matching count. */
  ctaPage: (query: CtaPageQuery) => invoke<CtaPage>("cta_page", { query }),
  /** The CTA list's facets, with counts under the current filter. */
  ctaFacets: (query: CtaPageQuery) => invoke<Facet[]>("cta_facets", { query }),
  listCtas: (query: CtaQuery) => invoke<CtaListItem[]>("list_ctas", { query }),
  /** The Changes screen: since the last sync (or a chosen one), by connection and kind. */
  changeList: (query: ChangeQuery) => invoke<ChangeList>("change_list", { query }),
  /** The syncs the Changes picker offers, newest first, with their dates. */
  changeRuns: (connectionId: string | null) => invoke<ChangeRun[]>("change_runs", { connectionId }),
  /** Exports the Accounts view to CSV through a native save dialog; `null` when cancelled. */
  exportAccounts: (exp: AccountExport) => invoke<ExportDone | null>("export_accounts", { export: exp }),
  /** Exports the CTAs view to CSV through a native save dialog; `null` when cancelled. */
  exportCtas: (exp: CtaExport) => invoke<ExportDone | null>("export_ctas", { export: exp }),
  syncHistory: (connectionId: string | null) => invoke<SyncRun[]>("sync_history", { connectionId }),

  /** Accounts renewing within `within` days (30, 90 or 180), riskiest ARR first, each with why. */
  renewals: (within: number) => invoke<RenewalRisk[]>("renewals", { within }),
  /** Open health alerts, newest first; with `all`, dismissed and resolved ones too. */
  listAlerts: (all: boolean) => invoke<HealthAlert[]>("list_alerts", { all }),
  dismissAlert: (id: number) => invoke<HealthAlert>("dismiss_alert", { id }),
  /** Every data-quality check that applies, each with its first few affected items. */
  quality: () => invoke<QualityCheck[]>("quality"),
  /** One data-quality check with all its affected items (up to a few hundred). */
  qualityCheck: (code: string) => invoke<QualityCheck>("quality_check", { code }),
  unlinkedPxAccounts: () => invoke<PxAccountRef[]>("unlinked_px_accounts"),
  getInsightSettings: () => invoke<InsightSettings>("get_insight_settings"),
  setInsightSettings: (settings: InsightSettings) => invoke<InsightSettings>("set_insight_settings", { settings }),

  onSyncFinished: (f: (s: SyncSummary) => void): Promise<UnlistenFn> =>
    listen<SyncSummary>("sync://finished", (e) => f(e.payload)),
};
