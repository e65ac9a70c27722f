/**
 * Webhooks end to end (DESIGN.md §6): the API with its workers in process (real PostgreSQL, real
 * Redis/BullMQ) delivering to a real HTTP receiver on loopback. Signatures are checked with the
 * independent `standardwebhooks` package and bodies parsed with the CloudEvents SDK.
 */
import { HTTP } from 'cloudevents';
import { Webhook } from 'standardwebhooks';
import { API_KEY_STORE, type ApiKeyStore } from '@trellis/platform';
import { ApiClient } from '../support/api-client';
import { WebhookDeliveryProcessor } from '../../libs/integrations/src/webhooks/webhook-delivery.processor';
import { startTestApp, type TestApp } from '../support/test-app';
import { eventually, WebhookReceiver, type ReceivedWebhook } from '../support/webhook-receiver';

let t: TestApp;
let api: ApiClient;
let receiver: WebhookReceiver;
let seq = 0;

const BACKOFF_MS = 100;
const AUTO_PAUSE_SECONDS = 2;

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  t = await startTestApp({
    env: {
      RUN_WORKERS: 'true',
      // Only the receiver's loopback address: any other private address stays refused.
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_BACKOFF_MS: String(BACKOFF_MS),
      WEBHOOK_BACKOFF_JITTER_PERCENT: '20',
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_TIMEOUT_MS: '2000',
      WEBHOOK_AUTO_PAUSE_AFTER_SECONDS: String(AUTO_PAUSE_SECONDS),
      WEBHOOK_SECRET_GRACE_SECONDS: '3600',
      WEBHOOK_DELIVERY_CONCURRENCY: '48',
    },
  });
  api = new ApiClient(t.url, t.adminKey);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

/** A fresh receiver path and a subscription to it. */
async function subscribe(body: Record<string, unknown> = {}, client = api): Promise<{ id: string; secret: string; path: string; body: any }> {
  const path = `/hooks/${++seq}`;
  const res = await client.post('/subscriptions', { url: receiver.url(path), ...body });
  if (res.status !== 201) throw new Error(`POST /subscriptions → ${res.status}: ${res.text}`);
  return { id: res.body.id, secret: res.body.secret, path, body: res.body };
}

async function propose(name = 'Webhook Partnership'): Promise<string> {
  const res = await api.post('/partnerships', { name, initiationMode: 'agency', focus: 'Attendance', types: ['design_research_partnership'] });
  if (res.status !== 201) throw new Error(`propose → ${res.status}: ${res.text}`);
  return res.body.partnershipId;
}

/** Appends one OrganizationJoined; returns its eventId. */
async function join(partnershipId: string, organizationId: string): Promise<string> {
  const res = await api.command(partnershipId, 'JoinOrganization', { organizationId, name: organizationId, orgType: 'school', side: 'practice' });
  if (res.status !== 201) throw new Error(`JoinOrganization → ${res.status}: ${res.text}`);
  return res.body.events[0].eventId;
}

const ceOf = (r: ReceivedWebhook) => HTTP.toEvent({ headers: r.headers, body: r.body }) as any;
const deliveries = async (id: string, query = '') => (await api.get(`/subscriptions/${id}/deliveries${query}`)).body;
const countSubscriptions = async () => (await api.get('/subscriptions?limit=200')).body.items.length;

