/**
 * Structured JSON logs (pino) with the request's correlation id, and secrets redacted: API keys in
 * Authorization headers never reach a log line.
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
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]'],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { method: string; url: string; headers: Record<string, unknown> }) => ({
          method: req.method,
          url: req.url,
          headers: { 'user-agent': req.headers['user-agent'], authorization: req.headers['authorization'] ? '[redacted]' : undefined },
        }),
      },
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' },
      },
      // Synchronous writes: the last lines before an exit (shutdown, fatal errors) are never lost.
      pino.destination({ dest: 1, sync: true }),
    ],
  };
}
