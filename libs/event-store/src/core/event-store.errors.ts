/**
 * Port errors. Adapters translate vendor errors into these; callers recognise them by `code`.
 */
import type { ExpectedRevision } from './event-store.port';

export abstract class EventStoreError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The stream was not at the expected revision. `actual` is -1n when the stream does not exist. */
export class WrongExpectedRevisionError extends EventStoreError {
  readonly code = 'WRONG_EXPECTED_REVISION';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint,
  ) {
    super(
      `Stream ${streamId} is at ${actual < 0n ? 'no_stream' : `revision ${actual}`}, expected ${String(expected)}`,
    );
  }
}

/** An event id is already stored, but not as this same append (another stream or another position). */
export class EventIdConflictError extends EventStoreError {
  readonly code = 'EVENT_ID_CONFLICT';
  constructor(readonly eventIds: readonly string[]) {
    super(`Event id(s) already used by other events: ${eventIds.join(', ')}`);
  }
}

/** The stored chain does not match what the append expected (tampering or a corrupted head). */
export class StreamIntegrityError extends EventStoreError {
  readonly code = 'STREAM_INTEGRITY';
  constructor(readonly streamId: string, detail: string) {
    super(`Stream ${streamId}: ${detail}`);
  }
}

/** Invalid arguments to a port call (empty append, bad id, reserved metadata). */
export class InvalidAppendError extends EventStoreError {
  readonly code = 'INVALID_APPEND';
}

/** The store could not be reached. */
export class EventStoreUnavailableError extends EventStoreError {
  readonly code = 'EVENT_STORE_UNAVAILABLE';
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
  }
}

export const isEventStoreError = (e: unknown): e is EventStoreError =>
  e instanceof Error && typeof (e as EventStoreError).code === 'string' && e instanceof EventStoreError;
