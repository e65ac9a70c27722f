/**
 * Structured JSON logs (pino) with the request's correlation id, and secrets redacted (docs/security.md,
 * "Hardening"), in two layers:
 * 1. by field: credentials headers, secrets and the people vault's personal fields, wherever a logged
 *    object carries them (`redact`);
 * 2. by shape, on every finished line, whatever put it there (an error message, a URL in a start-up
 *    line): API keys `trk_…`, webhook secrets `whsec_…`, webhook signatures `v1,…`, bearer and basic
 *    credentials, and passwords in URLs (`redactSecrets`).
 */
import type { Params } from 'nestjs-pino';
import pino from 'pino';
import type { IncomingMessage } from 'node:http';
import { v7 as uuidv7 } from 'uuid';
import type { TrellisConfig } from '../config/trellis-config';

export function loggerOptions(config: TrellisConfig): Params {
  return {
    pinoHttp: [
      {
      level: config.logLevel,
      genReqId: (req: IncomingMessage) => (req as IncomingMessage & { correlationId?: string }).correlationId ?? uuidv7(),
      // The request id on every line of the request (the access line and `req.log`), as
      // `correlationId`. (`customAttributeKeys.reqId` would only apply with `quietReqLogger`.)
      customProps: (req: IncomingMessage) => ({ correlationId: req.id }),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: {
        req: (req: { method: string; url: string; headers: Record<string, unknown> }) => ({
          method: req.method,
          url: req.url,
          headers: { 'user-agent': req.headers['user-agent'], ...(req.headers['authorization'] ? { authorization: '[redacted]' } : {}) },
        }),
      },
      hooks: { streamWrite: redactSecrets },
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' },
      },
      // Synchronous writes: the last lines before an exit (shutdown, fatal errors) are never lost.
      pino.destination({ dest: 1, sync: true }),
    ],
  };
}

/** Fields never logged, at the top of a logged object or one level down (`{err: {…}}`, `{body: {…}}`). */
const SECRET_FIELDS = ['authorization', 'cookie', 'secret', 'previousSecret', 'password', 'apiKey', 'displayName', 'email', 'body'];
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["webhook-signature"]',
  'req.body',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers["webhook-signature"]',
  '*.headers.authorization',
  '*.headers["webhook-signature"]',
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
];

/**
 * The bootstrap admin key generated in development is printed once, on purpose
 * (`… (shown once, store it now): trk_…`); every other occurrence of a secret's shape is masked.
 */
const SECRET_SHAPES: ReadonlyArray<readonly [RegExp, string]> = [
  [/(?<!shown once, store it now\): )\btrk_[A-Za-z0-9_-]{4,}/g, 'trk_[redacted]'],
  [/\bwhsec_[A-Za-z0-9+/=_-]{4,}/g, 'whsec_[redacted]'],
  [/\bv1,[A-Za-z0-9+/]{16,}={0,2}/g, 'v1,[redacted]'],
  [/\b(Bearer|Basic)(\s+|%20)[A-Za-z0-9._~+/=-]{4,}/gi, '$1 [redacted]'],
  // scheme://user:password@host → scheme://user:***@host (DATABASE_URL, REDIS_URL, SMTP_URL, …)
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"\\]*:)[^\s@/"\\]+@/gi, '$1***@'],
];

export function redactSecrets(line: string): string {
  let out = line;
  for (const [shape, replacement] of SECRET_SHAPES) out = out.replace(shape, replacement);
  return out;
}
