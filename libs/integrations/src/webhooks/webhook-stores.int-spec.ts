/**
 * The webhook stores and the dispatcher on both read-store databases (PostgreSQL and PGlite), with a
 * real event store on the same database and a real BullMQ queue.
 */
import { Queue } from 'bullmq';
import { v7 as uuidv7 } from 'uuid';
import { createSqlEventStore, type EventStore, type SqlEventStore } from '@trellis/event-store';
import { ProjectionRegistry } from '@trellis/projections';
import { SQL_BACKENDS, type SqlBackend } from '../../../platform/src/testing/sql-backends';
import { deliveryJobId } from './delivery-queue';
import { DeliveryStore, type NewDelivery } from './delivery.store';
import { signingSecrets, SubscriptionStore } from './subscription.store';
import { matchEvents, WebhookDispatcher, WEBHOOK_DISPATCHER_NAME } from './webhook-dispatcher';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const CONFIG = { maxAttempts: 3, backoffMs: 10, backoffJitter: 0 };

describe.each(SQL_BACKENDS)('webhook stores on %s', (_name, open) => {
  let backend: SqlBackend;
  let schema: string;
  let subscriptions: SubscriptionStore;
  let deliveries: DeliveryStore;

  beforeAll(async () => {
    backend = await open();
    schema = backend.schema('webhooks');
    subscriptions = new SubscriptionStore(backend.sql, schema);
    deliveries = new DeliveryStore(backend.sql, schema);
    await subscriptions.migrate();
    await subscriptions.migrate(); // idempotent
  }, 60_000);
  afterAll(async () => backend?.close(), 30_000);

  const delivery = (subscriptionId: string, n: number, lane: string, generation = 0): NewDelivery => ({
    subscriptionId,
    eventId: `00000000-0000-7000-8000-${n.toString().padStart(12, '0')}`,
    eventType: 'OrganizationJoined',
    position: BigInt(n),
    partnershipId: lane,
    lane,
    generation,
  });

  describe('subscriptions', () => {
    it('returns the secret only on creation; records never carry it; owners see only their own', async () => {
      const { subscription, secret } = await subscriptions.create({ ownerKeyId: 'key-a', url: 'https://a.example/hook', eventTypes: ['PartnershipProposed', 'PartnershipProposed'] });
      expect(secret).toMatch(/^whsec_/);
      expect(subscription.eventTypes).toEqual(['PartnershipProposed']);
      expect(JSON.stringify(subscription)).not.toContain(secret);
      expect(await subscriptions.get(subscription.id, 'key-a')).toEqual(subscription);
      expect(await subscriptions.get(subscription.id, 'key-b')).toBeNull();
      expect(await subscriptions.get(subscription.id)).toEqual(subscription);
      expect(await subscriptions.get('not-a-uuid')).toBeNull();
      expect(await subscriptions.pause(subscription.id, 'key-b')).toBeNull();
      expect(await subscriptions.delete(subscription.id, 'key-b')).toBe(false);
      expect((await subscriptions.list({ owner: 'key-b', limit: 10 })).items).toEqual([]);
      expect((await subscriptions.row(backend.sql, subscription.id))!.secret).toBe(secret);
    });

    it('pages in creation order', async () => {
      const owner = `key-${uuidv7()}`;
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await subscriptions.create({ ownerKeyId: owner, url: `https://x.example/${i}` })).subscription.id);
      const first = await subscriptions.list({ owner, limit: 2 });
      expect(first.items.map((s) => s.id)).toEqual(ids.slice(0, 2));
      const second = await subscriptions.list({ owner, limit: 2, after: first.nextCursor! });
      expect(second).toEqual({ items: [expect.objectContaining({ id: ids[2] })], nextCursor: null });
    });

    it('rotates: the new secret first, the previous one during the grace period only', async () => {
      const { subscription, secret } = await subscriptions.create({ ownerKeyId: 'k', url: 'https://r.example/' });
      const rotated = (await subscriptions.rotateSecret(subscription.id, 'k', 60))!;
      expect(rotated.secret).not.toBe(secret);
      const row = (await subscriptions.row(backend.sql, subscription.id))!;
      expect(signingSecrets(row)).toEqual([rotated.secret, secret]);
      expect(signingSecrets(row, new Date(Date.now() + 61_000))).toEqual([rotated.secret]);
      const again = (await subscriptions.rotateSecret(subscription.id, 'k', 0))!;
      expect(signingSecrets((await subscriptions.row(backend.sql, subscription.id))!)).toEqual([again.secret]);
    });

    it('starts a subscription after the later of the dispatcher’s checkpoint and the head it was created at', async () => {
      const early = (await subscriptions.create({ ownerKeyId: 'k', url: 'https://s.example/', headPosition: 5n })).subscription;
      const late = (await subscriptions.create({ ownerKeyId: 'k', url: 'https://s.example/', headPosition: 50n })).subscription;
      const seen = await backend.sql.transaction((tx) => subscriptions.forDispatch(tx, 20n));
      expect(seen.find((s) => s.id === early.id)!.startPosition).toBe(20n);
      expect(seen.find((s) => s.id === late.id)!.startPosition).toBe(50n);
      // Fixed once seen.
      const again = await backend.sql.transaction((tx) => subscriptions.forDispatch(tx, 99n));
      expect(again.find((s) => s.id === early.id)!.startPosition).toBe(20n);
    });
  });

  describe('deliveries', () => {
    it('records each (subscription, event, generation) once and hands out only lane heads', async () => {
      const { subscription: s } = await subscriptions.create({ ownerKeyId: 'k', url: 'https://d.example/' });
      const batch = [delivery(s.id, 1, 'A'), delivery(s.id, 2, 'A'), delivery(s.id, 3, 'B')];
      const lanes = await backend.sql.transaction((tx) => deliveries.record(tx, batch));
      expect(lanes.map((l) => l.lane).sort()).toEqual(['A', 'B']);
      expect(await backend.sql.transaction((tx) => deliveries.record(tx, batch))).toEqual([]);
      expect(await backend.sql.transaction((tx) => deliveries.record(tx, [delivery(s.id, 1, 'A', 1)]))).toHaveLength(1);
      const heads = await deliveries.allHeads(s.id);
      expect(heads.map((h) => [h.position, h.generation]).sort()).toEqual([
        [1n, 0],
        [3n, 0],
      ]);

      // A head never attempted long after it was recorded is re-offered under a fresh job id (its job
      // may be stuck in the queue); a recent one keeps its id.
      expect((await deliveries.allHeads(s.id, 60_000)).every((h) => h.reofferEpoch === undefined)).toBe(true);
      await backend.sql.query(`UPDATE ${deliveries.table} SET created_at = now() - interval '2 minutes' WHERE position = 3`);
      const epoch = Math.floor(Date.now() / 60_000);
      const swept = await deliveries.allHeads(s.id, 60_000);
      const stale = swept.find((h) => h.position === 3n)!;
      expect([epoch, epoch + 1]).toContain(stale.reofferEpoch);
      expect(deliveryJobId(stale)).toBe(`${s.id}.${stale.eventId}.0.s${stale.reofferEpoch}`);
      expect(swept.find((h) => h.position === 1n)!.reofferEpoch).toBeUndefined();

      // Paused: no heads; resumed: the same heads.
      await subscriptions.pause(s.id, undefined);
      expect(await deliveries.allHeads(s.id)).toEqual([]);
      await subscriptions.resume(s.id);
      const a1 = heads.find((h) => h.position === 1n)!;

      // A failed attempt keeps it at the head; the success releases the next one.
      const failed = await deliveries.recordAttempt({ deliveryId: a1.deliveryId, attemptedAt: new Date(), statusCode: 500, latencyMs: 3, error: 'HTTP 500', ok: false, last: false });
      expect(failed).toMatchObject({ status: 'pending', attempt: 1, failingSince: expect.any(Date) });
      expect((await deliveries.heads([{ subscriptionId: s.id, lane: 'A' }]))[0]!.deliveryId).toBe(a1.deliveryId);
      const ok = await deliveries.recordAttempt({ deliveryId: a1.deliveryId, attemptedAt: new Date(), statusCode: 204, latencyMs: 2, ok: true, last: false });
      expect(ok).toEqual({ status: 'delivered', attempt: 2, failingSince: null });
      await expect(deliveries.recordAttempt({ deliveryId: a1.deliveryId, attemptedAt: new Date(), latencyMs: 1, ok: true, last: false })).rejects.toThrow(/no longer pending/);
      const nextA = (await deliveries.heads([{ subscriptionId: s.id, lane: 'A' }]))[0]!;
      expect(nextA.position).toBe(2n);

      // Dead-lettered, then re-driven to the end of its lane (behind the replayed event 1).
      const dead = await deliveries.recordAttempt({ deliveryId: nextA.deliveryId, attemptedAt: new Date(), error: 'timeout', latencyMs: 100, ok: false, last: true });
      expect(dead.status).toBe('dead_lettered');
      const replayHead = (await deliveries.heads([{ subscriptionId: s.id, lane: 'A' }]))[0]!;
      expect([replayHead.position, replayHead.generation]).toEqual([1n, 1]);
      expect(await deliveries.redrive(s.id)).toEqual({ redriven: 1, lanes: [{ subscriptionId: s.id, lane: 'A' }] });
      expect((await deliveries.heads([{ subscriptionId: s.id, lane: 'A' }]))[0]!.deliveryId).toBe(replayHead.deliveryId);
      await deliveries.recordAttempt({ deliveryId: replayHead.deliveryId, attemptedAt: new Date(), statusCode: 200, latencyMs: 1, ok: true, last: false });
      const redriven = (await deliveries.heads([{ subscriptionId: s.id, lane: 'A' }]))[0]!;
      expect([redriven.deliveryId, redriven.redrives]).toEqual([nextA.deliveryId, 1]);
      expect(deliveryJobId(redriven)).toBe(`${s.id}.${redriven.eventId}.0.r1`);

      // The log: newest first, with every attempt, filtered and paged.
      const all = await deliveries.list(s.id, { limit: 10 });
      expect(all.items.map((d) => d.position)).toEqual(['1', '3', '2', '1']);
      expect(all.items[3]!.attempts.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
        [1, 500, 'HTTP 500'],
        [2, 204, null],
      ]);
      const page = await deliveries.list(s.id, { limit: 2 });
      expect((await deliveries.list(s.id, { limit: 2, before: BigInt(page.nextCursor!) })).items.map((d) => d.position)).toEqual(['2', '1']);
      expect((await deliveries.list(s.id, { status: 'delivered', limit: 10 })).items).toHaveLength(2);

      // Deleting cancels what is pending.
      expect(await subscriptions.delete(s.id)).toBe(true);
      expect((await deliveries.list(s.id, { status: 'pending', limit: 10 })).items).toEqual([]);
      expect((await deliveries.list(s.id, { status: 'cancelled', limit: 10 })).items.map((d) => d.position)).toEqual(['3', '2']);
    });
  });

  describe('dispatcher', () => {
    let store: SqlEventStore;
    let queue: Queue;
    let registry: ProjectionRegistry;
    let dispatcher: WebhookDispatcher;

    beforeAll(async () => {
      const dschema = backend.schema('dispatch');
      store = await createSqlEventStore({ sql: backend.sql, schema: dschema, pollIntervalMs: 50 });
      queue = new Queue(`webhook-delivery`, { connection: { url: REDIS_URL }, prefix: `trellis-int-${dschema}` });
      registry = new ProjectionRegistry(backend.sql, dschema);
      const subs = new SubscriptionStore(backend.sql, dschema);
      const dels = new DeliveryStore(backend.sql, dschema);
      dispatcher = new WebhookDispatcher(store, registry, subs, dels, queue, CONFIG, { leaseMs: 3_000, maxRunMs: 2_000 });
      await dispatcher.prepare();
      subscriptions = subs;
      deliveries = dels;
    }, 60_000);
    afterAll(async () => {
      await queue?.obliterate({ force: true }).catch(() => undefined);
      await queue?.close();
      await store?.close();
    });

    const append = (store: EventStore, partnershipId: string, type = 'OrganizationJoined') =>
      store.append(`partnership-${partnershipId}`, [{ eventId: uuidv7(), type, schemaVersion: 1, data: {}, metadata: { partnershipId, recordedAt: new Date().toISOString() } }], { expectedRevision: 'any' });

    it('is not a read model, holds a single lease, records deliveries once and enqueues deterministic jobs', async () => {
      const p = uuidv7();
      const s = (await subscriptions.create({ ownerKeyId: 'k', url: 'https://x.example/', partnershipIds: [p] })).subscription;
      await append(store, p, 'PartnershipProposed');
      await append(store, p);
      await append(store, uuidv7()); // another partnership: not matched

      const [first, second] = await Promise.all([dispatcher.run('one'), dispatcher.run('two')]);
      expect([first, second].sort()).toEqual(['busy', 'time-slice-over']);
      expect((await deliveries.list(s.id, { limit: 10 })).items.map((d) => d.position)).toEqual(['2', '1']);
      const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
      // One lane (one partnership): only its head is queued.
      expect(jobs.map((j) => j.id)).toEqual([`${s.id}.${(await deliveries.list(s.id, { limit: 10 })).items[1]!.eventId}.0`]);

      // Re-reading the log (the checkpoint rewound) records nothing and queues nothing twice.
      await backend.sql.query(`UPDATE ${registry.table} SET checkpoint = 0 WHERE name = $1`, [WEBHOOK_DISPATCHER_NAME]);
      expect(await dispatcher.run('three')).toBe('time-slice-over');
      expect((await deliveries.list(s.id, { limit: 10 })).items).toHaveLength(2);
      expect(await queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized')).toMatchObject({ waiting: 1 });
      expect((await registry.get(WEBHOOK_DISPATCHER_NAME))!.checkpoint).toBe(3n);
    }, 30_000);
  });
});

describe('matchEvents', () => {
  const event = (position: bigint, type: string, partnershipId?: string) =>
    ({ eventId: `e${position}`, type, schemaVersion: 1, streamId: partnershipId ? `partnership-${partnershipId}` : 'compliance', revision: 0n, position, data: {}, metadata: partnershipId ? { partnershipId } : {} }) as never;

  it('matches by type, partnership and start position, in position order', () => {
    const all = { id: 'all', eventTypes: null, partnershipIds: null, startPosition: 1n };
    const typed = { id: 'typed', eventTypes: new Set(['PilotStarted']), partnershipIds: null, startPosition: 0n };
    const onlyP = { id: 'p', eventTypes: null, partnershipIds: new Set(['p1']), startPosition: 0n };
    const out = matchEvents([event(1n, 'PilotStarted', 'p1'), event(2n, 'PilotStarted', 'p2'), event(3n, 'PersonalDataErased')], [all, typed, onlyP]);
    expect(out.map((d) => `${d.subscriptionId}@${d.position}:${d.lane}`)).toEqual(['typed@1:p:p1', 'p@1:p:p1', 'all@2:p:p2', 'typed@2:p:p2', 'all@3:s:compliance']);
  });
});
