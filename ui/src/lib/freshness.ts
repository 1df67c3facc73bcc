// The quiet line on data screens that says how fresh the cache is, from the cards and the last runs.
import type { ConnectionCard, SyncRun } from "../bindings";
import { localDateTime } from "./format";

export type Freshness = { kind: "fresh" | "offline" | "attention" | "never"; text: string };

const UNREACHABLE = ["Offline", "Timeout"];

/** "just now", "12 min ago", "3 h ago", or the date for anything older than two days. */
export function ago(iso: string, now: Date): string {
  const min = Math.round((now.getTime() - Date.parse(iso)) / 60_000);
  if (min < 1) return "just now";
  if (min < 60) return `${min} min ago`;
  if (min < 48 * 60) return `${Math.round(min / 60)} h ago`;
  return `on ${localDateTime(iso)}`;
}

/** "in 57 min", "in 3 h", "now". */
export function until(iso: string, now: Date): string {
  const min = Math.round((Date.parse(iso) - now.getTime()) / 60_000);
  if (min <= 0) return "now";
  if (min < 60) return `in ${min} min`;
  return `in ${Math.round(min / 60)} h`;
}

export function freshness(cards: ConnectionCard[], runs: SyncRun[], now: Date): Freshness {
  const synced = cards.map((c) => c.last_sync_at).filter((s): s is string => Boolean(s)).sort();
  const last = synced[synced.length - 1];
  if (!last) return { kind: "never", text: "Not synced yet: connect Gainsight under Integrations and press Sync now." };
  // The newest finished run of each connection tells whether Gainsight answered at all.
  const latest = new Map<string, SyncRun>();
  for (const r of runs) {
    const seen = latest.get(r.connection_id);
    if (r.finished_at && (!seen || r.id > seen.id)) latest.set(r.connection_id, r);
  }
  const unreachable =
    cards.some((c) => c.status === "offline") ||
    [...latest.values()].some((r) => r.outcome === "failed" && UNREACHABLE.includes(r.error_kind ?? ""));
  if (unreachable) return { kind: "offline", text: `Offline — showing the cache from ${localDateTime(last)}` };
  const attention = cards.find((c) => c.status === "needs_attention");
  if (attention) {
    const why = attention.status_reason ? `: ${attention.status_reason}` : "";
    return { kind: "attention", text: `${attention.name} needs attention${why} — see Integrations.` };
  }
  const next = cards.map((c) => c.next_sync_at).filter((s): s is string => Boolean(s)).sort()[0];
  return { kind: "fresh", text: `Synced ${ago(last, now)} · ${next ? `next ${until(next, now)}` : "syncs when you press Sync now"}` };
}
