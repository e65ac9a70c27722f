/**
 * The checks every command goes through, in docs/domain-rules.md's order: the partnership exists,
 * is not terminal, references resolve, new ids are new, the workstream is open, actors are active.
 */
import { DeciderSpecification } from '../testing/decider-specification';
import {
  AGREEMENT_REF,
  command,
  DSA_ID,
  event,
  exploringPartnership,
  formalizedPartnership,
  ORG,
  P,
  workstreamIds,
} from '../testing/partnership.fixtures';
import {
  STREAM_COMMAND_TYPES,
  type PartnershipCommandDataMap,
  type PartnershipCommandType,
} from './partnership.commands';
import { partnershipDecider } from './partnership.decider';

const spec = DeciderSpecification.for(partnershipDecider);
const ids = workstreamIds('ws-1');

type StreamCommandType = Exclude<PartnershipCommandType, 'ProposePartnership'>;

/**
 * For every stream command, data whose references all resolve, whose new ids are new and whose
 * workstream (ws-1) is open in `rich()` — so the checks before the command's own rules all pass.
 */
const SAMPLE: { [T in StreamCommandType]: PartnershipCommandDataMap[T] } = {
  JoinOrganization: { organizationId: 'org-new', name: 'New school', orgType: 'school', side: 'practice' },
  WithdrawOrganization: { organizationId: ORG.funder, reason: 'grant ended' },
  JoinParticipant: { participantId: 'p-new', organizationId: ORG.district, roles: ['practitioner'] },
  ChangeParticipantRoles: { participantId: P.teacher, roles: ['practitioner', 'broker'] },
  DepartParticipant: { participantId: P.teacher, reason: 'moved' },
  FormalizePartnership: {
    agreementRef: 'MOU-2',
    partyOrganizationIds: [ORG.district, ORG.research],
    coLeadParticipantIds: [P.researcher],
    effectiveFrom: '2024-01-01',
  },
  AmendAgreement: { agreementRef: AGREEMENT_REF, amendmentKind: 'scope' },
  ExecuteDataSharingAgreement: {
    dsaId: 'dsa-new',
    providerOrganizationId: ORG.district,
    recipientOrganizationIds: [ORG.research],
    legalBasis: 'written_consent',
    purpose: 'p',
    dataCategories: ['attendance'],
    piiIncluded: false,
    effectiveFrom: '2024-01-01',
    expiresOn: '2025-01-01',
    destructionPeriodDays: 30,
  },
  EndDataSharingAgreement: { dsaId: DSA_ID, endKind: 'expired', endedOn: '2026-12-31' },
  CertifyDataDisposal: {
    dsaId: DSA_ID,
    certifiedByParticipantId: P.researcher,
    method: 'purge',
    disposedOn: '2027-01-05',
  },
  ChangePartnershipStatus: { status: 'paused', reason: 'funding gap' },
  RecordReflection: { instrument: 'toolkit', ratings: {}, actionsAgreed: [] },
  RecordBrokeringActivity: {
    brokerParticipantId: P.broker,
    fromOrganizationId: ORG.research,
    toOrganizationId: ORG.schoolA,
    activityKind: 'connect',
    workstreamId: 'ws-1',
  },
  ClosePartnership: { closureKind: 'goals_met' },
  AbandonPartnership: { reason: 'x' },
  OpenWorkstream: { workstreamId: 'ws-new', title: 't', leadParticipantIds: [P.researcher] },
  DefineProblemOfPractice: {
    workstreamId: 'ws-1',
    problemId: 'prob-new',
    statement: 's',
    proposedByParticipantIds: [P.teacher],
    intendedUse: 'u',
  },
  ReframeProblemOfPractice: { workstreamId: 'ws-1', problemId: ids.problemId, statement: 's', reason: 'r' },
  AgreeResearchAgenda: {
    workstreamId: 'ws-1',
    agendaId: 'agenda-new',
    researchQuestions: [{ questionId: 'q-new', text: 't' }],
    agreedByParticipantIds: [P.researcher, P.teacher],
  },
  RecordEvidenceReview: {
    workstreamId: 'ws-1',
    reviewId: 'review-new',
    sources: [],
    evidenceTypes: ['local_data'],
    contributorParticipantIds: [P.researcher],
  },
  CoDevelopTool: {
    workstreamId: 'ws-1',
    toolId: 'tool-new',
    name: 'n',
    purpose: 'p',
    coDesignerParticipantIds: [P.researcher, P.teacher],
  },
  ApprovePilot: {
    workstreamId: 'ws-1',
    pilotId: 'pilot-new',
    toolId: ids.toolId,
    toolVersion: 2,
    siteOrganizationIds: [ORG.schoolA],
    approvals: [{ organizationId: ORG.schoolA, kind: 'k', ref: 'r' }],
    consentBasis: 'irb_waiver',
    plannedStart: '2025-01-01',
    plannedEnd: '2025-02-01',
  },
  StartPilot: {
    workstreamId: 'ws-1',
    pilotId: ids.pilotId,
    startedOn: '2024-03-01',
    siteOrganizationIds: [ORG.schoolA],
  },
  RecordStakeholderInput: {
    workstreamId: 'ws-1',
    inputId: 'input-new',
    method: 'survey',
    respondentCounts: { practitioner: 5 },
  },
  ReviseTool: {
    workstreamId: 'ws-1',
    toolId: ids.toolId,
    answersInputIds: [ids.inputId],
    changeSummary: 'c',
    revisedWithParticipantIds: [P.researcher],
  },
  ConcludePilot: { workstreamId: 'ws-1', pilotId: ids.pilotId, endedOn: '2024-06-01', outcome: 'completed' },
  ApproveFormalStudy: {
    workstreamId: 'ws-1',
    studyId: 'study-new',
    questionIds: [ids.questionIds[0]],
    design: 'd',
    siteOrganizationIds: [],
    approvals: [{ organizationId: ORG.district, kind: 'k', ref: 'r' }],
    usesStudentRecords: false,
  },
  StartFormalStudy: { workstreamId: 'ws-1', studyId: ids.studyId, startedOn: '2024-06-01' },
  RecordDataReceived: {
    workstreamId: 'ws-1',
    transferId: 'xfer-new',
    dsaId: DSA_ID,
    dataCategories: ['attendance'],
    piiIncluded: true,
    receivedOn: '2024-06-01',
  },
  SharePreliminaryFindings: {
    workstreamId: 'ws-1',
    findingsId: 'findings-new',
    sourceId: ids.studyId,
    sharedWithOrganizationIds: [ORG.district],
  },
  InterpretFindingsJointly: {
    workstreamId: 'ws-1',
    findingsId: ids.findingsId,
    sessionOn: '2025-06-01',
    attendeeParticipantIds: [P.researcher, P.teacher],
    followUpQuestions: [],
    agreedImplications: [],
  },
  RecordPracticePartnerReview: {
    workstreamId: 'ws-1',
    findingsId: ids.findingsId,
    reviewerOrganizationId: ORG.district,
    outcome: 'cleared',
  },
  DisseminateFindings: {
    workstreamId: 'ws-1',
    findingsId: ids.findingsId,
    artifactKind: 'brief',
    audience: 'partner_internal',
    releasedOn: '2025-06-01',
  },
  RecordResearchUse: {
    workstreamId: 'ws-1',
    useId: 'use-new',
    decisionSummary: 'd',
    decisionLevel: 'district',
    decidingOrganizationId: ORG.district,
    evidenceIds: [ids.findingsId],
  },
  TransitionPhase: { workstreamId: 'ws-1', toPhase: 'formal_study', reason: 'more analysis' },
};

