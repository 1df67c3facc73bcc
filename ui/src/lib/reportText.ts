// "What Outpost found in this org" as plain text, for the admin to paste to Gainsight support.
import type { OrgReport, StreamReport } from "../bindings";
import { localDateTime, plural } from "./format";
import { matchedLabel, outcomeLabel, records } from "./streams";

function stream(s: StreamReport): string[] {
  const lines = [`${s.label} (${s.stream}): ${s.object}${s.enabled ? "" : " [off in settings]"}`];
  const described = s.described_at
    ? `described ${localDateTime(s.described_at)}${s.fields_described === null ? "" : `, ${plural(s.fields_described, "field")}`}`
    : "not described yet";
  lines.push(`  ${described}; ${plural(s.cached_rows, "row")} in the cache`);
  if (s.last) {
    const read = s.last.object && s.last.object !== s.object ? ` (read ${s.last.object})` : "";
    lines.push(`  last sync ${localDateTime(s.last.at)}${read}: ${outcomeLabel(s.last.outcome)}, ${records(s.last.records)}`);
    if (s.last.error) {
      lines.push(`    error ${s.last.error.kind}: ${s.last.error.message}`);
      if (s.last.error.hint) lines.push(`    hint: ${s.last.error.hint}`);
    }
    for (const n of s.last.notices) lines.push(`    note: ${n}`);
  } else {
    lines.push("  not synced yet");
  }
  for (const r of s.roles) {
    const field = r.field ? r.field + (r.field_label ? ` "${r.field_label}"` : "") : "-";
    lines.push(`  ${r.needed ? "*" : " "} ${r.label} (${r.role}): ${field} [${matchedLabel(r.matched)}]`);
  }
  if (s.mapped_missing.length) lines.push(`  mapped fields the org no longer has: ${s.mapped_missing.join(", ")}`);
  return lines;
}

export function reportText(r: OrgReport): string {
  const head = [
    `What Outpost found in ${r.connection} (${r.kind.toUpperCase()}, ${r.instance})`,
    `Generated ${localDateTime(r.generated_at)} (${r.generated_at})`,
  ];
  const roles = r.streams.some((s) => s.roles.length) ? ["* = needed: the stream fails without it"] : [];
  return [...head, ...roles, "", ...r.streams.flatMap((s) => [...stream(s), ""])].join("\n").trimEnd() + "\n";
}
