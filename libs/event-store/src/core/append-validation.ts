/**
 * Input checks every adapter runs before touching its store, so a bad append fails the same way
 * (InvalidAppendError) everywhere and never half-reaches the database.
 */
import { validate as isUuid } from 'uuid';
import { InvalidAppendError } from './event-store.errors';
import type { EventToAppend, ExpectedRevision, JsonObject } from './event-store.port';

/** An event as it will be stored: id lower-cased, data and metadata reduced to plain JSON. */
export interface NormalizedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
}

const RESERVED_METADATA = ['prevHash', 'hash'] as const;

// Escapes JSON.stringify emits that jsonb refuses: U+0000 and lone UTF-16 surrogates (paired ones
// are emitted as characters). Preceded by an even number of backslashes, i.e. not escaped itself.
const JSON_NUL = /(^|[^\\])(\\\\)*\\u0000/;
const JSON_LONE_SURROGATE = /(^|[^\\])(\\\\)*\\ud[89a-f][0-9a-f]{2}/;

export function assertStreamId(streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new InvalidAppendError('streamId must be a non-empty string');
  }
  if (streamId.includes('\u0000')) throw new InvalidAppendError('streamId must not contain NUL characters');
}

export function assertExpectedRevision(expected: unknown): asserts expected is ExpectedRevision {
  if (typeof expected === 'bigint') {
    if (expected < -1n) throw new InvalidAppendError(`expectedRevision ${expected} is not a revision`);
    return;
  }
  if (expected === 'no_stream' || expected === 'stream_exists' || expected === 'any') return;
  throw new InvalidAppendError(
    `expectedRevision must be a bigint revision, 'no_stream', 'stream_exists' or 'any', got ${String(expected)}`,
  );
}

/**
 * Validates an append and returns its events normalised. Data and metadata go through a JSON round
 * trip so that what is hashed is exactly what a JSON store keeps (undefined members dropped, dates
 * as strings) and the chain re-verifies after a read.
 */
export function normalizeAppend(
  streamId: unknown,
  events: unknown,
  expectedRevision: unknown,
): NormalizedEvent[] {
  assertStreamId(streamId);
  assertExpectedRevision(expectedRevision);
  if (!Array.isArray(events) || events.length === 0) {
    throw new InvalidAppendError('an append needs at least one event');
  }
  const seen = new Set<string>();
  return (events as EventToAppend[]).map((event, index) => {
    const where = `events[${index}]`;
    if (event === null || typeof event !== 'object') throw new InvalidAppendError(`${where} is not an object`);
    if (typeof event.eventId !== 'string' || !isUuid(event.eventId)) {
      throw new InvalidAppendError(`${where}.eventId must be a UUID, got ${JSON.stringify(event.eventId)}`);
    }
    const eventId = event.eventId.toLowerCase();
    if (seen.has(eventId)) throw new InvalidAppendError(`${where}.eventId ${eventId} appears twice in the append`);
    seen.add(eventId);
    if (typeof event.type !== 'string' || event.type.trim().length === 0 || event.type.includes('\u0000')) {
      throw new InvalidAppendError(`${where}.type must be a non-empty string`);
    }
    if (!Number.isInteger(event.schemaVersion) || event.schemaVersion < 1 || event.schemaVersion > 2_147_483_647) {
      throw new InvalidAppendError(`${where}.schemaVersion must be a positive integer`);
    }
    const data = toJsonObject(event.data, `${where}.data`);
    const metadata = toJsonObject(event.metadata, `${where}.metadata`);
    for (const key of RESERVED_METADATA) {
      if (Object.prototype.hasOwnProperty.call(metadata, key)) {
        throw new InvalidAppendError(`${where}.metadata.${key} is set by the store and must not be given`);
      }
    }
    return { eventId, type: event.type, schemaVersion: event.schemaVersion, data, metadata };
  });
}

function toJsonObject(value: unknown, where: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidAppendError(`${where} must be a JSON object`);
  }
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new InvalidAppendError(`${where} is not serialisable as JSON: ${(error as Error).message}`);
  }
  // PostgreSQL's jsonb cannot hold U+0000; refuse it here rather than fail a whole batch later.
  if (JSON_NUL.test(text)) throw new InvalidAppendError(`${where} must not contain NUL characters`);
  if (JSON_LONE_SURROGATE.test(text)) throw new InvalidAppendError(`${where} contains an unpaired UTF-16 surrogate`);
  return JSON.parse(text) as JsonObject;
}

// Read and subscription options, checked alike by every adapter.

/** `maxCount`: a non-negative integer, or unlimited when absent. */
export function countOption(maxCount: number | undefined): number {
  if (maxCount === undefined) return Number.POSITIVE_INFINITY;
  if (!Number.isInteger(maxCount) || maxCount < 0) throw new InvalidAppendError('maxCount must be a non-negative integer');
  return maxCount;
}

/** `readStream`'s arguments: a valid stream id, direction and `fromRevision`; the count as `countOption`. */
export function checkReadStream(
  streamId: unknown,
  options: { readonly maxCount?: number; readonly direction?: unknown; readonly fromRevision?: unknown },
): { maxCount: number; direction: 'forwards' | 'backwards' } {
  assertStreamId(streamId);
  const maxCount = countOption(options.maxCount);
  const direction = options.direction ?? 'forwards';
  if (direction !== 'forwards' && direction !== 'backwards') {
    throw new InvalidAppendError(`direction must be 'forwards' or 'backwards'`);
  }
  if (options.fromRevision !== undefined && (typeof options.fromRevision !== 'bigint' || options.fromRevision < 0n)) {
    throw new InvalidAppendError('fromRevision must be a non-negative bigint');
  }
  return { maxCount, direction };
}

/** `after`: a non-negative bigint position (exclusive), 0n when absent. */
export function afterOption(after: bigint | undefined): bigint {
  if (after === undefined) return 0n;
  if (typeof after !== 'bigint' || after < 0n) throw new InvalidAppendError('after must be a non-negative bigint position');
  return after;
}

/** An adapter setting (batch size, poll interval…) that must be a positive integer. */
export function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  return value;
}
