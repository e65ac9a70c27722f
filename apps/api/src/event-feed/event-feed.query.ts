/**
 * Pages of `$all` for `GET /events`. Event types are filtered by the store (an index walk); the
 * partnership and the caller's visibility are filtered here, over a bounded number of scanned events
 * per request: a sparse filter answers with fewer (even no) events and a cursor past everything it
 * scanned, so no request reads the whole log.
 */
import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, toExportedEvent, type AllFilter, type EventStore, type ExportedEvent, type RecordedEvent } from '@trellis/event-store';
import type { FeedFilter } from './event-feed.params';
import type { EventPredicate } from './event-visibility';

export interface EventFeedOptions {
  /** Events scanned at most per page request when filtering in process (partnership, visibility). */
  readonly scanLimit: number;
}

export const EVENT_FEED_OPTIONS = Symbol('EVENT_FEED_OPTIONS');
export const DEFAULT_EVENT_FEED_OPTIONS: EventFeedOptions = { scanLimit: 10_000 };

export interface FeedPage {
  readonly events: ExportedEvent[];
  /** Pass as `after` for the next page; null when this page reached the end of the log. */
  readonly next: string | null;
  /**
   * The position this page read through (its last scanned event, else the requested `after`): poll
   * again later with `after=<checkpoint>` once `next` is null. Equal to `next` otherwise.
   */
  readonly checkpoint: string;
  /** The head of `$all` when the page was read (head − checkpoint is how far behind the reader is). */
  readonly head: string;
}

export interface PageRequest {
  readonly after?: bigint;
  readonly limit: number;
  readonly filter: FeedFilter;
  readonly visible?: EventPredicate;
}

/** The store's part of a feed filter (what it can filter with an index). */
export function toStoreFilter(filter: FeedFilter): AllFilter | undefined {
  return filter.types ? { eventTypes: filter.types } : undefined;
}

/** The in-process part: `undefined` when every event the store returns matches. */
export function inProcessMatcher(filter: FeedFilter, visible: EventPredicate | undefined): EventPredicate | undefined {
  const { partnershipId } = filter;
  if (partnershipId === undefined) return visible;
  const samePartnership: EventPredicate = (e) => e.metadata['partnershipId'] === partnershipId;
  return visible ? (e) => samePartnership(e) && visible(e) : samePartnership;
}

@Injectable()
export class EventFeedQuery {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_FEED_OPTIONS) private readonly options: EventFeedOptions,
  ) {}

  async page(request: PageRequest): Promise<FeedPage> {
    const { after, limit, filter } = request;
    const matches = inProcessMatcher(filter, request.visible);
    // One event beyond the page tells whether there is more; in-process filtering scans further.
    const scanLimit = matches ? Math.max(this.options.scanLimit, limit + 1) : limit + 1;
    const storeFilter = toStoreFilter(filter);

    const page: RecordedEvent[] = [];
    let through = after;
    let scanned = 0;
    let more = false;
    for await (const event of this.store.readAll({ ...(after !== undefined ? { after } : {}), maxCount: scanLimit, ...(storeFilter ? { filter: storeFilter } : {}) })) {
      scanned += 1;
      if (!matches || (await matches(event))) {
        if (page.length === limit) {
          more = true; // the first event of the next page: neither returned nor passed
          break;
        }
        page.push(event);
      }
      through = event.position;
    }
    if (scanned === scanLimit) more = true; // stopped by the scan limit, not by the end of the log
    const head = await this.store.headPosition();
    const checkpoint = (through ?? 0n).toString();
    return { events: page.map(toExportedEvent), next: more ? checkpoint : null, checkpoint, head: head.toString() };
  }
}
