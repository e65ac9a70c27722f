/**
 * Gathers what the timeline page shows: every page of the timeline read model (up to a cap), the
 * hash-chain verification of the partnership's stream (`verifyChain` over the raw stream, exactly
 * as `GET /partnerships/:id/verify`), and its reminders (`readReminders`, exactly as
 * `GET /partnerships/:id/reminders`). Nothing is queried here that those routes do not query.
 */
import { Inject, Injectable } from '@nestjs/common';
import { partnershipStreamId } from '@trellis/domain';
import { EVENT_STORE, verifyChain, type EventStore } from '@trellis/event-store';
import { TIMELINE_MAX_LIMIT, type TimelineEventView } from '@trellis/projections';
import { readReminders, REMINDER_CONFIG, ReminderStateStore, type ReminderConfig } from '@trellis/reminders';
import { TimelineQuery } from '../timeline.query';
import type { TimelinePageData } from './timeline-page.model';

/** The most events one page draws (five reads of the largest JSON page); beyond it the page says so. */
export const TIMELINE_PAGE_EVENT_CAP = 5 * TIMELINE_MAX_LIMIT;

@Injectable()
export class TimelinePageSource {
  constructor(
    private readonly timeline: TimelineQuery,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ReminderStateStore) private readonly reminderStates: ReminderStateStore,
    @Inject(REMINDER_CONFIG) private readonly reminderConfig: ReminderConfig,
  ) {}

  /**
   * PartnershipNotFound (404) when the timeline read model does not know it; 503 while it is being
   * built. Reads pages of `pageSize` until the end or `eventCap` events.
   */
  async read(partnershipId: string, options: { now?: Date; eventCap?: number; pageSize?: number } = {}): Promise<TimelinePageData> {
    const now = options.now ?? new Date();
    const eventCap = options.eventCap ?? TIMELINE_PAGE_EVENT_CAP;
    const pageSize = Math.min(options.pageSize ?? TIMELINE_MAX_LIMIT, TIMELINE_MAX_LIMIT);
    const first = await this.timeline.page(partnershipId, { limit: Math.min(pageSize, eventCap) });
    const events: TimelineEventView[] = [...first.events];
    let next = first.nextAfterPosition;
    while (next !== null && events.length < eventCap) {
      const page = await this.timeline.page(partnershipId, { afterPosition: BigInt(next), limit: Math.min(pageSize, eventCap - events.length) });
      events.push(...page.events);
      next = page.nextAfterPosition;
    }
    const [verification, reminders] = await Promise.all([
      verifyChain(this.store.readStream(partnershipStreamId(partnershipId), { raw: true })),
      readReminders(this.store, this.reminderStates, this.reminderConfig.settings, partnershipId, now),
    ]);
    const timeline: TimelinePageData['timeline'] = {
      partnershipId: first.partnershipId,
      name: first.name,
      status: first.status,
      asOfPosition: first.asOfPosition,
      totalEvents: first.totalEvents,
      backwardTransitions: first.backwardTransitions,
      skips: first.skips,
      signals: first.signals,
      disclosureLedger: first.disclosureLedger,
    };
    return { timeline, events, truncated: next !== null, eventCap, verification, reminders, now: now.toISOString() };
  }
}
