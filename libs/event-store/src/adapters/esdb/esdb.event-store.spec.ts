/**
 * The EventStoreDB adapter's append, read and subscription logic against FakeEsdbGateway — an
 * in-memory stand-in for an EventStoreDB server, which cannot run on these machines. The real
 * server is exercised by the shared contract suite in esdb.event-store.int-spec.ts whenever
 * EVENTSTORE_URL is set.
 */
import { v7 as uuidv7 } from 'uuid';
import { EventIdConflictError, EventStoreUnavailableError, InvalidAppendError, WrongExpectedRevisionError } from '../../core/event-store.errors';
import type { EventSubscription, EventToAppend, ExpectedRevision, RecordedEvent } from '../../core/event-store.port';
import { GENESIS_HASH, verifyChain } from '../../core/hash-chain';
import { FakeEsdbGateway } from './fake-esdb.gateway';
import type { EsdbGateway } from './esdb-gateway';
import { createEsdbEventStore, type EsdbEventStore, type EsdbEventStoreOptions } from './esdb.event-store';

const event = (type = 'Thing', data: Record<string, number> = {}): EventToAppend => ({
  eventId: uuidv7(),
  type,
  schemaVersion: 1,
  data,
  metadata: { correlationId: 'spec' },
});
const events = (n: number, type?: string) => Array.from({ length: n }, (_, i) => event(type, { i }));

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function consume(subscription: EventSubscription) {
  const received: RecordedEvent[] = [];
  let error: unknown;
  const finished = (async () => {
    try {
      for await (const e of subscription) received.push(e);
    } catch (e) {
      error = e;
    }
  })();
  return { received, finished, error: () => error };
}

