/**
 * The participation-ledger projection against PostgreSQL: given events → one row per phase
 * occurrence with who was at the table; its signals at the right occurrence; the ledger agrees with
 * the signals module; batch invariance over the mixed history and every signal scenario.
 */
import { PartnershipFixtures } from '@trellis/domain';
import { ProjectionSpecification, SignalScenarios, TestLog, createTestSchema, expectBatchInvariance, mixedHistory, TOOL_PARTNERSHIP_ID, type TestSchema } from '../../testing';
import { participationProjection } from './participation.projection';
import type { ParticipationContext, PhaseOccurrenceDoc } from './participation.context';
import { participationView, type ParticipationView } from './participation.view';

const { cmd, cleanPartnership, WS, ORG, PEOPLE } = SignalScenarios;
const { TOOL_PATH } = PartnershipFixtures;

interface Row {
  partnership_id: string;
  workstream_id: string;
  occurrence: number;
  phase: string;
  entered_position: string;
  position: string;
  doc: PhaseOccurrenceDoc;
}

let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema('part');
});
afterAll(async () => db?.drop());

const spec = () => ProjectionSpecification.for(participationProjection, db.sql, db.schema);

async function ledger(s: ProjectionSpecification, partnershipId: string): Promise<ParticipationView> {
  const context = (await s.doc<ParticipationContext>(partnershipId, 'partnerships'))!;
  const rows = (await s.rows<Row>('phases', 'entered_position, workstream_id, occurrence')).filter((r) => r.partnership_id === partnershipId);
  return participationView(context, '0', rows);
}

async function given(commands: readonly SignalScenarios.ScenarioCommand[]) {
  const log = new TestLog();
  const p = log.partnership();
  p.run(commands);
  const s = await (await spec()).given(log.events);
  return { log, p, s, rows: await s.rows<Row>('phases', 'entered_position, workstream_id, occurrence'), view: await ledger(s, p.partnershipId) };
}

