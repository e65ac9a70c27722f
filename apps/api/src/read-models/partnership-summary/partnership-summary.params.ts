/**
 * The query of `GET /partnerships`: filters from the vocabulary, an opaque cursor and a page size.
 * Every bad parameter is named in one 400 INVALID_QUERY.
 */
import { CLIENT_ID_PATTERN, OPEN_PHASES, PARTNERSHIP_STATUSES, type PartnershipStatus, type Phase } from '@trellis/domain';
import { badRequest, type FieldError } from '../../http/problem';

export const LIST_DEFAULT_LIMIT = 50;
export const LIST_MAX_LIMIT = 200;

export interface PartnershipListQuery {
  readonly status?: PartnershipStatus;
  readonly phase?: Phase;
  readonly organizationId?: string;
  /** Exclusive: items after this sort key. */
  readonly after?: bigint;
  readonly limit: number;
}

export interface RawPartnershipListQuery {
  readonly status?: unknown;
  readonly phase?: unknown;
  readonly organizationId?: unknown;
  readonly cursor?: unknown;
  readonly limit?: unknown;
}

/** The cursor is opaque to clients: base64url of a versioned sort key. */
export function encodeListCursor(sortKey: string): string {
  return Buffer.from(JSON.stringify({ v: 1, k: sortKey }), 'utf8').toString('base64url');
}

export function decodeListCursor(raw: string): bigint | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(raw)) return undefined;
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { v, k } = value as { v?: unknown; k?: unknown };
    if (v !== 1 || typeof k !== 'string' || !/^\d{1,19}$/.test(k)) return undefined;
    const key = BigInt(k);
    return key <= 9_223_372_036_854_775_807n ? key : undefined;
  } catch {
    return undefined;
  }
}

export function parsePartnershipListQuery(raw: RawPartnershipListQuery): PartnershipListQuery {
  const errors: FieldError[] = [];
  const single = (field: string, value: unknown): string | undefined => {
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') {
      errors.push({ field: `query.${field}`, messages: ['must be given once, as a single value'] });
      return undefined;
    }
    return value;
  };
  const oneOf = <T extends string>(field: string, value: string | undefined, allowed: readonly T[]): T | undefined => {
    if (value === undefined) return undefined;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    errors.push({ field: `query.${field}`, messages: [`must be one of ${allowed.join(', ')}`] });
    return undefined;
  };

  const status = oneOf('status', single('status', raw.status), PARTNERSHIP_STATUSES);
  const phase = oneOf('phase', single('phase', raw.phase), OPEN_PHASES);
  const organizationId = single('organizationId', raw.organizationId);
  if (organizationId !== undefined && !CLIENT_ID_PATTERN.test(organizationId)) {
    errors.push({ field: 'query.organizationId', messages: ['must be an organization id: 1–100 of A-Z a-z 0-9 _ -'] });
  }
  const cursor = single('cursor', raw.cursor);
  const after = cursor === undefined ? undefined : decodeListCursor(cursor);
  if (cursor !== undefined && after === undefined) errors.push({ field: 'query.cursor', messages: ['is not a cursor returned by this endpoint'] });
  const limitRaw = single('limit', raw.limit);
  let limit = LIST_DEFAULT_LIMIT;
  if (limitRaw !== undefined) {
    const n = /^\d{1,6}$/.test(limitRaw) ? Number(limitRaw) : NaN;
    if (Number.isInteger(n) && n >= 1 && n <= LIST_MAX_LIMIT) limit = n;
    else errors.push({ field: 'query.limit', messages: [`must be an integer between 1 and ${LIST_MAX_LIMIT}`] });
  }

  if (errors.length > 0) {
    throw badRequest('INVALID_QUERY', `Invalid query parameter(s): ${errors.map((e) => e.field.slice('query.'.length)).join(', ')}`, { errors });
  }
  return {
    ...(status ? { status } : {}),
    ...(phase ? { phase } : {}),
    ...(organizationId !== undefined ? { organizationId } : {}),
    ...(after !== undefined ? { after } : {}),
    limit,
  };
}
