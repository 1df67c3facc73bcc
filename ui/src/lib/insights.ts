// Words for the insights views: alert kinds, check severities, and which checks list accounts.
import type { AlertKind, ConnectionCard, Severity } from "../bindings";

export const ALERT_KINDS: Record<AlertKind, string> = {
  band_dropped: "Dropped a band",
  declining: "Score declining",
  usage_down: "Usage down",
  renewal_poor: "Renewal with a Poor score",
};

export const SEVERITIES: Record<Severity, string> = { error: "Error", warning: "Warning", info: "Info" };

/** The checks whose items are CS companies, so each opens its account page. */
const ACCOUNT_CHECKS = new Set(["no_csm", "no_score", "stale_score", "renewal_past", "cta_overdue_90", "no_px"]);

export function listsAccounts(code: string): boolean {
  return ACCOUNT_CHECKS.has(code);
}

/** Whether anything has been synced into the cache yet. */
export function hasCache(cards: ConnectionCard[]): boolean {
  return cards.some((c) => Boolean(c.last_sync_at));
}

/** "today", "in 1 day", "in 23 days". */
export function inDays(n: number): string {
  if (n <= 0) return "today";
  return n === 1 ? "in 1 day" : `in ${n} days`;
}
