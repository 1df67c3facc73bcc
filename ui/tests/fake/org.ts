// A fake org's cache answering the list commands the way the Rust side does (filter, sort, page,
// facet counts that ignore their own facet), small enough to know every answer in a test.
import type { AccountSummary, CtaPageRow, Facet, FacetFilter } from "../../src/bindings";
import type { Handlers } from "./rust";

type Getter<T> = (row: T) => string | null;

function matches<T>(row: T, filters: FacetFilter[], facets: Record<string, Getter<T>>, skip?: string): boolean {
  const by = new Map<string, string[]>();
  for (const f of filters) if (f.facet !== skip) by.set(f.facet, [...(by.get(f.facet) ?? []), f.value]);
  return [...by].every(([facet, values]) => values.includes(facets[facet]?.(row) ?? ""));
}

function facetsOf<T>(rows: T[], filters: FacetFilter[], facets: Record<string, Getter<T>>, labels: Record<string, string>): Facet[] {
  return Object.entries(facets).map(([facet, get]) => {
    const counts = new Map<string, number>();
    for (const r of rows) if (matches(r, filters, facets, facet)) counts.set(get(r) ?? "", (counts.get(get(r) ?? "") ?? 0) + 1);
    const values = [...counts].sort((a, b) => b[1] - a[1]).map(([value, count]) => ({ value, label: value || "(not set)", count }));
    return { facet, label: labels[facet] ?? facet, values, distinct: values.length };
  });
}

const ACCOUNT_FACETS: Record<string, Getter<AccountSummary>> = {
  band: (a) => a.score_label,
  csm: (a) => a.csm_name,
  stage: (a) => a.stage,
};
const ACCOUNT_LABELS: Record<string, string> = { band: "Health band", csm: "CSM", stage: "Stage", connection: "Connection" };

const SORTS: Record<string, (a: AccountSummary) => string | number | null> = {
  name: (a) => a.name.toLowerCase(),
  health: (a) => a.score,
  arr: (a) => a.arr,
  renewal: (a) => a.renewal_date,
  ctas: (a) => a.open_ctas,
  csm: (a) => a.csm_name,
  stage: (a) => a.stage,
};

function sorted(rows: AccountSummary[], sort: string | null): AccountSummary[] {
  const down = sort?.startsWith("-") ?? false;
  const key = (sort ?? "name").replace(/^-/, "");
  const get = SORTS[key] ?? ((a: AccountSummary) => String(JSON.parse(a.custom)[key.replace(/^custom:/, "")] ?? ""));
  return [...rows].sort((a, b) => {
    const x = get(a);
    const y = get(b);
    if (x === y) return a.name.localeCompare(b.name);
    if (x === null) return 1; // missing values last either way
    if (y === null) return -1;
    return (x < y ? -1 : 1) * (down ? -1 : 1);
  });
}

/** Accounts commands over `rows`; with `connections` > 1, a connection facet as well. */
export function accountsOrg(rows: AccountSummary[], connections: Record<string, string> = {}): Handlers {
  const facets: Record<string, Getter<AccountSummary>> = { ...ACCOUNT_FACETS };
  if (Object.keys(connections).length > 1) facets.connection = (a) => a.connection_id;
  const filtered = (search: string | null, filters: FacetFilter[]) =>
    rows.filter(
      (a) =>
        (!search || `${a.name} ${a.csm_name} ${a.industry}`.toLowerCase().includes(search.toLowerCase())) &&
        matches(a, filters, facets),
    );
  return {
    account_page: ({ query }) => {
      const all = sorted(filtered(query.filter.search, query.filter.filters), query.sort);
      return { total: rows.length, matching: all.length, offset: query.offset, rows: all.slice(query.offset, query.offset + query.limit) };
    },
    account_facets: ({ filter }) => {
      const base = rows.filter((a) => !filter.search || a.name.toLowerCase().includes(filter.search.toLowerCase()));
      return facetsOf(base, filter.filters, facets, ACCOUNT_LABELS).map((f) =>
        f.facet === "connection" ? { ...f, values: f.values.map((v) => ({ ...v, label: connections[v.value] ?? v.value })) } : f,
      );
    },
  };
}

const CTA_FACETS: Record<string, Getter<CtaPageRow>> = {
  state: (t) => (t.is_closed ? "closed" : "open"),
  type: (t) => t.type,
  priority: (t) => t.priority,
  owner: (t) => t.owner_name,
};
const CTA_LABELS: Record<string, string> = { state: "State", type: "Type", priority: "Priority", owner: "Owner", connection: "Connection" };

/** CTA commands over `rows`, overdue first. */
export function ctasOrg(rows: CtaPageRow[], connections: Record<string, string> = {}): Handlers {
  const facets: Record<string, Getter<CtaPageRow>> = { ...CTA_FACETS };
  if (Object.keys(connections).length > 1) facets.connection = (t) => t.connection_id;
  return {
    cta_page: ({ query }) => {
      const all = rows
        .filter((t) => (!query.search || `${t.name} ${t.company_name}`.toLowerCase().includes(query.search.toLowerCase())) && matches(t, query.filters, facets))
        .sort((a, b) => Number(b.overdue) - Number(a.overdue) || (a.due_date ?? "").localeCompare(b.due_date ?? ""));
      return { total: rows.length, matching: all.length, offset: query.offset, rows: all.slice(query.offset, query.offset + query.limit) };
    },
    cta_facets: ({ query }) =>
      facetsOf(rows, query.filters, facets, CTA_LABELS).map((f) =>
        f.facet === "connection" ? { ...f, values: f.values.map((v) => ({ ...v, label: connections[v.value] ?? v.value })) } : f,
      ),
  };
}