describe('participation', () => {
  it('keeps one row per phase occurrence left on the tool path, with who was at the table; the current one is in the context', async () => {
    const { rows, view, log } = await given(PartnershipFixtures.seedToolPath() as SignalScenarios.ScenarioCommand[]);
    expect(rows.map((r) => [r.workstream_id, r.occurrence, r.phase, r.doc.enteredBy, r.doc.leftTo ?? null])).toEqual([
      [TOOL_PATH.workstreamId, 1, 'problem_framing', 'opened', 'evidence_review'],
      [TOOL_PATH.workstreamId, 2, 'evidence_review', 'forward', 'co_design'],
      [TOOL_PATH.workstreamId, 3, 'co_design', 'forward', 'pilot'],
      [TOOL_PATH.workstreamId, 4, 'pilot', 'forward', 'input_revision'],
      [TOOL_PATH.workstreamId, 5, 'input_revision', 'forward', 'formal_study'],
      [TOOL_PATH.workstreamId, 6, 'formal_study', 'forward', 'joint_interpretation'],
      [TOOL_PATH.workstreamId, 7, 'joint_interpretation', 'forward', 'use_dissemination'],
    ]);
    const opened = log.events.find((e) => e.type === 'WorkstreamOpened')!;
    // Opened with two leads, the problem proposed by a teacher and the district lead, the agenda
    // agreed by the lab and the district leads (the gate is recorded in the phase it leaves).
    expect(rows[0]!.doc).toEqual({
      workstreamTitle: 'Engagement routines',
      phase: 'problem_framing',
      occurrence: 1,
      enteredAt: '2024-02-05T10:00:00.000Z',
      enteredBy: 'opened',
      leftAt: '2024-02-20T10:00:00.000Z',
      leftTo: 'evidence_review',
      leftBy: 'forward',
      rolesPresent: { practitioner: 2, researcher: 1 },
      participantsPresent: 3,
      organizationTypes: { school_district: 1, research_organization: 1, school: 1 },
      sides: { practice: 2, research: 1 },
      respondents: {},
      stakeholderInputs: 0,
      events: 3,
      collaborative: false,
      practicePresent: true,
      familiesOrCommunityPresent: false,
      signals: [],
    });
    expect(rows[0]!.entered_position).toBe(opened.position.toString());
    // Input from county staff, administrators and teachers (convened by the district broker), the
    // revision with the district, the study approved at three schools by the district and the lab.
    expect(rows[4]!.doc).toMatchObject({
      rolesPresent: { practitioner: 2, broker: 1, researcher: 1 },
      participantsPresent: 3,
      organizationTypes: { school_district: 1, research_organization: 1, school: 3 },
      sides: { practice: 4, research: 1 },
      respondents: { county_office: 6, school_district: 4, school: 9, practitioner: 38 },
      stakeholderInputs: 1,
      events: 3,
      leftAt: '2025-02-20T10:00:00.000Z',
    });
    expect(rows.map((r) => r.position)).toEqual(log.events.filter((e) => e.type === 'PhaseTransitioned').map((e) => e.position.toString()));
    expect(view.workstreams[0]!.phases[7]).toMatchObject({ phase: 'use_dissemination', occurrence: 8, leftAt: null, leftTo: null, enteredAt: '2025-06-24T10:00:00.000Z', events: 1 });

    const input = view.workstreams[0]!.phases[4]!;
    expect(input).toMatchObject({
      phase: 'input_revision',
      rolesPresent: { researcher: '<5', practitioner: '<5', broker: '<5' },
      participantsPresent: '<5',
      respondents: { practitioner: 38, school_district: '<5', county_office: 6, school: 9 },
      organizationTypes: { school_district: 1, school: 3, research_organization: 1 },
      sides: { research: 1, practice: 4 },
    });
    expect(Object.keys(input.respondents)).toEqual(['practitioner', 'school_district', 'county_office', 'school']);
    expect(view.workstreams.map((w) => [w.workstreamId, w.title, w.status, w.currentPhase, w.phases.length])).toEqual([[TOOL_PATH.workstreamId, 'Engagement routines', 'open', 'use_dissemination', 8]]);
    expect(view.partnershipTotals).toMatchObject({
      workstreams: 1,
      workstreamsConcluded: 0,
      phaseOccurrences: 8,
      participantsPresent: 6,
      respondents: { practitioner: 38, school_district: '<5', county_office: 6, school: 9 },
      // The county office took part only through its respondents (aggregate, by organization type).
      sides: { research: 1, practice: 4 },
      stakeholderInputs: 1,
      signals: [],
    });
  });

  it('counts the recorder of an event, and of the transition that leaves a phase, as present', async () => {
    const { view } = await given([
      ...cleanPartnership(),
      cmd('2025-02-03', 'RecordStakeholderInput', { workstreamId: WS, inputId: 'in', method: 'survey', respondentCounts: { practitioner: 9, researcher: 6 } }, { actorParticipantId: PEOPLE.broker }),
      cmd('2025-02-04', 'TransitionPhase', { workstreamId: WS, toPhase: 'co_design', reason: 'reuse a routine' }, { organizationId: 'org-county' }),
      cmd('2025-02-05', 'TransitionPhase', { workstreamId: WS, toPhase: 'problem_framing', reason: 'rethink' }, { actorParticipantId: PEOPLE.analyst }),
    ]);
    const [framing, coDesign, again] = view.workstreams[0]!.phases;
    expect(framing).toMatchObject({ rolesPresent: { researcher: '<5', practitioner: '<5', broker: '<5' }, events: 3, respondents: { researcher: 6, practitioner: 9 } });
    // The key's organization is unknown to the partnership: nothing is counted for it.
    expect(coDesign).toMatchObject({ enteredBy: 'skip', fromPhase: 'problem_framing', leftTo: 'problem_framing', rolesPresent: { researcher: '<5' }, sides: { research: 1 }, events: 0 });
    expect(again).toMatchObject({ enteredBy: 'backward', fromPhase: 'co_design', leftAt: null, rolesPresent: {}, participantsPresent: 0, events: 0 });
  });

  it('writes nothing for events of a stream before its proposal', async () => {
    const log = new TestLog();
    log.partnership().append([{ type: 'WorkstreamOpened', data: { workstreamId: 'w', title: 't', leadParticipantIds: [] } }], { occurredAt: '2025-01-01' });
    const s = await (await spec()).given(log.events);
    expect(await s.rows('phases')).toEqual([]);
    expect(await s.rows('partnerships')).toEqual([]);
  });

  it('shows a concluded workstream with its last phase left to concluded', async () => {
    const { view } = await given([...cleanPartnership(), cmd('2025-02-03', 'TransitionPhase', { workstreamId: WS, toPhase: 'concluded', reason: 'stopped' })]);
    expect(view.workstreams).toEqual([
      expect.objectContaining({ workstreamId: WS, status: 'concluded', currentPhase: null, phases: [expect.objectContaining({ phase: 'problem_framing', leftTo: 'concluded', leftAt: '2025-02-03T10:00:00.000Z' })] }),
    ]);
    expect(view.partnershipTotals).toMatchObject({ workstreams: 1, workstreamsConcluded: 1, phaseOccurrences: 1 });
  });
});

