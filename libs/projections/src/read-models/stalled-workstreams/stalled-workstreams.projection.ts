/**
 * Read model "Stalled workstreams" (DOMAIN.md; research §4.4), projection `stalled_workstreams`.
 *
 * Tables:
 * - `partnerships` — one small context document per partnership (stalled-workstreams.context.ts):
 *   the fold that the rows are derived from. Partnership-wide facts (status and pauses, DSAs) change
 *   every workstream's row, so the state lives per partnership.
 * - `docs` — ONE ROW PER OPEN WORKSTREAM of a listed partnership (not closed or abandoned), what the
 *   API reads through the view `<schema>.rm_stalled_workstreams_docs`: `doc` is a
 *   `StalledWorkstreamDoc`; the columns filter and order (`clock_kind` + `clock_starts_on` give the
 *   due date once the query applies its thresholds).
 *
 * Per batch: one select and one upsert of the touched contexts, then one delete and one insert of
 * their workstream rows. Nothing here reads the clock: time-dependent facts are the query's.
 */
import type { PartnershipEventType } from '@trellis/domain';
import { documentProjection } from '../../core/document-projection';
import { partnershipIdOf } from '../../signals/event-access';
import { writeJsonRecords } from '../../core/json-records';
import type { ProjectionTable } from '../../core/projection';
import { evolveStalledContext, initialStalledContext, isListedStatus, type StalledContext } from './stalled-workstreams.context';
import { stallClock, type StalledWorkstreamDoc } from './stalled-workstreams.rules';

export const STALLED_WORKSTREAMS = 'stalled_workstreams';

/** Everything that moves a workstream, names one, or changes its partnership's status or DSAs. */
export const STALLED_WORKSTREAMS_EVENT_TYPES = [
  'PartnershipProposed',
  'PartnershipFormalized',
  'PartnershipStatusChanged',
  'PartnershipClosed',
  'PartnershipAbandoned',
  'DataSharingAgreementExecuted',
  'DataSharingAgreementEnded',
  'BrokeringActivityRecorded',
  'WorkstreamOpened',
  'PhaseTransitioned',
  'ProblemOfPracticeDefined',
  'ProblemOfPracticeReframed',
  'ResearchAgendaAgreed',
  'EvidenceReviewed',
  'ToolCoDeveloped',
  'ToolRevised',
  'PilotApproved',
  'PilotStarted',
  'PilotConcluded',
  'StakeholderInputGathered',
  'FormalStudyApproved',
  'FormalStudyStarted',
  'DataReceivedUnderAgreement',
  'PreliminaryFindingsShared',
  'FindingsJointlyInterpreted',
  'FindingsReviewedByPracticePartner',
  'FindingsDisseminated',
  'ResearchUseRecorded',
] as const satisfies readonly PartnershipEventType[];



/** The key of a workstream row. */
export const stalledWorkstreamKey = (partnershipId: string, workstreamId: string): string => `${partnershipId}/${workstreamId}`;

/** The rows a context lists: one per open workstream while the partnership is listed. */
export function stalledWorkstreamDocs(ctx: StalledContext): StalledWorkstreamDoc[] {
  if (!isListedStatus(ctx.status)) return [];
  return Object.values(ctx.workstreams)
    .sort((a, b) => (a.workstreamId < b.workstreamId ? -1 : a.workstreamId > b.workstreamId ? 1 : 0))
    .map((w) => {
      const dsaIds = new Set(w.openStudies.flatMap((s) => s.dsaIds));
      return {
        partnershipId: ctx.partnershipId,
        partnershipName: ctx.name,
        partnershipStatus: ctx.status,
        ...(ctx.pausedSince !== undefined ? { pausedSince: ctx.pausedSince } : {}),
        workstream: w,
        clock: stallClock(w, ctx.pauses),
        dsas: Object.fromEntries(Object.entries(ctx.dsas).filter(([id]) => dsaIds.has(id))),
      };
    });
}

const rowsTable: ProjectionTable = {
  name: 'docs',
  create: (t, ix) => [
    `CREATE TABLE ${t} (
       key text PRIMARY KEY,
       doc jsonb NOT NULL,
       position bigint NOT NULL,
       partnership_id text NOT NULL,
       workstream_id text NOT NULL,
       phase text NOT NULL,
       paused boolean NOT NULL,
       clock_kind text NOT NULL,
       clock_starts_on date NOT NULL
     )`,
    `CREATE INDEX ${ix}_partnership ON ${t} (partnership_id)`,
    `CREATE INDEX ${ix}_phase ON ${t} (phase)`,
  ],
};

export const stalledWorkstreamsProjection = documentProjection<StalledContext>({
  name: STALLED_WORKSTREAMS,
  version: 1,
  eventTypes: STALLED_WORKSTREAMS_EVENT_TYPES,
  table: 'partnerships',
  key: partnershipIdOf,
  initial: (key) => initialStalledContext(key),
  evolve: (ctx, e) => evolveStalledContext(ctx, e),
  extraTables: [rowsTable],

  async afterBatch(events, ctx, changed) {
    if (changed.size === 0) return;
    const positions = new Map<string, bigint>();
    for (const e of events) {
      const key = partnershipIdOf(e);
      if (key !== undefined && changed.has(key)) positions.set(key, e.position);
    }
    const rows: Array<Record<string, unknown>> = [];
    for (const [partnershipId, context] of changed) {
      if (context === null) continue;
      for (const doc of stalledWorkstreamDocs(context)) {
        rows.push({
          key: stalledWorkstreamKey(partnershipId, doc.workstream.workstreamId),
          doc,
          position: positions.get(partnershipId)!.toString(),
          partnership_id: partnershipId,
          workstream_id: doc.workstream.workstreamId,
          phase: doc.workstream.phase,
          paused: doc.partnershipStatus === 'paused',
          clock_kind: doc.clock.kind,
          clock_starts_on: doc.clock.startsOn,
        });
      }
    }
    const t = ctx.table('docs');
    await ctx.query(`DELETE FROM ${t} WHERE partnership_id = ANY($1::text[])`, [[...changed.keys()]]);
    if (rows.length === 0) return;
    await writeJsonRecords(
      ctx,
      `INSERT INTO ${t} (key, doc, position, partnership_id, workstream_id, phase, paused, clock_kind, clock_starts_on)
       SELECT key, doc, position, partnership_id, workstream_id, phase, paused, clock_kind, clock_starts_on
       FROM jsonb_to_recordset($1::jsonb) AS r(key text, doc jsonb, position bigint, partnership_id text, workstream_id text,
                                              phase text, paused boolean, clock_kind text, clock_starts_on date)`,
      rows,
    );
  },
});
