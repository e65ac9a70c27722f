/**
 * The sender against real local HTTP servers (node:http on loopback): what a receiver sees, status
 * handling, redirects, the deadline, the response-size limit, the target policy and DNS pinning.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createWebhookAgents, destroyWebhookAgents, parseRetryAfter, sendWebhook, type SendWebhookRequest } from './http-sender';
import { signWebhook, generateWebhookSecret, verifyWebhook } from './signing';
import { WebhookTargetPolicy, type LookupAllAddresses } from './target-policy';

interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

interface Receiver {
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  readonly sockets: Set<Socket>;
  connections: number;
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

const receivers: Receiver[] = [];

async function startReceiver(handler: Handler, host = '127.0.0.1', port = 0): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  const receiver: Receiver = {
    url: '',
    port: 0,
    requests,
    sockets,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (socket) => {
    receiver.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  Object.assign(receiver, { port: actual, url: `http://${host}:${actual}` });
  receivers.push(receiver);
  return receiver;
}

async function until(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const agents = createWebhookAgents();
const loopbackAllowed = new WebhookTargetPolicy({ allowPrivateNetworks: false, allowedHosts: ['127.0.0.1'] });
const body = JSON.stringify({ specversion: '1.0', id: 'evt-1', type: 'trellis.PartnershipProposed.v1', data: { n: 1 } });

const send = (url: string, overrides: Partial<SendWebhookRequest> = {}) =>
  sendWebhook({
    url,
    headers: { 'content-type': 'application/cloudevents+json' },
    body,
    timeoutMs: 5_000,
    maxResponseBytes: 1_024,
    policy: loopbackAllowed,
    agents,
    ...overrides,
  });

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
afterAll(() => destroyWebhookAgents(agents));

describe('sendWebhook to a real receiver', () => {
  it('POSTs the exact body and headers, and a 2xx is a delivery', async () => {
    const secret = generateWebhookSecret();
    const receiver = await startReceiver((_req, res) => res.writeHead(204).end());
    const signed = signWebhook([secret], 'evt-1', Math.floor(Date.now() / 1000), body);

    const outcome = await send(`${receiver.url}/hooks/trellis?tenant=a`, {
      headers: { ...signed, 'content-type': 'application/cloudevents+json', Host: 'evil.example', 'Content-Length': '1' },
    });

    expect(outcome).toMatchObject({ ok: true, status: 204, retryable: false, address: '127.0.0.1', responseBody: '' });
    expect(outcome.error).toBeUndefined();
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(0);
    expect(receiver.requests).toHaveLength(1);
    const [received] = receiver.requests;
    expect(received).toMatchObject({ method: 'POST', url: '/hooks/trellis?tenant=a', body });
    expect(received!.headers).toMatchObject({
      host: `127.0.0.1:${receiver.port}`, // the caller cannot override Host or Content-Length
      'content-length': String(Buffer.byteLength(body)),
      'content-type': 'application/cloudevents+json',
      'user-agent': 'Trellis-Webhooks/1.0',
    });
    expect(verifyWebhook(secret, received!.headers, received!.body)).toMatchObject({ ok: true, id: 'evt-1' });
  });

  it('reuses keep-alive connections for consecutive deliveries', async () => {
    const receiver = await startReceiver((_req, res) => res.end('ok'));
    for (let i = 0; i < 5; i++) expect(await send(receiver.url)).toMatchObject({ ok: true, status: 200, responseBody: 'ok' });
    expect(receiver.requests).toHaveLength(5);
    expect(receiver.connections).toBe(1);
  });

  it('handles concurrent deliveries', async () => {
    const receiver = await startReceiver((_req, res) => setTimeout(() => res.end('ok'), 5));
    const outcomes = await Promise.all(Array.from({ length: 40 }, () => send(receiver.url)));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(receiver.requests).toHaveLength(40);
  });

  it('reports a 5xx as a retryable failure with the start of the response body', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(500).end('boom'));
    expect(await send(receiver.url)).toMatchObject({ ok: false, status: 500, error: 'HTTP 500', retryable: true, responseBody: 'boom' });
  });

  it('retries 4xx too, except 410 Gone, which asks to stop sending', async () => {
    const statuses = [400, 404, 408, 429, 410];
    const receiver = await startReceiver((req, res) => res.writeHead(Number(req.url!.slice(1))).end());
    const outcomes = [];
    for (const s of statuses) outcomes.push(await send(`${receiver.url}/${s}`));
    expect(outcomes.map((o) => [o.status, o.ok, o.retryable, o.endpointGone ?? false])).toEqual([
      [400, false, true, false],
      [404, false, true, false],
      [408, false, true, false],
      [429, false, true, false],
      [410, false, false, true],
    ]);
  });

  it('passes Retry-After on', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(429, { 'Retry-After': '7' }).end());
    expect(await send(receiver.url)).toMatchObject({ ok: false, status: 429, retryAfterMs: 7_000, retryable: true });
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT'))).toBe(60_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('does not follow redirects', async () => {
    const elsewhere = await startReceiver((_req, res) => res.end('ok'));
    for (const status of [301, 302, 307, 308]) {
      const receiver = await startReceiver((_req, res) => res.writeHead(status, { Location: `${elsewhere.url}/moved` }).end());
      const outcome = await send(receiver.url);
      expect(outcome).toMatchObject({ ok: false, status, retryable: true });
      expect(outcome.error).toBe(`redirect not followed (${status} to ${elsewhere.url}/moved)`);
    }
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('gives up at the deadline when the receiver does not answer, and closes the connection', async () => {
    const receiver = await startReceiver(() => undefined); // never responds
    const outcome = await send(receiver.url, { timeoutMs: 300 });
    expect(outcome).toMatchObject({ ok: false, error: 'timeout', retryable: true });
    expect(outcome.status).toBeUndefined();
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(290);
    expect(outcome.latencyMs).toBeLessThan(3_000);
    await until(() => receiver.sockets.size === 0, 'the receiver to see the connection closed');
  });

  it('waits for a slow receiver up to the deadline, even past the idle-socket timeout of the agents', async () => {
    const shortIdle = createWebhookAgents({ idleTimeoutMs: 50 });
    try {
      const receiver = await startReceiver((_req, res) => setTimeout(() => res.end('late but fine'), 300));
      expect(await send(receiver.url, { agents: shortIdle, timeoutMs: 3_000 })).toMatchObject({ ok: true, responseBody: 'late but fine' });
    } finally {
      destroyWebhookAgents(shortIdle);
    }
  });

  it('lets the status decide when headers came in time but the body is still streaming at the deadline', async () => {
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('accepted…'); // and never ends
    });
    const outcome = await send(receiver.url, { timeoutMs: 300 });
    expect(outcome).toMatchObject({ ok: true, status: 200, responseTruncated: true, responseBody: 'accepted…' });
    await until(() => receiver.sockets.size === 0, 'the receiver to see the connection closed');
  });

  it('reads at most maxResponseBytes of a huge body and drops the connection at once', async () => {
    let written = 0;
    let finished = false;
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (!res.destroyed && written < 1024 ** 3) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      res.on('close', () => (finished = true));
      pump();
    });

    const outcome = await send(receiver.url, { timeoutMs: 10_000, maxResponseBytes: 1_000 });

    expect(outcome).toMatchObject({ ok: true, status: 200, responseTruncated: true });
    expect(outcome.responseBody).toBe('x'.repeat(1_000));
    expect(outcome.latencyMs).toBeLessThan(3_000); // long before the deadline
    await until(() => finished && receiver.sockets.size === 0, 'the receiver to see the connection closed');
    expect(written).toBeLessThan(64 * 1024 ** 2); // a few socket buffers, not the gigabyte
  });

  it('tries once more on a fresh connection when a reused keep-alive socket turns out closed', async () => {
    const seen = new WeakMap<Socket, number>();
    const receiver = await startReceiver((req, res) => {
      const n = (seen.get(req.socket) ?? 0) + 1;
      seen.set(req.socket, n);
      if (n === 2) req.socket.destroy(); // what a receiver closing an idle connection looks like, in the worst moment
      else res.end('ok');
    });
    expect(await send(receiver.url)).toMatchObject({ ok: true });
    expect(await send(receiver.url)).toMatchObject({ ok: true, status: 200 });
    expect(receiver.requests).toHaveLength(3);
    expect(receiver.connections).toBe(2);
  });

  it('reports a refused connection as a retryable network error', async () => {
    const receiver = await startReceiver((_req, res) => res.end());
    const url = receiver.url;
    await receiver.close();
    const outcome = await send(url);
    expect(outcome).toMatchObject({ ok: false, retryable: true });
    expect(outcome.error).toContain('ECONNREFUSED');
  });

  it('stops when aborted (graceful shutdown)', async () => {
    const receiver = await startReceiver(() => undefined);
    const controller = new AbortController();
    const pending = send(receiver.url, { signal: controller.signal });
    await until(() => receiver.requests.length === 1, 'the request to arrive');
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, error: 'aborted', retryable: true });
  });
});

// A self-signed certificate for hooks.trellis.test, made for these tests (EC P-256, valid until 2126);
// its key protects nothing.
const TEST_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgEl3jVARrzfOEbFGS
XGHEF8Bm5VxVBv6a17SccBBKWlWhRANCAAQAiPI5YRv+5svo0ZoJqus/ZWrVamI+
C/1lvgMr8dTwCsmjSKJxdPwsAw0yMueU0ak0X/8eO2fSF/wgEP6hxjmN
-----END PRIVATE KEY-----`;
const TEST_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBrzCCAVagAwIBAgIUIUgDHMz7w9VctljKvebD2SEbLrYwCgYIKoZIzj0EAwIw
HTEbMBkGA1UEAwwSaG9va3MudHJlbGxpcy50ZXN0MCAXDTI2MTEyMjE1MTkzOVoY
DzIxMjYxMDI5MTUxOTM5WjAdMRswGQYDVQQDDBJob29rcy50cmVsbGlzLnRlc3Qw
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQAiPI5YRv+5svo0ZoJqus/ZWrVamI+
C/1lvgMr8dTwCsmjSKJxdPwsAw0yMueU0ak0X/8eO2fSF/wgEP6hxjmNo3IwcDAd
BgNVHQ4EFgQU3omhXvQ8lOuziUFw10C2XqfhbS4wHwYDVR0jBBgwFoAU3omhXvQ8
lOuziUFw10C2XqfhbS4wDwYDVR0TAQH/BAUwAwEB/zAdBgNVHREEFjAUghJob29r
cy50cmVsbGlzLnRlc3QwCgYIKoZIzj0EAwIDRwAwRAIgT6PoMmgFLPeo6BeR9lrg
XP8YGW0cNaEp2OcbTYblWsgCIHlyo6LkjUaSsK3GmO5siKGA/4zajQsC16Z6ZCSC
HDEt
-----END CERTIFICATE-----`;

describe('sendWebhook over HTTPS', () => {
  it('connects to the pinned address but checks the certificate and sends SNI and Host for the host name', async () => {
    const server = https.createServer({ key: TEST_TLS_KEY, cert: TEST_TLS_CERT }, (req, res) =>
      res.end(`${(req.socket as unknown as { servername: string }).servername} ${req.headers.host}`),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const tlsAgents = { http: new http.Agent(), https: new https.Agent({ keepAlive: true, ca: TEST_TLS_CERT }) };
    const policy = new WebhookTargetPolicy(
      { allowPrivateNetworks: false, allowedHosts: ['127.0.0.1'] },
      { lookup: async () => [{ address: '127.0.0.1', family: 4 }] },
    );
    try {
      expect(await send(`https://hooks.trellis.test:${port}/in`, { policy, agents: tlsAgents })).toMatchObject({
        ok: true,
        responseBody: `hooks.trellis.test hooks.trellis.test:${port}`,
        address: '127.0.0.1',
      });
      // Same address, another name: the certificate does not match, so no delivery.
      const wrongName = await send(`https://other.trellis.test:${port}/in`, { policy, agents: tlsAgents });
      expect(wrongName).toMatchObject({ ok: false, retryable: true });
      expect(wrongName.error).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    } finally {
      destroyWebhookAgents(tlsAgents);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('sendWebhook and the target policy', () => {
  it('refuses a loopback target unless allowed, without connecting', async () => {
    const receiver = await startReceiver((_req, res) => res.end());
    const strict = new WebhookTargetPolicy({ allowPrivateNetworks: false, allowedHosts: [] });
    const outcome = await send(receiver.url, { policy: strict });
    expect(outcome).toMatchObject({ ok: false, retryable: false });
    expect(outcome.error).toMatch(/^target refused: 127\.0\.0\.1 is a loopback address/);
    expect(receiver.connections).toBe(0);

    const open = new WebhookTargetPolicy({ allowPrivateNetworks: true, allowedHosts: [] });
    expect(await send(receiver.url, { policy: open })).toMatchObject({ ok: true });
  });

  it('refuses a URL the policy finds invalid', async () => {
    expect(await send('http://user:secret@127.0.0.1:1/')).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('credentials') });
  });

  it('connects to the address approved at check time: a DNS answer that changes afterwards (rebinding) is never used', async () => {
    // 127.0.0.2 stands for a public address (allowed by the list); 127.0.0.1 for the private network.
    const outside = await startReceiver((_req, res) => res.end('outside'), '127.0.0.2');
    const inside = await startReceiver((_req, res) => res.end('inside'), '127.0.0.1', outside.port).catch(() => null);
    const answers = [['127.0.0.2'], ['127.0.0.1']];
    let lookups = 0;
    const rebinding: LookupAllAddresses = async () => {
      const answer = answers[Math.min(lookups++, answers.length - 1)]!;
      return answer.map((address) => ({ address, family: 4 }));
    };
    const policy = new WebhookTargetPolicy({ allowPrivateNetworks: false, allowedHosts: ['127.0.0.2'] }, { lookup: rebinding });
    const url = `http://hooks.rebind.test:${outside.port}/in`;

    // First answer public: the request goes there, under the host name, with no second lookup (an
    // unpinned client would ask the system resolver, which does not know hooks.rebind.test).
    expect(await send(url, { policy })).toMatchObject({ ok: true, responseBody: 'outside', address: '127.0.0.2' });
    expect(lookups).toBe(1);
    expect(outside.requests[0]!.headers.host).toBe(`hooks.rebind.test:${outside.port}`);

    // The name now points inside: refused before any connection.
    const second = await send(url, { policy });
    expect(second).toMatchObject({ ok: false, retryable: false });
    expect(second.error).toContain('resolves to 127.0.0.1');
    expect(inside?.requests ?? []).toHaveLength(0);
    expect(outside.requests).toHaveLength(1);
  });

  it('refuses a host with one allowed and one private address', async () => {
    const outside = await startReceiver((_req, res) => res.end(), '127.0.0.2');
    const policy = new WebhookTargetPolicy(
      { allowPrivateNetworks: false, allowedHosts: ['127.0.0.2'] },
      { lookup: async () => [{ address: '127.0.0.2', family: 4 }, { address: '10.0.0.1', family: 4 }] },
    );
    expect(await send(`http://mixed.test:${outside.port}/`, { policy })).toMatchObject({ ok: false, retryable: false });
    expect(outside.connections).toBe(0);
  });

  it('falls over to the next approved address when one does not answer (and to none other)', async () => {
    const second = await startReceiver((_req, res) => res.end('second'), '127.0.0.2');
    const policy = new WebhookTargetPolicy(
      { allowPrivateNetworks: false, allowedHosts: ['127.0.0.0/29'] },
      // 127.0.0.3 has nothing listening on that port: connection refused.
      { lookup: async () => [{ address: '127.0.0.3', family: 4 }, { address: '127.0.0.2', family: 4 }] },
    );
    expect(await send(`http://two.test:${second.port}/`, { policy })).toMatchObject({ ok: true, responseBody: 'second', address: '127.0.0.2' });
  });

  it('treats a host name that does not resolve as retryable', async () => {
    const policy = new WebhookTargetPolicy(
      { allowPrivateNetworks: false, allowedHosts: [] },
      { lookup: async () => Promise.reject(Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' })) },
    );
    const outcome = await send('https://hooks.example.com/', { policy });
    expect(outcome).toMatchObject({ ok: false, retryable: true });
    expect(outcome.error).toContain('EAI_AGAIN');
  });

  it('counts a slow DNS answer against the deadline', async () => {
    const policy = new WebhookTargetPolicy(
      { allowPrivateNetworks: true, allowedHosts: [] },
      { lookup: () => new Promise(() => undefined) },
    );
    const outcome = await send('http://slow-dns.test/', { policy, timeoutMs: 200 });
    expect(outcome).toMatchObject({ ok: false, error: 'timeout', retryable: true });
  });
});
