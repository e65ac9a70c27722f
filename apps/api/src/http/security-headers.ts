/**
 * Security headers (helmet) for every response. The API answers JSON only, so its Content Security
 * Policy allows nothing at all; the two browser UIs get the least their pages need: the OpenAPI UI
 * at /docs (its own scripts, inline styles, data: images) and bull-board at /admin/queues (the same,
 * plus the Google Fonts stylesheet its page links).
 *
 * A route that renders its own page sets its own policy on the response
 * (`res.setHeader('Content-Security-Policy', …)` or `@Header(...)`): helmet runs first, as middleware,
 * so the route's header replaces this default (docs/security.md, "Hardening").
 */
import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

type Directives = NonNullable<Exclude<HelmetOptions['contentSecurityPolicy'], boolean | undefined>['directives']>;

/** JSON, problem documents, NDJSON/CSV exports, SSE: nothing to load, nothing to frame. */
export const API_CSP: Directives = {
  defaultSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
};

const UI_BASE: Directives = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  // Both UIs style elements inline (style attributes and <style> blocks); scripts stay same-origin.
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export const DOCS_CSP: Directives = UI_BASE;

export const QUEUE_DASHBOARD_CSP: Directives = {
  ...UI_BASE,
  styleSrc: ["'self'", "'unsafe-inline'", 'https://fonts.googleapis.com'],
  fontSrc: ["'self'", 'https://fonts.gstatic.com'],
};

const withPolicy = (directives: Directives): RequestHandler =>
  helmet({
    contentSecurityPolicy: { useDefaults: false, directives },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });

/** One middleware choosing the policy by path prefix (`/docs`, `/admin/queues`, everything else). */
export function securityHeaders(paths: { docs: string; queueDashboard: string }): RequestHandler {
  const api = withPolicy(API_CSP);
  const docs = withPolicy(DOCS_CSP);
  const queues = withPolicy(QUEUE_DASHBOARD_CSP);
  const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}-`);
  return (req, res, next) => {
    if (under(req.path, paths.docs)) return docs(req, res, next);
    if (under(req.path, paths.queueDashboard)) return queues(req, res, next);
    return api(req, res, next);
  };
}
