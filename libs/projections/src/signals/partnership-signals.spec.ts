/**
 * Every signal: raised, not raised, and — where time matters — on both sides of its threshold.
 * Histories are decided by the real partnership decider (TestLog) and folded into `SignalFacts`.
 */
import type { RecordedEvent } from '@trellis/event-store';
import { TestLog } from '../testing/test-log';
import type { SignalCode } from './signal-catalog';
import { evaluatePartnershipSignals, recordingShares } from './partnership-signals';
import { evolveSignalFacts, initialSignalFacts, recordingDays, SIGNAL_FACTS_LIMITS, stepSignalFacts, type SignalFacts } from './signal-facts';
import { epochDay } from './signal-time';
import { CLEAN_NOW, cleanPartnership, cmd, ORG, PEOPLE, scenarioFor, steps, toFormalStudy, WS, type ScenarioCommand } from '../testing/signal-scenarios';

interface Run {
  facts: SignalFacts;
  events: RecordedEvent[];
  partnershipId: string;
}

function run(commands: readonly ScenarioCommand[]): Run {
  const log = new TestLog();
  const p = log.partnership();
  p.run(commands);
  const facts = log.events.reduce(evolveSignalFacts, initialSignalFacts(p.partnershipId));
  return { facts, events: log.events, partnershipId: p.partnershipId };
}

const at = (iso: string) => new Date(iso.length === 10 ? `${iso}T10:00:00.000Z` : iso);
const signalsOf = (commands: readonly ScenarioCommand[], now: string | Date = CLEAN_NOW) =>
  evaluatePartnershipSignals(run(commands).facts, typeof now === 'string' ? at(now) : now);
const codesOf = (commands: readonly ScenarioCommand[], now: string | Date = CLEAN_NOW) => signalsOf(commands, now).map((s) => s.code);
const only = (code: SignalCode, commands: readonly ScenarioCommand[], now: string | Date = CLEAN_NOW) => signalsOf(commands, now).filter((s) => s.code === code);
/** The event-level signals raised by each event of a history, folded through the facts. */
function raisedBy(commands: readonly ScenarioCommand[]) {
  const { events, partnershipId } = run(commands);
  let facts = initialSignalFacts(partnershipId);
  const raised: Array<{ code: SignalCode; eventType: string; eventId?: string }> = [];
  for (const e of events) {
    const step = stepSignalFacts(facts, e);
    facts = step.facts;
    raised.push(...step.raised.map((s) => ({ code: s.code, eventType: e.type, ...(s.eventId ? { eventId: s.eventId } : {}) })));
  }
  return raised;
}

const clean = cleanPartnership;
const conclude = (on = '2025-03-20') => cmd(on, 'TransitionPhase', { workstreamId: WS, toPhase: 'concluded', reason: 'Stopped early' });

describe('PROBLEM_FROM_RESEARCH_ONLY', () => {
  const { commands } = scenarioFor('PROBLEM_FROM_RESEARCH_ONLY');

  it('is raised when every proposer acts for a research-side organization, at the definition', () => {
    const { facts, events } = run(commands);
    const defined = events.find((e) => e.type === 'ProblemOfPracticeDefined' && e.data['problemId'] === 'prob-research')!;
    expect(evaluatePartnershipSignals(facts, at(CLEAN_NOW)).filter((s) => s.code === 'PROBLEM_FROM_RESEARCH_ONLY')).toEqual([
      {
        code: 'PROBLEM_FROM_RESEARCH_ONLY',
        title: 'Problem of practice proposed by the research side only',
        dimensions: ['d3', 'd1'],
        eventId: defined.eventId,
        position: defined.position.toString(),
        workstreamId: WS,
        phase: 'problem_framing',
        subjects: { problemId: 'prob-research' },
        raisedAt: '2025-02-03T10:00:00.000Z',
      },
    ]);
  });

  it('is not raised when a practitioner is among the proposers, or the practice side proposed alone', () => {
    const mixed = [
      ...clean(),
      cmd('2025-02-03', 'DefineProblemOfPractice', {
        workstreamId: WS,
        problemId: 'prob-mixed',
        statement: 's',
        proposedByParticipantIds: [PEOPLE.researcher, PEOPLE.practitioner],
        intendedUse: 'u',
      }),
    ];
    expect(codesOf(mixed)).not.toContain('PROBLEM_FROM_RESEARCH_ONLY');
    expect(codesOf(clean())).not.toContain('PROBLEM_FROM_RESEARCH_ONLY');
  });

  it('is no longer current once its workstream is concluded', () => {
    expect(codesOf([...commands, conclude()])).not.toContain('PROBLEM_FROM_RESEARCH_ONLY');
  });
});

