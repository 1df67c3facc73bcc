// The Rust side, faked at the IPC boundary: `mockIPC` answers every `invoke` the UI makes
// (src/ipc.ts) from typed handlers, and `mockWindows` gives the window API a main window.
// Each command's arguments and reply are typed from src/bindings.ts; a command a test did not
// expect fails the call loudly (and is recorded) instead of answering something made up.
import { clearMocks, mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import type * as B from "../../src/bindings";

export type Commands = {
  about: [Record<string, never>, B.BuildInfo];
  list_connections: [Record<string, never>, B.ConnectionCard[]];
  test_connection: [{ input: B.ConnectInput }, B.TestReport];
  save_connection: [{ input: B.ConnectInput }, B.ConnectionCard];
  rotate_key: [{ id: string; secret: string }, B.ConnectionCard];
  set_connected_by: [{ id: string; name: string }, B.ConnectionCard];
  test_saved: [{ id: string }, B.TestReport];
  disconnect: [{ id: string; purge: boolean }, B.ConnectionCard];
  start_demo: [Record<string, never>, B.DemoOrg];
  sync_now: [{ id: string; onProgress: unknown }, B.SyncSummary];
  cancel_sync: [{ id: string }, boolean];
  budget_meter: [{ id: string }, B.BudgetMeter];
  get_sync_settings: [{ id: string }, B.SyncSettings];
  set_sync_settings: [{ id: string; settings: B.SyncSettings }, B.SyncSettings];
  get_field_mappings: [{ id: string; object: string }, B.FieldMapping[]];
  mappable_fields: [{ id: string; object: string }, B.FieldMapping[]];
  set_field_mappings: [{ id: string; object: string; fields: B.FieldMapping[] }, B.MappingSaved];
  org_report: [{ id: string; refresh: boolean }, B.OrgReport];
  set_field_role: [{ id: string; stream: string; role: string; field: string | null }, B.SyncSettings];
  usage_candidates: [{ id: string }, B.UsageCandidate[]];
  list_accounts: [{ query: B.AccountQuery }, B.AccountSummary[]];
  account_page: [{ query: B.AccountPageQuery }, B.AccountPage];
  account_facets: [{ filter: B.AccountFilter }, B.Facet[]];
  get_account: [{ id: string }, B.AccountDetail];
  list_bands: [Record<string, never>, B.ScoreBand[]];
  list_custom_columns: [Record<string, never>, B.FieldMapping[]];
  cta_page: [{ query: B.CtaPageQuery }, B.CtaPage];
  cta_facets: [{ query: B.CtaPageQuery }, B.Facet[]];
  list_ctas: [{ query: B.CtaQuery }, B.CtaListItem[]];
  change_list: [{ query: B.ChangeQuery }, B.ChangeList];
  change_runs: [{ connectionId: string | null }, B.ChangeRun[]];
  export_accounts: [{ export: B.AccountExport }, B.ExportDone | null];
  export_ctas: [{ export: B.CtaExport }, B.ExportDone | null];
  sync_history: [{ connectionId: string | null }, B.SyncRun[]];
  renewals: [{ within: number }, B.RenewalRisk[]];
  list_alerts: [{ all: boolean }, B.HealthAlert[]];
  dismiss_alert: [{ id: number }, B.HealthAlert];
  quality: [Record<string, never>, B.QualityCheck[]];
  quality_check: [{ code: string }, B.QualityCheck];
  unlinked_px_accounts: [Record<string, never>, B.PxAccountRef[]];
  get_insight_settings: [Record<string, never>, B.InsightSettings];
  set_insight_settings: [{ settings: B.InsightSettings }, B.InsightSettings];
};

export type Command = keyof Commands;
export type Handler<C extends Command> = (args: Commands[C][0]) => Commands[C][1] | Promise<Commands[C][1]>;
export type Handlers = { [C in Command]?: Handler<C> };
export type Call = { cmd: string; args: Record<string, unknown> };

/** What an empty cache with no connection answers. */
export const EMPTY: Handlers = {
  about: () => ({ version: "0.1.0", commit: "1c9ee69" }),
  list_connections: () => [],
  account_page: ({ query }) => ({ total: 0, matching: 0, offset: query.offset, rows: [] }),
  account_facets: () => [],
  list_bands: () => [],
  list_custom_columns: () => [],
  cta_page: ({ query }) => ({ total: 0, matching: 0, offset: query.offset, rows: [] }),
  cta_facets: () => [],
  change_list: () => ({ matching: 0, rows: [] }),
  change_runs: () => [],
  sync_history: () => [],
  renewals: () => [],
  list_alerts: () => [],
  quality: () => [],
  get_insight_settings: () => ({ decline_weeks: 3, usage_drop_pct: 30, renewal_alert_days: 90, px_link_field: "Gsid" }),
};

export type Fake = {
  calls: Call[];
  /** Commands the UI invoked that no handler answers. */
  unexpected: string[];
  /** The calls of one command, newest last. */
  of<C extends Command>(cmd: C): Commands[C][0][];
  /** Broadcasts an app event, as the Rust side does (`sync://finished`). */
  emit(event: string, payload: unknown): Promise<void>;
};

/** Installs the fake: `handlers` over the empty cache's answers. Replaces any earlier fake. */
export function fakeRust(handlers: Handlers = {}): Fake {
  clearMocks();
  const all: Handlers = { ...EMPTY, ...handlers };
  const fake: Fake = {
    calls: [],
    unexpected: [],
    of: (cmd) => fake.calls.filter((c) => c.cmd === cmd).map((c) => c.args as never),
    emit: (event, payload) => emit(event, payload),
  };
  mockWindows("main");
  mockIPC(
    async (cmd, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      fake.calls.push({ cmd, args });
      const handler = all[cmd as Command] as ((a: unknown) => unknown) | undefined;
      if (!handler) {
        fake.unexpected.push(cmd);
        throw { kind: "Internal", message: `The fake Rust side has no answer for ${cmd}.`, hint: null };
      }
      return handler(args);
    },
    { shouldMockEvents: true },
  );
  return fake;
}

/** A reply the test releases when it wants: for loading states and out-of-order replies. */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Rejects the way a Rust command's error arrives: as the serialized ErrorPayload. */
export function fail(error: B.ErrorPayload): never {
  throw error;
}
