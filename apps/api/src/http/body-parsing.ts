/**
 * JSON bodies: parsed with a size limit, only for JSON media types, then checked for unsafe text
 * and unbounded nesting before any controller sees them. Failures become problem documents here,
 * because body parsing runs before Nest's exception filters.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { checkJsonSafety } from './json-safety';
import { problemType, type ProblemDocument } from './problem';
import { sendProblem } from './problem-details.filter';

const JSON_TYPES = ['application/json', 'application/*+json'];

export function bodyParsingMiddlewares(limitBytes: number) {
  const problem = (req: Request, status: number, code: string, title: string, detail: string): ProblemDocument => ({
    type: problemType(code),
    title,
    status,
    detail,
    code,
    ...(req.correlationId ? { correlationId: req.correlationId } : {}),
  });

  const requireJson = (req: Request, res: Response, next: NextFunction) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && ['POST', 'PUT', 'PATCH'].includes(req.method) && !req.is(JSON_TYPES)) {
      return sendProblem(res, problem(req, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', 'Send the body as application/json'));
    }
    next();
  };

  const parseJson = express.json({ limit: limitBytes, type: JSON_TYPES, strict: true });

  const checkSafety = (req: Request, res: Response, next: NextFunction) => {
    if (req.body !== undefined && typeof req.body === 'object') {
      const bad = checkJsonSafety(req.body);
      if (bad) {
        const at = bad.path ? `body.${bad.path}` : 'body';
        const code = bad.kind === 'text' ? 'INVALID_TEXT' : 'VALIDATION_FAILED';
        return sendProblem(res, { ...problem(req, 400, code, 'Bad request', `${at} ${bad.reason}`), errors: [{ field: at, messages: [bad.reason] }] });
      }
    }
    next();
  };

  const bodyErrors = (err: unknown, req: Request, res: Response, next: NextFunction) => {
    const e = err as { type?: string; status?: number; limit?: number };
    if (e?.type === 'entity.too.large' || e?.status === 413) {
      return sendProblem(res, problem(req, 413, 'PAYLOAD_TOO_LARGE', 'Payload too large', `The body exceeds ${limitBytes} bytes`));
    }
    if (e?.type === 'entity.parse.failed') {
      return sendProblem(res, problem(req, 400, 'MALFORMED_JSON', 'Bad request', 'The body is not valid JSON'));
    }
    if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
      return sendProblem(res, problem(req, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', 'Send the body as UTF-8 JSON'));
    }
    if (e?.type === 'request.aborted' || e?.type === 'request.size.invalid' || e?.status === 400) {
      return sendProblem(res, problem(req, 400, 'MALFORMED_JSON', 'Bad request', 'The body could not be read'));
    }
    next(err);
  };

  return [requireJson, parseJson, checkSafety, bodyErrors] as const;
}