describe('NO_RECOGNISED_BROKER', () => {
  it('is raised at the role change that removed the last broker, and current afterwards', () => {
    const { commands } = scenarioFor('NO_RECOGNISED_BROKER');
    expect(raisedBy(commands).filter((r) => r.code === 'NO_RECOGNISED_BROKER').map((r) => r.eventType)).toEqual(['ParticipantRolesChanged']);
    expect(codesOf(commands)).toContain('NO_RECOGNISED_BROKER');
  });

  it('is raised when the last broker departs, or the broker\'s organization withdraws', () => {
    const departs = [...clean(), cmd('2025-02-03', 'DepartParticipant', { participantId: PEOPLE.broker, reason: 'moved', successorParticipantId: PEOPLE.practitioner })];
    expect(raisedBy(departs).map((r) => r.code)).toContain('NO_RECOGNISED_BROKER');
    expect(codesOf(departs)).toContain('NO_RECOGNISED_BROKER');
    const withdraws = [...clean(), cmd('2025-02-03', 'WithdrawOrganization', { organizationId: ORG.practice, reason: 'budget' })];
    expect(raisedBy(withdraws).filter((r) => r.code === 'NO_RECOGNISED_BROKER').map((r) => r.eventType)).toEqual(['OrganizationWithdrew']);
    expect(codesOf(withdraws)).toContain('NO_RECOGNISED_BROKER');
  });

  it('is not raised while another active participant holds the broker role', () => {
    const history = [
      ...clean(),
      cmd('2025-02-01', 'ChangeParticipantRoles', { participantId: PEOPLE.analyst, roles: ['researcher', 'broker'] }),
      cmd('2025-02-03', 'ChangeParticipantRoles', { participantId: PEOPLE.broker, roles: ['practitioner'] }),
    ];
    expect(raisedBy(history).map((r) => r.code)).not.toContain('NO_RECOGNISED_BROKER');
    expect(codesOf(history)).not.toContain('NO_RECOGNISED_BROKER');
    expect(codesOf(clean())).not.toContain('NO_RECOGNISED_BROKER');
  });
});

describe('NO_BROKERING_180_DAYS', () => {
  // The clean history's last brokering activity occurred 2025-01-20T10:00Z.
  it('is raised 181 days after the last brokering, not 179 or exactly 180 days after', () => {
    expect(codesOf(clean(), '2025-07-18')).not.toContain('NO_BROKERING_180_DAYS'); // 179 days
    expect(codesOf(clean(), '2025-07-19')).not.toContain('NO_BROKERING_180_DAYS'); // 180 days
    const [signal] = only('NO_BROKERING_180_DAYS', clean(), '2025-07-20'); // 181 days
    expect(signal).toMatchObject({ raisedAt: '2025-07-19T10:00:00.000Z', details: { days: 181, since: '2025-01-20T10:00:00.000Z', everBrokered: true } });
  });

  it('counts from the proposal when there never was any brokering', () => {
    const never = clean().filter((c) => c.type !== 'RecordBrokeringActivity'); // proposed 2025-01-06
    expect(codesOf(never, '2025-07-04')).not.toContain('NO_BROKERING_180_DAYS'); // 179 days
    expect(only('NO_BROKERING_180_DAYS', never, '2025-07-06')[0]?.details).toMatchObject({ everBrokered: false }); // 181 days
  });

  it('restarts the clock at a new brokering activity', () => {
    const again = [
      ...clean(),
      cmd('2025-07-01', 'RecordBrokeringActivity', { brokerParticipantId: PEOPLE.broker, fromOrganizationId: ORG.research, toOrganizationId: ORG.practice, activityKind: 'translate_research' }),
    ];
    expect(codesOf(again, '2025-07-20')).not.toContain('NO_BROKERING_180_DAYS');
  });
});

