import { DeciderSpecification } from '../testing/decider-specification';
import {
  AGREEMENT_REF,
  command,
  DSA_ID,
  event,
  exploringPartnership,
  formalizedPartnership,
  history,
  ORG,
  P,
  PARTNERSHIP_ID,
} from '../testing/partnership.fixtures';
import { partnershipDecider } from './partnership.decider';

const spec = DeciderSpecification.for(partnershipDecider);

describe('ProposePartnership', () => {
  it('records the proposal with the partnership id from the metadata and types defaulting to []', () => {
    spec
      .given([])
      .when(command('ProposePartnership', { name: 'Valley RPP', initiationMode: 'researcher', focus: 'math' }))
      .then([
        event('PartnershipProposed', {
          partnershipId: PARTNERSHIP_ID,
          name: 'Valley RPP',
          initiationMode: 'researcher',
          focus: 'math',
          types: [],
        }),
      ]);
  });

  it('keeps the declared types', () => {
    spec
      .given([])
      .when(
        command('ProposePartnership', {
          name: 'Eastside CRC',
          initiationMode: 'community',
          focus: 'youth wellbeing',
          types: ['community_research_collaborative'],
        }),
      )
      .then([
        event('PartnershipProposed', {
          partnershipId: PARTNERSHIP_ID,
          name: 'Eastside CRC',
          initiationMode: 'community',
          focus: 'youth wellbeing',
          types: ['community_research_collaborative'],
        }),
      ]);
  });

  it('is refused on an existing partnership (DUPLICATE_ID)', () => {
    const error = spec
      .given(history().proposed().events)
      .when(command('ProposePartnership', { name: 'again', initiationMode: 'agency', focus: 'x' }))
      .thenThrows('DUPLICATE_ID');
    expect(error.details).toEqual({ duplicate: { field: 'partnershipId', id: PARTNERSHIP_ID } });
  });
});

describe('JoinOrganization', () => {
  it('records the organization with its parent', () => {
    const data = {
      organizationId: 'org-school-c',
      name: 'Roosevelt Middle',
      orgType: 'school' as const,
      side: 'practice' as const,
      parentOrganizationId: ORG.district,
    };
    spec
      .given(formalizedPartnership().events)
      .when(command('JoinOrganization', data))
      .then([event('OrganizationJoined', data)]);
  });

  it('refuses an unknown parent (UNKNOWN_REFERENCE)', () => {
    const error = spec
      .given(formalizedPartnership().events)
      .when(
        command('JoinOrganization', {
          organizationId: 'org-x',
          name: 'X',
          orgType: 'school',
          side: 'practice',
          parentOrganizationId: 'org-nowhere',
        }),
      )
      .thenThrows('UNKNOWN_REFERENCE');
    expect(error.details).toEqual({ reference: { field: 'parentOrganizationId', id: 'org-nowhere' } });
  });
});

describe('WithdrawOrganization', () => {
  it('records the withdrawal; the organization’s participants stop being active members', () => {
    spec
      .given(formalizedPartnership().events)
      .when(command('WithdrawOrganization', { organizationId: ORG.community, reason: 'funding ended' }))
      .thenState((state) => {
        if (state.status === 'none') throw new Error('no partnership');
        expect(state.organizations[ORG.community]).toMatchObject({
          withdrawn: true,
          withdrawalReason: 'funding ended',
        });
        expect(state.participants[P.community].active).toBe(false);
        expect(state.participants[P.family].active).toBe(false);
        expect(state.participants[P.researcher].active).toBe(true);
      });
    spec
      .given(formalizedPartnership().events)
      .when(command('WithdrawOrganization', { organizationId: ORG.community, reason: 'funding ended' }))
      .then([event('OrganizationWithdrew', { organizationId: ORG.community, reason: 'funding ended' })]);
  });

  it('refuses a second withdrawal (OUT_OF_SEQUENCE)', () => {
    spec
      .given(formalizedPartnership().add('OrganizationWithdrew', { organizationId: ORG.funder, reason: 'x' }).events)
      .when(command('WithdrawOrganization', { organizationId: ORG.funder, reason: 'again' }))
      .thenThrows('OUT_OF_SEQUENCE');
  });
});

