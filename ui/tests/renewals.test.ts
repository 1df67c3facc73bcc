import { afterEach, describe, expect, test } from "vitest";
import { render } from "vitest-browser-svelte";
import App from "../src/App.svelte";
import type { RenewalRisk } from "../src/bindings";
import { ERRORS, bands, card, detail, renewal, run } from "./fake/fixtures";
import { type Handlers, deferred, fail, fakeRust } from "./fake/rust";
import { colorScheme, rawData, shot, unnamedControls } from "./support";

const five = [1, 2, 3, 4, 5].map((i) => renewal(i));

async function openRenewals(handlers: Handlers) {
  const fake = fakeRust({
    list_connections: () => [card()],
    sync_history: () => [run(1)],
    list_bands: () => bands,
    renewals: () => five,
    get_account: ({ id }) => ({ ...detail(1), company: { ...detail(1).company, gsid: id, name: `Opened ${id}` } }),
    ...handlers,
  });
  const screen = await render(App);
  await screen.getByTestId("nav-renewals").click();
  return { fake, screen };
}

const rowTexts = () => [...document.querySelectorAll<HTMLElement>('[data-testid="renewal-row"]')].map((r) => r.dataset.gsid);

afterEach(() => colorScheme("light"));

describe("Renewals", () => {
  test("before any sync it says to connect and sync, not that nothing renews", async () => {
    const { screen } = await openRenewals({ list_connections: () => [], sync_history: () => [], renewals: () => [] });
    await expect.element(screen.getByTestId("no-renewals")).toHaveTextContent("Not synced yet");
  });

  test("a synced cache with nothing in the window says so and suggests a longer one", async () => {
    const { screen } = await openRenewals({ renewals: () => [] });
    await expect.element(screen.getByTestId("no-renewals")).toHaveTextContent("Nothing renews within 90 days.");
    await expect.element(screen.getByTestId("no-renewals")).toHaveTextContent("Try a longer window.");
  });

  test("while loading it says so, not that nothing renews", async () => {
    const later = deferred<RenewalRisk[]>();
    const { screen } = await openRenewals({ renewals: () => later.promise });
    await expect.element(screen.getByTestId("renewals-loading")).toBeVisible();
    expect(document.querySelector('[data-testid="no-renewals"]')).toBeNull();
    later.resolve(five);
    await expect.element(screen.getByTestId("renewals-table")).toBeVisible();
  });

  test("rows keep the core's ranking and each says why, as text", async () => {
    const hostile = renewal(6, { name: "<b>Bold</b> Corp", reasons: ["<img src=x onerror=alert(1)> for 2 weeks"] });
    const { fake, screen } = await openRenewals({ renewals: () => [...five, hostile] });
    await expect.element(screen.getByTestId("renewals-count")).toHaveTextContent("6 accounts renewing within 90 days");
    expect(fake.of("renewals")[0], "the view opens on 90 days").toEqual({ within: 90 });
    expect(rowTexts()).toEqual([...five, hostile].map((r) => r.gsid));
    const first = document.querySelector('[data-testid="renewal-row"]')!;
    expect(first.querySelector('[data-testid="renewal-reasons"]')!.textContent!.trim()).toBe(five[0].reasons.join(" · "));
    expect(first.textContent).toContain("$11k");
    expect(first.textContent).toContain("in 5 days");
    expect(first.querySelector('[data-testid="renewal-at-risk"]')!.textContent, "ARR × risk / 100 = $7.7k").toBe("$8k");
    expect(first.querySelector('[data-testid="renewal-risk"]')!.textContent!.trim()).toBe(String(five[0].risk));
    const last = document.querySelectorAll('[data-testid="renewal-row"]')[5];
    expect(last.textContent, "Gainsight's text is shown as text").toContain("<b>Bold</b> Corp");
    expect(last.querySelector("img, b"), "never as HTML").toBeNull();
    expect(rawData(document.body.textContent ?? "")).toEqual([]);
    expect(unnamedControls()).toEqual([]);
    await shot("renewals");
    await colorScheme("dark");
    await shot("renewals-dark");
  });

  test("a row with no warning signs says so rather than an empty cell", async () => {
    const { screen } = await openRenewals({ renewals: () => [renewal(9)] });
    await expect.element(screen.getByTestId("renewal-reasons")).toHaveTextContent("No warning signs");
  });

  test("the window picker asks again, and a slow reply for an older window never wins", async () => {
    const slow = deferred<RenewalRisk[]>();
    const { fake, screen } = await openRenewals({
      renewals: ({ within }) => (within === 30 ? slow.promise : within === 180 ? [renewal(1), renewal(2)] : five),
    });
    await expect.poll(rowTexts).toHaveLength(5);
    await screen.getByTestId("window-30").click();
    await expect.element(screen.getByTestId("window-30")).toHaveAttribute("aria-pressed", "true");
    await screen.getByTestId("window-180").click();
    await expect.element(screen.getByTestId("renewals-count")).toHaveTextContent("2 accounts renewing within 180 days");
    slow.resolve([renewal(3)]);
    await new Promise((r) => setTimeout(r, 50));
    expect(rowTexts(), "the 30-day reply came last but is older").toEqual([renewal(1).gsid, renewal(2).gsid]);
    await expect.element(screen.getByTestId("window-180")).toHaveAttribute("aria-pressed", "true");
    await expect.element(screen.getByTestId("window-30")).toHaveAttribute("aria-pressed", "false");
    expect(fake.of("renewals").map((a) => a.within)).toEqual([90, 30, 180]);
  });

  test("a click on the account opens its page, and back returns to Renewals", async () => {
    const { fake, screen } = await openRenewals({});
    await screen.getByTestId("renewal-account").first().click();
    await expect.element(screen.getByTestId("account-name")).toHaveTextContent(`Opened ${five[0].gsid}`);
    expect(fake.of("get_account")).toEqual([{ id: five[0].gsid }]);
    await expect.element(screen.getByTestId("back")).toHaveTextContent("Renewals");
    await screen.getByTestId("back").click();
    await expect.element(screen.getByTestId("renewals-table")).toBeVisible();
  });

  test("each kind of error shows its own message and hint, never an empty list", async () => {
    for (const kind of ["Database", "InvalidInput", "Internal"] as const) {
      const { screen } = await openRenewals({ renewals: () => fail(ERRORS[kind]) });
      const note = screen.getByTestId("error-note");
      await expect.element(note).toHaveAttribute("data-kind", kind);
      await expect.element(note).toHaveTextContent(ERRORS[kind].hint!);
      expect(document.querySelector('[data-testid="no-renewals"]')).toBeNull();
      screen.unmount();
    }
  });
});