describe('PHASE_WITHOUT_PRACTICE', () => {
  const { commands } = scenarioFor('PHASE_WITHOUT_PRACTICE');

  it('is raised when a workstream leaves a phase occurrence in which no practitioner was present', () => {
    const signals = only('PHASE_WITHOUT_PRACTICE', commands);
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ workstreamId: WS, phase: 'evidence_review', details: { toPhase: 'problem_framing', collaborative: false, rolesPresent: ['researcher'], sidesPresent: ['research'] } });
    expect(raisedBy(commands).filter((r) => r.code === 'PHASE_WITHOUT_PRACTICE').map((r) => r.eventType)).toEqual(['PhaseTransitioned']);
  });

  it('is not raised when a practitioner contributed, recorded an event, or a practice-side organization took part', () => {
    const withPractitioner = commands.map((c) =>
      c.type === 'RecordEvidenceReview' ? { ...c, data: { ...c.data, contributorParticipantIds: [PEOPLE.researcher, PEOPLE.practitioner] } } : c,
    );
    expect(codesOf(withPractitioner)).not.toContain('PHASE_WITHOUT_PRACTICE');
    const recordedByPractice = commands.map((c) => (c.type === 'RecordEvidenceReview' ? { ...c, actorParticipantId: PEOPLE.practitioner } : c));
    expect(codesOf(recordedByPractice)).not.toContain('PHASE_WITHOUT_PRACTICE');
    const practiceOrgRecorded = commands.map((c) => (c.type === 'TransitionPhase' ? { ...c, organizationId: ORG.practice } : c));
    expect(codesOf(practiceOrgRecorded)).not.toContain('PHASE_WITHOUT_PRACTICE');
  });

  it('counts practitioners among the respondents of stakeholder input', () => {
    const withInput = [
      ...commands.slice(0, -1),
      cmd('2025-02-12', 'RecordStakeholderInput', { workstreamId: WS, inputId: 'in-1', method: 'survey', respondentCounts: { practitioner: 20, school: 3 } }),
      commands[commands.length - 1]!,
    ];
    expect(codesOf(withInput)).not.toContain('PHASE_WITHOUT_PRACTICE');
  });

  it('asks for a community member in a community research collaborative', () => {
    const crc = [
      ...clean({ types: ['community_research_collaborative'] }),
      cmd('2025-01-08', 'JoinOrganization', { organizationId: ORG.community, name: 'Families United', orgType: 'community_organization', side: 'community' }),
      cmd('2025-01-08', 'JoinParticipant', { participantId: 'p-cm', organizationId: ORG.community, roles: ['community_member'] }),
      ...commands.slice(clean().length).map((c) =>
        c.type === 'RecordEvidenceReview' ? { ...c, data: { ...c.data, contributorParticipantIds: [PEOPLE.researcher, PEOPLE.practitioner] } } : c,
      ),
    ];
    // A practitioner was there, but no community member: in a collaborative that is the signal.
    const phasesFlagged = (history: readonly ScenarioCommand[]) => only('PHASE_WITHOUT_PRACTICE', history).map((s) => s.phase);
    expect(only('PHASE_WITHOUT_PRACTICE', crc).find((s) => s.phase === 'evidence_review')).toMatchObject({ details: { collaborative: true } });
    const withCommunity = crc.map((c) =>
      c.type === 'RecordEvidenceReview' ? { ...c, data: { ...c.data, contributorParticipantIds: [PEOPLE.researcher, 'p-cm'] } } : c,
    );
    expect(phasesFlagged(crc)).toContain('evidence_review');
    expect(phasesFlagged(withCommunity)).not.toContain('evidence_review');
  });

  it('is not raised for a phase still in progress, nor the seed-like forward path with practitioners throughout', () => {
    expect(codesOf(commands.slice(0, -1))).not.toContain('PHASE_WITHOUT_PRACTICE');
    expect(codesOf([...clean(), ...toFormalStudy(), steps.shareFindings('2025-03-03'), steps.interpret('2025-03-10')])).not.toContain('PHASE_WITHOUT_PRACTICE');
  });
});

