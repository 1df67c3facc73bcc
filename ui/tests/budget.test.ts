// The API budget meter on each CS Connected card: calls this minute and today against the org's
// limits and a full sync's cost, re-read while a sync runs; the daily limit set in Sync settings.
import { describe, expect, test } from "vitest";
import { userEvent } from "vitest/browser";
import { render } from "vitest-browser-svelte";
import App from "../src/App.svelte";
import type { BudgetMeter, SyncSettings, SyncSummary } from "../src/bindings";
import { ERRORS, card, meter, settings } from "./fake/fixtures";
import { type Handlers, deferred, fakeRust } from "./fake/rust";
import { rawData, shot, unnamedControls } from "./support";

const px = card({ id: "px-1", kind: "px", name: "PX", instance: "api.aptrinsic.com", region: "us" });

async function openIntegrations(handlers: Handlers) {
  const fake = fakeRust({
    list_connections: () => [card(), px],
    get_sync_settings: () => settings,
    get_field_mappings: () => [],
    ...handlers,
  });
  const screen = await render(App);
  await screen.getByTestId("nav-integrations").click();
  await expect.element(screen.getByRole("heading", { name: "Integrations" })).toBeVisible();
  return { fake, screen };
}

function summary(): SyncSummary {
  const now = new Date().toISOString();
  return {
    run_id: 7,
    connection_id: "cs-1",
    connection: "Acme production",
    outcome: "ok",
    counts: { companies: 10 },
    deleted: 0,
    calls: 12,
    started_at: now,
    finished_at: now,
    error: null,
    notices: [],
    streams: [],
    new_alerts: 0,
  };
}

describe("API budget meter", () => {
  test("a CS card shows this minute, today and a full sync's cost; a PX card has no meter", async () => {
    const { fake, screen } = await openIntegrations({ budget_meter: () => meter() });
    const cs = screen.getByTestId("budget-meter");
    await expect
      .element(cs)
      .toHaveTextContent("37 of 100 calls this minute · 1,204 of 50,000 today · a full sync needs about 190");
    expect(document.querySelectorAll('[data-testid="budget-meter"]')).toHaveLength(1);
    expect(fake.of("budget_meter").map((a) => a.id)).not.toContain("px-1");
    await expect.element(screen.getByTestId("budget-estimate")).toHaveAttribute("title", "The calls of the last complete full sync.");
    expect(rawData(document.body.textContent ?? "")).toEqual([]);
    expect(fake.unexpected).toEqual([]);
    await shot("budget-meter");
  });

  test("before anything was synced the cost is unknown, and from the cache it says so", async () => {
    const { screen } = await openIntegrations({
      budget_meter: () => meter({ calls_last_minute: 0, calls_today: 0, full_sync_estimate: null, estimate_basis: null }),
    });
    await expect
      .element(screen.getByTestId("budget-meter"))
      .toHaveTextContent("0 of 100 calls this minute · 0 of 50,000 today · a full sync's cost is known after the first sync");
  });

  test("the meter is re-read while a sync runs and once more when it ends", async () => {
    let minute = 10;
    const sync = deferred<SyncSummary>();
    const { fake, screen } = await openIntegrations({
      budget_meter: () => meter({ calls_last_minute: minute }),
      sync_now: () => sync.promise,
    });
    const shown = screen.getByTestId("budget-minute");
    await expect.element(shown).toHaveTextContent("10 of 100 calls this minute");
    await screen.getByTestId("integration-cs").getByTestId("sync-now").click();
    minute = 42;
    await expect.element(shown, { timeout: 6000 }).toHaveTextContent("42 of 100 calls this minute");
    const during = fake.of("budget_meter").length;
    minute = 55;
    sync.resolve(summary());
    await expect.element(shown, { timeout: 3000 }).toHaveTextContent("55 of 100 calls this minute");
    expect(fake.of("budget_meter").length).toBeGreaterThan(during);
    // After the sync the meter is not polled any more.
    const after = fake.of("budget_meter").length;
    await new Promise((r) => setTimeout(r, 2500));
    expect(fake.of("budget_meter").length).toBe(after);
  });

  test("the daily limit is set in Sync settings and the meter reads it back; a spent day says when it resumes", async () => {
    let saved: SyncSettings | null = null;
    let current: BudgetMeter = meter();
    const { screen } = await openIntegrations({
      budget_meter: () => current,
      set_sync_settings: ({ settings: next }) => {
        saved = next;
        current = meter({ calls_per_day: next.cs_calls_per_day, calls_today: next.cs_calls_per_day });
        return next;
      },
    });
    await screen.getByTestId("integration-cs").getByTestId("sync-settings").click();
    const field = screen.getByTestId("calls-per-day");
    await expect.element(field).toHaveValue(50000);
    expect(unnamedControls()).toEqual([]);
    await userEvent.fill(field, "1500");
    await userEvent.keyboard("{Tab}");
    await expect.poll(() => saved?.cs_calls_per_day).toBe(1500);
    expect(saved).toEqual({ ...settings, cs_calls_per_day: 1500 });
    await expect.element(screen.getByTestId("budget-today")).toHaveTextContent("1,500 of 1,500 today");
    await expect
      .element(screen.getByTestId("budget-day-spent"))
      .toHaveTextContent("Today's calls are spent: syncs resume after midnight UTC.");
  });

  test("a refused daily limit shows the Rust side's error and keeps the old one", async () => {
    const { screen } = await openIntegrations({
      budget_meter: () => meter(),
      set_sync_settings: () => {
        throw ERRORS.InvalidInput;
      },
    });
    await screen.getByTestId("integration-cs").getByTestId("sync-settings").click();
    await userEvent.fill(screen.getByTestId("calls-per-day"), "0");
    await userEvent.keyboard("{Tab}");
    await expect.element(screen.getByText(ERRORS.InvalidInput.message).first()).toBeVisible();
    await expect.element(screen.getByTestId("budget-today")).toHaveTextContent("1,204 of 50,000 today");
  });
});
