/**
 * Pure translations between the port and EventStoreDB (KurrentDB): revisions, positions, expected
 * revisions, filters, the metadata envelope and vendor errors. No I/O here, so all of it is
 * unit-tested without a server (esdb-mapping.spec.ts).
 *
 * Revisions: EventStoreDB stream revisions are bigints from 0, the port's convention; they pass
 * through unchanged.
 *
 * Positions: the port position of an event is its COMMIT position in `$all`. For every append made
 * over gRPC the server writes implicitly committed prepare records (flag IsCommitted, no separate
 * commit record), and its $all reader reports such an event with commit position = prepare
 * position = the prepare record's own log position (KurrentDB
 * src/EventStore.Core/Services/Storage/ReaderIndex/AllReader.cs: `new CommitEventRecord(eventRecord,
 * prepare.LogPosition)` for `IsCommitted` prepares). So the events of one multi-event append do NOT
 * share a commit position: positions strictly grow along `$all`. Only events written in explicit
 * (TCP-era) transactions share the commit record's position; gRPC cannot write those and Trellis
 * never does. A record that breaks this (commit ≠ prepare on an event) is refused loudly
 * (`positionOf`) instead of being given a position that could repeat.
 *
 * Every position this adapter reports is therefore the commit position of some event (or 0n), i.e.
 * the start of a record; resuming "after p" is the server position {commit: p, prepare: p}, which
 * the server treats as exclusive. Checkpoints that the server reports at a page boundary
 * ({commit: C, prepare: 0}, "everything before C") are first resolved to the last event before C
 * (esdb-subscription.ts), because C - 1 would point into the middle of a record, which the server
 * refuses as an invalid position.
 */
import { randomUUID } from 'node:crypto';
import { InvalidAppendError } from '../../core/event-store.errors';
import type { AllFilter, ExpectedRevision, JsonObject, RecordedEvent } from '../../core/event-store.port';

/** A position in the EventStoreDB transaction log, as the client reports it. */
export interface EsdbPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export type EsdbExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | bigint;

/** The subset of a recorded EventStoreDB event the adapter reads. */
export interface EsdbRecord {
  readonly streamId: string;
  readonly revision: bigint;
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  /** Present on `$all` reads, and on stream reads from servers ≥ 22.6. */
  readonly position?: EsdbPosition;
}

/** An event as handed to the client's appendToStream (a JSON event with our id). */
export interface EsdbEventData {
  readonly id: string;
  readonly contentType: 'application/json';
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: EsdbMetadataEnvelope;
}

/**
 * What is stored as EventStoreDB event metadata. The port's metadata (caller metadata plus the
 * chain) is kept whole under `metadata`, so it round-trips byte for byte and re-verifies;
 * `$correlationId` / `$causationId` are copies in the names EventStoreDB's own projections read.
 * `appendId` is unique per append call: it tells an append that wrote its events from one the
 * server deduplicated (a concurrent identical append got there first).
 */
export interface EsdbMetadataEnvelope {
  readonly [key: string]: JsonObject[string];
  readonly trellis: { readonly schemaVersion: number; readonly appendId: string };
  readonly metadata: JsonObject;
}

/** `ulong.MaxValue`: what servers before 22.6 put where a stream read has no `$all` position. */
const NO_POSITION = 18446744073709551615n;

// ── revisions ─────────────────────────────────────────────────────────────────────────────────

/** The port's expected revision in the client's terms (same spelling, same meaning; -1n is no_stream). */
export function toEsdbExpectedRevision(expected: ExpectedRevision): EsdbExpectedRevision {
  if (expected === -1n) return 'no_stream';
  return expected;
}

/** The client's `actualVersion` ('no_stream' or a bigint) as the port's `actual` (-1n for none). */
export function fromEsdbCurrentRevision(current: unknown): bigint {
  if (typeof current === 'bigint') return current;
  if (typeof current === 'number' && Number.isInteger(current)) return BigInt(current);
  if (typeof current === 'string' && /^-?\d+$/.test(current)) return BigInt(current);
  return -1n;
}

// ── positions ─────────────────────────────────────────────────────────────────────────────────

/** The port position of an event read from `$all` (or a stream read carrying its position). */
export function positionOf(record: Pick<EsdbRecord, 'position' | 'streamId' | 'revision'>): bigint {
  const position = record.position;
  if (position === undefined || position.commit === NO_POSITION || position.commit < 0n) {
    throw new Error(
      `EventStoreDB returned ${record.streamId}@${record.revision} without its $all position; ` +
        'Trellis needs an EventStoreDB/KurrentDB server ≥ 22.6 (stream reads carrying positions)',
    );
  }
  if (position.prepare !== position.commit) {
    // Only events of explicit transactions look like this (see the top of this file).
    throw new Error(
      `EventStoreDB event ${record.streamId}@${record.revision} has commit position ${position.commit} but prepare ` +
        `position ${position.prepare}: events written in explicit transactions are not supported`,
    );
  }
  return position.commit;
}

