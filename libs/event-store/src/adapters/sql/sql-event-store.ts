/**
 * The EventStore port over SQL — one implementation for PostgreSQL (`pg`) and the embedded PGlite,
 * which run the same schema and the same `append_batch` function (sql-event-store.schema.ts).
 *
 * Append path: validate → resolve the revision to append after and the hash of the event there
 * (LRU cache, else one indexed lookup) → hash the chain in JS → queue into the group-commit batcher
 * → one `append_batch` call per batch, which re-checks everything under the append lock.
 * Symbolic expectations are made exact before they reach the database: `no_stream` is -1; `any`
 * and `stream_exists` take the current head and, if another writer moved it first, retry on the new
 * head — correct because they accept any revision.
 */
import { afterOption, assertStreamId, checkReadStream, countOption, normalizeAppend, positiveInteger, type NormalizedEvent } from '../../core/append-validation';
import {
  EventIdConflictError,
  EventStoreUnavailableError,
  InvalidAppendError,
  StreamIntegrityError,
  WrongExpectedRevisionError,
  isEventStoreError,
} from '../../core/event-store.errors';
import type {
  AllFilter,
  AppendOptions,
  AppendResult,
  ChainMetadata,
  EventStore,
  EventSubscription,
  EventToAppend,
  ExpectedRevision,
  JsonObject,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamHead,
  SubscribeAllOptions,
} from '../../core/event-store.port';
import { GENESIS_HASH, chainEvents } from '../../core/hash-chain';
import { UpcasterRegistry, type Upcaster } from '../../core/upcasters';
import { assertSqlIdentifier, isConnectionError, type SqlClient } from '../../sql/sql-client';
import { runMigrations } from '../../sql/sql-migrations';
import { AppendBatcher, type Settled } from './append-batcher';
import { ChangeSignal } from './change-signal';
import { EVENT_STORE_COMPONENT, eventStoreMigrations, eventsChannel } from './sql-event-store.schema';
import { SqlSubscription, type SubscriptionSource } from './sql-subscription';
import { StreamHeadCache } from './stream-head-cache';

export interface SqlEventStoreOptions {
  /** Schema holding the tables (a plain lower-case identifier). Default `trellis`. */
  readonly schema?: string;
  readonly upcasters?: UpcasterRegistry | readonly Upcaster[];
  /** Rows per query when reading or catching up. Default 500. */
  readonly pageSize?: number;
  /** How long an idle subscription waits for a notification before looking anyway. Default 250 ms. */
  readonly pollIntervalMs?: number;
  /** Appends per `append_batch` call. Default 128. */
  readonly maxBatchAppends?: number;
  /** Soft cap on events per `append_batch` call (one larger append still goes alone). Default 2000. */
  readonly maxBatchEvents?: number;
  /** `append_batch` calls in flight at once from this store. Default 1 (best batching). */
  readonly maxConcurrentBatches?: number;
  /** Streams whose head hash is remembered. Default 10,000. */
  readonly headCacheSize?: number;
  /** Attempts for `any` / `stream_exists` appends racing other writers. Default 20. */
  readonly maxAppendAttempts?: number;
  /** Create / upgrade the schema at start-up (idempotent, safe with concurrent starters). Default true. */
  readonly migrate?: boolean;
  /** Close the SqlClient when the store is closed. Default false: the caller owns what it passed in. */
  readonly ownsClient?: boolean;
}

/** A filter translated to SQL parameters. Empty arrays match nothing. */
export interface CompiledFilter {
  readonly eventTypes?: readonly string[];
  /** LIKE patterns, wildcards in the prefixes escaped. */
  readonly streamPatterns?: readonly string[];
}

/**
 * Opens a SqlEventStore over an existing client (which the application may share with its other
 * stores), creating / upgrading the schema first.
 */
export async function createSqlEventStore(
  options: SqlEventStoreOptions & { readonly sql: SqlClient },
): Promise<SqlEventStore> {
  const { sql, ...storeOptions } = options;
  const store = new SqlEventStore(sql, storeOptions);
  if (options.migrate !== false) {
    await runMigrations(sql, {
      schema: store.schema,
      component: EVENT_STORE_COMPONENT,
      migrations: eventStoreMigrations(store.schema),
    });
  }
  return store;
}

interface EventRow {
  position: string;
  stream_id: string;
  revision: string;
  event_id: string;
  type: string;
  schema_version: number;
  data: JsonObject;
  metadata: JsonObject & ChainMetadata;
}

type ChainedEvent = NormalizedEvent & { metadata: JsonObject & ChainMetadata };

