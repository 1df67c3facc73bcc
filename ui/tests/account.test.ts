import { beforeEach, describe, expect, test } from "vitest";
import { userEvent } from "vitest/browser";
import { render } from "vitest-browser-svelte";
import App from "../src/App.svelte";
import type { AccountDetail as Detail } from "../src/bindings";
import { ERRORS, accounts, bands, card, change, detail, run } from "./fake/fixtures";
import { accountsOrg } from "./fake/org";
import { type Handlers, deferred, fail, fakeRust } from "./fake/rust";
import { localDate, localDateTime } from "../src/lib/format";
import { rawData, shot, unnamedControls } from "./support";

async function openAccount(handlers: Handlers) {
  const fake = fakeRust({
    list_connections: () => [card()],
    sync_history: () => [run(1)],
    list_bands: () => bands,
    ...accountsOrg(accounts(5)),
    get_account: () => detail(1),
    ...handlers,
  });
  const screen = await render(App);
  await screen.getByTestId("nav-accounts").click();
  await screen.getByTestId("account-open").first().click();
  return { fake, screen };
}

beforeEach(() => localStorage.clear());

describe("Account page", () => {
  test("the weekly score is a drawn chart with axes, band thresholds and a hover readout", async () => {
    const { screen } = await openAccount({});
    await expect.element(screen.getByTestId("account-name")).toHaveTextContent("Account 00001");
    const chart = screen.getByTestId("score-chart");
    await expect.element(chart).toHaveAttribute("data-points", "12");
    const canvas = chart.element().querySelector("canvas")!;
    expect(canvas.width, "uPlot drew on a sized canvas").toBeGreaterThan(200);
    // Something was painted: the canvas is not blank.
    const pixels = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) inked++;
    expect(inked, "lines, axes and thresholds leave ink").toBeGreaterThan(500);
    const legend = chart.element().querySelector(".u-legend")!;
    expect(legend.textContent).toContain("Overall");
    expect(legend.textContent).toContain("Adoption");
    // Hovering a week reads out its values.
    const over = chart.element().querySelector<HTMLElement>(".u-over")!;
    const box = over.getBoundingClientRect();
    over.dispatchEvent(new MouseEvent("mousemove", { clientX: box.right - 2, clientY: box.top + box.height / 2, bubbles: true }));
    await expect.poll(() => legend.querySelector(".u-series:nth-child(2) .u-value")?.textContent).toBe("73");
    // Axis and readout dates are in the app's one date format.
    const last = detail(1).history.at(-1)!.week;
    expect(legend.querySelector(".u-series:first-child .u-value")?.textContent).toBe(localDate(last));
    await expect.element(screen.getByTestId("usage-chart")).toHaveAttribute("data-points", "12");
    await shot("account-detail");
  });

  test("open CTAs are listed overdue first and highlighted; closed ones are counted", async () => {
    const { screen } = await openAccount({});
    const open = screen.getByTestId("account-ctas");
    await expect.element(open).toBeVisible();
    const rows = [...open.element().querySelectorAll("tbody tr")];
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => Boolean(r.querySelector(".overdue"))), "the overdue CTA first, highlighted").toEqual([true, false]);
    await expect.element(screen.getByRole("heading", { name: /Open CTAs/ })).toHaveTextContent("1 closed");
  });

  test("an account with one week of history says so instead of an empty chart", async () => {
    const one: Detail = detail(1);
    const { screen } = await openAccount({ get_account: () => ({ ...one, history: one.history.slice(0, 1), measure_history: [], usage: [] }) });
    await expect.element(screen.getByTestId("score-chart-empty")).toHaveTextContent("Not enough history yet");
    await expect.element(screen.getByTestId("usage-chart-empty")).toBeVisible();
  });

  test("while it loads it says so", async () => {
    const later = deferred<Detail>();
    const { screen } = await openAccount({ get_account: () => later.promise });
    await expect.element(screen.getByTestId("account-loading")).toBeVisible();
    later.resolve(detail(1));
    await expect.element(screen.getByTestId("account-name")).toBeVisible();
    await expect.poll(() => document.querySelector('[data-testid="account-loading"]')).toBeNull();
  });

  test("an account gone from the cache shows the error with its hint, and Esc goes back", async () => {
    const { screen } = await openAccount({ get_account: () => fail(ERRORS.NotFound) });
    await expect.element(screen.getByTestId("error-note")).toHaveTextContent(ERRORS.NotFound.hint!);
    expect(rawData(document.body.textContent ?? "")).toEqual([]);
    await userEvent.keyboard("{Escape}");
    await expect.element(screen.getByTestId("accounts-table")).toBeVisible();
  });

  test("what Gainsight sent is shown as text, never as HTML", async () => {
    const d = detail(1);
    const evil = '<img src=x onerror="window.__pwned=1"><b>Bold</b>';
    const { screen } = await openAccount({
      get_account: () => ({
        ...d,
        company: { ...d.company, name: evil, industry: "<i>Retail</i>" },
        custom_fields: [{ field: "Notes__gc", label: "<u>Notes</u>", value: "<script>alert(1)</script>" }],
      }),
    });
    await expect.element(screen.getByTestId("account-name")).toHaveTextContent(evil);
    expect(document.querySelector("main img, main i, main u, main script")).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
    expect(unnamedControls()).toEqual([]);
  });

  test("What changed lists this account's band moves and CTAs opened and closed, with dates", async () => {
    const changes = [
      change(3, { kind: "cta_closed", subject: "Onboarding call", detail: null, at: "2026-11-30T14:02:00.000Z" }),
      change(2, { kind: "band_changed", at: "2026-11-23T09:00:00.000Z" }),
      change(1, { kind: "cta_opened", subject: "Renewal risk", detail: null, at: "2026-11-16T08:30:00.000Z" }),
    ];
    const { screen } = await openAccount({ get_account: () => detail(1, { changes }) });
    const panel = screen.getByTestId("what-changed");
    await expect.element(panel).toBeVisible();
    const rows = [...panel.element().querySelectorAll('[data-testid="account-change"]')].map((r) =>
      [...r.querySelectorAll("td")].map((td) => td.textContent?.trim()),
    );
    expect(rows).toEqual([
      [localDateTime(changes[0].at), "CTA closed: Onboarding call"],
      [localDateTime(changes[1].at), "Health moved from Average to Poor"],
      [localDateTime(changes[2].at), "CTA opened: Renewal risk"],
    ]);
    expect(rawData(panel.element().textContent ?? "")).toEqual([]);
    await shot("account-what-changed");
  });

  test("with nothing changed What changed says so", async () => {
    const { screen } = await openAccount({ get_account: () => detail(1, { changes: [] }) });
    await expect.element(screen.getByTestId("no-account-changes")).toBeVisible();
  });
});
