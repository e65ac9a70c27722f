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
      const code = status === 404 ? 'NOT_FOUND' : status === 405 ? 'METHOD_NOT_ALLOWED' : status === 429 ? 'RATE_LIMITED' : status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : status < 500 ? 'BAD_REQUEST' : 'INTERNAL';
      return { problem: make(status, code, HttpStatus[status]?.toString().replaceAll('_', ' ').toLowerCase() ?? 'Error', status < 500 ? detail : undefined), headers: {} };
    }
    return { problem: make(500, 'INTERNAL', 'Internal error', 'An unexpected error occurred; it has been logged with the correlation id'), headers: {} };
  }
}

export function sendProblem(res: Response, problem: ProblemDocument, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
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