const sample = <T extends StreamCommandType>(type: T, actorParticipantId?: string) =>
  command(
    type,
    SAMPLE[type] as PartnershipCommandDataMap[T],
    actorParticipantId ? { actor: { apiKeyId: 'key-test', participantId: actorParticipantId } } : {},
  );

/** Formalized, with dsa-1 and workstream ws-1 in joint_interpretation (everything recorded but use). */
const rich = () => formalizedPartnership().workstreamAt('joint_interpretation');
const WORKSTREAM_COMMANDS = STREAM_COMMAND_TYPES.filter((t) => 'workstreamId' in SAMPLE[t] && t !== 'OpenWorkstream');

describe('1. the partnership exists', () => {
  it.each(STREAM_COMMAND_TYPES)('%s on an empty stream → PARTNERSHIP_NOT_FOUND', (type) => {
    const error = spec.given([]).when(sample(type)).thenThrows('PARTNERSHIP_NOT_FOUND');
    expect(error.category).toBe('not_found');
    expect(error.message).toContain('rpp-1');
  });
});

describe('2. TERMINAL_STATE after closure or abandonment', () => {
  const closed = () =>
    formalizedPartnership()
      .dsa()
      .add('DataSharingAgreementEnded', {
        dsaId: DSA_ID,
        endKind: 'expired',
        endedOn: '2024-06-30',
        destructionDueBy: '2024-09-28',
      })
      .status('transitioning', 'active')
      // an imported history may close with a disposal still uncertified; the fact may follow
      .add('PartnershipClosed', { closureKind: 'goals_met' });
  const abandoned = () =>
    exploringPartnership()
      .dsa()
      .add('DataSharingAgreementEnded', {
        dsaId: DSA_ID,
        endKind: 'terminated',
        endedOn: '2024-02-01',
        destructionDueBy: '2024-03-02',
      })
      .add('PartnershipAbandoned', { reason: 'x' });

  it.each(STREAM_COMMAND_TYPES.filter((t) => t !== 'CertifyDataDisposal'))(
    '%s is refused once closed, and once abandoned',
    (type) => {
      const error = spec.given(closed().events).when(sample(type)).thenThrows('TERMINAL_STATE');
      expect(error.details).toEqual({ status: 'closed', commandType: type });
      spec.given(abandoned().events).when(sample(type)).thenThrows('TERMINAL_STATE');
    },
  );

  it('CertifyDataDisposal is still accepted after closure and after abandonment (a compliance fact)', () => {
    const data = { dsaId: DSA_ID, certifiedByParticipantId: P.researcher, method: 'purge', disposedOn: '2024-09-01' };
    spec
      .given(closed().events)
      .when(command('CertifyDataDisposal', data))
      .then([event('DataDisposalCertified', data)]);
    spec
      .given(abandoned().events)
      .when(command('CertifyDataDisposal', data))
      .then([event('DataDisposalCertified', data)]);
  });

  it('after closure the certifier must have been active when the partnership closed', () => {
    const departedBefore = formalizedPartnership()
      .dsa()
      .add('DataSharingAgreementEnded', {
        dsaId: DSA_ID,
        endKind: 'expired',
        endedOn: '2024-06-30',
        destructionDueBy: '2024-09-28',
      })
      .add('ParticipantDeparted', { participantId: P.researcher, reason: 'left', organizationId: ORG.research })
      .status('transitioning', 'active')
      .add('PartnershipClosed', { closureKind: 'dissolved' });
    spec
      .given(departedBefore.events)
      .when(
        command('CertifyDataDisposal', {
          dsaId: DSA_ID,
          certifiedByParticipantId: P.researcher,
          method: 'm',
          disposedOn: '2024-09-01',
        }),
      )
      .thenThrows('ACTOR_NOT_ACTIVE_MEMBER');
  });
});

