import { beforeEach, describe, expect, test } from "vitest";
import { page, userEvent } from "vitest/browser";
import { render } from "vitest-browser-svelte";
import App from "../src/App.svelte";
import type { AccountPage, AccountPageQuery, ErrorKind, Facet } from "../src/bindings";
import { ERRORS, accounts, bands, card, customColumns, run } from "./fake/fixtures";
import { accountsOrg } from "./fake/org";
import { type Handlers, deferred, fail, fakeRust } from "./fake/rust";
import { facetValue, rawData, rect, settle, shot, unnamedControls } from "./support";

const synced: Handlers = { list_connections: () => [card()], sync_history: () => [run(1)], list_bands: () => bands };

async function openAccounts(handlers: Handlers) {
  const fake = fakeRust({ ...synced, ...handlers });
  const screen = await render(App);
  await screen.getByTestId("nav-accounts").click();
  return { fake, screen };
}

const rowNames = () => [...document.querySelectorAll('[data-testid="account-row"] [data-testid="account-open"]')].map((e) => e.textContent);

beforeEach(() => localStorage.clear());

describe("Accounts", () => {
  test("an empty cache says how to fill it, with no count made up", async () => {
    fakeRust();
    const screen = await render(App);
    await expect.element(screen.getByRole("heading", { name: "Integrations" })).toBeVisible();
    await screen.getByTestId("nav-accounts").click();
    await expect.element(screen.getByTestId("no-accounts")).toHaveTextContent("No accounts in the cache yet");
    await expect.element(screen.getByTestId("account-total")).toHaveTextContent("0 accounts");
    await expect.element(screen.getByTestId("freshness")).toHaveTextContent("Not synced yet");
    await shot("accounts-empty");
  });

  test("while the first page loads it says so, then shows the rows and the true total", async () => {
    const first = deferred<AccountPage>();
    const org = accountsOrg(accounts(30));
    const { screen } = await openAccounts({ ...org, account_page: () => first.promise });
    await expect.element(screen.getByTestId("accounts-loading")).toBeVisible();
    expect(document.querySelector('[data-testid="account-total"]'), "no total is shown before one is known").toBeNull();
    expect(document.querySelector('[data-testid="no-accounts"]'), "an unanswered query is not an empty cache").toBeNull();
    first.resolve(org.account_page!({ query: { filter: { search: null, filters: [] }, sort: "name", offset: 0, limit: 200 } }) as AccountPage);
    await expect.element(screen.getByTestId("account-total")).toHaveTextContent("30 accounts");
    await expect.poll(() => document.querySelector('[data-testid="accounts-loading"]')).toBeNull();
    await expect.poll(() => rowNames().length).toBeGreaterThan(10);
  });

  test("the rows are drawn before the facet counts arrive, and clickable", async () => {
    const org = accountsOrg(accounts(30));
    const counts = deferred<Facet[]>();
    const { screen } = await openAccounts({ ...org, account_facets: () => counts.promise });
    await expect.element(screen.getByTestId("account-total")).toHaveTextContent("30 accounts");
    await expect.poll(() => rowNames().length).toBeGreaterThan(10);
    expect(document.querySelector('[data-testid="facet-value"]'), "no counts yet").toBeNull();
    expect(document.querySelector('[aria-busy="true"]'), "the rows are not held back as stale").toBeNull();
    counts.resolve(org.account_facets!({ filter: { search: null, filters: [] } }) as Facet[]);
    await expect.element(facetValue("Poor")).toBeVisible();
  });

  test("every account is reachable by scrolling: later pages are fetched from the offset they show", async () => {
    const { fake, screen } = await openAccounts(accountsOrg(accounts(450)));
    await expect.element(screen.getByTestId("account-total")).toHaveTextContent("450 accounts");
    const grid = document.querySelector<HTMLElement>('[data-testid="accounts-table"]')!;
    await expect.poll(() => rowNames().length).toBeGreaterThan(5);
    grid.scrollTop = grid.scrollHeight;
    const last = () => document.querySelector('[data-testid="account-row"][data-index="449"] [data-testid="account-open"]')?.textContent;
    await expect.poll(last).toMatch(/^Account \d{5}$/);
    const offsets = fake.of("account_page").map((a) => a.query.offset);
    expect(offsets).toContain(400);
    expect(offsets.every((o) => o % 200 === 0), "pages are asked for by page, not per row").toBe(true);
    expect(fake.unexpected).toEqual([]);
  });

  test("a facet count filters, shows a removable chip, and the chip removes it", async () => {
    const rows = accounts(40);
    const poor = rows.filter((a) => a.score_label === "Poor").length;
    const { fake, screen } = await openAccounts(accountsOrg(rows));
    const value = facetValue("Poor");
    await expect.element(value).toHaveTextContent(String(poor));
    await value.click();
    await expect.element(screen.getByTestId("filter-chip")).toHaveTextContent("Health band: Poor");
    await expect.element(screen.getByTestId("account-total")).toHaveTextContent(`40 accounts · ${poor} match`);
    const last = fake.of("account_page").at(-1)!;
    expect(last.query.filter.filters).toEqual([{ facet: "band", value: "Poor" }]);
    await expect.poll(() => rowNames().length).toBe(Math.min(poor, 20));
    await shot("accounts-filtered");
    await screen.getByTestId("filter-chip").click();
    await expect.poll(() => document.querySelectorAll('[data-testid="filter-chip"]').length).toBe(0);
    await expect.element(screen.getByTestId("account-total")).toHaveTextContent(/^40 accounts$/);
  });

  test("filters, search and sort survive a restart", async () => {
    const org = accountsOrg(accounts(40));
    const first = await openAccounts(org);
    await facetValue("Grace Hopper").click();
    await first.screen.getByTestId("sort-arr").click();
    await expect.element(first.screen.getByTestId("filter-chip")).toBeVisible();
    await first.screen.unmount();
    const again = await openAccounts(org);
    await expect.element(again.screen.getByTestId("filter-chip")).toHaveTextContent("CSM: Grace Hopper");
    const q = again.fake.of("account_page").at(-1)!.query;
    expect(q.sort).toBe("-arr");
    expect(q.filter.filters).toEqual([{ facet: "csm", value: "Grace Hopper" }]);
  });

  test("search is debounced, and a slow reply to an older query never replaces a newer one", async () => {
    const org = accountsOrg(accounts(40));
    const slow = deferred<AccountPage>();
    let slowQuery: AccountPageQuery | null = null;
    const { fake, screen } = await openAccounts({
      ...org,
      account_page: (args) => {
        if (args.query.filter.search === "Account 0001") {
          slowQuery = args.query;
          return slow.promise;
        }
        return org.account_page!(args);
      },
    });
    await expect.element(screen.getByTestId("account-total")).toHaveTextContent("40 accounts");
    const box = screen.getByTestId("account-search");
    await userEvent.fill(box, "Account 0001");
    await expect.poll(() => slowQuery).not.toBeNull();
    // Until its rows arrive, the older rows on screen cannot be opened by a click or by Enter.
    const body = screen.getByTestId("accounts-rows").element() as HTMLElement;
    expect(body.getAttribute("aria-busy")).toBe("true");
    expect(getComputedStyle(body).pointerEvents).toBe("none");
    await userEvent.fill(box, "Account 00012");
    await expect.poll(() => rowNames()).toEqual(["Account 00012"]);
    // The reply for "Account 0001" (ten rows) arrives last; it must not win.
    slow.resolve(org.account_page!({ query: slowQuery! }) as AccountPage);
    await settle();
    await settle();
    expect(rowNames(), "the newer query's rows stay").toEqual(["Account 00012"]);
    await expect.element(screen.getByTestId("account-total")).toHaveTextContent("40 accounts · 1 match");
    expect(body.getAttribute("aria-busy"), "the rows of the newest query can be opened").toBe("false");
    const searches = fake.of("account_page").map((a) => a.query.filter.search);
    expect(searches.filter((s) => s?.startsWith("Account 0001")).length, "typing is debounced into few queries").toBeLessThanOrEqual(3);
  });

  test("a click on a column header sorts by it in SQLite's order, and again reverses it", async () => {
    const { fake, screen } = await openAccounts(accountsOrg(accounts(30)));
    await expect.element(screen.getByTestId("account-total")).toHaveTextContent("30 accounts");
    await screen.getByTestId("sort-arr").click();
    await expect.poll(() => rowNames()[0]).toBe("Account 00030");
    expect(fake.of("account_page").at(-1)!.query.sort).toBe("-arr");
    await expect.element(screen.getByTestId("sort-arr")).toHaveAttribute("aria-sort", "descending");
    await screen.getByTestId("sort-arr").click();
    await expect.poll(() => rowNames()[0]).toBe("Account 00001");
    await expect.element(screen.getByTestId("sort-arr")).toHaveAttribute("aria-sort", "ascending");
    await screen.getByTestId("sort-name").click();
    expect(fake.of("account_page").at(-1)!.query.sort).toBe("name");
  });

  test.each(Object.keys(ERRORS) as ErrorKind[])("a %s error shows its message and hint, never raw data", async (kind) => {
    const { screen } = await openAccounts({ ...accountsOrg([]), account_page: () => fail(ERRORS[kind]) });
    const note = screen.getByTestId("error-note");
    await expect.element(note).toHaveAttribute("data-kind", kind);
    await expect.element(note).toHaveTextContent(ERRORS[kind].message);
    await expect.element(note).toHaveTextContent(ERRORS[kind].hint!);
    expect(rawData(document.body.textContent ?? "")).toEqual([]);
    expect(document.querySelector('[data-testid="no-accounts"]'), "a failed query is not an empty cache").toBeNull();
  });

  test("an error that is not an ErrorPayload still reads as words", async () => {
    const { screen } = await openAccounts({
      ...accountsOrg([]),
      account_page: () => {
        throw { error: { code: 500, detail: "stream companies: row 3" } };
      },
    });
    await expect.element(screen.getByTestId("error-note")).toHaveTextContent("Something went wrong");
    expect(rawData(document.body.textContent ?? "")).toEqual([]);
  });

  test("offline: the freshness line says so and the cache stays browsable", async () => {
    const offline = run(9, { outcome: "failed", error_kind: "Offline", error_message: ERRORS.Offline.message });
    const { screen } = await openAccounts({ ...accountsOrg(accounts(5)), sync_history: () => [run(8), offline] });
    await expect.element(screen.getByTestId("freshness")).toHaveTextContent(/^Offline — showing the cache from /);
    await expect.element(screen.getByTestId("freshness")).toHaveAttribute("data-kind", "offline");
    await expect.poll(() => rowNames().length).toBe(5);
    await shot("accounts-offline");
  });

  test("offline: a card that a test found offline also makes the freshness line say so", async () => {
    const offline = card({ status: "offline", status_reason: ERRORS.Offline.message });
    const { screen } = await openAccounts({ ...accountsOrg(accounts(5)), list_connections: () => [offline], sync_history: () => [run(8)] });
    await expect.element(screen.getByTestId("freshness")).toHaveAttribute("data-kind", "offline");
    await expect.element(screen.getByTestId("freshness")).toHaveTextContent(/^Offline — showing the cache from /);
    await expect.poll(() => rowNames().length).toBe(5);
  });

  test("with several connections there is a connection column and a connection facet", async () => {
    const names = { "cs-1": "Acme production", "cs-2": "Acme sandbox" };
    const rows = accounts(10, (i) => ({ connection_id: i % 2 ? "cs-1" : "cs-2" }));
    const { fake, screen } = await openAccounts({
      ...accountsOrg(rows, names),
      list_connections: () => [card(), card({ id: "cs-2", name: "Acme sandbox" })],
    });
    await expect.element(screen.getByTestId("connection-column")).toBeVisible();
    await expect.poll(() => [...document.querySelectorAll('[data-testid="connection-cell"]')].map((c) => c.textContent?.trim())).toContain("Acme sandbox");
    const facet = facetValue("Acme sandbox");
    await expect.element(facet).toHaveTextContent(/Acme sandbox\s*5/);
    await facet.click();
    await expect.element(screen.getByTestId("filter-chip")).toHaveTextContent("Connection: Acme sandbox");
    expect(fake.of("account_page").at(-1)!.query.filter.filters).toEqual([{ facet: "connection", value: "cs-2" }]);
    await expect.poll(() => rowNames().length).toBe(5);
  });

  test("with one CS connection (and a PX one) there is no connection column", async () => {
    await openAccounts({
      ...accountsOrg(accounts(3)),
      list_connections: () => [card(), card({ id: "px-1", kind: "px", name: "Acme PX", auth_mode: "api_key" })],
    });
    await expect.poll(() => rowNames().length).toBe(3);
    expect(document.querySelector('[data-testid="connection-column"]')).toBeNull();
    expect(document.querySelector('[data-testid="facets"] [data-facet="connection"]')).toBeNull();
  });

  test("keyboard: / focuses search, arrows move, Enter opens, Esc goes back", async () => {
    const { fake, screen } = await openAccounts({ ...accountsOrg(accounts(20)), get_account: ({ id }) => fail({ ...ERRORS.NotFound, message: `gone ${id}` }) });
    await expect.element(screen.getByTestId("account-total")).toHaveTextContent("20 accounts");
    (document.activeElement as HTMLElement | null)?.blur();
    await userEvent.keyboard("/");
    expect(document.activeElement?.getAttribute("data-testid")).toBe("account-search");
    await userEvent.keyboard("{Escape}");
    const grid = screen.getByTestId("accounts-table");
    (grid.element() as HTMLElement).focus();
    await userEvent.keyboard("{ArrowDown}{ArrowDown}{ArrowUp}{ArrowDown}{ArrowDown}");
    await expect.poll(() => document.querySelector(".vrow.active")?.getAttribute("data-index")).toBe("3");
    const fourth = rowNames()[3];
    await userEvent.keyboard("{Enter}");
    await expect.poll(() => fake.of("get_account").at(-1)?.id).toBe(accounts(20).find((a) => a.name === fourth)?.gsid);
    await expect.element(screen.getByTestId("back")).toBeVisible();
    await userEvent.keyboard("{Escape}");
    await expect.element(screen.getByTestId("accounts-table")).toBeVisible();
  });

  test("at 1280×800 with three custom columns the page never scrolls sideways; the table does, under a fixed header", async () => {
    const long = "Northwind Traders International Holdings and Subsidiaries of the Greater Pacific Region";
    const rows = accounts(120, (i) => ({
      name: i === 1 ? long : `Account ${String(i).padStart(5, "0")}`,
      custom: JSON.stringify({ Region__gc: "EMEA", Tier__gc: "Premier", Seats__gc: 250 }),
    }));
    await page.viewport(1280, 800);
    localStorage.setItem("outpost.accounts.view.v1", JSON.stringify({ search: "", filters: [], sort: "-name" }));
    const { screen } = await openAccounts({ ...accountsOrg(rows), list_custom_columns: () => customColumns(3) });
    await expect.poll(() => rowNames()).toContain(long);
    await expect.poll(() => document.querySelectorAll('[data-testid="custom-column"]').length).toBe(3);
    expect(document.documentElement.scrollWidth, "the page itself is no wider than the window").toBeLessThanOrEqual(1280);
    const content = document.querySelector<HTMLElement>(".content")!;
    expect(content.scrollWidth, "the content area does not scroll sideways").toBeLessThanOrEqual(content.clientWidth);
    const grid = screen.getByTestId("accounts-table").element() as HTMLElement;
    expect(grid.getBoundingClientRect().right).toBeLessThanOrEqual(1280);
    // The long name stays on one line (ellipsis), its cell no taller than a row.
    const name = document.querySelector<HTMLElement>('[data-testid="account-open"]')!;
    const lineHeight = parseFloat(getComputedStyle(name).lineHeight);
    expect(name.getBoundingClientRect().height).toBeLessThan(lineHeight * 1.5);
    // Every row's columns line up with the header's, the long name's row too.
    const headLefts = [...document.querySelectorAll(".vhead > *")].map((c) => Math.round(c.getBoundingClientRect().left));
    for (const row of document.querySelectorAll('[data-testid="account-row"]')) {
      expect([...row.children].map((c) => Math.round(c.getBoundingClientRect().left)), row.textContent ?? "").toEqual(headLefts);
    }
    // Dates are never cut short in their column.
    const renewals = [...document.querySelectorAll<HTMLElement>('[data-testid="account-row"] .cell:nth-child(4)')];
    expect(renewals.length).toBeGreaterThan(5);
    const cut = (c: HTMLElement) => {
      const text = document.createRange();
      text.selectNodeContents(c);
      const pad = parseFloat(getComputedStyle(c).paddingLeft) + parseFloat(getComputedStyle(c).paddingRight);
      return text.getBoundingClientRect().width > c.clientWidth - pad;
    };
    expect(renewals.filter(cut).map((c) => c.textContent)).toEqual([]);
    await shot("accounts-three-custom-columns");
    // Scrolling the list keeps the header and the sidebar where they were.
    const head = rect(".vhead").top;
    const nav = rect(".sidebar").top;
    expect(grid.scrollWidth, "the columns that do not fit scroll inside the table").toBeGreaterThan(grid.clientWidth);
    grid.scrollTop = 2000;
    grid.scrollLeft = 400;
    await settle();
    expect(grid.scrollLeft).toBe(400);
    expect(rect(".vhead").top).toBe(head);
    expect(rect(".sidebar").top).toBe(nav);
    expect(document.documentElement.scrollTop + document.body.scrollTop).toBe(0);
    await shot("accounts-three-custom-columns-scrolled");
  });

  test("at 1920×1080 three custom columns fit without scrolling sideways", async () => {
    await page.viewport(1920, 1080);
    const rows = accounts(30, () => ({ custom: JSON.stringify({ Region__gc: "EMEA", Tier__gc: "Premier", Seats__gc: 250 }) }));
    const { screen } = await openAccounts({ ...accountsOrg(rows), list_custom_columns: () => customColumns(3) });
    await expect.poll(() => document.querySelectorAll('[data-testid="custom-cell"]').length).toBeGreaterThan(30);
    const grid = screen.getByTestId("accounts-table").element() as HTMLElement;
    expect(grid.scrollWidth, "every column is in view").toBeLessThanOrEqual(grid.clientWidth);
    expect(document.documentElement.scrollWidth).toBeLessThanOrEqual(1920);
    await page.viewport(1280, 800);
  });

  test("every control is named and focus is visible", async () => {
    await openAccounts(accountsOrg(accounts(10)));
    await expect.poll(() => rowNames().length).toBe(10);
    expect(unnamedControls()).toEqual([]);
    (document.activeElement as HTMLElement | null)?.blur();
    for (let i = 0; i < 12; i++) {
      await userEvent.tab();
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      expect(style.outlineStyle === "none" || parseFloat(style.outlineWidth) === 0 ? el.outerHTML.slice(0, 80) : "visible").toBe("visible");
    }
  });
});
