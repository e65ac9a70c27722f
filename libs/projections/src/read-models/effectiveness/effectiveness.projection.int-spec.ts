/**
 * The effectiveness projection against PostgreSQL: given events → expected counters, reflection
 * history and view; batch invariance over both seed paths mixed with other histories.
 */
import { PartnershipFixtures } from '@trellis/domain';
import { ProjectionSpecification, TestLog, createTestSchema, expectBatchInvariance, type TestSchema } from '../../testing';
import { SignalScenarios } from '../../testing';
import { effectivenessProjection, type EffectivenessDoc } from './effectiveness.projection';
import { effectivenessView } from './effectiveness.view';

let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema();
});
afterAll(async () => db?.drop());

const spec = () => ProjectionSpecification.for(effectivenessProjection, db.sql, db.schema);
const { cmd, cleanPartnership, WS, PEOPLE, ORG } = SignalScenarios;

const reflection = (on: string, ratings: object, extra: { recordedOn?: string } = {}) =>
  ({ ...cmd(on, 'RecordReflection', { instrument: 'RPP survey', ratings: ratings as never, actionsAgreed: ['Meet monthly'] }), ...extra });

describe('effectiveness', () => {
  it('counts the indicators of the tool path along the five dimensions', async () => {
    const log = new TestLog();
    const p = log.partnership();
    p.run(PartnershipFixtures.seedToolPath());
    const s = await (await spec()).given(log.events);
    const doc = (await s.doc<EffectivenessDoc>(p.partnershipId))!;
    expect(doc.name).toBe('Valley–WestLab partnership');
    // Sparse: only what happened is stored.
    expect(doc.counters).toEqual({
      'd2.agendasAgreed': 1,
      'd2.researchQuestionsAgreed': 2,
      'd2.evidenceReviews': 1,
      'd5.evidenceTypesUsed.research_literature': 1,
      'd5.evidenceTypesUsed.practitioner_knowledge': 1,
      'd5.tools.coDeveloped': 1,
      'd5.tools.coDevelopedWithPractice': 1,
      'd2.pilots.approved': 1,
      'd2.pilots.started': 1,
      'd2.pilots.concludedByOutcome.completed': 1,
      'd2.stakeholderInput.gathered': 1,
      'd2.stakeholderInput.byMethod.survey': 1,
      'd2.stakeholderInput.respondentsByCategory.county_office': 6,
      'd2.stakeholderInput.respondentsByCategory.school_district': 4,
      'd2.stakeholderInput.respondentsByCategory.school': 9,
      'd2.stakeholderInput.respondentsByCategory.practitioner': 38,
      'd5.tools.revisions': 1,
      'd5.tools.revisionsWithPractice': 1,
      'd5.infrastructure.formalized': 1,
      'd5.infrastructure.dataSharingAgreementsExecuted': 1,
      'd2.studies.approved': 1,
      'd2.studies.usingStudentRecords': 1,
      'd2.studies.underDataSharingAgreement': 1,
      'd2.studies.started': 1,
      'd2.dataTransfers': 1,
      'd2.findingsShared': 1,
      'd2.jointInterpretations': 1,
      'd2.sharedToInterpretation.count': 1,
      'd2.sharedToInterpretation.days': 14,
      'd3.problemsOfPractice.defined': 1,
      'd3.problemsOfPractice.fromPracticeOrCommunity': 1,
      'd3.researchUses.total': 1,
      'd3.researchUses.byDecisionLevel.district': 1,
      'd3.researchUses.byDecidingSide.practice': 1,
    });
    // formalization (co-leads), workstream leads, agenda, evidence review, tool, revision, interpretation
    expect(doc.jointActivity).toEqual({
      total: 7,
      byQuarter: [{ quarter: '2024-Q1', count: 4 }, { quarter: '2024-Q2', count: 1 }, { quarter: '2025-Q1', count: 1 }, { quarter: '2025-Q2', count: 1 }],
    });
    expect(doc.signalsRaised).toEqual({});
    expect(doc.reflections).toEqual({ count: 0, recent: [], stats: {} });

    const view = effectivenessView(doc, '42', new Date('2025-08-02T00:00:00Z'));
    expect(view.dimensions.map((d) => d.dimension)).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
    const [d1, d2, d3, d4, d5] = view.dimensions.map((d) => d.indicators);
    expect(d1).toEqual({
      reflectionsHeld: 0,
      lastReflectionAt: null,
      brokering: { activities: 0, lastAt: null, byKind: {}, distinctBrokers: 0, activeBrokers: 1 },
      departures: { total: 0, withSuccessor: 0, withoutSuccessor: 0 },
      sidesAtTable: { practice: { organizations: 5, participants: 5 }, research: { organizations: 1, participants: 2 } },
      jointActivity: doc.jointActivity,
      recordingLast90Days: { fromDay: '2025-05-05', toDay: '2025-08-02', attributedEvents: 0, unattributedEvents: 5, bySide: {} },
    });
    expect(d2).toEqual({
      agendasAgreed: 1,
      researchQuestionsAgreed: 2,
      evidenceReviews: 1,
      pilots: { approved: 1, started: 1, concludedByOutcome: { completed: 1 } },
      studies: { approved: 1, started: 1, usingStudentRecords: 1, underDataSharingAgreement: 1 },
      stakeholderInput: { gathered: 1, byMethod: { survey: 1 }, respondentsByCategory: { county_office: 6, practitioner: 38, school: 9, school_district: '<5' } },
      dataTransfers: 1,
      findingsShared: 1,
      jointInterpretations: 1,
      meanDaysFromFindingsToJointInterpretation: 14,
    });
    expect(d3).toEqual({
      problemsOfPractice: { defined: 1, fromPracticeOrCommunity: 1, joint: 0, researchOnly: 0, other: 0 },
      problemsReframed: 0,
      researchUses: { total: 1, byDecisionLevel: { district: 1 }, byDecidingSide: { practice: 1 } },
      practicePartnerReviews: {},
    });
    expect(d4).toEqual({ disseminations: { total: 0, byAudience: {}, byArtifactKind: {}, beyondPartnership: 0 }, toolsShared: 0 });
    expect(d5).toEqual({
      tools: { coDeveloped: 1, coDevelopedWithPractice: 1, revisions: 1, revisionsWithPractice: 1 },
      evidenceTypesUsed: { practitioner_knowledge: 1, research_literature: 1 },
      roleGrowth: { brokerRolesTaken: 0, researchRolesTakenByPractice: 0 },
      infrastructure: { formalized: true, amendments: 0, renewals: 0, dataSharingAgreementsExecuted: 1, dataSharingAgreementsEnded: 0, disposalsCertified: 0 },
      workstreams: { opened: 1, concluded: 0, open: 1 },
    });
    expect(view.dimensions.every((d) => d.ratings.latest === null)).toBe(true);
    expect(JSON.stringify(view)).not.toMatch(/score"\s*:/i);
  });

  it('keeps the reflections by side and dimension: latest by occurrence, history summary, recent list', async () => {
    const log = new TestLog();
    const p = log.partnership();
    p.run([
      ...cleanPartnership(), // reflection 2025-01-15: research d1 4 …, practice d1 3 …
      reflection('2025-04-15', { research: { d1: 5, d3: 2 }, practice: { d1: 2, d3: 5 }, community: { d1: 1 } }),
      // Back-dated: recorded last, occurred first — never the latest.
      reflection('2024-12-01', { research: { d1: 1 }, practice: { d1: 1 } }, { recordedOn: '2025-05-01' }),
    ]);
    const s = await (await spec()).given(log.events);
    const doc = (await s.doc<EffectivenessDoc>(p.partnershipId))!;
    expect(doc.reflections.count).toBe(3);
    expect(doc.reflections.recent.map((r) => r.at.slice(0, 10))).toEqual(['2024-12-01', '2025-01-15', '2025-04-15']);
    const view = effectivenessView(doc, '1', new Date('2025-05-02T00:00:00Z'));
    const d1 = view.dimensions[0]!;
    expect(d1.ratings.latest).toEqual({ at: '2025-04-15T10:00:00.000Z', instrument: 'RPP survey', bySide: { research: 5, practice: 2, community: 1 } });
    expect(d1.ratings.history).toEqual({
      research: { count: 3, mean: 3.3, min: 1, max: 5, first: 1, latest: 5, latestAt: '2025-04-15T10:00:00.000Z' },
      practice: { count: 3, mean: 2, min: 1, max: 3, first: 1, latest: 2, latestAt: '2025-04-15T10:00:00.000Z' },
      community: { count: 1, mean: 1, min: 1, max: 1, first: 1, latest: 1, latestAt: '2025-04-15T10:00:00.000Z' },
    });
    // d2 was last rated in January (the April reflection skipped it).
    expect(view.dimensions[1]!.ratings.latest).toEqual({ at: '2025-01-15T10:00:00.000Z', instrument: 'RPP effectiveness survey', bySide: { research: 4, practice: 3 } });
    expect(view.reflections).toMatchObject({ count: 3, lastAt: '2025-04-15T10:00:00.000Z' });
  });

  it('counts signals raised so far and groups the current ones by dimension', async () => {
    const log = new TestLog();
    const p = log.partnership();
    p.run(SignalScenarios.scenarioFor('TOOL_REVISED_WITHOUT_PRACTICE').commands);
    p.run([cmd('2025-03-01', 'RecordStakeholderInput', { workstreamId: WS, inputId: 'in-2', method: 'survey', respondentCounts: { family_member: 3 } })]);
    const s = await (await spec()).given(log.events);
    const doc = (await s.doc<EffectivenessDoc>(p.partnershipId))!;
    expect(doc.signalsRaised).toEqual({ TOOL_REVISED_WITHOUT_PRACTICE: 1, INPUT_SINGLE_ROLE: 1 });
    const view = effectivenessView(doc, '1', new Date(SignalScenarios.CLEAN_NOW));
    const byDim = Object.fromEntries(view.dimensions.map((d) => [d.dimension, d.signals.map((x) => x.code)]));
    expect(byDim).toEqual({ d1: ['INPUT_SINGLE_ROLE'], d2: ['INPUT_SINGLE_ROLE'], d3: ['TOOL_REVISED_WITHOUT_PRACTICE'], d4: [], d5: ['TOOL_REVISED_WITHOUT_PRACTICE'] });
    expect(view.dimensions[4]!.signalsRaisedSoFar).toEqual([{ code: 'TOOL_REVISED_WITHOUT_PRACTICE', title: 'Tool revised without the practice side', count: 1 }]);
    expect(view.dimensions[4]!.indicators).toMatchObject({ tools: { coDeveloped: 1, coDevelopedWithPractice: 1, revisions: 1, revisionsWithPractice: 0 } });
    expect(view.dimensions[1]!.indicators).toMatchObject({ stakeholderInput: { gathered: 2, respondentsByCategory: { family_member: 9, practitioner: 8 } } });
    expect(view.signals.map((x) => x.code)).toEqual(['INPUT_SINGLE_ROLE', 'TOOL_REVISED_WITHOUT_PRACTICE']);
  });

  it('counts departures, role growth, disseminations and agreement amendments', async () => {
    const log = new TestLog();
    const p = log.partnership();
    p.run([
      ...cleanPartnership(),
      ...SignalScenarios.toFormalStudy(),
      SignalScenarios.steps.shareFindings('2025-03-03'),
      SignalScenarios.steps.interpret('2025-03-10'),
      cmd('2025-03-12', 'DisseminateFindings', { workstreamId: WS, findingsId: `${WS}-findings`, artifactKind: 'tool', audience: 'field', releasedOn: '2025-03-12' }),
      cmd('2025-03-13', 'DisseminateFindings', { workstreamId: WS, findingsId: `${WS}-findings`, artifactKind: 'brief', audience: 'partner_internal', releasedOn: '2025-03-13' }),
      cmd('2025-03-14', 'ChangeParticipantRoles', { participantId: PEOPLE.practitioner, roles: ['practitioner', 'researcher'] }),
      cmd('2025-03-15', 'AmendAgreement', { agreementRef: 'MOU-RIVER', amendmentKind: 'renewal', newTermEnd: '2028-01-01' }),
      cmd('2025-03-16', 'JoinParticipant', { participantId: 'p-3', organizationId: ORG.research, roles: ['researcher'] }),
      cmd('2025-03-17', 'DepartParticipant', { participantId: 'p-3', reason: 'left' }),
    ]);
    const s = await (await spec()).given(log.events);
    const view = effectivenessView((await s.doc<EffectivenessDoc>(p.partnershipId))!, '1', new Date('2025-03-18T00:00:00Z'));
    expect(view.dimensions[0]!.indicators).toMatchObject({ departures: { total: 1, withSuccessor: 0, withoutSuccessor: 1 } });
    expect(view.dimensions[3]!.indicators).toEqual({
      disseminations: { total: 2, byAudience: { field: 1, partner_internal: 1 }, byArtifactKind: { tool: 1, brief: 1 }, beyondPartnership: 1 },
      toolsShared: 1,
    });
    expect(view.dimensions[4]!.indicators).toMatchObject({
      roleGrowth: { brokerRolesTaken: 0, researchRolesTakenByPractice: 1 },
      infrastructure: { formalized: true, amendments: 1, renewals: 1 },
      workstreams: { opened: 1, concluded: 0, open: 1 },
    });
    expect(view.dimensions[2]!.indicators).toMatchObject({ researchUses: { total: 0 } });
  });

  it('gives the same tables whatever the batching (both seed paths, every signal scenario, interleaved)', async () => {
    const log = new TestLog();
    const streams = [
      PartnershipFixtures.seedToolPath(),
      PartnershipFixtures.seedStateAgencyPath(),
      [...cleanPartnership(), reflection('2025-04-15', { research: { d1: 5 } }), reflection('2024-12-01', { practice: { d2: 2 } }, { recordedOn: '2025-05-01' })],
      ...SignalScenarios.allScenarios().map((x) => x.commands),
      // Recorded out of day order (clock skew between writers), attributed to a side.
      [
        ...SignalScenarios.cleanPartnership(),
        ...['2025-03-10', '2025-03-08', '2025-03-10', '2025-03-09'].map((recordedOn, i) => ({
          ...SignalScenarios.cmd('2025-03-01', 'RecordEvidenceReview', { workstreamId: SignalScenarios.WS, reviewId: `skew-${i}`, sources: ['s'], evidenceTypes: ['local_data'], contributorParticipantIds: ['p-res-1'] }, { actorParticipantId: 'p-res-1' }),
          recordedOn,
        })),
      ],
    ].map((commands) => ({ p: log.partnership(), commands: [...commands] }));
    for (let i = 0; streams.some((x) => i < x.commands.length); i += 1) {
      for (const { p, commands } of streams) if (i < commands.length) p.run([commands[i]!]);
    }
    await expectBatchInvariance(effectivenessProjection, db.sql, db.schema, log.events);
  });
});