describe('JoinParticipant', () => {
  it('records the participant with several roles and a vault person id', () => {
    const data = {
      participantId: 'p-new',
      organizationId: ORG.schoolB,
      roles: ['practitioner', 'broker'] as ('practitioner' | 'broker')[],
      personId: 'person-77',
    };
    spec
      .given(formalizedPartnership().events)
      .when(command('JoinParticipant', data))
      .then([event('ParticipantJoined', data)]);
  });

  it('refuses an organization that has withdrawn (ACTOR_NOT_ACTIVE_MEMBER)', () => {
    const error = spec
      .given(formalizedPartnership().add('OrganizationWithdrew', { organizationId: ORG.funder, reason: 'x' }).events)
      .when(command('JoinParticipant', { participantId: 'p-new', organizationId: ORG.funder, roles: ['funder_rep'] }))
      .thenThrows('ACTOR_NOT_ACTIVE_MEMBER');
    expect(error.details).toMatchObject({ organizationId: ORG.funder, reason: 'organization_withdrawn' });
  });
});

describe('ChangeParticipantRoles', () => {
  it('records the new roles and the previous ones', () => {
    spec
      .given(formalizedPartnership().events)
      .when(command('ChangeParticipantRoles', { participantId: P.teacher, roles: ['practitioner', 'broker'] }))
      .then([
        event('ParticipantRolesChanged', {
          participantId: P.teacher,
          roles: ['practitioner', 'broker'],
          previousRoles: ['practitioner'],
        }),
      ]);
  });

  it('refuses a departed participant (ACTOR_NOT_ACTIVE_MEMBER)', () => {
    spec
      .given(
        formalizedPartnership().add('ParticipantDeparted', {
          participantId: P.teacher,
          reason: 'moved',
          organizationId: ORG.schoolA,
        }).events,
      )
      .when(command('ChangeParticipantRoles', { participantId: P.teacher, roles: ['broker'] }))
      .thenThrows('ACTOR_NOT_ACTIVE_MEMBER');
  });
});

describe('DepartParticipant', () => {
  it('records the departure with the organization the participant acted for and the successor', () => {
    spec
      .given(formalizedPartnership().events)
      .when(
        command('DepartParticipant', {
          participantId: P.practitioner,
          reason: 'reassigned',
          successorParticipantId: P.broker,
        }),
      )
      .then([
        event('ParticipantDeparted', {
          participantId: P.practitioner,
          reason: 'reassigned',
          successorParticipantId: P.broker,
          organizationId: ORG.district,
        }),
      ]);
  });

  it('records a departure without successor', () => {
    spec
      .given(formalizedPartnership().events)
      .when(command('DepartParticipant', { participantId: P.student, reason: 'graduated' }))
      .then([
        event('ParticipantDeparted', { participantId: P.student, reason: 'graduated', organizationId: ORG.schoolA }),
      ]);
  });

  it('refuses a participant who already departed, a departed successor, and oneself as successor', () => {
    const departed = formalizedPartnership().add('ParticipantDeparted', {
      participantId: P.teacher,
      reason: 'moved',
      organizationId: ORG.schoolA,
    }).events;
    spec
      .given(departed)
      .when(command('DepartParticipant', { participantId: P.teacher, reason: 'again' }))
      .thenThrows('ACTOR_NOT_ACTIVE_MEMBER');
    const successor = spec
      .given(departed)
      .when(
        command('DepartParticipant', { participantId: P.practitioner, reason: 'x', successorParticipantId: P.teacher }),
      )
      .thenThrows('ACTOR_NOT_ACTIVE_MEMBER');
    expect(successor.details).toMatchObject({ field: 'successorParticipantId', reason: 'departed' });
    const self = spec
      .given(formalizedPartnership().events)
      .when(
        command('DepartParticipant', {
          participantId: P.practitioner,
          reason: 'x',
          successorParticipantId: P.practitioner,
        }),
      )
      .thenThrows('ACTOR_NOT_ACTIVE_MEMBER');
    expect(self.details).toMatchObject({ field: 'successorParticipantId' });
  });

  it('refuses an unknown successor (UNKNOWN_REFERENCE)', () => {
    spec
      .given(formalizedPartnership().events)
      .when(
        command('DepartParticipant', { participantId: P.practitioner, reason: 'x', successorParticipantId: 'p-ghost' }),
      )
      .thenThrows('UNKNOWN_REFERENCE');
  });
});

