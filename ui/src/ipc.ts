// The only module that talks to the Rust side. Every call is typed with the generated bindings,
// and every failure arrives as an ErrorPayload { kind, message, hint } to branch on by kind.
import { invoke } from "@tauri-apps/api/core";
import type { ConnectionCard, CsConnectInput, DemoOrg, ErrorPayload, TestReport } from "./bindings";

export function isErrorPayload(e: unknown): e is ErrorPayload {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e;
}

/** Turns anything thrown by invoke into an ErrorPayload. */
export function asError(e: unknown): ErrorPayload {
  if (isErrorPayload(e)) return e;
  return { kind: "Internal", message: String(e), hint: null };
}

export const ipc = {
  listConnections: () => invoke<ConnectionCard[]>("list_connections"),
  testCsConnection: (input: CsConnectInput) => invoke<TestReport>("test_cs_connection", { input }),
  saveCsConnection: (input: CsConnectInput) => invoke<ConnectionCard>("save_cs_connection", { input }),
  disconnect: (id: string, purge: boolean) => invoke<ConnectionCard>("disconnect", { id, purge }),
  startDemo: () => invoke<DemoOrg>("start_demo"),
};
