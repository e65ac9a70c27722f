/**
 * The request log as the apps write it: the options go through pino-http over a real local HTTP
 * server, into a captured stream instead of stdout.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pinoHttp, type Options } from 'pino-http';
import { loadConfig, type TrellisConfig } from '../config/trellis-config';
import pino from 'pino';
import { loggerOptions, redactSecrets } from './logger-options';

const SECRET = 'trk_the-secret-that-must-never-be-logged';

async function logRequest(config: TrellisConfig, path: string, correlationId?: string): Promise<Array<Record<string, unknown>>> {
  const [options] = loggerOptions(config).pinoHttp as [Options, unknown];
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const log = pinoHttp(options, sink);
  const server: Server = createServer((req, res) => {
    if (correlationId) (req as IncomingMessage & { correlationId?: string }).correlationId = correlationId;
    log(req, res);
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      headers: { Authorization: `Bearer ${SECRET}`, 'X-Api-Key': SECRET, Cookie: `session=${SECRET}`, 'User-Agent': 'trellis-test' },
    });
    await response.text();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  // Once per line: pino writes a repeated binding as a duplicate JSON key.
  for (const line of lines) expect(line.match(/"correlationId"/g)).toHaveLength(1);
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('loggerOptions', () => {
  const config = loadConfig({ LOG_LEVEL: 'info' });

  it('logs a request with its correlation id and never the API key', async () => {
    const [entry, ...rest] = await logRequest(config, '/partnerships', 'corr-123');
    expect(rest).toEqual([]);
    expect(entry!['correlationId']).toBe('corr-123');
    expect(entry).toMatchObject({
      level: 30,
      correlationId: 'corr-123',
      req: { method: 'GET', url: '/partnerships', headers: { 'user-agent': 'trellis-test', authorization: '[redacted]' } },
      res: { statusCode: 200 },
    });
    expect(JSON.stringify(entry)).not.toContain(SECRET);
    expect(JSON.stringify(entry)).not.toContain('the-secret');
  });

  it('gives a request without a correlation id a UUIDv7', async () => {
    const [entry] = await logRequest(config, '/partnerships');
    expect(entry!['correlationId']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('does not log health checks', async () => {
    expect(await logRequest(config, '/health')).toEqual([]);
  });

  it('follows LOG_LEVEL', async () => {
    expect(await logRequest(loadConfig({ LOG_LEVEL: 'warn' }), '/partnerships')).toEqual([]);
    expect(await logRequest(loadConfig({ NODE_ENV: 'test' }), '/partnerships')).toEqual([]);
  });
});

describe('redactSecrets (every finished line)', () => {
  it.each([
    ['an API key', 'authentication failed for trk_AbCdEf0123456789_-xyz', 'trk_AbCdEf0123456789'],
    ['a webhook secret', '{"secret":"whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ="}', 'whsec_c2VjcmV0'],
    ['a webhook signature', 'webhook-signature: v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=', 'K5oZfzN95Z9UVu1'],
    ['a bearer credential', 'Authorization: Bearer abc.def-ghi_jkl', 'abc.def-ghi_jkl'],
    ['a basic credential', 'authorization=Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA'],
    ['a database password', 'connecting to postgres://trellis:s3cr3t-pw@db.internal:5432/trellis', 's3cr3t-pw'],
    ['an SMTP password', 'SMTP_URL=smtps://mailer:hunter2%21@smtp.example.org:465', 'hunter2'],
    ['a Redis password', 'redis://:r3dis-pass@cache:6379', 'r3dis-pass'],
  ])('masks %s', (_label, line, secret) => {
    const out = redactSecrets(line);
    expect(out).not.toContain(secret);
    expect(out).toMatch(/\[redacted\]|:\*\*\*@/);
  });

  it('keeps the line valid JSON and leaves ordinary text alone', () => {
    const line = JSON.stringify({ msg: 'GET /partnerships done', url: 'postgres://u:p\\"w@h/db', auth: 'Bearer trk_0123456789abcdef' });
    expect(() => JSON.parse(redactSecrets(line))).not.toThrow();
    expect(redactSecrets('{"msg":"listening on http://127.0.0.1:3000; OpenAPI at /docs"}')).toBe('{"msg":"listening on http://127.0.0.1:3000; OpenAPI at /docs"}');
  });

  it('lets the development bootstrap key through the one line that exists to show it once', () => {
    const line = 'ADMIN_API_KEY is not set; generated a bootstrap admin key (shown once, store it now): trk_AbCdEf0123456789';
    expect(redactSecrets(line)).toBe(line);
  });
});

describe('redaction by field', () => {
  it('censors credentials, secrets and personal fields in logged objects', () => {
    const [options] = loggerOptions(loadConfig({ LOG_LEVEL: 'debug' })).pinoHttp as [Options, unknown];
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = pino({ level: 'debug', redact: options.redact, hooks: options.hooks }, sink);
    logger.debug({ person: { displayName: 'Aroha Ngata', email: 'aroha@example.org' }, subscription: { secret: 'opaque-1' }, email: 'top@example.org' }, 'vault');
    logger.info({ req: { headers: { authorization: 'opaque-2', 'webhook-signature': 'opaque-3' }, body: { displayName: 'x' } } }, 'request');
    const text = lines.join('');
    for (const secret of ['Aroha', 'aroha@example.org', 'opaque-1', 'opaque-2', 'opaque-3', 'top@example.org']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });
});