describe('3. UNKNOWN_REFERENCE for each kind of reference', () => {
  const twoWorkstreams = () => rich().workstreamAt('joint_interpretation', 'ws-2').events;
  it.each<[string, StreamCommandType, Record<string, unknown>, string, string]>([
    ['organization', 'JoinParticipant', { organizationId: 'org-x' }, 'organizationId', 'org-x'],
    [
      'participant',
      'DefineProblemOfPractice',
      { proposedByParticipantIds: [P.teacher, 'p-x'] },
      'proposedByParticipantIds',
      'p-x',
    ],
    ['workstream', 'RecordEvidenceReview', { workstreamId: 'ws-x' }, 'workstreamId', 'ws-x'],
    ['parent workstream', 'OpenWorkstream', { parentWorkstreamId: 'ws-x' }, 'parentWorkstreamId', 'ws-x'],
    ['problem', 'ReframeProblemOfPractice', { problemId: 'prob-x' }, 'problemId', 'prob-x'],
    [
      'problem of another workstream',
      'ReframeProblemOfPractice',
      { problemId: 'ws-2-problem' },
      'problemId',
      'ws-2-problem',
    ],
    ['research question', 'ApproveFormalStudy', { questionIds: ['rq-x'] }, 'questionIds', 'rq-x'],
    ['tool', 'ApprovePilot', { toolId: 'tool-x' }, 'toolId', 'tool-x'],
    ['tool version', 'RecordStakeholderInput', { toolId: ids.toolId, toolVersion: 3 }, 'toolVersion', '3'],
    ['pilot', 'StartPilot', { pilotId: 'pilot-x' }, 'pilotId', 'pilot-x'],
    ['pilot of another workstream', 'ConcludePilot', { pilotId: 'ws-2-pilot' }, 'pilotId', 'ws-2-pilot'],
    ['study', 'StartFormalStudy', { studyId: 'study-x' }, 'studyId', 'study-x'],
    ['study of another workstream', 'StartFormalStudy', { studyId: 'ws-2-study' }, 'studyId', 'ws-2-study'],
    ['input', 'ReviseTool', { answersInputIds: ['input-x'] }, 'answersInputIds', 'input-x'],
    ['findings', 'InterpretFindingsJointly', { findingsId: 'f-x' }, 'findingsId', 'f-x'],
    [
      'findings of another workstream',
      'DisseminateFindings',
      { findingsId: 'ws-2-findings' },
      'findingsId',
      'ws-2-findings',
    ],
    ['findings source', 'SharePreliminaryFindings', { sourceId: 'src-x' }, 'sourceId', 'src-x'],
    ['DSA', 'EndDataSharingAgreement', { dsaId: 'dsa-x' }, 'dsaId', 'dsa-x'],
    ['DSA of a study', 'ApproveFormalStudy', { dsaIds: ['dsa-x'] }, 'dsaIds', 'dsa-x'],
    ['agreement', 'AmendAgreement', { agreementRef: 'MOU-x' }, 'agreementRef', 'MOU-x'],
    ['successor', 'DepartParticipant', { successorParticipantId: 'p-x' }, 'successorParticipantId', 'p-x'],
    ['certifier', 'CertifyDataDisposal', { certifiedByParticipantId: 'p-x' }, 'certifiedByParticipantId', 'p-x'],
    ['research-use evidence', 'RecordResearchUse', { evidenceIds: ['ev-x'] }, 'evidenceIds', 'ev-x'],
    ['site', 'StartPilot', { siteOrganizationIds: ['org-x'] }, 'siteOrganizationIds', 'org-x'],
    ['reviewer', 'RecordPracticePartnerReview', { reviewerOrganizationId: 'org-x' }, 'reviewerOrganizationId', 'org-x'],
  ])('an unknown %s', (_, type, change, field, id) => {
    const cmd = command(type, { ...SAMPLE[type], ...change } as never);
    const error = spec.given(twoWorkstreams()).when(cmd).thenThrows('UNKNOWN_REFERENCE');
    expect(error.details).toEqual({ reference: { field, id } });
    expect(error.message).toContain(id);
  });

  it('ids such as constructor or __proto__ are looked up as own keys only', () => {
    spec
      .given(formalizedPartnership().events)
      .when(command('JoinParticipant', { participantId: 'p-z', organizationId: 'constructor', roles: ['researcher'] }))
      .thenThrows('UNKNOWN_REFERENCE');
    spec
      .given(formalizedPartnership().events)
      .when(command('ChangeParticipantRoles', { participantId: '__proto__', roles: ['researcher'] }))
      .thenThrows('UNKNOWN_REFERENCE');
    const proto = formalizedPartnership()
      .add('OrganizationJoined', { organizationId: '__proto__', name: 'Odd id', orgType: 'school', side: 'practice' })
      .add('OrganizationJoined', {
        organizationId: 'constructor',
        name: 'Odd id 2',
        orgType: 'school',
        side: 'practice',
      });
    spec
      .given(proto.events)
      .when(
        command('JoinParticipant', { participantId: 'toString', organizationId: '__proto__', roles: ['practitioner'] }),
      )
      .thenState((state) => {
        if (state.status === 'none') throw new Error('no partnership');
        expect(Object.keys(state.organizations)).toEqual(expect.arrayContaining(['__proto__', 'constructor']));
        expect(JSON.parse(JSON.stringify(state)).participants.toString.organizationId).toBe('__proto__');
      });
    spec
      .given(proto.events)
      .when(
        command('JoinOrganization', {
          organizationId: '__proto__',
          name: 'again',
          orgType: 'school',
          side: 'practice',
        }),
      )
      .thenThrows('DUPLICATE_ID');
  });
});

