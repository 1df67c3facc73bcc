import { describe, expect, test } from "vitest";
import { page } from "vitest/browser";
import { render } from "vitest-browser-svelte";
import App from "../src/App.svelte";
import type { SyncRun } from "../src/bindings";
import { ERRORS, card, run } from "./fake/fixtures";
import { type Handlers, deferred, fail, fakeRust } from "./fake/rust";
import { rawData, rect, settle, shot } from "./support";

async function openHistory(handlers: Handlers) {
  const fake = fakeRust({ list_connections: () => [card()], ...handlers });
  const screen = await render(App);
  await screen.getByTestId("nav-history").click();
  return { fake, screen };
}

const failed = run(3, {
  outcome: "failed",
  error_kind: "Offline",
  error_message: ERRORS.Offline.message,
  streams: [{ stream: "companies", object: "company", outcome: "failed", records: 0, error: ERRORS.Offline, notices: [] }],
});

describe("Sync history", () => {
  test("no runs yet says so", async () => {
    const { screen } = await openHistory({ sync_history: () => [] });
    await expect.element(screen.getByTestId("no-runs")).toBeVisible();
  });

  test("while loading it says so", async () => {
    const later = deferred<SyncRun[]>();
    const { screen } = await openHistory({ sync_history: () => later.promise });
    await expect.element(screen.getByTestId("history-loading")).toBeVisible();
    later.resolve([run(1)]);
    await expect.element(screen.getByTestId("history-table")).toBeVisible();
  });

  test("each run with its outcome, duration, records and calls; a failure with its hint", async () => {
    const { screen } = await openHistory({ sync_history: () => [failed, run(2, { calls: 1 }), run(1, { outcome: "partial" })] });
    const rows = screen.getByTestId("history-row");
    await expect.element(rows.first()).toHaveAttribute("data-outcome", "failed");
    await expect.element(rows.first()).toHaveTextContent("Failed");
    await expect.element(rows.first()).toHaveTextContent(ERRORS.Offline.hint!);
    await expect.element(rows.nth(1)).toHaveTextContent("42.5 s");
    await expect.element(rows.nth(1)).toHaveTextContent("companies 120 · ctas 40");
    await expect.element(rows.nth(1)).toHaveTextContent(/\b1 call\b/);
    await expect.element(rows.nth(2)).toHaveTextContent("Partly synced");
    await expect.element(screen.getByTestId("freshness")).toHaveAttribute("data-kind", "offline");
    expect(rawData(document.body.textContent ?? "")).toEqual([]);
    await shot("history");
  });

  test("a long history scrolls under a fixed header and sidebar", async () => {
    await page.viewport(1280, 800);
    const runs = Array.from({ length: 80 }, (_, i) => run(80 - i));
    const { screen } = await openHistory({ sync_history: () => runs });
    await expect.element(screen.getByTestId("history-row").first()).toBeVisible();
    const head = rect('[data-testid="history-table"] thead th').top;
    const nav = rect(".sidebar").top;
    const scroller = document.querySelector<HTMLElement>('[data-testid="history-scroll"]')!;
    expect(scroller.scrollHeight, "the list is longer than the window").toBeGreaterThan(scroller.clientHeight);
    scroller.scrollTop = 1500;
    await settle();
    expect(rect('[data-testid="history-table"] thead th').top).toBe(head);
    expect(rect(".sidebar").top).toBe(nav);
    expect(document.documentElement.scrollWidth).toBeLessThanOrEqual(1280);
  });

  test("an error shows its hint", async () => {
    const { screen } = await openHistory({ sync_history: () => fail(ERRORS.Database) });
    await expect.element(screen.getByTestId("error-note")).toHaveTextContent(ERRORS.Database.hint!);
    expect(document.querySelector('[data-testid="no-runs"]')).toBeNull();
  });
});
