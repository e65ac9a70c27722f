/**
 * The request log as the apps write it: the options go through pino-http over a real local HTTP
 * server, into a captured stream instead of stdout.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pinoHttp, type Options } from 'pino-http';
import { loadConfig, type TrellisConfig } from '../config/trellis-config';
import { loggerOptions } from './logger-options';

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