describe('EventStoreDB adapter (fake server)', () => {
  let server: FakeEsdbGateway;
  let store: EsdbEventStore;
  // Every store a test opens is closed afterwards, also when the test fails half-way.
  const opened: EsdbEventStore[] = [];
  const track = async (created: Promise<EsdbEventStore>) => {
    const s = await created;
    opened.push(s);
    return s;
  };
  const open = (options: Partial<EsdbEventStoreOptions> = {}) =>
    track(createEsdbEventStore({ gateway: server, idleCheckpointMs: 20, reconnectDelaysMs: [1, 5], ...options }));

  beforeEach(async () => {
    server = new FakeEsdbGateway();
    store = await open();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  describe('append', () => {
    it('appends with our event ids and the exact expected revision, and reports revisions from 0 and positions', async () => {
      const first = events(3);
      const a = await store.append('s-1', first, { expectedRevision: 'no_stream' });
      const b = await store.append('s-1', events(1), { expectedRevision: 2n });
      expect(a.events.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      expect(b.events.map((e) => e.revision)).toEqual([3n]);
      expect(server.appendCalls.map((c) => c.expectedRevision)).toEqual(['no_stream', 2n]);
      expect(server.appendCalls[0]!.ids).toEqual(first.map((e) => e.eventId));
      const positions = [...a.events, ...b.events].map((e) => e.position);
      expect(positions).toEqual(server.log.filter((r) => r.streamId === 's-1').map((r) => r.position.commit));
      for (let i = 1; i < positions.length; i += 1) expect(positions[i]!).toBeGreaterThan(positions[i - 1]!);
      expect(b.idempotent).toBe(false);
    });

    it("sends 'any' and 'stream_exists' as the exact head revision the chain was computed from", async () => {
      await store.append('s-2', events(1), { expectedRevision: 'any' });
      await store.append('s-2', events(1), { expectedRevision: 'stream_exists' });
      await store.append('s-2', events(1), { expectedRevision: 'any' });
      expect(server.appendCalls.map((c) => c.expectedRevision)).toEqual(['no_stream', 0n, 1n]);
      const read = await collect(store.readStream('s-2', { raw: true }));
      expect(read[0]!.metadata.prevHash).toBe(GENESIS_HASH);
      expect((await verifyChain(read)).valid).toBe(true);
    });

    it('refuses a wrong expectation with the actual revision, writing nothing', async () => {
      await expect(store.append('s-3', events(1), { expectedRevision: 'stream_exists' })).rejects.toMatchObject({ actual: -1n });
      await store.append('s-3', events(2), { expectedRevision: 'no_stream' });
      const error = await store.append('s-3', events(1), { expectedRevision: 0n }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect(error).toMatchObject({ actual: 1n, expected: 0n, code: 'WRONG_EXPECTED_REVISION' });
      await expect(store.append('s-3', events(1), { expectedRevision: 'no_stream' })).rejects.toMatchObject({ actual: 1n });
      expect((await collect(store.readStream('s-3'))).length).toBe(2);
    });

    it("retries 'any' on the new head when another writer got there first, and the chain stays intact", async () => {
      await store.append('hot', events(1), { expectedRevision: 'no_stream' });
      const other = await open({ verifyConnection: false });
      let raced = 0;
      // Another writer's append lands between our read of the head and our append, twice.
      server.beforeAppend = async function race(streamId) {
        if (streamId !== 'hot' || raced >= 2) return;
        raced += 1;
        server.beforeAppend = undefined;
        await other.append('hot', events(1), { expectedRevision: 'any' });
        server.beforeAppend = race;
      };
      const result = await store.append('hot', events(2), { expectedRevision: 'any' });
      expect(raced).toBe(2);
      // Refused twice with WrongExpectedVersion, then appended after the other writer's events.
      expect(result.events.map((e) => e.revision)).toEqual([3n, 4n]);
      const stored = await collect(store.readStream('hot', { raw: true }));
      expect(stored.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect((await verifyChain(stored)).valid).toBe(true);
      await other.close();
    });

    it('reports an exact expectation that lost a race as the actual revision, never a broken chain', async () => {
      await store.append('exact', events(1), { expectedRevision: 'no_stream' });
      const other = await open({ verifyConnection: false });
      server.beforeAppend = async function race(streamId) {
        server.beforeAppend = undefined;
        if (streamId === 'exact') await other.append('exact', events(2), { expectedRevision: 0n });
      };
      await expect(store.append('exact', events(1), { expectedRevision: 0n })).rejects.toMatchObject({ actual: 2n });
      expect((await verifyChain(await collect(store.readStream('exact', { raw: true })))).valid).toBe(true);
      await other.close();
    });

    it('many concurrent appends from several stores to one stream: contiguous revisions, intact chain', async () => {
      const stores = [store, await open({ verifyConnection: false }), await open({ verifyConnection: false })];
      const results = await Promise.all(
        Array.from({ length: 15 }, (_, i) => stores[i % 3]!.append('shared', events(2), { expectedRevision: 'any' })),
      );
      const revisions = results.flatMap((r) => r.events.map((e) => e.revision)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(revisions).toEqual(Array.from({ length: 30 }, (_, i) => BigInt(i)));
      expect((await verifyChain(store.readStream('shared', { raw: true }))).valid).toBe(true);
      await Promise.all(stores.slice(1).map((s) => s.close()));
    });

    it('gives up after maxAppendAttempts with the actual revision', async () => {
      const limited = await open({ verifyConnection: false, maxAppendAttempts: 2 });
      const other = await open({ verifyConnection: false });
      await limited.append('busy', events(1), { expectedRevision: 'no_stream' });
      server.beforeAppend = async function race(streamId) {
        server.beforeAppend = undefined;
        if (streamId === 'busy') await other.append('busy', events(1), { expectedRevision: 'any' });
        server.beforeAppend = race;
      };
      const error = await limited.append('busy', events(1), { expectedRevision: 'any' }).catch((e: unknown) => e);
      server.beforeAppend = undefined;
      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect((error as WrongExpectedRevisionError).actual).toBe(2n);
      await limited.close();
      await other.close();
    });
  });

  describe('idempotency', () => {
    it('answers a re-append of the same ids with the first result and idempotent: true, whatever the expectation', async () => {
      const batch = events(3);
      const first = await store.append('idem', batch, { expectedRevision: 'no_stream' });
      await store.append('idem', events(1), { expectedRevision: 2n });
      const appendsBefore = server.appendCalls.length;
      for (const expectedRevision of ['no_stream', 'any', 'stream_exists', -1n, 7n, 2n] as ExpectedRevision[]) {
        expect(await store.append('idem', batch, { expectedRevision })).toEqual({ ...first, idempotent: true });
      }
      expect(server.appendCalls.length).toBe(appendsBefore); // answered without asking the server to write
      expect((await collect(store.readStream('idem'))).length).toBe(4);
    });

    it('recognises a concurrent identical append that the server deduplicated (another append id read back)', async () => {
      const batch = events(2);
      const other = await open({ verifyConnection: false });
      server.beforeAppend = async function race(streamId) {
        server.beforeAppend = undefined;
        if (streamId === 'dedup') await other.append('dedup', batch, { expectedRevision: 'no_stream' });
      };
      const mine = await store.append('dedup', batch, { expectedRevision: 'no_stream' });
      const stored = await collect(store.readStream('dedup'));
      expect(stored.map((e) => e.eventId)).toEqual(batch.map((e) => e.eventId));
      expect(mine.idempotent).toBe(true);
      expect(mine.events).toEqual(stored.map((e) => ({ eventId: e.eventId, revision: e.revision, position: e.position })));
      await other.close();
    });

    it('refuses a partial overlap or another order with EventIdConflictError and writes none of it', async () => {
      const [a, b] = events(2);
      await store.append('conflict', [a!, b!], { expectedRevision: 'no_stream' });
      const fresh = event();
      await expect(store.append('conflict', [a!, b!, fresh], { expectedRevision: 'any' })).rejects.toBeInstanceOf(EventIdConflictError);
      const reordered = await store.append('conflict', [b!, a!], { expectedRevision: 'any' }).catch((e: unknown) => e);
      expect(reordered).toMatchObject({ code: 'EVENT_ID_CONFLICT', eventIds: [b!.eventId, a!.eventId] });
      expect((await collect(store.readStream('conflict'))).length).toBe(2);
      expect((await store.append('conflict', [fresh], { expectedRevision: 1n })).idempotent).toBe(false);
    });

    it('finds ids written by another process since this store last looked', async () => {
      const batch = events(1);
      const other = await open({ verifyConnection: false });
      await store.append('seen', events(1), { expectedRevision: 'no_stream' }); // cached here
      await other.append('seen', batch, { expectedRevision: 0n });
      expect((await store.append('seen', batch, { expectedRevision: 0n })).idempotent).toBe(true);
      await other.close();
    });
  });

  describe('input and errors', () => {
    it('refuses the stream and type names EventStoreDB reserves, and invalid appends', async () => {
      await expect(store.append('$system', [event()], { expectedRevision: 'any' })).rejects.toBeInstanceOf(InvalidAppendError);
      await expect(store.append('s', [event('$metadata')], { expectedRevision: 'any' })).rejects.toBeInstanceOf(InvalidAppendError);
      await expect(store.append('s', [], { expectedRevision: 'any' })).rejects.toBeInstanceOf(InvalidAppendError);
      expect(server.appendCalls).toEqual([]);
    });

    it('translates a lost connection into EventStoreUnavailableError', async () => {
      server.failure = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { type: 'unavailable' });
      await expect(store.append('s', [event()], { expectedRevision: 'any' })).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(collect(store.readStream('s'))).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.headPosition()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    });

    it('does not start when the server does not answer, with a message that says what to do', async () => {
      const down = new FakeEsdbGateway();
      down.failure = Object.assign(new Error('14 UNAVAILABLE: connect ECONNREFUSED'), { type: 'unavailable' });
      const failure = createEsdbEventStore({ gateway: down, ownsGateway: true });
      await expect(failure).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(failure).rejects.toThrow(/EventStoreDB at the configured gateway is unreachable .*ECONNREFUSED.*EVENT_STORE=postgres/);
      expect(down.disposed).toBe(true);
    });
  });

  describe('reads', () => {
    it('reads streams both ways, from a revision, limited; an unknown stream yields nothing', async () => {
      await store.append('r', events(5), { expectedRevision: 'no_stream' });
      expect((await collect(store.readStream('r', { fromRevision: 2n, maxCount: 2 }))).map((e) => e.revision)).toEqual([2n, 3n]);
      expect((await collect(store.readStream('r', { direction: 'backwards', fromRevision: 1n }))).map((e) => e.revision)).toEqual([1n, 0n]);
      expect(await collect(store.readStream('nope'))).toEqual([]);
      expect(await store.streamHead('nope')).toBeNull();
      const head = await store.streamHead('r');
      const [last] = await collect(store.readStream('r', { direction: 'backwards', maxCount: 1 }));
      expect(head).toEqual({ revision: 4n, position: last!.position, hash: last!.metadata.hash });
    });

    it('reads $all after a position (exclusive), filtered, limited, without system events; headPosition skips them', async () => {
      const a = await store.append('p-1', [event('A'), event('B')], { expectedRevision: 'no_stream' });
      server.writeSystemEvent();
      const b = await store.append('q-1', [event('A')], { expectedRevision: 'no_stream' });
      server.writeSystemEvent();
      const all = await collect(store.readAll());
      expect(all.map((e) => e.streamId)).toEqual(['p-1', 'p-1', 'q-1']);
      expect((await collect(store.readAll({ after: a.events[0]!.position }))).map((e) => e.position)).toEqual([
        a.events[1]!.position,
        b.events[0]!.position,
      ]);
      expect((await collect(store.readAll({ filter: { eventTypes: ['A'], streamPrefix: 'q-' } }))).map((e) => e.streamId)).toEqual(['q-1']);
      expect(await collect(store.readAll({ maxCount: 1 }))).toHaveLength(1);
      expect(await store.headPosition()).toBe(b.events[0]!.position);
    });

    it('upcasts unless raw is asked for', async () => {
      const upcasting = await open({ verifyConnection: false, upcasters: [{ type: 'Old', fromVersion: 1, upcast: (d) => ({ ...d, v2: true }) }] });
      await upcasting.append('u', [event('Old', { x: 1 })], { expectedRevision: 'no_stream' });
      expect((await collect(upcasting.readStream('u')))[0]).toMatchObject({ schemaVersion: 2, data: { x: 1, v2: true } });
      expect((await collect(upcasting.readStream('u', { raw: true })))[0]).toMatchObject({ schemaVersion: 1, data: { x: 1 } });
      await upcasting.close();
    });
  });

  describe('subscribeAll', () => {
    it('catches up, reports onCaughtUp at the last event, follows live appends, ends on close()', async () => {
      const before = await store.append('sub', events(4), { expectedRevision: 'no_stream' });
      const caughtUp: bigint[] = [];
      const subscription = store.subscribeAll({ onCaughtUp: (p) => caughtUp.push(p) });
      const consumer = consume(subscription);
      await until(() => consumer.received.length === 4 && caughtUp.length > 0);
      expect(caughtUp[0]).toBe(before.events[3]!.position);
      const live = await store.append('sub', events(2), { expectedRevision: 3n });
      server.writeSystemEvent();
      await until(() => consumer.received.length === 6);
      expect(consumer.received.map((e) => e.position)).toEqual([...before.events, ...live.events].map((e) => e.position));
      await subscription.close();
      await consumer.finished;
      expect(consumer.error()).toBeUndefined();
    });

    it('resubscribes from the last delivered position after a dropped connection, with no duplicates', async () => {
      const dropped: number[] = [];
      const resilient = await open({ verifyConnection: false, onSubscriptionDropped: (_e, attempt) => dropped.push(attempt) });
      const first = await store.append('drop', events(2), { expectedRevision: 'no_stream' });
      const subscription = resilient.subscribeAll();
      const consumer = consume(subscription);
      await until(() => consumer.received.length === 2);
      server.drop();
      await until(() => server.subscribeCalls.length === 2);
      const later = await store.append('drop', events(2), { expectedRevision: 1n });
      await until(() => consumer.received.length >= 4);
      expect(server.subscribeCalls[0]!.from).toBe('start');
      expect(server.subscribeCalls[1]!.from).toEqual({ commit: first.events[1]!.position, prepare: first.events[1]!.position });
      expect(consumer.received.map((e) => e.eventId)).toEqual([...first.events, ...later.events].map((e) => e.eventId));
      expect(dropped).toEqual([1]);
      await subscription.close();
      await consumer.finished;
      await resilient.close();
    });

    it('drops events the server sends again after resubscribing (at or below the last position)', async () => {
      const first = await store.append('again', events(3), { expectedRevision: 'no_stream' });
      const replaying: EsdbGateway = {
        ...server,
        append: server.append.bind(server),
        readStream: server.readStream.bind(server),
        readAll: server.readAll.bind(server),
        dispose: server.dispose.bind(server),
        // Ignores the position asked for: replays everything (as an at-least-once server might).
        subscribeToAll: (options) => server.subscribeToAll({ ...options, from: 'start' }),
      };
      const replayStore = await track(createEsdbEventStore({ gateway: replaying, idleCheckpointMs: 20, reconnectDelaysMs: [1] }));
      const subscription = replayStore.subscribeAll();
      const consumer = consume(subscription);
      await until(() => consumer.received.length === 3);
      server.drop();
      await until(() => server.subscribeCalls.length === 2);
      const later = await store.append('again', events(1), { expectedRevision: 2n });
      await until(() => consumer.received.length >= 4);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(consumer.received.map((e) => e.eventId)).toEqual([...first.events, ...later.events].map((e) => e.eventId));
      await subscription.close();
      await replayStore.close();
    });

    it('close() ends a subscription waiting to resubscribe', async () => {
      const slow = await open({ verifyConnection: false, reconnectDelaysMs: [60_000] });
      const subscription = slow.subscribeAll();
      const consumer = consume(subscription);
      await until(() => server.subscribeCalls.length === 1);
      server.drop();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const closing = Date.now();
      await subscription.close();
      await consumer.finished;
      expect(Date.now() - closing).toBeLessThan(5_000);
      await slow.close();
    });

    it('filters on the server, and checkpoints past what does not match — page boundaries resolved to an event', async () => {
      const quiet = await open({ verifyConnection: false, idleCheckpointMs: 60_000, maxSearchWindow: 4 });
      const noise = await store.append('f-1', events(10, 'Noise'), { expectedRevision: 'no_stream' });
      const checkpoints: bigint[] = [];
      const subscription = quiet.subscribeAll({ filter: { eventTypes: ['Wanted'] }, onCheckpoint: (p) => checkpoints.push(p) });
      const consumer = consume(subscription);
      // The going-live checkpoint is a page boundary after the last record: resolved to that record.
      await until(() => checkpoints.includes(noise.events[9]!.position));
      expect(server.subscribeCalls[0]!.filter).toEqual({ filterOn: 'eventType', regex: '^(?:Wanted)$' });
      const wanted = await store.append('f-1', [event('Wanted')], { expectedRevision: 9n });
      const more = await store.append('f-1', events(8, 'Noise'), { expectedRevision: 10n });
      await until(() => consumer.received.length === 1 && checkpoints.some((c) => c > wanted.events[0]!.position));
      expect(consumer.received.map((e) => e.eventId)).toEqual([wanted.events[0]!.eventId]);
      // Live checkpoints every 4 considered events, each at an event's own position.
      const stored = more.events.map((e) => e.position);
      expect(checkpoints.filter((c) => c > wanted.events[0]!.position).every((c) => stored.includes(c))).toBe(true);
      for (let i = 1; i < checkpoints.length; i += 1) expect(checkpoints[i]!).toBeGreaterThan(checkpoints[i - 1]!);
      await subscription.close();
      await consumer.finished;
      await quiet.close();
    });

    it('an idle filtered subscription checkpoints the head once nothing before it matches', async () => {
      const subscription = store.subscribeAll({ filter: { streamPrefix: 'wanted-' }, onCheckpoint: (p) => checkpoints.push(p) });
      const checkpoints: bigint[] = [];
      const consumer = consume(subscription);
      await until(() => server.subscribeCalls.length === 1);
      const noise = await store.append('other-1', events(3), { expectedRevision: 'no_stream' }); // fewer than a search window
      await until(() => checkpoints.includes(noise.events[2]!.position));
      expect(consumer.received).toEqual([]);
      const hit = await store.append('wanted-1', [event()], { expectedRevision: 'no_stream' });
      await until(() => consumer.received.length === 1);
      expect(consumer.received[0]!.position).toBe(hit.events[0]!.position);
      await subscription.close();
      await consumer.finished;
    });

    it('is pull-based: nothing is read ahead of the consumer beyond the pending item', async () => {
      await store.append('pull', events(50), { expectedRevision: 'no_stream' });
      const subscription = store.subscribeAll();
      const iterator = subscription[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.value).toMatchObject({ revision: 0n });
      const [raw] = [...server.subscriptions] as unknown as Array<{ queue: unknown[] }>;
      // The fake queued the whole catch-up; the adapter has taken exactly one event from it.
      expect(raw!.queue.length).toBeGreaterThanOrEqual(49);
      await subscription.close();
    });
  });
});
