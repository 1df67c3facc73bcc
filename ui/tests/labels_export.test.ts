// Picklist labels (the Rust side sends labels in the rows and facets, ids stay the filter values)
// and the Export buttons of Accounts and CTAs (they send the view as it is to the export command).
import { beforeEach, describe, expect, test } from "vitest";
import { render } from "vitest-browser-svelte";
import App from "../src/App.svelte";
import type { AccountSummary, Facet, FieldMapping } from "../src/bindings";
import { ERRORS, accounts, bands, card, cta, detail, run } from "./fake/fixtures";
import { accountsOrg, ctasOrg } from "./fake/org";
import { type Handlers, fail, fakeRust } from "./fake/rust";
import { facetValue, shot } from "./support";

const synced: Handlers = { list_connections: () => [card()], sync_history: () => [run(1)], list_bands: () => bands };
const PRODUCTS: FieldMapping = { object: "company", field_name: "Products__gc", label: "Products", data_type: "MULTISELECTDROPDOWNLIST" };
const IDS: Record<string, string> = { "1I00ANALYTICS0000000000000000000001": "Analytics", "1I00MOBILE000000000000000000000002": "Mobile" };
const [ANALYTICS, MOBILE] = Object.keys(IDS);

async function open(handlers: Handlers, nav: "accounts" | "ctas" = "accounts") {
  const fake = fakeRust({ ...synced, ...handlers });
  const screen = await render(App);
  await screen.getByTestId(`nav-${nav}`).click();
  return { fake, screen };
}

/** Rows as the Rust side sends them: picklist values already labelled, ids kept for filtering. */
function labelled(): { rows: AccountSummary[]; handlers: Handlers } {
  const rows = accounts(6, (i) => ({ custom: JSON.stringify({ Products__gc: i % 2 ? "Analytics; Mobile" : "Mobile" }) }));
  const org = accountsOrg(rows);
  const productFacet: Facet = {
    facet: "custom:Products__gc",
    label: "Products",
    values: [
      { value: MOBILE, label: IDS[MOBILE], count: 6 },
      { value: ANALYTICS, label: IDS[ANALYTICS], count: 3 },
    ],
    distinct: 2,
  };
  const handlers: Handlers = {
    ...org,
    list_custom_columns: () => [PRODUCTS],
    // The generic fake knows no custom facets: it counts the others as if none were chosen.
    account_facets: async (a) => {
      const rest = { filter: { ...a.filter, filters: a.filter.filters.filter((f) => !f.facet.startsWith("custom:")) } };
      return [...(await org.account_facets!(rest)), productFacet];
    },
    account_page: async (a) => {
      const chosen = a.query.filter.filters.filter((f) => f.facet === "custom:Products__gc").map((f) => f.value);
      const rest = { ...a, query: { ...a.query, filter: { ...a.query.filter, filters: a.query.filter.filters.filter((f) => !f.facet.startsWith("custom:")) } } };
      const page = await org.account_page!(rest);
      if (!chosen.length) return page;
      const keep = page.rows.filter((r) => chosen.some((id) => String(JSON.parse(r.custom).Products__gc).includes(IDS[id])));
      return { ...page, matching: keep.length, rows: keep };
    },
  };
  return { rows, handlers };
}

beforeEach(() => localStorage.clear());

describe("Labels, not ids", () => {
  test("mapped multi-select values show their labels in the list and the facets, and filter by the item", async () => {
    const { handlers } = labelled();
    const { fake, screen } = await open(handlers);
    await expect.element(screen.getByTestId("account-row").first()).toBeVisible();
    const cells = [...document.querySelectorAll('[data-testid="custom-cell"][data-field="Products__gc"]')].map((c) => c.textContent?.trim());
    expect(cells).toContain("Analytics; Mobile");
    await expect.element(facetValue("Analytics")).toBeVisible();
    expect(document.body.textContent, "no raw picklist id anywhere on screen").not.toMatch(/1I00[A-Z0-9]{6}/);
    await facetValue("Analytics").click();
    await expect
      .poll(() => fake.of("account_page").at(-1)?.query.filter.filters)
      .toEqual([{ facet: "custom:Products__gc", value: ANALYTICS }]);
    await expect.element(screen.getByTestId("filter-chip")).toHaveTextContent("Products: Analytics");
    await expect.element(screen.getByTestId("account-total")).toHaveTextContent("3 match");
    await shot("accounts-labels");
  });

  test("the account page shows a mapped field's labels", async () => {
    const { handlers } = labelled();
    const { screen } = await open({
      ...handlers,
      get_account: () => detailWith("Analytics; Mobile"),
    });
    await screen.getByTestId("account-open").first().click();
    await expect.element(screen.getByTestId("custom-fields")).toHaveTextContent("ProductsAnalytics; Mobile");
  });
});

