import type { Phase } from '../shared/vocabulary';
import { DeciderSpecification } from '../testing/decider-specification';
import {
  command,
  DSA_ID,
  event,
  formalizedPartnership,
  history,
  ORG,
  P,
  type PartnershipHistory,
  workstreamIds,
} from '../testing/partnership.fixtures';
import { partnershipDecider } from './partnership.decider';
import { addDays } from './partnership.rules';
import type { Partnership } from './partnership.state';

const spec = DeciderSpecification.for(partnershipDecider);
const ids = workstreamIds('ws-1');
const at = (phase: Phase) => formalizedPartnership().workstreamAt(phase).events;
const forward = (fromPhase: Phase, toPhase: Phase) =>
  event('PhaseTransitioned', {
    workstreamId: 'ws-1',
    fromPhase,
    toPhase,
    direction: 'forward',
    triggerEventId: 'evt-new-1',
  });
const stateOf = (h: PartnershipHistory): Partnership => {
  const state = h.state();
  if (state.status === 'none') throw new Error('no partnership');
  return state;
};

describe('ApproveFormalStudy (gate → formal_study) and STUDY_GATES', () => {
  const beforeStudy = () => formalizedPartnership().dsa().workstreamAt('input_revision');
  const data = {
    workstreamId: 'ws-1',
    studyId: 'study-2',
    questionIds: [ids.questionIds[0], ids.questionIds[1]],
    design: 'randomized controlled trial',
    siteOrganizationIds: [ORG.schoolA, ORG.schoolB],
    approvals: [
      { organizationId: ORG.district, kind: 'district_research_office', ref: 'DRO-9' },
      { organizationId: ORG.research, kind: 'irb_determination', ref: 'IRB-9' },
    ],
    usesStudentRecords: true,
    dsaIds: [DSA_ID],
    ethicsRef: 'IRB-9',
  };

  it('records the approval and moves input_revision → formal_study', () => {
    spec
      .given(beforeStudy().events)
      .when(command('ApproveFormalStudy', data))
      .then([event('FormalStudyApproved', data), forward('input_revision', 'formal_study')]);
  });

  it('goes straight from evidence_review (no pilot needed) and from co_design', () => {
    const noRecords = { ...data, usesStudentRecords: false, dsaIds: undefined };
    spec
      .given(at('evidence_review'))
      .when(command('ApproveFormalStudy', noRecords))
      .then([event('FormalStudyApproved', noRecords), forward('evidence_review', 'formal_study')]);
    spec
      .given(at('co_design'))
      .when(command('ApproveFormalStudy', noRecords))
      .then([event('FormalStudyApproved', noRecords), forward('co_design', 'formal_study')]);
  });

  it('accepts a community organization’s approval as the practice-side approval', () => {
    const community = { ...data, approvals: [{ organizationId: ORG.community, kind: 'community_board', ref: 'CB-1' }] };
    spec
      .given(beforeStudy().events)
      .when(command('ApproveFormalStudy', community))
      .then([event('FormalStudyApproved', community), forward('input_revision', 'formal_study')]);
  });

  it('may name a question agreed in another workstream (questions are partnership-wide)', () => {
    const given = formalizedPartnership()
      .workstreamAt('evidence_review', 'ws-1')
      .workstreamAt('evidence_review', 'ws-2').events;
    const other = { ...data, questionIds: ['ws-2-q1'], usesStudentRecords: false, dsaIds: undefined };
    spec
      .given(given)
      .when(command('ApproveFormalStudy', other))
      .then([event('FormalStudyApproved', other), forward('evidence_review', 'formal_study')]);
  });

  const ended = () =>
    formalizedPartnership().dsa().workstreamAt('input_revision').add('DataSharingAgreementEnded', {
      dsaId: DSA_ID,
      endKind: 'terminated',
      endedOn: '2024-03-01',
      destructionDueBy: '2024-05-30',
    });

  it.each([
    ['no research question', beforeStudy, { questionIds: [] }, 'research_questions'],
    ['no approval', beforeStudy, { approvals: [] }, 'approvals'],
    ['no practice- or community-side approval', beforeStudy, { approvals: [data.approvals[1]] }, 'practice_approval'],
    ['student records and no DSA', beforeStudy, { dsaIds: undefined }, 'active_dsa'],
    ['student records and only an ended DSA', ended, {}, 'active_dsa'],
  ])('refuses a study with %s', (_, given, change, missing) => {
    const error = spec
      .given(given().events)
      .when(command('ApproveFormalStudy', { ...data, ...change }))
      .thenThrows('STUDY_GATES');
    expect(error.details).toMatchObject({ studyId: 'study-2', missing });
  });

  it('refuses an unknown question, DSA or approver (UNKNOWN_REFERENCE) and a reused study id (DUPLICATE_ID)', () => {
    spec
      .given(beforeStudy().events)
      .when(command('ApproveFormalStudy', { ...data, questionIds: ['rq-x'] }))
      .thenThrows('UNKNOWN_REFERENCE');
    spec
      .given(beforeStudy().events)
      .when(command('ApproveFormalStudy', { ...data, dsaIds: ['dsa-x'] }))
      .thenThrows('UNKNOWN_REFERENCE');
    spec
      .given(beforeStudy().events)
      .when(command('ApproveFormalStudy', { ...data, approvals: [{ organizationId: 'org-x', kind: 'k', ref: 'r' }] }))
      .thenThrows('UNKNOWN_REFERENCE');
    spec
      .given(at('formal_study'))
      .when(command('ApproveFormalStudy', { ...data, studyId: ids.studyId }))
      .thenThrows('DUPLICATE_ID');
  });

  it('is refused in problem_framing, pilot and joint_interpretation (ILLEGAL_PHASE_TRANSITION)', () => {
    const noRecords = { ...data, usesStudentRecords: false, dsaIds: undefined };
    spec
      .given(
        formalizedPartnership().workstreamAt('evidence_review', 'ws-2').workstreamAt('problem_framing', 'ws-1').events,
      )
      .when(command('ApproveFormalStudy', { ...noRecords, questionIds: ['ws-2-q1'] }))
      .thenThrows('ILLEGAL_PHASE_TRANSITION');
    spec.given(at('pilot')).when(command('ApproveFormalStudy', noRecords)).thenThrows('ILLEGAL_PHASE_TRANSITION');
    spec
      .given(at('joint_interpretation'))
      .when(command('ApproveFormalStudy', noRecords))
      .thenThrows('ILLEGAL_PHASE_TRANSITION');
  });
});

