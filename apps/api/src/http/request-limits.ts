/**
 * Size limits below the body (the body's own limit is in body-parsing.ts): the request line and
 * headers (Node's `maxHeaderSize`, 431), the request target (414), and problem documents for what
 * Node's HTTP parser refuses before any request object exists (431, 400, 408) — by default Node
 * would answer those with a bare status line.
 */
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import { v7 as uuidv7 } from 'uuid';
import { ProblemException, problemType, type ProblemDocument } from './problem';
import { sendProblemException } from './problem-details.filter';

/** 414 URI_TOO_LONG for a request target (path and query) longer than `maxLength` characters. */
export function urlLengthLimit(maxLength: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.originalUrl.length <= maxLength) return next();
    sendProblemException(req, res, new ProblemException(414, 'URI_TOO_LONG', 'URI too long', `The request target is longer than ${maxLength} characters`));
  };
}

/**
 * Applies the header limit to `server` and answers parser-level errors with a problem document.
 * `maxHeaderSize` is read per connection, so setting it before `listen` is enough.
 */
export function applyServerLimits(server: Server, maxHeaderBytes: number): void {
  (server as Server & { maxHeaderSize?: number }).maxHeaderSize = maxHeaderBytes;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, code, title, detail] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'HEADERS_TOO_LARGE', 'Request header fields too large', `The request line and headers exceed ${maxHeaderBytes} bytes`]
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'REQUEST_TIMEOUT', 'Request timeout', 'The request was not received in time']
          : [400, 'MALFORMED_REQUEST', 'Bad request', 'The request is not valid HTTP/1.1'];
    const problem: ProblemDocument = { type: problemType(code), title, status, detail, code, correlationId: uuidv7() };
    const body = JSON.stringify(problem);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Correlation-Id: ${problem.correlationId}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