/** Where to (re)start a `$all` read or subscription so that it yields events with position > `after`. */
export function fromPositionAfter(after: bigint): 'start' | EsdbPosition {
  return after <= 0n ? 'start' : { commit: after, prepare: after };
}

/** A checkpoint that is an event's own position ({p, p}) needs no lookup; a page boundary does. */
export function checkpointEventPosition(checkpoint: EsdbPosition): bigint | undefined {
  return checkpoint.commit === checkpoint.prepare ? checkpoint.commit : undefined;
}

// ── system events ─────────────────────────────────────────────────────────────────────────────

/**
 * EventStoreDB's own events ($stats, $metadata, projections' links, …): `$`-prefixed types or
 * streams. The SQL stores have none, so no reader of the port ever sees them.
 */
export function isSystemRecord(record: Pick<EsdbRecord, 'streamId' | 'type'>): boolean {
  return record.streamId.startsWith('$') || record.type.startsWith('$');
}

/** Server-side regex excluding `$`-prefixed event types (EventStoreDB's own "exclude system events"). */
export const EXCLUDE_SYSTEM_EVENT_TYPES = '^[^$]';

// ── filters ───────────────────────────────────────────────────────────────────────────────────

/** The server-side part of a filter, in the client's shape (minus checkpoint settings). */
export type EsdbServerFilter =
  | { readonly filterOn: 'eventType'; readonly prefixes: string[] }
  | { readonly filterOn: 'eventType'; readonly regex: string }
  | { readonly filterOn: 'streamName'; readonly prefixes: string[] };

export interface TranslatedFilter {
  /** Sent to the server: EventStoreDB accepts ONE filter (event type or stream name) per subscription. */
  readonly server: EsdbServerFilter;
  /** Applied to everything the server sends: the other half of a combined filter, and system events. */
  readonly matches: (record: Pick<EsdbRecord, 'streamId' | 'type'>) => boolean;
}

/** Escapes a string for a .NET regular expression (the server compiles `regex` filters with .NET). */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/**
 * Translates a port filter. Event types go to the server as an exact-match regex
 * (`^(?:A|B)$`): a prefix filter would let `OrderPlacedV2` through for `OrderPlaced`. Stream
 * prefixes go to the server as prefixes. When a filter names both, the server filters on the event
 * types — usually the more selective half, and the one whose index-free scan the server does
 * anyway — and the stream prefixes are checked here. With neither, the server excludes system
 * event types. System events (including `$`-prefixed streams whose types are not) are always
 * dropped here as well.
 */
export function translateFilter(filter: AllFilter | undefined): TranslatedFilter {
  const types = filter?.eventTypes === undefined ? undefined : [...filter.eventTypes];
  const prefixes =
    filter?.streamPrefix === undefined
      ? undefined
      : typeof filter.streamPrefix === 'string'
        ? [filter.streamPrefix]
        : [...filter.streamPrefix];
  if (types !== undefined && !types.every((t) => typeof t === 'string')) {
    throw new InvalidAppendError('filter.eventTypes must be strings');
  }
  if (prefixes !== undefined && !prefixes.every((p) => typeof p === 'string')) {
    throw new InvalidAppendError('filter.streamPrefix must be a string or strings');
  }
  const typeSet = types === undefined ? undefined : new Set(types);
  const matches = (record: Pick<EsdbRecord, 'streamId' | 'type'>): boolean =>
    !isSystemRecord(record) &&
    (typeSet === undefined || typeSet.has(record.type)) &&
    (prefixes === undefined || prefixes.some((p) => record.streamId.startsWith(p)));

  let server: EsdbServerFilter;
  if (types !== undefined) {
    // An empty list matches nothing; `(?!)` is a regex that never matches.
    server = { filterOn: 'eventType', regex: types.length === 0 ? '(?!)' : `^(?:${types.map(escapeRegex).join('|')})$` };
  } else if (prefixes !== undefined && prefixes.length > 0) {
    server = { filterOn: 'streamName', prefixes };
  } else {
    server = { filterOn: 'eventType', regex: prefixes?.length === 0 ? '(?!)' : EXCLUDE_SYSTEM_EVENT_TYPES };
  }
  return { server, matches };
}

// ── events ────────────────────────────────────────────────────────────────────────────────────

/** A fresh id for one append call (see EsdbMetadataEnvelope). */
export const newAppendId = (): string => randomUUID();

