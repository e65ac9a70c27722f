/** Documents the problem responses a route can give, each with the codes it may carry. */
import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { RULE_CODES } from '@trellis/domain';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed or invalid input; every bad field is named in `errors`. Codes: VALIDATION_FAILED, MALFORMED_JSON, INVALID_TEXT, UNKNOWN_COMMAND_TYPE, INVALID_ID, INVALID_HEADER, INVALID_QUERY',
  401: 'No or unknown API key (UNAUTHENTICATED)',
  403: 'The key\'s role is not allowed (FORBIDDEN), or its organization withdrew from the partnership it writes to (ORGANIZATION_WITHDRAWN)',
  404: 'Unknown partnership (PARTNERSHIP_NOT_FOUND; also a partnership outside the organization of a bound key), projection (PROJECTION_NOT_FOUND), API key (API_KEY_NOT_FOUND) or route (NOT_FOUND)',
  406: 'No acceptable representation (NOT_ACCEPTABLE)',
  409: 'IDEMPOTENCY_KEY_REUSED (same key, other body), IDEMPOTENCY_KEY_IN_PROGRESS, CONCURRENCY_CONFLICT (retries after revision conflicts exhausted; retry), EVENT_ID_CONFLICT, REBUILD_IN_PROGRESS, NO_REBUILD_IN_PROGRESS, LAST_ADMIN_KEY',
  412: 'If-Match does not match the current revision (REVISION_MISMATCH); the current ETag is returned',
  413: 'Body larger than the limit (PAYLOAD_TOO_LARGE)',
  415: 'Body is not JSON (UNSUPPORTED_MEDIA_TYPE)',
  422: `A domain rule refused the command; \`code\` names it: ${RULE_CODES.join(', ')} (DUPLICATE_ID, ILLEGAL_STATUS_TRANSITION and OUT_OF_SEQUENCE are extensions)`,
  429: 'Rate limited (RATE_LIMITED); see Retry-After',
  503: 'A store is unavailable (SERVICE_UNAVAILABLE); see Retry-After',
};

export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Problem',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      }),
    ),
  );
}