describe('StartFormalStudy', () => {
  const data = { workstreamId: 'ws-1', studyId: ids.studyId, startedOn: '2024-09-03' };

  it('records the start when a DSA of the study is active on the start date', () => {
    spec
      .given(at('formal_study'))
      .when(command('StartFormalStudy', data))
      .then([event('FormalStudyStarted', data)]);
  });

  it('starts a study without student records whatever its agreements', () => {
    const given = formalizedPartnership()
      .workstreamAt('evidence_review')
      .add('FormalStudyApproved', {
        workstreamId: 'ws-1',
        studyId: 'study-survey',
        questionIds: [ids.questionIds[0]],
        design: 'survey',
        siteOrganizationIds: [],
        approvals: [{ organizationId: ORG.district, kind: 'k', ref: 'r' }],
        usesStudentRecords: false,
      });
    const survey = { workstreamId: 'ws-1', studyId: 'study-survey', startedOn: '2030-01-01' };
    spec
      .given(given.events)
      .when(command('StartFormalStudy', survey))
      .then([event('FormalStudyStarted', survey)]);
  });

  it.each([
    ['before the DSA takes effect', '2023-12-31'],
    ['after the DSA expires', '2027-01-01'],
  ])('refuses a start %s (STUDY_GATES)', (_, startedOn) => {
    spec
      .given(at('formal_study'))
      .when(command('StartFormalStudy', { ...data, startedOn }))
      .thenThrows('STUDY_GATES');
  });

  it('refuses a start once the DSA has ended (STUDY_GATES)', () => {
    const given = formalizedPartnership().workstreamAt('formal_study').add('DataSharingAgreementEnded', {
      dsaId: DSA_ID,
      endKind: 'terminated',
      endedOn: '2024-12-31',
      destructionDueBy: '2025-03-31',
    });
    spec.given(given.events).when(command('StartFormalStudy', data)).thenThrows('STUDY_GATES');
  });

  it('refuses starting twice (OUT_OF_SEQUENCE)', () => {
    spec.given(at('joint_interpretation')).when(command('StartFormalStudy', data)).thenThrows('OUT_OF_SEQUENCE');
  });
});

