import { describe, expect, test } from "vitest";
import { type Locator, userEvent } from "vitest/browser";
import { render } from "vitest-browser-svelte";
import App from "../src/App.svelte";
import type { Channel } from "@tauri-apps/api/core";
import type { ConnectInput, ConnectionCard, ErrorKind, Retrying, StreamProgress, SyncSummary } from "../src/bindings";
import { ERRORS, card, demo, meter, settings, testReport } from "./fake/fixtures";
import { type Handlers, deferred, fail, fakeRust } from "./fake/rust";
import { localDateTime } from "../src/lib/format";
import { rawData, shot, unnamedControls } from "./support";

const cardCommands: Handlers = {
  get_sync_settings: () => settings,
  get_field_mappings: () => [],
  budget_meter: () => meter(),
};

async function openIntegrations(handlers: Handlers = {}) {
  const fake = fakeRust({ ...cardCommands, ...handlers });
  const screen = await render(App);
  await screen.getByTestId("nav-integrations").click();
  await expect.element(screen.getByRole("heading", { name: "Integrations" })).toBeVisible();
  return { fake, screen };
}

async function fillCs(form: Locator, url = "https://acme.gainsightcloud.com", key = "ak-123456") {
  await userEvent.fill(form.getByTestId("instance-url"), url);
  await userEvent.fill(form.getByTestId("access-key"), key);
}

