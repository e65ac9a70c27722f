/**
 * TEST ONLY. An in-memory stand-in for an EventStoreDB server behind the `EsdbGateway` interface.
 * No EventStoreDB server can run on the development machines, so the adapter's logic is unit-tested
 * against this fake; the real server is exercised by esdb.event-store.int-spec.ts whenever
 * EVENTSTORE_URL is set. It mimics the server behaviour the adapter relies on:
 * - positions are byte offsets of records of varying size; an event's position is {p, p};
 * - expected-revision checks, with the server's deduplication of a re-append of the same ids at
 *   the same revision (success without writing), and WrongExpectedVersion otherwise;
 * - system events (`$stats` …) interleaved in `$all`;
 * - `$all` subscriptions with one server-side filter, checkpoints at page boundaries
 *   ({commit: C, prepare: 0}), `caughtUp`, live events, and drops on demand.
 */
import { randomUUID } from 'node:crypto';
import { WrongExpectedVersionError } from '@eventstore/db-client';
import type { EsdbGateway, EsdbRawSubscription, EsdbReadFrom, EsdbSubscribeOptions, EsdbSubscriptionItem } from './esdb-gateway';
import type { EsdbEventData, EsdbExpectedRevision, EsdbPosition, EsdbRecord, EsdbServerFilter } from './esdb-mapping';

interface StoredRecord extends EsdbRecord {
  readonly position: EsdbPosition;
  /** Where the next record starts. */
  readonly end: bigint;
}

export class FakeEsdbGateway implements EsdbGateway {
  readonly log: StoredRecord[] = [];
  readonly appendCalls: Array<{ streamId: string; expectedRevision: EsdbExpectedRevision; ids: string[] }> = [];
  readonly subscribeCalls: EsdbSubscribeOptions[] = [];
  readonly subscriptions = new Set<FakeRawSubscription>();
  /** Runs before an append is applied (to simulate another writer getting there first). */
  beforeAppend: ((streamId: string) => Promise<void> | void) | undefined;
  /** When set, every call fails with this error (a lost connection). */
  failure: Error | undefined;
  private next = 64n;
  disposed = false;

  constructor() {
    this.writeSystemEvent();
  }

  writeSystemEvent(): StoredRecord {
    return this.write('$stats-127.0.0.1:2113', '$statsCollected', randomUUID(), {}, {});
  }

  async append(streamId: string, events: readonly EsdbEventData[], expectedRevision: EsdbExpectedRevision): Promise<void> {
    this.check();
    this.appendCalls.push({ streamId, expectedRevision, ids: events.map((e) => e.id) });
    await this.beforeAppend?.(streamId);
    await Promise.resolve(); // the network: other callers interleave here
    const stream = this.log.filter((r) => r.streamId === streamId);
    const current = stream.length === 0 ? -1n : stream[stream.length - 1]!.revision;
    const sameIdsFrom = (from: bigint) =>
      events.every((e, i) => stream.find((r) => r.revision === from + BigInt(i))?.eventId === e.id);
    const refuse = () => {
      throw new WrongExpectedVersionError(undefined, {
        streamName: streamId,
        expected: expectedRevision,
        current: current < 0n ? 'no_stream' : current,
      });
    };
    if (expectedRevision === 'no_stream') {
      if (current >= 0n) return sameIdsFrom(0n) ? undefined : refuse();
    } else if (expectedRevision === 'stream_exists') {
      if (current < 0n) refuse();
    } else if (typeof expectedRevision === 'bigint') {
      if (current !== expectedRevision) return expectedRevision < current && sameIdsFrom(expectedRevision + 1n) ? undefined : refuse();
    }
    let revision = current;
    for (const e of events) {
      revision += 1n;
      this.write(streamId, e.type, e.id, e.data, e.metadata, revision);
    }
  }

  async *readStream(
    streamId: string,
    { fromRevision, direction, maxCount }: { fromRevision?: bigint; direction: 'forwards' | 'backwards'; maxCount: number },
  ): AsyncGenerator<EsdbRecord> {
    this.check();
    let stream = this.log.filter((r) => r.streamId === streamId);
    if (direction === 'forwards') stream = stream.filter((r) => r.revision >= (fromRevision ?? 0n));
    else stream = stream.reverse().filter((r) => fromRevision === undefined || r.revision <= fromRevision);
    let n = 0;
    for (const record of stream) {
      if (n++ >= maxCount) return;
      await Promise.resolve();
      yield record;
    }
  }

