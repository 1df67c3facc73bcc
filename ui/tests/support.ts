// What the screen tests share: screenshots for a person to look at, the OS theme, and checks that
// hold on every screen (every control has a name, nothing from the Rust side shows as raw JSON).
import { type Locator, cdp, page } from "vitest/browser";

/** Where screenshots go (outside the repo): OUTPOST_UI_SHOTS, set in vitest.config.ts; empty turns them off. */
const SHOTS = __OUTPOST_UI_SHOTS__;

export async function shot(name: string) {
  if (!SHOTS) return;
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

/** Emulates the OS colour scheme (`prefers-color-scheme`), as a theme switch in the OS would. */
export async function colorScheme(scheme: "light" | "dark") {
  await cdp().send("Emulation.setEmulatedMedia", { features: [{ name: "prefers-color-scheme", value: scheme }] });
}

/** The accessible name a control gets from its label, its text, aria-label/labelledby or title. */
export function accessibleName(el: HTMLElement): string {
  const by = el.getAttribute("aria-labelledby");
  if (by) return by.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? "").join(" ").trim();
  const aria = el.getAttribute("aria-label");
  if (aria?.trim()) return aria.trim();
  if (el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement) {
    const labels = [...(el.labels ?? [])].map((l) => l.textContent ?? "").join(" ").trim();
    if (labels) return labels;
  } else if (el.textContent?.trim()) return el.textContent.trim();
  return el.getAttribute("title")?.trim() ?? "";
}

/** The visible controls (buttons, fields, focusable grids) that have no name for a screen reader. */
export function unnamedControls(root: ParentNode = document.body): string[] {
  const controls = root.querySelectorAll<HTMLElement>("button, input, select, textarea, [role=grid], [tabindex='0']");
  return [...controls]
    .filter((el) => el.getClientRects().length > 0 && (el as HTMLInputElement).type !== "hidden")
    .filter((el) => !accessibleName(el))
    .map((el) => el.outerHTML.slice(0, 120));
}

/** Text that looks like serialized data rather than words: `{"kind":…}`, `[object Object]`. */
export function rawData(text: string): string[] {
  return [/\{\s*"/, /"\s*:\s*["{[\d]/, /\[object \w+\]/, /\bundefined\b/, /\bNaN\b/].filter((re) => re.test(text)).map(String);
}

/** Lets pending promise callbacks and one animation frame run. */
export async function settle() {
  await new Promise((r) => setTimeout(r, 0));
  await new Promise((r) => requestAnimationFrame(() => r(null)));
}

export function rect(selector: string): DOMRect {
  const el = document.querySelector(selector);
  if (!el) throw new Error(`nothing matches ${selector}`);
  return el.getBoundingClientRect();
}

/** A facet value's button in the sidebar, by the label it shows (its count follows the label). */
export function facetValue(label: string): Locator {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return page.getByTestId("facets").getByRole("button", { name: new RegExp(`^${escaped}\\s*[\\d,]+$`) });
}
