// The Accounts view's search, filters and sort, kept in localStorage so they survive a restart.
import type { FacetFilter } from "../bindings";

export type AccountsView = { search: string; filters: FacetFilter[]; sort: string };

const KEY = "outpost.accounts.view.v1";
const DEFAULT: AccountsView = { search: "", filters: [], sort: "health" };

export function loadView(): AccountsView {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(KEY) ?? "null");
    if (typeof raw !== "object" || raw === null) return { ...DEFAULT };
    const v = raw as Partial<AccountsView>;
    const filters = Array.isArray(v.filters)
      ? v.filters.filter((f): f is FacetFilter => typeof f?.facet === "string" && typeof f?.value === "string")
      : [];
    return {
      search: typeof v.search === "string" ? v.search : "",
      filters,
      sort: typeof v.sort === "string" && v.sort ? v.sort : DEFAULT.sort,
    };
  } catch {
    return { ...DEFAULT };
  }
}

export function saveView(view: AccountsView) {
  try {
    localStorage.setItem(KEY, JSON.stringify(view));
  } catch {
    // Storage full or unavailable: the view simply starts fresh next time.
  }
}