/** One append on its way through the batcher. Mutable: batching may rebase it (see chainWithinBatch). */
interface PreparedAppend {
  readonly streamId: string;
  readonly events: readonly NormalizedEvent[];
  /** 'exact' appends keep their revision; 'any' / 'stream_exists' may follow an earlier append of the batch. */
  readonly kind: 'exact' | 'any' | 'stream_exists';
  expected: bigint;
  prevHash: string | null;
  assumed: boolean;
  chained: ChainedEvent[] | null;
}

type BatchResult =
  | { status: 'ok'; firstPosition: string }
  | { status: 'duplicate'; revisions: string[]; positions: string[] }
  | { status: 'id_conflict'; ids: string[] }
  | { status: 'conflict' | 'stale' | 'integrity'; actual: string; actualHash: string | null };

// Bigints as text (see sql-client.ts). The aliases shadow the column names, so every ORDER BY
// below must name the table's column (`e.revision`), or it would sort the text alias.
const COLUMNS =
  'e.position::text AS position, e.stream_id, e.revision::text AS revision, e.event_id::text AS event_id, e.type, e.schema_version, e.data, e.metadata';

export class SqlEventStore implements EventStore {
  readonly schema: string;
  readonly pageSize: number;
  readonly pollIntervalMs: number;

  private readonly signal: ChangeSignal;
  private readonly upcasters: UpcasterRegistry;
  private readonly heads: StreamHeadCache;
  private readonly batcher: AppendBatcher<PreparedAppend, BatchResult>;
  private readonly maxAppendAttempts: number;
  private readonly subscriptions = new Set<SqlSubscription>();
  private readonly subscriptionSource: SubscriptionSource;
  private closed = false;

  constructor(
    readonly client: SqlClient,
    private readonly options: SqlEventStoreOptions = {},
  ) {
    this.schema = assertSqlIdentifier(options.schema ?? 'trellis', 'schema');
    this.pageSize = positiveInteger(options.pageSize ?? 500, 'pageSize');
    this.pollIntervalMs = positiveInteger(options.pollIntervalMs ?? 250, 'pollIntervalMs');
    this.maxAppendAttempts = positiveInteger(options.maxAppendAttempts ?? 20, 'maxAppendAttempts');
    this.upcasters =
      options.upcasters instanceof UpcasterRegistry ? options.upcasters : new UpcasterRegistry(options.upcasters ?? []);
    this.heads = new StreamHeadCache(options.headCacheSize ?? 10_000);
    this.batcher = new AppendBatcher((items) => this.executeBatch(items), {
      maxItems: positiveInteger(options.maxBatchAppends ?? 128, 'maxBatchAppends'),
      maxWeight: positiveInteger(options.maxBatchEvents ?? 2000, 'maxBatchEvents'),
      weight: (item) => item.events.length,
      maxInFlight: positiveInteger(options.maxConcurrentBatches ?? 1, 'maxConcurrentBatches'),
      // append_batch's precondition: an event id appears in at most one append of a batch.
      keys: (item) => item.events.map((e) => e.eventId),
    });
    const channel = eventsChannel(this.schema);
    this.signal = new ChangeSignal((onNotify) => this.client.listen(channel, onNotify));
    this.subscriptionSource = {
      pageSize: this.pageSize,
      pollIntervalMs: this.pollIntervalMs,
      signal: this.signal,
      readPage: (after, limit, filter, upTo) => this.readAllPage(after, limit, filter, upTo, false),
      headPosition: () => this.headPosition(),
    };
  }

  // ── append ──────────────────────────────────────────────────────────────────────────────────

