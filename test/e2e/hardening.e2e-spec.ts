/**
 * Hardening (issue 6 §5, docs/security.md "Hardening"), over real HTTP with real Redis and PostgreSQL:
 * rate limits per key and per address shared by replicas, failing open without Redis; security
 * headers, with the two browser UIs loading in a real Chromium under their policies; size limits
 * below the body; no internals in any error; and no secret in any log line of a real process.
 */
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { chromium } from 'playwright-core';
import { API_KEY_STORE, type ApiKeyRole, type ApiKeyStore } from '@trellis/platform';
import { ApiClient, type ApiResponse } from '../support/api-client';
import { ENGINE_ENTRY, killAllEngineProcesses, startEngineProcess } from '../support/processes';
import { DATABASE_URL, REDIS_URL, startTestApp, type TestApp } from '../support/test-app';

const LOW_LIMITS = {
  RATE_LIMIT_PER_MINUTE: '1',
  RATE_LIMIT_BURST: '3',
  RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '1',
  RATE_LIMIT_UNAUTHENTICATED_BURST: '3',
};

const STACK_OR_INTERNALS = /\bat .*\.(ts|js):\d+|node_modules|stack|SELECT |\brelation "?\w|syntax error|ECONN|Error:/i;

function expectProblem(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toMatchObject({ type: expect.stringMatching(/^urn:trellis:problem:/), title: expect.any(String), status, code, correlationId: expect.any(String) });
  expect(res.body.correlationId).toBe(res.headers.get('x-correlation-id'));
  expect(res.text).not.toMatch(STACK_OR_INTERNALS);
}

async function newKey(t: TestApp, role: ApiKeyRole = 'admin'): Promise<string> {
  const { secret } = await t.app.get<ApiKeyStore>(API_KEY_STORE).create({ name: `hardening ${randomBytes(3).toString('hex')}`, role });
  return secret;
}

