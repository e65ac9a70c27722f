/**
 * `GET /partnerships/:id/timeline` over the audit-timeline read model and the agreements register
 * (its data-disclosure ledger). Reads only the views `<schema>.rm_timeline_partnerships|events` and
 * `<schema>.rm_agreements_docs|transfers`, through `readTimeline`. The read model holds pseudonymous
 * ids only: each named participant's `displayName` is filled here, at read time, from the people
 * vault (the person's name, or "erased participant (roles at the time, organization type)").
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { PartnershipNotFound } from '@trellis/domain';
import type { SqlExecutor } from '@trellis/event-store';
import { SQL_CLIENT, TRELLIS_CONFIG, type TrellisConfig } from '@trellis/platform';
import { TIMELINE, readTimeline, type TimelineQuery as TimelinePageQuery, type TimelineView } from '@trellis/projections';
import { PersonLabels, type PartnershipPeople } from '../../people/person-labels';
import { readModelUnavailable } from '../read-model-unavailable';

@Injectable()
export class TimelineQuery {
  private readonly schema: string;

  constructor(
    @Inject(SQL_CLIENT) private readonly sql: SqlExecutor,
    @Inject(TRELLIS_CONFIG) config: Pick<TrellisConfig, 'dbSchema'>,
    /** Absent only where no vault is wired (query tests over a bare read model): then no names. */
    @Optional() private readonly people?: PersonLabels,
  ) {
    this.schema = config.dbSchema;
  }

  /** A page of the timeline; PartnershipNotFound (404) when the read model does not know the partnership. */
  async page(partnershipId: string, query: TimelinePageQuery): Promise<TimelineView> {
    let view: TimelineView | undefined;
    try {
      view = await readTimeline(this.sql, this.schema, partnershipId, query);
    } catch (error) {
      // 503 while a view (the timeline's or the agreements register's) has not been built yet.
      throw readModelUnavailable(error, TIMELINE);
    }
    if (!view) throw new PartnershipNotFound(`Partnership ${partnershipId} is not in the timeline read model`);
    return this.people ? withDisplayNames(view, await this.people.ofPartnership(partnershipId)) : view;
  }
}

function withDisplayNames(view: TimelineView, people: PartnershipPeople): TimelineView {
  if (people.isEmpty) return view;
  return {
    ...view,
    events: view.events.map((event) => ({
      ...event,
      participants: event.participants.map((p) => {
        const displayName = people.displayName(p.participantId, { roles: p.roles, organizationType: p.organizationType });
        return displayName === undefined ? p : { ...p, displayName };
      }),
    })),
  };
}
