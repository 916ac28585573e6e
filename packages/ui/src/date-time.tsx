/**
 * The dashboard's one date-time format: day, month name, year, 24-hour time and the time zone,
 * e.g. "7 Dec 2026, 14:05:09 EAT". One fixed locale, so every page reads alike whatever the
 * browser's language; the viewer's own time zone, named, so a time is never ambiguous.
 */
const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
  timeZoneName: "short",
});

const dayFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

export function formatDateTime(iso: string | Date | null | undefined, empty = "—"): string {
  if (!iso) return empty;
  const date = typeof iso === "string" ? new Date(iso) : iso;
  return Number.isNaN(date.getTime()) ? empty : dateTimeFormat.format(date);
}

/** A calendar day named by the API as `YYYY-MM-DD` (UTC), e.g. "7 Dec 2026". */
export function formatDay(day: string): string {
  const date = new Date(`${day.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? day : dayFormat.format(date);
}

export function DateTime({ iso, empty = "—" }: { iso: string | Date | null | undefined; empty?: string }) {
  if (!iso) return <>{empty}</>;
  const date = typeof iso === "string" ? new Date(iso) : iso;
  return (
    <time dateTime={date.toISOString()} className="whitespace-nowrap" suppressHydrationWarning>
      {formatDateTime(date, empty)}
    </time>
  );
}
