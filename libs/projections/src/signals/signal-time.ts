/**
 * Calendar arithmetic for signals, all in UTC. Event times are ISO date-times (`occurredAt`,
 * `recordedAt`); data dates are `YYYY-MM-DD` (midnight UTC). "More than N days" means strictly more
 * than N × 24 h between the two instants.
 */
export const DAY_MS = 86_400_000;

/** Milliseconds of an ISO date-time or a `YYYY-MM-DD` date (midnight UTC); NaN when unparseable. */
export function instantMs(value: string): number {
  return Date.parse(value.length === 10 ? `${value}T00:00:00.000Z` : value);
}

/** Days (fractional) from `from` to `now`; negative when `from` is in the future. */
export function daysSince(from: string, now: Date): number {
  return (now.getTime() - instantMs(from)) / DAY_MS;
}

/** The ISO date-time `days` after `from`. */
export function plusDays(from: string, days: number): string {
  return new Date(instantMs(from) + days * DAY_MS).toISOString();
}

/** The ISO date-time `months` calendar months after `from` (31 Jan + 1 month = 3 Mar, as Date.UTC rolls over). */
export function plusMonths(from: string, months: number): string {
  const d = new Date(instantMs(from));
  return new Date(
    Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()),
  ).toISOString();
}

/** `YYYY-MM-DD` of an ISO date-time (or of a date). */
export const dayOf = (iso: string): string => iso.slice(0, 10);

/** `YYYY-MM-DD` shifted by whole days. */
export function shiftDay(day: string, days: number): string {
  return new Date(instantMs(day) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The later of two ISO strings of the same kind (undefined-tolerant). */
export const laterOf = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined ? a : a >= b ? a : b;

/** `YYYY-Qn` of an ISO date-time. */
export function quarterOf(iso: string): string {
  const month = Number(iso.slice(5, 7));
  return `${iso.slice(0, 4)}-Q${Math.floor((month - 1) / 3) + 1}`;
}

/**
 * Days since 1970-01-01 of a `YYYY-MM-DD` (or the date part of an ISO date-time), by integer
 * arithmetic (Howard Hinnant's days_from_civil): read models call it per event, and Date parsing is
 * comparatively slow. NaN when the text is not a date.
 */
export function epochDay(iso: string): number {
  const y0 = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const d = Number(iso.slice(8, 10));
  if (!(y0 > 0 && m >= 1 && m <= 12 && d >= 1 && d <= 31) || iso[4] !== '-' || iso[7] !== '-') return NaN;
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** `YYYY-MM-DD` of a day number (see `epochDay`). */
export const dayOfEpochDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
