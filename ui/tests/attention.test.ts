import { describe, expect, test } from "vitest";
import { render } from "vitest-browser-svelte";
import App from "../src/App.svelte";
import type { HealthAlert } from "../src/bindings";
import { ERRORS, bands, card, detail, healthAlert, run } from "./fake/fixtures";
import { type Handlers, deferred, fail, fakeRust } from "./fake/rust";
import { rawData, shot, unnamedControls } from "./support";

/** A cache of alerts that dismissing changes, as the core's table does. */
function alertsOrg(all: HealthAlert[]): Handlers {
  let rows = all.map((a) => ({ ...a }));
  return {
    list_alerts: ({ all }) => rows.filter((a) => all || a.state === "open"),
    dismiss_alert: ({ id }) => {
      const found = rows.find((a) => a.id === id);
      if (!found) fail(ERRORS.NotFound);
      const done: HealthAlert = { ...found!, state: "dismissed", dismissed_at: new Date().toISOString() };
      rows = rows.map((a) => (a.id === id ? done : a));
      return done;
    },
  };
}

const four = [1, 2, 3, 4].map((i) => healthAlert(i));
const history = [healthAlert(5, { state: "dismissed", dismissed_at: new Date().toISOString() }), healthAlert(6, { state: "resolved", resolved_at: new Date().toISOString() })];

async function openAttention(handlers: Handlers) {
  const fake = fakeRust({
    list_connections: () => [card()],
    sync_history: () => [run(1)],
    list_bands: () => bands,
    get_account: ({ id }) => ({ ...detail(1), company: { ...detail(1).company, gsid: id, name: `Opened ${id}` } }),
    ...alertsOrg([...four, ...history]),
    ...handlers,
  });
  const screen = await render(App);
  await screen.getByTestId("nav-attention").click();
  return { fake, screen };
}

const ids = () => [...document.querySelectorAll<HTMLElement>('[data-testid="alert-row"]')].map((r) => Number(r.dataset.id));