describe('SharePreliminaryFindings (gate → joint_interpretation)', () => {
  const studyStarted = () =>
    formalizedPartnership()
      .workstreamAt('formal_study')
      .add('FormalStudyStarted', { workstreamId: 'ws-1', studyId: ids.studyId, startedOn: '2024-02-20' });
  const data = {
    workstreamId: 'ws-1',
    findingsId: 'findings-2',
    sourceId: ids.studyId,
    sharedWithOrganizationIds: [ORG.district, ORG.community],
  };

  it('records sharedOn as the date part of occurredAt (back-dated) and moves formal_study → joint_interpretation', () => {
    spec
      .given(studyStarted().events)
      .when(command('SharePreliminaryFindings', data, { occurredAt: '2025-05-30T23:30:00.000Z' }))
      .then([
        event('PreliminaryFindingsShared', { ...data, sharedOn: '2025-05-30' }),
        forward('formal_study', 'joint_interpretation'),
      ]);
  });

  it('shares findings from a pilot, moving input_revision → joint_interpretation', () => {
    const fromPilot = { ...data, sourceId: ids.pilotId };
    spec
      .given(at('input_revision'))
      .when(command('SharePreliminaryFindings', fromPilot))
      .then([
        event('PreliminaryFindingsShared', { ...fromPilot, sharedOn: '2025-06-02' }),
        forward('input_revision', 'joint_interpretation'),
      ]);
  });

  it('refuses a source that has not started (OUT_OF_SEQUENCE)', () => {
    const error = spec
      .given(at('formal_study'))
      .when(command('SharePreliminaryFindings', data))
      .thenThrows('OUT_OF_SEQUENCE');
    expect(error.details).toEqual({ sourceId: ids.studyId, sourceKind: 'study' });
  });

  it('refuses an unknown source (UNKNOWN_REFERENCE)', () => {
    spec
      .given(studyStarted().events)
      .when(command('SharePreliminaryFindings', { ...data, sourceId: 'nothing' }))
      .thenThrows('UNKNOWN_REFERENCE');
  });

  it('is refused in the pilot phase and while paused (ILLEGAL_PHASE_TRANSITION)', () => {
    const pilotRunning = formalizedPartnership()
      .workstreamAt('pilot')
      .add('PilotStarted', {
        workstreamId: 'ws-1',
        pilotId: ids.pilotId,
        startedOn: '2024-03-01',
        siteOrganizationIds: [ORG.schoolA],
      });
    spec
      .given(pilotRunning.events)
      .when(command('SharePreliminaryFindings', { ...data, sourceId: ids.pilotId }))
      .thenThrows('ILLEGAL_PHASE_TRANSITION');
    spec
      .given(studyStarted().status('paused', 'active').events)
      .when(command('SharePreliminaryFindings', data))
      .thenThrows('ILLEGAL_PHASE_TRANSITION');
  });

  it('resolves a source id shared by a study and a pilot to the one in the findings’ workstream, then the study', () => {
    const given = formalizedPartnership()
      .workstreamAt('joint_interpretation', 'ws-1') // study ws-1-study, started
      .workstreamAt('input_revision', 'ws-2')
      .add('PilotApproved', {
        workstreamId: 'ws-2',
        pilotId: ids.studyId, // same id string as ws-1's study: ids are unique per kind only
        toolId: 'ws-2-tool',
        toolVersion: 1,
        siteOrganizationIds: [ORG.schoolB],
        approvals: [{ organizationId: ORG.schoolB, kind: 'k', ref: 'r' }],
        consentBasis: 'not_human_subjects',
        plannedStart: '2024-01-01',
        plannedEnd: '2024-02-01',
      })
      .add('PilotStarted', {
        workstreamId: 'ws-2',
        pilotId: ids.studyId,
        startedOn: '2024-03-01',
        siteOrganizationIds: [ORG.schoolB],
      });
    spec
      .given(given.events)
      .when(command('SharePreliminaryFindings', { ...data, workstreamId: 'ws-2', findingsId: 'f-ws2' }))
      .thenState((state) => {
        if (state.status === 'none') throw new Error('no partnership');
        expect(state.findings['f-ws2'].sourceKind).toBe('pilot');
      });
  });
});

