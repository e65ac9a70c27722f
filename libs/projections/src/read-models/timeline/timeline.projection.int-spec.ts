/**
 * The audit-timeline projection against PostgreSQL: given events → expected rows (one per event,
 * with recorder, participants and organizations at the time, phase, transition, corrections,
 * summary and the signals the event raised); batch invariance over the mixed history and every
 * signal scenario.
 */
import { PartnershipFixtures } from '@trellis/domain';
import type { RecordedEvent } from '@trellis/event-store';
import { ProjectionSpecification, SignalScenarios, TestLog, createTestSchema, expectBatchInvariance, mixedHistory, type TestSchema } from '../../testing';
import { SIGNAL_CATALOG } from '../../signals/signal-catalog';
import { timelineProjection } from './timeline.projection';
import type { TimelineContext, TimelineEntry } from './timeline.context';

const { cmd, cleanPartnership, WS, ORG, PEOPLE } = SignalScenarios;
const { TOOL_PATH } = PartnershipFixtures;

interface Row {
  partnership_id: string;
  position: string;
  revision: string;
  event_id: string;
  type: string;
  workstream_id: string | null;
  occurred_at: string;
  recorded_at: string;
  back_dated: boolean;
  corrects: string | null;
  direction: string | null;
  entry: TimelineEntry;
}

let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema('tl');
});
afterAll(async () => db?.drop());

const spec = () => ProjectionSpecification.for(timelineProjection, db.sql, db.schema);
const rowsOf = async (s: ProjectionSpecification): Promise<Row[]> =>
  s.rows<Row>('events', 'position').then((rows) => rows.map((r) => ({ ...r, position: String(r.position), revision: String(r.revision) })));

