/**
 * Verifies the hash chain of every stream in the log (`GET /audit/verify`, `trellis audit verify
 * --all`). The event-store port has no stream enumeration, so the streams are found by one pass over
 * `$all` (up to the head read at the start) — the read models are not used, since they may lag or be
 * rebuilt — and each stream is then verified exactly like `GET /partnerships/:id/verify`. The cost is
 * therefore two reads of every event: meant for audits, not for a hot path (docs/security.md).
 * Only the set of stream ids is held in memory.
 */
import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, verifyChain, type EventStore } from '@trellis/event-store';
import type { Principal } from '@trellis/platform';
import { OrganizationMembership } from '../auth/organization-membership';

/** Broken streams listed in full at most; the counts are always complete. */
export const MAX_LISTED_BROKEN = 1_000;

export interface BrokenStream {
  readonly streamId: string;
  readonly checkedEvents: number;
  readonly headHash: string;
  readonly firstInvalidRevision?: string;
  readonly reason?: string;
}

export interface LogVerification {
  readonly valid: boolean;
  readonly streamsChecked: number;
  readonly eventsChecked: number;
  readonly validStreams: number;
  readonly brokenStreams: number;
  /** The head of `$all` when the check started; streams created later are not included. */
  readonly through: string;
  readonly broken: readonly BrokenStream[];
  readonly brokenTruncated: boolean;
}

@Injectable()
export class AuditVerificationService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly membership: OrganizationMembership,
  ) {}

  async verifyAll(principal: Principal): Promise<LogVerification> {
    const visible = await this.membership.visibleTo(principal);
    const within = visible ? new Set(visible) : undefined;
    const through = await this.store.headPosition();
    const streams = new Set<string>();
    for await (const event of this.store.readAll({ raw: true })) {
      if (event.position > through) break;
      if (streams.has(event.streamId)) continue;
      if (within) {
        const partnershipId = event.metadata['partnershipId'];
        if (typeof partnershipId !== 'string' || !within.has(partnershipId.toLowerCase())) continue;
      }
      streams.add(event.streamId);
    }

    let eventsChecked = 0;
    let brokenStreams = 0;
    const broken: BrokenStream[] = [];
    for (const streamId of streams) {
      const result = await verifyChain(this.store.readStream(streamId, { raw: true }));
      eventsChecked += result.checkedEvents;
      if (result.valid) continue;
      brokenStreams += 1;
      if (broken.length < MAX_LISTED_BROKEN) {
        broken.push({
          streamId,
          checkedEvents: result.checkedEvents,
          headHash: result.headHash,
          ...(result.firstInvalidRevision !== undefined ? { firstInvalidRevision: result.firstInvalidRevision } : {}),
          ...(result.reason !== undefined ? { reason: result.reason } : {}),
        });
      }
    }
    return {
      valid: brokenStreams === 0,
      streamsChecked: streams.size,
      eventsChecked,
      validStreams: streams.size - brokenStreams,
      brokenStreams,
      through: through.toString(),
      broken,
      brokenTruncated: brokenStreams > broken.length,
    };
  }
}
