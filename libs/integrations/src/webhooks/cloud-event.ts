/**
 * The body of a webhook: a recorded event as a CloudEvents 1.0 event in structured JSON mode
 * (DESIGN.md §6). The same function serves replays and re-drives, so a re-sent event is byte-for-byte
 * the body first sent (its `webhook-id` and signature inputs stay stable).
 */
import type { JsonObject, RecordedEvent } from '@trellis/event-store';

/** Content type of a structured-mode CloudEvent (CloudEvents JSON format §3). */
export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';
export const CLOUDEVENTS_SPEC_VERSION = '1.0';
/** Prefix of every CloudEvents `type` Trellis sends: `trellis.<EventType>.v<schemaVersion>`. */
export const CLOUD_EVENT_TYPE_PREFIX = 'trellis.';

const PARTNERSHIP_STREAM_PREFIX = 'partnership-';
/**
 * Width of the zero-padded `sequence`. The sequence extension requires values that order
 * lexicographically ("10" sorts before "9"); 20 digits hold every unsigned 64-bit position.
 */
export const CLOUD_EVENT_SEQUENCE_DIGITS = 20;

export interface CloudEvent {
  readonly specversion: '1.0';
  /** The eventId: unique, and the same in every retry and replay. */
  readonly id: string;
  /** `/partnerships/<partnershipId>`. */
  readonly source: string;
  /** `trellis.<EventType>.v<schemaVersion>`, e.g. `trellis.PartnershipProposed.v1`. */
  readonly type: string;
  /** The partnershipId. */
  readonly subject?: string;
  /** metadata.recordedAt (RFC 3339). */
  readonly time?: string;
  readonly datacontenttype: 'application/json';
  /** The event's position in `$all`, zero-padded decimal (sequence extension). */
  readonly sequence: string;
  readonly data: JsonObject;
}

export const cloudEventType = (eventType: string, schemaVersion: number): string =>
  `${CLOUD_EVENT_TYPE_PREFIX}${eventType}.v${schemaVersion}`;

/** `trellis.PartnershipProposed.v2` → `{ eventType: 'PartnershipProposed', schemaVersion: 2 }`. */
export function parseCloudEventType(type: string): { eventType: string; schemaVersion: number } | null {
  const match = /^trellis\.([A-Za-z0-9_]+)\.v([1-9][0-9]*)$/.exec(type);
  return match ? { eventType: match[1]!, schemaVersion: Number(match[2]) } : null;
}

export function cloudEventSequence(position: bigint): string {
  if (position < 0n) throw new RangeError(`position must not be negative (got ${position})`);
  return position.toString().padStart(CLOUD_EVENT_SEQUENCE_DIGITS, '0');
}

/** The `$all` position a `sequence` stands for (what a receiver passes to `GET /events?after=`). */
export function positionFromSequence(sequence: string): bigint {
  if (!/^[0-9]{1,20}$/.test(sequence)) throw new RangeError(`not a Trellis sequence: ${JSON.stringify(sequence)}`);
  return BigInt(sequence);
}

/** metadata.partnershipId, else the id in a `partnership-<id>` stream name. */
export function partnershipIdOf(event: Pick<RecordedEvent, 'streamId' | 'metadata'>): string | undefined {
  const fromMetadata = event.metadata['partnershipId'];
  if (typeof fromMetadata === 'string' && fromMetadata !== '') return fromMetadata;
  if (event.streamId.startsWith(PARTNERSHIP_STREAM_PREFIX) && event.streamId.length > PARTNERSHIP_STREAM_PREFIX.length) {
    return event.streamId.slice(PARTNERSHIP_STREAM_PREFIX.length);
  }
  return undefined;
}

export function toCloudEvent(event: RecordedEvent): CloudEvent {
  const partnershipId = partnershipIdOf(event);
  const recordedAt = event.metadata['recordedAt'];
  // Every event lives in a partnership stream today; anything else still gets a valid, unambiguous source.
  const source =
    partnershipId !== undefined
      ? `/partnerships/${encodeURIComponent(partnershipId)}`
      : `/streams/${encodeURIComponent(event.streamId)}`;
  return {
    specversion: CLOUDEVENTS_SPEC_VERSION,
    id: event.eventId,
    source,
    type: cloudEventType(event.type, event.schemaVersion),
    ...(partnershipId !== undefined ? { subject: partnershipId } : {}),
    ...(typeof recordedAt === 'string' && recordedAt !== '' ? { time: recordedAt } : {}),
    datacontenttype: 'application/json',
    sequence: cloudEventSequence(event.position),
    data: event.data,
  };
}

/** Compact JSON with a fixed attribute order: the exact bytes that are signed and sent. */
export function serializeCloudEvent(event: CloudEvent): string {
  const { specversion, id, source, type, subject, time, datacontenttype, sequence, data } = event;
  return JSON.stringify({ specversion, id, source, type, subject, time, datacontenttype, sequence, data });
}
