/**
 * The generic command pipeline against a real (embedded, in-memory) event store, with a toy counter
 * decider: folding, pinned revisions, bounded retries under real concurrent conflicts, the state
 * cache staying correct across two pipelines (two "processes"), and idempotent re-appends.
 */
import { v7 as uuidv7 } from 'uuid';
import { createEmbeddedEventStore } from '../adapters/embedded.event-store';
import type { EventStore, EventToAppend, RecordedEvent } from '../core/event-store.port';
import { WrongExpectedRevisionError } from '../core/event-store.errors';
import { CommandHandler, ConcurrencyRetriesExhaustedError, type DeciderLike } from './command-handler';

type CounterCommand = { type: 'Add'; n: number; ids?: string[] } | { type: 'Refuse' } | { type: 'Nothing' };
type CounterEvent = { type: 'Added'; data: { n: number } };
interface CounterState {
  total: number;
  count: number;
}

let evolveCalls = 0;
const counter: DeciderLike<CounterState, CounterCommand, CounterEvent> = {
  initialState: () => ({ total: 0, count: 0 }),
  evolve: (s, e) => {
    evolveCalls++;
    return { total: s.total + e.data.n, count: s.count + 1 };
  },
  decide: (c) => {
    if (c.type === 'Refuse') throw new Error('refused by the rules');
    if (c.type === 'Nothing') return [];
    return [{ type: 'Added', data: { n: c.n } }];
  },
};

const handlerFor = (store: EventStore, maxRetries = 10) =>
  new CommandHandler<CounterState, CounterCommand, CounterEvent>(store, {
    decider: counter,
    fromRecorded: (e: RecordedEvent) => ({ type: 'Added', data: { n: Number(e.data['n']) } }),
    toAppend: (events, command): EventToAppend[] =>
      events.map((e, i) => ({
        eventId: command.type === 'Add' && command.ids ? command.ids[i]! : uuidv7(),
        type: e.type,
        schemaVersion: 1,
        data: e.data,
        metadata: { recordedAt: new Date().toISOString() },
      })),
    maxRetries,
    stateCacheSize: 100,
  });

let store: EventStore;
let stream = 0;
const next = () => `counter-${++stream}`;

beforeAll(async () => {
  store = await createEmbeddedEventStore();
});
afterAll(async () => store?.close());

it('loads a missing stream as the initial state at revision -1', async () => {
  expect(await handlerFor(store).load(next())).toEqual({ state: { total: 0, count: 0 }, revision: -1n });
});

it('decides, appends at the loaded revision and returns the new state and revisions', async () => {
  const h = handlerFor(store);
  const s = next();
  const first = await h.handle(s, { type: 'Add', n: 5 });
  expect(first).toMatchObject({ revision: 0n, state: { total: 5, count: 1 }, idempotent: false });
  expect(first.events).toEqual([{ eventId: expect.any(String), type: 'Added', revision: 0n, position: expect.any(BigInt) }]);
  const second = await h.handle(s, { type: 'Add', n: 2 });
  expect(second.revision).toBe(1n);
  expect((await handlerFor(store).load(s)).state).toEqual({ total: 7, count: 2 });
});

it('appends nothing when the decider decides nothing, and nothing when it refuses', async () => {
  const h = handlerFor(store);
  const s = next();
  await h.handle(s, { type: 'Add', n: 1 });
  expect(await h.handle(s, { type: 'Nothing' })).toMatchObject({ events: [], revision: 0n });
  await expect(h.handle(s, { type: 'Refuse' })).rejects.toThrow('refused by the rules');
  expect((await store.streamHead(s))?.revision).toBe(0n);
});

it('with a pinned revision, a mismatch is the caller’s: WrongExpectedRevisionError, no retry, nothing written', async () => {
  const h = handlerFor(store);
  const s = next();
  await h.handle(s, { type: 'Add', n: 1 });
  await expect(h.handle(s, { type: 'Add', n: 1 }, { expectedRevision: 5n })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
  await expect(h.handle(s, { type: 'Add', n: 1 }, { expectedRevision: -1n })).rejects.toMatchObject({ actual: 0n, expected: 'no_stream' });
  expect((await store.streamHead(s))?.revision).toBe(0n);
  expect((await h.handle(s, { type: 'Add', n: 1 }, { expectedRevision: 0n })).revision).toBe(1n);
});

it('retries real conflicts without a pinned revision: 16 concurrent commands from two pipelines all land once', async () => {
  const s = next();
  const a = handlerFor(store);
  const b = handlerFor(store);
  const results = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).handle(s, { type: 'Add', n: i + 1 })));
  expect(new Set(results.map((r) => r.revision))).toEqual(new Set(Array.from({ length: 16 }, (_, i) => BigInt(i))));
  expect((await handlerFor(store).load(s)).state).toEqual({ total: (16 * 17) / 2, count: 16 });
});

it('gives up after maxRetries with ConcurrencyRetriesExhaustedError, writing nothing for the loser', async () => {
  const s = next();
  await handlerFor(store).handle(s, { type: 'Add', n: 0 });
  const pipelines = Array.from({ length: 8 }, () => handlerFor(store, 0));
  const settled = await Promise.allSettled(pipelines.map((h) => h.handle(s, { type: 'Add', n: 1 })));
  const failures = settled.filter((r) => r.status === 'rejected');
  expect(failures.length).toBeGreaterThan(0);
  for (const f of failures) expect((f as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyRetriesExhaustedError);
  const landed = settled.length - failures.length;
  expect((await handlerFor(store).load(s)).state.count).toBe(1 + landed);
});

it('keeps the state cache right when another pipeline appended meanwhile, folding only the new events', async () => {
  const s = next();
  const a = handlerFor(store);
  const b = handlerFor(store);
  for (let i = 0; i < 20; i++) await a.handle(s, { type: 'Add', n: 1 });
  await b.handle(s, { type: 'Add', n: 100 }); // b folds 20 events, a's cache is now stale
  evolveCalls = 0;
  const loaded = await a.load(s);
  expect(loaded).toEqual({ state: { total: 120, count: 21 }, revision: 20n });
  expect(evolveCalls).toBe(1); // only b's event was read and folded
});

it('treats re-appending the same event ids as idempotent and returns the stored revisions', async () => {
  const s = next();
  const h = handlerFor(store);
  const ids = [uuidv7()];
  const first = await h.handle(s, { type: 'Add', n: 3, ids });
  const again = await handlerFor(store).handle(s, { type: 'Add', n: 3, ids });
  expect(again.idempotent).toBe(true);
  expect(again.events.map((e) => e.revision)).toEqual(first.events.map((e) => e.revision));
  expect((await handlerFor(store).load(s)).state).toEqual({ total: 3, count: 1 });
});

it('calls beforeAppend with the exact events, before they are in the store', async () => {
  const s = next();
  let seen: readonly EventToAppend[] = [];
  let headDuringHook: unknown = 'unset';
  await handlerFor(store).handle(s, { type: 'Add', n: 9 }, {
    beforeAppend: async (events) => {
      seen = events;
      headDuringHook = await store.streamHead(s);
    },
  });
  expect(headDuringHook).toBeNull();
  expect(seen.map((e) => e.data)).toEqual([{ n: 9 }]);
  const [stored] = await collect(store.readStream(s));
  expect(stored!.eventId).toBe(seen[0]!.eventId);
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
