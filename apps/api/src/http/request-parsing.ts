/**
 * Parsing of the contract's headers and path/query parameters, each failure a 400 naming the field.
 */
import { badRequest, type FieldError } from './problem';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/** A partnership id from the path: a UUID, normalised to lower case. */
export function parsePartnershipId(raw: string): string {
  if (!isUuid(raw)) throw badRequest('INVALID_ID', `"${truncate(raw)}" is not a partnership id (a UUID)`, { errors: [{ field: 'path.id', messages: ['must be a UUID'] }] });
  return raw.toLowerCase();
}

/**
 * `If-Match: W/"<revision>"` (or a strong `"<revision>"`). `*` means "any existing revision" and pins
 * nothing. Returns undefined when absent.
 */
export function parseIfMatch(header: string | undefined): bigint | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return undefined;
  const m = /^(?:W\/)?"(\d{1,19})"$/.exec(value);
  if (!m) throw badRequest('INVALID_HEADER', 'If-Match must be W/"<revision>" as returned in ETag', { errors: [{ field: 'header.If-Match', messages: ['must be W/"<revision>"'] }] });
  return BigInt(m[1]!);
}

/** `Idempotency-Key`: 1–255 visible ASCII characters. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!/^[\x21-\x7E]{1,255}$/.test(header)) {
    throw badRequest('INVALID_HEADER', 'Idempotency-Key must be 1–255 visible ASCII characters', { errors: [{ field: 'header.Idempotency-Key', messages: ['must be 1–255 visible ASCII characters'] }] });
  }
  return header;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2}))?$/;

/**
 * An RFC 3339 date-time with offset, or a date (midnight UTC). Returns the normalised ISO string,
 * or an error message.
 */
export function parseInstant(raw: unknown): { ok: true; iso: string } | { ok: false; message: string } {
  if (typeof raw !== 'string') return { ok: false, message: 'must be an RFC 3339 date-time string' };
  const m = DATE_TIME.exec(raw);
  if (!m) return { ok: false, message: 'must be an RFC 3339 date-time with offset (e.g. 2026-03-01T09:30:00Z) or a date YYYY-MM-DD' };
  const date = new Date(m[4] === undefined ? `${raw}T00:00:00Z` : raw);
  if (Number.isNaN(date.getTime())) return { ok: false, message: 'is not a real date-time' };
  // Reject overflowing components (2026-02-30 would otherwise roll over to March).
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return { ok: false, message: 'is not a real date' };
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59)) return { ok: false, message: 'is not a real time' };
  if (y < 1900) return { ok: false, message: 'must be after 1900' };
  return { ok: true, iso: date.toISOString() };
}

/** `occurredAt` of a command: a past (or present) instant. */
export function checkOccurredAt(raw: unknown, now: Date, errors: FieldError[], field = 'occurredAt'): string | undefined {
  if (raw === undefined) return undefined;
  const parsed = parseInstant(raw);
  if (!parsed.ok) {
    errors.push({ field, messages: [`${field} ${parsed.message}`] });
    return undefined;
  }
  if (new Date(parsed.iso).getTime() > now.getTime()) {
    errors.push({ field, messages: [`${field} must not be in the future`] });
    return undefined;
  }
  return parsed.iso;
}

export function parseNonNegativeInteger(raw: unknown, field: string, max = Number.MAX_SAFE_INTEGER): bigint | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^\d{1,19}$/.test(raw) || BigInt(raw) > BigInt(max)) {
    throw badRequest('INVALID_QUERY', `${field} must be a non-negative integer`, { errors: [{ field: `query.${field}`, messages: ['must be a non-negative integer'] }] });
  }
  return BigInt(raw);
}

export function parseLimit(raw: unknown, fallback: number, max: number, field = 'limit'): number {
  if (raw === undefined || raw === '') return fallback;
  const n = typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw badRequest('INVALID_QUERY', `${field} must be an integer between 1 and ${max}`, { errors: [{ field: `query.${field}`, messages: [`must be between 1 and ${max}`] }] });
  }
  return n;
}

const truncate = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}...` : s);
