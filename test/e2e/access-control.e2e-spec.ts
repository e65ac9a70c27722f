/**
 * Access control end to end (issue 6 §1, DESIGN.md §9): the whole matrix of roles × routes, each role
 * unbound and bound to an organization, against the running app with its workers. The route list is
 * read from the app's own router, so a route added without a row here fails the test. Also: the admin
 * API for keys (hashed storage, revocation at once, the last admin key), organization scoping of
 * every `/partnerships/:id…` route, of the lists, the feeds and webhooks.
 */
import { randomUUID } from 'node:crypto';
import { EVENT_STORE, type EventStore } from '@trellis/event-store';
import { API_KEY_STORE, type ApiKeyRole, type ApiKeyStore } from '@trellis/platform';
import { ApiClient } from '../support/api-client';
import { STATE_AGENCY_PATH, TOOL_PATH, playScenario } from '../support/seed-scenarios';
import { startTestApp, type TestApp } from '../support/test-app';

/** The organization the bound keys belong to: the district of the tool scenario. */
const ORG = 'riverside-usd';
const UNKNOWN_UUID = '01900000-0000-7000-8000-00000000abcd';

let t: TestApp;
let api: ApiClient;
let keys: ApiKeyStore;
let store: EventStore;
/** Proposed by a key of ORG and played through: ORG is a member. */
let pA: string;
/** Played by the admin: ORG never was a member. */
let pB: string;
/** ORG joined it, then withdrew. */
let pW: string;

interface Principal {
  readonly label: string;
  readonly role?: ApiKeyRole;
  readonly organizationId?: string;
  readonly client: ApiClient;
}
const principals: Principal[] = [];
const principal = (label: string): Principal => principals.find((p) => p.label === label)!;
/** Subscriptions owned by each principal that may own one. */
const ownSubscription = new Map<string, string>();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

const projectionsCaughtUp = () =>
  until('the projections to catch up', async () => {
    const { body } = await api.get('/admin/projections');
    return body.projections?.length > 0 && body.projections.every((p: any) => p.lag === '0' && p.status !== 'rebuilding') ? true : undefined;
  });

const BROKERING = {
  brokerParticipantId: 'p-research-broker',
  fromOrganizationId: 'westlab',
  toOrganizationId: 'riverside-usd',
  activityKind: 'translate_research',
  workstreamId: 'ws-attendance-tool',
};

beforeAll(async () => {
  t = await startTestApp({ env: { RUN_WORKERS: 'true', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_MAX_ATTEMPTS: '1' } });
  api = new ApiClient(t.url, t.adminKey);
  keys = t.app.get(API_KEY_STORE);
  store = t.app.get(EVENT_STORE);
  const key = async (label: string, role: ApiKeyRole, organizationId?: string) => {
    const { secret } = await keys.create({ name: label, role, ...(organizationId ? { organizationId } : {}) });
    principals.push({ label, role, ...(organizationId ? { organizationId } : {}), client: api.withKey(secret) });
  };
  principals.push({ label: 'admin', role: 'admin', client: api });
  await key('auditor', 'auditor');
  await key('integrator', 'integrator');
  await key('member', 'member');
  await key('auditor@org', 'auditor', ORG);
  await key('integrator@org', 'integrator', ORG);
  await key('member@org', 'member', ORG);
  const revoked = await keys.create({ name: 'revoked', role: 'admin' });
  await keys.revoke(revoked.record.apiKeyId);
  principals.push({ label: 'no key', client: api.withKey(undefined) });
  principals.push({ label: 'unknown key', client: api.withKey('trk_unknown_key_0000000000000000000000000000') });
  principals.push({ label: 'revoked key', client: api.withKey(revoked.secret) });

  pA = await playScenario(principal('member@org').client, TOOL_PATH);
  pB = await playScenario(api, STATE_AGENCY_PATH);
  pW = (await api.post('/partnerships', { name: 'Short-lived', initiationMode: 'agency', focus: 'A district that left' })).body.partnershipId;
  await api.commands(pW, [
    ['JoinOrganization', { organizationId: ORG, name: 'Riverside Unified School District', orgType: 'school_district', side: 'practice' }],
    ['JoinOrganization', { organizationId: 'westlab', name: 'West Regional Research Lab', orgType: 'research_organization', side: 'research' }],
    ['WithdrawOrganization', { organizationId: ORG, reason: 'Budget cuts' }],
  ]);
  for (const label of ['admin', 'integrator', 'integrator@org']) {
    const res = await principal(label).client.post('/subscriptions', { url: 'http://127.0.0.1:9/hook', partnershipIds: [pA] });
    if (res.status !== 201) throw new Error(`subscription for ${label}: ${res.status} ${res.text}`);
    ownSubscription.set(label, res.body.id);
  }
  await projectionsCaughtUp();
}, 180_000);
afterAll(async () => t?.close());