describe('FormalizePartnership', () => {
  const data = {
    agreementRef: 'MOU-1',
    partyOrganizationIds: [ORG.district, ORG.research],
    coLeadParticipantIds: [P.researcher, P.practitioner],
    effectiveFrom: '2024-02-01',
    termEnd: '2026-06-30',
  };

  it('records the agreement and makes the partnership active', () => {
    spec
      .given(exploringPartnership().events)
      .when(command('FormalizePartnership', data))
      .then([event('PartnershipFormalized', data)]);
    spec
      .given(exploringPartnership().events)
      .when(command('FormalizePartnership', data))
      .thenState((state) => {
        expect(state.status).toBe('active');
        if (state.status === 'none') return;
        expect(state.agreement).toMatchObject({ agreementRef: 'MOU-1', termEnd: '2026-06-30', amendments: [] });
      });
  });

  it('accepts a community research collaborative: a community organization and no school', () => {
    const crc = { ...data, partyOrganizationIds: [ORG.community, ORG.research] };
    spec
      .given(exploringPartnership().events)
      .when(command('FormalizePartnership', crc))
      .then([event('PartnershipFormalized', crc)]);
  });

  it.each([
    ['no practice or community party', [ORG.research]],
    ['no research party', [ORG.district, ORG.community]],
    ['only intermediary and funder parties', [ORG.funder]],
    ['no party at all', []],
  ])('refuses %s (PARTNERSHIP_NEEDS_TWO_SIDES)', (_, parties) => {
    spec
      .given(exploringPartnership().events)
      .when(command('FormalizePartnership', { ...data, partyOrganizationIds: parties }))
      .thenThrows('PARTNERSHIP_NEEDS_TWO_SIDES');
  });

  it('refuses a withdrawn party and a departed co-lead (ACTOR_NOT_ACTIVE_MEMBER)', () => {
    spec
      .given(exploringPartnership().add('OrganizationWithdrew', { organizationId: ORG.district, reason: 'x' }).events)
      .when(command('FormalizePartnership', data))
      .thenThrows((e) => e.code === 'ACTOR_NOT_ACTIVE_MEMBER');
    spec
      .given(
        exploringPartnership().add('ParticipantDeparted', {
          participantId: P.researcher,
          reason: 'x',
          organizationId: ORG.research,
        }).events,
      )
      .when(command('FormalizePartnership', data))
      .thenThrows((e) => e.code === 'ACTOR_NOT_ACTIVE_MEMBER' && e.details?.field === 'coLeadParticipantIds');
  });

  it('refuses a partnership that is already formalized (ILLEGAL_STATUS_TRANSITION)', () => {
    spec
      .given(formalizedPartnership().events)
      .when(command('FormalizePartnership', data))
      .thenThrows('ILLEGAL_STATUS_TRANSITION');
  });
});

describe('AmendAgreement', () => {
  it('records a renewal; the new term end becomes the partnership’s', () => {
    const data = { agreementRef: AGREEMENT_REF, amendmentKind: 'renewal' as const, newTermEnd: '2030-06-30' };
    spec
      .given(formalizedPartnership().events)
      .when(command('AmendAgreement', data))
      .then([event('PartnershipAgreementAmended', data)]);
    spec
      .given(formalizedPartnership().events)
      .when(command('AmendAgreement', data))
      .thenState((state) => {
        if (state.status === 'none') throw new Error('no partnership');
        expect(state.agreement?.termEnd).toBe('2030-06-30');
        expect(state.agreement?.amendments).toHaveLength(1);
      });
  });

  it('is accepted while paused and while transitioning', () => {
    const data = { agreementRef: AGREEMENT_REF, amendmentKind: 'termination_notice' as const };
    spec
      .given(formalizedPartnership().status('paused', 'active').events)
      .when(command('AmendAgreement', data))
      .then([event('PartnershipAgreementAmended', data)]);
    spec
      .given(formalizedPartnership().status('transitioning', 'active').events)
      .when(command('AmendAgreement', data))
      .then([event('PartnershipAgreementAmended', data)]);
  });

  it('refuses another agreement ref, and any ref before formalization (UNKNOWN_REFERENCE)', () => {
    spec
      .given(formalizedPartnership().events)
      .when(command('AmendAgreement', { agreementRef: 'MOU-other', amendmentKind: 'scope' }))
      .thenThrows('UNKNOWN_REFERENCE');
    const error = spec
      .given(exploringPartnership().events)
      .when(command('AmendAgreement', { agreementRef: AGREEMENT_REF, amendmentKind: 'scope' }))
      .thenThrows('UNKNOWN_REFERENCE');
    expect(error.message).toMatch(/not been formalized/);
  });
});

