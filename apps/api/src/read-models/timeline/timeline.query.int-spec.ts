/**
 * TimelineQuery against the real views of the timeline and agreements read models (the mixed
 * history, with a skip and a backward move added to the tool partnership's second workstream and
 * one correction): paging, filters, corrections, the disclosure ledger, 404 and 503.
 */
import type { RecordedEvent } from '@trellis/event-store';
import { agreementsProjection, dataDisclosureLedger, readAgreementsRegister, timelineProjection, type Projection, type TimelineEventView } from '@trellis/projections';
import { serveReadModels, SignalScenarios, TOOL_PARTNERSHIP_ID, createTestSchema, mixedHistory, type TestSchema } from '@trellis/projections/testing';
import { TIMELINE_VIEW_EXAMPLE } from './timeline.openapi';
import { TimelineQuery } from './timeline.query';

const { cmd } = SignalScenarios;

let db: TestSchema;
let query: TimelineQuery;
let events: RecordedEvent[];
let corrected: RecordedEvent;
let correction: RecordedEvent;
const toolEvents = () => events.filter((e) => e.metadata['partnershipId'] === TOOL_PARTNERSHIP_ID);

async function build(schema: string, projections: readonly Projection[]) {
  for (const projection of projections) {
    await serveReadModels(db.sql, schema, [projection], events);
  }
}

beforeAll(async () => {
  db = await createTestSchema('tlq');
  const { log, tool } = mixedHistory();
  tool.run([
    cmd('2025-10-20', 'TransitionPhase', { workstreamId: 'ws-coaching', toPhase: 'co_design', reason: 'The county already has a coaching protocol to adapt' }, { actorParticipantId: 'p-dist-lead', organizationId: 'org-valley-usd' }),
    { ...cmd('2025-10-24', 'TransitionPhase', { workstreamId: 'ws-coaching', toPhase: 'problem_framing', reason: 'Coaches were not consulted' }, { actorParticipantId: 'p-lab-lead' }), recordedOn: '2025-10-27' },
  ]);
  // The renewal is restated a week later; the restatement corrects it (metadata.corrects).
  [corrected] = log.events.filter((e) => e.type === 'PartnershipAgreementAmended');
  const [restated] = tool.run([cmd('2025-11-03', 'AmendAgreement', { agreementRef: 'MOU-VALLEY-2024', amendmentKind: 'renewal', newTermEnd: '2029-01-31' })]);
  correction = { ...restated!, metadata: { ...restated!.metadata, corrects: corrected!.eventId } };
  events = log.events.map((e) => (e === restated ? correction : e));
  await build(db.schema, [timelineProjection, agreementsProjection]);
  query = new TimelineQuery(db.sql, { dbSchema: db.schema });
});
afterAll(async () => db?.drop());

it('answers a workstream\'s events with the partnership-wide lists beside (the documented example is a real answer)', async () => {
  const view = await query.page(TOOL_PARTNERSHIP_ID, { limit: 200, workstreamId: 'ws-coaching' });
  expect({ ...view, disclosureLedger: view.disclosureLedger.slice(0, 2) }).toEqual(TIMELINE_VIEW_EXAMPLE);
  expect(view.disclosureLedger.map((e) => e.kind)).toEqual(['agreement_executed', 'data_received', 'agreement_executed', 'agreement_ended', 'data_received', 'agreement_ended', 'disposal_certified']);
});

it('pages through every event of the partnership in recorded order', async () => {
  const seen: TimelineEventView[] = [];
  let after: bigint | undefined;
  let pages = 0;
  for (;;) {
    const page = await query.page(TOOL_PARTNERSHIP_ID, { limit: 10, ...(after !== undefined ? { afterPosition: after } : {}) });
    pages += 1;
    seen.push(...page.events);
    expect(page.events.length).toBeLessThanOrEqual(10);
    if (page.nextAfterPosition === null) break;
    expect(page.nextAfterPosition).toBe(page.events.at(-1)!.position);
    after = BigInt(page.nextAfterPosition);
  }
  expect(seen.map((e) => [e.position, e.eventId, e.type])).toEqual(toolEvents().map((e) => [e.position.toString(), e.eventId, e.type]));
  expect((await query.page(TOOL_PARTNERSHIP_ID, { limit: 1, type: 'PilotStarted' })).totalEvents).toBe(toolEvents().length);
  expect(pages).toBe(Math.ceil(toolEvents().length / 10) + (toolEvents().length % 10 === 0 ? 1 : 0));
});

