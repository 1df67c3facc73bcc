// How the admin reads a sync's streams: their names, how each ended, and how a role's field was found.
import type { ErrorKind, ErrorPayload, Matched, Retrying, StreamOutcome, StreamResult } from "../bindings";

const labels: Record<string, string> = {
  score_bands: "Score bands",
  companies: "Companies",
  ctas: "CTAs",
  measure_scores: "Scorecard measures",
  score_history: "Score history",
  usage: "Usage",
  deletes: "Deletes",
  px_accounts: "PX accounts",
  px_users: "PX users",
  px_features: "PX features",
  px_feature_usage: "PX feature usage",
};

/** `score_bands` → "Score bands"; a stream this list does not know yet still reads as words. */
export function streamLabel(stream: string): string {
  const known = labels[stream];
  if (known) return known;
  const words = stream.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A stream's error without the stream's name in front, for where the name is already the headline. */
export function withoutLabel(message: string, stream: string): string {
  const lead = `${streamLabel(stream)}: `;
  return message.startsWith(lead) ? message.slice(lead.length) : message;
}

const outcomes: Record<StreamResult, string> = {
  ok: "Synced",
  failed: "Failed",
  skipped: "Skipped",
  not_set_up: "Not set up",
  cancelled: "Cancelled",
};

export function outcomeLabel(outcome: StreamResult): string {
  return outcomes[outcome] ?? outcome;
}

/** The streams that went wrong: failed or skipped. Usage that is not set up is a notice, not a problem. */
export function problemsOf(streams: StreamOutcome[]): StreamOutcome[] {
  return streams.filter((s) => s.outcome === "failed" || s.outcome === "skipped");
}

/** "1 problem", "3 problems". */
export function problems(n: number): string {
  return n === 1 ? "1 problem" : `${n} problems`;
}

export function records(n: number): string {
  return n === 1 ? "1 record" : `${n.toLocaleString()} records`;
}

const matchedLabels: Record<Matched, string> = {
  name: "by name",
  label: "by label",
  setting: "your choice",
  assumed: "assumed",
  missing: "missing in this org",
  refused: "refused by Gainsight",
};

export function matchedLabel(m: Matched): string {
  return matchedLabels[m] ?? m;
}

/** A field's API name as Gainsight spells it: `Arr__gc`, or through lookups, `Csm__gr.Email`. */
export function isFieldPath(path: string): boolean {
  return /^[A-Za-z0-9_]+(?:__gr\.[A-Za-z0-9_]+)*$/.test(path);
}

/** A failure about timing, not the request: what was found before still stands, and trying later may work. */
export function isTransient(kind: ErrorKind): boolean {
  return kind === "Offline" || kind === "Timeout" || kind === "RateLimited" || kind === "ServerError";
}

/** Whether a stream's error says what the run's error says (its name in front or not). */
export function sameError(stream: ErrorPayload, run: ErrorPayload, name: string): boolean {
  return stream.kind === run.kind && withoutLabel(stream.message, name) === withoutLabel(run.message, name);
}

const retryReasons: Partial<Record<ErrorKind, string>> = {
  Offline: "Gainsight is not answering",
  Timeout: "Gainsight is slow to answer",
  RateLimited: "The org's API limit is reached",
  ServerError: "Gainsight had a problem",
};

/** "Gainsight is not answering — retrying (2 of 2)…" */
export function retryingText(r: Retrying): string {
  const why = retryReasons[r.kind] ?? "A call failed";
  return `${why} — retrying (${r.attempt} of ${r.of})…`;
}