describe('ChangePartnershipStatus (ILLEGAL_STATUS_TRANSITION for every edge not in the graph)', () => {
  const exploring = () => exploringPartnership();
  const active = () => formalizedPartnership();
  const paused = () => formalizedPartnership().status('paused', 'active');
  const transitioning = () => formalizedPartnership().status('transitioning', 'active');

  it.each([
    ['active', 'paused', paused],
    ['active', 'transitioning', transitioning],
    ['paused', 'active', active],
    ['transitioning', 'active', active],
  ] as const)('accepts %s → %s', (toStatus, fromStatus, given) => {
    spec
      .given(given().events)
      .when(command('ChangePartnershipStatus', { status: toStatus, reason: 'because' }))
      .then([event('PartnershipStatusChanged', { fromStatus, toStatus, reason: 'because' })]);
  });

  it.each([
    ['exploring', 'active', exploring],
    ['exploring', 'paused', exploring],
    ['exploring', 'transitioning', exploring],
    ['active', 'active', active],
    ['paused', 'paused', paused],
    ['paused', 'transitioning', paused],
    ['transitioning', 'paused', transitioning],
    ['transitioning', 'transitioning', transitioning],
  ] as const)('refuses %s → %s', (from, toStatus, given) => {
    const error = spec
      .given(given().events)
      .when(command('ChangePartnershipStatus', { status: toStatus, reason: 'because' }))
      .thenThrows('ILLEGAL_STATUS_TRANSITION');
    expect(error.details).toMatchObject({ status: from, toStatus });
  });
});

describe('RecordReflection', () => {
  it('records the reflection; the state keeps the count and the latest', () => {
    const data = {
      instrument: 'RPP health toolkit',
      ratings: { research: { d1: 4, d2: 5 }, practice: { d1: 3, d3: 4 } },
      actionsAgreed: ['Monthly joint meetings'],
    };
    spec
      .given(formalizedPartnership().events)
      .when(command('RecordReflection', data))
      .then([event('PartnershipReflectionRecorded', data)]);
    spec
      .given(formalizedPartnership().events)
      .when(command('RecordReflection', data))
      .thenState((state) => {
        if (state.status === 'none') throw new Error('no partnership');
        expect(state.reflections).toMatchObject({ count: 1, lastInstrument: 'RPP health toolkit' });
      });
  });
});

