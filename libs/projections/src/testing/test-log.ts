/**
 * Builds realistic `$all` histories for projection specs: commands are decided by the real
 * partnership decider and wrapped in the same envelope the API writes (partnershipId, workstreamId,
 * occurredAt/recordedAt, recordedBy, correlation ids, hash chain), with global positions shared by
 * every partnership of the log so histories interleave as they do in production.
 *
 *   const log = new TestLog();
 *   const p = log.partnership();                     // or log.partnership('<uuid>')
 *   p.run(PartnershipFixtures.seedToolPath());       // PlannedCommand[]: {type, data, on, actorParticipantId?}
 *   await spec.given(log.events);
 */
import { randomUUID } from 'node:crypto';
import {
  partnershipDecider,
  partnershipStreamId,
  PARTNERSHIP_EVENT_SCHEMA_VERSIONS,
  DomainError,
  type PartnershipCommand,
  type PartnershipEvent,
  type PartnershipEventType,
  type PartnershipState,
} from '@trellis/domain';
import { chainEvents, GENESIS_HASH, type JsonObject, type RecordedEvent } from '@trellis/event-store';

export interface LogCommand {
  readonly type: PartnershipCommand['type'];
  readonly data: object;
  /** When it happened: a date (`YYYY-MM-DD`, 10:00 UTC that day) or an ISO date-time. */
  readonly on?: string;
  /** When it was recorded (default: when it happened) — later than `on` for back-dated facts. */
  readonly recordedOn?: string;
  readonly actorParticipantId?: string;
  /** The organization of the API key that recorded it. */
  readonly organizationId?: string;
}

const instant = (value: string): string => (value.length === 10 ? `${value}T10:00:00.000Z` : new Date(value).toISOString());

export class TestLog {
  readonly events: RecordedEvent[] = [];
  private position = 0n;
  private sequence = 0;

  partnership(id: string = randomUUID()): PartnershipLog {
    return new PartnershipLog(this, id);
  }

  /** @internal */
  nextPosition(): bigint {
    return ++this.position;
  }

  /** @internal */
  nextId(): string {
    // Deterministic, UUID-shaped, unique within the log.
    return `00000000-0000-7000-8000-${(++this.sequence).toString(16).padStart(12, '0')}`;
  }

  /** Events of the log after a position (for `when` steps). */
  after(position: bigint): RecordedEvent[] {
    return this.events.filter((e) => e.position > position);
  }

  get head(): bigint {
    return this.position;
  }
}

export class PartnershipLog {
  state: PartnershipState = partnershipDecider.initialState();
  private revision = -1n;
  private prevHash = GENESIS_HASH;
  readonly streamId: string;

  constructor(
    private readonly log: TestLog,
    readonly partnershipId: string,
  ) {
    this.streamId = partnershipStreamId(partnershipId);
  }

  /** Decides and records each command in order; throws when one is refused. Returns the new events. */
  run(commands: readonly LogCommand[]): RecordedEvent[] {
    const recorded: RecordedEvent[] = [];
    commands.forEach((c) => {
      const occurredAt = instant(c.on ?? '2025-01-06');
      const recordedAt = c.recordedOn ? instant(c.recordedOn) : occurredAt;
      const eventIds = [this.log.nextId(), this.log.nextId(), this.log.nextId()];
      const command = {
        type: c.type,
        data: c.data,
        metadata: {
          now: recordedAt,
          occurredAt,
          eventIds,
          partnershipId: this.partnershipId,
          actor: { apiKeyId: 'key-test', ...(c.actorParticipantId ? { participantId: c.actorParticipantId } : {}), ...(c.organizationId ? { organizationId: c.organizationId } : {}) },
        },
      } as PartnershipCommand;
      let decided: PartnershipEvent[];
      try {
        decided = partnershipDecider.decide(command, this.state);
      } catch (error) {
        throw new Error(`${c.type} was refused: ${DomainError.is(error) ? `${error.code}: ${error.message}` : String(error)}`);
      }
      recorded.push(
        ...this.append(
          decided.map((e, i) => ({ ...e, eventId: eventIds[i]! })),
          { occurredAt, recordedAt, actorParticipantId: c.actorParticipantId, organizationId: c.organizationId },
        ),
      );
    });
    return recorded;
  }

  /** Records domain events as given (no decider): for histories the rules would refuse. */
  append(
    events: ReadonlyArray<{ type: string; data: object; eventId?: string }>,
    meta: { occurredAt: string; recordedAt?: string; actorParticipantId?: string; organizationId?: string },
  ): RecordedEvent[] {
    const occurredAt = instant(meta.occurredAt);
    const recordedAt = meta.recordedAt ? instant(meta.recordedAt) : occurredAt;
    const correlationId = this.log.nextId();
    const drafts = events.map((e) => {
      const data = JSON.parse(JSON.stringify(e.data)) as JsonObject;
      const workstreamId = typeof data['workstreamId'] === 'string' ? (data['workstreamId'] as string) : undefined;
      return {
        eventId: e.eventId ?? this.log.nextId(),
        type: e.type,
        schemaVersion: PARTNERSHIP_EVENT_SCHEMA_VERSIONS[e.type as PartnershipEventType] ?? 1,
        data,
        metadata: {
          partnershipId: this.partnershipId,
          ...(workstreamId ? { workstreamId } : {}),
          occurredAt,
          recordedAt,
          recordedBy: {
            apiKeyId: 'key-test',
            ...(meta.actorParticipantId ? { participantId: meta.actorParticipantId } : {}),
            ...(meta.organizationId ? { organizationId: meta.organizationId } : {}),
          },
          correlationId,
          causationId: correlationId,
        } as JsonObject,
      };
    });
    const chained = chainEvents(this.prevHash, drafts);
    const recorded = chained.map((e) => {
      this.revision += 1n;
      const r: RecordedEvent = { ...e, streamId: this.streamId, revision: this.revision, position: this.log.nextPosition() };
      this.state = partnershipDecider.evolve(this.state, {
        type: r.type,
        data: r.data,
        metadata: { eventId: r.eventId, occurredAt, recordedAt },
      } as PartnershipEvent);
      return r;
    });
    if (chained.length > 0) this.prevHash = chained[chained.length - 1]!.metadata.hash;
    this.log.events.push(...recorded);
    return recorded;
  }
}
