/**
 * The one place where failures become HTTP (STYLE.md §4): domain errors by category, port errors by
 * code, framework errors by status. Every response is a problem document with a stable `code` and
 * the request's correlation id; nothing internal (stack, SQL, driver text) ever leaves the process.
 */
import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '@trellis/domain';
import {
  ConcurrencyRetriesExhaustedError,
  EventIdConflictError,
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
} from '@trellis/event-store';
import { PROBLEM_CONTENT_TYPE, ProblemException, problemType, type ProblemDocument } from './problem';

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const { problem, headers } = this.toProblem(exception, req);
    if (problem.status >= 500 && problem.code !== 'SERVICE_UNAVAILABLE') {
      // The request logger already puts the correlation id on every line of this request.
      this.logger.error({ err: exception, path: req.path }, 'Unhandled error');
    } else if (problem.status === 503) {
      this.logger.warn({ err: exception, path: req.path }, 'Dependency unavailable');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    sendProblem(res, problem, headers);
  }

  toProblem(exception: unknown, req: Request): { problem: ProblemDocument; headers: Record<string, string> } {
    const correlationId = req.correlationId;
    const make = (status: number, code: string, title: string, detail?: string, extra: Record<string, unknown> = {}): ProblemDocument => ({
      type: problemType(code),
      title,
      status,
      ...(detail ? { detail } : {}),
      code,
      ...(correlationId ? { correlationId } : {}),
      ...extra,
    });

    if (exception instanceof ProblemException) {
      return {
        problem: make(exception.status, exception.code, exception.title, exception.detail, { ...exception.extensions }),
        headers: { ...exception.headers },
      };
    }
    if (DomainError.is(exception)) {
      if (exception.category === 'not_found') {
        return { problem: make(404, exception.code, 'Not found', exception.message), headers: {} };
      }
      return {
        problem: make(422, exception.code, 'The command was refused by a domain rule', exception.message, exception.details ? { details: exception.details } : {}),
        headers: {},
      };
    }
    if (exception instanceof WrongExpectedRevisionError) {
      const actual = exception.actual < 0n ? null : exception.actual.toString();
      return {
        problem: make(412, 'REVISION_MISMATCH', 'The partnership has changed', `The partnership is at revision ${actual ?? 'none'}; If-Match asked for ${String(exception.expected)}`, { currentRevision: actual }),
        headers: actual !== null ? { ETag: `W/"${actual}"` } : {},
      };
    }
    if (exception instanceof ConcurrencyRetriesExhaustedError) {
      return { problem: make(409, 'CONCURRENCY_CONFLICT', 'Too many concurrent changes', `${exception.message}; retry the request`), headers: { 'Retry-After': '1' } };
    }
    if (exception instanceof EventIdConflictError) {
      return { problem: make(409, 'EVENT_ID_CONFLICT', 'Event id already used', exception.message), headers: {} };
    }
    if (exception instanceof EventStoreUnavailableError || isDatabaseUnavailable(exception)) {
      return {
        problem: make(503, 'SERVICE_UNAVAILABLE', 'A store is unavailable', 'The event or read store cannot be reached; retry shortly'),
        headers: { 'Retry-After': '5' },
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message = typeof response === 'object' && response !== null && 'message' in response ? (response as { message: unknown }).message : exception.message;
      const detail = Array.isArray(message) ? message.join('; ') : String(message);
      return { problem: make(status, codeForStatus(status), titleForStatus(status), status < 500 ? detail : undefined), headers: {} };
    }
    const clientError = exposedClientError(exception);
    if (clientError) {
      return { problem: make(clientError.status, codeForStatus(clientError.status), titleForStatus(clientError.status), clientError.message), headers: clientError.headers };
    }
    return { problem: make(500, 'INTERNAL', 'Internal error', 'An unexpected error occurred; it has been logged with the correlation id'), headers: {} };
  }
}

export function sendProblem(res: Response, problem: ProblemDocument, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/** For Express middleware (before Nest's filters): answers a ProblemException as the filter would. */
export function sendProblemException(req: Request, res: Response, exception: ProblemException): void {
  const problem: ProblemDocument = {
    type: problemType(exception.code),
    title: exception.title,
    status: exception.status,
    ...(exception.detail ? { detail: exception.detail } : {}),
    code: exception.code,
    ...(req.correlationId ? { correlationId: req.correlationId } : {}),
    ...exception.extensions,
  };
  sendProblem(res, problem, { ...exception.headers });
}

function codeForStatus(status: number): string {
  const known: Record<number, string> = {
    401: 'UNAUTHENTICATED',
    403: 'FORBIDDEN',
    404: 'NOT_FOUND',
    405: 'METHOD_NOT_ALLOWED',
    413: 'PAYLOAD_TOO_LARGE',
    416: 'RANGE_NOT_SATISFIABLE',
    429: 'RATE_LIMITED',
  };
  return known[status] ?? (status < 500 ? 'BAD_REQUEST' : 'INTERNAL');
}

const titleForStatus = (status: number): string => HttpStatus[status]?.toString().replaceAll('_', ' ').toLowerCase() ?? 'Error';

/**
 * A client error raised by Express middleware with `http-errors` (serve-static and `send` behind
 * /docs and /admin/queues: a Range that cannot be satisfied, a path that is not allowed). Such an
 * error says it may be shown (`expose`); without this it would become a 500.
 */
function exposedClientError(e: unknown): { status: number; message: string; headers: Record<string, string> } | undefined {
  if (!(e instanceof Error)) return undefined;
  const { status, expose, headers } = e as Error & { status?: unknown; expose?: unknown; headers?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499 || expose !== true) return undefined;
  const safeHeaders: Record<string, string> = {};
  if (headers && typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers)) if (typeof value === 'string' && /^[A-Za-z-]{1,40}$/.test(name)) safeHeaders[name] = value;
  }
  return { status, message: e.message.slice(0, 200), headers: safeHeaders };
}

/** Connection-level failures of PostgreSQL / PGlite (not query errors). */
function isDatabaseUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return true;
    // 08xxx connection exceptions, 57P0x operator intervention (shutdown), 53300 too many connections
    if (/^08/.test(code) || /^57P0/.test(code) || code === '53300') return true;
  }
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(e.message);
}
