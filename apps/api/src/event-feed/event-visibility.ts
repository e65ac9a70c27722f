/**
 * Which events of the log a caller may see through the feeds: THE seam for organization scoping
 * (issue 6, DESIGN.md §9); the page reader and the live stream apply whatever predicate it returns.
 *
 * An unbound key sees every event (no predicate, no filtering cost). A key bound to an organization
 * sees an event when it belongs to a partnership (`metadata.partnershipId`: partnership facts and the
 * partnership's reminders) that its organization had become a member of at or before the event's
 * position — by proposing it or by joining it; withdrawing does not end it (former members keep
 * reading the history they were part of). Events outside any partnership (the compliance stream) are
 * not shown to bound keys. Deciding by position, not by "member now", makes a page the same whenever
 * it is read, so a cursor never has to go back; a member that joins later reads the earlier history
 * with `GET /partnerships/:id/history`.
 */
import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '@trellis/event-store';
import type { Principal } from '@trellis/platform';
import { OrganizationMembership } from '../auth/organization-membership';

/**
 * True when the caller may see the event. Must be cheap: it runs for every event scanned. It answers
 * synchronously except when it must first learn about membership events it has not read yet.
 */
export type EventPredicate = (event: RecordedEvent) => boolean | Promise<boolean>;

@Injectable()
export class EventVisibility {
  constructor(private readonly membership: OrganizationMembership) {}

  /** `undefined` means "everything", which lets the feeds skip in-process filtering entirely. */
  async forPrincipal(principal: Principal): Promise<EventPredicate | undefined> {
    const organizationId = principal.organizationId;
    if (organizationId === undefined) return undefined;
    await this.membership.refresh();
    return (event) => {
      const partnershipId = event.metadata['partnershipId'];
      if (typeof partnershipId !== 'string') return false;
      return this.membership.memberAt(organizationId, partnershipId.toLowerCase(), event.position);
    };
  }
}