// --- the matrix --------------------------------------------------------------------------------

type Access = 'public' | readonly ApiKeyRole[];
interface Row {
  readonly method: string;
  readonly route: string;
  readonly access: Access;
  /** The status a principal allowed on the route gets (undefined: any status but 401/403). */
  readonly ok?: number;
  /** The request to make; `id` is the partnership to address. */
  readonly request?: (ctx: { id: string; who: Principal }) => { path: string; body?: unknown; headers?: Record<string, string> };
  /** Served by an endless stream: only the status is read. */
  readonly stream?: boolean;
  /** Mounted as middleware, not a route: absent from the router's route list. */
  readonly middleware?: boolean;
  /** Added by work in progress elsewhere: may be absent from the router. */
  readonly pending?: boolean;
  /** About every partnership: refused (403) to organization-bound keys whatever their role. */
  readonly unboundOnly?: boolean;
}

const READERS: ApiKeyRole[] = ['admin', 'auditor', 'member'];
const WRITERS: ApiKeyRole[] = ['admin', 'member'];
const FEED: ApiKeyRole[] = ['admin', 'auditor', 'integrator', 'member'];
const CATALOG: ApiKeyRole[] = ['admin', 'auditor', 'integrator', 'member'];
const HOOKS: ApiKeyRole[] = ['admin', 'integrator'];
const ADMIN: ApiKeyRole[] = ['admin'];
const AUDIT: ApiKeyRole[] = ['admin', 'auditor'];
const PEOPLE: ApiKeyRole[] = ['admin', 'member'];

const ownSub = (who: Principal) => ownSubscription.get(who.label) ?? UNKNOWN_UUID;

