import { describe, expect, test } from "vitest";
import { render } from "vitest-browser-svelte";
import App from "../src/App.svelte";
import type { Change } from "../src/bindings";
import { ERRORS, card, change, run } from "./fake/fixtures";
import { type Handlers, deferred, fail, fakeRust } from "./fake/rust";
import { rawData, shot } from "./support";

async function openChanges(handlers: Handlers) {
  const fake = fakeRust({ list_connections: () => [card()], sync_history: () => [run(1)], ...handlers });
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
    const later = deferred<Change[]>();
    const { screen } = await openChanges({ list_changes: () => later.promise });
    await expect.element(screen.getByTestId("changes-loading")).toBeVisible();
    expect(document.querySelector('[data-testid="no-changes"]')).toBeNull();
    later.resolve([change(1)]);
    await expect.element(screen.getByTestId("changes-table")).toBeVisible();
  });

  test("each kind of change reads as a sentence about its account", async () => {
    const rows: Change[] = [
      change(1),
      change(2, { kind: "cta_opened", subject: "Renewal risk", detail: null }),
      change(3, { kind: "cta_closed", subject: "Onboarding call", detail: null }),
      change(4, { kind: "company_added", company_name: null, subject: "Globex", detail: null }),
      change(5, { kind: "px_health_changed", detail: JSON.stringify({ from: 41.2, to: 63.9 }) }),
      change(6, { kind: "band_changed", detail: "not json" }),
    ];
    const { screen } = await openChanges({ list_changes: () => rows });
    const table = screen.getByTestId("changes-table");
    await expect.element(table).toHaveTextContent("Health moved from Average to Poor");
    await expect.element(table).toHaveTextContent("CTA opened: Renewal risk");
    await expect.element(table).toHaveTextContent("CTA closed: Onboarding call");
    await expect.element(table).toHaveTextContent("Globex");
    await expect.element(table).toHaveTextContent("PX health score 41 → 64");
    expect(table.element().querySelectorAll("tbody tr")).toHaveLength(6);
    await expect.element(table).toHaveTextContent("Health band changed");
    expect(table.element().textContent, "a detail it cannot read is no question mark").not.toContain("?");
    expect(rawData(document.body.textContent ?? "")).toEqual([]);
    await shot("changes");
  });

  test("an error shows its hint and not an empty list", async () => {
    const { screen } = await openChanges({ list_changes: () => fail(ERRORS.Database) });
    await expect.element(screen.getByTestId("error-note")).toHaveTextContent(ERRORS.Database.hint!);
    expect(document.querySelector('[data-testid="no-changes"]')).toBeNull();
  });
});