describe('FAMILIES_COMMUNITY_ABSENT', () => {
  it('is raised in an equity-focused partnership (a problem with a community goal) when no family or community member was ever present', () => {
    expect(only('FAMILIES_COMMUNITY_ABSENT', scenarioFor('FAMILIES_COMMUNITY_ABSENT').commands)[0]).toMatchObject({ details: { workstreamsOpened: 1 } });
  });

  it('is raised for a community research collaborative or a community-initiated partnership', () => {
    expect(codesOf(clean({ types: ['community_research_collaborative'] }))).toContain('FAMILIES_COMMUNITY_ABSENT');
    expect(codesOf(clean({ initiationMode: 'community' }))).toContain('FAMILIES_COMMUNITY_ABSENT');
  });

  it('is not raised in a partnership without an equity focus', () => {
    expect(codesOf(clean())).not.toContain('FAMILIES_COMMUNITY_ABSENT');
  });

  it('is not raised once families were present in some phase (as respondents or named), nor before any workstream', () => {
    const { commands } = scenarioFor('FAMILIES_COMMUNITY_ABSENT');
    const families = [...commands, cmd('2025-02-10', 'RecordStakeholderInput', { workstreamId: WS, inputId: 'in-fam', method: 'convening', respondentCounts: { family_member: 30 } })];
    expect(codesOf(families)).not.toContain('FAMILIES_COMMUNITY_ABSENT');
    const community = [
      ...commands,
      cmd('2025-02-08', 'JoinOrganization', { organizationId: ORG.community, name: 'Families United', orgType: 'community_organization', side: 'community' }),
      cmd('2025-02-08', 'JoinParticipant', { participantId: 'p-cm', organizationId: ORG.community, roles: ['community_member'] }),
      cmd('2025-02-08', 'JoinParticipant', { participantId: 'p-cm2', organizationId: ORG.community, roles: ['family_member'] }),
      cmd('2025-02-10', 'AgreeResearchAgenda', { workstreamId: WS, agendaId: 'a', researchQuestions: [{ questionId: 'q', text: 't' }], agreedByParticipantIds: [PEOPLE.researcher, 'p-cm'] }),
    ];
    expect(codesOf(community)).not.toContain('FAMILIES_COMMUNITY_ABSENT');
    const noWorkstream = clean({ types: ['community_research_collaborative'] }).filter((c) => c.type !== 'OpenWorkstream' && c.type !== 'DefineProblemOfPractice');
    expect(codesOf(noWorkstream)).not.toContain('FAMILIES_COMMUNITY_ABSENT');
  });
});

describe('INPUT_SINGLE_ROLE', () => {
  const input = (respondentCounts: Record<string, number>) => [
    ...clean(),
    cmd('2025-02-03', 'RecordStakeholderInput', { workstreamId: WS, inputId: 'in-1', method: 'survey', respondentCounts }),
  ];

  it('is raised when every respondent is of one category (zero counts do not count)', () => {
    expect(only('INPUT_SINGLE_ROLE', input({ practitioner: 12 }))[0]).toMatchObject({ subjects: { inputId: 'in-1' }, details: { categories: ['practitioner'] }, workstreamId: WS });
    expect(codesOf(input({ practitioner: 12, family_member: 0 }))).toContain('INPUT_SINGLE_ROLE');
  });

  it('is not raised for respondents of two roles, or a role and an organization type', () => {
    expect(codesOf(input({ practitioner: 12, family_member: 4 }))).not.toContain('INPUT_SINGLE_ROLE');
    expect(codesOf(input({ LEA: 14, practitioner: 31 }))).not.toContain('INPUT_SINGLE_ROLE');
  });
});