it('filters by type and by workstream, together', async () => {
  const moves = await query.page(TOOL_PARTNERSHIP_ID, { limit: 1000, type: 'PhaseTransitioned' });
  expect(moves.events.map((e) => e.workstreamId)).toEqual([...Array(7).fill('ws-routines'), 'ws-coaching', 'ws-coaching']);
  const coaching = await query.page(TOOL_PARTNERSHIP_ID, { limit: 1, type: 'PhaseTransitioned', workstreamId: 'ws-coaching' });
  expect(coaching.events.map((e) => e.transition!.direction)).toEqual(['skip']);
  const next = await query.page(TOOL_PARTNERSHIP_ID, { limit: 1, type: 'PhaseTransitioned', workstreamId: 'ws-coaching', afterPosition: BigInt(coaching.nextAfterPosition!) });
  expect(next.events.map((e) => e.transition!.direction)).toEqual(['backward']);
  expect(next.nextAfterPosition).toBeNull();
  expect((await query.page(TOOL_PARTNERSHIP_ID, { limit: 5, workstreamId: 'ws-none' })).events).toEqual([]);
});

it('links a correction both ways and shows back-dating', async () => {
  const amendments = await query.page(TOOL_PARTNERSHIP_ID, { limit: 10, type: 'PartnershipAgreementAmended' });
  expect(amendments.events.map((e) => [e.eventId, e.corrects, e.correctedBy])).toEqual([
    [corrected.eventId, null, [correction.eventId]],
    [correction.eventId, corrected.eventId, []],
  ]);
  const [transfer] = (await query.page(TOOL_PARTNERSHIP_ID, { limit: 10, type: 'DataReceivedUnderAgreement' })).events.slice(-1);
  expect(transfer).toMatchObject({ occurredAt: '2025-09-21T10:00:00.000Z', recordedAt: '2025-09-25T10:00:00.000Z', backDated: true });
});

it('embeds the agreements register\'s disclosure ledger as it stands', async () => {
  const view = await query.page(TOOL_PARTNERSHIP_ID, { limit: 1 });
  expect(view.disclosureLedger).toEqual(dataDisclosureLedger((await readAgreementsRegister(db.sql, db.schema, TOOL_PARTNERSHIP_ID))!));
  expect(view.signals.raised).toEqual([
    { code: 'PHASE_WITHOUT_PRACTICE', title: 'A phase with no practitioner present', count: 1 },
    { code: 'SINGLE_POINT_OF_CONTACT', title: 'Single point of contact in an organization', count: 1 },
    { code: 'PHASE_SKIPPED_EVIDENCE_REVIEW', title: 'Co-design entered without an evidence review', count: 1 },
  ]);
});

it('is 404 for a partnership the read model does not know', async () => {
  await expect(query.page('99999999-9999-4999-8999-999999999999', { limit: 10 })).rejects.toMatchObject({ code: 'PARTNERSHIP_NOT_FOUND', category: 'not_found' });
});

it('is 503 while the timeline, or the agreements register it embeds, has not been built', async () => {
  await expect(new TimelineQuery(db.sql, { dbSchema: 'public' }).page(TOOL_PARTNERSHIP_ID, { limit: 10 })).rejects.toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
  const schema = `${db.schema}_only`;
  await db.sql.query(`CREATE SCHEMA ${schema}`);
  try {
    await build(schema, [timelineProjection]);
    await expect(new TimelineQuery(db.sql, { dbSchema: schema }).page(TOOL_PARTNERSHIP_ID, { limit: 10 })).rejects.toMatchObject({ status: 503, headers: { 'Retry-After': '5' } });
  } finally {
    await db.sql.query(`DROP SCHEMA ${schema} CASCADE`);
  }
});