  async append(streamId: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    const expected: unknown = options?.expectedRevision;
    const normalized = normalizeAppend(streamId, events, expected);
    const expectedRevision = expected as ExpectedRevision;
    const kind = typeof expectedRevision === 'bigint' || expectedRevision === 'no_stream' ? 'exact' : expectedRevision;

    for (let attempt = 1; ; attempt += 1) {
      const base = await this.resolveBase(streamId, expectedRevision);
      if (expectedRevision === 'stream_exists' && base.revision < 0n) {
        throw new WrongExpectedRevisionError(streamId, expectedRevision, -1n);
      }
      const item: PreparedAppend = {
        streamId,
        events: normalized,
        kind,
        expected: base.revision,
        prevHash: base.hash,
        assumed: false,
        // Hash now, in the caller's turn; batching re-hashes only if it rebases the append.
        chained: base.hash === null ? null : chainEvents(base.hash, normalized),
      };
      const result = await this.batcher.submit(item);
      switch (result.status) {
        case 'ok':
          return this.appended(item, BigInt(result.firstPosition));
        case 'duplicate':
          return {
            streamId,
            nextExpectedRevision: BigInt(result.revisions[result.revisions.length - 1]!),
            events: normalized.map((e, i) => ({
              eventId: e.eventId,
              revision: BigInt(result.revisions[i]!),
              position: BigInt(result.positions[i]!),
            })),
            idempotent: true,
          };
        case 'id_conflict':
          throw new EventIdConflictError(result.ids);
        case 'integrity':
          throw new StreamIntegrityError(
            streamId,
            `the event at revision ${result.actual} is stored with hash ${String(result.actualHash)}, ` +
              `but its hash was ${String(item.prevHash)} when read; the stored chain was altered`,
          );
        case 'conflict':
        case 'stale': {
          // Authoritative (read under the append lock): remember the head for the next attempt.
          const actual = BigInt(result.actual);
          this.heads.observeHead(streamId, actual, result.actualHash ?? GENESIS_HASH);
          const retryable = result.status === 'stale' || kind !== 'exact';
          if (!retryable || attempt >= this.maxAppendAttempts) {
            throw new WrongExpectedRevisionError(streamId, expectedRevision, actual);
          }
          continue;
        }
      }
    }
  }

  private appended(item: PreparedAppend, firstPosition: bigint): AppendResult {
    const chained = item.chained!;
    const events = chained.map((e, i) => ({
      eventId: e.eventId,
      revision: item.expected + 1n + BigInt(i),
      position: firstPosition + BigInt(i),
    }));
    const last = events[events.length - 1]!;
    this.heads.learn(item.streamId, last.revision, chained[chained.length - 1]!.metadata.hash);
    return { streamId: item.streamId, nextExpectedRevision: last.revision, events, idempotent: false };
  }

  /** The exact revision to append after and the hash of the event there (null when unknown). */
  private async resolveBase(
    streamId: string,
    expected: ExpectedRevision,
  ): Promise<{ revision: bigint; hash: string | null }> {
    if (expected === 'no_stream' || expected === -1n) return { revision: -1n, hash: GENESIS_HASH };
    if (typeof expected === 'bigint') {
      const cached = this.heads.hashAt(streamId, expected);
      if (cached !== undefined) return { revision: expected, hash: cached };
      const { rows } = await this.query<{ hash: string | null }>(
        `SELECT metadata->>'hash' AS hash FROM ${this.schema}.events WHERE stream_id = $1 AND revision = $2::bigint`,
        [streamId, expected.toString()],
      );
      const hash = rows[0]?.hash ?? null;
      if (hash !== null) this.heads.learn(streamId, expected, hash);
      // Unknown: the stream is not there yet, so the append will be refused — or it got there
      // meanwhile, and append_batch answers 'stale' with the hash to retry with.
      return { revision: expected, hash };
    }
    const cached = this.heads.get(streamId);
    if (cached !== undefined) return cached;
    const head = await this.streamHead(streamId);
    return head ? { revision: head.revision, hash: head.hash } : { revision: -1n, hash: GENESIS_HASH };
  }

  private async executeBatch(items: PreparedAppend[]): Promise<Array<Settled<BatchResult>>> {
    this.chainWithinBatch(items);
    const payload = items.map((item) => ({
      stream: item.streamId,
      expected: item.expected.toString(),
      prevHash: item.prevHash,
      assumed: item.assumed,
      events: (item.chained ?? item.events).map((e) => ({
        id: e.eventId,
        type: e.type,
        schemaVersion: e.schemaVersion,
        data: e.data,
        metadata: e.metadata,
      })),
    }));
    let results: BatchResult[];
    try {
      const { rows } = await this.client.query<{ result: string }>(
        `SELECT ${this.schema}.append_batch($1::jsonb)::text AS result`,
        [JSON.stringify(payload)],
      );
      results = JSON.parse(rows[0]!.result) as BatchResult[];
    } catch (error) {
      if (isConnectionError(error)) {
        // The commit may or may not have happened; re-appending the same event ids is idempotent.
        throw new EventStoreUnavailableError(`append failed, the event store is unreachable: ${(error as Error).message}`, error);
      }
      if (items.length === 1) return [{ ok: false, error: translateStatementError(error) }];
      // One refused statement aborted the whole batch and nothing was written: isolate the culprit
      // so that only its caller sees the error.
      const settled: Array<Settled<BatchResult>> = [];
      for (const item of items) settled.push(...(await this.executeBatch([item])));
      return settled;
    }
    if (results.some((r) => r.status === 'ok')) this.signal.fire();
    return results.map((value) => ({ ok: true, value }));
  }

