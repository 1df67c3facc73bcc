import { describe, expect, test } from "vitest";
import { render } from "vitest-browser-svelte";
import App from "../src/App.svelte";
import type { InsightSettings, QualityCheck } from "../src/bindings";
import { ERRORS, bands, card, customColumns, detail, insightDefaults, qualityCheck, qualityItem, run } from "./fake/fixtures";
import { type Handlers, deferred, fail, fakeRust } from "./fake/rust";
import { rawData, shot, unnamedControls } from "./support";

const checks: QualityCheck[] = [
  qualityCheck("no_csm", "Companies with no CSM", 3),
  qualityCheck("no_score", "Companies with no health score", 0),
  qualityCheck("px_unlinked", "PX accounts with no CS company", 2, {
    severity: "info",
    items: [
      qualityItem(1, { connection_id: "px-1", id: "px-acme", name: "Acme (PX)", detail: "gsId 1P02X matches no company" }),
      qualityItem(2, { connection_id: "px-1", id: "px-globex", name: "<i>Globex</i>", detail: "no gsId, and its id matches no company" }),
    ],
  }),
  qualityCheck("delete_window", "Deletes about to leave Gainsight's 15-day log", 1, { severity: "error", items: [] }),
];

async function openQuality(handlers: Handlers) {
  const fake = fakeRust({
    list_connections: () => [card()],
    sync_history: () => [run(1)],
    list_bands: () => bands,
    list_custom_columns: () => customColumns(2),
    quality: () => checks,
    quality_check: ({ code }) => checks.find((c) => c.code === code) ?? fail(ERRORS.NotFound),
    get_insight_settings: () => insightDefaults,
    set_insight_settings: ({ settings }) => settings,
    get_account: ({ id }) => ({ ...detail(1), company: { ...detail(1).company, gsid: id, name: `Opened ${id}` } }),
    ...handlers,
  });
  const screen = await render(App);
  await screen.getByTestId("nav-quality").click();
  return { fake, screen };
}

const row = (code: string) => document.querySelector<HTMLElement>(`[data-testid="quality-row"][data-code="${code}"]`)!;

describe("Data quality", () => {
  test("before any sync it says to sync first", async () => {
    const { screen } = await openQuality({ list_connections: () => [], sync_history: () => [] });
    await expect.element(screen.getByTestId("no-quality")).toHaveTextContent("Not synced yet");
    expect(document.querySelector('[data-testid="quality-table"]')).toBeNull();
  });

  test("while checking it says so", async () => {
    const later = deferred<QualityCheck[]>();
    const { screen } = await openQuality({ quality: () => later.promise });
    await expect.element(screen.getByTestId("quality-loading")).toBeVisible();
    later.resolve(checks);
    await expect.element(screen.getByTestId("quality-table")).toBeVisible();
  });

  test("each check with its count and severity; a passing one opens nothing", async () => {
    const { screen } = await openQuality({});
    await expect.element(screen.getByTestId("quality-table")).toBeVisible();
    expect([...document.querySelectorAll<HTMLElement>('[data-testid="quality-row"]')].map((r) => r.dataset.code)).toEqual(
      checks.map((c) => c.code),
    );
    expect(row("no_csm").querySelector('[data-testid="check-count"]')!.textContent).toBe("3");
    expect(row("no_csm").querySelector('[data-testid="check-severity"]')!.textContent).toBe("Warning");
    expect(row("px_unlinked").querySelector('[data-testid="check-severity"]')!.textContent).toBe("Info");
    expect(row("delete_window").querySelector('[data-testid="check-severity"]')!.textContent).toBe("Error");
    expect(row("no_score").textContent).toContain("Passes");
    expect(row("no_score").querySelector("button"), "nothing to open for a passing check").toBeNull();
    expect(rawData(document.body.textContent ?? "")).toEqual([]);
    expect(unnamedControls()).toEqual([]);
    await shot("quality");
  });

  test("opening an account check lists its accounts, each opening its page", async () => {
    const { fake, screen } = await openQuality({});
    await screen.getByRole("button", { name: "Companies with no CSM" }).click();
    await expect.element(screen.getByTestId("check-title")).toHaveTextContent("Companies with no CSM");
    expect(fake.of("quality_check")).toEqual([{ code: "no_csm" }]);
    await expect.poll(() => document.querySelectorAll('[data-testid="check-item"]').length).toBe(3);
    await shot("quality-check");
    await screen.getByTestId("check-account").nth(1).click();
    await expect.element(screen.getByTestId("account-name")).toHaveTextContent(`Opened ${qualityItem(2).id}`);
    await screen.getByTestId("back").click();
    await expect.element(screen.getByTestId("check-title")).toHaveTextContent("Companies with no CSM");
    await screen.getByTestId("quality-back").click();
    await expect.element(screen.getByTestId("quality-table")).toBeVisible();
  });

  test("a check of PX accounts lists them as text, not as account links", async () => {
    const { screen } = await openQuality({});
    await screen.getByRole("button", { name: "PX accounts with no CS company" }).click();
    await expect.poll(() => document.querySelectorAll('[data-testid="check-item"]').length).toBe(2);
    expect(document.querySelector('[data-testid="check-account"]')).toBeNull();
    const items = screen.getByTestId("check-items");
    await expect.element(items).toHaveTextContent("gsId 1P02X matches no company");
    await expect.element(items).toHaveTextContent("<i>Globex</i>");
    expect(items.element().querySelector("i")).toBeNull();
  });

  test("a check that fails to open says why, and back still works", async () => {
    const { screen } = await openQuality({ quality_check: () => fail(ERRORS.NotFound) });
    await screen.getByRole("button", { name: "Companies with no CSM" }).click();
    await expect.element(screen.getByTestId("error-note")).toHaveAttribute("data-kind", "NotFound");
    await screen.getByTestId("quality-back").click();
    await expect.element(screen.getByTestId("quality-table")).toBeVisible();
  });

  test("an error running the checks shows its hint", async () => {
    const { screen } = await openQuality({ quality: () => fail(ERRORS.Database) });
    await expect.element(screen.getByTestId("error-note")).toHaveTextContent(ERRORS.Database.hint!);
    expect(document.querySelector('[data-testid="quality-table"]')).toBeNull();
  });
});

