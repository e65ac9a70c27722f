/**
 * Every request gets a correlation id: the caller's `X-Correlation-Id` when it is a sane token,
 * otherwise a new UUIDv7. It is echoed in the response header, logged, written into the events'
 * metadata and into every problem document.
 */
import type { NextFunction, Request, Response } from 'express';
import { v7 as uuidv7 } from 'uuid';

export const CORRELATION_HEADER = 'x-correlation-id';
const SAFE = /^[A-Za-z0-9._:-]{1,100}$/;

declare module 'express-serve-static-core' {
  interface Request {
    correlationId?: string;
  }
}

export function correlationIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const given = req.header(CORRELATION_HEADER);
  const id = given && SAFE.test(given) ? given : uuidv7();
  req.correlationId = id;
  res.setHeader('X-Correlation-Id', id);
  next();
}