describe('subscriptions API', () => {
  it('runs the delivery worker with the configured concurrency (WEBHOOK_DELIVERY_CONCURRENCY)', () => {
    expect(t.app.get(WebhookDeliveryProcessor).worker.concurrency).toBe(48);
  });

  it('creates a subscription: 201, Location, the whsec_ secret once; GET and list never show it', async () => {
    const res = await api.post('/subscriptions', { url: receiver.url('/hooks/created'), eventTypes: ['PartnershipProposed'], description: 'warehouse' });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/subscriptions/${res.body.id}`);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/),
      url: receiver.url('/hooks/created'),
      eventTypes: ['PartnershipProposed'],
      partnershipIds: null,
      description: 'warehouse',
      status: 'active',
      createdAt: expect.any(String),
    });
    const got = await api.get(`/subscriptions/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.text).not.toContain(res.body.secret);
    expect(got.body.secret).toBeUndefined();
    const list = await api.get('/subscriptions');
    expect(list.body.items.map((s: any) => s.id)).toContain(res.body.id);
    expect(list.text).not.toContain('whsec_');
    expect((await api.request('DELETE', `/subscriptions/${res.body.id}`)).status).toBe(204);
    expect((await api.get(`/subscriptions/${res.body.id}`)).body.code).toBe('SUBSCRIPTION_NOT_FOUND');
  });

  it('pages the list with a cursor', async () => {
    const a = await subscribe({ eventTypes: ['PartnershipClosed'] });
    const b = await subscribe({ eventTypes: ['PartnershipClosed'] });
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = (await api.get(`/subscriptions?limit=1${cursor ? `&cursor=${cursor}` : ''}`)).body;
      expect(page.items.length).toBeLessThanOrEqual(1);
      all.push(...page.items.map((s: any) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(all).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(new Set(all).size).toBe(all.length);
    for (const s of [a, b]) await api.request('DELETE', `/subscriptions/${s.id}`);
  });

  it('refuses every bad input with a 4xx problem and changes nothing', async () => {
    const before = await countSubscriptions();
    const bad: Array<[unknown, number, string]> = [
      [{}, 400, 'VALIDATION_FAILED'],
      [{ url: 'ftp://example.org/x' }, 400, 'VALIDATION_FAILED'],
      [{ url: 'not a url' }, 400, 'VALIDATION_FAILED'],
      [{ url: `https://example.org/${'a'.repeat(2100)}` }, 400, 'VALIDATION_FAILED'],
      [{ url: 12 }, 400, 'VALIDATION_FAILED'],
      [{ url: 'https://example.org/x', eventTypes: ['NoSuchEvent'] }, 400, 'VALIDATION_FAILED'],
      [{ url: 'https://example.org/x', eventTypes: [] }, 400, 'VALIDATION_FAILED'],
      [{ url: 'https://example.org/x', eventTypes: 'PartnershipProposed' }, 400, 'VALIDATION_FAILED'],
      [{ url: 'https://example.org/x', partnershipIds: ['not-a-uuid'] }, 400, 'VALIDATION_FAILED'],
      [{ url: 'https://example.org/x', partnershipIds: null }, 400, 'VALIDATION_FAILED'],
      [{ url: 'https://example.org/x', description: 'x'.repeat(501) }, 400, 'VALIDATION_FAILED'],
      [{ url: 'https://example.org/x', unknown: true }, 400, 'VALIDATION_FAILED'],
      [[{ url: 'https://example.org/x' }], 400, 'VALIDATION_FAILED'],
      [{ url: 'http://10.1.2.3/hook' }, 422, 'WEBHOOK_TARGET_NOT_ALLOWED'],
      [{ url: 'http://169.254.169.254/latest/meta-data' }, 422, 'WEBHOOK_TARGET_NOT_ALLOWED'],
      [{ url: 'http://192.168.0.10:8080/hook' }, 422, 'WEBHOOK_TARGET_NOT_ALLOWED'],
      [{ url: 'http://[::1]/hook' }, 422, 'WEBHOOK_TARGET_NOT_ALLOWED'],
    ];
    for (const [body, status, code] of bad) {
      const res = await api.post('/subscriptions', body);
      expect({ body, status: res.status, code: res.body.code }).toEqual({ body, status, code });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await api.request('POST', '/subscriptions', { rawBody: '{"url":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect(await countSubscriptions()).toBe(before);

    const s = await subscribe({ eventTypes: ['PartnershipClosed'] });
    const unknown = '0190a8b2-7c3e-7000-8000-000000000000';
    expect((await api.get(`/subscriptions/${unknown}`)).body.code).toBe('SUBSCRIPTION_NOT_FOUND');
    expect((await api.get('/subscriptions/nope')).body.code).toBe('INVALID_ID');
    expect((await api.post(`/subscriptions/${unknown}/pause`)).status).toBe(404);
    expect((await api.post(`/subscriptions/${unknown}/replay`, { fromPosition: '1' })).status).toBe(404);
    expect((await api.post(`/subscriptions/${s.id}/replay`, { fromPosition: -1 })).body.code).toBe('VALIDATION_FAILED');
    expect((await api.post(`/subscriptions/${s.id}/replay`, { fromPosition: 'abc' })).body.code).toBe('VALIDATION_FAILED');
    expect((await api.post(`/subscriptions/${s.id}/replay`, {})).body.code).toBe('VALIDATION_FAILED');
    expect((await api.post(`/subscriptions/${s.id}/pause`, { reason: 7 })).body.code).toBe('VALIDATION_FAILED');
    expect((await api.get(`/subscriptions/${s.id}/deliveries?status=lost`)).body.code).toBe('INVALID_QUERY');
    expect((await api.get(`/subscriptions/${s.id}/deliveries?limit=0`)).body.code).toBe('INVALID_QUERY');
    expect((await api.get('/subscriptions?cursor=zzz')).body.code).toBe('INVALID_QUERY');
    expect((await api.post(`/subscriptions/${s.id}/deliveries/${unknown}/redrive`)).body.code).toBe('DELIVERY_NOT_FOUND');
    const after = await api.get(`/subscriptions/${s.id}`);
    expect(after.body).toMatchObject({ status: 'active', pausedAt: null });
    expect(after.body.updatedAt).toBe(s.body.updatedAt);
    await api.request('DELETE', `/subscriptions/${s.id}`);
  });

  it('lets an integrator manage only its own subscriptions; admins see all; other roles are refused', async () => {
    const keys = t.app.get<ApiKeyStore>(API_KEY_STORE);
    const one = api.withKey((await keys.create({ name: 'warehouse', role: 'integrator' })).secret);
    const two = api.withKey((await keys.create({ name: 'grants', role: 'integrator' })).secret);
    const member = api.withKey((await keys.create({ name: 'member', role: 'member' })).secret);
    const mine = await subscribe({ eventTypes: ['PartnershipClosed'] }, one);
    expect((await one.get(`/subscriptions/${mine.id}`)).status).toBe(200);
    for (const [method, path] of [
      ['GET', ''],
      ['GET', '/deliveries'],
      ['POST', '/pause'],
      ['POST', '/resume'],
      ['POST', '/rotate-secret'],
      ['POST', '/redrive'],
      ['DELETE', ''],
    ] as const) {
      const res = await two.request(method, `/subscriptions/${mine.id}${path}`);
      expect({ method, path, status: res.status, code: res.body.code }).toEqual({ method, path, status: 404, code: 'SUBSCRIPTION_NOT_FOUND' });
    }
    expect((await two.get('/subscriptions')).body.items).toEqual([]);
    expect((await one.get('/subscriptions')).body.items.map((s: any) => s.id)).toEqual([mine.id]);
    expect((await api.get(`/subscriptions/${mine.id}`)).body.ownerKeyId).toBeDefined();
    expect((await member.get('/subscriptions')).status).toBe(403);
    expect((await member.post('/subscriptions', { url: receiver.url('/x') })).status).toBe(403);
    expect((await api.get(`/subscriptions/${mine.id}`)).body.status).toBe('active');
    expect((await one.request('DELETE', `/subscriptions/${mine.id}`)).status).toBe(204);
  });
});

describe('delivery', () => {
  it('delivers appended events, signed (Standard Webhooks) as CloudEvents, in order, and logs every attempt', async () => {
    const s = await subscribe();
    const partnershipId = await propose();
    const joined = await join(partnershipId, 'org-a');
    const got = await eventually(() => receiver.at(s.path).length >= 2 && receiver.at(s.path), 'two deliveries');
    const verifier = new Webhook(s.secret);
    const events = got.map((r) => {
      expect(() => verifier.verify(r.body, r.headers)).not.toThrow();
      expect(r.headers['content-type']).toBe('application/cloudevents+json');
      expect(r.headers['user-agent']).toMatch(/^Trellis-Webhooks\//);
      const ce = ceOf(r);
      expect(r.headers['webhook-id']).toBe(ce.id);
      return ce;
    });
    expect(events.map((e) => e.type)).toEqual(['trellis.PartnershipProposed.v1', 'trellis.OrganizationJoined.v1']);
    expect(events[1]).toMatchObject({ specversion: '1.0', id: joined, source: `/partnerships/${partnershipId}`, subject: partnershipId, datacontenttype: 'application/json' });
    expect(events[1].data).toMatchObject({ organizationId: 'org-a' });
    expect(BigInt(events[1].sequence)).toBeGreaterThan(BigInt(events[0].sequence));

    const log = await eventually(async () => {
      const page = await deliveries(s.id);
      return page.items.length === 2 && page.items.every((d: any) => d.status === 'delivered') && page;
    }, 'delivered in the log');
    expect(log.items[0]).toMatchObject({ eventId: joined, eventType: 'OrganizationJoined', partnershipId, generation: 0, status: 'delivered' });
    expect(log.items[0].attempts).toEqual([{ attempt: 1, attemptedAt: expect.any(String), statusCode: 200, latencyMs: expect.any(Number), error: null }]);
    await api.request('DELETE', `/subscriptions/${s.id}`);
  });

  it('filters by event type and partnership', async () => {
    const [p1, p2] = [await propose('P1'), await propose('P2')];
    const s = await subscribe({ eventTypes: ['OrganizationJoined'], partnershipIds: [p1] });
    const all = await subscribe({ partnershipIds: [p1, p2] });
    const wanted = await join(p1, 'org-1');
    await join(p2, 'org-2');
    await api.command(p1, 'JoinParticipant', { participantId: 'p-x', organizationId: 'org-1', roles: ['practitioner'] });
    // The unfiltered subscription got all three: the filtered one has had its chance too.
    await eventually(() => receiver.accepted(all.path).length >= 3, 'the unfiltered subscription');
    await eventually(async () => (await deliveries(s.id)).items.every((d: any) => d.status === 'delivered') && receiver.accepted(s.path).length >= 1, 'the filtered one');
    expect(receiver.at(s.path).map((r) => r.headers['webhook-id'])).toEqual([wanted]);
    for (const x of [s, all]) await api.request('DELETE', `/subscriptions/${x.id}`);
  });

  it('retries with backoff until the receiver accepts, with the same webhook-id, and records each attempt', async () => {
    const partnershipId = await propose();
    const s = await subscribe({ partnershipIds: [partnershipId] });
    receiver.behave(s.path, ({ n }) => (n <= 2 ? 503 : 200));
    const eventId = await join(partnershipId, 'org-retry');
    const got = await eventually(() => receiver.accepted(s.path).length === 1 && receiver.at(s.path), 'accepted after retries');
    expect(got.map((r) => [r.headers['webhook-id'], r.status])).toEqual([
      [eventId, 503],
      [eventId, 503],
      [eventId, 200],
    ]);
    // Exponential backoff with 20% jitter: ≥ 80 ms, then ≥ 160 ms.
    expect(got[1]!.receivedAt - got[0]!.receivedAt).toBeGreaterThanOrEqual(BACKOFF_MS * 0.8 - 5);
    expect(got[2]!.receivedAt - got[1]!.receivedAt).toBeGreaterThanOrEqual(2 * BACKOFF_MS * 0.8 - 5);
    const log = await eventually(async () => {
      const d = (await deliveries(s.id, `?eventId=${eventId}`)).items[0];
      return d?.status === 'delivered' && d;
    }, 'logged');
    expect(log.attempts.map((a: any) => [a.attempt, a.statusCode])).toEqual([
      [1, 503],
      [2, 503],
      [3, 200],
    ]);
    expect(log.attempts[0].error).toMatch(/503/);
    expect((await api.get(`/subscriptions/${s.id}`)).body).toMatchObject({ status: 'active', failingSince: null });
    await api.request('DELETE', `/subscriptions/${s.id}`);
  });

  it('dead-letters after the last attempt, lists it, and re-drives it to delivery', async () => {
    const partnershipId = await propose();
    const s = await subscribe({ partnershipIds: [partnershipId], eventTypes: ['OrganizationJoined'] });
    let down = true;
    receiver.behave(s.path, () => (down ? 500 : 200));
    const eventId = await join(partnershipId, 'org-dead');
    const dead = await eventually(async () => (await deliveries(s.id, '?status=dead_lettered')).items[0], 'dead-lettered');
    expect(dead).toMatchObject({ eventId, status: 'dead_lettered', lastStatusCode: 500 });
    expect(dead.attempts.map((a: any) => a.attempt)).toEqual([1, 2, 3]);
    expect(receiver.at(s.path)).toHaveLength(3);
    expect((await deliveries(s.id, '?status=delivered')).items).toEqual([]);

    down = false;
    const res = await api.post(`/subscriptions/${s.id}/deliveries/${dead.id}/redrive`);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ redriven: 1 });
    const delivered = await eventually(async () => {
      const d = (await deliveries(s.id, `?eventId=${eventId}`)).items[0];
      return d.status === 'delivered' && d;
    }, 're-driven delivery');
    expect(delivered.attempts.map((a: any) => [a.attempt, a.statusCode])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 200],
    ]);
    expect(delivered.redrives).toBe(1);
    expect(receiver.accepted(s.path).map((r) => r.headers['webhook-id'])).toEqual([eventId]);
    // Only dead-lettered deliveries can be re-driven.
    expect((await api.post(`/subscriptions/${s.id}/deliveries/${dead.id}/redrive`)).body.code).toBe('DELIVERY_NOT_DEAD_LETTERED');
    expect((await api.post(`/subscriptions/${s.id}/redrive`)).body).toEqual({ redriven: 0 });
    await api.request('DELETE', `/subscriptions/${s.id}`);
  });

  it('holds a partnership’s order while its head is retried, without blocking other partnerships', async () => {
    const [a, b] = [await propose('A'), await propose('B')];
    const s = await subscribe({ partnershipIds: [a, b], eventTypes: ['OrganizationJoined'] });
    let a1 = '';
    receiver.behave(s.path, ({ webhookId, n }) => (webhookId === a1 && n <= 2 ? 500 : 200));
    a1 = await join(a, 'a-1');
    const a2 = await join(a, 'a-2');
    const b1 = await join(b, 'b-1');
    await eventually(() => receiver.accepted(s.path).length === 3, 'all three accepted');
    const accepted = receiver.accepted(s.path).map((r) => r.headers['webhook-id']);
    expect(accepted.indexOf(a1)).toBeLessThan(accepted.indexOf(a2));
    // B was not held behind A's retries.
    expect(accepted.indexOf(b1)).toBeLessThan(accepted.indexOf(a1));
    // a2 was never sent before a1 was accepted.
    const sent = receiver.at(s.path).map((r) => r.headers['webhook-id']);
    expect(sent.indexOf(a2)).toBeGreaterThan(sent.lastIndexOf(a1));
    await api.request('DELETE', `/subscriptions/${s.id}`);
  });

  it('keeps a paused subscription’s place and delivers in order after resume; a deleted one gets nothing more', async () => {
    const partnershipId = await propose();
    const s = await subscribe({ partnershipIds: [partnershipId] });
    const gone = await subscribe({ partnershipIds: [partnershipId] });
    const paused = await api.post(`/subscriptions/${s.id}/pause`, { reason: 'maintenance window' });
    expect(paused.body).toMatchObject({ status: 'paused', pausedReason: 'maintenance window', pausedBy: 'api', pausedAt: expect.any(String) });
    expect((await api.request('DELETE', `/subscriptions/${gone.id}`)).status).toBe(204);
    const ids = [await join(partnershipId, 'p-1'), await join(partnershipId, 'p-2')];
    const pending = await eventually(async () => {
      const page = await deliveries(s.id, '?status=pending');
      return page.items.length === 2 && page;
    }, 'deliveries recorded while paused');
    expect(pending.items.map((d: any) => d.eventId).reverse()).toEqual(ids);
    expect(receiver.at(s.path)).toEqual([]);

    const resumed = await api.post(`/subscriptions/${s.id}/resume`);
    expect(resumed.body).toMatchObject({ status: 'active', pausedReason: null });
    await eventually(() => receiver.accepted(s.path).length === 2, 'delivered after resume');
    expect(receiver.accepted(s.path).map((r) => r.headers['webhook-id'])).toEqual(ids);
    expect(receiver.at(gone.path)).toEqual([]);
    expect((await api.get(`/subscriptions/${gone.id}/deliveries`)).status).toBe(404);
    await api.request('DELETE', `/subscriptions/${s.id}`);
  });

  it('pauses a subscription failing for longer than the window, and says why', async () => {
    const partnershipId = await propose();
    const s = await subscribe({ partnershipIds: [partnershipId], eventTypes: ['OrganizationJoined'] });
    receiver.behave(s.path, () => 500);
    await join(partnershipId, 'down-1');
    await eventually(async () => (await deliveries(s.id, '?status=dead_lettered')).items.length === 1, 'first dead letter');
    const failing = (await api.get(`/subscriptions/${s.id}`)).body;
    expect(failing).toMatchObject({ status: 'active', failingSince: expect.any(String) });
    // Past the window, the next failure pauses it.
    await eventually(() => Date.now() - Date.parse(failing.failingSince) > AUTO_PAUSE_SECONDS * 1000 && true, 'the window to pass', 5_000);
    await join(partnershipId, 'down-2');
    const paused = await eventually(async () => {
      const body = (await api.get(`/subscriptions/${s.id}`)).body;
      return body.status === 'paused' && body;
    }, 'auto-paused');
    expect(paused).toMatchObject({ pausedBy: 'auto', pausedAt: expect.any(String), pausedReason: expect.stringMatching(/failing without a success since .*HTTP 500/) });
    // The second event keeps its place for when it is resumed.
    expect((await deliveries(s.id, '?status=pending')).items).toHaveLength(1);
    await api.request('DELETE', `/subscriptions/${s.id}`);
  });

  it('replays every matching event at or after a position, in order, with the same webhook-ids', async () => {
    const partnershipId = await propose();
    const s = await subscribe({ partnershipIds: [partnershipId] });
    const ids = [await join(partnershipId, 'r-1'), await join(partnershipId, 'r-2'), await join(partnershipId, 'r-3')];
    await eventually(() => receiver.accepted(s.path).length === 3, 'live deliveries');
    const live = receiver.accepted(s.path).map(ceOf);
    const from = live[1].sequence as string;
    const res = await api.post(`/subscriptions/${s.id}/replay`, { fromPosition: BigInt(from).toString() });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ subscriptionId: s.id, replayGeneration: 1, fromPosition: BigInt(from).toString() });
    await eventually(() => receiver.accepted(s.path).length === 5, 'replayed deliveries');
    const replayed = receiver.accepted(s.path).slice(3);
    expect(replayed.map((r) => r.headers['webhook-id'])).toEqual(ids.slice(1));
    expect(replayed.map((r) => r.body)).toEqual(receiver.accepted(s.path).slice(1, 3).map((r) => r.body));
    const log = await eventually(async () => {
      const page = await deliveries(s.id);
      return page.items.filter((d: any) => d.generation === 1 && d.status === 'delivered').length === 2 && page;
    }, 'replay in the log');
    expect(log.items.filter((d: any) => d.generation === 1).map((d: any) => d.eventId).reverse()).toEqual(ids.slice(1));
    await api.request('DELETE', `/subscriptions/${s.id}`);
  });

  it('signs with both the new and the previous secret during the grace period after a rotation', async () => {
    const partnershipId = await propose();
    const s = await subscribe({ partnershipIds: [partnershipId] });
    const rotated = await api.post(`/subscriptions/${s.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(s.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt)).toBeGreaterThan(Date.now() + 3_000_000);
    expect((await api.get(`/subscriptions/${s.id}`)).text).not.toContain(rotated.body.secret);
    await join(partnershipId, 'rot-1');
    const [first] = await eventually(() => receiver.accepted(s.path).length >= 1 && receiver.accepted(s.path), 'delivery');
    const signatures = first!.headers['webhook-signature']!.split(' ');
    expect(signatures).toHaveLength(2);
    for (const secret of [rotated.body.secret, s.secret]) expect(() => new Webhook(secret).verify(first!.body, first!.headers)).not.toThrow();
    // New first: each signature checked alone against its own secret.
    const only = (sig: string) => ({ ...first!.headers, 'webhook-signature': sig });
    expect(() => new Webhook(rotated.body.secret).verify(first!.body, only(signatures[0]!))).not.toThrow();
    expect(() => new Webhook(s.secret).verify(first!.body, only(signatures[1]!))).not.toThrow();
    await api.request('DELETE', `/subscriptions/${s.id}`);
  });

  it('re-running the dispatcher over delivered events records and sends nothing twice', async () => {
    const partnershipId = await propose();
    const s = await subscribe({ partnershipIds: [partnershipId] });
    await join(partnershipId, 'rerun-1');
    await join(partnershipId, 'rerun-2');
    await eventually(async () => receiver.accepted(s.path).length === 2 && (await deliveries(s.id)).items.every((d: any) => d.status === 'delivered'), 'delivered');
    // Rewind the dispatcher's checkpoint (as if it had crashed before recording its progress): the
    // running slice is fenced off, the next one reads everything again.
    await t.pg!.query(`UPDATE ${t.config.dbSchema}.projections SET checkpoint = 0 WHERE name = 'webhook_dispatcher'`);
    const head = await t.pg!.query(`SELECT max(position)::text AS head FROM ${t.config.dbSchema}.events`).catch(() => null);
    await eventually(async () => {
      const { rows } = await t.pg!.query(`SELECT checkpoint::text AS c FROM ${t.config.dbSchema}.projections WHERE name = 'webhook_dispatcher'`);
      return head ? BigInt(rows[0].c) >= BigInt(head.rows[0].head) : BigInt(rows[0].c) > 0n;
    }, 'the dispatcher to read the log again', 20_000);
    const barrier = await subscribe({ partnershipIds: [partnershipId] });
    await join(partnershipId, 'rerun-3');
    await eventually(() => receiver.accepted(barrier.path).length === 1 && receiver.accepted(s.path).length >= 3, 'the next event');
    expect(receiver.at(s.path)).toHaveLength(3);
    expect((await deliveries(s.id)).items).toHaveLength(3);
    for (const x of [s, barrier]) await api.request('DELETE', `/subscriptions/${x.id}`);
  });
});
