/**
 * ParticipationQuery against the real views of the participation read model (the mixed history,
 * plus a partnership at the "<5" threshold): the ledger per workstream and phase occurrence,
 * suppression at 4 and 5, signals, 404 and 503.
 */
import { participationProjection } from '@trellis/projections';
import { serveReadModels, SignalScenarios, STATE_PARTNERSHIP_ID, TOOL_PARTNERSHIP_ID, CLOSED_PARTNERSHIP_ID, createTestSchema, mixedHistory, type TestSchema } from '@trellis/projections/testing';
import { PARTICIPATION_VIEW_EXAMPLE } from './participation.openapi';
import { ParticipationQuery } from './participation.query';

const { cmd, cleanPartnership, WS, ORG, PEOPLE } = SignalScenarios;
const THRESHOLD_ID = '66666666-6666-4666-8666-666666666666';
const ABSENT_ID = '77777777-7777-4777-8777-777777777777';

let db: TestSchema;
let query: ParticipationQuery;

beforeAll(async () => {
  db = await createTestSchema('partq');
  const { log } = mixedHistory();
  log.partnership(THRESHOLD_ID).run([
    ...cleanPartnership(),
    ...['p-prac-3', 'p-prac-4', 'p-prac-5'].map((participantId) => cmd('2025-01-21', 'JoinParticipant', { participantId, organizationId: ORG.practice, roles: ['practitioner'] })),
    cmd('2025-01-21', 'JoinParticipant', { participantId: 'p-res-3', organizationId: ORG.research, roles: ['researcher'] }),
    cmd('2025-02-03', 'AgreeResearchAgenda', {
      workstreamId: WS,
      agendaId: 'a',
      researchQuestions: [{ questionId: 'q', text: 'Which routines?' }],
      // Five practitioners (one also a broker), three researchers.
      agreedByParticipantIds: [PEOPLE.researcher, PEOPLE.analyst, 'p-res-3', PEOPLE.practitioner, PEOPLE.broker, 'p-prac-3', 'p-prac-4', 'p-prac-5'],
    }),
    cmd('2025-02-04', 'RecordStakeholderInput', { workstreamId: WS, inputId: 'families', method: 'focus_group', respondentCounts: { family_member: 4, practitioner: 5 } }),
  ]);
  log.partnership(ABSENT_ID).run(SignalScenarios.scenarioFor('FAMILIES_COMMUNITY_ABSENT').commands);
  await serveReadModels(db.sql, db.schema, [participationProjection], log.events);
  query = new ParticipationQuery(db.sql, { dbSchema: db.schema });
});
afterAll(async () => db?.drop());

it('answers the ledger per workstream and phase occurrence (the documented example is a real answer)', async () => {
  expect(await query.ledger(STATE_PARTNERSHIP_ID)).toEqual(PARTICIPATION_VIEW_EXAMPLE);
});

it('shows counts of people under 5 as "<5": 4 → "<5", 5 → 5', async () => {
  const view = await query.ledger(THRESHOLD_ID);
  const [framing, review] = view.workstreams[0]!.phases;
  expect(framing).toMatchObject({ phase: 'problem_framing', rolesPresent: { researcher: '<5', practitioner: 5, broker: '<5' }, participantsPresent: 8 });
  expect(review).toMatchObject({ phase: 'evidence_review', respondents: { practitioner: 5, family_member: '<5' }, familiesOrCommunityPresent: true, leftAt: null });
  expect(view.partnershipTotals).toMatchObject({ rolesPresent: { researcher: '<5', practitioner: 5, broker: '<5' }, participantsPresent: 8, respondents: { practitioner: 5, family_member: '<5' } });
});

it('lists several workstreams in the order opened, concluded ones included', async () => {
  const view = await query.ledger(TOOL_PARTNERSHIP_ID);
  expect(view.workstreams.map((w) => [w.workstreamId, w.status, w.currentPhase, w.phases.length])).toEqual([
    ['ws-routines', 'open', 'use_dissemination', 8],
    ['ws-coaching', 'open', 'problem_framing', 1],
  ]);
  expect((await query.ledger(CLOSED_PARTNERSHIP_ID))).toMatchObject({ status: 'closed', workstreams: [{ workstreamId: 'c-ws', status: 'open', currentPhase: 'problem_framing' }] });
});

it('flags every occurrence of an equity-focused partnership with no family or community presence', async () => {
  const view = await query.ledger(ABSENT_ID);
  expect(view.workstreams[0]!.phases.map((x) => x.signals.map((s) => s.code))).toEqual([['FAMILIES_COMMUNITY_ABSENT']]);
  expect(view.partnershipTotals.signals).toEqual([{ code: 'FAMILIES_COMMUNITY_ABSENT', title: 'Families and community absent from every phase', count: 1 }]);
});

it('is 404 for a partnership the read model does not know', async () => {
  await expect(query.ledger('99999999-9999-4999-8999-999999999999')).rejects.toMatchObject({ code: 'PARTNERSHIP_NOT_FOUND', category: 'not_found' });
});

it('is 503 while the read model has not been built', async () => {
  await expect(new ParticipationQuery(db.sql, { dbSchema: 'public' }).ledger(STATE_PARTNERSHIP_ID)).rejects.toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', headers: { 'Retry-After': '5' } });
});