  async *readAll({ from, direction, maxCount }: { from: EsdbReadFrom; direction: 'forwards' | 'backwards'; maxCount: number }): AsyncGenerator<EsdbRecord> {
    this.check();
    let records: StoredRecord[];
    if (direction === 'forwards') {
      records = this.log.filter((r) => from === 'start' || (from !== 'end' && comparePositions(r.position, from) >= 0));
    } else {
      // Backwards from a record boundary: the records that end at or before it.
      records = this.log.filter((r) => from === 'end' || (from !== 'start' && r.end <= from.commit)).reverse();
    }
    let n = 0;
    for (const record of records) {
      if (n++ >= maxCount) return;
      await Promise.resolve();
      yield record;
    }
  }

  subscribeToAll(options: EsdbSubscribeOptions): EsdbRawSubscription {
    this.check();
    this.subscribeCalls.push(options);
    const subscription = new FakeRawSubscription(this, options);
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Drops every open subscription with an error (as a lost connection would). */
  drop(error = new Error('14 UNAVAILABLE: Connection dropped')): void {
    for (const s of this.subscriptions) s.fail(error);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }

  private write(
    streamId: string,
    type: string,
    eventId: string,
    data: unknown,
    metadata: unknown,
    revision = BigInt(this.log.filter((r) => r.streamId === streamId).length),
  ): StoredRecord {
    const at = this.next;
    const size = 100n + BigInt(JSON.stringify({ data, metadata }).length);
    this.next = at + size;
    const record: StoredRecord = { streamId, revision, eventId, type, data, metadata, position: { commit: at, prepare: at }, end: at + size };
    this.log.push(record);
    for (const s of this.subscriptions) s.live(record);
    return record;
  }
}

export const comparePositions = (a: EsdbPosition, b: EsdbPosition): number =>
  a.commit !== b.commit ? (a.commit < b.commit ? -1 : 1) : a.prepare === b.prepare ? 0 : a.prepare < b.prepare ? -1 : 1;

export function serverFilterMatches(filter: EsdbServerFilter, record: Pick<EsdbRecord, 'streamId' | 'type'>): boolean {
  if ('regex' in filter) return new RegExp(filter.regex).test(record.type);
  const subject = filter.filterOn === 'eventType' ? record.type : record.streamId;
  return filter.prefixes.some((p) => subject.startsWith(p));
}

/** Catch-up from the log, then live records; a checkpoint at the end of each considered window. */
export class FakeRawSubscription implements EsdbRawSubscription {
  private readonly queue: Array<EsdbSubscriptionItem | { kind: 'error'; error: Error }> = [];
  private wake: (() => void) | undefined;
  private closed = false;
  private considered = 0;
  private checkpoint: EsdbPosition;

  constructor(
    private readonly server: FakeEsdbGateway,
    private readonly options: EsdbSubscribeOptions,
  ) {
    const from = options.from;
    this.checkpoint = from === 'start' ? { commit: 0n, prepare: 0n } : from;
    for (const record of server.log) {
      if (from !== 'start' && comparePositions(record.position, from) <= 0) continue;
      this.consider(record);
    }
    // Going live: a page-boundary checkpoint ("everything before C"), then caughtUp.
    const last = server.log[server.log.length - 1];
    if (last) this.queue.push({ kind: 'checkpoint', position: { commit: last.end, prepare: 0n } });
    this.queue.push({ kind: 'caughtUp' });
  }

  live(record: StoredRecord): void {
    this.consider(record);
    this.notify();
  }

  fail(error: Error): void {
    this.queue.push({ kind: 'error', error });
    this.notify();
  }

  async next(): Promise<IteratorResult<EsdbSubscriptionItem, undefined>> {
    for (;;) {
      if (this.closed) return { done: true, value: undefined };
      const item = this.queue.shift();
      if (item) {
        if (item.kind === 'error') {
          this.server.subscriptions.delete(this);
          throw item.error;
        }
        return { done: false, value: item };
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.server.subscriptions.delete(this);
    this.notify();
  }

  private consider(record: StoredRecord): void {
    if (serverFilterMatches(this.options.filter, record)) this.queue.push({ kind: 'event', record });
    this.considered += 1;
    if (this.considered % this.options.maxSearchWindow === 0) {
      // A live checkpoint: the considered event's own position.
      this.checkpoint = record.position;
      this.queue.push({ kind: 'checkpoint', position: this.checkpoint });
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
