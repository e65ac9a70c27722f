/**
 * The query of the feeds (`GET /events`, `GET /events/stream`): `after` (exclusive position), `limit`
 * (pages only), `types` (comma-separated event types) and `partnershipId`; and the SSE resume header
 * `Last-Event-ID`. Every bad parameter is named in one 400 problem: INVALID_ID when only the
 * partnership id is bad, INVALID_QUERY otherwise, INVALID_HEADER for `Last-Event-ID`.
 */
import { EVENT_CATALOG } from '@trellis/integrations';
import { badRequest, type FieldError } from '../http/problem';
import { isUuid } from '../http/request-parsing';

export const FEED_DEFAULT_LIMIT = 100;
export const FEED_MAX_LIMIT = 1_000;
const MAX_POSITION = 9_223_372_036_854_775_807n;

/** Every event type a client may filter on: the ones the catalog publishes (GET /events/catalog). */
export const FEED_EVENT_TYPES: readonly string[] = EVENT_CATALOG.map((e) => e.type);
const KNOWN_TYPES: ReadonlySet<string> = new Set(FEED_EVENT_TYPES);

export interface FeedFilter {
  /** Only these types (none given: every type). */
  readonly types?: readonly string[];
  /** Only events whose `metadata.partnershipId` is this (lower-case UUID). */
  readonly partnershipId?: string;
}

export interface FeedQuery {
  readonly after?: bigint;
  readonly limit: number;
  readonly filter: FeedFilter;
}

export interface RawFeedQuery {
  readonly after?: unknown;
  readonly limit?: unknown;
  readonly types?: unknown;
  readonly partnershipId?: unknown;
}

/** `GET /events`: `after`, `limit`, `types`, `partnershipId`. */
export function parseFeedQuery(raw: RawFeedQuery): FeedQuery {
  const errors: FieldError[] = [];
  const after = parsePositionParam(raw.after, 'after', errors);
  const limit = parseLimitParam(raw.limit, errors);
  const filter = parseFilter(raw, errors);
  throwIfAny(errors);
  return { ...(after !== undefined ? { after } : {}), limit, filter };
}

/**
 * `GET /events/stream`: the same filters as the feed (no `limit`), and where to start: the
 * `Last-Event-ID` header when present (a reconnecting EventSource sends it with its original URL, so
 * it must win over `after`), otherwise `after`.
 */
export function parseStreamQuery(raw: Omit<RawFeedQuery, 'limit'>, lastEventId: string | undefined): { after?: bigint; filter: FeedFilter } {
  if (lastEventId !== undefined && lastEventId !== '' && !isPosition(lastEventId.trim())) {
    throw badRequest('INVALID_HEADER', 'Last-Event-ID must be the id (a position) of an event received from this stream', {
      errors: [{ field: 'header.Last-Event-ID', messages: ['must be a position (a non-negative integer)'] }],
    });
  }
  const errors: FieldError[] = [];
  const afterParam = parsePositionParam(raw.after, 'after', errors);
  const filter = parseFilter(raw, errors);
  throwIfAny(errors);
  const after = lastEventId !== undefined && lastEventId.trim() !== '' ? BigInt(lastEventId.trim()) : afterParam;
  return { ...(after !== undefined ? { after } : {}), filter };
}

function parseFilter(raw: RawFeedQuery, errors: FieldError[]): FeedFilter {
  const types = parseTypes(raw.types, errors);
  const partnershipId = single(raw.partnershipId, 'partnershipId', errors);
  let id: string | undefined;
  if (partnershipId !== undefined) {
    if (isUuid(partnershipId)) id = partnershipId.toLowerCase();
    else errors.push({ field: 'query.partnershipId', messages: ['must be a partnership id (a UUID)'] });
  }
  return { ...(types ? { types } : {}), ...(id ? { partnershipId: id } : {}) };
}

/** `types=A,B` or `types=A&types=B`; every entry must be a known event type. */
function parseTypes(raw: unknown, errors: FieldError[]): string[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const values = Array.isArray(raw) ? raw : [raw];
  if (!values.every((v): v is string => typeof v === 'string')) {
    errors.push({ field: 'query.types', messages: ['must be a comma-separated list of event types'] });
    return undefined;
  }
  const entries = values.flatMap((v) => v.split(',')).map((t) => t.trim());
  if (entries.some((t) => t === '')) {
    errors.push({ field: 'query.types', messages: ['must not contain empty entries'] });
    return undefined;
  }
  const unknown = [...new Set(entries.filter((t) => !KNOWN_TYPES.has(t)))];
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 10).map((t) => `"${truncate(t)}"`).join(', ');
    errors.push({ field: 'query.types', messages: [`unknown event type(s): ${shown}; see GET /events/catalog`] });
    return undefined;
  }
  return [...new Set(entries)];
}

function parsePositionParam(raw: unknown, field: string, errors: FieldError[]): bigint | undefined {
  const value = single(raw, field, errors);
  if (value === undefined) return undefined;
  if (!isPosition(value)) {
    errors.push({ field: `query.${field}`, messages: ['must be a position (a non-negative integer) as returned in next'] });
    return undefined;
  }
  return BigInt(value);
}

function parseLimitParam(raw: unknown, errors: FieldError[]): number {
  const value = single(raw, 'limit', errors);
  if (value === undefined) return FEED_DEFAULT_LIMIT;
  const n = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (n >= 1 && n <= FEED_MAX_LIMIT) return n;
  errors.push({ field: 'query.limit', messages: [`must be an integer between 1 and ${FEED_MAX_LIMIT}`] });
  return FEED_DEFAULT_LIMIT;
}

function single(raw: unknown, field: string, errors: FieldError[]): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') {
    errors.push({ field: `query.${field}`, messages: ['must be given once, as a single value'] });
    return undefined;
  }
  return raw;
}

const isPosition = (value: string): boolean => /^\d{1,19}$/.test(value) && BigInt(value) <= MAX_POSITION;

function throwIfAny(errors: FieldError[]): void {
  if (errors.length === 0) return;
  const onlyId = errors.every((e) => e.field === 'query.partnershipId');
  throw badRequest(onlyId ? 'INVALID_ID' : 'INVALID_QUERY', `Invalid query parameter(s): ${errors.map((e) => e.field).join(', ')}`, { errors });
}

const truncate = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}...` : s);
