/**
 * RFC 9457 problem documents (`application/problem+json`) with a stable `code` (DESIGN.md §4).
 * Thrown only at the HTTP edge; business code throws domain errors that the filter translates.
 */
export interface FieldError {
  readonly field: string;
  readonly messages: readonly string[];
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  correlationId?: string;
  /** Every invalid field, for 400 VALIDATION_FAILED. */
  errors?: readonly FieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const problemType = (code: string): string => `urn:trellis:problem:${code.toLowerCase().replaceAll('_', '-')}`;

export class ProblemException extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail ?? title);
    this.name = 'ProblemException';
  }
}

export const badRequest = (code: string, detail: string, extensions: Record<string, unknown> = {}) =>
  new ProblemException(400, code, 'Bad request', detail, extensions);

export const validationFailed = (errors: readonly FieldError[], detail?: string) =>
  new ProblemException(
    400,
    'VALIDATION_FAILED',
    'The request is invalid',
    detail ?? `Invalid field(s): ${errors.map((e) => e.field).join(', ')}`,
    { errors },
  );

/** The API's own problem codes (the domain's rule codes come from @trellis/domain). */
export const API_PROBLEM_CODES = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  INVALID_TEXT: 400,
  UNKNOWN_COMMAND_TYPE: 400,
  INVALID_ID: 400,
  INVALID_HEADER: 400,
  INVALID_QUERY: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  PARTNERSHIP_NOT_FOUND: 404,
  NOT_FOUND: 404,
  PROJECTION_NOT_FOUND: 404,
  SUBSCRIPTION_NOT_FOUND: 404,
  DELIVERY_NOT_FOUND: 404,
  DELIVERY_NOT_DEAD_LETTERED: 409,
  WEBHOOK_TARGET_NOT_ALLOWED: 422,
  UNKNOWN_EVENT_TYPE: 404,
  UNKNOWN_SCHEMA_VERSION: 404,
  METHOD_NOT_ALLOWED: 405,
  NOT_ACCEPTABLE: 406,
  IDEMPOTENCY_KEY_REUSED: 409,
  IDEMPOTENCY_KEY_IN_PROGRESS: 409,
  CONCURRENCY_CONFLICT: 409,
  EVENT_ID_CONFLICT: 409,
  REBUILD_IN_PROGRESS: 409,
  NO_REBUILD_IN_PROGRESS: 409,
  REVISION_MISMATCH: 412,
  MALFORMED_REQUEST: 400,
  /** Any other client error of the framework (e.g. a path parameter that is not valid percent-encoding). */
  BAD_REQUEST: 400,
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  RANGE_NOT_SATISFIABLE: 416,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;