describe('4. DUPLICATE_ID for each kind of new id', () => {
  it.each<[StreamCommandType, Record<string, unknown>, string, string]>([
    ['JoinOrganization', { organizationId: ORG.schoolA }, 'organizationId', ORG.schoolA],
    ['JoinParticipant', { participantId: P.teacher }, 'participantId', P.teacher],
    ['OpenWorkstream', { workstreamId: 'ws-1' }, 'workstreamId', 'ws-1'],
    ['DefineProblemOfPractice', { problemId: ids.problemId }, 'problemId', ids.problemId],
    ['AgreeResearchAgenda', { agendaId: ids.agendaId }, 'agendaId', ids.agendaId],
    [
      'AgreeResearchAgenda',
      { researchQuestions: [{ questionId: ids.questionIds[1], text: 't' }] },
      'researchQuestions.questionId',
      ids.questionIds[1],
    ],
    ['RecordEvidenceReview', { reviewId: ids.reviewId }, 'reviewId', ids.reviewId],
    ['CoDevelopTool', { toolId: ids.toolId }, 'toolId', ids.toolId],
    ['ApprovePilot', { pilotId: ids.pilotId }, 'pilotId', ids.pilotId],
    ['RecordStakeholderInput', { inputId: ids.inputId }, 'inputId', ids.inputId],
    ['ApproveFormalStudy', { studyId: ids.studyId }, 'studyId', ids.studyId],
    ['RecordDataReceived', { transferId: ids.transferId }, 'transferId', ids.transferId],
    ['SharePreliminaryFindings', { findingsId: ids.findingsId }, 'findingsId', ids.findingsId],
    ['ExecuteDataSharingAgreement', { dsaId: DSA_ID }, 'dsaId', DSA_ID],
  ])('%s reusing %o', (type, change, field, id) => {
    const error = spec
      .given(rich().events)
      .when(command(type, { ...SAMPLE[type], ...change } as never))
      .thenThrows('DUPLICATE_ID');
    expect(error.details).toEqual({ duplicate: { field, id } });
  });

  it('RecordResearchUse reusing a use id', () => {
    const used = rich().add('ResearchUseRecorded', { ...SAMPLE.RecordResearchUse, useId: 'use-1' });
    spec
      .given(used.events)
      .when(command('RecordResearchUse', { ...SAMPLE.RecordResearchUse, useId: 'use-1' }))
      .thenThrows('DUPLICATE_ID');
  });

  it('ids are unique per kind: a pilot may reuse a tool’s id string', () => {
    const data = { ...SAMPLE.ApprovePilot, pilotId: ids.toolId };
    spec
      .given(formalizedPartnership().workstreamAt('co_design').events)
      .when(command('ApprovePilot', { ...data, toolVersion: 1 }))
      .then([
        event('PilotApproved', { ...data, toolVersion: 1 }),
        event('PhaseTransitioned', {
          workstreamId: 'ws-1',
          fromPhase: 'co_design',
          toPhase: 'pilot',
          direction: 'forward',
          triggerEventId: 'evt-new-1',
        }),
      ]);
  });
});