/** A client whose requests come through the (loopback, trusted) proxy on behalf of `address`. */
const from = (client: ApiClient, address: string) => ({
  get: (path: string, headers: Record<string, string> = {}) => client.get(path, { 'X-Forwarded-For': address, ...headers }),
  post: (path: string, body: unknown) => client.post(path, body, { 'X-Forwarded-For': address }),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('rate limiting, shared by two API instances on one Redis', () => {
  // Two replicas of one deployment: the same database, Redis prefix and bootstrap key.
  const schema = `e2e_rl_${randomBytes(5).toString('hex')}`;
  const adminKey = `trk_test_${randomBytes(24).toString('base64url')}`;
  const shared = { ...LOW_LIMITS, DB_SCHEMA: schema, QUEUE_PREFIX: `trellis-test-${schema}`, ADMIN_API_KEY: adminKey };
  let a: TestApp;
  let b: TestApp;
  let apiA: ApiClient;
  let apiB: ApiClient;

  beforeAll(async () => {
    a = await startTestApp({ env: shared });
    b = await startTestApp({ env: shared });
    apiA = new ApiClient(a.url);
    apiB = new ApiClient(b.url);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    const pg = new Pool({ connectionString: DATABASE_URL, max: 1 });
    await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pg.end();
  });

  it('answers within the limit with the RateLimit headers, then 429 RATE_LIMITED with Retry-After', async () => {
    const key = await newKey(a);
    const client = from(apiA.withKey(key), '198.51.100.1');
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await client.get('/partnerships');
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('3');
      expect(res.headers.get('x-ratelimit-limit')).toBe('3');
      expect(res.headers.get('ratelimit-policy')).toBe('3;w=180');
      expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
      expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
      remaining.push(res.headers.get('ratelimit-remaining')!);
    }
    expect(remaining).toEqual(['2', '1', '0']);

    const limited = await client.get('/partnerships');
    expectProblem(limited, 429, 'RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(limited.body.detail).toContain('this API key');
  });

  it('keeps one bucket per key: another key (and the same address) is not affected', async () => {
    const [spent, fresh] = [await newKey(a, 'auditor'), await newKey(a, 'auditor')];
    for (let i = 0; i < 3; i++) expect((await from(apiA.withKey(spent), '198.51.100.2').get('/partnerships')).status).toBe(200);
    expect((await from(apiA.withKey(spent), '198.51.100.2').get('/partnerships')).status).toBe(429);
    const other = await from(apiA.withKey(fresh), '198.51.100.2').get('/partnerships');
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-remaining')).toBe('2');
  });

  it('counts requests the key guard refuses (a role that may not write) against the key, not the address', async () => {
    const auditor = from(apiA.withKey(await newKey(a, 'auditor')), '198.51.100.4');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await auditor.post('/partnerships', { name: 'Not allowed', initiationMode: 'agency', focus: 'x' })).status);
    expect(statuses).toEqual([403, 403, 403]);
    // Counted when each refused response closed: the next request finds the key's allowance spent.
    await eventually(async () => ((await auditor.get('/partnerships')).status === 429 ? true : undefined), 'the auditor key to be limited', 10_000);
    // The address was not charged: a request without a key from it is still only a 401.
    expect((await from(apiA, '198.51.100.4').get('/partnerships')).status).toBe(401);
  });

  it('counts a key across both instances (the buckets live in Redis, not in a process)', async () => {
    const key = await newKey(a);
    const statuses: number[] = [];
    for (const api of [apiA, apiB, apiA, apiB]) statuses.push((await from(api.withKey(key), '198.51.100.3').get('/partnerships')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    // The bootstrap key, known to both, is one key too.
    expect((await from(apiB.withKey(adminKey), '198.51.100.3').get('/partnerships')).headers.get('ratelimit-remaining')).toBe('2');
    expect((await from(apiA.withKey(adminKey), '198.51.100.3').get('/partnerships')).headers.get('ratelimit-remaining')).toBe('1');
  });

  it('limits requests without a valid key per address, lower, and then refuses even a valid key from it', async () => {
    const guesser = from(apiA, '203.0.113.9');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await guesser.get('/partnerships', { Authorization: `Bearer trk_guess_${i}_${randomBytes(16).toString('hex')}` })).status);
    expect(statuses).toEqual([401, 401, 401]);
    // The spent allowance is visible to the other instance as well.
    const limited = await from(apiB, '203.0.113.9').get('/partnerships', { Authorization: 'Bearer trk_guess_again_000000000000000000' });
    expectProblem(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.body.detail).toContain('client address');
    // A valid key from that address gets the same 429: the answer never tells a guesser which key is right.
    expect((await from(apiA.withKey(await newKey(a)), '203.0.113.9').get('/partnerships')).status).toBe(429);
    // Requests without any key count too; another address is unaffected.
    const anonymous = from(apiA, '203.0.113.10');
    expect([(await anonymous.get('/partnerships')).status, (await anonymous.get('/nowhere')).status, (await anonymous.get('/events')).status]).toEqual([401, 404, 401]);
    expect((await anonymous.get('/partnerships')).status).toBe(429);
    expect((await from(apiA, '203.0.113.11').get('/partnerships')).status).toBe(401);
  });

  it('does not count authenticated requests against their address', async () => {
    const key = await newKey(a);
    for (let i = 0; i < 3; i++) expect((await from(apiA.withKey(key), '203.0.113.20').get('/partnerships')).status).toBe(200);
    // The address still has its whole unauthenticated allowance.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await from(apiA, '203.0.113.20').get('/partnerships')).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('never limits /health', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await from(apiA, '203.0.113.30').get('/health');
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBeNull();
    }
  });
});

/** A TCP proxy in front of Redis that can be cut and restored, to take Redis away from a running app. */
class CuttableProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async open(): Promise<void> {
    if (this.server?.listening) return;
    const target = new URL(REDIS_URL);
    this.server = createServer((client) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  async cut(): Promise<void> {
    if (!this.server?.listening) return;
    const closed = new Promise((resolve) => this.server?.close(resolve));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

describe('rate limiting without Redis', () => {
  const proxy = new CuttableProxy();
  let t: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    await proxy.open();
    t = await startTestApp({ env: { ...LOW_LIMITS, RATE_LIMIT_BURST: '2', REDIS_URL: `redis://127.0.0.1:${proxy.port}` } });
    api = new ApiClient(t.url, t.adminKey);
  });
  afterAll(async () => {
    // Redis back before closing, so that the queues close cleanly.
    await proxy.open();
    await t?.close();
    await proxy.cut();
  });

  it('fails open: requests are served (unlimited, without RateLimit headers) while Redis is unreachable, and limited again once it is back', async () => {
    expect((await api.get('/partnerships')).headers.get('ratelimit-remaining')).toBe('1');
    await proxy.cut();
    for (let i = 0; i < 6; i++) {
      const res = await api.get('/partnerships');
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBeNull();
    }
    await proxy.open();
    // ioredis reconnects with a backoff; from then on the bucket (kept in Redis) counts again.
    await eventually(async () => ((await api.get('/partnerships')).status === 429 ? true : undefined), 'the limit to apply again after Redis returned');
  });
});

describe('headers, limits and errors', () => {
  let t: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    t = await startTestApp();
    api = new ApiClient(t.url, t.adminKey);
  });
  afterAll(async () => t?.close());

