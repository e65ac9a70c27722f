/**
 * `trellis_http_request_duration_seconds{method, route, status}`: every response, labelled by the
 * route template that matched (`/partnerships/:id/commands`, never the id itself, so the label set
 * stays bounded); requests no route matched are labelled `unmatched`, and the status by class (2xx…).
 */
import type { NextFunction, Request, Response } from 'express';
import { httpRequestDuration } from '@trellis/platform';

export function httpMetricsMiddleware(req: Request, res: Response, next: NextFunction): void {
  const end = httpRequestDuration.startTimer();
  res.once('finish', () => {
    const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
    end({ method: req.method, route, status: `${Math.floor(res.statusCode / 100)}xx` });
  });
  next();
}
