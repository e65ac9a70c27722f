/**
 * What Node's HTTP parser refuses before a request exists, answered as problem documents: over a real
 * local server with short timeouts (the app's server gets the same handler in app.factory.ts).
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { applyServerLimits } from './request-limits';

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer({ connectionsCheckingInterval: 50, requestTimeout: 300, headersTimeout: 300 }, (_req, res) => res.end('ok'));
  applyServerLimits(server, 4 * 1024);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** Writes `request` on a raw socket and resolves with everything the server sent before closing. */
const exchange = (request: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (d) => (data += d.toString('utf8')));
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
  });

const problemOf = (raw: string) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;

describe('applyServerLimits', () => {
  it('answers headers over the limit with 431 HEADERS_TOO_LARGE', async () => {
    const raw = await exchange(`GET / HTTP/1.1\r\nHost: x\r\nX-Padding: ${'p'.repeat(5 * 1024)}\r\n\r\n`);
    expect(raw).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(raw).toContain('Content-Type: application/problem+json');
    expect(problemOf(raw)).toMatchObject({ type: 'urn:trellis:problem:headers-too-large', status: 431, code: 'HEADERS_TOO_LARGE', correlationId: expect.any(String) });
  });

  it('answers a request that is not HTTP with 400 MALFORMED_REQUEST', async () => {
    const raw = await exchange('HELLO THERE\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(problemOf(raw)).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
  });

  it('answers a request whose headers never finish with 408 REQUEST_TIMEOUT', async () => {
    const raw = await exchange('GET / HTTP/1.1\r\nHost: x\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(problemOf(raw)).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
  });

  it('leaves ordinary requests alone', async () => {
    expect(await exchange('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*ok$/);
  });
});