  it('sends the security headers and the strict policy on API responses, problem documents included', async () => {
    for (const res of [await api.get('/partnerships'), await api.get('/partnerships/not-a-uuid'), await api.withKey(undefined).get('/partnerships')]) {
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('loads the OpenAPI UI and the queue dashboard in a real browser without a single CSP violation', async () => {
    const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const context = await browser.newContext({ httpCredentials: { username: 'admin', password: t.adminKey } });
      for (const [path, ready] of [
        ['/docs', '.swagger-ui .info .title'],
        ['/admin/queues', 'text=Trellis queues'],
      ] as const) {
        const page = await context.newPage();
        const violations: string[] = [];
        await page.exposeFunction('reportViolation', (v: string) => void violations.push(v));
        await page.addInitScript({
          content: "document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI));",
        });
        const response = await page.goto(`${t.url}${path}`, { waitUntil: 'load' });
        expect(response?.status()).toBe(200);
        expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
        await page.waitForSelector(ready, { timeout: 30_000 });
        await page.waitForLoadState('networkidle').catch(() => undefined);
        expect({ path, violations }).toEqual({ path, violations: [] });
        await page.close();
      }
      // The docs page itself rendered the API's title from /docs-json.
    } finally {
      await browser.close();
    }
  });

  it('declares the 429 (with Retry-After) on every rate-limited operation of the OpenAPI document', async () => {
    const doc = (await api.get('/docs-json')).body as { paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>> };
    const missing: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const declared = operation.responses['429'];
        if (path === '/health' ? declared !== undefined : !declared?.headers?.['Retry-After']) missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(missing).toEqual([]);
    expect(Object.keys(doc.paths).length).toBeGreaterThan(20);
  });

  it('refuses a request target longer than MAX_URL_LENGTH with 414 URI_TOO_LONG', async () => {
    expectProblem(await api.get(`/partnerships?cursor=${'a'.repeat(t.config.maxUrlLength)}`), 414, 'URI_TOO_LONG');
  });

  it('answers oversized headers and malformed HTTP with problem documents from the parser level', async () => {
    const big = await api.get('/partnerships', { 'X-Padding': 'p'.repeat(t.config.maxHeaderBytes) });
    expect(big.status).toBe(431);
    expect(big.body).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE', correlationId: expect.any(String) });

    const raw = await rawExchange(t.url, 'NONSENSE / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(raw).toContain('application/problem+json');
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
  });

  it('answers unknown routes, bad percent-encoding and bad methods with problems that leak nothing', async () => {
    expectProblem(await api.get('/no/such/route'), 404, 'NOT_FOUND');
    const badEncoding = await api.get('/partnerships/%E0%A4%A');
    expect(badEncoding.status).toBe(400);
    expectProblem(badEncoding, 400, badEncoding.body.code);
    expectProblem(await api.request('PATCH', '/partnerships'), 404, 'NOT_FOUND');
    // A client error raised by the static files middleware behind /docs (http-errors) stays a 4xx.
    const range = await api.withKey(undefined).get('/docs/swagger-ui.css', { Range: 'bytes=999999999-' });
    expectProblem(range, 416, 'RANGE_NOT_SATISFIABLE');
    expect(range.headers.get('content-range')).toMatch(/^bytes \*\/\d+$/);
  });

  it('turns a forced internal error into a generic 500 with the correlation id and nothing internal', async () => {
    const id = (await api.post('/partnerships', { name: 'Internal error RPP', initiationMode: 'agency', focus: 'errors' })).body.partnershipId;
    const schema = t.config.dbSchema;
    await t.pg!.query(`ALTER TABLE ${schema}.events RENAME TO events_hidden`);
    try {
      const res = await api.get(`/partnerships/${id}`, { 'X-Correlation-Id': 'forced-500' });
      expectProblem(res, 500, 'INTERNAL');
      expect(res.body).toEqual({
        type: 'urn:trellis:problem:internal',
        title: 'Internal error',
        status: 500,
        detail: 'An unexpected error occurred; it has been logged with the correlation id',
        code: 'INTERNAL',
        correlationId: 'forced-500',
      });
    } finally {
      await t.pg!.query(`ALTER TABLE ${schema}.events_hidden RENAME TO events`);
    }
    expect((await api.get(`/partnerships/${id}`)).status).toBe(200);
  });
});

async function rawExchange(baseUrl: string, request: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let data = '';
    socket.on('data', (d) => (data += d.toString('utf8')));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
    socket.setTimeout(20_000, () => socket.destroy(new Error('no answer')));
  });
}