describe('InterpretFindingsJointly (gate → use_dissemination)', () => {
  const data = {
    workstreamId: 'ws-1',
    findingsId: ids.findingsId,
    sessionOn: '2025-06-01',
    attendeeParticipantIds: [P.researcher, P.teacher],
    followUpQuestions: ['What about grade 4?'],
    agreedImplications: ['Keep the routines'],
  };

  it('records the session and moves joint_interpretation → use_dissemination', () => {
    spec
      .given(at('joint_interpretation'))
      .when(command('InterpretFindingsJointly', data))
      .then([event('FindingsJointlyInterpreted', data), forward('joint_interpretation', 'use_dissemination')]);
  });

  it('records a second session in use_dissemination without moving', () => {
    spec
      .given(at('use_dissemination'))
      .when(command('InterpretFindingsJointly', data))
      .then([event('FindingsJointlyInterpreted', data)]);
  });

  it.each([
    ['researchers only', [P.researcher]],
    ['practitioners only', [P.practitioner, P.teacher]],
    ['a researcher and a community member outside a collaborative', [P.researcher, P.community]],
    ['a researcher with family and student participants', [P.researcher, P.family, P.student]],
  ])('refuses %s (JOINT_INTERPRETATION_REQUIRES_PRACTICE)', (_, attendees) => {
    spec
      .given(at('joint_interpretation'))
      .when(command('InterpretFindingsJointly', { ...data, attendeeParticipantIds: attendees }))
      .thenThrows('JOINT_INTERPRETATION_REQUIRES_PRACTICE');
  });

  it.each([
    ['declares the community_research_collaborative type', { types: ['community_research_collaborative' as const] }],
    ['was initiated by the community', { initiationMode: 'community' as const, types: [] }],
  ])('lets a community member take the practitioner’s place when the partnership %s', (_, proposal) => {
    const crc = history().proposed(proposal).members().formalized().workstreamAt('joint_interpretation').events;
    const withCommunity = { ...data, attendeeParticipantIds: [P.researcher, P.community] };
    spec
      .given(crc)
      .when(command('InterpretFindingsJointly', withCommunity))
      .then([event('FindingsJointlyInterpreted', withCommunity), forward('joint_interpretation', 'use_dissemination')]);
  });

  it('refuses one attendee wearing both hats: joint means two participants', () => {
    const given = formalizedPartnership()
      .add('ParticipantJoined', {
        participantId: 'p-both',
        organizationId: ORG.district,
        roles: ['researcher', 'practitioner'],
      })
      .workstreamAt('joint_interpretation').events;
    spec
      .given(given)
      .when(command('InterpretFindingsJointly', { ...data, attendeeParticipantIds: ['p-both'] }))
      .thenThrows('JOINT_INTERPRETATION_REQUIRES_PRACTICE');
  });

  it('refuses a session before the findings were shared (OUT_OF_SEQUENCE)', () => {
    spec
      .given(at('joint_interpretation'))
      .when(command('InterpretFindingsJointly', { ...data, sessionOn: '2023-01-01' }))
      .thenThrows('OUT_OF_SEQUENCE');
  });

  it('is refused in formal_study for findings of the workstream shared earlier (ILLEGAL_PHASE_TRANSITION)', () => {
    const back = formalizedPartnership().workstreamAt('joint_interpretation').add('PhaseTransitioned', {
      workstreamId: 'ws-1',
      fromPhase: 'joint_interpretation',
      toPhase: 'formal_study',
      direction: 'backward',
      reason: 'more data',
    });
    spec.given(back.events).when(command('InterpretFindingsJointly', data)).thenThrows('ILLEGAL_PHASE_TRANSITION');
  });
});

