/**
 * Calendar-day arithmetic for the stall clock, in UTC. Reminder policies count whole days
 * ("45 days", "plannedStart + 30 days"), and the domain adds days by UTC calendar arithmetic
 * (docs/domain-rules.md "Dates"), so every clock here works on `YYYY-MM-DD` dates: an event's date
 * is the first ten characters of its `occurredAt`, "now" is the UTC date of the injected clock.
 */
const DAY_MS = 86_400_000;

const epochDay = (date: string): number => Date.parse(`${date.slice(0, 10)}T00:00:00.000Z`) / DAY_MS;

/** `YYYY-MM-DD` of an ISO date-time (or of a date). */
export const dateOf = (iso: string): string => iso.slice(0, 10);

/** The UTC date of an instant. */
export const utcDate = (now: Date): string => now.toISOString().slice(0, 10);

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number => Math.round(epochDay(to) - epochDay(from));

/** The date `days` after `date`. */
export const addDays = (date: string, days: number): string =>
  new Date((epochDay(date) + days) * DAY_MS).toISOString().slice(0, 10);

/** The later of two ISO strings of the same kind (undefined-tolerant). */
export const later = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined ? a : a >= b ? a : b;

/** The earlier of two ISO strings of the same kind (undefined-tolerant). */
export const earlier = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined ? a : a <= b ? a : b;