const ROUTES: readonly Row[] = [
  { method: 'GET', route: '/health', access: 'public', ok: 200 },
  { method: 'GET', route: '/docs', access: 'public', ok: 200, request: () => ({ path: '/docs' }) },
  { method: 'GET', route: '/docs-json', access: 'public', ok: 200 },
  { method: 'GET', route: '/admin/queues', access: ADMIN, ok: 200, middleware: true },
  { method: 'GET', route: '/metrics', access: AUDIT, ok: 200, unboundOnly: true },

  { method: 'POST', route: '/partnerships', access: WRITERS, ok: 201, request: () => ({ path: '/partnerships', body: { name: 'Matrix', initiationMode: 'agency', focus: 'Access' } }) },
  { method: 'GET', route: '/partnerships', access: READERS, ok: 200 },
  { method: 'GET', route: '/partnerships/:id', access: READERS, ok: 200 },
  { method: 'GET', route: '/partnerships/:id/history', access: READERS, ok: 200 },
  { method: 'GET', route: '/partnerships/:id/verify', access: READERS, ok: 200 },
  { method: 'GET', route: '/partnerships/:id/timeline', access: READERS, ok: 200 },
  { method: 'GET', route: '/partnerships/:id/timeline.html', access: READERS, ok: 200 },
  { method: 'GET', route: '/partnerships/:id/participation', access: READERS, ok: 200 },
  { method: 'GET', route: '/partnerships/:id/effectiveness', access: READERS, ok: 200 },
  { method: 'GET', route: '/partnerships/:id/agreements', access: READERS, ok: 200 },
  { method: 'GET', route: '/partnerships/:id/brokers', access: READERS, ok: 200 },
  { method: 'GET', route: '/partnerships/:id/reminders', access: READERS, ok: 200 },
  {
    method: 'POST',
    route: '/partnerships/:id/commands',
    access: WRITERS,
    ok: 201,
    request: ({ id }) => ({ path: `/partnerships/${id}/commands`, body: { type: 'RecordBrokeringActivity', data: BROKERING } }),
  },
  { method: 'GET', route: '/workstreams', access: READERS, ok: 200, request: () => ({ path: '/workstreams?stalled=true' }) },

  { method: 'GET', route: '/events', access: FEED, ok: 200, request: () => ({ path: '/events?limit=5' }) },
  { method: 'GET', route: '/events/stream', access: FEED, ok: 200, stream: true },
  { method: 'GET', route: '/events/catalog', access: CATALOG, ok: 200 },
  { method: 'GET', route: '/events/schemas/:type', access: CATALOG, ok: 200, request: () => ({ path: '/events/schemas/PartnershipProposed' }) },

  { method: 'POST', route: '/subscriptions', access: HOOKS, ok: 201, request: ({ id }) => ({ path: '/subscriptions', body: { url: 'http://127.0.0.1:9/matrix', partnershipIds: [id] } }) },
  { method: 'GET', route: '/subscriptions', access: HOOKS, ok: 200 },
  { method: 'GET', route: '/subscriptions/:id', access: HOOKS, ok: 200, request: ({ who }) => ({ path: `/subscriptions/${ownSub(who)}` }) },
  { method: 'DELETE', route: '/subscriptions/:id', access: HOOKS, ok: 404, request: () => ({ path: `/subscriptions/${UNKNOWN_UUID}` }) },
  { method: 'POST', route: '/subscriptions/:id/pause', access: HOOKS, ok: 200, request: ({ who }) => ({ path: `/subscriptions/${ownSub(who)}/pause`, body: {} }) },
  { method: 'POST', route: '/subscriptions/:id/resume', access: HOOKS, ok: 200, request: ({ who }) => ({ path: `/subscriptions/${ownSub(who)}/resume` }) },
  { method: 'POST', route: '/subscriptions/:id/rotate-secret', access: HOOKS, ok: 404, request: () => ({ path: `/subscriptions/${UNKNOWN_UUID}/rotate-secret` }) },
  { method: 'POST', route: '/subscriptions/:id/replay', access: HOOKS, ok: 404, request: () => ({ path: `/subscriptions/${UNKNOWN_UUID}/replay`, body: { fromPosition: '0' } }) },
  { method: 'GET', route: '/subscriptions/:id/deliveries', access: HOOKS, ok: 200, request: ({ who }) => ({ path: `/subscriptions/${ownSub(who)}/deliveries` }) },
  {
    method: 'POST',
    route: '/subscriptions/:id/deliveries/:deliveryId/redrive',
    access: HOOKS,
    ok: 404,
    request: () => ({ path: `/subscriptions/${UNKNOWN_UUID}/deliveries/${UNKNOWN_UUID}/redrive` }),
  },
  { method: 'POST', route: '/subscriptions/:id/redrive', access: HOOKS, ok: 404, request: () => ({ path: `/subscriptions/${UNKNOWN_UUID}/redrive` }) },

  { method: 'GET', route: '/admin/projections', access: ADMIN, ok: 200 },
  { method: 'POST', route: '/admin/projections/rebuild', access: ADMIN, ok: 404, request: () => ({ path: '/admin/projections/rebuild', body: { projections: ['nope'] } }) },
  { method: 'GET', route: '/admin/projections/:name', access: ADMIN, ok: 200, request: () => ({ path: '/admin/projections/timeline' }) },
  { method: 'POST', route: '/admin/projections/:name/rebuild', access: ADMIN, ok: 404, request: () => ({ path: '/admin/projections/nope/rebuild' }) },
  { method: 'POST', route: '/admin/projections/:name/rebuild/cancel', access: ADMIN, ok: 404, request: () => ({ path: '/admin/projections/nope/rebuild/cancel' }) },
  { method: 'POST', route: '/admin/api-keys', access: ADMIN, ok: 201, request: () => ({ path: '/admin/api-keys', body: { name: 'matrix', role: 'member' } }) },
  { method: 'GET', route: '/admin/api-keys', access: ADMIN, ok: 200 },
  { method: 'DELETE', route: '/admin/api-keys/:id', access: ADMIN, ok: 404, request: () => ({ path: `/admin/api-keys/${UNKNOWN_UUID}` }) },
  { method: 'GET', route: '/audit/verify', access: AUDIT, ok: 200 },

  // The people vault (built alongside): the role class only; who may see which person is its own test's.
  // Reading a person is for every reader (auditors included); registering and erasing for writers.
  { method: 'POST', route: '/people', access: PEOPLE, pending: true, request: () => ({ path: '/people', body: {} }) },
  { method: 'GET', route: '/people/:id', access: READERS, pending: true, request: () => ({ path: `/people/${UNKNOWN_UUID}` }) },
  { method: 'POST', route: '/people/:id/erasure', access: PEOPLE, pending: true, request: () => ({ path: `/people/${UNKNOWN_UUID}/erasure`, body: {} }) },
];

