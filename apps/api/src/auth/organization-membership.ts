/**
 * Which partnerships an organization belongs to, read from the log itself (never from a read model,
 * which may lag): an organization is a member of a partnership from the position of the first of
 *   - the `PartnershipProposed` recorded by one of its keys (envelope `recordedBy.organizationId`),
 *   - its `OrganizationJoined`,
 * and stays a (former) member after its `OrganizationWithdrew`: former members keep reading the
 * history they were part of but no longer act on it (docs/security.md).
 *
 * One in-process index per API process, built lazily on the first request of an organization-bound
 * key (unbound keys never touch it) from a type-filtered read of `$all` (an index walk over these
 * three event types, so its cost is the number of proposals, joins and withdrawals, not the log), and
 * caught up incrementally. `refresh()` guarantees that everything committed before it was called is
 * in the index: it reads the head of `$all` first and then the membership events after the cursor;
 * the SQL store's snapshots always see a gap-free prefix of positions (commit order = position order,
 * see sql-event-store.schema.ts), so the cursor may move to that head. Concurrent refreshes coalesce.
 */
import { Inject, Injectable } from '@nestjs/common';
import { PARTNERSHIP_STREAM_PREFIX } from '@trellis/domain';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@trellis/event-store';
import type { Principal } from '@trellis/platform';

export const MEMBERSHIP_EVENT_TYPES = ['PartnershipProposed', 'OrganizationJoined', 'OrganizationWithdrew'] as const;

export interface Membership {
  /** Position of the event that made the organization a member. */
  readonly since: bigint;
  /** True once the organization withdrew (it keeps read access, loses write access). */
  readonly withdrawn: boolean;
}

export type MembershipStatus = 'member' | 'former' | 'none';

@Injectable()
export class OrganizationMembership {
  /** organizationId → partnershipId → membership. */
  private readonly byOrganization = new Map<string, Map<string, Membership>>();
  private cursor = -1n; // -1: never read; the first refresh starts at the beginning of `$all`
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** The position through which the index is complete. */
  get checkpoint(): bigint {
    return this.cursor;
  }

  /**
   * Whether the organization is (or was) a member of the partnership, authoritative as of this call:
   * a miss, or any question about writing (withdrawal can happen at any time), refreshes first.
   */
  async status(organizationId: string, partnershipId: string, purpose: 'read' | 'write'): Promise<MembershipStatus> {
    const id = partnershipId.toLowerCase();
    let known = this.lookup(organizationId, id);
    if (!known || purpose === 'write') {
      await this.refresh();
      known = this.lookup(organizationId, id);
    }
    if (!known) return 'none';
    return known.withdrawn ? 'former' : 'member';
  }

  /**
   * The partnerships a principal may list: undefined (no filter, nothing read) for an unbound key,
   * else every partnership its organization is or was a member of, as of this call.
   */
  async visibleTo(principal: Principal | undefined): Promise<string[] | undefined> {
    return principal?.organizationId === undefined ? undefined : this.partnershipsOf(principal.organizationId);
  }

  /** Every partnership the organization is or was a member of, as of this call. */
  async partnershipsOf(organizationId: string): Promise<string[]> {
    await this.refresh();
    return [...(this.byOrganization.get(organizationId)?.keys() ?? [])];
  }

  /**
   * The organization's membership of a partnership as of `position` (for feeds: an event is visible
   * when the organization had become a member at or before it). Returns a promise only when the
   * index has not yet read that far.
   */
  memberAt(organizationId: string, partnershipId: string, position: bigint): boolean | Promise<boolean> {
    const decide = () => {
      const m = this.lookup(organizationId, partnershipId);
      return m !== undefined && m.since <= position;
    };
    if (position <= this.cursor) return decide();
    return this.refresh().then(decide);
  }

  /** Brings the index up to everything committed before this call (coalescing concurrent callers). */
  refresh(): Promise<void> {
    if (this.queued) return this.queued; // starts after the running one, so it covers this caller
    if (!this.running) return this.start();
    const queued = this.running.catch(() => undefined).then(() => {
      this.queued = null;
      return this.start();
    });
    this.queued = queued;
    return queued;
  }

  private start(): Promise<void> {
    const run = this.catchUp().finally(() => {
      this.running = null;
    });
    this.running = run;
    return run;
  }

  private async catchUp(): Promise<void> {
    const head = await this.store.headPosition();
    let last = this.cursor;
    for await (const event of this.store.readAll({
      ...(this.cursor >= 0n ? { after: this.cursor } : {}),
      filter: { eventTypes: MEMBERSHIP_EVENT_TYPES, streamPrefix: PARTNERSHIP_STREAM_PREFIX },
      raw: true,
    })) {
      this.apply(event);
      last = event.position;
    }
    this.cursor = last > head ? last : head;
  }

  private apply(event: RecordedEvent): void {
    const partnershipId = String(event.metadata['partnershipId'] ?? event.streamId.slice(PARTNERSHIP_STREAM_PREFIX.length)).toLowerCase();
    const data = event.data as Record<string, unknown>;
    const recordedBy = event.metadata['recordedBy'] as Record<string, unknown> | undefined;
    const organizationId = event.type === 'PartnershipProposed' ? recordedBy?.['organizationId'] : data['organizationId'];
    if (typeof organizationId !== 'string') return; // a proposal by an unbound key names no organization
    let memberships = this.byOrganization.get(organizationId);
    if (!memberships) this.byOrganization.set(organizationId, (memberships = new Map()));
    const current = memberships.get(partnershipId);
    if (event.type === 'OrganizationWithdrew') {
      if (current) memberships.set(partnershipId, { ...current, withdrawn: true });
      return;
    }
    if (!current) memberships.set(partnershipId, { since: event.position, withdrawn: false });
  }

  private lookup(organizationId: string, partnershipId: string): Membership | undefined {
    return this.byOrganization.get(organizationId)?.get(partnershipId);
  }
}