describe('timeline', () => {
  it('writes one row per event of the tool path, in position order, with the partnership context beside', async () => {
    const log = new TestLog();
    const p = log.partnership();
    p.run(PartnershipFixtures.seedToolPath());
    const s = await (await spec()).given(log.events);
    const rows = await rowsOf(s);
    expect(rows.map((r) => [r.position, r.revision, r.event_id, r.type])).toEqual(log.events.map((e) => [e.position.toString(), e.revision.toString(), e.eventId, e.type]));
    expect(new Set(rows.map((r) => r.partnership_id))).toEqual(new Set([p.partnershipId]));

    const context = (await s.doc<TimelineContext>(p.partnershipId, 'partnerships'))!;
    expect(context).toMatchObject({ partnershipId: p.partnershipId, name: 'Valley–WestLab partnership', events: log.events.length, concluded: [], signalsRaised: {} });
    expect(context.facts.status).toBe('active');
  });

  it('names participants and organizations with roles, type and side at the time, the phase, and the gate of an automatic move', async () => {
    const log = new TestLog();
    const p = log.partnership();
    const events = p.run(PartnershipFixtures.seedToolPath());
    const rows = await rowsOf(await (await spec()).given(log.events));
    const agenda = rows.find((r) => r.type === 'ResearchAgendaAgreed')!;
    expect(agenda).toMatchObject({
      workstream_id: TOOL_PATH.workstreamId,
      occurred_at: '2024-02-20T10:00:00.000Z',
      recorded_at: '2024-02-20T10:00:00.000Z',
      back_dated: false,
      corrects: null,
      direction: null,
    });
    expect(agenda.entry).toEqual({
      summary: 'Research agenda agenda-engagement agreed by 2 participants (2 research questions)',
      recorder: { key: 'key-test' },
      participants: [
        { id: 'p-lab-lead', as: ['agreed_by'], roles: ['researcher'], org: TOOL_PATH.research },
        { id: 'p-dist-lead', as: ['agreed_by'], roles: ['practitioner'], org: TOOL_PATH.district },
      ],
      phase: 'problem_framing',
      occurrence: 1,
    });
    const moved = rows[rows.indexOf(agenda) + 1]!;
    expect(moved).toMatchObject({ type: 'PhaseTransitioned', direction: 'forward' });
    expect(moved.entry).toEqual({
      summary: `Workstream ${TOOL_PATH.workstreamId} moved forward from problem_framing to evidence_review by its gate event`,
      recorder: { key: 'key-test' },
      phase: 'problem_framing',
      occurrence: 1,
      transition: { from: 'problem_framing', to: 'evidence_review', direction: 'forward', trigger: agenda.event_id },
    });
    const review = rows.find((r) => r.type === 'EvidenceReviewed')!;
    expect(review.entry).toMatchObject({ phase: 'evidence_review', occurrence: 2 });

    const pilot = rows.find((r) => r.type === 'PilotApproved')!;
    expect(pilot.entry.organizations).toEqual([
      { id: TOOL_PATH.schools[0], as: ['site', 'approver'] },
      { id: TOOL_PATH.schools[1], as: ['site', 'approver'] },
      { id: TOOL_PATH.district, as: ['approver'] },
    ]);
    const joined = rows.find((r) => r.type === 'ParticipantJoined')!;
    expect(joined.entry).toEqual({
      summary: `Participant p-dist-lead joined for ${TOOL_PATH.district} as practitioner`,
      recorder: { key: 'key-test' },
      participants: [{ id: 'p-dist-lead', as: ['joined'], roles: ['practitioner'], org: TOOL_PATH.district }],
      organizations: [{ id: TOOL_PATH.district, as: ['member_of'] }],
    });
    expect(rows.find((r) => r.type === 'PartnershipFormalized')!.entry.phase).toBeUndefined();
    expect(events).toHaveLength(rows.length);
  });

  it('shows back-dating: recorded more than an hour after it occurred', async () => {
    const log = new TestLog();
    const p = log.partnership();
    const review = (reviewId: string, on: string, recordedOn: string) => ({
      ...cmd(on, 'RecordEvidenceReview', { workstreamId: WS, reviewId, sources: ['s'], evidenceTypes: ['local_data'], contributorParticipantIds: [PEOPLE.researcher] }),
      recordedOn,
    });
    p.run([
      ...cleanPartnership(),
      cmd('2025-02-03', 'AgreeResearchAgenda', { workstreamId: WS, agendaId: 'a', researchQuestions: [{ questionId: 'q', text: 't' }], agreedByParticipantIds: [PEOPLE.researcher, PEOPLE.practitioner] }),
      review('on-time', '2025-02-04T09:00:00.000Z', '2025-02-04T09:00:00.000Z'),
      review('an-hour-late', '2025-02-04T09:00:00.000Z', '2025-02-04T10:00:00.000Z'),
      review('just-over-an-hour', '2025-02-04T09:00:00.000Z', '2025-02-04T10:00:01.000Z'),
      review('weeks-late', '2025-01-20T09:00:00.000Z', '2025-02-05T09:00:00.000Z'),
    ]);
    const rows = await rowsOf(await (await spec()).given(log.events));
    const flags = rows.filter((r) => r.type === 'EvidenceReviewed').map((r) => [r.entry.summary.split(' ')[2], r.back_dated, r.occurred_at, r.recorded_at]);
    expect(flags).toEqual([
      ['on-time', false, '2025-02-04T09:00:00.000Z', '2025-02-04T09:00:00.000Z'],
      ['an-hour-late', false, '2025-02-04T09:00:00.000Z', '2025-02-04T10:00:00.000Z'],
      ['just-over-an-hour', true, '2025-02-04T09:00:00.000Z', '2025-02-04T10:00:01.000Z'],
      ['weeks-late', true, '2025-01-20T09:00:00.000Z', '2025-02-05T09:00:00.000Z'],
    ]);
  });

  it('describes the recorder as it was: roles before a role change, the key organization without a participant', async () => {
    const log = new TestLog();
    const p = log.partnership();
    p.run([
      ...cleanPartnership(),
      cmd('2025-02-03', 'ChangeParticipantRoles', { participantId: PEOPLE.practitioner, roles: ['practitioner', 'broker'] }, { actorParticipantId: PEOPLE.practitioner, organizationId: ORG.practice }),
      cmd('2025-02-04', 'RecordReflection', { instrument: 'survey', ratings: { practice: { d1: 3 } }, actionsAgreed: [] }, { actorParticipantId: PEOPLE.practitioner }),
      cmd('2025-02-05', 'RecordReflection', { instrument: 'survey', ratings: { research: { d1: 3 } }, actionsAgreed: [] }, { organizationId: ORG.research }),
    ]);
    const rows = await rowsOf(await (await spec()).given(log.events));
    const [change, byParticipant, byKey] = rows.slice(-3);
    // The participant's organization, not the key's: the recorder acts for it.
    expect(change!.entry.recorder).toEqual({ key: 'key-test', participant: PEOPLE.practitioner, roles: ['practitioner'], org: ORG.practice });
    expect(change!.entry.participants).toEqual([{ id: PEOPLE.practitioner, as: ['roles_changed'], roles: ['practitioner', 'broker'], org: ORG.practice }]);
    expect(change!.entry.summary).toBe(`Participant ${PEOPLE.practitioner} changed roles from practitioner to practitioner, broker`);
    expect(byParticipant!.entry.recorder).toEqual({ key: 'key-test', participant: PEOPLE.practitioner, roles: ['practitioner', 'broker'], org: ORG.practice });
    expect(byKey!.entry.recorder).toEqual({ key: 'key-test', org: ORG.research });
  });

  it('keeps a departed participant with the roles they held, and names the successor', async () => {
    const log = new TestLog();
    const p = log.partnership();
    p.run([...cleanPartnership(), cmd('2025-02-03', 'DepartParticipant', { participantId: PEOPLE.analyst, reason: 'new job', successorParticipantId: PEOPLE.researcher })]);
    const [departed] = (await rowsOf(await (await spec()).given(log.events))).slice(-1);
    expect(departed!.entry).toMatchObject({
      summary: `Participant ${PEOPLE.analyst} departed from ${ORG.research} (successor ${PEOPLE.researcher})`,
      participants: [
        { id: PEOPLE.analyst, as: ['departed'], roles: ['researcher'], org: ORG.research },
        { id: PEOPLE.researcher, as: ['successor'], roles: ['researcher'], org: ORG.research },
      ],
      // The signals module names the departure in the subjects (the organization is left with one contact).
      signals: [{ code: 'SINGLE_POINT_OF_CONTACT', subjects: { organizationId: ORG.research, participantId: PEOPLE.analyst } }],
    });
  });

  it('shows every explicit transition with its direction and reason, and the phase of a concluded workstream', async () => {
    const log = new TestLog();
    const p = log.partnership();
    p.run([
      ...cleanPartnership(),
      cmd('2025-02-03', 'TransitionPhase', { workstreamId: WS, toPhase: 'co_design', reason: 'adapting an existing routine' }),
      cmd('2025-02-04', 'TransitionPhase', { workstreamId: WS, toPhase: 'problem_framing', reason: 'the routine does not fit' }),
      cmd('2025-02-05', 'TransitionPhase', { workstreamId: WS, toPhase: 'concluded', reason: 'merged into another workstream' }),
    ]);
    // A late fact about the concluded workstream (the rules would refuse it; the timeline still places it).
    p.append([{ type: 'StakeholderInputGathered', data: { workstreamId: WS, inputId: 'late', method: 'survey', respondentCounts: { practitioner: 7, family_member: 6 } } }], { occurredAt: '2025-02-06' });
    const s = await (await spec()).given(log.events);
    const rows = await rowsOf(s);
    const moves = rows.filter((r) => r.type === 'PhaseTransitioned').map((r) => [r.direction, r.entry.phase, r.entry.occurrence, r.entry.transition]);
    expect(moves).toEqual([
      ['skip', 'problem_framing', 1, { from: 'problem_framing', to: 'co_design', direction: 'skip', reason: 'adapting an existing routine' }],
      ['backward', 'co_design', 2, { from: 'co_design', to: 'problem_framing', direction: 'backward', reason: 'the routine does not fit' }],
      ['skip', 'problem_framing', 3, { from: 'problem_framing', to: 'concluded', direction: 'skip', reason: 'merged into another workstream' }],
    ]);
    expect(rows.at(-1)!.entry).toMatchObject({ phase: 'concluded', summary: `Stakeholder input late gathered by survey; respondents: family_member, practitioner` });
    expect(rows.at(-1)!.entry.occurrence).toBeUndefined();
    expect((await s.doc<TimelineContext>(p.partnershipId, 'partnerships'))!.concluded).toEqual([WS]);
  });

  it('records which earlier event a fact corrects (metadata.corrects)', async () => {
    const log = new TestLog();
    const p = log.partnership();
    p.run(cleanPartnership());
    const [original] = p.run([cmd('2025-02-03', 'RecordReflection', { instrument: 'survey', ratings: {}, actionsAgreed: [] })]);
    const [correction] = p.run([cmd('2025-02-04', 'RecordReflection', { instrument: 'survey', ratings: { practice: { d1: 4 } }, actionsAgreed: [] })]);
    const events = log.events.map((e) => (e === correction ? withCorrects(e, original!.eventId) : e));
    const rows = await rowsOf(await (await spec()).given(events));
    expect(rows.filter((r) => r.corrects !== null).map((r) => [r.event_id, r.corrects])).toEqual([[correction!.eventId, original!.eventId]]);
  });

  it('writes nothing for events of a stream before its proposal', async () => {
    const log = new TestLog();
    const p = log.partnership();
    p.append([{ type: 'OrganizationJoined', data: { organizationId: 'o', name: 'n', orgType: 'school', side: 'practice' } }], { occurredAt: '2025-01-01' });
    const s = await (await spec()).given(log.events);
    expect(await s.rows('events')).toEqual([]);
    expect(await s.rows('partnerships')).toEqual([]);
  });

  it('carries no free text (names, statements, reasons, summaries, …) except a transition\'s reason', async () => {
    const secret = 'Jane Doe';
    const log = new TestLog();
    const p = log.partnership();
    const { researcher, practitioner, analyst } = PEOPLE;
    p.run([
      ...cleanPartnership({ name: `${secret} partnership`, focus: `${secret}'s class` }),
      cmd('2025-01-21', 'JoinOrganization', { organizationId: 'org-x', name: `${secret} Foundation`, orgType: 'funder', side: 'funder' }),
      cmd('2025-01-22', 'WithdrawOrganization', { organizationId: 'org-x', reason: `${secret} left` }),
      cmd('2025-01-23', 'OpenWorkstream', { workstreamId: 'ws-2', title: `${secret} workstream`, leadParticipantIds: [researcher, practitioner] }),
      cmd('2025-02-01', 'DefineProblemOfPractice', { workstreamId: WS, problemId: 'prob-2', statement: `${secret} struggles`, proposedByParticipantIds: [practitioner], intendedUse: `help ${secret}` }),
      cmd('2025-02-02', 'ReframeProblemOfPractice', { workstreamId: WS, problemId: 'prob-2', statement: `${secret} again`, reason: `${secret} said so` }),
      cmd('2025-02-03', 'AgreeResearchAgenda', { workstreamId: WS, agendaId: 'ag', researchQuestions: [{ questionId: 'q', text: `Why ${secret}?` }], agreedByParticipantIds: [researcher, practitioner] }),
      cmd('2025-02-04', 'RecordEvidenceReview', { workstreamId: WS, reviewId: 'rv', sources: [`${secret} notes`], evidenceTypes: ['local_data'], contributorParticipantIds: [researcher] }),
      cmd('2025-02-05', 'CoDevelopTool', { workstreamId: WS, toolId: 'tl', name: `${secret} kit`, purpose: `for ${secret}`, coDesignerParticipantIds: [researcher, practitioner] }),
      cmd('2025-02-06', 'RecordStakeholderInput', { workstreamId: WS, inputId: 'in', toolId: 'tl', method: 'interviews', respondentCounts: { practitioner: 3, family_member: 2 } }),
      cmd('2025-02-07', 'ReviseTool', { workstreamId: WS, toolId: 'tl', answersInputIds: ['in'], changeSummary: `asked by ${secret}`, revisedWithParticipantIds: [practitioner] }),
      cmd('2025-02-08', 'ExecuteDataSharingAgreement', {
        dsaId: 'dsa', providerOrganizationId: ORG.practice, recipientOrganizationIds: [ORG.research], legalBasis: 'ferpa_studies_exception', purpose: `study ${secret}`,
        dataCategories: ['attendance'], piiIncluded: true, effectiveFrom: '2025-02-08', expiresOn: '2026-02-08', destructionPeriodDays: 30,
      }),
      cmd('2025-02-09', 'ApproveFormalStudy', {
        workstreamId: WS, studyId: 'st', questionIds: ['q'], design: `${secret} design`, siteOrganizationIds: [ORG.practice],
        approvals: [{ organizationId: ORG.practice, kind: `${secret} office`, ref: `${secret}-1` }], usesStudentRecords: true, dsaIds: ['dsa'], ethicsRef: `${secret} IRB`,
      }),
      cmd('2025-02-10', 'StartFormalStudy', { workstreamId: WS, studyId: 'st', startedOn: '2025-02-10' }),
      cmd('2025-02-11', 'SharePreliminaryFindings', { workstreamId: WS, findingsId: 'fd', sourceId: 'st', sharedWithOrganizationIds: [ORG.practice] }),
      cmd('2025-02-12', 'InterpretFindingsJointly', { workstreamId: WS, findingsId: 'fd', sessionOn: '2025-02-12', attendeeParticipantIds: [researcher, practitioner], followUpQuestions: [`${secret}?`], agreedImplications: [`${secret}!`] }),
      cmd('2025-02-13', 'RecordResearchUse', { workstreamId: WS, useId: 'use', decisionSummary: `${secret} decided`, decisionLevel: 'district', decidingOrganizationId: ORG.practice, evidenceIds: ['fd'] }),
      cmd('2025-02-14', 'TransitionPhase', { workstreamId: WS, toPhase: 'problem_framing', reason: 'a new cohort arrives' }),
      cmd('2025-02-15', 'ChangePartnershipStatus', { status: 'paused', reason: `${secret} is away` }),
      cmd('2025-02-16', 'RecordReflection', { instrument: `${secret} survey`, ratings: { practice: { d1: 3 } }, actionsAgreed: [`call ${secret}`] }),
      cmd('2025-02-17', 'DepartParticipant', { participantId: analyst, reason: `${secret} retired` }),
    ]);
    const rows = await rowsOf(await (await spec()).given(log.events));
    expect(rows).toHaveLength(log.events.length);
    for (const r of rows) expect(JSON.stringify(r)).not.toContain('Jane');
    expect(rows.find((r) => r.direction === 'backward')!.entry.transition!.reason).toBe('a new cohort arrives');
  });
});

