import type { Change } from "../bindings";

/** The change's detail object; a detail that is not one reads as nothing known. */
function detailOf(c: Change): Record<string, unknown> {
  try {
    const d: unknown = c.detail ? JSON.parse(c.detail) : {};
    return typeof d === "object" && d !== null ? (d as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function score(v: unknown): string {
  return typeof v === "number" ? v.toFixed(0) : "none";
}

/** A change as a sentence about its account. */
export function describe(c: Change): string {
  const d = detailOf(c);
  switch (c.kind) {
    case "band_changed":
      return d.from && d.to ? `Health moved from ${d.from} to ${d.to}` : "Health band changed";
    case "cta_opened":
      return `CTA opened: ${c.subject ?? ""}`;
    case "cta_closed":
      return `CTA closed: ${c.subject ?? ""}`;
    case "company_added":
      return "Account added";
    case "company_removed":
      return "Account removed";
    case "px_account_added":
      return "PX account added";
    case "px_account_removed":
      return "PX account removed";
    case "px_health_changed":
      return `PX health score ${score(d.from)} → ${score(d.to)}`;
    default:
      return c.kind;
  }
}

/** The account a change is about: the CS company, else the name the change recorded. */
export function account(c: Change): string {
  const namesAccount = c.kind.startsWith("company") || c.kind.startsWith("px_");
  return c.company_name ?? (namesAccount ? c.subject : null) ?? "—";
}
