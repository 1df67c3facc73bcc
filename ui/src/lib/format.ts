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