describe("Insight settings", () => {
  test("values out of range are explained, and nothing is sent until they are fixed", async () => {
    const { fake, screen } = await openQuality({});
    const weeks = screen.getByTestId("decline-weeks");
    await expect.element(weeks).toHaveValue("3");
    await weeks.fill("1");
    await expect.element(screen.getByTestId("decline-weeks-error")).toHaveTextContent("2 to 26 weeks");
    await expect.element(weeks).toHaveAttribute("aria-invalid", "true");
    await screen.getByTestId("usage-drop").fill("abc");
    await expect.element(screen.getByTestId("usage-drop-error")).toHaveTextContent("1 to 100");
    await screen.getByTestId("renewal-days").fill("400");
    await expect.element(screen.getByTestId("renewal-days-error")).toHaveTextContent("1 to 365 days");
    await screen.getByTestId("link-field").fill("x'); DROP");
    await expect.element(screen.getByTestId("link-field-error")).toHaveTextContent("API name");
    await expect.element(screen.getByTestId("save-insight-settings")).toBeDisabled();
    expect(fake.of("set_insight_settings")).toEqual([]);
    await shot("insight-settings-invalid");
    await weeks.fill("4");
    await screen.getByTestId("usage-drop").fill("25.5");
    await screen.getByTestId("renewal-days").fill("60");
    await screen.getByTestId("link-field").fill("Region__gc");
    expect(document.querySelector('[data-testid$="-error"]'), "no error left").toBeNull();
    const before = fake.of("quality").length;
    await screen.getByTestId("save-insight-settings").click();
    await expect.element(screen.getByTestId("insight-settings-saved")).toBeVisible();
    const sent: InsightSettings = { decline_weeks: 4, usage_drop_pct: 25.5, renewal_alert_days: 60, px_link_field: "Region__gc" };
    expect(fake.of("set_insight_settings")).toEqual([{ settings: sent }]);
    // The checks run again under the new link.
    await expect.poll(() => fake.of("quality").length).toBe(before + 1);
  });

  test("a value the core refuses shows its message and keeps what was typed", async () => {
    const refused = { kind: "InvalidInput" as const, message: "\"Nope__gc\" is not a valid px_link_field.", hint: "Use Gsid or a Company field's API name." };
    const { screen } = await openQuality({ set_insight_settings: () => fail(refused) });
    await screen.getByTestId("link-field").fill("Nope__gc");
    await screen.getByTestId("save-insight-settings").click();
    await expect.element(screen.getByTestId("insight-settings").getByTestId("error-note")).toHaveTextContent(refused.message);
    await expect.element(screen.getByTestId("link-field")).toHaveValue("Nope__gc");
    expect(document.querySelector('[data-testid="insight-settings-saved"]')).toBeNull();
  });
});
