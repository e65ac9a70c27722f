/**
 * The HTTP side of the timeline page: which representation a request gets, the headers of an HTML
 * answer, and an exception filter that shows failures (401/403/404/400/503 …) as an HTML page to a
 * client that wants the page, and as the usual problem document to everyone else.
 *
 * - `GET /partnerships/:id/timeline` negotiates: JSON unless `text/html` is preferred (a browser's
 *   default Accept), so clients that send no Accept, a wildcard or JSON keep getting JSON.
 * - `GET /partnerships/:id/timeline.html` is always the page; its errors are HTML unless the client
 *   prefers `application/problem+json` or `application/json` over `text/html`.
 */
import { ArgumentsHost, Catch, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ProblemDetailsFilter } from '../../../http/problem-details.filter';
import { renderErrorPage, TIMELINE_PAGE_CSP } from './timeline-page.render';

export const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';

/** `application/json` or `text/html` for `GET …/timeline`, false when the client accepts neither (406). */
export const negotiateTimeline = (req: Request): 'application/json' | 'text/html' | false =>
  req.accepts(['application/json', 'text/html']) as 'application/json' | 'text/html' | false;

export type TimelineRoute = 'negotiated' | 'page';

export function wantsHtml(req: Request, route: TimelineRoute): boolean {
  return route === 'page'
    ? req.accepts(['text/html', 'application/problem+json', 'application/json']) === 'text/html'
    : negotiateTimeline(req) === 'text/html';
}

/** Headers of every HTML answer of the page, success or error. */
export function setHtmlHeaders(res: Response): void {
  res.setHeader('Content-Type', HTML_CONTENT_TYPE);
  res.setHeader('Content-Security-Policy', TIMELINE_PAGE_CSP);
  // Names from the people vault may be on it: never stored by a shared cache or the browser.
  res.setHeader('Cache-Control', 'no-store');
}

@Catch()
export class TimelinePageErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');
  private readonly problems = new ProblemDetailsFilter();

  constructor(private readonly route: TimelineRoute) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    if (!wantsHtml(req, this.route) || res.headersSent) {
      this.problems.catch(exception, host);
      return;
    }
    const { problem, headers } = this.problems.toProblem(exception, req);
    if (problem.status >= 500 && problem.code !== 'SERVICE_UNAVAILABLE') this.logger.error({ err: exception, path: req.path }, 'Unhandled error');
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    setHtmlHeaders(res);
    res.vary('Accept');
    res.status(problem.status).send(renderErrorPage(problem));
  }
}
