/**
 * The query of `GET /partnerships/:id/timeline`: `afterPosition` (exclusive, a decimal position),
 * `limit` (1–1000, default 200), and the filters `workstreamId` and `type`. Every bad parameter is
 * named in one 400 INVALID_QUERY.
 */
import { CLIENT_ID_PATTERN, PARTNERSHIP_EVENT_TYPES } from '@trellis/domain';
import { TIMELINE_DEFAULT_LIMIT, TIMELINE_MAX_LIMIT, type TimelineQuery } from '@trellis/projections';
import { badRequest, type FieldError } from '../../http/problem';

export interface RawTimelineQuery {
  readonly afterPosition?: unknown;
  readonly limit?: unknown;
  readonly workstreamId?: unknown;
  readonly type?: unknown;
}

const MAX_POSITION = 9_223_372_036_854_775_807n;
const EVENT_TYPES: ReadonlySet<string> = new Set(PARTNERSHIP_EVENT_TYPES);

export function parseTimelineQuery(raw: RawTimelineQuery): TimelineQuery {
  const errors: FieldError[] = [];
  const single = (field: string, value: unknown): string | undefined => {
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') {
      errors.push({ field: `query.${field}`, messages: ['must be given once, as a single value'] });
      return undefined;
    }
    return value;
  };

  const afterRaw = single('afterPosition', raw.afterPosition);
  let afterPosition: bigint | undefined;
  if (afterRaw !== undefined) {
    if (/^\d{1,19}$/.test(afterRaw) && BigInt(afterRaw) <= MAX_POSITION) afterPosition = BigInt(afterRaw);
    else errors.push({ field: 'query.afterPosition', messages: ['must be a position (a non-negative integer) as returned in nextAfterPosition'] });
  }
  const limitRaw = single('limit', raw.limit);
  let limit = TIMELINE_DEFAULT_LIMIT;
  if (limitRaw !== undefined) {
    const n = /^\d{1,6}$/.test(limitRaw) ? Number(limitRaw) : NaN;
    if (n >= 1 && n <= TIMELINE_MAX_LIMIT) limit = n;
    else errors.push({ field: 'query.limit', messages: [`must be an integer between 1 and ${TIMELINE_MAX_LIMIT}`] });
  }
  const workstreamId = single('workstreamId', raw.workstreamId);
  if (workstreamId !== undefined && !CLIENT_ID_PATTERN.test(workstreamId)) {
    errors.push({ field: 'query.workstreamId', messages: ['must be a workstream id: 1–100 of A-Z a-z 0-9 _ -'] });
  }
  const type = single('type', raw.type);
  if (type !== undefined && !EVENT_TYPES.has(type)) errors.push({ field: 'query.type', messages: ['must be a partnership event type (e.g. PhaseTransitioned)'] });

  if (errors.length > 0) {
    throw badRequest('INVALID_QUERY', `Invalid query parameter(s): ${errors.map((e) => e.field.slice('query.'.length)).join(', ')}`, { errors });
  }
  return {
    ...(afterPosition !== undefined ? { afterPosition } : {}),
    limit,
    ...(workstreamId !== undefined ? { workstreamId } : {}),
    ...(type !== undefined ? { type } : {}),
  };
}
