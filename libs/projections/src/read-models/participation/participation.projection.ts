/**
 * Read model "Participation ledger" (DOMAIN.md "Read models"; research §4.3), projection
 * `participation`.
 *
 * Tables (the API reads their views `<schema>.rm_participation_<table>`):
 * - `partnerships` — one bounded `ParticipationContext` per partnership (key = partnershipId): the
 *   fold, the open occurrences so far and the partnership's totals;
 * - `phases` — ONE ROW PER PHASE OCCURRENCE LEFT, append-only, keyed (partnership_id,
 *   workstream_id, occurrence): the counts of who was at the table (raw; the view shows counts of
 *   people under 5 as "<5"). The occurrence a workstream is in now lives in the context until the
 *   workstream leaves it (the view shows it from there), so no row is ever rewritten.
 *
 * Per batch: one select and one upsert of the touched contexts, one insert of the occurrences the
 * batch left.
 */
import { PARTNERSHIP_EVENT_TYPES } from '@trellis/domain';
import { writeJsonRecords } from '../../core/json-records';
import type { ProjectionTable } from '../../core/projection';
import { partnershipIdOf } from '../../signals/event-access';
import { contextProjection } from '../timeline/context-projection';
import { initialParticipationContext, stepParticipation, type ParticipationContext, type PhaseOccurrenceRow } from './participation.context';

export const PARTICIPATION = 'participation';

const phasesTable: ProjectionTable = {
  name: 'phases',
  create: (t) => [
    `CREATE TABLE ${t} (
       partnership_id text NOT NULL,
       workstream_id text NOT NULL,
       occurrence integer NOT NULL,
       phase text NOT NULL,
       entered_position bigint NOT NULL,
       position bigint NOT NULL,
       doc jsonb NOT NULL,
       PRIMARY KEY (partnership_id, workstream_id, occurrence)
     )`,
  ],
};

export const participationProjection = contextProjection<ParticipationContext, PhaseOccurrenceRow>({
  name: PARTICIPATION,
  version: 1,
  eventTypes: PARTNERSHIP_EVENT_TYPES,
  contextTable: 'partnerships',
  key: (e) => partnershipIdOf(e),
  initial: (key) => initialParticipationContext(key),
  step: (context, e) => stepParticipation(context, e),
  rowTables: [phasesTable],
  async writeRows(rows, ctx) {
    // Append-only: an occurrence is left once, by one transition applied once with its checkpoint.
    await writeJsonRecords(
      ctx,
      `INSERT INTO ${ctx.table('phases')} (partnership_id, workstream_id, occurrence, phase, entered_position, position, doc)
       SELECT partnership_id, workstream_id, occurrence, phase, entered_position, position, doc
         FROM json_to_recordset($1::json) AS r(partnership_id text, workstream_id text, occurrence integer, phase text, entered_position bigint, position bigint, doc jsonb)`,
      rows,
    );
  },
});