describe('RecordBrokeringActivity', () => {
  const data = {
    brokerParticipantId: P.broker,
    fromOrganizationId: ORG.research,
    toOrganizationId: ORG.schoolA,
    activityKind: 'translate_research' as const,
  };

  it('records the activity, with or without a workstream', () => {
    spec
      .given(formalizedPartnership().events)
      .when(command('RecordBrokeringActivity', data))
      .then([event('BrokeringActivityRecorded', data)]);
    const inWorkstream = { ...data, workstreamId: 'ws-1' };
    spec
      .given(formalizedPartnership().workstreamAt('pilot').events)
      .when(command('RecordBrokeringActivity', inWorkstream))
      .then([event('BrokeringActivityRecorded', inWorkstream)]);
  });

  it('refuses a broker without the broker role, and a withdrawn organization (ACTOR_NOT_ACTIVE_MEMBER)', () => {
    const error = spec
      .given(formalizedPartnership().events)
      .when(command('RecordBrokeringActivity', { ...data, brokerParticipantId: P.practitioner }))
      .thenThrows('ACTOR_NOT_ACTIVE_MEMBER');
    expect(error.details).toEqual({
      field: 'brokerParticipantId',
      participantId: P.practitioner,
      reason: 'missing_role',
      role: 'broker',
    });
    spec
      .given(formalizedPartnership().add('OrganizationWithdrew', { organizationId: ORG.schoolA, reason: 'x' }).events)
      .when(command('RecordBrokeringActivity', data))
      .thenThrows((e) => e.code === 'ACTOR_NOT_ACTIVE_MEMBER' && e.details?.field === 'toOrganizationId');
  });

  it('refuses an unknown organization or workstream (UNKNOWN_REFERENCE)', () => {
    spec
      .given(formalizedPartnership().events)
      .when(command('RecordBrokeringActivity', { ...data, fromOrganizationId: 'org-x' }))
      .thenThrows('UNKNOWN_REFERENCE');
    spec
      .given(formalizedPartnership().events)
      .when(command('RecordBrokeringActivity', { ...data, workstreamId: 'ws-x' }))
      .thenThrows('UNKNOWN_REFERENCE');
  });
});

describe('ClosePartnership', () => {
  const transitioning = () => formalizedPartnership().status('transitioning', 'active');

  it('records the closure when no obligation is open', () => {
    spec
      .given(transitioning().events)
      .when(command('ClosePartnership', { closureKind: 'succeeded_by', successorPartnershipId: 'rpp-2' }))
      .then([event('PartnershipClosed', { closureKind: 'succeeded_by', successorPartnershipId: 'rpp-2' })]);
  });

  it('accepts closure when DSAs ended with disposal certified, and running work sits in concluded workstreams', () => {
    const given = formalizedPartnership()
      .workstreamAt('joint_interpretation', 'ws-1')
      .add('PilotApproved', {
        workstreamId: 'ws-1',
        pilotId: 'pilot-late',
        toolId: 'ws-1-tool',
        toolVersion: 2,
        siteOrganizationIds: [ORG.schoolB],
        approvals: [{ organizationId: ORG.schoolB, kind: 'letter', ref: 'L' }],
        consentBasis: 'not_human_subjects',
        plannedStart: '2024-05-01',
        plannedEnd: '2024-06-01',
      })
      .add('PilotStarted', {
        workstreamId: 'ws-1',
        pilotId: 'pilot-late',
        startedOn: '2024-05-01',
        siteOrganizationIds: [ORG.schoolB],
      })
      .add('PhaseTransitioned', {
        workstreamId: 'ws-1',
        fromPhase: 'joint_interpretation',
        toPhase: 'concluded',
        direction: 'skip',
        reason: 'x',
      })
      .add('DataSharingAgreementEnded', {
        dsaId: DSA_ID,
        endKind: 'expired',
        endedOn: '2024-06-30',
        destructionDueBy: '2024-09-28',
      })
      .add('DataDisposalCertified', {
        dsaId: DSA_ID,
        certifiedByParticipantId: P.researcher,
        method: 'shredded',
        disposedOn: '2024-07-01',
      })
      .status('transitioning', 'active');
    spec
      .given(given.events)
      .when(command('ClosePartnership', { closureKind: 'goals_met' }))
      .then([event('PartnershipClosed', { closureKind: 'goals_met' })]);
  });

  it('lists every open obligation: active DSA, uncertified disposal, running pilot, running study (CLOSURE_OBLIGATIONS_OPEN)', () => {
    const given = formalizedPartnership()
      .workstreamAt('pilot', 'ws-p')
      .add('PilotStarted', {
        workstreamId: 'ws-p',
        pilotId: 'ws-p-pilot',
        startedOn: '2024-03-01',
        siteOrganizationIds: [ORG.schoolA],
      })
      .workstreamAt('formal_study', 'ws-s') // adds dsa-1, still active
      .add('FormalStudyStarted', { workstreamId: 'ws-s', studyId: 'ws-s-study', startedOn: '2024-03-10' })
      .dsa({ dsaId: 'dsa-old' })
      .add('DataSharingAgreementEnded', {
        dsaId: 'dsa-old',
        endKind: 'terminated',
        endedOn: '2024-04-01',
        destructionDueBy: '2024-06-30',
      })
      .status('transitioning', 'active');
    const error = spec
      .given(given.events)
      .when(command('ClosePartnership', { closureKind: 'dissolved' }))
      .thenThrows('CLOSURE_OBLIGATIONS_OPEN');
    expect(error.details?.obligations).toEqual([
      { kind: 'dsa_active', dsaId: DSA_ID },
      { kind: 'disposal_not_certified', dsaId: 'dsa-old', destructionDueBy: '2024-06-30' },
      { kind: 'pilot_running', pilotId: 'ws-p-pilot', workstreamId: 'ws-p' },
      { kind: 'study_running', studyId: 'ws-s-study', workstreamId: 'ws-s' },
    ]);
    expect(error.message).toMatch(/dsa-1.*dsa-old.*ws-p-pilot.*ws-s-study/);
  });

  it('does not count a study whose findings were shared, or an approved pilot that never started', () => {
    const given = formalizedPartnership()
      .workstreamAt('joint_interpretation', 'ws-1')
      .add('PilotApproved', {
        workstreamId: 'ws-1',
        pilotId: 'pilot-unstarted',
        toolId: 'ws-1-tool',
        toolVersion: 1,
        siteOrganizationIds: [ORG.schoolA],
        approvals: [{ organizationId: ORG.schoolA, kind: 'letter', ref: 'L' }],
        consentBasis: 'irb_waiver',
        plannedStart: '2024-05-01',
        plannedEnd: '2024-06-01',
      })
      .status('transitioning', 'active');
    const error = spec
      .given(given.events)
      .when(command('ClosePartnership', { closureKind: 'goals_met' }))
      .thenThrows('CLOSURE_OBLIGATIONS_OPEN');
    expect(error.details?.obligations).toEqual([{ kind: 'dsa_active', dsaId: DSA_ID }]);
  });

  it.each([
    ['exploring', () => exploringPartnership()],
    ['active', () => formalizedPartnership()],
    ['paused', () => formalizedPartnership().status('paused', 'active')],
  ])('refuses closing from %s (ILLEGAL_STATUS_TRANSITION)', (_, given) => {
    spec
      .given(given().events)
      .when(command('ClosePartnership', { closureKind: 'goals_met' }))
      .thenThrows('ILLEGAL_STATUS_TRANSITION');
  });
});