describe('5. TERMINAL_STATE for a concluded workstream', () => {
  it.each(WORKSTREAM_COMMANDS)('%s addressed to a concluded workstream', (type) => {
    const error = spec
      .given(formalizedPartnership().workstreamAt('concluded').events)
      .when(sample(type))
      .thenThrows('TERMINAL_STATE');
    expect(error.details).toEqual({ workstreamId: 'ws-1', phase: 'concluded' });
  });

  it('other workstreams and partnership-level commands go on', () => {
    const given = formalizedPartnership()
      .workstreamAt('concluded', 'ws-1')
      .workstreamAt('problem_framing', 'ws-2').events;
    const data = { ...SAMPLE.RecordEvidenceReview, workstreamId: 'ws-2' };
    spec
      .given(given)
      .when(command('RecordEvidenceReview', data))
      .then([event('EvidenceReviewed', data)]);
    spec
      .given(given)
      .when(sample('RecordReflection'))
      .then([event('PartnershipReflectionRecorded', SAMPLE.RecordReflection)]);
  });
});

describe('6. ACTOR_NOT_ACTIVE_MEMBER: the request’s actor and every named participant', () => {
  const withInactive = () =>
    rich()
      .add('ParticipantDeparted', { participantId: P.student, reason: 'graduated', organizationId: ORG.schoolA })
      .add('OrganizationWithdrew', { organizationId: ORG.county, reason: 'restructured' });

  it.each(STREAM_COMMAND_TYPES)('%s with a departed actor', (type) => {
    const error = spec.given(withInactive().events).when(sample(type, P.student)).thenThrows('ACTOR_NOT_ACTIVE_MEMBER');
    expect(error.details).toEqual({ field: 'actorParticipantId', participantId: P.student, reason: 'departed' });
  });

  it.each(STREAM_COMMAND_TYPES)('%s with an actor whose organization withdrew', (type) => {
    spec
      .given(withInactive().events)
      .when(sample(type, P.countyStaff))
      .thenThrows((e) => e.code === 'ACTOR_NOT_ACTIVE_MEMBER' && e.details?.reason === 'organization_withdrawn');
  });

  it('an actor unknown to the partnership has not joined (ACTOR_NOT_ACTIVE_MEMBER, not UNKNOWN_REFERENCE)', () => {
    const error = spec
      .given(rich().events)
      .when(sample('RecordReflection', 'p-stranger'))
      .thenThrows('ACTOR_NOT_ACTIVE_MEMBER');
    expect(error.details).toEqual({ field: 'actorParticipantId', participantId: 'p-stranger', reason: 'not_joined' });
  });

  it('an active actor is accepted', () => {
    spec
      .given(rich().events)
      .when(sample('RecordReflection', P.coordinator))
      .then([event('PartnershipReflectionRecorded', SAMPLE.RecordReflection)]);
  });

  it.each<[StreamCommandType, Record<string, unknown>, string]>([
    ['OpenWorkstream', { leadParticipantIds: [P.student] }, 'leadParticipantIds'],
    ['DefineProblemOfPractice', { proposedByParticipantIds: [P.student] }, 'proposedByParticipantIds'],
    ['AgreeResearchAgenda', { agreedByParticipantIds: [P.researcher, P.student] }, 'agreedByParticipantIds'],
    ['RecordEvidenceReview', { contributorParticipantIds: [P.student] }, 'contributorParticipantIds'],
    ['CoDevelopTool', { coDesignerParticipantIds: [P.student] }, 'coDesignerParticipantIds'],
    ['RecordStakeholderInput', { convenedByParticipantId: P.countyStaff }, 'convenedByParticipantId'],
    ['ReviseTool', { revisedWithParticipantIds: [P.countyStaff] }, 'revisedWithParticipantIds'],
    [
      'InterpretFindingsJointly',
      { attendeeParticipantIds: [P.researcher, P.teacher, P.student] },
      'attendeeParticipantIds',
    ],
    ['CertifyDataDisposal', { certifiedByParticipantId: P.student }, 'certifiedByParticipantId'],
    ['FormalizePartnership', { coLeadParticipantIds: [P.countyStaff] }, 'coLeadParticipantIds'],
    ['DepartParticipant', { successorParticipantId: P.student }, 'successorParticipantId'],
    ['ChangeParticipantRoles', { participantId: P.student }, 'participantId'],
  ])('%s naming an inactive participant', (type, change, field) => {
    spec
      .given(withInactive().events)
      .when(command(type, { ...SAMPLE[type], ...change } as never))
      .thenThrows((e) => e.code === 'ACTOR_NOT_ACTIVE_MEMBER' && e.details?.field === field);
  });

  it('a broker must hold the broker role', () => {
    spec
      .given(rich().events)
      .when(
        command('RecordBrokeringActivity', { ...SAMPLE.RecordBrokeringActivity, brokerParticipantId: P.researcher }),
      )
      .thenThrows((e) => e.code === 'ACTOR_NOT_ACTIVE_MEMBER' && e.details?.reason === 'missing_role');
  });

  it('activity is judged on the recorded state, not on a back-dated occurredAt', () => {
    const departed = rich().add('ParticipantDeparted', {
      participantId: P.teacher,
      reason: 'x',
      organizationId: ORG.schoolA,
    });
    spec
      .given(departed.events)
      .when(
        command(
          'RecordEvidenceReview',
          { ...SAMPLE.RecordEvidenceReview, contributorParticipantIds: [P.teacher] },
          { occurredAt: '2023-01-01T00:00:00.000Z' },
        ),
      )
      .thenThrows('ACTOR_NOT_ACTIVE_MEMBER');
  });
});

