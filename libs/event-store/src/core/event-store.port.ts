/**
 * The event-store port (DESIGN.md §3). Small and ours: adapters (embedded PGlite, PostgreSQL,
 * EventStoreDB) implement it and are held to one shared contract suite (`../testing`). Nothing above
 * this library imports a database driver.
 *
 * Conventions every adapter normalises to:
 * - a stream's first event has revision 0n;
 * - a position is the event's place in the global order (`$all`), a bigint that only grows along
 *   `$all`; positions need not be contiguous;
 * - `after` options are exclusive: `{ after: p }` starts with the first event whose position is > p.
 */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type ExpectedRevision = bigint | 'no_stream' | 'stream_exists' | 'any';

export interface EventToAppend {
  /** Client-chosen UUIDv7; the idempotency key of the append. */
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: JsonObject;
  /**
   * Caller metadata (partnershipId, occurredAt, recordedAt, recordedBy, correlationId, …). The store
   * adds `prevHash` and `hash`; callers must not set them.
   */
  readonly metadata: JsonObject;
}

/** The metadata every stored event carries in addition to the caller's. */
export interface ChainMetadata {
  readonly prevHash: string;
  readonly hash: string;
}

export interface RecordedEvent<Data extends JsonObject = JsonObject> {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly data: Data;
  readonly metadata: JsonObject & ChainMetadata;
}

export interface AppendOptions {
  readonly expectedRevision: ExpectedRevision;
}

export interface AppendResult {
  readonly streamId: string;
  /** Revision of the last event of the append (the stream's new head). */
  readonly nextExpectedRevision: bigint;
  /** Revision and position of each appended event, in order. */
  readonly events: ReadonlyArray<{ eventId: string; revision: bigint; position: bigint }>;
  /** True when every event was already in the stream (an idempotent re-append); nothing was written. */
  readonly idempotent: boolean;
}

export interface ReadStreamOptions {
  /** Inclusive; default 0n forwards, the head backwards. */
  readonly fromRevision?: bigint;
  readonly direction?: 'forwards' | 'backwards';
  readonly maxCount?: number;
  /** Return events exactly as stored (no upcasting): for hash verification and audit exports. */
  readonly raw?: boolean;
}

export interface AllFilter {
  readonly eventTypes?: readonly string[];
  /** One prefix or several (OR). */
  readonly streamPrefix?: string | readonly string[];
}

export interface ReadAllOptions {
  /** Exclusive; omit to start at the beginning of `$all`. */
  readonly after?: bigint;
  readonly maxCount?: number;
  readonly filter?: AllFilter;
  readonly raw?: boolean;
}

export interface SubscribeAllOptions {
  readonly after?: bigint;
  readonly filter?: AllFilter;
  /**
   * Called when the subscription has seen everything up to `position` (inclusive) even if no
   * matching event was delivered — lets idle filtered subscribers advance their checkpoint.
   */
  readonly onCheckpoint?: (position: bigint) => void;
  /** Called once each time the subscription has caught up with the head. */
  readonly onCaughtUp?: (position: bigint) => void;
}

/**
 * A catch-up subscription to `$all`: yields stored events in position order, then follows new
 * appends. Pull-based, so a slow consumer is never overrun. `close()` ends the iteration.
 */
export interface EventSubscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface StreamHead {
  readonly revision: bigint;
  readonly position: bigint;
  readonly hash: string;
}

export interface EventStore {
  /** Atomic; `expectedRevision` is enforced exactly, including the symbolic values. */
  append(streamId: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult>;
  /** Streams results page by page; an unknown stream yields nothing. */
  readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  /** The last event's revision, position and hash, or null when the stream does not exist. */
  streamHead(streamId: string): Promise<StreamHead | null>;
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  subscribeAll(options?: SubscribeAllOptions): EventSubscription;
  /** Position of the last event in `$all` (0n when empty). */
  headPosition(): Promise<bigint>;
  /** Cheap liveness probe for health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** DI token for the port. */
export const EVENT_STORE = Symbol('EVENT_STORE');
