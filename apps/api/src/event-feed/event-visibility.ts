/**
 * Which events of the log a caller may see through the feeds: THE seam for organization scoping
 * (issue 6, DESIGN.md §9). A key bound to an organization will see only the events of the
 * partnerships that organization belongs to; that rule goes in `forPrincipal` and nowhere else (the
 * page reader and the live stream already apply whatever predicate it returns). Until then every
 * reader sees every event.
 */
import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '@trellis/event-store';
import type { Principal } from '@trellis/platform';

/** True when the caller may see the event. Must be cheap: it runs for every event scanned. */
export type EventPredicate = (event: RecordedEvent) => boolean;

@Injectable()
export class EventVisibility {
  /** `undefined` means "everything", which lets the feeds skip in-process filtering entirely. */
  async forPrincipal(_principal: Principal): Promise<EventPredicate | undefined> {
    return undefined;
  }
}