const isScoped = (row: Row) => /^\/partnerships\/:id(?:[/.]|$)/.test(row.route);

/** Every (method, path) route the running app serves. */
function routerRoutes(): Array<{ method: string; route: string }> {
  const express = t.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } };
  const out: Array<{ method: string; route: string }> = [];
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    for (const method of Object.keys(layer.route.methods)) {
      if (method === '_all') continue;
      out.push({ method: method.toUpperCase(), route: layer.route.path });
    }
  }
  return out;
}

/**
 * Not API routes: Swagger UI's own static assets under /docs, and the catch-all `/{*path}` entries
 * through which Nest mounts global middleware (request logging and the like) for every method.
 */
const isNotAnApiRoute = (route: string) => route === '/{*path}' || (route.startsWith('/docs') && route !== '/docs' && route !== '/docs-json');

async function call(row: Row, who: Principal, id: string): Promise<{ status: number; code?: string }> {
  const req = row.request?.({ id, who }) ?? { path: row.route.replace(':id', id) };
  if (row.stream) {
    const controller = new AbortController();
    const headers: Record<string, string> = who.client.apiKey ? { Authorization: `Bearer ${who.client.apiKey}` } : {};
    const res = await fetch(`${t.url}${req.path}`, { headers, signal: controller.signal });
    const code = res.status >= 400 ? ((await res.json()) as { code?: string }).code : undefined;
    controller.abort();
    return { status: res.status, ...(code ? { code } : {}) };
  }
  const res = await who.client.request(row.method, req.path, { ...(req.body !== undefined ? { body: req.body } : {}), ...(req.headers ? { headers: req.headers } : {}) });
  return { status: res.status, ...(typeof res.body === 'object' && res.body?.code ? { code: res.body.code } : {}) };
}

/** What a principal must get on a row for partnership `id` (`own`: its organization's, or any for unbound keys). */
function expected(row: Row, who: Principal, own: boolean): number | 'allowed' {
  if (row.access === 'public') return row.ok ?? 200;
  if (!who.role) return 401;
  if (!row.access.includes(who.role)) return 403;
  if (row.unboundOnly && who.organizationId) return 403;
  if (isScoped(row) && who.organizationId && !own) return 404;
  return row.ok ?? 'allowed';
}

