/**
 * Between the domain's plain events and the stored envelope (DESIGN.md §3): ids, schema versions and
 * metadata on the way in; `{type, data, metadata:{eventId, occurredAt, recordedAt}}` on the way out.
 * (The wire format of reads is the event store's `toExportedEvent`.)
 */
import {
  PARTNERSHIP_EVENT_SCHEMA_VERSIONS,
  type PartnershipEvent,
  type PartnershipEventType,
} from '@trellis/domain';
import type { EventToAppend, JsonObject, RecordedEvent } from '@trellis/event-store';

export interface RecordedBy {
  readonly apiKeyId: string;
  readonly participantId?: string;
  readonly organizationId?: string;
}

export interface EnvelopeContext {
  readonly partnershipId: string;
  readonly eventIds: readonly string[];
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly recordedBy: RecordedBy;
  readonly correlationId: string;
  readonly causationId: string;
  readonly corrects?: string;
}

export function toEventsToAppend(events: readonly PartnershipEvent[], ctx: EnvelopeContext): EventToAppend[] {
  return events.map((event, i) => {
    const eventId = ctx.eventIds[i];
    if (!eventId) throw new Error(`No event id planned for event #${i} (${event.type})`);
    const data = event.data as Record<string, unknown>;
    const workstreamId = typeof data['workstreamId'] === 'string' ? (data['workstreamId'] as string) : undefined;
    const metadata: JsonObject = withoutUndefined({
      partnershipId: ctx.partnershipId,
      workstreamId,
      occurredAt: ctx.occurredAt,
      recordedAt: ctx.recordedAt,
      recordedBy: withoutUndefined({ ...ctx.recordedBy }),
      correlationId: ctx.correlationId,
      causationId: ctx.causationId,
      corrects: ctx.corrects,
    });
    return {
      eventId,
      type: event.type,
      schemaVersion: PARTNERSHIP_EVENT_SCHEMA_VERSIONS[event.type as PartnershipEventType] ?? 1,
      data: withoutUndefined(data) as JsonObject,
      metadata,
    };
  });
}

export function fromRecorded(event: RecordedEvent): PartnershipEvent {
  const meta = event.metadata as Record<string, unknown>;
  return {
    type: event.type,
    data: event.data,
    metadata: {
      eventId: event.eventId,
      occurredAt: String(meta['occurredAt'] ?? meta['recordedAt'] ?? ''),
      recordedAt: String(meta['recordedAt'] ?? ''),
    },
  } as PartnershipEvent;
}

/** JSON has no `undefined`; canonical hashing and jsonb must see exactly what JSON.stringify keeps. */
export function withoutUndefined<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? withoutUndefined(v as Record<string, unknown>) : v;
  }
  return out as { [K in keyof T]: Exclude<T[K], undefined> };
}