describe('DISSEMINATED_BEFORE_INTERPRETATION', () => {
  const { commands } = scenarioFor('DISSEMINATED_BEFORE_INTERPRETATION');
  const disseminate = (audience: 'public' | 'partner_internal', releasedOn = '2025-03-20') =>
    cmd(releasedOn, 'DisseminateFindings', { workstreamId: WS, findingsId: `${WS}-findings`, artifactKind: 'brief', audience, releasedOn });
  const shared = [...clean(), ...toFormalStudy(), steps.shareFindings('2025-03-03')];

  it('is raised when findings go beyond the partnership before any joint interpretation', () => {
    expect(only('DISSEMINATED_BEFORE_INTERPRETATION', commands)[0]).toMatchObject({
      subjects: { findingsId: `${WS}-findings` },
      details: { audience: 'public', releasedOn: '2025-03-05' },
      phase: 'joint_interpretation',
    });
  });

  it('is not raised after a joint interpretation, nor for a partner-internal release', () => {
    expect(codesOf([...shared, steps.interpret('2025-03-10'), disseminate('public')])).not.toContain('DISSEMINATED_BEFORE_INTERPRETATION');
    expect(codesOf([...shared, disseminate('partner_internal')])).not.toContain('DISSEMINATED_BEFORE_INTERPRETATION');
  });

  it('is withdrawn when a session held on or before the release is recorded later (back-dated)', () => {
    const backdated = [...shared, disseminate('public', '2025-03-20'), { ...steps.interpret('2025-03-12'), recordedOn: '2025-03-25' }];
    expect(codesOf(backdated)).not.toContain('DISSEMINATED_BEFORE_INTERPRETATION');
    const after = [...shared, disseminate('public', '2025-03-20'), steps.interpret('2025-03-24')];
    expect(codesOf(after)).toContain('DISSEMINATED_BEFORE_INTERPRETATION');
  });
});

describe('SINGLE_POINT_OF_CONTACT', () => {
  it('is raised for an organization with exactly one active participant, at the departure that left one', () => {
    const { commands } = scenarioFor('SINGLE_POINT_OF_CONTACT');
    expect(only('SINGLE_POINT_OF_CONTACT', commands).map((s) => s.subjects)).toEqual([{ organizationId: ORG.research, participantId: PEOPLE.researcher }]);
    expect(raisedBy(commands).filter((r) => r.code === 'SINGLE_POINT_OF_CONTACT').map((r) => r.eventType)).toEqual(['ParticipantDeparted']);
  });

  it('is not raised for organizations with two or more active participants, with none, or that withdrew', () => {
    expect(codesOf(clean())).not.toContain('SINGLE_POINT_OF_CONTACT');
    const empty = [...clean(), cmd('2025-02-01', 'JoinOrganization', { organizationId: 'org-empty', name: 'School', orgType: 'school', side: 'practice' })];
    expect(codesOf(empty)).not.toContain('SINGLE_POINT_OF_CONTACT');
    const withdrawn = [
      ...clean(),
      cmd('2025-02-01', 'JoinOrganization', { organizationId: 'org-x', name: 'Coalition', orgType: 'intermediary_network', side: 'intermediary' }),
      cmd('2025-02-01', 'JoinParticipant', { participantId: 'p-x', organizationId: 'org-x', roles: ['coordinator'] }),
      cmd('2025-02-05', 'WithdrawOrganization', { organizationId: 'org-x', reason: 'merged' }),
    ];
    expect(codesOf(withdrawn)).not.toContain('SINGLE_POINT_OF_CONTACT');
    expect(codesOf(withdrawn.slice(0, -1))).toContain('SINGLE_POINT_OF_CONTACT');
  });
});

describe('DEPARTURE_WITHOUT_SUCCESSOR', () => {
  const { commands } = scenarioFor('DEPARTURE_WITHOUT_SUCCESSOR'); // departed 2025-02-03T10:00Z

  it('is raised 31 days after a departure without successor, not 29 or exactly 30 days after', () => {
    expect(codesOf(commands, '2025-03-04')).not.toContain('DEPARTURE_WITHOUT_SUCCESSOR');
    expect(codesOf(commands, '2025-03-05')).not.toContain('DEPARTURE_WITHOUT_SUCCESSOR');
    expect(only('DEPARTURE_WITHOUT_SUCCESSOR', commands, '2025-03-06')[0]).toMatchObject({
      subjects: { organizationId: ORG.practice, participantId: PEOPLE.newcomer },
      raisedAt: '2025-03-05T10:00:00.000Z',
      details: { days: 31, departedAt: '2025-02-03T10:00:00.000Z' },
    });
  });

  it('is not raised when a successor was named, someone joined the organization since, or it withdrew', () => {
    const named = commands.map((c) => (c.type === 'DepartParticipant' ? { ...c, data: { ...c.data, successorParticipantId: PEOPLE.practitioner } } : c));
    expect(codesOf(named, '2025-03-06')).not.toContain('DEPARTURE_WITHOUT_SUCCESSOR');
    const joined = [...commands, cmd('2025-02-20', 'JoinParticipant', { participantId: 'p-new', organizationId: ORG.practice, roles: ['practitioner'] })];
    expect(codesOf(joined, '2025-03-06')).not.toContain('DEPARTURE_WITHOUT_SUCCESSOR');
    const withdrew = [...commands, cmd('2025-02-20', 'WithdrawOrganization', { organizationId: ORG.practice, reason: 'left' })];
    expect(codesOf(withdrew, '2025-03-06')).not.toContain('DEPARTURE_WITHOUT_SUCCESSOR');
  });
});

