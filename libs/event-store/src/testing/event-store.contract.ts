/**
 * The contract every EventStore adapter must pass (DESIGN.md §3, the five guarantees; STYLE.md §6).
 * Adapters run it from their own int-spec:
 *
 *   describeEventStoreContract('embedded (PGlite)', async (options) => ({ store, teardown }));
 *
 * The factory is called once per suite and may share its database with other tests: every test
 * works in streams and event types of its own and reads `$all` after a head it noted first.
 */
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import {
  EventIdConflictError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '../core/event-store.errors';
import type {
  AppendResult,
  EventStore,
  EventSubscription,
  EventToAppend,
  ExpectedRevision,
  JsonObject,
  RecordedEvent,
} from '../core/event-store.port';
import { GENESIS_HASH, verifyChain } from '../core/hash-chain';
import type { Upcaster } from '../core/upcasters';

/** What the suite asks of the factory. */
export interface EventStoreContractOptions {
  /** Register these with the store (the suite checks upcasting with them). */
  readonly upcasters: readonly Upcaster[];
  /** A small read page size, so that reads cross page boundaries. */
  readonly pageSize: number;
  /** Poll interval for idle subscriptions; long on purpose, so waking up must not depend on it. */
  readonly pollIntervalMs: number;
}

export interface EventStoreContractFixture {
  readonly store: EventStore;
  /**
   * Other store instances over the same log, as other processes would hold them. The concurrency
   * test spreads its writers over `store` and these, so appends really race in the database.
   */
  readonly peers?: readonly EventStore[];
  /** Overwrites the stored data of one event behind the store's back (simulated tampering). */
  tamperEventData?(streamId: string, revision: bigint, data: JsonObject): Promise<void>;
  teardown(): Promise<void>;
}

export type EventStoreContractFactory = (options: EventStoreContractOptions) => Promise<EventStoreContractFixture>;

export interface EventStoreContractSettings {
  /** The fixture provides `tamperEventData`: run the tamper-detection test. */
  readonly tampering?: boolean;
  /**
   * The store refuses an event id already used in ANOTHER stream (default true). EventStoreDB keeps
   * no index of event ids across streams, so its adapter can only check within the stream.
   */
  readonly uniqueEventIdsAcrossStreams?: boolean;
  /** Size of the no-skip test (at least 8 writers and 4,000 events). */
  readonly concurrency?: { readonly writers?: number; readonly events?: number };
}

/** The test event type the suite upcasts: v1 `{text}` → v2 `{greeting, language}`. */
export const CONTRACT_UPCAST_TYPE = 'ContractGreetingRecorded';
export const contractUpcasters: readonly Upcaster[] = [
  {
    type: CONTRACT_UPCAST_TYPE,
    fromVersion: 1,
    upcast: (data) => ({ greeting: data['text'] ?? null, language: 'en' }),
  },
];

const PAGE_SIZE = 10;
const POLL_INTERVAL_MS = 1_000;

export function describeEventStoreContract(
  name: string,
  factory: EventStoreContractFactory,
  settings: EventStoreContractSettings = {},
): void {
  const writers = Math.max(8, settings.concurrency?.writers ?? 8);
  const totalEvents = Math.max(4_000, settings.concurrency?.events ?? 4_000);

  describe(`EventStore contract: ${name}`, () => {
    let fixture: EventStoreContractFixture;
    let store: EventStore;
    // Unique per run, so a database shared with other tests or earlier runs does not interfere.
    const run = uuidv4().slice(0, 8);
    const stream = (label: string) => `c${run}-${label}-${uuidv4()}`;
    const type = (label: string) => `Contract${label}${run}`;

    beforeAll(async () => {
      fixture = await factory({ upcasters: contractUpcasters, pageSize: PAGE_SIZE, pollIntervalMs: POLL_INTERVAL_MS });
      store = fixture.store;
    }, 60_000);

    afterAll(async () => {
      await fixture?.teardown();
    }, 60_000);

    describe('1. append is atomic and expectedRevision is enforced exactly', () => {
      it('starts a stream at revision 0 and returns bigint revisions and positions', async () => {
        const s = stream('start');
        const batch = events(3);
        const result = await store.append(s, batch, { expectedRevision: 'no_stream' });
        expect(result.streamId).toBe(s);
        expect(result.idempotent).toBe(false);
        expect(result.nextExpectedRevision).toBe(2n);
        expect(result.events.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
        expect(result.events.map((e) => e.eventId)).toEqual(batch.map((e) => e.eventId));
        for (const e of result.events) expect(typeof e.position).toBe('bigint');
        expect(result.events[1]!.position).toBeGreaterThan(result.events[0]!.position);
        expect(result.events[2]!.position).toBeGreaterThan(result.events[1]!.position);
      });

      it('appends at an exact revision and continues the revisions', async () => {
        const s = stream('exact');
        await store.append(s, events(2), { expectedRevision: 'no_stream' });
        const result = await store.append(s, events(2), { expectedRevision: 1n });
        expect(result.events.map((e) => e.revision)).toEqual([2n, 3n]);
        const stored = await collect(store.readStream(s));
        expect(stored.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n]);
      });

      it("refuses 'no_stream' on an existing stream", async () => {
        const s = stream('nostream');
        await store.append(s, events(2), { expectedRevision: 'no_stream' });
        const error = await refusal(store.append(s, events(1), { expectedRevision: 'no_stream' }), WrongExpectedRevisionError);
        expect(error.actual).toBe(1n);
        expect(error.expected).toBe('no_stream');
        expect(error.code).toBe('WRONG_EXPECTED_REVISION');
      });

      it("refuses 'stream_exists' on a missing stream (actual -1n) and accepts it on an existing one", async () => {
        const s = stream('exists');
        const error = await refusal(store.append(s, events(1), { expectedRevision: 'stream_exists' }), WrongExpectedRevisionError);
        expect(error.actual).toBe(-1n);
        expect(await collect(store.readStream(s))).toEqual([]);
        await store.append(s, events(1), { expectedRevision: 'no_stream' });
        const result = await store.append(s, events(2), { expectedRevision: 'stream_exists' });
        expect(result.events.map((e) => e.revision)).toEqual([1n, 2n]);
      });

      it('refuses a wrong exact revision, behind or ahead, and on a missing stream', async () => {
        const s = stream('wrong');
        const missing = await refusal(store.append(s, events(1), { expectedRevision: 0n }), WrongExpectedRevisionError);
        expect(missing.actual).toBe(-1n);
        await store.append(s, events(3), { expectedRevision: 'no_stream' });
        const behind = await refusal(store.append(s, events(1), { expectedRevision: 1n }), WrongExpectedRevisionError);
        expect(behind.actual).toBe(2n);
        expect(behind.expected).toBe(1n);
        const ahead = await refusal(store.append(s, events(1), { expectedRevision: 5n }), WrongExpectedRevisionError);
        expect(ahead.actual).toBe(2n);
        expect((await collect(store.readStream(s))).length).toBe(3);
      });

      it("'any' appends to a missing and to an existing stream", async () => {
        const s = stream('any');
        const first = await store.append(s, events(2), { expectedRevision: 'any' });
        expect(first.events.map((e) => e.revision)).toEqual([0n, 1n]);
        const second = await store.append(s, events(1), { expectedRevision: 'any' });
        expect(second.events.map((e) => e.revision)).toEqual([2n]);
      });

      it('a refused multi-event append writes nothing', async () => {
        const s = stream('atomic');
        await store.append(s, events(2), { expectedRevision: 'no_stream' });
        const headBefore = await store.headPosition();
        const refused = events(5);
        await refusal(store.append(s, refused, { expectedRevision: 0n }), WrongExpectedRevisionError);
        await refusal(store.append(s, refused, { expectedRevision: 'no_stream' }), WrongExpectedRevisionError);
        expect((await collect(store.readStream(s))).length).toBe(2);
        expect(await store.headPosition()).toBe(headBefore);
        expect(await collect(store.readAll({ after: headBefore }))).toEqual([]);
        // None of the refused ids was stored: they are still free to use.
        const accepted = await store.append(s, refused, { expectedRevision: 1n });
        expect(accepted.idempotent).toBe(false);
        expect(accepted.events.map((e) => e.revision)).toEqual([2n, 3n, 4n, 5n, 6n]);
      });

      it('of concurrent appends at the same revision exactly one wins; the others see its head', async () => {
        const s = stream('race');
        await store.append(s, events(1), { expectedRevision: 'no_stream' });
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, () => store.append(s, events(2), { expectedRevision: 0n })),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(won).toHaveLength(1);
        for (const o of lost) {
          expect(o.reason).toBeInstanceOf(WrongExpectedRevisionError);
          expect((o.reason as WrongExpectedRevisionError).actual).toBe(2n);
        }
        expect((await collect(store.readStream(s))).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      });

      it("concurrent 'any' appends to one stream all land, in distinct contiguous revisions", async () => {
        const s = stream('anyrace');
        const results = await Promise.all(Array.from({ length: 12 }, () => store.append(s, events(2), { expectedRevision: 'any' })));
        const revisions = results.flatMap((r) => r.events.map((e) => e.revision)).sort(compareBigint);
        expect(revisions).toEqual(Array.from({ length: 24 }, (_, i) => BigInt(i)));
        expect((await verifyChain(store.readStream(s, { raw: true }))).valid).toBe(true);
      });

      it('refuses invalid appends with InvalidAppendError and writes nothing', async () => {
        const s = stream('invalid');
        const headBefore = await store.headPosition();
        const bad: Array<[readonly EventToAppend[], ExpectedRevision]> = [
          [[], 'any'],
          [[{ ...event(), eventId: 'not-a-uuid' }], 'any'],
          [[{ ...event(), type: '' }], 'any'],
          [[{ ...event(), metadata: { prevHash: GENESIS_HASH } }], 'any'],
          [[{ ...event(), metadata: { hash: 'x' } }], 'any'],
          [[{ ...event(), schemaVersion: 0 }], 'any'],
          [[{ ...event(), data: { text: 'nul \u0000 inside' } }], 'any'],
          [(() => { const e = event(); return [e, { ...event(), eventId: e.eventId }]; })(), 'any'],
          [[event()], -5n],
        ];
        for (const [batch, expectedRevision] of bad) {
          await refusal(store.append(s, batch, { expectedRevision }), InvalidAppendError);
        }
        await refusal(store.append('', [event()], { expectedRevision: 'any' }), InvalidAppendError);
        expect(await store.headPosition()).toBe(headBefore);
      });

      it('positions are bigint and strictly increasing; headPosition and streamHead follow appends', async () => {
        const s = stream('positions');
        expect(await store.streamHead(s)).toBeNull();
        const a = await store.append(s, events(2), { expectedRevision: 'no_stream' });
        const b = await store.append(stream('positions'), events(1), { expectedRevision: 'no_stream' });
        const c = await store.append(s, events(1), { expectedRevision: 1n });
        const positions = [...a.events, ...b.events, ...c.events].map((e) => e.position);
        for (let i = 1; i < positions.length; i += 1) expect(positions[i]!).toBeGreaterThan(positions[i - 1]!);
        expect(await store.headPosition()).toBe(c.events[0]!.position);
        const head = await store.streamHead(s);
        const stored = await collect(store.readStream(s));
        expect(head).toEqual({ revision: 2n, position: c.events[0]!.position, hash: stored[2]!.metadata.hash });
      });
    });

    describe('2. re-appending the same event ids is idempotent', () => {
      it('returns the same result with idempotent: true and writes nothing', async () => {
        const s = stream('idem');
        const batch = events(3);
        const first = await store.append(s, batch, { expectedRevision: 'no_stream' });
        await store.append(s, events(1), { expectedRevision: 2n });
        const headBefore = await store.headPosition();
        for (const expectedRevision of ['no_stream', 'any', 'stream_exists', -1n, 7n] as ExpectedRevision[]) {
          const again = await store.append(s, batch, { expectedRevision });
          expect(again).toEqual({ ...first, idempotent: true });
        }
        expect(await store.headPosition()).toBe(headBefore);
        expect((await collect(store.readStream(s))).length).toBe(4);
      });

      it('concurrent identical appends store the events once and agree on the result', async () => {
        const s = stream('idemrace');
        const batch = events(2);
        const results = await Promise.all(
          Array.from({ length: 5 }, () => store.append(s, batch, { expectedRevision: 'any' })),
        );
        expect(results.filter((r) => !r.idempotent)).toHaveLength(1);
        for (const r of results) expect(r.events).toEqual(results[0]!.events);
        expect((await collect(store.readStream(s))).length).toBe(2);
      });

      // Skipped only for a store that declares it cannot check ids across streams (EventStoreDB: see
      // `uniqueEventIdsAcrossStreams`); every SQL adapter runs it.
      (settings.uniqueEventIdsAcrossStreams === false ? it.skip : it)('refuses an event id already used in another stream', async () => {
        const used = event();
        await store.append(stream('idemA'), [used], { expectedRevision: 'no_stream' });
        const other = stream('idemB');
        const error = await refusal(store.append(other, [{ ...used }], { expectedRevision: 'any' }), EventIdConflictError);
        expect(error.eventIds).toEqual([used.eventId]);
        expect(error.code).toBe('EVENT_ID_CONFLICT');
        expect(await collect(store.readStream(other))).toEqual([]);
      });

      it('refuses an event id used by a different event of the same stream', async () => {
        const s = stream('idemC');
        const [a, b] = events(2);
        await store.append(s, [a!, b!], { expectedRevision: 'no_stream' });
        await refusal(store.append(s, [b!, a!], { expectedRevision: 'any' }), EventIdConflictError);
        await refusal(store.append(s, [{ ...a!, type: 'SomethingElse' }, event()], { expectedRevision: 1n }), EventIdConflictError);
        expect((await collect(store.readStream(s))).length).toBe(2);
      });

      it('refuses a partial overlap and writes none of its new events', async () => {
        const s = stream('idemD');
        const stored = events(2);
        await store.append(s, stored, { expectedRevision: 'no_stream' });
        const fresh = event();
        const error = await refusal(store.append(s, [...stored, fresh], { expectedRevision: 'any' }), EventIdConflictError);
        expect([...error.eventIds].sort()).toEqual(stored.map((e) => e.eventId).sort());
        expect((await collect(store.readStream(s))).map((e) => e.eventId)).toEqual(stored.map((e) => e.eventId));
        // The new event was not written: it can still be appended on its own.
        expect((await store.append(s, [fresh], { expectedRevision: 1n })).idempotent).toBe(false);
      });
    });

    describe('3. readStream and readAll page through results', () => {
      const count = PAGE_SIZE * 3 + 7;
      let s: string;
      let appended: AppendResult;

      beforeAll(async () => {
        s = stream('read');
        appended = await store.append(s, events(count), { expectedRevision: 'no_stream' });
      });

      it('reads a stream forwards across pages, in revision order', async () => {
        const read = await collect(store.readStream(s));
        expect(read.map((e) => e.revision)).toEqual(range(count).map(BigInt));
        expect(read.map((e) => e.position)).toEqual(appended.events.map((e) => e.position));
        expect(read.map((e) => e.eventId)).toEqual(appended.events.map((e) => e.eventId));
        expect(read.every((e) => e.streamId === s)).toBe(true);
      });

      it('honours fromRevision and maxCount forwards', async () => {
        const from = await collect(store.readStream(s, { fromRevision: 15n }));
        expect(from.map((e) => e.revision)).toEqual(range(count - 15).map((i) => BigInt(i + 15)));
        const limited = await collect(store.readStream(s, { fromRevision: 5n, maxCount: PAGE_SIZE + 3 }));
        expect(limited.map((e) => e.revision)).toEqual(range(PAGE_SIZE + 3).map((i) => BigInt(i + 5)));
        expect(await collect(store.readStream(s, { fromRevision: BigInt(count) }))).toEqual([]);
        expect(await collect(store.readStream(s, { maxCount: 0 }))).toEqual([]);
        expect((await collect(store.readStream(s, { maxCount: count + 50 }))).length).toBe(count);
      });

      it('reads backwards from the head or from a revision, across pages', async () => {
        const all = await collect(store.readStream(s, { direction: 'backwards' }));
        expect(all.map((e) => e.revision)).toEqual(range(count).map((i) => BigInt(count - 1 - i)));
        const from = await collect(store.readStream(s, { direction: 'backwards', fromRevision: 24n, maxCount: PAGE_SIZE * 2 }));
        expect(from.map((e) => e.revision)).toEqual(range(PAGE_SIZE * 2).map((i) => BigInt(24 - i)));
        const tail = await collect(store.readStream(s, { direction: 'backwards', fromRevision: 3n }));
        expect(tail.map((e) => e.revision)).toEqual([3n, 2n, 1n, 0n]);
        const last = await collect(store.readStream(s, { direction: 'backwards', maxCount: 1 }));
        expect(last.map((e) => e.revision)).toEqual([BigInt(count - 1)]);
      });

      it('yields nothing for an unknown stream', async () => {
        expect(await collect(store.readStream(stream('unknown')))).toEqual([]);
        expect(await collect(store.readStream(stream('unknown'), { direction: 'backwards' }))).toEqual([]);
      });

      it('returns the stored envelope: the caller metadata plus prevHash and hash', async () => {
        const s2 = stream('envelope');
        const e = event('Enveloped', { n: 1, nested: { list: [1, 'two', null], flag: true } }, { partnershipId: 'p-1' });
        await store.append(s2, [e], { expectedRevision: 'no_stream' });
        const [read] = await collect(store.readStream(s2));
        expect(read).toMatchObject({ eventId: e.eventId, type: 'Enveloped', schemaVersion: 1, streamId: s2, revision: 0n, data: e.data });
        expect(read!.metadata).toEqual({ ...e.metadata, prevHash: GENESIS_HASH, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      });

      it('can be abandoned part-way without reading the rest', async () => {
        const seen: bigint[] = [];
        for await (const e of store.readStream(s)) {
          seen.push(e.revision);
          if (seen.length === 3) break;
        }
        expect(seen).toEqual([0n, 1n, 2n]);
      });

      describe('readAll', () => {
        const typeA = type('ReadA');
        const typeB = type('ReadB');
        let head: bigint;
        let written: RecordedEventRef[];
        const prefix = (label: string) => `c${run}-all${label}-`;

        beforeAll(async () => {
          head = await store.headPosition();
          written = [];
          // Interleaved across three streams and two types, more than one page of each.
          for (let i = 0; i < PAGE_SIZE * 3; i += 1) {
            const label = ['x', 'y', 'z'][i % 3]!;
            const streamId = `${prefix(label)}${i % 2}`;
            const t = i % 4 === 0 ? typeB : typeA;
            const result = await store.append(streamId, [event(t, { i })], { expectedRevision: 'any' });
            written.push({ streamId, type: t, ...result.events[0]! });
          }
        });

        it('reads everything after a position, in position order, across pages', async () => {
          const read = await collect(store.readAll({ after: head }));
          expect(read.map(ref)).toEqual(written);
          const fromMiddle = await collect(store.readAll({ after: written[11]!.position }));
          expect(fromMiddle.map(ref)).toEqual(written.slice(12));
        });

        it('honours maxCount', async () => {
          const read = await collect(store.readAll({ after: head, maxCount: PAGE_SIZE + 4 }));
          expect(read.map(ref)).toEqual(written.slice(0, PAGE_SIZE + 4));
          const fromStart = await collect(store.readAll({ maxCount: 5 }));
          expect(fromStart).toHaveLength(5);
          expect(fromStart[0]!.position).toBeGreaterThanOrEqual(1n);
          for (let i = 1; i < fromStart.length; i += 1) expect(fromStart[i]!.position).toBeGreaterThan(fromStart[i - 1]!.position);
        });

        it('filters by event types', async () => {
          const onlyB = await collect(store.readAll({ after: head, filter: { eventTypes: [typeB] } }));
          expect(onlyB.map(ref)).toEqual(written.filter((w) => w.type === typeB));
          const both = await collect(store.readAll({ after: head, filter: { eventTypes: [typeA, typeB] } }));
          expect(both.map(ref)).toEqual(written);
          expect(await collect(store.readAll({ after: head, filter: { eventTypes: [type('Nothing')] } }))).toEqual([]);
        });

        it('filters by one stream prefix or several, also combined with types', async () => {
          const x = await collect(store.readAll({ after: head, filter: { streamPrefix: prefix('x') } }));
          expect(x.map(ref)).toEqual(written.filter((w) => w.streamId.startsWith(prefix('x'))));
          const xz = await collect(store.readAll({ after: head, filter: { streamPrefix: [prefix('x'), prefix('z')] } }));
          expect(xz.map(ref)).toEqual(written.filter((w) => !w.streamId.startsWith(prefix('y'))));
          const yB = await collect(store.readAll({ after: head, filter: { streamPrefix: [prefix('y')], eventTypes: [typeB] } }));
          expect(yB.map(ref)).toEqual(written.filter((w) => w.streamId.startsWith(prefix('y')) && w.type === typeB));
          expect(yB.length).toBeGreaterThan(0);
          const limited = await collect(store.readAll({ after: head, maxCount: 3, filter: { eventTypes: [typeA] } }));
          expect(limited.map(ref)).toEqual(written.filter((w) => w.type === typeA).slice(0, 3));
        });

        it('treats LIKE wildcards in a stream prefix literally', async () => {
          const literal = `c${run}-lit-a%_b`;
          const lookalike = `c${run}-lit-aXYb`;
          await store.append(literal, [event()], { expectedRevision: 'no_stream' });
          await store.append(lookalike, [event()], { expectedRevision: 'no_stream' });
          const read = await collect(store.readAll({ after: head, filter: { streamPrefix: `c${run}-lit-a%_` } }));
          expect(read.map((e) => e.streamId)).toEqual([literal]);
        });
      });
    });

    describe('4. subscribeAll catches up, then follows live appends', () => {
      it('catches up, reports onCaughtUp, follows live appends and ends promptly on close()', async () => {
        const s = stream('sub');
        const head = await store.headPosition();
        const before = await store.append(s, events(PAGE_SIZE * 2 + 3), { expectedRevision: 'no_stream' });
        const caughtUp: bigint[] = [];
        const subscription = store.subscribeAll({ after: head, onCaughtUp: (p) => caughtUp.push(p) });
        const consumer = consume(subscription);
        await consumer.until(() => consumer.received.length >= before.events.length && caughtUp.length > 0);
        expect(caughtUp[0]).toBe(before.events[before.events.length - 1]!.position);

        const live = await store.append(s, events(2), { expectedRevision: before.nextExpectedRevision });
        const startedAt = Date.now();
        await consumer.until(() => consumer.received.length >= before.events.length + 2);
        // Woken by the append, not by the (long) poll interval.
        expect(Date.now() - startedAt).toBeLessThan(POLL_INTERVAL_MS);
        expect(consumer.received.map((e) => e.eventId)).toEqual([...before.events, ...live.events].map((e) => e.eventId));
        expect(consumer.received.map((e) => e.position)).toEqual([...before.events, ...live.events].map((e) => e.position));

        await sleep(50); // now idle, waiting
        const closing = Date.now();
        await subscription.close();
        await consumer.finished;
        expect(Date.now() - closing).toBeLessThan(POLL_INTERVAL_MS / 2);
        expect(consumer.error).toBeUndefined();
      });

      it('close() ends a pending next() promptly', async () => {
        const subscription = store.subscribeAll({ after: await store.headPosition() });
        const iterator = subscription[Symbol.asyncIterator]();
        const pending = iterator.next();
        await sleep(50);
        const closing = Date.now();
        await subscription.close();
        await expect(pending).resolves.toEqual({ done: true, value: undefined });
        expect(Date.now() - closing).toBeLessThan(POLL_INTERVAL_MS / 2);
      });

      it('filters by type and prefix, and checkpoints past events that do not match', async () => {
        const wanted = type('SubWanted');
        const s = stream('subfilter');
        const head = await store.headPosition();
        const checkpoints: bigint[] = [];
        const subscription = store.subscribeAll({
          after: head,
          filter: { eventTypes: [wanted], streamPrefix: [`c${run}-subfilter-`] },
          onCheckpoint: (p) => checkpoints.push(p),
        });
        const consumer = consume(subscription);
        const noise = await store.append(s, events(PAGE_SIZE * 2 + 1, type('SubNoise')), { expectedRevision: 'no_stream' });
        const noisePosition = noise.events[noise.events.length - 1]!.position;
        await consumer.until(() => checkpoints.some((c) => c >= noisePosition));
        expect(consumer.received).toEqual([]);

        const elsewhere = await store.append(stream('subother'), [event(wanted)], { expectedRevision: 'no_stream' });
        const match = await store.append(s, [event(wanted, { hit: true })], { expectedRevision: 'any' });
        await consumer.until(() => consumer.received.length >= 1 && checkpoints.some((c) => c >= match.events[0]!.position));
        expect(consumer.received.map((e) => e.eventId)).toEqual([match.events[0]!.eventId]);
        expect(consumer.received[0]!.position).toBe(match.events[0]!.position);
        expect(checkpoints.some((c) => c >= elsewhere.events[0]!.position)).toBe(true);
        for (let i = 1; i < checkpoints.length; i += 1) expect(checkpoints[i]!).toBeGreaterThan(checkpoints[i - 1]!);
        await subscription.close();
        await consumer.finished;
      });

      it('ends the iteration when the consumer breaks out of it', async () => {
        const s = stream('subbreak');
        const head = await store.headPosition();
        await store.append(s, events(3), { expectedRevision: 'no_stream' });
        const subscription = store.subscribeAll({ after: head });
        const seen: RecordedEvent[] = [];
        for await (const e of subscription) {
          seen.push(e);
          if (seen.length === 2) break;
        }
        expect(seen).toHaveLength(2);
        await subscription.close();
      });
    });

    describe('5. no event is ever skipped by a reader of $all', () => {
      it(
        `${writers} concurrent writers, ${totalEvents} events, while a $all subscriber reads: every event exactly once, in order`,
        async () => {
          const stores = [store, ...(fixture.peers ?? [])];
          const prefix = `c${run}-noskip-`;
          const shared = [0, 1, 2].map((i) => `${prefix}shared-${i}`);
          const loadType = type('Load');
          const head = await store.headPosition();
          const all = consume(store.subscribeAll({ after: head }));
          const sharedOnly = consume(store.subscribeAll({ after: head, filter: { streamPrefix: `${prefix}shared-` } }));

          const appended: RecordedEventRef[] = [];
          let budget = totalEvents;
          const writer = async (w: number) => {
            const writerStore = stores[w % stores.length]!;
            const own = `${prefix}w${w}`;
            let ownRevision: ExpectedRevision = 'no_stream';
            for (let step = 0; budget > 0; step += 1) {
              const kind = (step + w) % 5;
              const size = kind === 1 ? Math.min(budget, 2 + (step % 4)) : 1;
              budget -= size;
              const batch = events(size, loadType);
              let result: AppendResult;
              if (kind === 2) {
                // A hot shared stream with exact revisions: retry from the revision the error reports.
                const target = shared[(w + step) % shared.length]!;
                let expected: ExpectedRevision = (await writerStore.streamHead(target))?.revision ?? 'no_stream';
                for (;;) {
                  try {
                    result = await writerStore.append(target, batch, { expectedRevision: expected });
                    break;
                  } catch (error) {
                    if (!(error instanceof WrongExpectedRevisionError)) throw error;
                    expected = error.actual < 0n ? 'no_stream' : error.actual;
                  }
                }
              } else if (kind === 3) {
                result = await writerStore.append(`${prefix}w${w}-s${step}`, batch, { expectedRevision: 'no_stream' });
              } else if (kind === 4) {
                result = await writerStore.append(shared[step % shared.length]!, batch, { expectedRevision: 'any' });
              } else {
                result = await writerStore.append(own, batch, { expectedRevision: ownRevision });
                ownRevision = result.nextExpectedRevision;
              }
              for (const e of result.events) appended.push({ streamId: result.streamId, type: loadType, ...e });
            }
          };
          await Promise.all(range(writers).map(writer));
          expect(appended).toHaveLength(totalEvents);

          const ours = (received: RecordedEvent[]) => received.filter((e) => e.streamId.startsWith(prefix));
          await all.until(() => ours(all.received).length >= appended.length, 60_000);
          const sharedAppended = appended.filter((a) => a.streamId.startsWith(`${prefix}shared-`));
          await sharedOnly.until(() => sharedOnly.received.length >= sharedAppended.length, 60_000);
          await sleep(20); // anything extra (a duplicate) would arrive now
          await all.close();
          await sharedOnly.close();

          // Every event exactly once, in strictly increasing position order, as append reported.
          const received = all.received;
          for (let i = 1; i < received.length; i += 1) expect(received[i]!.position > received[i - 1]!.position).toBe(true);
          const byPosition = (a: RecordedEventRef, b: RecordedEventRef) => compareBigint(a.position, b.position);
          expect(ours(received).map(ref)).toEqual([...appended].sort(byPosition));
          expect(new Set(appended.map((a) => a.position)).size).toBe(appended.length);
          expect(sharedOnly.received.map(ref)).toEqual([...sharedAppended].sort(byPosition));

          // The contended streams kept contiguous revisions and an intact chain.
          for (const s of shared) {
            const events = await collect(store.readStream(s, { raw: true }));
            expect(events.map((e) => e.revision)).toEqual(range(events.length).map(BigInt));
            expect((await verifyChain(events)).valid).toBe(true);
          }
          expect(all.error).toBeUndefined();
        },
        120_000,
      );
    });

    describe('hash chain', () => {
      it('sets prevHash and hash on every event; a stream verifies; revision 0 links to 64 zeros', async () => {
        const s = stream('chain');
        await store.append(s, events(3), { expectedRevision: 'no_stream' });
        await store.append(s, events(PAGE_SIZE), { expectedRevision: 2n });
        await store.append(s, events(2), { expectedRevision: 'any' });
        const read = await collect(store.readStream(s, { raw: true }));
        expect(read[0]!.metadata.prevHash).toBe(GENESIS_HASH);
        for (let i = 1; i < read.length; i += 1) expect(read[i]!.metadata.prevHash).toBe(read[i - 1]!.metadata.hash);
        const verification = await verifyChain(store.readStream(s, { raw: true }));
        expect(verification).toEqual({ valid: true, checkedEvents: read.length, headHash: read[read.length - 1]!.metadata.hash });
        expect((await store.streamHead(s))!.hash).toBe(verification.headHash);
      });

      if (settings.tampering) {
        it('verifyChain reports the first altered revision after a row is changed behind the store', async () => {
          const s = stream('tamper');
          await store.append(s, events(4), { expectedRevision: 'no_stream' });
          expect((await verifyChain(store.readStream(s, { raw: true }))).valid).toBe(true);
          if (!fixture.tamperEventData) throw new Error('settings.tampering is set but the fixture has no tamperEventData');
          await fixture.tamperEventData(s, 2n, { i: 999, forged: true });
          const verification = await verifyChain(store.readStream(s, { raw: true }));
          expect(verification).toMatchObject({ valid: false, firstInvalidRevision: '2', checkedEvents: 2 });
          expect(verification.reason).toMatch(/hash/);
        });
      }
    });

    describe('upcasting', () => {
      it('reads return the latest shape; raw reads return what was stored, and it verifies', async () => {
        const s = stream('upcast');
        const head = await store.headPosition();
        const stored = event(CONTRACT_UPCAST_TYPE, { text: 'hello' });
        const result = await store.append(s, [stored, event('ContractPlain', { x: 1 })], { expectedRevision: 'no_stream' });
        const position = result.events[0]!.position;
        const latest = { schemaVersion: 2, data: { greeting: 'hello', language: 'en' } };
        const asStored = { schemaVersion: 1, data: { text: 'hello' } };

        const [fromStream] = await collect(store.readStream(s, { maxCount: 1 }));
        expect(fromStream).toMatchObject({ ...latest, eventId: stored.eventId, position });
        const [rawFromStream] = await collect(store.readStream(s, { maxCount: 1, raw: true }));
        expect(rawFromStream).toMatchObject(asStored);
        const [fromAll] = await collect(store.readAll({ after: head, filter: { eventTypes: [CONTRACT_UPCAST_TYPE] } }));
        expect(fromAll).toMatchObject({ ...latest, position });
        const [rawFromAll] = await collect(store.readAll({ after: head, maxCount: 1, raw: true }));
        expect(rawFromAll).toMatchObject(asStored);

        const subscription = store.subscribeAll({ after: head, filter: { streamPrefix: s } });
        const consumer = consume(subscription);
        await consumer.until(() => consumer.received.length >= 2);
        await subscription.close();
        expect(consumer.received[0]).toMatchObject({ ...latest, position });
        expect(consumer.received[1]).toMatchObject({ schemaVersion: 1, data: { x: 1 } });

        expect((await verifyChain(store.readStream(s, { raw: true }))).valid).toBe(true);
        expect((await verifyChain(store.readStream(s))).valid).toBe(false);
      });
    });
  });
}

// ── helpers ───────────────────────────────────────────────────────────────────────────────────

interface RecordedEventRef {
  readonly streamId: string;
  readonly type: string;
  readonly eventId: string;
  readonly revision: bigint;
  readonly position: bigint;
}

const ref = (e: RecordedEvent): RecordedEventRef => ({
  streamId: e.streamId,
  type: e.type,
  eventId: e.eventId,
  revision: e.revision,
  position: e.position,
});

function event(type = 'ContractThingHappened', data: JsonObject = {}, metadata: JsonObject = {}): EventToAppend {
  return {
    eventId: uuidv7(),
    type,
    schemaVersion: 1,
    data,
    metadata: { correlationId: 'contract-suite', recordedAt: new Date().toISOString(), ...metadata },
  };
}

function events(n: number, type?: string): EventToAppend[] {
  return range(n).map((i) => event(type, { i }));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

const compareBigint = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function refusal<E extends Error>(promise: Promise<unknown>, errorClass: new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(errorClass);
    return error as E;
  }
  throw new Error(`expected a ${errorClass.name}, but the call succeeded`);
}

interface Consumer {
  readonly received: RecordedEvent[];
  readonly finished: Promise<void>;
  readonly error: unknown;
  until(condition: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Drains a subscription in the background, like a real consumer would. */
function consume(subscription: EventSubscription): Consumer {
  const received: RecordedEvent[] = [];
  let error: unknown;
  const finished = (async () => {
    try {
      for await (const e of subscription) received.push(e);
    } catch (e) {
      error = e;
    }
  })();
  return {
    received,
    finished,
    get error() {
      return error;
    },
    async until(condition, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        if (error) throw error;
        if (Date.now() > deadline) {
          throw new Error(`subscription condition not met within ${timeoutMs} ms (received ${received.length} events)`);
        }
        await sleep(5);
      }
    },
    async close() {
      await subscription.close();
      await finished;
    },
  };
}