describe('the matrix of roles × routes', () => {
  it('has a row for every route the app serves, and every row is a route', () => {
    const served = routerRoutes().filter((r) => !isNotAnApiRoute(r.route));
    const key = (r: { method: string; route: string }) => `${r.method} ${r.route}`;
    const rows = new Set(ROUTES.map(key));
    expect(served.map(key).filter((k) => !rows.has(k))).toEqual([]);
    const servedKeys = new Set(served.map(key));
    expect(ROUTES.filter((r) => !r.middleware && !r.pending && !servedKeys.has(key(r))).map(key)).toEqual([]);
  });

  it('answers each principal on each route with the expected status, and refused writes append nothing', async () => {
    const mismatches: string[] = [];
    for (const row of ROUTES) {
      if (row.pending && !routerRoutes().some((r) => r.method === row.method && r.route === row.route)) continue;
      for (const who of principals) {
        // Unbound keys address any partnership; bound keys their organization's and another's.
        const targets: Array<[string, boolean]> = isScoped(row) && who.organizationId ? [[pA, true], [pB, false]] : [[pA, true]];
        for (const [id, own] of targets) {
          const want = expected(row, who, own);
          const before = await store.headPosition();
          const got = await call(row, who, id);
          const refused = got.status === 401 || got.status === 403 || got.status === 404;
          const ok = want === 'allowed' ? got.status !== 401 && got.status !== 403 : got.status === want;
          if (!ok) mismatches.push(`${row.method} ${row.route} as ${who.label} on ${own ? 'own' : 'other'}: want ${want}, got ${got.status} ${got.code ?? ''}`);
          if (row.method !== 'GET' && refused && typeof want === 'number' && want >= 401) {
            const after = await store.headPosition();
            if (after !== before) mismatches.push(`${row.method} ${row.route} as ${who.label}: refused (${got.status}) but the log moved ${before} → ${after}`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
  }, 300_000);
});

// --- keys ----------------------------------------------------------------------------------------

describe('the admin API for keys', () => {
  it('creates a key whose secret is shown once and works at once; lists records without secrets or hashes', async () => {
    const created = await api.post('/admin/api-keys', { name: 'warehouse', role: 'integrator', organizationId: 'lea-metro' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      apiKeyId: expect.any(String),
      name: 'warehouse',
      role: 'integrator',
      organizationId: 'lea-metro',
      prefix: created.body.secret.slice(0, 8),
      createdAt: expect.any(String),
      bootstrap: false,
      secret: expect.stringMatching(/^trk_[A-Za-z0-9_-]{43}$/),
    });
    expect(created.headers.get('location')).toBe(`/admin/api-keys/${created.body.apiKeyId}`);
    expect((await api.withKey(created.body.secret).get('/events/catalog')).status).toBe(200);

    const listed = await api.get('/admin/api-keys');
    expect(listed.status).toBe(200);
    const record = listed.body.items.find((k: any) => k.apiKeyId === created.body.apiKeyId);
    expect(record).toEqual({ ...created.body, secret: undefined });
    expect(listed.text).not.toContain(created.body.secret);
    expect(listed.text).not.toMatch(/[0-9a-f]{64}/); // no hash
    expect(listed.text).not.toContain(t.adminKey);
  });

  it('stores keys hashed: no table holds a secret', async () => {
    const { body } = await api.post('/admin/api-keys', { name: 'hashed', role: 'auditor' });
    const secrets = [body.secret as string, t.adminKey];
    const schema = t.config.dbSchema;
    const { rows: tables } = await t.pg!.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
      [schema],
    );
    expect(tables.map((r) => r.table_name)).toContain('api_keys');
    for (const { table_name } of tables) {
      const { rows } = await t.pg!.query<{ row: string }>(`SELECT row_to_json(x)::text AS row FROM ${schema}."${table_name}" x`);
      for (const { row } of rows) for (const secret of secrets) expect(row.includes(secret) ? `${table_name}: ${row}` : null).toBeNull();
    }
  });

  it('revokes at once: the very next request is 401; revoking again or an unknown key is 404', async () => {
    const { body } = await api.post('/admin/api-keys', { name: 'leaked', role: 'member' });
    const leaked = api.withKey(body.secret);
    expect((await leaked.get(`/partnerships/${pA}`)).status).toBe(200);
    const revoked = await api.request('DELETE', `/admin/api-keys/${body.apiKeyId}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ apiKeyId: body.apiKeyId, revokedAt: expect.any(String) });
    const next = await leaked.get(`/partnerships/${pA}`);
    expect(next.status).toBe(401);
    expect(next.body.code).toBe('UNAUTHENTICATED');
    expect((await api.request('DELETE', `/admin/api-keys/${body.apiKeyId}`)).body.code).toBe('API_KEY_NOT_FOUND');
    expect((await api.request('DELETE', `/admin/api-keys/${UNKNOWN_UUID}`)).status).toBe(404);
    expect((await api.request('DELETE', '/admin/api-keys/not-a-uuid')).body.code).toBe('INVALID_ID');
    const listed = (await api.get('/admin/api-keys')).body.items.find((k: any) => k.apiKeyId === body.apiKeyId);
    expect(listed.revokedAt).toBe(revoked.body.revokedAt);
  });

  it.each([
    [{ role: 'member' }, ['name']],
    [{ name: '', role: 'member' }, ['name']],
    [{ name: '   ', role: 'member' }, ['name']],
    [{ name: 'x'.repeat(101), role: 'member' }, ['name']],
    [{ name: 'k', role: 'root' }, ['role']],
    [{ name: 'k' }, ['role']],
    [{ name: 'k', role: 'member', organizationId: 'has space' }, ['organizationId']],
    [{ name: 'k', role: 'member', organizationId: 'o'.repeat(101) }, ['organizationId']],
    [{ name: 'k', role: 'member', organizationId: null }, ['organizationId']],
    [{ name: 'k', role: 'admin', organizationId: 'riverside-usd' }, ['organizationId']],
    [{ name: 7, role: 'member', extra: true }, ['name', 'extra']],
  ])('refuses %j with 400 naming %j, creating nothing', async (body, fields) => {
    const before = (await api.get('/admin/api-keys')).body.items.length;
    const res = await api.post('/admin/api-keys', body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: any) => e.field).sort()).toEqual([...fields].sort());
    expect((await api.get('/admin/api-keys')).body.items.length).toBe(before);
  });

  it('refuses to revoke the last active admin key (409) but revokes an admin key while another remains', async () => {
    const { body: second } = await api.post('/admin/api-keys', { name: 'second admin', role: 'admin' });
    const other = api.withKey(second.secret);
    const bootstrap = (await api.get('/admin/api-keys')).body.items.find((k: any) => k.bootstrap && !k.revokedAt);
    const activeAdmins = (await api.get('/admin/api-keys')).body.items.filter((k: any) => k.role === 'admin' && !k.revokedAt);
    // Every admin key but the bootstrap one and the new one goes first (the matrix may have made some).
    for (const k of activeAdmins) if (k.apiKeyId !== bootstrap.apiKeyId && k.apiKeyId !== second.apiKeyId) await api.request('DELETE', `/admin/api-keys/${k.apiKeyId}`);
    expect((await other.request('DELETE', `/admin/api-keys/${second.apiKeyId}`)).status).toBe(200);
    const refused = await api.request('DELETE', `/admin/api-keys/${bootstrap.apiKeyId}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('LAST_ADMIN_KEY');
    expect((await api.get('/admin/api-keys')).status).toBe(200);
  });
});

// --- organization scoping ------------------------------------------------------------------------

describe('organization scoping', () => {
  const bound = () => principal('member@org').client;

  it('hides another organization’s partnership on every :id route exactly like an unknown one', async () => {
    // The same answer, byte for byte once the ids and the correlation id are set aside.
    const normalized = (res: { text: string; headers: Headers }, id: string) =>
      res.text.replaceAll(id, '<id>').replaceAll(res.headers.get('x-correlation-id') ?? '<none>', '<correlation>');
    for (const row of ROUTES.filter((r) => isScoped(r) && r.method === 'GET')) {
      const other = await bound().get(row.route.replace(':id', pB));
      const unknown = await bound().get(row.route.replace(':id', UNKNOWN_UUID));
      expect({ route: row.route, status: other.status }).toEqual({ route: row.route, status: 404 });
      expect({ route: row.route, status: unknown.status }).toEqual({ route: row.route, status: 404 });
      if (other.headers.get('content-type')?.includes('json')) expect(other.body.code).toBe('PARTNERSHIP_NOT_FOUND');
      expect({ route: row.route, body: normalized(other, pB) }).toEqual({ route: row.route, body: normalized(unknown, UNKNOWN_UUID) });
    }
    const command = await bound().command(pB, 'RecordBrokeringActivity', BROKERING);
    const unknownCommand = await bound().command(UNKNOWN_UUID, 'RecordBrokeringActivity', BROKERING);
    expect([command.status, command.body.code]).toEqual([404, 'PARTNERSHIP_NOT_FOUND']);
    expect([unknownCommand.status, unknownCommand.body.code]).toEqual([404, 'PARTNERSHIP_NOT_FOUND']);
  });

  it('lets a bound member act on a partnership it just proposed, at once (no read-model lag)', async () => {
    const proposed = await bound().post('/partnerships', { name: 'Fresh', initiationMode: 'agency', focus: 'Right away' });
    expect(proposed.status).toBe(201);
    const id = proposed.body.partnershipId;
    const joined = await bound().command(id, 'JoinOrganization', { organizationId: ORG, name: 'Riverside Unified School District', orgType: 'school_district', side: 'practice' });
    expect(joined.status).toBe(201);
    expect((await bound().get(`/partnerships/${id}`)).status).toBe(200);
    // Another organization's member does not see it.
    const { secret } = await keys.create({ name: 'member of sea', role: 'member', organizationId: 'sea' });
    expect((await api.withKey(secret).get(`/partnerships/${id}`)).status).toBe(404);
    expect((await api.withKey(secret).command(id, 'RecordReflection', {})).status).toBe(404);
  });

  it('lets an organization that joined act at once, and one that withdrew read but not write', async () => {
    const { secret } = await keys.create({ name: 'member of lea-metro', role: 'member', organizationId: 'lea-metro' });
    const metro = api.withKey(secret);
    expect((await metro.get(`/partnerships/${pW}`)).status).toBe(404);
    await api.commands(pW, [['JoinOrganization', { organizationId: 'lea-metro', name: 'Metro City Schools', orgType: 'LEA', side: 'practice' }]]);
    expect((await metro.get(`/partnerships/${pW}`)).status).toBe(200);

    expect((await bound().get(`/partnerships/${pW}/history`)).status).toBe(200);
    const before = await store.headPosition();
    const refused = await bound().command(pW, 'RecordBrokeringActivity', BROKERING);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('ORGANIZATION_WITHDRAWN');
    expect(await store.headPosition()).toBe(before);
  });

  it('filters the lists: partnerships and workstreams of the organization only', async () => {
    await projectionsCaughtUp();
    const listed = await bound().get('/partnerships?limit=200');
    expect(listed.status).toBe(200);
    const ids = listed.body.items.map((i: any) => i.partnershipId);
    expect(ids).toContain(pA);
    expect(ids).toContain(pW);
    expect(ids).not.toContain(pB);
    expect((await api.get('/partnerships?limit=200')).body.items.map((i: any) => i.partnershipId)).toContain(pB);
    expect((await bound().get(`/partnerships?organizationId=sea`)).body.items).toEqual([]);

    const workstreams = await principal('auditor@org').client.get('/workstreams?limit=500');
    expect(workstreams.status).toBe(200);
    expect(new Set(workstreams.body.items.map((w: any) => w.partnershipId))).toEqual(new Set([pA]));
    expect((await api.get('/workstreams?limit=500')).body.items.map((w: any) => w.partnershipId)).toContain(pB);
    expect((await bound().get(`/workstreams?partnershipId=${pB}`)).body.items).toEqual([]);
  });

  it('shows a bound key only its organization’s events in the feed, from the moment it became a member', async () => {
    const integrator = principal('integrator@org').client;
    const seen: any[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await integrator.get(`/events?limit=1000${after ? `&after=${after}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.events);
      if (page.body.next === null) break;
      after = page.body.next;
    }
    const partnerships = new Set(seen.map((e) => e.metadata.partnershipId));
    expect(partnerships.has(pA)).toBe(true);
    expect(partnerships.has(pB)).toBe(false);
    // pW: from ORG's OrganizationJoined on (the admin's proposal before it is not shown), withdrawal included.
    const w = seen.filter((e) => e.metadata.partnershipId === pW).map((e) => e.type);
    expect(w[0]).toBe('OrganizationJoined');
    expect(w).toContain('OrganizationWithdrew');
    expect(w).not.toContain('PartnershipProposed');
    // Every pA event, in the unbound feed's order.
    const all = (await api.get('/events?limit=1000')).body.events.filter((e: any) => e.metadata.partnershipId === pA).map((e: any) => e.eventId);
    expect(seen.filter((e) => e.metadata.partnershipId === pA).map((e) => e.eventId)).toEqual(all);
    // A filtered page sees the same.
    const typed = await integrator.get('/events?limit=1000&types=PartnershipProposed');
    expect(typed.body.events.map((e: any) => e.metadata.partnershipId)).not.toContain(pB);
    expect(typed.body.events.map((e: any) => e.metadata.partnershipId)).toContain(pA);
    expect((await principal('integrator').client.get(`/events?limit=1000&partnershipId=${pB}`)).body.events.length).toBeGreaterThan(0);
    expect((await integrator.get(`/events?limit=1000&partnershipId=${pB}`)).body.events).toEqual([]);
  });

  it('streams a bound key only its organization’s events (SSE), including live ones', async () => {
    const controller = new AbortController();
    const res = await fetch(`${t.url}/events/stream`, { headers: { Authorization: `Bearer ${principal('integrator@org').client.apiKey}` }, signal: controller.signal });
    expect(res.status).toBe(200);
    // Live: one event in the other organization's partnership, then a marker in ours.
    expect((await api.command(pB, 'RecordBrokeringActivity', { brokerParticipantId: 'p-sea-director', fromOrganizationId: 'sea', toOrganizationId: 'lea-highland', activityKind: 'share_strategies', workstreamId: 'ws-retention' })).status).toBe(201);
    const marker = await api.command(pA, 'RecordBrokeringActivity', BROKERING);
    expect(marker.status).toBe(201);
    const markerId = marker.body.events[0].eventId;
    const events: any[] = [];
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    while (!events.some((e) => e.eventId === markerId)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (data) events.push(JSON.parse(data.slice(6)));
      }
    }
    controller.abort();
    expect(events.some((e) => e.eventId === markerId)).toBe(true);
    expect(events.filter((e) => e.metadata.partnershipId === pB)).toEqual([]);
    expect(events.filter((e) => e.metadata.partnershipId === pA).length).toBeGreaterThan(TOOL_PATH.steps.length);
  }, 60_000);

  it('limits a bound integrator’s webhooks to named partnerships of its organization', async () => {
    const integrator = principal('integrator@org').client;
    const before = (await integrator.get('/subscriptions')).body.items.length;
    const unnamed = await integrator.post('/subscriptions', { url: 'http://127.0.0.1:9/all' });
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.errors.map((e: any) => e.field)).toEqual(['partnershipIds']);
    const other = await integrator.post('/subscriptions', { url: 'http://127.0.0.1:9/b', partnershipIds: [pA, pB] });
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('PARTNERSHIP_NOT_FOUND');
    expect((await integrator.get('/subscriptions')).body.items.length).toBe(before);
    const own = await integrator.post('/subscriptions', { url: 'http://127.0.0.1:9/a', partnershipIds: [pA.toUpperCase()] });
    expect(own.status).toBe(201);
    // Unbound integrators are not restricted.
    expect((await principal('integrator').client.post('/subscriptions', { url: 'http://127.0.0.1:9/any' })).status).toBe(201);
  });

  it('verifies only the organization’s streams for a bound auditor', async () => {
    const all = await api.get('/audit/verify');
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ valid: true, brokenStreams: 0, broken: [] });
    const scoped = await principal('auditor@org').client.get('/audit/verify');
    expect(scoped.status).toBe(200);
    expect(scoped.body.streamsChecked).toBeGreaterThan(0);
    expect(scoped.body.streamsChecked).toBeLessThan(all.body.streamsChecked);
    expect(scoped.body.eventsChecked).toBeLessThan(all.body.eventsChecked);
  });

  it('costs an unbound key nothing: no membership index is built for it', async () => {
    const { OrganizationMembership } = await import('../../apps/api/src/auth/organization-membership');
    // The index only grows through organization-bound requests; an unbound reader leaves its checkpoint alone.
    const { EventStreams } = await import('../../apps/api/src/event-feed/event-streams');
    const membership = t.app.get(OrganizationMembership);
    // The bound stream of the previous test must be gone: it would follow this test's append.
    await until('the bound SSE stream to close', async () => (t.app.get(EventStreams).openCount === 0 ? true : undefined));
    const checkpoint = membership.checkpoint;
    await api.command(pA, 'RecordBrokeringActivity', BROKERING);
    for (const path of [`/partnerships/${pA}`, '/partnerships', '/events?limit=10', '/workstreams']) expect((await principal('auditor').client.get(path)).status).toBe(200);
    expect(membership.checkpoint).toBe(checkpoint);
  });
});

it('answers a request for a random partnership id as 404 for bound keys and unknown ids alike', async () => {
  const id = randomUUID();
  expect((await principal('auditor@org').client.get(`/partnerships/${id}`)).status).toBe(404);
  expect((await api.get(`/partnerships/${id}`)).status).toBe(404);
});