describe('AbandonPartnership', () => {
  it('records the abandonment of an exploring partnership', () => {
    spec
      .given(exploringPartnership().events)
      .when(command('AbandonPartnership', { reason: 'no shared priorities' }))
      .then([event('PartnershipAbandoned', { reason: 'no shared priorities' })]);
  });

  it('leaves an uncertified disposal to be certified afterwards, but refuses an active DSA (CLOSURE_OBLIGATIONS_OPEN)', () => {
    const withEndedDsa = exploringPartnership().dsa().add('DataSharingAgreementEnded', {
      dsaId: DSA_ID,
      endKind: 'terminated',
      endedOn: '2024-03-01',
      destructionDueBy: '2024-05-30',
    });
    spec
      .given(withEndedDsa.events)
      .when(command('AbandonPartnership', { reason: 'x' }))
      .then([event('PartnershipAbandoned', { reason: 'x' })]);
    const error = spec
      .given(exploringPartnership().dsa().events)
      .when(command('AbandonPartnership', { reason: 'x' }))
      .thenThrows('CLOSURE_OBLIGATIONS_OPEN');
    expect(error.details?.obligations).toEqual([{ kind: 'dsa_active', dsaId: DSA_ID }]);
  });

  it.each([
    ['active', () => formalizedPartnership()],
    ['paused', () => formalizedPartnership().status('paused', 'active')],
    ['transitioning', () => formalizedPartnership().status('transitioning', 'active')],
  ])('refuses abandoning from %s (ILLEGAL_STATUS_TRANSITION)', (_, given) => {
    spec
      .given(given().events)
      .when(command('AbandonPartnership', { reason: 'x' }))
      .thenThrows('ILLEGAL_STATUS_TRANSITION');
  });
});