describe("Attention", () => {
  test("before any sync it says alerts follow a sync", async () => {
    const { screen } = await openAttention({ list_connections: () => [], sync_history: () => [], list_alerts: () => [] });
    await expect.element(screen.getByTestId("no-alerts")).toHaveTextContent("Not synced yet");
    expect(document.querySelector('[data-testid="alerts-badge"]'), "no badge without open alerts").toBeNull();
  });

  test("a synced cache with no open alerts says so", async () => {
    const { screen } = await openAttention({ list_alerts: () => [] });
    await expect.element(screen.getByTestId("no-alerts")).toHaveTextContent("No open alerts.");
  });

  test("while loading it says so, not that there are none", async () => {
    const later = deferred<HealthAlert[]>();
    const { screen } = await openAttention({ list_alerts: ({ all }) => (all ? [] : later.promise) });
    await expect.element(screen.getByTestId("alerts-loading")).toBeVisible();
    expect(document.querySelector('[data-testid="no-alerts"]')).toBeNull();
    later.resolve(four);
    await expect.element(screen.getByTestId("alerts-table")).toBeVisible();
  });

  test("open alerts with their account, kind, detail and when raised; the nav badge counts them", async () => {
    const { fake, screen } = await openAttention({});
    await expect.element(screen.getByTestId("alerts-badge")).toHaveAttribute("data-count", "4");
    await expect.element(screen.getByTestId("alerts-count")).toHaveTextContent("4 open alerts");
    expect(ids()).toEqual([1, 2, 3, 4]);
    expect(fake.of("list_alerts").every((a) => a.all === false), "open ones only at first").toBe(true);
    const first = document.querySelector('[data-testid="alert-row"]')!;
    expect(first.textContent).toContain("Account 00001");
    expect(first.textContent).toContain("Score declining");
    expect(first.textContent).toContain("score down 3 weeks in a row (85 → 76)");
    const kinds = [...document.querySelectorAll('[data-testid="alert-row"] .strong')].map((e) => e.textContent);
    expect(kinds).toEqual(["Score declining", "Usage down", "Renewal with a Poor score", "Dropped a band"]);
    expect(rawData(document.body.textContent ?? "")).toEqual([]);
    expect(unnamedControls()).toEqual([]);
    await shot("attention");
  });

  test("Dismiss takes the alert off the list and the badge; the others stay", async () => {
    const { fake, screen } = await openAttention({});
    await expect.poll(ids).toEqual([1, 2, 3, 4]);
    await screen.getByRole("button", { name: "Dismiss Usage down for Account 00002" }).click();
    await expect.poll(ids).toEqual([1, 3, 4]);
    expect(fake.of("dismiss_alert")).toEqual([{ id: 2 }]);
    await expect.element(screen.getByTestId("alerts-badge")).toHaveAttribute("data-count", "3");
    await expect.element(screen.getByTestId("alerts-count")).toHaveTextContent("3 open alerts");
  });

  test("the toggle shows dismissed and resolved alerts, without a Dismiss button", async () => {
    const { fake, screen } = await openAttention({});
    await expect.poll(ids).toEqual([1, 2, 3, 4]);
    await screen.getByTestId("alerts-show-all").click();
    await expect.poll(ids).toEqual([1, 2, 3, 4, 5, 6]);
    expect(fake.of("list_alerts").at(-1)).toEqual({ all: true });
    const state = (id: number) => document.querySelector<HTMLElement>(`[data-testid="alert-row"][data-id="${id}"]`)!;
    expect(state(5).querySelector('[data-testid="alert-state"]')!.textContent).toBe("Dismissed");
    expect(state(6).querySelector('[data-testid="alert-state"]')!.textContent).toBe("Resolved");
    expect(state(5).querySelector('[data-testid="dismiss-alert"]')).toBeNull();
    expect(state(6).querySelector('[data-testid="dismiss-alert"]')).toBeNull();
    await expect.element(screen.getByTestId("alerts-count")).toHaveTextContent("4 open alerts · 6 alerts in all");
    // Dismissing with everything shown keeps the row, now dismissed.
    await screen.getByRole("button", { name: "Dismiss Dropped a band for Account 00004" }).click();
    await expect.poll(() => state(4).dataset.state).toBe("dismissed");
    await expect.element(screen.getByTestId("alerts-badge")).toHaveAttribute("data-count", "3");
    await screen.getByTestId("alerts-show-all").click();
    await expect.poll(ids).toEqual([1, 2, 3]);
  });

  test("a dismiss that fails says why and keeps the alert", async () => {
    const { screen } = await openAttention({ dismiss_alert: () => fail(ERRORS.NotFound) });
    await expect.poll(ids).toEqual([1, 2, 3, 4]);
    await screen.getByRole("button", { name: "Dismiss Score declining for Account 00001" }).click();
    await expect.element(screen.getByTestId("error-note")).toHaveAttribute("data-kind", "NotFound");
    expect(ids()).toEqual([1, 2, 3, 4]);
    await expect.element(screen.getByTestId("alerts-badge")).toHaveAttribute("data-count", "4");
  });

  test("a sync that finishes recounts the badge", async () => {
    let open = [healthAlert(1)];
    const { fake, screen } = await openAttention({ list_alerts: () => open });
    await expect.element(screen.getByTestId("alerts-badge")).toHaveAttribute("data-count", "1");
    open = [healthAlert(1), healthAlert(2), healthAlert(3)];
    await fake.emit("sync://finished", { new_alerts: 2 });
    await expect.element(screen.getByTestId("alerts-badge")).toHaveAttribute("data-count", "3");
    await expect.poll(ids).toEqual([1, 2, 3]);
  });

  test("a click on the account opens its page, and back returns to Attention", async () => {
    const { fake, screen } = await openAttention({});
    await screen.getByTestId("alert-account").first().click();
    await expect.element(screen.getByTestId("account-name")).toHaveTextContent(`Opened ${four[0].company_gsid}`);
    expect(fake.of("get_account")).toEqual([{ id: four[0].company_gsid }]);
    await screen.getByTestId("back").click();
    await expect.element(screen.getByTestId("alerts-table")).toBeVisible();
  });

  test("an error listing alerts shows its hint, not an empty list", async () => {
    const { screen } = await openAttention({ list_alerts: () => fail(ERRORS.Database) });
    await expect.element(screen.getByTestId("error-note")).toHaveTextContent(ERRORS.Database.hint!);
    expect(document.querySelector('[data-testid="no-alerts"]')).toBeNull();
  });
});
