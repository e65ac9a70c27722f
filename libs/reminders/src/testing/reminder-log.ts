/**
 * Test helper for the scheduling tests: a partnership recorded in a real event store, its events
 * decided by the real partnership decider and stamped as the API stamps them (UUIDv7 ids, occurred
 * and recorded now unless told otherwise). No test-runner globals.
 */
import { v7 as uuidv7 } from 'uuid';
import {
  PartnershipFixtures,
  fold,
  partnershipDecider,
  partnershipStreamId,
  type PartnershipCommand,
  type PartnershipCommandDataMap,
  type PartnershipCommandType,
  type PartnershipEvent,
  type PartnershipState,
} from '@trellis/domain';
import type { EventStore, JsonObject, RecordedEvent } from '@trellis/event-store';
import { toReminderInput } from '../scheduling/reminder-state.store';

export const { P, ORG } = PartnershipFixtures;

export class RecordedPartnership {
  constructor(
    readonly store: EventStore,
    readonly partnershipId: string = uuidv7(),
  ) {}

  /** Proposed, organizations and participants of every role, formalized (co-leads: researcher, practitioner; no term end). */
  async formalized(): Promise<this> {
    const history = new PartnershipFixtures.PartnershipHistory().proposed({ partnershipId: this.partnershipId }).members();
    await this.append(history.events.map(({ type, data }) => ({ type, data }) as PartnershipEvent));
    await this.run('FormalizePartnership', {
      agreementRef: 'MOU-1',
      partyOrganizationIds: [ORG.district, ORG.research],
      coLeadParticipantIds: [P.researcher, P.practitioner],
      effectiveFrom: '2024-01-15',
    });
    return this;
  }

  async state(): Promise<PartnershipState> {
    const events: PartnershipEvent[] = [];
    for await (const e of this.store.readStream(partnershipStreamId(this.partnershipId))) events.push(toReminderInput(e) as PartnershipEvent);
    return fold(partnershipDecider, events);
  }

  /** Decides a command against the recorded state and appends its events; returns them as recorded. */
  async run<T extends PartnershipCommandType>(type: T, data: PartnershipCommandDataMap[T], occurredAt?: string): Promise<RecordedEvent[]> {
    const now = new Date().toISOString();
    const eventIds = [uuidv7(), uuidv7(), uuidv7()];
    const command = {
      type,
      data,
      metadata: { now, occurredAt: occurredAt ?? now, eventIds, partnershipId: this.partnershipId, actor: { apiKeyId: 'key-test' } },
    } as PartnershipCommand;
    const decided = partnershipDecider.decide(command, await this.state());
    return this.append(decided, occurredAt, eventIds);
  }

  /** Appends a fixture history in one append (one commit), each event keeping its own occurredAt (recorded now). */
  async appendHistory(events: readonly PartnershipEvent[]): Promise<void> {
    const now = new Date().toISOString();
    await this.store.append(
      partnershipStreamId(this.partnershipId),
      events.map((e) => ({
        eventId: uuidv7(),
        type: e.type,
        schemaVersion: 1,
        data: JSON.parse(JSON.stringify(e.data)) as JsonObject,
        metadata: { partnershipId: this.partnershipId, occurredAt: e.metadata?.occurredAt ?? now, recordedAt: now, recordedBy: { apiKeyId: 'key-test' }, correlationId: 'test', causationId: 'test' },
      })),
      { expectedRevision: 'any' },
    );
  }

  async append(events: readonly PartnershipEvent[], occurredAt?: string, eventIds?: readonly string[]): Promise<RecordedEvent[]> {
    const now = new Date().toISOString();
    const result = await this.store.append(
      partnershipStreamId(this.partnershipId),
      events.map((e, i) => ({
        eventId: eventIds?.[i] ?? uuidv7(),
        type: e.type,
        schemaVersion: 1,
        data: JSON.parse(JSON.stringify(e.data)) as JsonObject,
        metadata: {
          partnershipId: this.partnershipId,
          occurredAt: occurredAt ?? now,
          recordedAt: now,
          recordedBy: { apiKeyId: 'key-test' },
          correlationId: 'test',
          causationId: 'test',
        },
      })),
      { expectedRevision: 'any' },
    );
    const out: RecordedEvent[] = [];
    for await (const e of this.store.readStream(partnershipStreamId(this.partnershipId), { fromRevision: result.events[0]!.revision })) out.push(e);
    return out;
  }
}
