/**
 * Command histories that raise each signal, for specifications of the signal rules and of every
 * read model that shows signals (summary list, effectiveness view, timeline). Plain data: run them
 * with `TestLog` (`@trellis/projections/testing`): `log.partnership().run(scenario.commands)`, then
 * evaluate at `new Date(scenario.now)`. No test-runner globals, so importing it is safe.
 *
 * `cleanPartnership()` raises no current signal at `CLEAN_NOW`: two organizations with two active
 * participants each, a recognised broker who brokered recently, a recent reflection, a workstream
 * whose problem the practice side proposed — and no recorder attribution (no recording share).
 */
import type { PartnershipCommandDataMap, PartnershipCommandType } from '@trellis/domain';
import { SIGNAL_CODES, type SignalCode } from '../signals/signal-catalog';

export interface ScenarioCommand {
  readonly type: PartnershipCommandType;
  readonly data: object;
  /** `YYYY-MM-DD` (10:00 UTC) or an ISO date-time. */
  readonly on: string;
  readonly recordedOn?: string;
  readonly actorParticipantId?: string;
  readonly organizationId?: string;
}

export interface SignalScenario {
  readonly code: SignalCode;
  readonly description: string;
  readonly commands: readonly ScenarioCommand[];
  /** Evaluate the current signals at this instant. */
  readonly now: string;
}

export const ORG = { research: 'org-univ', practice: 'org-district', community: 'org-families' } as const;
export const PEOPLE = {
  researcher: 'p-res-1',
  analyst: 'p-res-2',
  practitioner: 'p-prac-1',
  broker: 'p-broker',
  newcomer: 'p-prac-2',
} as const;
export const WS = 'ws-main';
export const CLEAN_NOW = '2025-04-01T12:00:00.000Z';

export const cmd = <T extends PartnershipCommandType>(
  on: string,
  type: T,
  data: PartnershipCommandDataMap[T],
  extra: Partial<Pick<ScenarioCommand, 'recordedOn' | 'actorParticipantId' | 'organizationId'>> = {},
): ScenarioCommand => ({ type, data, on, ...extra });

export function cleanPartnership(overrides: Partial<PartnershipCommandDataMap['ProposePartnership']> = {}): ScenarioCommand[] {
  return [
    cmd('2025-01-06', 'ProposePartnership', {
      name: 'Riverside reading partnership',
      initiationMode: 'agency',
      focus: 'early reading',
      types: ['design_research_partnership'],
      ...overrides,
    }),
    cmd('2025-01-06', 'JoinOrganization', { organizationId: ORG.practice, name: 'Riverside USD', orgType: 'school_district', side: 'practice' }),
    cmd('2025-01-06', 'JoinOrganization', { organizationId: ORG.research, name: 'Riverside University', orgType: 'research_organization', side: 'research' }),
    cmd('2025-01-07', 'JoinParticipant', { participantId: PEOPLE.researcher, organizationId: ORG.research, roles: ['researcher'] }),
    cmd('2025-01-07', 'JoinParticipant', { participantId: PEOPLE.analyst, organizationId: ORG.research, roles: ['researcher'] }),
    cmd('2025-01-07', 'JoinParticipant', { participantId: PEOPLE.practitioner, organizationId: ORG.practice, roles: ['practitioner'] }),
    cmd('2025-01-07', 'JoinParticipant', { participantId: PEOPLE.broker, organizationId: ORG.practice, roles: ['practitioner', 'broker'] }),
    cmd('2025-01-10', 'FormalizePartnership', {
      agreementRef: 'MOU-RIVER',
      partyOrganizationIds: [ORG.practice, ORG.research],
      coLeadParticipantIds: [PEOPLE.researcher, PEOPLE.practitioner],
      effectiveFrom: '2025-01-10',
    }),
    cmd('2025-01-13', 'OpenWorkstream', { workstreamId: WS, title: 'Reading routines', leadParticipantIds: [PEOPLE.researcher, PEOPLE.practitioner] }),
    cmd('2025-01-14', 'DefineProblemOfPractice', {
      workstreamId: WS,
      problemId: 'prob-main',
      statement: 'Second graders lose reading fluency over the summer',
      proposedByParticipantIds: [PEOPLE.practitioner],
      intendedUse: 'Choose summer reading routines',
    }),
    cmd('2025-01-15', 'RecordReflection', {
      instrument: 'RPP effectiveness survey',
      ratings: { research: { d1: 4, d2: 4, d3: 3, d4: 2, d5: 3 }, practice: { d1: 3, d2: 3, d3: 4, d4: 2, d5: 3 } },
      actionsAgreed: ['Meet monthly'],
    }),
    cmd('2025-01-20', 'RecordBrokeringActivity', {
      brokerParticipantId: PEOPLE.broker,
      fromOrganizationId: ORG.practice,
      toOrganizationId: ORG.research,
      activityKind: 'connect',
    }),
  ];
}

