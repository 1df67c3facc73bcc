import { describe, expect, test } from "vitest";
import { userEvent } from "vitest/browser";
import { render } from "vitest-browser-svelte";
import App from "../src/App.svelte";
import type { Change, ChangeList, ChangeQuery } from "../src/bindings";
import { localDateTime } from "../src/lib/format";
import { ERRORS, accounts, card, change, changeRun, detail, run } from "./fake/fixtures";
import { accountsOrg } from "./fake/org";
import { type Handlers, deferred, fail, fakeRust } from "./fake/rust";
import { rawData, shot, unnamedControls } from "./support";

const list = (rows: Change[]): ChangeList => ({ matching: rows.length, rows });

async function openChanges(handlers: Handlers) {
  const fake = fakeRust({ list_connections: () => [card()], sync_history: () => [run(1)], change_runs: () => [changeRun(1)], ...handlers });
  const screen = await render(App);
  await screen.getByTestId("nav-changes").click();
  return { fake, screen };
}

describe("Changes", () => {
  test("before a second sync there are none, and it says why", async () => {
    const { screen } = await openChanges({});
    await expect.element(screen.getByTestId("no-changes")).toHaveTextContent("from the second sync on");
  });

  test("while loading it says so, not that nothing changed", async () => {
    const later = deferred<ChangeList>();
    const { screen } = await openChanges({ change_list: () => later.promise });
    await expect.element(screen.getByTestId("changes-loading")).toBeVisible();
    expect(document.querySelector('[data-testid="no-changes"]')).toBeNull();
    later.resolve(list([change(1)]));
    await expect.element(screen.getByTestId("changes-table")).toBeVisible();
  });

  test("each kind of change reads as a sentence about its account, with its date", async () => {
    const rows: Change[] = [
      change(1),
      change(2, { kind: "cta_opened", subject: "Renewal risk", detail: null }),
      change(3, { kind: "cta_closed", subject: "Onboarding call", detail: null }),
      change(4, { kind: "company_added", company_name: null, subject: "Globex", detail: null }),
      change(5, { kind: "px_health_changed", detail: JSON.stringify({ from: 41.2, to: 63.9 }) }),
      change(6, { kind: "band_changed", detail: "not json" }),
    ];
    const { screen } = await openChanges({ change_list: () => list(rows) });
    const table = screen.getByTestId("changes-table");
    await expect.element(table).toHaveTextContent("Health moved from Average to Poor");
    await expect.element(table).toHaveTextContent("CTA opened: Renewal risk");
    await expect.element(table).toHaveTextContent("CTA closed: Onboarding call");
    await expect.element(table).toHaveTextContent("Globex");
    await expect.element(table).toHaveTextContent("PX health score 41 → 64");
    expect(table.element().querySelectorAll("tbody tr")).toHaveLength(6);
    await expect.element(table).toHaveTextContent("Health band changed");
    const dates = [...document.querySelectorAll('[data-testid="change-at"]')].map((d) => d.textContent);
    expect(dates, "every row has its date, in the app's format").toEqual(rows.map((r) => localDateTime(r.at)));
    expect(table.element().textContent, "a detail it cannot read is no question mark").not.toContain("?");
    expect(table.element().textContent, "no sync numbers instead of dates").not.toMatch(/#\d/);
    expect(rawData(document.body.textContent ?? "")).toEqual([]);
    expect(unnamedControls()).toEqual([]);
    await shot("changes");
  });

  test("since the last sync by default; the picker lists runs with their dates and asks for the chosen one", async () => {
    const runs = [changeRun(3), changeRun(2), changeRun(1)];
    const { fake, screen } = await openChanges({ change_runs: () => runs, change_list: () => list([change(1)]) });
    await expect.element(screen.getByTestId("changes-table")).toBeVisible();
    expect(fake.of("change_list")[0].query, "the last sync, all connections, all kinds").toEqual<ChangeQuery>({
      since_run: null,
      connection_id: null,
      kinds: [],
      limit: 500,
    });
    const picker = screen.getByTestId("changes-since");
    const options = [...(picker.element() as HTMLSelectElement).options].map((o) => o.textContent);
    expect(options).toEqual([
      "the last sync",
      ...runs.map((r) => `Since ${localDateTime(r.started_at)} (${r.changes} ${r.changes === 1 ? "change" : "changes"})`),
    ]);
    await userEvent.selectOptions(picker, "2");
    await expect.poll(() => fake.of("change_list").at(-1)?.query.since_run).toBe(2);
  });

  test("filters by kind, and by connection when there are several", async () => {
    const two = [changeRun(2, { connection_id: "cs-2", connection: "Acme sandbox" }), changeRun(1)];
    const { fake, screen } = await openChanges({
      list_connections: () => [card(), card({ id: "cs-2", name: "Acme sandbox" })],
      change_runs: () => two,
      change_list: () => list([change(1)]),
    });
    await expect.element(screen.getByTestId("changes-table")).toBeVisible();
    await userEvent.selectOptions(screen.getByTestId("changes-kind"), "cta_closed");
    await expect.poll(() => fake.of("change_list").at(-1)?.query.kinds).toEqual(["cta_closed"]);
    await userEvent.selectOptions(screen.getByTestId("changes-connection"), "cs-2");
    await expect.poll(() => fake.of("change_list").at(-1)?.query).toMatchObject({ connection_id: "cs-2", kinds: ["cta_closed"] });
    const options = [...(screen.getByTestId("changes-since").element() as HTMLSelectElement).options].map((o) => o.textContent ?? "");
    expect(options[1], "with several connections each run names its own").toContain("Acme sandbox");
  });

  test("a filter that matches nothing says so, not that nothing was ever recorded", async () => {
    const { screen } = await openChanges({ change_runs: () => [changeRun(2), changeRun(1)], change_list: () => list([]) });
    await userEvent.selectOptions(screen.getByTestId("changes-kind"), "px_health_changed");
    await expect.element(screen.getByTestId("no-changes")).toHaveTextContent("No changes match");
  });

  test("the account opens from its change", async () => {
    const { fake, screen } = await openChanges({
      ...accountsOrg(accounts(3)),
      change_list: () => list([change(1, { company_gsid: "1P02000002", company_name: "Account 00002" })]),
      get_account: ({ id }) => detail(Number(id.slice(4))),
    });
    await screen.getByTestId("change-account").click();
    await expect.element(screen.getByTestId("account-name")).toHaveTextContent("Account 00002");
    expect(fake.of("get_account").at(-1)?.id).toBe("1P02000002");
  });

  test("an error shows its hint and not an empty list", async () => {
    const { screen } = await openChanges({ change_list: () => fail(ERRORS.Database) });
    await expect.element(screen.getByTestId("error-note")).toHaveTextContent(ERRORS.Database.hint!);
    expect(document.querySelector('[data-testid="no-changes"]')).toBeNull();
  });
});
