import { beforeEach, describe, expect, test } from "vitest";
import { userEvent } from "vitest/browser";
import { render } from "vitest-browser-svelte";
import App from "../src/App.svelte";
import type { CtaPage, CtaPageQuery } from "../src/bindings";
import { ERRORS, bands, card, cta, detail, run } from "./fake/fixtures";
import { ctasOrg } from "./fake/org";
import { type Handlers, deferred, fail, fakeRust } from "./fake/rust";
import { facetValue, rawData, shot, unnamedControls } from "./support";

const rows = Array.from({ length: 30 }, (_, i) => cta(i + 1));

async function openCtas(handlers: Handlers) {
  const fake = fakeRust({
    list_connections: () => [card()],
    sync_history: () => [run(1)],
    list_bands: () => bands,
    ...ctasOrg(rows),
    get_account: ({ id }) => ({ ...detail(1), company: { ...detail(1).company, gsid: id, name: `Opened ${id}` } }),
    ...handlers,
  });
  const screen = await render(App);
  await screen.getByTestId("nav-ctas").click();
  return { fake, screen };
}

const shown = () => [...document.querySelectorAll<HTMLElement>('[data-testid="cta-row"]')];

beforeEach(() => localStorage.clear());

describe("CTAs", () => {
  test("an empty cache says so", async () => {
    const { screen } = await openCtas(ctasOrg([]));
    await expect.element(screen.getByTestId("no-ctas")).toBeVisible();
    await expect.element(screen.getByTestId("cta-total")).toHaveTextContent("0 CTAs");
  });

  test("while loading it says so rather than 0 CTAs", async () => {
    const later = deferred<CtaPage>();
    const org = ctasOrg(rows);
    let asked: CtaPageQuery | null = null;
    const { screen } = await openCtas({
      cta_page: (a) => {
        asked = a.query;
        return later.promise;
      },
    });
    await expect.element(screen.getByTestId("ctas-loading")).toBeVisible();
    expect(document.querySelector('[data-testid="cta-total"]')).toBeNull();
    expect(document.querySelector('[data-testid="no-ctas"]')).toBeNull();
    await expect.poll(() => asked).not.toBeNull();
    later.resolve(org.cta_page!({ query: asked! }) as CtaPage);
    await expect.element(screen.getByTestId("cta-total")).toHaveTextContent("30 CTAs");
  });

  test("open CTAs org-wide, overdue first, with the true count; a facet filters", async () => {
    const { fake, screen } = await openCtas({});
    await expect.element(screen.getByTestId("cta-total")).toHaveTextContent("30 CTAs · 30 match");
    await expect.element(screen.getByTestId("cta-chip")).toHaveTextContent("State: open");
    await expect.poll(() => shown().length).toBeGreaterThan(10);
    const pills = shown().map((r) => Boolean(r.querySelector(".overdue-pill")));
    expect(pills.indexOf(false), "every overdue row comes before the first one on time").toBe(pills.filter(Boolean).length);
    await facetValue("High").click();
    await expect.element(screen.getByTestId("cta-total")).toHaveTextContent("30 CTAs · 10 match");
    expect(fake.of("cta_page").at(-1)!.query.filters).toEqual([
      { facet: "state", value: "open" },
      { facet: "priority", value: "High" },
    ]);
    await shot("ctas");
  });

  test("a click on the account opens it, and Esc comes back to the list", async () => {
    const { fake, screen } = await openCtas({});
    await expect.poll(() => shown().length).toBeGreaterThan(0);
    const first = shown()[0].querySelector<HTMLElement>('[data-testid="cta-account"]')!;
    first.click();
    await expect.element(screen.getByTestId("account-name")).toBeVisible();
    expect(fake.of("get_account").at(-1)!.id).toBe(rows.find((t) => t.company_name === first.textContent)?.company_gsid);
    await userEvent.keyboard("{Escape}");
    await expect.element(screen.getByTestId("ctas-table")).toBeVisible();
  });

  test("keyboard: / focuses search, arrows move, Enter opens the account", async () => {
    const { fake, screen } = await openCtas({});
    await expect.poll(() => shown().length).toBeGreaterThan(3);
    (document.activeElement as HTMLElement | null)?.blur();
    await userEvent.keyboard("/");
    expect(document.activeElement?.getAttribute("data-testid")).toBe("cta-search");
    (screen.getByTestId("ctas-table").element() as HTMLElement).focus();
    await userEvent.keyboard("{ArrowDown}{ArrowDown}");
    const third = shown()[2];
    expect(third.classList.contains("active")).toBe(true);
    await userEvent.keyboard("{Enter}");
    const account = third.querySelector('[data-testid="cta-account"]')!.textContent;
    await expect.poll(() => fake.of("get_account").at(-1)?.id).toBe(rows.find((t) => t.company_name === account)?.company_gsid);
  });

  test("search drops a slow reply to an older query", async () => {
    const org = ctasOrg(rows);
    const slow = deferred<CtaPage>();
    let slowQuery: CtaPageQuery | null = null;
    const { screen } = await openCtas({
      cta_page: (a) => {
        if (a.query.search === "review 1") {
          slowQuery = a.query;
          return slow.promise;
        }
        return org.cta_page!(a);
      },
    });
    await expect.element(screen.getByTestId("cta-total")).toHaveTextContent("30 CTAs");
    await userEvent.fill(screen.getByTestId("cta-search"), "review 1");
    await expect.poll(() => slowQuery).not.toBeNull();
    const body = screen.getByTestId("ctas-rows").element() as HTMLElement;
    expect(getComputedStyle(body).pointerEvents, "older rows cannot be clicked meanwhile").toBe("none");
    await userEvent.fill(screen.getByTestId("cta-search"), "review 17");
    await expect.element(screen.getByTestId("cta-total")).toHaveTextContent("1 match");
    slow.resolve(org.cta_page!({ query: slowQuery! }) as CtaPage);
    await new Promise((r) => setTimeout(r, 50));
    expect(shown().map((r) => r.children[1].textContent)).toEqual(["Renewal risk review 17"]);
    await expect.element(screen.getByTestId("cta-total")).toHaveTextContent("30 CTAs · 1 match");
    expect(body.getAttribute("aria-busy")).toBe("false");
  });

  test("two connections to one org: the same CTA id twice is two rows, with a connection column and facet", async () => {
    const twice = [cta(1), cta(1, { connection_id: "cs-2" }), cta(2)];
    const names = { "cs-1": "Acme production", "cs-2": "Acme sandbox" };
    const { screen } = await openCtas({
      ...ctasOrg(twice, names),
      list_connections: () => [card(), card({ id: "cs-2", name: "Acme sandbox" })],
    });
    await expect.element(screen.getByTestId("cta-total")).toHaveTextContent("3 CTAs");
    await expect.poll(() => shown().map((r) => r.dataset.key)).toEqual(expect.arrayContaining([`cs-1/${cta(1).gsid}`, `cs-2/${cta(1).gsid}`]));
    await expect.element(screen.getByTestId("cta-connection-column")).toBeVisible();
    const cells = [...document.querySelectorAll('[data-testid="cta-connection-cell"]')].map((c) => c.textContent?.trim());
    expect(cells).toEqual(expect.arrayContaining(["Acme production", "Acme sandbox"]));
    await expect.element(facetValue("Acme sandbox")).toHaveTextContent(/Acme sandbox\s*1/);
  });

  test("an error shows its message and hint, never raw data", async () => {
    const { screen } = await openCtas({ cta_page: () => fail(ERRORS.Database) });
    await expect.element(screen.getByTestId("error-note")).toHaveTextContent(ERRORS.Database.hint!);
    expect(rawData(document.body.textContent ?? "")).toEqual([]);
    expect(document.querySelector('[data-testid="no-ctas"]')).toBeNull();
    expect(unnamedControls()).toEqual([]);
  });
});
