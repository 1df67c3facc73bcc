import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { page, userEvent } from "vitest/browser";
import { render } from "vitest-browser-svelte";
import App from "../src/App.svelte";
import { accounts, bands, card, change, changeRun, cta, detail, meter, run } from "./fake/fixtures";
import { accountsOrg, ctasOrg } from "./fake/org";
import { type Handlers, fakeRust } from "./fake/rust";
import { localDate } from "../src/lib/format";
import { colorScheme, rect, shot, unnamedControls } from "./support";

const org: Handlers = {
  list_connections: () => [card()],
  sync_history: () => [run(1, { calls: 1 })],
  list_bands: () => bands,
  ...accountsOrg(accounts(1)),
  ...ctasOrg([cta(1)]),
  change_list: () => ({ matching: 1, rows: [change(1)] }),
  change_runs: () => [changeRun(1)],
  get_sync_settings: () => ({
    objects: ["companies"],
    frequency: "manual",
    backfill_days: 30,
    fact_object: "f",
    history_object: "h",
    usage_object: "u",
    cs_calls_per_minute: 50,
    cs_calls_per_day: 50000,
    field_roles: {},
  }),
  budget_meter: () => meter(),
  get_field_mappings: () => [],
  get_account: () => {
    const d = detail(1);
    return {
      ...d,
      usage: d.usage.map((u, i, all) => (i === all.length - 1 ? { ...u, active_users: 1, logins: 1 } : u)),
      px: { account_name: "Account 00001", health_score: 70, nps: 40, users: 1, last_seen: null, top_features: [] },
    };
  },
};

const PAGES = ["accounts", "ctas", "changes", "history", "integrations", "about"] as const;

