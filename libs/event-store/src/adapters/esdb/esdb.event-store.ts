/**
 * The EventStore port over EventStoreDB (KurrentDB) with @eventstore/db-client — the production
 * store of DESIGN.md §1. Mapping rules (revisions, positions, filters, metadata, errors) live in
 * esdb-mapping.ts, the subscription in esdb-subscription.ts, the client behind esdb-gateway.ts.
 *
 * Append path. EventStoreDB has no multi-statement transaction, so the chain and the idempotency
 * check rest on the stream's exact expected revision:
 *  1. bring this store's view of the stream up to date (read the events after the revision it has
 *     seen: the head, the head's hash, and where each event id sits);
 *  2. an append whose ids are all already there, contiguous and in order, is an idempotent repeat
 *     (answered without writing); any other overlap is an EventIdConflictError — the SQL store's
 *     rule, checked within the stream (EventStoreDB has no index of event ids across streams, so
 *     reusing an id in ANOTHER stream is not detected: Trellis' ids are fresh UUIDv7s);
 *  3. `expectedRevision` is checked against the head; the events are chained from the head's hash
 *     and appended with that exact revision (NO_STREAM for an empty stream), with our event ids as
 *     the EventStoreDB event ids. If another writer got there first, the server refuses with
 *     WrongExpectedVersion and nothing is written: `any` / `stream_exists` start again from the
 *     new head (a bounded number of times), an exact expectation reports the actual revision. So a
 *     chain is only ever extended from the hash of the event it follows;
 *  4. the appended events are read back for their positions. The server deduplicates a re-append
 *     of the same ids at the same revision and still answers success, so each append carries a
 *     fresh `appendId` in its metadata: read back under another append's id means a concurrent
 *     identical append won, and the result is `idempotent: true`.
 */
import { EventStoreDBClient } from '@eventstore/db-client';
import { afterOption, assertStreamId, checkReadStream, countOption, normalizeAppend, positiveInteger } from '../../core/append-validation';
import {
  EventIdConflictError,
  EventStoreUnavailableError,
  InvalidAppendError,
  WrongExpectedRevisionError,
  isEventStoreError,
} from '../../core/event-store.errors';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventSubscription,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamHead,
  SubscribeAllOptions,
} from '../../core/event-store.port';
import { GENESIS_HASH, chainEvents } from '../../core/hash-chain';
import { UpcasterRegistry, type Upcaster } from '../../core/upcasters';
import { grpcGateway, type EsdbGateway } from './esdb-gateway';
import {
  appendIdOf,
  classifyExistingIds,
  decodeRecord,
  encodeEvent,
  esdbErrorKind,
  fromEsdbCurrentRevision,
  fromPositionAfter,
  isSystemRecord,
  newAppendId,
  positionOf,
  toEsdbExpectedRevision,
  translateFilter,
  type EsdbPosition,
  type EsdbRecord,
  type StoredId,
  type TranslatedFilter,
} from './esdb-mapping';
import { EsdbSubscription } from './esdb-subscription';

export interface EsdbEventStoreOptions {
  /** `esdb://host:2113?tls=false`, `esdb+discover://…` or `kurrentdb://…` (read as esdb://). */
  readonly connectionString?: string;
  /** An already built gateway (tests; a shared client). The store then does not dispose it unless `ownsGateway`. */
  readonly gateway?: EsdbGateway;
  readonly ownsGateway?: boolean;
  readonly upcasters?: UpcasterRegistry | readonly Upcaster[];
  /** Attempts for `any` / `stream_exists` appends racing other writers. Default 20. */
  readonly maxAppendAttempts?: number;
  /** Streams whose head and event ids this store remembers between appends. Default 1,000. */
  readonly streamCacheSize?: number;
  /** Events the server considers per filtered page; also its live checkpoint interval. Default 32. */
  readonly maxSearchWindow?: number;
  /** Idle time after which a subscription checks whether it can checkpoint the head. Default 250 ms. */
  readonly idleCheckpointMs?: number;
  /** How many events an idle check may scan. Default 2,000. */
  readonly idleCheckpointScanLimit?: number;
  /** Delays between resubscription attempts after a dropped connection. Default 100 ms … 5 s. */
  readonly reconnectDelaysMs?: readonly number[];
  /** Called when a subscription lost its connection and is about to resubscribe. */
  readonly onSubscriptionDropped?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Check the server answers before returning (default true). */
  readonly verifyConnection?: boolean;
}