describe('TOOL_REVISED_WITHOUT_PRACTICE', () => {
  const { commands } = scenarioFor('TOOL_REVISED_WITHOUT_PRACTICE');

  it('is raised when nobody from the practice side revised the tool', () => {
    expect(only('TOOL_REVISED_WITHOUT_PRACTICE', commands)[0]).toMatchObject({ subjects: { toolId: 'tool-routines' }, details: { version: 2 }, phase: 'co_design' });
  });

  it('is not raised when a practitioner revised it with the researchers', () => {
    const withPractice = commands.map((c) => (c.type === 'ReviseTool' ? { ...c, data: { ...c.data, revisedWithParticipantIds: [PEOPLE.researcher, PEOPLE.practitioner] } } : c));
    expect(codesOf(withPractice)).not.toContain('TOOL_REVISED_WITHOUT_PRACTICE');
  });

  it('lets a community-side reviser stand for practice only in a collaborative', () => {
    const withCommunity = (types: Array<'community_research_collaborative' | 'design_research_partnership'>) => [
      ...clean({ types }),
      cmd('2025-01-08', 'JoinOrganization', { organizationId: ORG.community, name: 'Families United', orgType: 'community_organization', side: 'community' }),
      cmd('2025-01-08', 'JoinParticipant', { participantId: 'p-cm', organizationId: ORG.community, roles: ['community_member'] }),
      ...commands.slice(clean().length).map((c) => (c.type === 'ReviseTool' ? { ...c, data: { ...c.data, revisedWithParticipantIds: [PEOPLE.researcher, 'p-cm'] } } : c)),
    ];
    expect(codesOf(withCommunity(['community_research_collaborative']))).not.toContain('TOOL_REVISED_WITHOUT_PRACTICE');
    expect(codesOf(withCommunity(['design_research_partnership']))).toContain('TOOL_REVISED_WITHOUT_PRACTICE');
  });
});

describe('NO_REFLECTION_12_MONTHS', () => {
  // The clean history's reflection occurred 2025-01-15T10:00Z.
  it('is raised a day after 12 months, not a day before', () => {
    expect(codesOf(clean(), '2026-01-14')).not.toContain('NO_REFLECTION_12_MONTHS');
    expect(only('NO_REFLECTION_12_MONTHS', clean(), '2026-01-16')[0]).toMatchObject({ raisedAt: '2026-01-15T10:00:00.000Z', details: { everReflected: true } });
  });

  it('counts from the proposal when there never was a reflection', () => {
    const never = clean().filter((c) => c.type !== 'RecordReflection'); // proposed 2025-01-06
    expect(codesOf(never, '2026-01-05')).not.toContain('NO_REFLECTION_12_MONTHS');
    expect(only('NO_REFLECTION_12_MONTHS', never, '2026-01-07')[0]?.details).toMatchObject({ everReflected: false });
  });
});