describe('timeline signals', () => {
  const eventLevel = SignalScenarios.allScenarios().filter((x) => SIGNAL_CATALOG[x.code].eventLevel);

  it.each(eventLevel.map((x) => [x.code, x] as const))('%s appears at the event that raised it', async (code, scenario) => {
    const log = new TestLog();
    log.partnership().run(scenario.commands);
    const s = await (await spec()).given(log.events);
    const rows = await rowsOf(s);
    const raising = rows.filter((r) => (r.entry.signals ?? []).some((x) => x.code === code));
    const expected: Record<string, string> = {
      PROBLEM_FROM_RESEARCH_ONLY: 'ProblemOfPracticeDefined',
      NO_RECOGNISED_BROKER: 'ParticipantRolesChanged',
      PHASE_WITHOUT_PRACTICE: 'PhaseTransitioned',
      INPUT_SINGLE_ROLE: 'StakeholderInputGathered',
      DISSEMINATED_BEFORE_INTERPRETATION: 'FindingsDisseminated',
      SINGLE_POINT_OF_CONTACT: 'ParticipantDeparted',
      TOOL_REVISED_WITHOUT_PRACTICE: 'ToolRevised',
      PHASE_SKIPPED_EVIDENCE_REVIEW: 'PhaseTransitioned',
    };
    expect(raising.map((r) => r.type)).toEqual([expected[code]]);
    expect(raising[0]!.event_id).toBe(log.events.filter((e) => e.type === expected[code]).at(-1)!.eventId);
    const context = (await s.doc<TimelineContext>(log.events[0]!.metadata['partnershipId'] as string, 'partnerships'))!;
    expect(context.signalsRaised[code]).toBe(1);
  });

  it('PHASE_WITHOUT_PRACTICE is raised at the transition that leaves the phase, with who was present', async () => {
    const log = new TestLog();
    log.partnership().run(SignalScenarios.scenarioFor('PHASE_WITHOUT_PRACTICE').commands);
    const rows = await rowsOf(await (await spec()).given(log.events));
    const left = rows.find((r) => r.direction === 'backward')!;
    expect(left.entry).toMatchObject({
      phase: 'evidence_review',
      occurrence: 2,
      transition: { from: 'evidence_review', to: 'problem_framing', direction: 'backward', reason: 'The problem needs sharper framing' },
      signals: [{ code: 'PHASE_WITHOUT_PRACTICE', phase: 'evidence_review', details: { toPhase: 'problem_framing', collaborative: false, rolesPresent: ['researcher'], sidesPresent: ['research'] } }],
    });
    // The forward move out of problem_framing (practitioner present) raised nothing.
    expect(rows.filter((r) => r.type === 'PhaseTransitioned' && r.direction === 'forward').map((r) => r.entry.signals)).toEqual([undefined]);
  });

  it('gives the same tables whatever the batching (mixed history, every signal scenario, corrections)', async () => {
    const { log } = mixedHistory();
    for (const scenario of SignalScenarios.allScenarios()) log.partnership().run(scenario.commands);
    const p = log.partnership();
    p.run(SignalScenarios.scenarioFor('PHASE_SKIPPED_EVIDENCE_REVIEW').commands);
    p.run([cmd('2025-02-05', 'TransitionPhase', { workstreamId: WS, toPhase: 'concluded', reason: 'done' })]);
    const last = log.events.at(-1)!;
    const events = log.events.map((e) => (e === last ? withCorrects(e, log.events.at(-2)!.eventId) : e));
    await expectBatchInvariance(timelineProjection, db.sql, db.schema, events);
  });
});

function withCorrects(e: RecordedEvent, eventId: string): RecordedEvent {
  return { ...e, metadata: { ...e.metadata, corrects: eventId } };
}
