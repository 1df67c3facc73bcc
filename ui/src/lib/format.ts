import type { AuthMode } from "../bindings";

/** What the admin reads for an auth mode. */
export function authLabel(mode: AuthMode): string {
  return { access_key: "Access Key", m2m: "M2M OAuth", api_key: "API Key" }[mode];
}

/** An RFC 3339 timestamp as the admin's local date and time, e.g. "22 Nov 2026, 14:05". */
export function localDateTime(rfc3339: string | null | undefined): string {
  if (!rfc3339) return "never";
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  return d.toLocaleString(undefined, {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** A `yyyy-MM-dd` date as "22 Nov 2026". */
export function localDate(day: string | null | undefined): string {
  if (!day) return "—";
  const d = new Date(`${day}T00:00:00`);
  if (Number.isNaN(d.getTime())) return day;
  return d.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
}

/** A chart axis's day, "22 Nov": localDate's format without the year (a UTC week start). */
export function dayMonth(d: Date): string {
  return d.toLocaleDateString(undefined, { day: "numeric", month: "short", timeZone: "UTC" });
}

/**
 * The width a list's row needs: the sum of its columns' least widths (`120px`, `minmax(220px, 2fr)`).
 * Rows are each their own grid, so they get this width rather than their content's: a long name
 * then ends in an ellipsis instead of widening its own row out of line with the others.
 */
export function rowWidth(columns: string[]): number {
  return columns.reduce((sum, c) => sum + Number(/(\d+)px/.exec(c)?.[1] ?? 0), 0);
}

/** ARR and other amounts: $1.2M, $340k. */
export function money(v: number | null | undefined): string {
  if (v === null || v === undefined) return "—";
  if (v >= 1_000_000) return `$${(v / 1_000_000).toFixed(1)}M`;
  if (v >= 1_000) return `$${Math.round(v / 1_000)}k`;
  return `$${Math.round(v)}`;
}

/** A CSS class for a health band label, so colours come from the stylesheet (strict CSP). */
export function bandClass(label: string | null | undefined): string {
  const l = (label ?? "").toLowerCase();
  if (l.includes("poor") || l.includes("red") || l.includes("risk")) return "band-poor";
  if (l.includes("average") || l.includes("yellow") || l.includes("fair")) return "band-average";
  if (l.includes("good") || l.includes("green") || l.includes("healthy")) return "band-good";
  return "band-none";
}

export function isOverdue(due: string | null | undefined, closed: boolean): boolean {
  if (!due || closed) return false;
  return due < new Date().toISOString().slice(0, 10);
}

const regionLabels: Record<string, string> = { us: "US", eu: "EU", us2: "US2" };

/** `us` → `US`. */
export function regionLabel(region: string | null): string {
  return region ? (regionLabels[region] ?? region.toUpperCase()) : "";
}

/** A count with thousands separators: 20,000. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** "1 account", "20,000 accounts". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}