  /**
   * Lets appends to the same stream ride in one batch: an `any` / `stream_exists` append (or an
   * exact one whose base hash was unknown) that follows another append to its stream is rebased
   * onto the revision and hash that append will produce. Marked `assumed`, because that append may
   * itself be refused; append_batch then answers 'stale' instead of reporting a broken chain.
   */
  private chainWithinBatch(items: PreparedAppend[]): void {
    const projected = new Map<string, { revision: bigint; hash: string | null }>();
    for (const item of items) {
      const before = projected.get(item.streamId);
      if (before && before.hash !== null) {
        const rebase =
          item.kind !== 'exact'
            ? item.expected !== before.revision || item.prevHash !== before.hash
            : item.expected === before.revision && item.prevHash === null;
        if (rebase) {
          item.expected = before.revision;
          item.prevHash = before.hash;
          item.assumed = true;
          item.chained = null;
        }
      }
      if (item.chained === null && item.prevHash !== null) item.chained = chainEvents(item.prevHash, item.events);
      const last = item.chained?.[item.chained.length - 1];
      projected.set(item.streamId, {
        revision: item.expected + BigInt(item.events.length),
        hash: last ? last.metadata.hash : null,
      });
    }
  }

  // ── reads ───────────────────────────────────────────────────────────────────────────────────

  readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    const { maxCount, direction } = checkReadStream(streamId, options);
    return direction === 'forwards'
      ? this.readStreamForwards(streamId, options.fromRevision ?? 0n, maxCount, options.raw === true)
      : this.readStreamBackwards(streamId, options.fromRevision, maxCount, options.raw === true);
  }

  private async *readStreamForwards(
    streamId: string,
    fromRevision: bigint,
    maxCount: number,
    raw: boolean,
  ): AsyncGenerator<RecordedEvent> {
    let from = fromRevision;
    let remaining = maxCount;
    let last: RecordedEvent | undefined;
    while (remaining > 0) {
      const limit = Math.min(this.pageSize, remaining);
      const { rows } = await this.query<EventRow>(
        `SELECT ${COLUMNS} FROM ${this.schema}.events e
          WHERE e.stream_id = $1 AND e.revision >= $2::bigint ORDER BY e.revision LIMIT $3`,
        [streamId, from.toString(), limit],
      );
      const page = rows.map(toRecordedEvent);
      if (page.length > 0) last = page[page.length - 1];
      // A short page reached the end: its last event was the head when read.
      if (page.length < limit && last) this.heads.learn(streamId, last.revision, last.metadata.hash);
      for (const event of page) yield this.present(event, raw);
      remaining -= page.length;
      if (page.length < limit) return;
      from = last!.revision + 1n;
    }
  }

  private async *readStreamBackwards(
    streamId: string,
    fromRevision: bigint | undefined,
    maxCount: number,
    raw: boolean,
  ): AsyncGenerator<RecordedEvent> {
    let from = fromRevision;
    let remaining = maxCount;
    while (remaining > 0) {
      const limit = Math.min(this.pageSize, remaining);
      const { rows } =
        from === undefined
          ? await this.query<EventRow>(
              `SELECT ${COLUMNS} FROM ${this.schema}.events e WHERE e.stream_id = $1 ORDER BY e.revision DESC LIMIT $2`,
              [streamId, limit],
            )
          : await this.query<EventRow>(
              `SELECT ${COLUMNS} FROM ${this.schema}.events e
                WHERE e.stream_id = $1 AND e.revision <= $2::bigint ORDER BY e.revision DESC LIMIT $3`,
              [streamId, from.toString(), limit],
            );
      const page = rows.map(toRecordedEvent);
      if (from === undefined && page[0]) this.heads.learn(streamId, page[0].revision, page[0].metadata.hash);
      for (const event of page) yield this.present(event, raw);
      remaining -= page.length;
      if (page.length < limit) return;
      from = page[page.length - 1]!.revision - 1n;
      if (from < 0n) return;
    }
  }

  async streamHead(streamId: string): Promise<StreamHead | null> {
    assertStreamId(streamId);
    const { rows } = await this.query<{ revision: string; position: string; hash: string }>(
      `SELECT e.revision::text AS revision, e.position::text AS position, e.metadata->>'hash' AS hash
         FROM ${this.schema}.events e WHERE e.stream_id = $1 ORDER BY e.revision DESC LIMIT 1`,
      [streamId],
    );
    const row = rows[0];
    if (!row) return null;
    const head = { revision: BigInt(row.revision), position: BigInt(row.position), hash: row.hash };
    this.heads.learn(streamId, head.revision, head.hash);
    return head;
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const maxCount = countOption(options.maxCount);
    const after = afterOption(options.after);
    const filter = compileFilter(options.filter);
    return this.readAllPages(after, maxCount, filter, options.raw === true);
  }

  private async *readAllPages(
    after: bigint,
    maxCount: number,
    filter: CompiledFilter | undefined,
    raw: boolean,
  ): AsyncGenerator<RecordedEvent> {
    let position = after;
    let remaining = maxCount;
    while (remaining > 0) {
      const limit = Math.min(this.pageSize, remaining);
      const page = await this.readAllPage(position, limit, filter, undefined, raw);
      for (const event of page) yield event;
      remaining -= page.length;
      if (page.length < limit) return;
      position = page[page.length - 1]!.position;
    }
  }

  private async readAllPage(
    after: bigint,
    limit: number,
    filter: CompiledFilter | undefined,
    upTo: bigint | undefined,
    raw: boolean,
  ): Promise<RecordedEvent[]> {
    const params: unknown[] = [after.toString()];
    const where = ['e.position > $1::bigint'];
    if (upTo !== undefined) {
      params.push(upTo.toString());
      where.push(`e.position <= $${params.length}::bigint`);
    }
    if (filter?.eventTypes) {
      params.push(filter.eventTypes);
      where.push(`e.type = ANY($${params.length}::text[])`);
    }
    if (filter?.streamPatterns) {
      params.push(filter.streamPatterns);
      where.push(`e.stream_id LIKE ANY($${params.length}::text[])`);
    }
    params.push(limit);
    const { rows } = await this.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.schema}.events e WHERE ${where.join(' AND ')} ORDER BY e.position LIMIT $${params.length}`,
      params,
    );
    return rows.map((row) => this.present(toRecordedEvent(row), raw));
  }

  subscribeAll(options: SubscribeAllOptions = {}): EventSubscription {
    this.assertOpen();
    afterOption(options.after);
    const subscription = new SqlSubscription(
      this.subscriptionSource,
      options,
      compileFilter(options.filter),
      (released) => this.subscriptions.delete(released),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<bigint> {
    const { rows } = await this.query<{ head: string }>(
      `SELECT coalesce(max(position), 0)::text AS head FROM ${this.schema}.events`,
    );
    return BigInt(rows[0]!.head);
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.batcher.drain();
    this.heads.clear();
    if (this.options.ownsClient === true) await this.client.close();
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────────

  private present(event: RecordedEvent, raw: boolean): RecordedEvent {
    return raw ? event : this.upcasters.upcast(event);
  }

  private async query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }> {
    try {
      return await this.client.query<R>(text, params);
    } catch (error) {
      if (isConnectionError(error)) {
        throw new EventStoreUnavailableError(`the event store is unreachable: ${(error as Error).message}`, error);
      }
      throw error;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('the event store is closed');
  }
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    schemaVersion: Number(row.schema_version),
    streamId: row.stream_id,
    revision: BigInt(row.revision),
    position: BigInt(row.position),
    data: row.data,
    metadata: row.metadata,
  };
}

/** A database refusal of a single append: bad data is the caller's (InvalidAppendError). */
function translateStatementError(error: unknown): unknown {
  if (isEventStoreError(error)) return error;
  const code = (error as { code?: unknown })?.code;
  // SQLSTATE class 22: data exception (e.g. a value jsonb or text cannot hold).
  if (typeof code === 'string' && code.startsWith('22')) {
    return new InvalidAppendError(`the database refused the events: ${(error as Error).message}`);
  }
  return error;
}

export function compileFilter(filter: AllFilter | undefined): CompiledFilter | undefined {
  if (filter === undefined) return undefined;
  const prefixes =
    filter.streamPrefix === undefined
      ? undefined
      : typeof filter.streamPrefix === 'string'
        ? [filter.streamPrefix]
        : [...filter.streamPrefix];
  if (filter.eventTypes !== undefined && !filter.eventTypes.every((t) => typeof t === 'string')) {
    throw new InvalidAppendError('filter.eventTypes must be strings');
  }
  if (prefixes !== undefined && !prefixes.every((p) => typeof p === 'string')) {
    throw new InvalidAppendError('filter.streamPrefix must be a string or strings');
  }
  if (filter.eventTypes === undefined && prefixes === undefined) return undefined;
  return {
    ...(filter.eventTypes === undefined ? {} : { eventTypes: [...filter.eventTypes] }),
    ...(prefixes === undefined ? {} : { streamPatterns: prefixes.map((p) => `${p.replace(/[\\%_]/g, '\\$&')}%`) }),
  };
}