export function encodeEvent(
  event: { eventId: string; type: string; schemaVersion: number; data: JsonObject; metadata: JsonObject },
  appendId: string,
): EsdbEventData {
  const { correlationId, causationId } = event.metadata;
  return {
    id: event.eventId,
    contentType: 'application/json',
    type: event.type,
    data: event.data,
    metadata: {
      trellis: { schemaVersion: event.schemaVersion, appendId },
      metadata: event.metadata,
      ...(typeof correlationId === 'string' ? { $correlationId: correlationId } : {}),
      ...(typeof causationId === 'string' ? { $causationId: causationId } : {}),
    },
  };
}

const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array);

/** The append id an event was written with (undefined for events not written by Trellis). */
export function appendIdOf(record: Pick<EsdbRecord, 'metadata'>): string | undefined {
  const envelope = record.metadata;
  if (!isObject(envelope) || !isObject(envelope['trellis'])) return undefined;
  const appendId = envelope['trellis']['appendId'];
  return typeof appendId === 'string' ? appendId : undefined;
}

/**
 * A stored EventStoreDB event as the port's RecordedEvent (not yet upcast). Events not written by
 * Trellis (other tools sharing the database) are presented as schema version 1 with whatever JSON
 * metadata they carry; they have no chain, so their `prevHash`/`hash` are empty strings.
 */
export function decodeRecord(record: EsdbRecord, position: bigint): RecordedEvent {
  const envelope = isObject(record.metadata) ? record.metadata : undefined;
  const trellis = envelope && isObject(envelope['trellis']) ? envelope['trellis'] : undefined;
  const schemaVersion = trellis && Number.isInteger(trellis['schemaVersion']) ? (trellis['schemaVersion'] as number) : 1;
  const stored = trellis && envelope && isObject(envelope['metadata']) ? envelope['metadata'] : envelope ?? {};
  const metadata = {
    ...stored,
    prevHash: typeof stored['prevHash'] === 'string' ? stored['prevHash'] : '',
    hash: typeof stored['hash'] === 'string' ? stored['hash'] : '',
  };
  return {
    eventId: record.eventId.toLowerCase(),
    type: record.type,
    schemaVersion,
    streamId: record.streamId,
    revision: record.revision,
    position,
    data: isObject(record.data) ? record.data : { value: (record.data ?? null) as JsonObject[string] },
    metadata: trellis ? (stored as RecordedEvent['metadata']) : metadata,
  };
}

// ── idempotency ───────────────────────────────────────────────────────────────────────────────

/** Where an event id already sits in the stream. */
export interface StoredId {
  readonly revision: bigint;
  readonly position: bigint;
}

export type ExistingIds =
  | { readonly kind: 'none' }
  | { readonly kind: 'duplicate'; readonly events: ReadonlyArray<{ eventId: string; revision: bigint; position: bigint }> }
  | { readonly kind: 'conflict'; readonly eventIds: readonly string[] };

/**
 * The SQL store's rule (sql-event-store.schema.ts, append_batch step (a)), checked within the
 * stream: an append is an idempotent repeat when EVERY id is already stored, at contiguous
 * revisions, in the same order; any other overlap (some ids, another order, a gap) is a conflict.
 */
export function classifyExistingIds(eventIds: readonly string[], lookup: (eventId: string) => StoredId | undefined): ExistingIds {
  const found = eventIds.map((id) => ({ eventId: id, stored: lookup(id) }));
  const present = found.filter((f) => f.stored !== undefined);
  if (present.length === 0) return { kind: 'none' };
  const first = found[0]!.stored;
  const contiguous =
    present.length === eventIds.length &&
    first !== undefined &&
    found.every((f, i) => f.stored!.revision === first.revision + BigInt(i));
  if (contiguous) {
    return { kind: 'duplicate', events: found.map((f) => ({ eventId: f.eventId, revision: f.stored!.revision, position: f.stored!.position })) };
  }
  return { kind: 'conflict', eventIds: present.map((f) => f.eventId) };
}

// ── errors ────────────────────────────────────────────────────────────────────────────────────

/** Error kinds of the client (`error.type`, @eventstore/db-client ErrorType). */
export type EsdbErrorKind = 'wrong_expected_version' | 'stream_not_found' | 'unavailable' | 'other';

export function esdbErrorKind(error: unknown): EsdbErrorKind {
  const type = (error as { type?: unknown } | null)?.type;
  switch (type) {
    case 'wrong-expected-version':
      return 'wrong_expected_version';
    case 'stream-not-found':
      return 'stream_not_found';
    case 'unavailable':
    case 'deadline-exceeded':
    case 'timeout':
    case 'not-leader':
      return 'unavailable';
    default:
      return 'other';
  }
}
