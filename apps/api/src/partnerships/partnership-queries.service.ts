/**
 * Reads straight from the log (DESIGN.md §5): current state, bitemporal state as of a time, the
 * history as stored, and chain verification. Read models built by workers come in later issues.
 */
import { Inject, Injectable } from '@nestjs/common';
import {
  isPartnership,
  PartnershipNotFound,
  partnershipDecider,
  partnershipStreamId,
  type ParticipantState,
  type PartnershipState,
} from '@trellis/domain';
import { EVENT_STORE, verifyChain, type ChainVerification, type EventStore, type RecordedEvent } from '@trellis/event-store';
import { PersonLabels, type PartnershipPeople } from '../people/person-labels';
import type { TimeAxis } from './as-of/as-of-plan';
import { AsOfSnapshots, eventTimes } from './as-of/as-of-snapshots';
import { fromRecorded } from './partnership-envelope';
import { PartnershipCommandsService } from './partnership-commands.service';

export type { TimeAxis };

export interface PartnershipView {
  partnershipId: string;
  revision: string;
  state: PartnershipState;
  asOf?: string;
  time?: TimeAxis;
  /** How many events the as-of state folds (it may skip later-recorded back-dated ones). */
  eventsApplied?: number;
}

@Injectable()
export class PartnershipQueriesService {
  constructor(
    private readonly commands: PartnershipCommandsService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly labels: PersonLabels,
    private readonly snapshots: AsOfSnapshots,
  ) {}

  async current(partnershipId: string): Promise<PartnershipView> {
    const { state, revision } = await this.commands.load(partnershipId);
    if (revision < 0n) throw new PartnershipNotFound(`Partnership ${partnershipId} does not exist`);
    return { partnershipId, revision: revision.toString(), state: withDisplayNames(state, await this.labels.ofState(state)) };
  }

  /** The people of the partnership (names resolved now from the vault), for history pages and exports. */
  async people(partnershipId: string): Promise<PartnershipPeople> {
    return this.labels.ofState((await this.commands.load(partnershipId)).state);
  }

  /**
   * `recorded`: what the system knew at `asOf` (events recorded by then). `occurred`: what had
   * happened by then as far as the log knows now (events whose occurredAt ≤ asOf, including facts
   * back-dated later). Folded in stream order in both cases, from the nearest stored snapshot that
   * holds only events the query applies, reading only the parts of the stream that can hold others
   * (as-of/as-of-plan.ts).
   */
  async asOf(partnershipId: string, asOf: string, time: TimeAxis): Promise<PartnershipView> {
    const streamId = partnershipStreamId(partnershipId);
    const plan = await this.snapshots.plan(streamId, asOf, time);
    const base = plan.base && (await this.snapshots.state(streamId, plan.base));
    if (plan.base && !base) return this.asOf(partnershipId, asOf, time); // removed in between: plan again
    const step = partnershipDecider.folder!();
    let state = base ?? partnershipDecider.initialState();
    let revision = plan.base?.revision ?? -1n;
    let applied = plan.base?.events ?? 0;
    let exists = plan.snapshots > 0; // a stored snapshot: the stream has events, even if none is read
    let tail = 0;
    for (const range of plan.reads) {
      const options = range.count === undefined ? { fromRevision: range.from } : { fromRevision: range.from, maxCount: range.count };
      for await (const event of this.store.readStream(streamId, options)) {
        exists = true;
        if (event.revision >= plan.tailFrom) tail += 1;
        if (eventTimes(event)[time === 'recorded' ? 'recordedAt' : 'occurredAt'] > asOf) continue;
        state = step(state, fromRecorded(event));
        if (event.revision > revision) revision = event.revision;
        applied += 1;
      }
    }
    this.snapshots.noteTail(streamId, tail);
    if (!exists) throw new PartnershipNotFound(`Partnership ${partnershipId} does not exist`);
    if (applied === 0) throw new PartnershipNotFound(`Partnership ${partnershipId} had no ${time} events as of ${asOf}`);
    return { partnershipId, revision: revision.toString(), state: withDisplayNames(state, await this.labels.ofState(state)), asOf, time, eventsApplied: applied };
  }

  async assertExists(partnershipId: string): Promise<void> {
    if (!(await this.store.streamHead(partnershipStreamId(partnershipId)))) {
      throw new PartnershipNotFound(`Partnership ${partnershipId} does not exist`);
    }
  }

  /** Events exactly as stored (never upcast), so that exports verify offline. */
  history(partnershipId: string, afterRevision: bigint | undefined, maxCount?: number): AsyncIterable<RecordedEvent> {
    return this.store.readStream(partnershipStreamId(partnershipId), {
      raw: true,
      fromRevision: afterRevision === undefined ? 0n : afterRevision + 1n,
      ...(maxCount ? { maxCount } : {}),
    });
  }

  async verify(partnershipId: string): Promise<ChainVerification> {
    await this.assertExists(partnershipId);
    return verifyChain(this.store.readStream(partnershipStreamId(partnershipId), { raw: true }));
  }
}

/**
 * The state with each participant's `displayName` (the person's name, or the erased label with the
 * roles and organization type of this state), added at read time: the folded state never holds one.
 */
function withDisplayNames(state: PartnershipState, people: PartnershipPeople): PartnershipState {
  if (people.isEmpty || !isPartnership(state)) return state;
  const participants: Record<string, ParticipantState & { displayName?: string }> = {};
  for (const [id, participant] of Object.entries(state.participants)) {
    const displayName = people.displayName(id);
    Object.defineProperty(participants, id, {
      value: displayName === undefined ? participant : { ...participant, displayName },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { ...state, participants };
}
