/**
 * Read model "Audit timeline" (DOMAIN.md "Read models"; research §4.1), projection `timeline`.
 *
 * Tables (the API reads their views `<schema>.rm_timeline_<table>`):
 * - `partnerships` — one bounded `TimelineContext` per partnership (key = partnershipId): the fold
 *   the rows are written from, the partnership's name, status and signal counts;
 * - `events` — ONE ROW PER PARTNERSHIP EVENT, append-only, keyed (partnership_id, position): the
 *   indexed columns filter and page, `entry` holds the rest (recorder, participants and
 *   organizations named, phase, transition, summary, signals).
 *
 * Per batch: one select and one upsert of the touched contexts, one INSERT … SELECT FROM
 * json_to_recordset of the batch's rows. The events table is the largest of all read models (a row
 * per event), so every row costs: `entry` is `json` (stored as written, cheaper to insert than
 * jsonb; no query looks inside it), and the only full index is the key — filters by workstream or
 * type scan the partnership's key range — plus two small partial indexes (corrections; backward
 * moves and skips).
 */
import { PARTNERSHIP_EVENT_TYPES } from '@trellis/domain';
import { partnershipIdOf } from '../../signals/event-access';
import { writeJsonRecords } from '../../core/json-records';
import type { ProjectionTable } from '../../core/projection';
import { contextProjection } from './context-projection';
import { initialTimelineContext, stepTimeline, type TimelineContext, type TimelineRow } from './timeline.context';

export const TIMELINE = 'timeline';

const eventsTable: ProjectionTable = {
  name: 'events',
  create: (t, ix) => [
    `CREATE TABLE ${t} (
       partnership_id text NOT NULL,
       position bigint NOT NULL,
       revision bigint NOT NULL,
       event_id text NOT NULL,
       type text NOT NULL,
       workstream_id text,
       occurred_at text NOT NULL,
       recorded_at text NOT NULL,
       back_dated boolean NOT NULL,
       corrects text,
       direction text,
       entry json NOT NULL,
       PRIMARY KEY (partnership_id, position)
     )`,
    `CREATE INDEX ${ix}_corrects ON ${t} (partnership_id, corrects) WHERE corrects IS NOT NULL`,
    `CREATE INDEX ${ix}_explained ON ${t} (partnership_id, position) WHERE direction IN ('backward', 'skip')`,
  ],
};

const COLUMNS =
  'partnership_id text, position bigint, revision bigint, event_id text, type text, workstream_id text, occurred_at text, recorded_at text, back_dated boolean, corrects text, direction text, entry json';

export const timelineProjection = contextProjection<TimelineContext, TimelineRow>({
  name: TIMELINE,
  version: 1,
  eventTypes: PARTNERSHIP_EVENT_TYPES,
  contextTable: 'partnerships',
  key: (e) => partnershipIdOf(e),
  initial: (key) => initialTimelineContext(key),
  step: (context, e) => stepTimeline(context, e),
  rowTables: [eventsTable],
  async writeRows(rows, ctx) {
    // Append-only: the runtime applies each batch once, in the transaction of its checkpoint, so a
    // position never comes twice — no ON CONFLICT (it would cost a lookup per row).
    await writeJsonRecords(ctx, `INSERT INTO ${ctx.table('events')} SELECT * FROM json_to_recordset($1::json) AS r(${COLUMNS})`, rows);
  },
});