describe('RecordPracticePartnerReview', () => {
  const data = {
    workstreamId: 'ws-1',
    findingsId: ids.findingsId,
    reviewerOrganizationId: ORG.district,
    outcome: 'comments' as const,
  };

  it('records the review with reviewedOn = the date part of occurredAt', () => {
    spec
      .given(at('joint_interpretation'))
      .when(command('RecordPracticePartnerReview', data, { occurredAt: '2025-05-20T16:00:00.000Z' }))
      .then([event('FindingsReviewedByPracticePartner', { ...data, reviewedOn: '2025-05-20' })]);
  });

  it('accepts a community-side reviewer', () => {
    const community = { ...data, reviewerOrganizationId: ORG.community };
    spec
      .given(at('joint_interpretation'))
      .when(command('RecordPracticePartnerReview', community))
      .then([event('FindingsReviewedByPracticePartner', { ...community, reviewedOn: '2025-06-02' })]);
  });

  it('refuses a research-side or funder reviewer (UNKNOWN_REFERENCE)', () => {
    spec
      .given(at('joint_interpretation'))
      .when(command('RecordPracticePartnerReview', { ...data, reviewerOrganizationId: ORG.research }))
      .thenThrows('UNKNOWN_REFERENCE');
    spec
      .given(at('joint_interpretation'))
      .when(command('RecordPracticePartnerReview', { ...data, reviewerOrganizationId: ORG.funder }))
      .thenThrows('UNKNOWN_REFERENCE');
  });

  it('refuses a review dated before the findings were shared (OUT_OF_SEQUENCE)', () => {
    spec
      .given(at('joint_interpretation'))
      .when(command('RecordPracticePartnerReview', data, { occurredAt: '2023-01-01T00:00:00.000Z' }))
      .thenThrows('OUT_OF_SEQUENCE');
  });
});

describe('DisseminateFindings and NO_SURPRISES_REVIEW_PENDING', () => {
  const interpreted = () => formalizedPartnership().workstreamAt('use_dissemination'); // findings from a study under dsa-1 (45-day window)
  const sharedOn = stateOf(interpreted()).findings[ids.findingsId].sharedOn;
  const data = {
    workstreamId: 'ws-1',
    findingsId: ids.findingsId,
    artifactKind: 'report' as const,
    audience: 'public' as const,
    releasedOn: addDays(sharedOn, 10),
  };

  it.each(['public', 'field', 'policy'] as const)(
    'refuses a %s release while the review is pending within the window',
    (audience) => {
      const error = spec
        .given(interpreted().events)
        .when(command('DisseminateFindings', { ...data, audience }))
        .thenThrows('NO_SURPRISES_REVIEW_PENDING');
      expect(error.details).toEqual({
        findingsId: ids.findingsId,
        dsaIds: [DSA_ID],
        windowDays: 45,
        windowEndsOn: addDays(sharedOn, 45),
        audience,
      });
    },
  );

  it('accepts the release once the practice partner has reviewed (whatever the outcome)', () => {
    const reviewed = interpreted().add('FindingsReviewedByPracticePartner', {
      workstreamId: 'ws-1',
      findingsId: ids.findingsId,
      reviewerOrganizationId: ORG.district,
      outcome: 'corrections',
      reviewedOn: sharedOn,
    });
    spec
      .given(reviewed.events)
      .when(command('DisseminateFindings', data))
      .then([event('FindingsDisseminated', data)]);
  });

  it('accepts the release on the day the window ends, not the day before', () => {
    const onTime = { ...data, releasedOn: addDays(sharedOn, 45) };
    spec
      .given(interpreted().events)
      .when(command('DisseminateFindings', onTime))
      .then([event('FindingsDisseminated', onTime)]);
    spec
      .given(interpreted().events)
      .when(command('DisseminateFindings', { ...data, releasedOn: addDays(sharedOn, 44) }))
      .thenThrows('NO_SURPRISES_REVIEW_PENDING');
  });

  it.each(['partner_internal', 'community'] as const)('accepts a %s release without review', (audience) => {
    spec
      .given(interpreted().events)
      .when(command('DisseminateFindings', { ...data, audience }))
      .then([event('FindingsDisseminated', { ...data, audience })]);
  });

  it('uses a 30-day window when the DSA leaves it unset', () => {
    const given = formalizedPartnership().dsa({ noSurprisesReviewDays: undefined }).workstreamAt('use_dissemination');
    const shared = stateOf(given).findings[ids.findingsId].sharedOn;
    spec
      .given(given.events)
      .when(command('DisseminateFindings', { ...data, releasedOn: addDays(shared, 29) }))
      .thenThrows('NO_SURPRISES_REVIEW_PENDING');
    const day30 = { ...data, releasedOn: addDays(shared, 30) };
    spec
      .given(given.events)
      .when(command('DisseminateFindings', day30))
      .then([event('FindingsDisseminated', day30)]);
  });

  const pilotFindings = (transferOn?: 'before' | 'after') => {
    const h = formalizedPartnership().dsa({ noSurprisesReviewDays: 60 }).workstreamAt('input_revision');
    const today = h.nextDate;
    if (transferOn === 'before') {
      h.add('DataReceivedUnderAgreement', {
        workstreamId: 'ws-1',
        transferId: 'x1',
        dsaId: DSA_ID,
        dataCategories: ['attendance'],
        piiIncluded: true,
        receivedOn: today,
      });
    }
    h.add('PreliminaryFindingsShared', {
      workstreamId: 'ws-1',
      findingsId: 'f-pilot',
      sourceId: ids.pilotId,
      sharedWithOrganizationIds: [],
      sharedOn: today,
    });
    if (transferOn === 'after') {
      h.add('DataReceivedUnderAgreement', {
        workstreamId: 'ws-1',
        transferId: 'x2',
        dsaId: DSA_ID,
        dataCategories: ['attendance'],
        piiIncluded: true,
        receivedOn: addDays(today, 5),
      });
    }
    return { events: h.events, sharedOn: today };
  };

  it('treats findings as DSA-derived when data was received in the workstream by the day they were shared', () => {
    const { events, sharedOn: shared } = pilotFindings('before');
    const release = { ...data, findingsId: 'f-pilot', releasedOn: addDays(shared, 59) };
    const error = spec
      .given(events)
      .when(command('DisseminateFindings', release))
      .thenThrows('NO_SURPRISES_REVIEW_PENDING');
    expect(error.details).toMatchObject({ dsaIds: [DSA_ID], windowDays: 60 });
  });

  it('does not hold back findings without DSA data (data received only after sharing, or none)', () => {
    for (const when of ['after', undefined] as const) {
      const { events, sharedOn: shared } = pilotFindings(when);
      const release = { ...data, findingsId: 'f-pilot', releasedOn: shared };
      spec
        .given(events)
        .when(command('DisseminateFindings', release))
        .then([event('FindingsDisseminated', release)]);
    }
  });

  it('refuses a release dated before the findings were shared (OUT_OF_SEQUENCE)', () => {
    spec
      .given(interpreted().events)
      .when(command('DisseminateFindings', { ...data, audience: 'partner_internal', releasedOn: '2023-01-01' }))
      .thenThrows('OUT_OF_SEQUENCE');
  });
});