describe('6b. organizations taking part must not have withdrawn (ACTOR_NOT_ACTIVE_MEMBER)', () => {
  const withdrawn = () => rich().add('OrganizationWithdrew', { organizationId: ORG.schoolB, reason: 'closed' }).events;
  it.each<[StreamCommandType, Record<string, unknown>, string]>([
    ['FormalizePartnership', { partyOrganizationIds: [ORG.research, ORG.schoolB] }, 'partyOrganizationIds'],
    ['ExecuteDataSharingAgreement', { providerOrganizationId: ORG.schoolB }, 'providerOrganizationId'],
    ['ApprovePilot', { siteOrganizationIds: [ORG.schoolA, ORG.schoolB] }, 'siteOrganizationIds'],
    ['ApproveFormalStudy', { siteOrganizationIds: [ORG.schoolB] }, 'siteOrganizationIds'],
    [
      'ApproveFormalStudy',
      { approvals: [{ organizationId: ORG.schoolB, kind: 'k', ref: 'r' }] },
      'approvals.organizationId',
    ],
    ['StartPilot', { siteOrganizationIds: [ORG.schoolB] }, 'siteOrganizationIds'],
    ['SharePreliminaryFindings', { sharedWithOrganizationIds: [ORG.schoolB] }, 'sharedWithOrganizationIds'],
    ['RecordPracticePartnerReview', { reviewerOrganizationId: ORG.schoolB }, 'reviewerOrganizationId'],
    ['RecordResearchUse', { decidingOrganizationId: ORG.schoolB }, 'decidingOrganizationId'],
    ['RecordBrokeringActivity', { fromOrganizationId: ORG.schoolB }, 'fromOrganizationId'],
    ['RecordDataReceived', { recipientOrganizationId: ORG.schoolB }, 'recipientOrganizationId'],
  ])('%s naming a withdrawn organization', (type, change, field) => {
    const error = spec
      .given(withdrawn())
      .when(command(type, { ...SAMPLE[type], ...change } as never))
      .thenThrows('ACTOR_NOT_ACTIVE_MEMBER');
    expect(error.details).toEqual({ field, organizationId: ORG.schoolB, reason: 'organization_withdrawn' });
  });

  it('a parent organization that has withdrawn is only structure: a school may still join under it', () => {
    const data = { ...SAMPLE.JoinOrganization, parentOrganizationId: ORG.schoolB };
    spec
      .given(withdrawn())
      .when(command('JoinOrganization', data))
      .then([event('OrganizationJoined', data)]);
  });

  it('ProposePartnership checks no actor: the partnership has no members yet', () => {
    spec
      .given([])
      .when(
        command(
          'ProposePartnership',
          { name: 'n', initiationMode: 'researcher', focus: 'f' },
          { actor: { apiKeyId: 'k', participantId: 'p-from-elsewhere' } },
        ),
      )
      .then([
        event('PartnershipProposed', {
          partnershipId: 'rpp-1',
          name: 'n',
          initiationMode: 'researcher',
          focus: 'f',
          types: [],
        }),
      ]);
  });
});