/** Opens the store; an unreachable server is an EventStoreUnavailableError with a plain message. */
export async function createEsdbEventStore(options: EsdbEventStoreOptions): Promise<EsdbEventStore> {
  let gateway = options.gateway;
  let owns = options.ownsGateway ?? false;
  if (!gateway) {
    if (!options.connectionString) throw new Error('createEsdbEventStore needs a connectionString or a gateway');
    gateway = grpcGateway(EventStoreDBClient.connectionString(esdbScheme(options.connectionString)));
    owns = true;
  }
  const store = new EsdbEventStore(gateway, { ...options, ownsGateway: owns });
  if (options.verifyConnection !== false) {
    try {
      await store.ping();
    } catch (error) {
      await store.close().catch(() => undefined);
      const where = options.connectionString ? redact(options.connectionString) : 'the configured gateway';
      const cause = error instanceof EventStoreUnavailableError && error.cause instanceof Error ? error.cause : error;
      throw new EventStoreUnavailableError(
        `EventStoreDB at ${where} is unreachable (${(cause as Error).message.trim()}). Start an EventStoreDB/KurrentDB ` +
          'server there (see docker/compose.yml) or choose EVENT_STORE=postgres or embedded.',
        cause,
      );
    }
  }
  return store;
}

/** The 6.x client knows the esdb schemes; KurrentDB's own names mean the same. */
function esdbScheme(connectionString: string): string {
  return connectionString.replace(/^kurrent(?:db)?(\+discover)?:\/\//i, (_m, discover: string | undefined) => `esdb${discover ?? ''}://`);
}

function redact(connectionString: string): string {
  return connectionString.replace(/\/\/[^@/]*@/, '//***@');
}

/** What this store knows of one stream: its head and where each event id sits. */
interface StreamView {
  head: bigint;
  hash: string;
  readonly ids: Map<string, StoredId>;
}

export class EsdbEventStore implements EventStore {
  private readonly upcasters: UpcasterRegistry;
  private readonly maxAppendAttempts: number;
  private readonly streamCacheSize: number;
  private readonly views = new Map<string, StreamView>();
  private readonly subscriptions = new Set<EsdbSubscription>();
  private closed = false;

  constructor(
    private readonly gateway: EsdbGateway,
    private readonly options: EsdbEventStoreOptions = {},
  ) {
    this.upcasters =
      options.upcasters instanceof UpcasterRegistry ? options.upcasters : new UpcasterRegistry(options.upcasters ?? []);
    this.maxAppendAttempts = positiveInteger(options.maxAppendAttempts ?? 20, 'maxAppendAttempts');
    this.streamCacheSize = positiveInteger(options.streamCacheSize ?? 1_000, 'streamCacheSize');
  }

  // ── append ──────────────────────────────────────────────────────────────────────────────────

  async append(streamId: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    const expectedOption: unknown = options?.expectedRevision;
    const normalized = normalizeAppend(streamId, events, expectedOption);
    const expected = expectedOption as ExpectedRevision;
    if (streamId.startsWith('$')) throw new InvalidAppendError('stream ids starting with $ are reserved by EventStoreDB');
    normalized.forEach((e, i) => {
      if (e.type.startsWith('$')) throw new InvalidAppendError(`events[${i}].type: types starting with $ are reserved by EventStoreDB`);
    });
    const ids = normalized.map((e) => e.eventId);

    for (let attempt = 1; ; attempt += 1) {
      const view = await this.refreshView(streamId);
      const existing = classifyExistingIds(ids, (id) => view.ids.get(id));
      if (existing.kind === 'duplicate') return idempotentResult(streamId, existing.events);
      if (existing.kind === 'conflict') throw new EventIdConflictError(existing.eventIds);

      const refusal = expectationRefusal(expected, view.head);
      if (refusal !== undefined) throw new WrongExpectedRevisionError(streamId, expected, refusal);

      const chained = chainEvents(view.hash, normalized);
      const appendId = newAppendId();
      try {
        await this.call(() =>
          this.gateway.append(
            streamId,
            chained.map((e) => encodeEvent(e, appendId)),
            toEsdbExpectedRevision(view.head < 0n ? 'no_stream' : view.head),
          ),
        );
      } catch (error) {
        if (esdbErrorKind(error) !== 'wrong_expected_version') throw translateAppendError(error);
        // Another writer moved the stream. Exact expectations are answered from the refreshed view
        // on the next turn (which also recognises a concurrent identical append); symbolic ones retry.
        if (attempt >= this.maxAppendAttempts) {
          throw new WrongExpectedRevisionError(streamId, expected, fromEsdbCurrentRevision((error as { actualVersion?: unknown }).actualVersion));
        }
        continue;
      }
      return this.confirmAppend(streamId, view, ids, appendId);
    }
  }

  /** Reads the appended events back: their positions, and whether this append wrote them. */
  private async confirmAppend(streamId: string, view: StreamView, ids: readonly string[], appendId: string): Promise<AppendResult> {
    const first = view.head + 1n;
    const stored: EsdbRecord[] = [];
    for await (const record of this.gateway.readStream(streamId, { fromRevision: first, direction: 'forwards', maxCount: ids.length })) {
      stored.push(record);
    }
    const matches = stored.length === ids.length && stored.every((r, i) => r.eventId.toLowerCase() === ids[i]);
    if (!matches) {
      throw new Error(`EventStoreDB accepted an append to ${streamId} at revision ${first}, but other events are stored there`);
    }
    this.learn(streamId, stored);
    const events = stored.map((r) => ({ eventId: r.eventId.toLowerCase(), revision: r.revision, position: positionOf(r) }));
    const written = stored.every((r) => appendIdOf(r) === appendId);
    return written
      ? { streamId, nextExpectedRevision: events[events.length - 1]!.revision, events, idempotent: false }
      : idempotentResult(streamId, events);
  }

  /** Brings the cached view of a stream up to its head (reads only what is new since last time). */
  private async refreshView(streamId: string): Promise<StreamView> {
    let view = this.views.get(streamId);
    if (view) {
      this.views.delete(streamId); // re-insert below: most recently used last
    } else {
      view = { head: -1n, hash: GENESIS_HASH, ids: new Map() };
    }
    this.views.set(streamId, view);
    while (this.views.size > this.streamCacheSize) this.views.delete(this.views.keys().next().value!);
    const records: EsdbRecord[] = [];
    await this.call(async () => {
      for await (const record of this.gateway.readStream(streamId, {
        fromRevision: view.head + 1n,
        direction: 'forwards',
        maxCount: Number.POSITIVE_INFINITY,
      })) {
        records.push(record);
      }
    });
    this.learn(streamId, records);
    return view;
  }

  private learn(streamId: string, records: readonly EsdbRecord[]): void {
    const view = this.views.get(streamId);
    if (!view) return;
    for (const record of records) {
      view.ids.set(record.eventId.toLowerCase(), { revision: record.revision, position: positionOf(record) });
      if (record.revision > view.head) {
        view.head = record.revision;
        view.hash = decodeRecord(record, 0n).metadata.hash;
      }
    }
  }

  // ── reads ───────────────────────────────────────────────────────────────────────────────────

  readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    const { maxCount, direction } = checkReadStream(streamId, options);
    return this.readStreamEvents(streamId, direction, options.fromRevision, maxCount, options.raw === true);
  }

  private async *readStreamEvents(
    streamId: string,
    direction: 'forwards' | 'backwards',
    fromRevision: bigint | undefined,
    maxCount: number,
    raw: boolean,
  ): AsyncGenerator<RecordedEvent> {
    const read = this.gateway.readStream(streamId, { direction, maxCount, ...(fromRevision === undefined ? {} : { fromRevision }) });
    for await (const record of this.guard(read)) yield this.present(record, positionOf(record), raw);
  }

  async streamHead(streamId: string): Promise<StreamHead | null> {
    assertStreamId(streamId);
    for await (const record of this.guard(this.gateway.readStream(streamId, { direction: 'backwards', maxCount: 1 }))) {
      return { revision: record.revision, position: positionOf(record), hash: decodeRecord(record, 0n).metadata.hash };
    }
    return null;
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const maxCount = countOption(options.maxCount);
    const after = afterOption(options.after);
    return this.readAllEvents(after, maxCount, translateFilter(options.filter), options.raw === true);
  }

  /**
   * The 6.x client cannot filter `readAll` on the server, so reads filter here while streaming;
   * subscriptions (the long-running consumers) filter on the server.
   */
  private async *readAllEvents(after: bigint, maxCount: number, filter: TranslatedFilter, raw: boolean): AsyncGenerator<RecordedEvent> {
    if (maxCount <= 0) return;
    let delivered = 0;
    const read = this.gateway.readAll({ from: fromPositionAfter(after), direction: 'forwards', maxCount: Number.POSITIVE_INFINITY });
    for await (const record of this.guard(read)) {
      if (!filter.matches(record)) continue;
      const position = positionOf(record);
      if (position <= after) continue; // a forwards read from a position includes the event there
      yield this.present(record, position, raw);
      delivered += 1;
      if (delivered >= maxCount) return;
    }
  }

  subscribeAll(options: SubscribeAllOptions = {}): EventSubscription {
    this.assertOpen();
    afterOption(options.after);
    const filter = translateFilter(options.filter);
    const subscription = new EsdbSubscription(
      {
        gateway: this.gateway,
        maxSearchWindow: positiveInteger(this.options.maxSearchWindow ?? 32, 'maxSearchWindow'),
        idleCheckpointMs: positiveInteger(this.options.idleCheckpointMs ?? 250, 'idleCheckpointMs'),
        reconnectDelaysMs: this.options.reconnectDelaysMs ?? [100, 250, 500, 1_000, 2_000, 5_000],
        headPosition: () => this.headPosition(),
        lastEventBefore: (checkpoint) => this.lastEventBefore(checkpoint),
        anyMatchBetween: (from, upTo, matches) => this.anyMatchBetween(from, upTo, matches),
        present: (record, position) => this.present(record, position, false),
        ...(this.options.onSubscriptionDropped ? { onDropped: this.options.onSubscriptionDropped } : {}),
      },
      options,
      filter,
      (released) => this.subscriptions.delete(released),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Position of the last non-system event in `$all` (0n when there is none). */
  async headPosition(): Promise<bigint> {
    for await (const record of this.guard(this.gateway.readAll({ from: 'end', direction: 'backwards', maxCount: Number.POSITIVE_INFINITY }))) {
      if (!isSystemRecord(record)) return positionOf(record);
    }
    return 0n;
  }

  /** A backwards read from a record boundary yields the events that end at or before it. */
  private async lastEventBefore(checkpoint: EsdbPosition): Promise<bigint> {
    const at = { commit: checkpoint.commit, prepare: checkpoint.commit };
    for await (const record of this.guard(this.gateway.readAll({ from: at, direction: 'backwards', maxCount: 1 }))) {
      const position = positionOf(record);
      return position < checkpoint.commit ? position : 0n;
    }
    return 0n;
  }

  private async anyMatchBetween(after: bigint, upTo: bigint, matches: TranslatedFilter['matches']): Promise<boolean | undefined> {
    const limit = this.options.idleCheckpointScanLimit ?? 2_000;
    let scanned = 0;
    for await (const record of this.guard(this.gateway.readAll({ from: fromPositionAfter(after), direction: 'forwards', maxCount: limit + 1 }))) {
      const position = positionOf(record);
      if (position <= after) continue;
      if (position > upTo) return false;
      if (matches(record)) return true;
      scanned += 1;
      if (scanned > limit) return undefined;
    }
    return false;
  }

  async ping(): Promise<void> {
    await this.call(async () => {
      for await (const _record of this.gateway.readAll({ from: 'end', direction: 'backwards', maxCount: 1 })) break;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.views.clear();
    if (this.options.ownsGateway === true) await this.gateway.dispose();
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────────

  private present(record: EsdbRecord, position: bigint, raw: boolean): RecordedEvent {
    const event = decodeRecord(record, position);
    return raw ? event : this.upcasters.upcast(event);
  }

  /** Iterates a gateway read, translating a lost connection. */
  private async *guard(read: AsyncIterable<EsdbRecord>): AsyncGenerator<EsdbRecord> {
    try {
      yield* read;
    } catch (error) {
      throw translateReadError(error);
    }
  }

  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (esdbErrorKind(error) === 'wrong_expected_version') throw error;
      throw translateReadError(error);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('the event store is closed');
  }
}

/** Why an expectation is refused against the current head: the actual revision, or undefined when it holds. */
export function expectationRefusal(expected: ExpectedRevision, head: bigint): bigint | undefined {
  if (expected === 'any') return undefined;
  if (expected === 'stream_exists') return head < 0n ? head : undefined;
  if (expected === 'no_stream') return head >= 0n ? head : undefined;
  return expected === head ? undefined : head;
}

function idempotentResult(
  streamId: string,
  events: ReadonlyArray<{ eventId: string; revision: bigint; position: bigint }>,
): AppendResult {
  return { streamId, nextExpectedRevision: events[events.length - 1]!.revision, events: [...events], idempotent: true };
}

function translateReadError(error: unknown): unknown {
  if (isEventStoreError(error)) return error;
  if (esdbErrorKind(error) === 'unavailable') {
    return new EventStoreUnavailableError(`EventStoreDB is unreachable: ${(error as Error).message}`, error);
  }
  return error;
}

function translateAppendError(error: unknown): unknown {
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'maximum-append-size-exceeded') {
    return new InvalidAppendError(`the append is larger than the server accepts: ${(error as Error).message}`);
  }
  if (esdbErrorKind(error) === 'unavailable') {
    // The append may or may not have happened; re-appending the same event ids is idempotent.
    return new EventStoreUnavailableError(`append failed, EventStoreDB is unreachable: ${(error as Error).message}`, error);
  }
  return error;
}