/** The agenda agreed jointly (→ evidence_review) and a study approved by the district (→ formal_study), started. */
export function toFormalStudy(ws = WS, from = '2025-02-03'): ScenarioCommand[] {
  return [
    cmd(from, 'AgreeResearchAgenda', {
      workstreamId: ws,
      agendaId: `${ws}-agenda`,
      researchQuestions: [{ questionId: `${ws}-q1`, text: 'Which routines sustain fluency?' }],
      agreedByParticipantIds: [PEOPLE.researcher, PEOPLE.practitioner],
    }),
    cmd(from, 'ApproveFormalStudy', {
      workstreamId: ws,
      studyId: `${ws}-study`,
      questionIds: [`${ws}-q1`],
      design: 'comparison of schools',
      siteOrganizationIds: [ORG.practice],
      approvals: [{ organizationId: ORG.practice, kind: 'district_research_office', ref: 'DRO-1' }],
      usesStudentRecords: false,
    }),
    cmd(from, 'StartFormalStudy', { workstreamId: ws, studyId: `${ws}-study`, startedOn: from }),
  ];
}

const shareFindings = (on: string, ws = WS): ScenarioCommand =>
  cmd(on, 'SharePreliminaryFindings', { workstreamId: ws, findingsId: `${ws}-findings`, sourceId: `${ws}-study`, sharedWithOrganizationIds: [ORG.practice] });

const interpret = (on: string, ws = WS): ScenarioCommand =>
  cmd(on, 'InterpretFindingsJointly', {
    workstreamId: ws,
    findingsId: `${ws}-findings`,
    sessionOn: on,
    attendeeParticipantIds: [PEOPLE.researcher, PEOPLE.practitioner],
    followUpQuestions: [],
    agreedImplications: ['Keep the routines'],
  });

