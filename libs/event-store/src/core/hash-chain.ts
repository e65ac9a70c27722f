/**
 * The tamper-evident chain (DESIGN.md §3):
 *   hash = sha256(prevHash + RFC 8785 canonical JSON of
 *                 {eventId, type, schemaVersion, data, metadata without hash})
 * `prevHash` of revision 0 is 64 zeros. Pure functions: the CLI and offline verifiers use the same.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { JsonObject } from './event-store.port';

export const GENESIS_HASH = '0'.repeat(64);

export interface HashableEvent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: JsonObject;
  /** Must contain `prevHash`; a `hash` member, if present, is ignored. */
  readonly metadata: JsonObject;
}

export function computeEventHash(event: HashableEvent): string {
  const { hash: _ignored, ...metadata } = event.metadata;
  const prevHash = metadata['prevHash'];
  if (typeof prevHash !== 'string') throw new Error('metadata.prevHash is required to hash an event');
  const body = canonicalize({
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata,
  });
  if (body === undefined) throw new Error('event is not serialisable as canonical JSON');
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

/** Adds `prevHash` and `hash` to each event, chaining from `prevHash`. */
export function chainEvents<E extends HashableEvent>(
  prevHash: string,
  events: readonly E[],
): Array<E & { metadata: JsonObject & { prevHash: string; hash: string } }> {
  let previous = prevHash;
  return events.map((event) => {
    const withPrev = { ...event, metadata: { ...event.metadata, prevHash: previous } };
    const hash = computeEventHash(withPrev);
    previous = hash;
    return { ...withPrev, metadata: { ...withPrev.metadata, hash } };
  });
}

export interface ChainVerification {
  valid: boolean;
  checkedEvents: number;
  /** Hash of the last event checked (GENESIS_HASH for an empty stream). */
  headHash: string;
  firstInvalidRevision?: string;
  reason?: string;
}

export interface VerifiableEvent extends HashableEvent {
  readonly revision: bigint | string | number;
}

/**
 * Streams through events in revision order (as stored, never upcast) and checks revisions are
 * contiguous from 0, each `prevHash` links to the previous hash, and each `hash` recomputes.
 */
export async function verifyChain(
  events: AsyncIterable<VerifiableEvent> | Iterable<VerifiableEvent>,
): Promise<ChainVerification> {
  let expectedPrev = GENESIS_HASH;
  let expectedRevision = 0n;
  let checked = 0;
  for await (const event of events as AsyncIterable<VerifiableEvent>) {
    const revision = BigInt(event.revision);
    const fail = (reason: string): ChainVerification => ({
      valid: false,
      checkedEvents: checked,
      headHash: expectedPrev,
      firstInvalidRevision: revision.toString(),
      reason,
    });
    if (revision !== expectedRevision) return fail(`expected revision ${expectedRevision}, found ${revision}`);
    if (event.metadata['prevHash'] !== expectedPrev) return fail('prevHash does not link to the previous event');
    let recomputed: string;
    try {
      recomputed = computeEventHash(event);
    } catch (e) {
      return fail(`cannot hash event: ${(e as Error).message}`);
    }
    if (event.metadata['hash'] !== recomputed) return fail('hash does not match the event content');
    expectedPrev = recomputed;
    expectedRevision += 1n;
    checked += 1;
  }
  return { valid: true, checkedEvents: checked, headHash: expectedPrev };
}