describe('RECORDING_DOMINATED_BY_ONE_SIDE', () => {
  const review = (on: string, i: number, by: { actorParticipantId?: string; organizationId?: string }) =>
    cmd(on, 'RecordEvidenceReview', { workstreamId: WS, reviewId: `r-${on}-${i}`, sources: ['s'], evidenceTypes: ['local_data'], contributorParticipantIds: [PEOPLE.researcher] }, by);
  const research = { actorParticipantId: PEOPLE.researcher };
  const practice = { actorParticipantId: PEOPLE.practitioner };
  const many = (n: number, on: string, by: { actorParticipantId?: string; organizationId?: string }) => Array.from({ length: n }, (_, i) => review(on, i, by));

  it('is raised when one side recorded more than 80% of the attributable events of the last 90 days', () => {
    expect(only('RECORDING_DOMINATED_BY_ONE_SIDE', scenarioFor('RECORDING_DOMINATED_BY_ONE_SIDE').commands)[0]).toMatchObject({
      details: { side: 'research', share: 1, events: 6, fromDay: '2025-01-02', toDay: '2025-04-01' },
    });
    expect(only('RECORDING_DOMINATED_BY_ONE_SIDE', [...clean(), ...many(9, '2025-03-10', research), ...many(1, '2025-03-11', practice)])[0]?.details).toMatchObject({ share: 0.9 });
  });

  it('is not raised at exactly 80%, or with fewer than 5 attributable events', () => {
    expect(codesOf([...clean(), ...many(8, '2025-03-10', research), ...many(2, '2025-03-11', practice)])).not.toContain('RECORDING_DOMINATED_BY_ONE_SIDE');
    expect(codesOf([...clean(), ...many(4, '2025-03-10', research)])).not.toContain('RECORDING_DOMINATED_BY_ONE_SIDE');
  });

  it('attributes by the recording key\'s organization when no participant is named', () => {
    expect(only('RECORDING_DOMINATED_BY_ONE_SIDE', [...clean(), ...many(5, '2025-03-10', { organizationId: ORG.practice })])[0]?.details).toMatchObject({ side: 'practice' });
  });

  it('looks at the 90 days ending today: an event 89 days old counts, one 91 days old does not', () => {
    const now = '2025-05-01T12:00:00.000Z'; // window 2025-02-01 … 2025-05-01
    const recent = many(4, '2025-04-20', research);
    expect(codesOf([...clean(), review('2025-02-01', 99, research), ...recent], now)).toContain('RECORDING_DOMINATED_BY_ONE_SIDE'); // 89 days
    expect(codesOf([...clean(), review('2025-01-30', 99, research), ...recent], now)).not.toContain('RECORDING_DOMINATED_BY_ONE_SIDE'); // 91 days
  });

  it('counts by recorded day (back-dated events count when they were recorded)', () => {
    const backdated = many(5, '2024-12-01', research).map((c) => ({ ...c, on: '2025-01-08', recordedOn: '2025-03-10' }));
    const { facts } = run([...clean(), ...backdated]);
    expect(recordingShares(facts, at(CLEAN_NOW))).toMatchObject({ total: 5, bySide: { research: 5 }, dominantSide: 'research' });
  });
});

describe('INTERPRETATION_WITHOUT_USE', () => {
  const { commands } = scenarioFor('INTERPRETATION_WITHOUT_USE'); // session 2025-03-10
  const use = (evidenceIds: string[], workstreamId = WS) =>
    cmd('2025-04-01', 'RecordResearchUse', { workstreamId, useId: 'use-1', decisionSummary: 'Adopt', decisionLevel: 'district', decidingOrganizationId: ORG.practice, evidenceIds });

  it('is raised 121 days after the joint interpretation, not 119 or exactly 120 days after', () => {
    expect(codesOf(commands, '2025-07-07T00:00:00.000Z')).not.toContain('INTERPRETATION_WITHOUT_USE');
    expect(codesOf(commands, '2025-07-08T00:00:00.000Z')).not.toContain('INTERPRETATION_WITHOUT_USE');
    expect(only('INTERPRETATION_WITHOUT_USE', commands, '2025-07-09T00:00:00.000Z')[0]).toMatchObject({
      subjects: { findingsId: `${WS}-findings` },
      workstreamId: WS,
      raisedAt: '2025-07-08T00:00:00.000Z',
      details: { days: 121, sessionOn: '2025-03-10' },
    });
  });

  it('is not raised when a research use cites the findings, or is recorded in their workstream', () => {
    expect(codesOf([...commands, use([`${WS}-findings`])], '2025-08-01')).not.toContain('INTERPRETATION_WITHOUT_USE');
    const input = cmd('2025-03-20', 'RecordStakeholderInput', { workstreamId: WS, inputId: 'in-x', method: 'survey', respondentCounts: { practitioner: 9, school: 2 } });
    expect(codesOf([...commands, input, use(['in-x'])], '2025-08-01')).not.toContain('INTERPRETATION_WITHOUT_USE');
    expect(codesOf([...commands, input], '2025-08-01')).toContain('INTERPRETATION_WITHOUT_USE');
  });
});