describe('participation signals', () => {
  it('PHASE_WITHOUT_PRACTICE sits on the occurrence left with researchers only', async () => {
    const { view } = await given(SignalScenarios.scenarioFor('PHASE_WITHOUT_PRACTICE').commands);
    const phases = view.workstreams[0]!.phases;
    expect(phases.map((x) => [x.phase, x.occurrence, x.practicePresent, x.signals.map((s) => s.code)])).toEqual([
      ['problem_framing', 1, true, []],
      ['evidence_review', 2, false, ['PHASE_WITHOUT_PRACTICE']],
      // Entered again and nobody has taken part yet: nothing is raised before it is left.
      ['problem_framing', 3, false, []],
    ]);
    expect(phases[1]!.signals[0]).toEqual({
      code: 'PHASE_WITHOUT_PRACTICE',
      title: 'A phase with no practitioner present',
      details: { toPhase: 'problem_framing', collaborative: false, rolesPresent: ['researcher'], sidesPresent: ['research'] },
    });
    expect(phases[2]).toMatchObject({ enteredBy: 'backward', fromPhase: 'evidence_review', rolesPresent: {}, participantsPresent: 0 });
    expect(view.partnershipTotals.signals).toEqual([{ code: 'PHASE_WITHOUT_PRACTICE', title: 'A phase with no practitioner present', count: 1 }]);
  });

  it('in a collaborative, a community member takes the practitioner\'s place', async () => {
    const commands = [
      ...cleanPartnership({ types: ['community_research_collaborative'] }),
      cmd('2025-01-21', 'JoinOrganization', { organizationId: ORG.community, name: 'Families United', orgType: 'community_organization', side: 'community' }),
      cmd('2025-01-22', 'JoinParticipant', { participantId: 'p-parent', organizationId: ORG.community, roles: ['community_member', 'family_member'] }),
      cmd('2025-02-03', 'AgreeResearchAgenda', { workstreamId: WS, agendaId: 'a', researchQuestions: [{ questionId: 'q', text: 't' }], agreedByParticipantIds: [PEOPLE.researcher, 'p-parent'] }),
      cmd('2025-02-10', 'RecordEvidenceReview', { workstreamId: WS, reviewId: 'r', sources: ['s'], evidenceTypes: ['community_knowledge'], contributorParticipantIds: [PEOPLE.practitioner] }),
      cmd('2025-02-17', 'TransitionPhase', { workstreamId: WS, toPhase: 'problem_framing', reason: 'listen again' }),
    ];
    const { view } = await given(commands);
    const phases = view.workstreams[0]!.phases;
    // problem_framing: lead practitioner and researcher, the parent (community member): practice present.
    // evidence_review: a practitioner only — not the community: the collaborative's phase lacks practice.
    expect(phases.map((x) => [x.phase, x.practicePresent, x.familiesOrCommunityPresent, x.signals.map((s) => s.code)])).toEqual([
      ['problem_framing', true, true, []],
      ['evidence_review', false, false, ['PHASE_WITHOUT_PRACTICE']],
      ['problem_framing', false, false, []],
    ]);
    expect(phases[1]!.signals[0]!.details).toMatchObject({ collaborative: true, rolesPresent: ['practitioner'] });
    expect(view.partnershipTotals.signals.map((s) => s.code)).toEqual(['PHASE_WITHOUT_PRACTICE']);
  });

  it('FAMILIES_COMMUNITY_ABSENT shows on every occurrence of an equity-focused partnership until a family is at the table', async () => {
    const scenario = SignalScenarios.scenarioFor('FAMILIES_COMMUNITY_ABSENT').commands;
    const absent = await given([...scenario, cmd('2025-02-10', 'TransitionPhase', { workstreamId: WS, toPhase: 'co_design', reason: 'adapt a routine' })]);
    expect(absent.view.workstreams[0]!.phases.map((x) => [x.phase, x.signals.map((s) => s.code)])).toEqual([
      ['problem_framing', ['FAMILIES_COMMUNITY_ABSENT']],
      ['co_design', ['FAMILIES_COMMUNITY_ABSENT']],
    ]);
    expect(absent.view.partnershipTotals.signals).toEqual([{ code: 'FAMILIES_COMMUNITY_ABSENT', title: 'Families and community absent from every phase', count: 1 }]);

    // Families answer a survey in co_design: they were at the table (in aggregate); the signal is gone everywhere.
    const present = await given([
      ...scenario,
      cmd('2025-02-10', 'TransitionPhase', { workstreamId: WS, toPhase: 'co_design', reason: 'adapt a routine' }),
      cmd('2025-02-11', 'RecordStakeholderInput', { workstreamId: WS, inputId: 'families', method: 'survey', respondentCounts: { family_member: 4, practitioner: 5 } }),
    ]);
    const phases = present.view.workstreams[0]!.phases;
    expect(phases.map((x) => [x.phase, x.familiesOrCommunityPresent, x.signals])).toEqual([
      ['problem_framing', false, []],
      ['co_design', true, []],
    ]);
    expect(phases[1]!.respondents).toEqual({ practitioner: 5, family_member: '<5' });
    expect(present.view.partnershipTotals.signals).toEqual([]);
  });

  it('never disagrees with the signals module (mixed history and every scenario)', async () => {
    const { log } = mixedHistory();
    const partnerships = [TOOL_PARTNERSHIP_ID];
    for (const scenario of SignalScenarios.allScenarios()) partnerships.push(log.partnership().run(scenario.commands)[0]!.metadata['partnershipId'] as string);
    const s = await (await spec()).given(log.events);
    const rows = await s.rows<Row>('phases');
    for (const r of rows) {
      if (r.doc.leftTo === undefined) continue;
      expect([r.workstream_id, r.occurrence, r.doc.signals.some((x) => x.code === 'PHASE_WITHOUT_PRACTICE')]).toEqual([r.workstream_id, r.occurrence, !r.doc.practicePresent]);
    }
    for (const { key, doc } of await s.rows<{ key: string; doc: ParticipationContext }>('partnerships')) {
      const view = await ledger(s, key);
      const present = view.workstreams.some((w) => w.phases.some((x) => x.familiesOrCommunityPresent));
      expect([key, present]).toEqual([key, doc.facts.familiesOrCommunityPresent]);
    }
  });

  it('gives the same tables whatever the batching (mixed history, every signal scenario)', async () => {
    const { log } = mixedHistory();
    for (const scenario of SignalScenarios.allScenarios()) log.partnership().run(scenario.commands);
    const p = log.partnership();
    p.run([
      ...SignalScenarios.scenarioFor('PHASE_WITHOUT_PRACTICE').commands,
      cmd('2025-02-18', 'RecordStakeholderInput', { workstreamId: WS, inputId: 'in', method: 'survey', respondentCounts: { family_member: 3, practitioner: 8 } }, { actorParticipantId: PEOPLE.broker }),
      cmd('2025-02-19', 'TransitionPhase', { workstreamId: WS, toPhase: 'concluded', reason: 'done' }),
    ]);
    await expectBatchInvariance(participationProjection, db.sql, db.schema, log.events);
  });
});
