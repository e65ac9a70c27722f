/**
 * Partnership histories for the benchmarks: the read-model history templates (the tool path, the
 * state-agency path, pilots, a closed and an abandoned partnership), decided command by command by
 * the real decider through TestLog — with real UUIDv7 event ids, unique across a generated log of
 * any size (TestLog's own ids are unique within one log only).
 */
import { v7 as uuidv7 } from 'uuid';
import type { EventToAppend, RecordedEvent } from '@trellis/event-store';
import { abandonedCommands, closedCommands, pilotCommands, stateAgencyCommands, TestLog, toolPathCommands, type LogCommand } from '@trellis/projections/testing';

/** Every template, in the order a generator takes them in turn. */
export const ALL_TEMPLATES: ReadonlyArray<() => LogCommand[]> = [toolPathCommands, stateAgencyCommands, pilotCommands, closedCommands, abandonedCommands];
/** The templates of partnerships that keep going (no closure, no abandonment). */
export const ONGOING_TEMPLATES: ReadonlyArray<() => LogCommand[]> = [toolPathCommands, stateAgencyCommands, pilotCommands];

export class GeneratorLog extends TestLog {
  override nextId(): string {
    return uuidv7();
  }
}

/** Decided events as an append (the store chains the hashes itself: no prevHash / hash). */
export function toEventsToAppend(recorded: readonly RecordedEvent[]): EventToAppend[] {
  return recorded.map(({ eventId, type, schemaVersion, data, metadata }) => {
    const { prevHash: _prev, hash: _hash, ...rest } = metadata;
    return { eventId, type, schemaVersion, data, metadata: rest };
  });
}

/** The expected revision of an append whose first event is `first`. */
export function expectedRevisionBefore(first: RecordedEvent): bigint | 'no_stream' {
  return first.revision === 0n ? 'no_stream' : first.revision - 1n;
}