describe('PHASE_SKIPPED_EVIDENCE_REVIEW', () => {
  const { commands } = scenarioFor('PHASE_SKIPPED_EVIDENCE_REVIEW');

  it('is raised by the skip problem_framing → co_design', () => {
    expect(only('PHASE_SKIPPED_EVIDENCE_REVIEW', commands)[0]).toMatchObject({ workstreamId: WS, phase: 'problem_framing', details: { toPhase: 'co_design' } });
  });

  it('is not raised on the forward path through evidence_review, nor once the workstream is concluded', () => {
    expect(codesOf([...clean(), ...toFormalStudy()])).not.toContain('PHASE_SKIPPED_EVIDENCE_REVIEW');
    expect(codesOf([...commands, conclude()])).not.toContain('PHASE_SKIPPED_EVIDENCE_REVIEW');
  });
});

describe('current signals in general', () => {
  it('are none for a closed or abandoned partnership', () => {
    const abandoned = [...clean().filter((c) => c.type !== 'FormalizePartnership'), cmd('2025-02-03', 'AbandonPartnership', { reason: 'no funding' })];
    const { facts } = run(abandoned);
    expect(facts.status).toBe('abandoned');
    expect(evaluatePartnershipSignals(facts, at('2027-01-01'))).toEqual([]);
  });

  it('come in catalog order, each with its title and dimensions', () => {
    const signals = signalsOf(clean(), '2026-06-01');
    expect(signals.map((s) => s.code)).toEqual(['NO_BROKERING_180_DAYS', 'NO_REFLECTION_12_MONTHS']);
    expect(signals.every((s) => s.title.length > 0 && s.dimensions.length > 0)).toBe(true);
  });
});

describe('facts stay bounded', () => {
  it('caps the flags of open workstreams and drops recording days older than 120 days', () => {
    const inputs = Array.from({ length: 60 }, (_, i) =>
      cmd(`2025-${String(2 + Math.floor(i / 28)).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`, 'RecordStakeholderInput', {
        workstreamId: WS,
        inputId: `in-${i}`,
        method: 'survey',
        respondentCounts: { practitioner: 3 },
      }),
    );
    const { facts } = run([...clean(), ...inputs]);
    expect(facts.flags).toHaveLength(SIGNAL_FACTS_LIMITS.flags);
    expect(facts.flags[facts.flags.length - 1]?.subjects).toEqual({ inputId: 'in-59' });
    const days = recordingDays(facts).map((d) => d[0]);
    expect(days[0]! >= epochDay('2024-12-01')).toBe(true);
    expect([...days].sort((a, b) => a - b)).toEqual(days);
    const later = run([...clean(), cmd('2025-09-01', 'RecordReflection', { instrument: 'i', ratings: {}, actionsAgreed: [] })]).facts;
    expect(recordingDays(later).map((d) => d[0])).toEqual([epochDay('2025-09-01')]);
  });

  it('counts an event recorded out of day order (clock skew) on its own day', () => {
    const review = (on: string, recordedOn: string, i: number) =>
      cmd(on, 'RecordEvidenceReview', { workstreamId: WS, reviewId: `skew-${i}`, sources: ['s'], evidenceTypes: ['local_data'], contributorParticipantIds: [PEOPLE.researcher] }, { actorParticipantId: PEOPLE.researcher, recordedOn });
    const { facts } = run([...clean(), review('2025-03-01', '2025-03-10', 1), review('2025-03-01', '2025-03-08', 2), review('2025-03-01', '2025-03-10', 3), review('2025-03-01', '2025-03-09', 4)]);
    const research = (day: string) => recordingDays(facts).find((d) => d[0] === epochDay(day))?.[1];
    expect([research('2025-03-08'), research('2025-03-09'), research('2025-03-10')]).toEqual([1, 1, 2]);
    expect(recordingDays(facts).map((d) => d[0])).toEqual([...recordingDays(facts).map((d) => d[0])].sort((a, b) => a - b));
  });

  it('forgets a departed participant but keeps the departure', () => {
    const { facts } = run(scenarioFor('DEPARTURE_WITHOUT_SUCCESSOR').commands);
    expect(Object.keys(facts.participants)).not.toContain(PEOPLE.newcomer);
    expect(facts.departures.map((d) => d.participantId)).toEqual([PEOPLE.newcomer]);
  });
});
