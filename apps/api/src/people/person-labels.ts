/**
 * Names at read time (DESIGN.md §9): views and read models keep pseudonymous participant ids only;
 * when a reader asks, each participant that references a person (`personId` of ParticipantJoined)
 * is shown by the person's name from the vault, or, once the person is erased, as
 * "erased participant (<roles>, <organization type>)". A participant without a personId, or with
 * one the vault does not know, gets no display name.
 *
 * Who sees names: every role that may read partnership views (admin, auditor, member). Integrators
 * cannot read those views; their feed and webhooks carry ids only.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { isPartnership, partnershipDecider, partnershipStreamId, type PartnershipState } from '@trellis/domain';
import { EVENT_STORE, StateCache, type EventStore } from '@trellis/event-store';
import { erasedParticipantLabel, PEOPLE_VAULT, type PeopleVault, type PersonRecord } from '@trellis/platform';
import { fromRecorded } from '../partnerships/partnership-envelope';

/** Roles and organization type "at the time" (the timeline's), else the participant's current ones. */
export interface ParticipantCapacity {
  readonly roles?: readonly string[];
  readonly organizationType?: string | null;
}

interface LinkedParticipant {
  readonly person: PersonRecord | undefined;
  readonly roles: readonly string[];
  readonly organizationType: string | undefined;
}

/** The people of one partnership, resolved once per request. */
export class PartnershipPeople {
  static readonly NONE = new PartnershipPeople(new Map());

  constructor(private readonly linked: ReadonlyMap<string, LinkedParticipant>) {}

  /** The person's name, the erased label, or undefined (no person linked, or unknown to the vault). */
  displayName(participantId: string, at: ParticipantCapacity = {}): string | undefined {
    const p = this.linked.get(participantId);
    if (!p?.person) return undefined;
    const roles = at.roles ?? p.roles;
    const organizationType = at.organizationType ?? p.organizationType;
    switch (p.person.status) {
      case 'active':
        return p.person.displayName;
      case 'erased':
        return erasedParticipantLabel(roles, organizationType);
      case 'unreadable':
        // Tampered or wrapped by another master key: show nothing of it, say so.
        return erasedParticipantLabel(roles, organizationType).replace(/^erased/, 'unreadable');
    }
  }

  /** participantId → display name, for the given participants (default: every linked one). */
  labels(participantIds: Iterable<string> = this.linked.keys()): Record<string, string> {
    const out: Record<string, string> = {};
    for (const id of [...new Set(participantIds)].sort()) {
      const name = this.displayName(id);
      if (name !== undefined) out[id] = name;
    }
    return out;
  }

  get isEmpty(): boolean {
    return this.linked.size === 0;
  }
}

@Injectable()
export class PersonLabels {
  private readonly logger = new Logger('PersonLabels');
  /** Folded partnership states, as the command pipeline keeps them (events are immutable). */
  private readonly states = new StateCache<PartnershipState>(500);

  constructor(
    @Inject(PEOPLE_VAULT) private readonly vault: PeopleVault,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /** The people of a partnership as the log knows it now. */
  async ofPartnership(partnershipId: string): Promise<PartnershipPeople> {
    return this.ofState(await this.load(partnershipId));
  }

  /** The people of a folded state (the current one, or an as-of one). */
  async ofState(state: PartnershipState): Promise<PartnershipPeople> {
    if (!isPartnership(state)) return PartnershipPeople.NONE;
    const participants = Object.values(state.participants).filter((p) => p.personId !== undefined);
    if (participants.length === 0) return PartnershipPeople.NONE;
    const people = await this.vault.findMany(participants.map((p) => p.personId!));
    const linked = new Map<string, LinkedParticipant>();
    for (const p of participants) {
      const person = people.get(p.personId!.toLowerCase());
      if (person?.status === 'unreadable') this.logger.error(`person ${person.personId} does not authenticate (tampered, or another PEOPLE_MASTER_KEY)`);
      const organization = Object.hasOwn(state.organizations, p.organizationId) ? state.organizations[p.organizationId] : undefined;
      linked.set(p.participantId, { person, roles: p.roles, organizationType: organization?.orgType });
    }
    return new PartnershipPeople(linked);
  }

  private async load(partnershipId: string): Promise<PartnershipState> {
    const streamId = partnershipStreamId(partnershipId);
    const cached = this.states.get(streamId);
    let state = cached?.state ?? partnershipDecider.initialState();
    let revision = cached?.revision ?? -1n;
    // The linear fold (a cached state is never changed by it: it copies what it did not build).
    const step = partnershipDecider.folder!();
    for await (const event of this.store.readStream(streamId, { fromRevision: revision + 1n })) {
      state = step(state, fromRecorded(event));
      revision = event.revision;
    }
    if (revision >= 0n) this.states.set(streamId, { revision, state });
    return state;
  }
}

const PARTICIPANT_REFERENCE = /(^p|P)articipantIds?$/;

/**
 * The participant ids an event names: every `…participantId(s)` member of its data, at any depth,
 * and the participant who recorded it. Used to annotate each exported event with its people.
 */
export function participantIdsNamedIn(event: { readonly data: unknown; readonly metadata: Readonly<Record<string, unknown>> }): string[] {
  const ids = new Set<string>();
  const visit = (value: unknown, key: string | undefined, depth: number): void => {
    if (depth > 10 || value === null || typeof value !== 'object') {
      if (key !== undefined && typeof value === 'string' && PARTICIPANT_REFERENCE.test(key)) ids.add(value);
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) {
        if (typeof item === 'string' && key !== undefined && PARTICIPANT_REFERENCE.test(key)) ids.add(item);
        else visit(item, undefined, depth + 1);
      }
      return;
    }
    for (const [k, v] of Object.entries(value)) visit(v, k, depth + 1);
  };
  visit(event.data, undefined, 0);
  const recordedBy = event.metadata['recordedBy'];
  if (recordedBy && typeof recordedBy === 'object' && typeof (recordedBy as Record<string, unknown>)['participantId'] === 'string') {
    ids.add((recordedBy as Record<string, string>)['participantId']!);
  }
  return [...ids];
}