function detailWith(value: string) {
  return { ...detail(1), custom_fields: [{ field: "Products__gc", label: "Products", value }] };
}

describe("Export", () => {
  test("Accounts exports the view as it is: its filter, sort and columns, mapped fields included", async () => {
    const { handlers } = labelled();
    const { fake, screen } = await open({
      ...handlers,
      export_accounts: ({ export: e }) => ({ path: "/home/dana/accounts.csv", rows: e.filter.filters.length ? 3 : 6 }),
    });
    await facetValue("Analytics").click();
    await screen.getByTestId("sort-arr").click();
    await expect.element(screen.getByTestId("account-total")).toHaveTextContent("3 match");
    const sort = fake.of("account_page").at(-1)?.query.sort;
    await screen.getByTestId("export-accounts").click();
    await expect.element(screen.getByTestId("export-done")).toHaveTextContent("Exported 3 accounts to /home/dana/accounts.csv");
    const sent = fake.of("export_accounts").at(-1)!.export;
    expect(sent.filter).toEqual({ search: null, filters: [{ facet: "custom:Products__gc", value: ANALYTICS }] });
    expect(sent.sort, "the list's own sort").toBe(sort);
    expect(sent.columns).toContain("custom:Products__gc");
    expect(sent.columns.slice(0, 2)).toEqual(["name", "industry"]);
  });

  test("a cancelled dialog says nothing; a failed export shows its error", async () => {
    const { handlers } = labelled();
    let answer: "cancel" | "fail" = "cancel";
    const { fake, screen } = await open({
      ...handlers,
      export_accounts: () => (answer === "cancel" ? null : fail(ERRORS.InvalidInput)),
    });
    await expect.element(screen.getByTestId("account-row").first()).toBeVisible();
    await screen.getByTestId("export-accounts").click();
    await expect.poll(() => fake.of("export_accounts").length).toBe(1);
    expect(document.querySelector('[data-testid="export-done"]')).toBeNull();
    expect(document.querySelector('[data-testid="error-note"]')).toBeNull();
    answer = "fail";
    await screen.getByTestId("export-accounts").click();
    await expect.element(screen.getByTestId("error-note")).toHaveTextContent(ERRORS.InvalidInput.hint!);
  });

  test("CTAs exports its filters and columns", async () => {
    const { fake, screen } = await open(
      { ...ctasOrg([cta(1), cta(2), cta(3, { is_closed: true })]), export_ctas: () => ({ path: "/tmp/ctas.csv", rows: 2 }) },
      "ctas",
    );
    await expect.element(screen.getByTestId("cta-row").first()).toBeVisible();
    await screen.getByTestId("export-ctas").click();
    await expect.element(screen.getByTestId("export-done")).toHaveTextContent("Exported 2 CTAs to /tmp/ctas.csv");
    const sent = fake.of("export_ctas").at(-1)!.export;
    expect(sent.query.filters, "the open-only default filter goes along").toEqual([{ facet: "state", value: "open" }]);
    expect(sent.columns).toEqual(["company", "name", "due_date", "overdue", "type", "priority", "status", "closed", "owner"]);
  });

  test("with nothing to export the button is off", async () => {
    const { screen } = await open({ ...accountsOrg([]) });
    await expect.element(screen.getByTestId("no-accounts")).toBeVisible();
    await expect.element(screen.getByTestId("export-accounts")).toBeDisabled();
  });
});