/** Relative luminance contrast of two CSS colours, as WCAG defines it. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

beforeEach(() => localStorage.clear());
afterEach(() => colorScheme("light"));

describe("The app shell", () => {
  test("every screen: the sidebar stays put, its link is marked current, and every control has a name", async () => {
    await page.viewport(1280, 800);
    fakeRust(org);
    const screen = await render(App);
    for (const p of PAGES) {
      await screen.getByTestId(`nav-${p}`).click();
      await expect.element(screen.getByTestId(`nav-${p}`)).toHaveAttribute("aria-current", "page");
      const content = document.querySelector<HTMLElement>(".content")!;
      content.scrollTop = content.scrollHeight;
      expect(rect(".sidebar").top, `${p}: the sidebar does not scroll away`).toBe(0);
      expect(rect(".sidebar").height).toBe(800);
      expect(document.documentElement.scrollWidth, `${p}: the page does not scroll sideways`).toBeLessThanOrEqual(1280);
      expect(unnamedControls(), `${p}: controls without a name`).toEqual([]);
      // One date format everywhere (format.ts): no ISO or numeric dates in what the admin reads.
      expect(content.innerText.match(/\d{4}-\d{2}-\d{2}|\b\d{1,2}\/\d{1,2}\/\d{2,4}\b|T\d{2}:\d{2}/g), `${p}: dates`).toBeNull();
    }
    await screen.getByTestId("nav-accounts").click();
    await screen.getByTestId("account-open").click();
    await expect.element(screen.getByTestId("account-name")).toBeVisible();
    const detailText = document.querySelector<HTMLElement>(".content")!.innerText;
    expect(detailText.match(/\d{4}-\d{2}-\d{2}|\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/g), "account page dates").toBeNull();
    expect(detailText, "the account page shows dates in the one format").toContain(localDate(detail(1).company.renewal_date));
  });

  test("offline: every data screen says so, and browsing still works", async () => {
    const offline = run(9, { outcome: "failed", error_kind: "Offline", error_message: "Gainsight could not be reached." });
    fakeRust({ ...org, sync_history: () => [run(8), offline] });
    const screen = await render(App);
    for (const p of ["accounts", "ctas", "changes", "history"] as const) {
      await screen.getByTestId(`nav-${p}`).click();
      await expect.element(screen.getByTestId("freshness")).toHaveAttribute("data-kind", "offline");
      await expect.element(screen.getByTestId("freshness")).toHaveTextContent(/^Offline — showing the cache from \w+/);
    }
    await screen.getByTestId("nav-accounts").click();
    await screen.getByTestId("account-open").click();
    await expect.element(screen.getByTestId("score-chart")).toBeVisible();
  });

  test("counts of one read in the singular", async () => {
    fakeRust(org);
    const screen = await render(App);
    await screen.getByTestId("nav-accounts").click();
    await expect.element(screen.getByTestId("account-total")).toHaveTextContent(/^1 account$/);
    await screen.getByTestId("nav-ctas").click();
    await expect.element(screen.getByTestId("cta-total")).toHaveTextContent(/^1 CTA · 1 match$/);
    await screen.getByTestId("nav-history").click();
    await expect.element(screen.getByTestId("history-row")).toHaveTextContent(/\b1 call\b/);
    await screen.getByTestId("nav-accounts").click();
    await screen.getByTestId("account-open").click();
    await expect.element(screen.getByTestId("px-usage")).toHaveTextContent(/\b1 user\b/);
    await expect.element(screen.getByText(/1 active user, 1 login\./)).toBeVisible();
    expect(document.body.textContent).not.toMatch(/(?<![\d,])1 (accounts|CTAs|calls|users|logins|active users|rows|fields)\b/);
  });

  test("light and dark themes follow the OS, both readable", async () => {
    fakeRust(org);
    const screen = await render(App);
    await screen.getByTestId("nav-accounts").click();
    await expect.element(screen.getByTestId("account-row")).toBeVisible();
    const look = () => {
      const root = getComputedStyle(document.documentElement);
      const panel = getComputedStyle(document.querySelector(".vgrid")!).backgroundColor;
      const muted = getComputedStyle(document.querySelector('[data-testid="account-total"]')!).color;
      return { bg: root.backgroundColor, ink: root.color, panel, muted };
    };
    await colorScheme("light");
    const light = look();
    await shot("accounts-light");
    await colorScheme("dark");
    await expect.poll(() => look().bg).not.toBe(light.bg);
    const dark = look();
    await shot("accounts-dark");
    expect(contrast(dark.bg, "rgb(0, 0, 0)"), "dark means a dark background").toBeLessThan(2);
    expect(contrast(light.bg, "rgb(255, 255, 255)"), "light means a light background").toBeLessThan(1.2);
    for (const [name, t] of Object.entries({ light, dark })) {
      expect(contrast(t.ink, t.bg), `${name}: text on the page`).toBeGreaterThanOrEqual(7);
      expect(contrast(t.muted, t.panel), `${name}: quiet text on a panel`).toBeGreaterThanOrEqual(4.5);
    }
    await screen.getByTestId("account-open").click();
    await expect.element(screen.getByTestId("score-chart")).toBeVisible();
    await shot("account-detail-dark");
    await screen.getByTestId("nav-integrations").click();
    await expect.element(screen.getByTestId("connected-card")).toBeVisible();
    await shot("integrations-dark");
  });

  test("keyboard focus is visible on every control it reaches", async () => {
    fakeRust(org);
    const screen = await render(App);
    await screen.getByTestId("nav-integrations").click();
    await expect.element(screen.getByTestId("connected-card")).toBeVisible();
    (document.activeElement as HTMLElement | null)?.blur();
    const seen = new Set<Element>();
    for (let i = 0; i < 25; i++) {
      await userEvent.tab();
      const el = document.activeElement as HTMLElement;
      if (el === document.body) continue;
      if (seen.has(el)) break;
      seen.add(el);
      const s = getComputedStyle(el);
      const ring = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
      expect(ring ? "visible" : el.outerHTML.slice(0, 100)).toBe("visible");
    }
    expect(seen.size).toBeGreaterThan(8);
  });
});