const SCENARIOS: Record<SignalCode, () => SignalScenario> = {
  PROBLEM_FROM_RESEARCH_ONLY: () => ({
    code: 'PROBLEM_FROM_RESEARCH_ONLY',
    description: 'a second problem proposed by the two researchers',
    now: CLEAN_NOW,
    commands: [
      ...cleanPartnership(),
      cmd('2025-02-03', 'DefineProblemOfPractice', {
        workstreamId: WS,
        problemId: 'prob-research',
        statement: 'Fluency measures disagree',
        proposedByParticipantIds: [PEOPLE.researcher, PEOPLE.analyst],
        intendedUse: 'Pick a measure',
      }),
    ],
  }),
  NO_RECOGNISED_BROKER: () => ({
    code: 'NO_RECOGNISED_BROKER',
    description: 'the only broker gives up the broker role',
    now: CLEAN_NOW,
    commands: [...cleanPartnership(), cmd('2025-02-03', 'ChangeParticipantRoles', { participantId: PEOPLE.broker, roles: ['practitioner'] })],
  }),
  NO_BROKERING_180_DAYS: () => ({
    code: 'NO_BROKERING_180_DAYS',
    description: 'the last brokering (2025-01-20) is 181 days old',
    now: '2025-07-20T10:00:00.000Z',
    commands: cleanPartnership(),
  }),
  PHASE_WITHOUT_PRACTICE: () => ({
    code: 'PHASE_WITHOUT_PRACTICE',
    description: 'evidence_review with researchers only, then back to problem_framing',
    now: CLEAN_NOW,
    commands: [
      ...cleanPartnership(),
      cmd('2025-02-03', 'AgreeResearchAgenda', {
        workstreamId: WS,
        agendaId: 'agenda-main',
        researchQuestions: [{ questionId: 'q-main', text: 'Which routines sustain fluency?' }],
        agreedByParticipantIds: [PEOPLE.researcher, PEOPLE.practitioner],
      }),
      cmd('2025-02-10', 'RecordEvidenceReview', {
        workstreamId: WS,
        reviewId: 'review-main',
        sources: ['literature'],
        evidenceTypes: ['research_literature'],
        contributorParticipantIds: [PEOPLE.researcher, PEOPLE.analyst],
      }),
      cmd('2025-02-17', 'TransitionPhase', { workstreamId: WS, toPhase: 'problem_framing', reason: 'The problem needs sharper framing' }),
    ],
  }),
  FAMILIES_COMMUNITY_ABSENT: () => ({
    code: 'FAMILIES_COMMUNITY_ABSENT',
    description: 'a problem with a community goal; no family or community member ever present',
    now: CLEAN_NOW,
    commands: [
      ...cleanPartnership(),
      cmd('2025-02-03', 'DefineProblemOfPractice', {
        workstreamId: WS,
        problemId: 'prob-equity',
        statement: 'Families of multilingual learners are not reached',
        proposedByParticipantIds: [PEOPLE.practitioner],
        intendedUse: 'Redesign family outreach',
        communityGoal: true,
      }),
    ],
  }),
  INPUT_SINGLE_ROLE: () => ({
    code: 'INPUT_SINGLE_ROLE',
    description: 'input from practitioners only',
    now: CLEAN_NOW,
    commands: [
      ...cleanPartnership(),
      cmd('2025-02-03', 'RecordStakeholderInput', { workstreamId: WS, inputId: 'input-teachers', method: 'survey', respondentCounts: { practitioner: 12 } }),
    ],
  }),
  DISSEMINATED_BEFORE_INTERPRETATION: () => ({
    code: 'DISSEMINATED_BEFORE_INTERPRETATION',
    description: 'findings released to the public before any joint interpretation',
    now: CLEAN_NOW,
    commands: [
      ...cleanPartnership(),
      ...toFormalStudy(),
      shareFindings('2025-03-03'),
      cmd('2025-03-05', 'DisseminateFindings', { workstreamId: WS, findingsId: `${WS}-findings`, artifactKind: 'brief', audience: 'public', releasedOn: '2025-03-05' }),
    ],
  }),
  SINGLE_POINT_OF_CONTACT: () => ({
    code: 'SINGLE_POINT_OF_CONTACT',
    description: 'the analyst leaves the university (the researcher succeeds)',
    now: CLEAN_NOW,
    commands: [
      ...cleanPartnership(),
      cmd('2025-02-03', 'DepartParticipant', { participantId: PEOPLE.analyst, reason: 'new job', successorParticipantId: PEOPLE.researcher }),
    ],
  }),
  DEPARTURE_WITHOUT_SUCCESSOR: () => ({
    code: 'DEPARTURE_WITHOUT_SUCCESSOR',
    description: 'a third district member leaves with no successor, 31 days ago',
    now: '2025-03-06T10:00:00.000Z',
    commands: [
      ...cleanPartnership(),
      cmd('2025-01-21', 'JoinParticipant', { participantId: PEOPLE.newcomer, organizationId: ORG.practice, roles: ['practitioner'] }),
      cmd('2025-02-03', 'DepartParticipant', { participantId: PEOPLE.newcomer, reason: 'retired' }),
    ],
  }),
  TOOL_REVISED_WITHOUT_PRACTICE: () => ({
    code: 'TOOL_REVISED_WITHOUT_PRACTICE',
    description: 'a co-designed tool revised by the researchers alone',
    now: CLEAN_NOW,
    commands: [
      ...cleanPartnership(),
      cmd('2025-02-03', 'AgreeResearchAgenda', {
        workstreamId: WS,
        agendaId: 'agenda-main',
        researchQuestions: [{ questionId: 'q-main', text: 'Which routines sustain fluency?' }],
        agreedByParticipantIds: [PEOPLE.researcher, PEOPLE.practitioner],
      }),
      cmd('2025-02-10', 'CoDevelopTool', {
        workstreamId: WS,
        toolId: 'tool-routines',
        name: 'Routines guide',
        purpose: 'Daily fluency practice',
        coDesignerParticipantIds: [PEOPLE.researcher, PEOPLE.practitioner],
      }),
      cmd('2025-02-17', 'RecordStakeholderInput', {
        workstreamId: WS,
        inputId: 'input-tool',
        toolId: 'tool-routines',
        method: 'focus_group',
        respondentCounts: { practitioner: 8, family_member: 6 },
      }),
      cmd('2025-02-24', 'ReviseTool', {
        workstreamId: WS,
        toolId: 'tool-routines',
        answersInputIds: ['input-tool'],
        changeSummary: 'Shorter routines',
        revisedWithParticipantIds: [PEOPLE.researcher, PEOPLE.analyst],
      }),
    ],
  }),
  NO_REFLECTION_12_MONTHS: () => ({
    code: 'NO_REFLECTION_12_MONTHS',
    description: 'the last reflection (2025-01-15) is 12 months and a day old',
    now: '2026-01-16T10:00:00.000Z',
    commands: cleanPartnership(),
  }),
  RECORDING_DOMINATED_BY_ONE_SIDE: () => ({
    code: 'RECORDING_DOMINATED_BY_ONE_SIDE',
    description: 'six events recorded by the researcher in March, none by anyone else',
    now: CLEAN_NOW,
    commands: [
      ...cleanPartnership(),
      ...[1, 2, 3, 4, 5, 6].map((i) =>
        cmd(
          `2025-03-${String(i + 10).padStart(2, '0')}`,
          'RecordEvidenceReview',
          { workstreamId: WS, reviewId: `review-${i}`, sources: ['district data'], evidenceTypes: ['local_data'], contributorParticipantIds: [PEOPLE.researcher] },
          { actorParticipantId: PEOPLE.researcher },
        ),
      ),
    ],
  }),
  INTERPRETATION_WITHOUT_USE: () => ({
    code: 'INTERPRETATION_WITHOUT_USE',
    description: 'findings interpreted on 2025-03-10, no research use 121 days later',
    now: '2025-07-09T10:00:00.000Z',
    commands: [...cleanPartnership(), ...toFormalStudy(), shareFindings('2025-03-03'), interpret('2025-03-10')],
  }),
  PHASE_SKIPPED_EVIDENCE_REVIEW: () => ({
    code: 'PHASE_SKIPPED_EVIDENCE_REVIEW',
    description: 'problem_framing → co_design without an evidence review',
    now: CLEAN_NOW,
    commands: [
      ...cleanPartnership(),
      cmd('2025-02-03', 'TransitionPhase', { workstreamId: WS, toPhase: 'co_design', reason: 'The district already uses a routine we will adapt' }),
    ],
  }),
};

export const scenarioFor = (code: SignalCode): SignalScenario => SCENARIOS[code]();

/** One scenario per signal code, in catalog order. */
export const allScenarios = (): SignalScenario[] => SIGNAL_CODES.map(scenarioFor);

/** Helpers other specs may reuse. */
export const steps = { shareFindings, interpret };