describe('order of checks: the first failure is reported', () => {
  const closedWithConcluded = formalizedPartnership()
    .workstreamAt('concluded')
    .add('DataSharingAgreementEnded', {
      dsaId: DSA_ID,
      endKind: 'expired',
      endedOn: '2024-06-30',
      destructionDueBy: '2024-09-28',
    })
    .status('transitioning', 'active')
    .add('PartnershipClosed', { closureKind: 'goals_met' }).events;

  it('terminal partnership before references', () => {
    spec
      .given(closedWithConcluded)
      .when(command('RecordEvidenceReview', { ...SAMPLE.RecordEvidenceReview, workstreamId: 'ws-x' }))
      .thenThrows('TERMINAL_STATE');
  });

  it('references before new ids', () => {
    spec
      .given(rich().events)
      .when(command('CoDevelopTool', { ...SAMPLE.CoDevelopTool, workstreamId: 'ws-x', toolId: ids.toolId }))
      .thenThrows('UNKNOWN_REFERENCE');
  });

  it('new ids before the terminal workstream', () => {
    spec
      .given(formalizedPartnership().workstreamAt('concluded').events)
      .when(command('DefineProblemOfPractice', { ...SAMPLE.DefineProblemOfPractice, problemId: ids.problemId }))
      .thenThrows('DUPLICATE_ID');
  });

  it('the terminal workstream before actors', () => {
    const given = formalizedPartnership()
      .workstreamAt('concluded')
      .add('ParticipantDeparted', { participantId: P.student, reason: 'x', organizationId: ORG.schoolA }).events;
    spec.given(given).when(sample('RecordEvidenceReview', P.student)).thenThrows('TERMINAL_STATE');
  });

  it('actors before the command’s own rules', () => {
    const given = formalizedPartnership()
      .workstreamAt('problem_framing')
      .add('ParticipantDeparted', { participantId: P.student, reason: 'x', organizationId: ORG.schoolA }).events;
    spec
      .given(given)
      .when(
        command(
          'AgreeResearchAgenda',
          { ...SAMPLE.AgreeResearchAgenda, agreedByParticipantIds: [P.researcher] },
          { actor: { apiKeyId: 'k', participantId: P.student } },
        ),
      )
      .thenThrows('ACTOR_NOT_ACTIVE_MEMBER');
  });

  it('own rules: status before the named rule', () => {
    spec
      .given(formalizedPartnership().events)
      .when(command('FormalizePartnership', { ...SAMPLE.FormalizePartnership, partyOrganizationIds: [ORG.research] }))
      .thenThrows('ILLEGAL_STATUS_TRANSITION');
  });

  it('own rules: paused before sequence', () => {
    spec
      .given(formalizedPartnership().workstreamAt('input_revision').status('paused', 'active').events)
      .when(sample('ConcludePilot'))
      .thenThrows('ILLEGAL_PHASE_TRANSITION');
  });

  it('own rules: sequence before the phase edge', () => {
    const movedBack = formalizedPartnership().workstreamAt('pilot').add('PhaseTransitioned', {
      workstreamId: 'ws-1',
      fromPhase: 'pilot',
      toPhase: 'co_design',
      direction: 'backward',
      reason: 'x',
    });
    spec.given(movedBack.events).when(sample('ConcludePilot')).thenThrows('OUT_OF_SEQUENCE');
  });

  it('own rules: the phase edge before the named rule', () => {
    spec
      .given(formalizedPartnership().workstreamAt('co_design', 'ws-2').workstreamAt('evidence_review').events)
      .when(
        command('ApprovePilot', {
          ...SAMPLE.ApprovePilot,
          toolId: 'ws-2-tool',
          toolVersion: 1,
          siteOrganizationIds: [ORG.district],
        }),
      )
      .thenThrows('ILLEGAL_PHASE_TRANSITION');
    spec
      .given(formalizedPartnership().workstreamAt('evidence_review').events)
      .when(command('InterpretFindingsJointly', { ...SAMPLE.InterpretFindingsJointly, findingsId: 'f-x' }))
      .thenThrows('UNKNOWN_REFERENCE');
  });
});