describe('RecordResearchUse', () => {
  const data = {
    workstreamId: 'ws-1',
    useId: 'use-2',
    decisionSummary: 'School A keeps the routines',
    decisionLevel: 'school' as const,
    decidingOrganizationId: ORG.schoolA,
    evidenceIds: [ids.findingsId, ids.toolId, ids.reviewId, ids.inputId],
  };

  it('records a use citing findings, a tool, an evidence review and an input', () => {
    spec
      .given(at('use_dissemination'))
      .when(command('RecordResearchUse', data))
      .then([event('ResearchUseRecorded', data)]);
  });

  it('refuses evidence that is none of those, an unknown deciding organization (UNKNOWN_REFERENCE)', () => {
    spec
      .given(at('use_dissemination'))
      .when(command('RecordResearchUse', { ...data, evidenceIds: [ids.studyId] }))
      .thenThrows('UNKNOWN_REFERENCE');
    spec
      .given(at('use_dissemination'))
      .when(command('RecordResearchUse', { ...data, decidingOrganizationId: 'org-x' }))
      .thenThrows('UNKNOWN_REFERENCE');
  });

  it('refuses a withdrawn deciding organization (ACTOR_NOT_ACTIVE_MEMBER) and a reused use id (DUPLICATE_ID)', () => {
    spec
      .given(
        formalizedPartnership()
          .workstreamAt('use_dissemination')
          .add('OrganizationWithdrew', { organizationId: ORG.schoolA, reason: 'x' }).events,
      )
      .when(command('RecordResearchUse', data))
      .thenThrows('ACTOR_NOT_ACTIVE_MEMBER');
    const used = formalizedPartnership()
      .workstreamAt('use_dissemination')
      .add('ResearchUseRecorded', { ...data });
    spec.given(used.events).when(command('RecordResearchUse', data)).thenThrows('DUPLICATE_ID');
  });
});