describe('secrets never logged (a real API process at LOG_LEVEL=debug)', () => {
  const schema = `e2e_log_${randomBytes(5).toString('hex')}`;
  const adminKey = `trk_logtest_${randomBytes(24).toString('base64url')}`;
  const dbPassword = `db-pass-${randomBytes(6).toString('hex')}`;
  const smtpPassword = `smtp-pass-${randomBytes(6).toString('hex')}`;
  const peopleMasterKey = randomBytes(32).toString('base64');
  const lines: string[] = [];
  let api: ApiClient;

  beforeAll(async () => {
    const dbUrl = new URL(DATABASE_URL);
    dbUrl.password = dbPassword; // the test database trusts local connections; the password is only there to be leaked
    const engine = startEngineProcess('api', ENGINE_ENTRY.api, {
      NODE_ENV: 'production',
      LOG_LEVEL: 'debug',
      EVENT_STORE: 'postgres',
      DATABASE_URL: dbUrl.toString(),
      DB_SCHEMA: schema,
      REDIS_URL,
      QUEUE_PREFIX: `trellis-test-${schema}`,
      RUN_WORKERS: 'true',
      SMTP_URL: `smtp://mailer:${smtpPassword}@127.0.0.1:2525`,
      ADMIN_API_KEY: adminKey,
      PEOPLE_MASTER_KEY: peopleMasterKey,
      PORT: '0',
      HOST: '127.0.0.1',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    });
    for (const stream of [engine.child.stdout, engine.child.stderr]) stream.on('data', (d: Buffer) => lines.push(...d.toString('utf8').split('\n')));
    const listening = await engine.waitForLog(/Trellis listening on http/, 'the API to listen', 120_000);
    api = new ApiClient(/http:\/\/[\d.:]+/.exec(listening)![0], adminKey);
  }, 150_000);
  afterAll(async () => {
    await killAllEngineProcesses();
    const pg = new Pool({ connectionString: DATABASE_URL, max: 1 });
    await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pg.end();
  });

  it('logs requests carrying keys, signatures, webhook secrets and personal data without any of them', async () => {
    const guess = `trk_guess_${randomBytes(20).toString('hex')}`;
    const signature = `v1,${randomBytes(32).toString('base64')}`;
    const person = { displayName: `Whetu Logtest ${randomBytes(3).toString('hex')}`, email: `whetu.${randomBytes(3).toString('hex')}@example.org` };

    expect((await api.get('/partnerships', { 'X-Correlation-Id': 'log-ok', 'X-Api-Key': adminKey, Cookie: `session=${adminKey}`, 'webhook-signature': signature })).status).toBe(200);
    expect((await api.withKey(guess).get('/partnerships', { 'X-Correlation-Id': 'log-401' })).status).toBe(401);
    expect((await api.withKey(undefined).get('/admin/queues', { Authorization: `Basic ${Buffer.from(`x:${guess}`).toString('base64')}` })).status).toBe(401);
    const subscription = await api.post('/subscriptions', { url: 'http://127.0.0.1:9/hook', description: 'log test' });
    expect(subscription.status).toBe(201);
    const webhookSecret: string = subscription.body.secret;
    expect(webhookSecret).toMatch(/^whsec_/);
    const created = await api.post('/admin/api-keys', { name: 'log test', role: 'member' });
    const newKeySecret: string | undefined = created.body?.secret;
    const registered = await api.post('/people', person);
    expect(registered.status).toBeLessThan(500);
    // Personal data in a body that fails to parse, and in one that fails validation.
    await api.request('POST', '/people', { rawBody: `{"displayName": "${person.displayName}", "email": "${person.email}"`, headers: { 'Content-Type': 'application/json' } });
    await api.post('/people', { ...person, extra: true });

    const secrets = [adminKey, guess, signature, webhookSecret, dbPassword, smtpPassword, peopleMasterKey, person.displayName, person.email, ...(newKeySecret ? [newKeySecret] : [])];
    // The access lines of these requests are written (the test is not vacuous)…
    const logged = await eventually(async () => {
      const text = lines.join('\n');
      return text.includes('"correlationId":"log-ok"') && text.includes('"correlationId":"log-401"') && text.includes('/subscriptions') ? text : undefined;
    }, 'the access lines');
    expect(logged).toContain('"url":"/people"');
    // …and none of the secrets is in any line, start-up lines included.
    for (const secret of secrets) {
      const leaks = lines.filter((l) => l.includes(secret) || l.includes(secret.slice(0, 20)));
      expect({ secret: secret.slice(0, 12), leaks }).toEqual({ secret: secret.slice(0, 12), leaks: [] });
    }
  });
});