describe("Integrations", () => {
  test("with nothing connected both products offer Connect", async () => {
    const { screen } = await openIntegrations();
    await expect.element(screen.getByTestId("connect-cs")).toHaveTextContent("Connect");
    await expect.element(screen.getByTestId("connect-px")).toHaveTextContent("Connect");
    expect(document.querySelector('[data-testid="connected-card"]')).toBeNull();
    expect(unnamedControls()).toEqual([]);
    await shot("integrations-empty");
  });

  test("Test Connection → Save → a Connected card", async () => {
    let saved: ConnectInput | null = null;
    const { fake, screen } = await openIntegrations({
      test_connection: () => testReport(),
      save_connection: ({ input }) => {
        saved = input;
        return card({ name: input.name, last_sync_at: null, last_outcome: null });
      },
    });
    await screen.getByTestId("connect-cs").click();
    const form = screen.getByTestId("cs-form");
    expect(unnamedControls()).toEqual([]);
    await fillCs(form);
    await expect.element(form.getByTestId("save")).toBeDisabled();
    await form.getByTestId("test-connection").click();
    await expect.element(form.getByTestId("test-result")).toHaveAttribute("data-ok", "true");
    await expect.element(form.getByTestId("test-result")).toHaveTextContent("Reached acme.gainsightcloud.com with Access Key");
    await shot("connect-tested");
    await form.getByTestId("save").click();
    const made = screen.getByTestId("connected-card");
    await expect.element(made).toBeVisible();
    await expect.element(made.getByTestId("card-status")).toHaveTextContent("Connected");
    await made.getByTestId("sync-settings").click();
    await expect.element(made.getByTestId("frequency")).toBeVisible();
    expect(unnamedControls(), "Sync settings name every control").toEqual([]);
    expect(saved!.kind).toEqual({ product: "cs", instance_url: "https://acme.gainsightcloud.com", auth: { mode: "access_key", key: "ak-123456" } });
    expect(fake.of("test_connection")).toHaveLength(1);
    expect(document.querySelector('[data-testid="cs-form"]'), "the form closes once saved").toBeNull();
    expect(fake.unexpected).toEqual([]);
    await shot("connected-card");
  });

  test("a changed input clears the previous test's result and Save waits for a new test", async () => {
    const { screen } = await openIntegrations({ test_connection: () => testReport() });
    await screen.getByTestId("connect-cs").click();
    const form = screen.getByTestId("cs-form");
    await fillCs(form);
    await form.getByTestId("test-connection").click();
    await expect.element(form.getByTestId("test-result")).toBeVisible();
    await expect.element(form.getByTestId("save")).toBeEnabled();
    await userEvent.type(form.getByTestId("access-key"), "9");
    await expect.poll(() => document.querySelector('[data-testid="test-result"]')).toBeNull(); // the old result says nothing about the new key
    await expect.element(form.getByTestId("save")).toBeDisabled();
    // Changing it back does not bring back a result for values that were edited since.
    await form.getByTestId("test-connection").click();
    await expect.element(form.getByTestId("test-result")).toBeVisible();
  });

  test("a failed test's error also goes when the input changes", async () => {
    const { screen } = await openIntegrations({ test_connection: () => fail(ERRORS.Offline) });
    await screen.getByTestId("connect-cs").click();
    const form = screen.getByTestId("cs-form");
    await fillCs(form);
    await form.getByTestId("test-connection").click();
    await expect.element(form.getByTestId("error-note")).toHaveTextContent(ERRORS.Offline.hint!);
    await userEvent.fill(form.getByTestId("instance-url"), "https://acme-eu.gainsightcloud.com");
    await expect.poll(() => document.querySelector('[data-testid="error-note"]')).toBeNull();
  });

  test.each(Object.keys(ERRORS) as ErrorKind[])("a test failing with %s shows its message and hint, and Save stays off", async (kind) => {
    const { screen } = await openIntegrations({ test_connection: () => testReport({ ok: false, error: ERRORS[kind] }) });
    await screen.getByTestId("connect-cs").click();
    const form = screen.getByTestId("cs-form");
    await fillCs(form);
    await form.getByTestId("test-connection").click();
    const note = form.getByTestId("error-note");
    await expect.element(note).toHaveAttribute("data-kind", kind);
    await expect.element(note).toHaveTextContent(ERRORS[kind].message);
    await expect.element(note).toHaveTextContent(ERRORS[kind].hint!);
    await expect.element(form.getByTestId("save")).toBeDisabled();
    expect(rawData(document.body.textContent ?? "")).toEqual([]);
  });

  test("empty fields are explained before anything is sent", async () => {
    const { fake, screen } = await openIntegrations({ test_connection: () => testReport() });
    await screen.getByTestId("connect-cs").click();
    const form = screen.getByTestId("cs-form");
    await form.getByTestId("auth-m2m").click();
    expect(unnamedControls(), "the M2M fields are named").toEqual([]);
    await form.getByTestId("auth-access-key").click();
    await form.getByTestId("test-connection").click();
    await expect.element(form.getByText("Enter the address you open Gainsight at.")).toBeVisible();
    await expect.element(form.getByText("Paste the Access Key.")).toBeVisible();
    expect(fake.of("test_connection")).toHaveLength(0);
  });

  test("Try the demo org fills the form", async () => {
    const { screen } = await openIntegrations({ start_demo: () => demo });
    await screen.getByTestId("connect-cs").click();
    const form = screen.getByTestId("cs-form");
    await form.getByTestId("try-demo").click();
    await expect.element(form.getByTestId("instance-url")).toHaveValue(demo.instance_url);
    await expect.element(form.getByTestId("access-key")).toHaveValue(demo.access_key);
    await expect.element(form.getByTestId("name")).toHaveValue("Demo org");
  });

  test("PX: the region and key are tested, then saved", async () => {
    const px: ConnectionCard = card({ id: "px-1", kind: "px", name: "Acme PX", instance: "US", region: "us", auth_mode: "api_key" });
    const { screen } = await openIntegrations({
      test_connection: () => testReport({ auth_mode: "api_key", instance: "US", region: "eu", subscription: { id: "s1", name: "Acme", products: ["Web app"] } }),
      save_connection: () => px,
    });
    await screen.getByTestId("connect-px").click();
    const form = screen.getByTestId("px-form");
    await userEvent.selectOptions(form.getByTestId("px-region"), "eu");
    await userEvent.fill(form.getByTestId("px-api-key"), "px-key-1");
    await form.getByTestId("test-connection").click();
    await expect.element(form.getByTestId("test-region")).toHaveTextContent("EU");
    expect(unnamedControls()).toEqual([]);
    await form.getByTestId("save").click();
    await expect.element(screen.getByTestId("integration-px").getByTestId("connected-card")).toBeVisible();
  });

  test("several connections each get a card; a failed offline sync says so with its hint", async () => {
    const offline = card({
      id: "cs-2",
      name: "Acme sandbox",
      last_outcome: "failed",
      last_problems: [{ stream: "companies", object: "company", outcome: "failed", records: 0, error: ERRORS.Offline, notices: [] }],
    });
    const { screen } = await openIntegrations({ list_connections: () => [card(), offline], sync_history: () => [] });
    await expect.poll(() => document.querySelectorAll('[data-testid="connected-card"]').length).toBe(2);
    const second = screen.getByTestId("connected-card").nth(1);
    await expect.element(second.getByTestId("card-outcome")).toHaveTextContent("Last sync failed");
    await expect.element(second.getByTestId("card-outcome")).toHaveTextContent(ERRORS.Offline.hint!);
    expect(rawData(document.body.textContent ?? "")).toEqual([]);
    expect(unnamedControls()).toEqual([]);
    await shot("integrations-two-connections");
  });

  test("a card Gainsight did not answer says Offline with the time of its cache, until a test gets an answer", async () => {
    const synced = card().last_sync_at!;
    let status: ConnectionCard["status"] = "offline";
    const { screen } = await openIntegrations({
      list_connections: () => [
        card({ status, status_reason: status === "offline" ? "Nothing is answering at acme.gainsightcloud.com." : null }),
      ],
      sync_history: () => [],
      test_saved: () => {
        status = "connected";
        return testReport();
      },
    });
    const made = screen.getByTestId("connected-card");
    await expect.element(made.getByTestId("card-status")).toHaveAttribute("data-status", "offline");
    await expect.element(made.getByTestId("card-status")).toHaveTextContent(/^Offline$/);
    const note = made.getByTestId("card-offline");
    await expect.element(note).toHaveTextContent(`Offline — showing the cache from ${localDateTime(synced)}.`);
    await expect.element(note).toHaveTextContent("Nothing is answering at acme.gainsightcloud.com.");
    await expect.element(made.getByTestId("card-last-sync")).toHaveTextContent(localDateTime(synced));
    expect(rawData(document.body.textContent ?? "")).toEqual([]);
    expect(unnamedControls()).toEqual([]);
    await shot("integrations-offline-card");

    await made.getByTestId("card-test").click();
    await expect.element(made.getByTestId("card-status")).toHaveTextContent("Connected");
    expect(document.querySelector('[data-testid="card-offline"]')).toBeNull();
  });

  test("a sync Gainsight does not answer says it is retrying, then ends every bar with one message", async () => {
    const offline = "Nothing is answering at acme.gainsightcloud.com.";
    const error = { kind: "Offline" as ErrorKind, message: offline, hint: ERRORS.Offline.hint };
    const streams = ["score_bands", "companies", "ctas"] as const;
    let status: ConnectionCard["status"] = "connected";
    const sync = deferred<SyncSummary>();
    let send: ((p: StreamProgress) => void) | null = null;
    const { screen } = await openIntegrations({
      list_connections: () => [card({ status, status_reason: status === "offline" ? offline : null, last_outcome: status === "offline" ? "failed" : "ok" })],
      sync_history: () => [],
      sync_now: ({ onProgress }) => {
        const channel = onProgress as Channel<StreamProgress>;
        send = (p) => channel.onmessage(p);
        return sync.promise;
      },
    });
    const made = screen.getByTestId("connected-card");
    await made.getByTestId("sync-now").click();
    await expect.poll(() => send).not.toBeNull();
    const progress = (stream: string, retrying: Retrying | null): StreamProgress => ({
      connection_id: "cs-1", stream: stream as StreamProgress["stream"], records: 0, pages: 0, total: null, done: false, retrying,
    });
    for (const s of streams) send!(progress(s, null));
    send!(progress("companies", { attempt: 2, of: 2, kind: "Offline", wait_ms: 1000 }));
    await expect.element(made.getByTestId("sync-retrying")).toHaveTextContent("Gainsight is not answering — retrying (2 of 2)…");
    await expect.element(made.getByTestId("stream-retrying")).toHaveAttribute("data-attempt", "2");
    await shot("integrations-sync-retrying");

    // It gives up: each stream failed the same way, the card turns Offline.
    status = "offline";
    const now = new Date().toISOString();
    sync.resolve({
      run_id: 9, connection_id: "cs-1", connection: "Acme production", outcome: "failed", counts: {}, deleted: 0, calls: 9,
      started_at: now, finished_at: now, error, notices: [], new_alerts: 0,
      streams: streams.map((stream) => ({ stream, object: null, outcome: "failed", records: 0, error, notices: [] })),
    });
    await expect.element(made.getByTestId("sync-outcome")).toHaveAttribute("data-outcome", "failed");
    await expect.element(made.getByTestId("card-status")).toHaveTextContent(/^Offline$/);
    const outcomes = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="sync-stream"]'), (e) => e.dataset.outcome);
    expect(outcomes).toEqual(["failed", "failed", "failed"]);
    expect(document.querySelectorAll("progress:not(.overall)")).toHaveLength(0);
    expect(document.querySelector('[data-testid="sync-retrying"]')).toBeNull();
    // Said once, in the admin's words: no per-stream copies, no second box, no stream or object names.
    const text = made.element().textContent ?? "";
    expect(text.split(offline).length - 1).toBe(1);
    expect(document.querySelectorAll('[data-testid="sync-stream-error"]')).toHaveLength(0);
    expect(document.querySelectorAll('[data-testid="error-note"], [data-testid="card-outcome"]')).toHaveLength(0);
    expect(text).not.toMatch(/score_bands|scoring_scheme|companies \(/);
    await expect.element(made.getByTestId("card-offline")).toHaveTextContent(offline);
    expect(rawData(document.body.textContent ?? "")).toEqual([]);
    await shot("integrations-sync-offline");
  });

  test("an offline card never synced says nothing is cached", async () => {
    const { screen } = await openIntegrations({
      list_connections: () => [card({ status: "offline", status_reason: null, last_sync_at: null, last_outcome: null })],
      sync_history: () => [],
    });
    await expect.element(screen.getByTestId("card-offline")).toHaveTextContent("Offline — nothing is cached yet.");
  });

  test("while the connections load it says so, and offers nothing to click yet", async () => {
    const later = deferred<ConnectionCard[]>();
    const { screen } = await openIntegrations({ list_connections: () => later.promise });
    await expect.element(screen.getByTestId("connections-loading")).toBeVisible();
    expect(document.querySelector('[data-testid="connect-cs"]')).toBeNull();
    later.resolve([card()]);
    await expect.element(screen.getByTestId("connected-card")).toBeVisible();
    expect(document.querySelector('[data-testid="connections-loading"]')).toBeNull();
  });

  test("the list failing to load shows why", async () => {
    const { screen } = await openIntegrations({ list_connections: () => fail(ERRORS.Database) });
    await expect.element(screen.getByTestId("error-note")).toHaveTextContent(ERRORS.Database.hint!);
  });
});
