import { DeciderSpecification } from '../testing/decider-specification';
import {
  command,
  DSA_ID,
  event,
  exploringPartnership,
  formalizedPartnership,
  ORG,
  P,
} from '../testing/partnership.fixtures';
import { partnershipDecider } from './partnership.decider';

const spec = DeciderSpecification.for(partnershipDecider);

const dsaData = {
  dsaId: 'dsa-new',
  providerOrganizationId: ORG.district,
  recipientOrganizationIds: [ORG.research],
  legalBasis: 'ferpa_audit_evaluation' as const,
  purpose: 'Evaluate the reading program',
  dataCategories: ['attendance'],
  piiIncluded: true,
  effectiveFrom: '2024-07-01',
  expiresOn: '2025-06-30',
  destructionPeriodDays: 30,
};

describe('ExecuteDataSharingAgreement', () => {
  it('records the agreement (also while exploring)', () => {
    spec
      .given(formalizedPartnership().events)
      .when(command('ExecuteDataSharingAgreement', dsaData))
      .then([event('DataSharingAgreementExecuted', dsaData)]);
    spec
      .given(exploringPartnership().events)
      .when(command('ExecuteDataSharingAgreement', dsaData))
      .then([event('DataSharingAgreementExecuted', dsaData)]);
  });

  it('refuses an unknown provider or recipient (UNKNOWN_REFERENCE), a withdrawn one (ACTOR_NOT_ACTIVE_MEMBER), a reused id (DUPLICATE_ID)', () => {
    const given = formalizedPartnership().dsa().events;
    spec
      .given(given)
      .when(command('ExecuteDataSharingAgreement', { ...dsaData, providerOrganizationId: 'org-x' }))
      .thenThrows('UNKNOWN_REFERENCE');
    spec
      .given(given)
      .when(command('ExecuteDataSharingAgreement', { ...dsaData, recipientOrganizationIds: ['org-x'] }))
      .thenThrows('UNKNOWN_REFERENCE');
    spec
      .given(given)
      .when(command('ExecuteDataSharingAgreement', { ...dsaData, dsaId: DSA_ID }))
      .thenThrows('DUPLICATE_ID');
    spec
      .given(formalizedPartnership().add('OrganizationWithdrew', { organizationId: ORG.research, reason: 'x' }).events)
      .when(command('ExecuteDataSharingAgreement', dsaData))
      .thenThrows((e) => e.code === 'ACTOR_NOT_ACTIVE_MEMBER' && e.details?.field === 'recipientOrganizationIds');
  });
});

describe('EndDataSharingAgreement', () => {
  it('records the end with destructionDueBy = endedOn + destructionPeriodDays (UTC calendar days)', () => {
    spec
      .given(formalizedPartnership().dsa({ destructionPeriodDays: 90 }).events)
      .when(command('EndDataSharingAgreement', { dsaId: DSA_ID, endKind: 'expired', endedOn: '2024-12-15' }))
      .then([
        event('DataSharingAgreementEnded', {
          dsaId: DSA_ID,
          endKind: 'expired',
          endedOn: '2024-12-15',
          destructionDueBy: '2025-03-15',
        }),
      ]);
  });

  it('crosses a leap day and handles a zero-day period', () => {
    spec
      .given(formalizedPartnership().dsa({ destructionPeriodDays: 1 }).events)
      .when(command('EndDataSharingAgreement', { dsaId: DSA_ID, endKind: 'terminated', endedOn: '2024-02-28' }))
      .then([
        event('DataSharingAgreementEnded', {
          dsaId: DSA_ID,
          endKind: 'terminated',
          endedOn: '2024-02-28',
          destructionDueBy: '2024-02-29',
        }),
      ]);
    spec
      .given(formalizedPartnership().dsa({ destructionPeriodDays: 0 }).events)
      .when(command('EndDataSharingAgreement', { dsaId: DSA_ID, endKind: 'superseded', endedOn: '2024-12-31' }))
      .then([
        event('DataSharingAgreementEnded', {
          dsaId: DSA_ID,
          endKind: 'superseded',
          endedOn: '2024-12-31',
          destructionDueBy: '2024-12-31',
        }),
      ]);
  });

  it('refuses ending twice, and ending before the agreement took effect (OUT_OF_SEQUENCE)', () => {
    const ended = formalizedPartnership().dsa().add('DataSharingAgreementEnded', {
      dsaId: DSA_ID,
      endKind: 'expired',
      endedOn: '2024-06-30',
      destructionDueBy: '2024-09-28',
    });
    spec
      .given(ended.events)
      .when(command('EndDataSharingAgreement', { dsaId: DSA_ID, endKind: 'expired', endedOn: '2024-07-01' }))
      .thenThrows('OUT_OF_SEQUENCE');
    spec
      .given(formalizedPartnership().dsa({ effectiveFrom: '2024-03-01' }).events)
      .when(command('EndDataSharingAgreement', { dsaId: DSA_ID, endKind: 'terminated', endedOn: '2024-02-29' }))
      .thenThrows('OUT_OF_SEQUENCE');
  });

  it('refuses an unknown agreement (UNKNOWN_REFERENCE)', () => {
    spec
      .given(formalizedPartnership().events)
      .when(command('EndDataSharingAgreement', { dsaId: 'dsa-x', endKind: 'expired', endedOn: '2024-07-01' }))
      .thenThrows('UNKNOWN_REFERENCE');
  });
});

describe('CertifyDataDisposal', () => {
  const ended = () =>
    formalizedPartnership().dsa().add('DataSharingAgreementEnded', {
      dsaId: DSA_ID,
      endKind: 'expired',
      endedOn: '2024-06-30',
      destructionDueBy: '2024-09-28',
    });
  const data = {
    dsaId: DSA_ID,
    certifiedByParticipantId: P.researcher,
    method: 'NIST 800-88 purge',
    disposedOn: '2024-07-15',
  };

  it('records the certification', () => {
    spec
      .given(ended().events)
      .when(command('CertifyDataDisposal', data))
      .then([event('DataDisposalCertified', data)]);
  });

  it('refuses certifying an agreement that has not ended, or twice (OUT_OF_SEQUENCE)', () => {
    spec
      .given(formalizedPartnership().dsa().events)
      .when(command('CertifyDataDisposal', data))
      .thenThrows('OUT_OF_SEQUENCE');
    spec
      .given(ended().add('DataDisposalCertified', data).events)
      .when(command('CertifyDataDisposal', data))
      .thenThrows('OUT_OF_SEQUENCE');
  });

  it('refuses a certifier who is not an active member (ACTOR_NOT_ACTIVE_MEMBER)', () => {
    spec
      .given(
        ended().add('ParticipantDeparted', {
          participantId: P.researcher,
          reason: 'left',
          organizationId: ORG.research,
        }).events,
      )
      .when(command('CertifyDataDisposal', data))
      .thenThrows('ACTOR_NOT_ACTIVE_MEMBER');
  });
});

describe('RecordDataReceived', () => {
  const given = () => formalizedPartnership().workstreamAt('formal_study').events; // dsa-1: PII, attendance + assessment_scores, 2024-01-01..2026-12-31
  const data = {
    workstreamId: 'ws-1',
    transferId: 'xfer-9',
    dsaId: DSA_ID,
    dataCategories: ['attendance', 'assessment_scores'],
    piiIncluded: true,
    receivedOn: '2024-09-01',
    recipientOrganizationId: ORG.research,
  };

  it('records a PII transfer under an active agreement that covers it', () => {
    spec
      .given(given())
      .when(command('RecordDataReceived', data))
      .then([event('DataReceivedUnderAgreement', data)]);
  });

  it('records a non-PII transfer outside the term and categories (only the ended check applies)', () => {
    const deidentified = {
      ...data,
      piiIncluded: false,
      dataCategories: ['aggregate_counts'],
      receivedOn: '2030-01-01',
    };
    spec
      .given(given())
      .when(command('RecordDataReceived', deidentified))
      .then([event('DataReceivedUnderAgreement', deidentified)]);
  });

  it('accepts the last day of the term and the first', () => {
    spec
      .given(given())
      .when(command('RecordDataReceived', { ...data, receivedOn: '2026-12-31' }))
      .then([event('DataReceivedUnderAgreement', { ...data, receivedOn: '2026-12-31' })]);
    spec
      .given(given())
      .when(command('RecordDataReceived', { ...data, receivedOn: '2024-01-01' }))
      .then([event('DataReceivedUnderAgreement', { ...data, receivedOn: '2024-01-01' })]);
  });

  const endedDsa = () =>
    formalizedPartnership().workstreamAt('formal_study').add('DataSharingAgreementEnded', {
      dsaId: DSA_ID,
      endKind: 'terminated',
      endedOn: '2024-06-30',
      destructionDueBy: '2024-09-28',
    }).events;

  it.each([
    ['an ended agreement (PII)', endedDsa, data, 'dsa_ended'],
    ['an ended agreement, even without PII', endedDsa, { ...data, piiIncluded: false }, 'dsa_ended'],
    ['before effectiveFrom', given, { ...data, receivedOn: '2023-12-31' }, 'outside_term'],
    ['after expiresOn', given, { ...data, receivedOn: '2027-01-01' }, 'outside_term'],
    [
      'an uncovered data category',
      given,
      { ...data, dataCategories: ['attendance', 'discipline'] },
      'category_not_covered',
    ],
    [
      'a recipient the agreement does not name',
      given,
      { ...data, recipientOrganizationId: ORG.community },
      'recipient_not_named',
    ],
    [
      'PII under an agreement that excludes PII',
      () => formalizedPartnership().dsa({ piiIncluded: false }).workstreamAt('formal_study').events,
      data,
      'pii_not_allowed',
    ],
  ])('refuses data received under %s (DATA_ONLY_UNDER_ACTIVE_DSA)', (_, history, cmdData, problem) => {
    const error = spec
      .given(history())
      .when(command('RecordDataReceived', cmdData))
      .thenThrows('DATA_ONLY_UNDER_ACTIVE_DSA');
    expect(error.details).toMatchObject({ dsaId: DSA_ID, problem });
  });

  it('refuses an unknown DSA or recipient (UNKNOWN_REFERENCE), a reused transfer id (DUPLICATE_ID)', () => {
    spec
      .given(given())
      .when(command('RecordDataReceived', { ...data, dsaId: 'dsa-x' }))
      .thenThrows('UNKNOWN_REFERENCE');
    spec
      .given(given())
      .when(command('RecordDataReceived', { ...data, recipientOrganizationId: 'org-x' }))
      .thenThrows('UNKNOWN_REFERENCE');
    const withTransfer = formalizedPartnership().workstreamAt('joint_interpretation').events;
    spec
      .given(withTransfer)
      .when(command('RecordDataReceived', { ...data, transferId: 'ws-1-transfer' }))
      .thenThrows('DUPLICATE_ID');
  });

  it('is recorded in any phase of an open workstream, also while the partnership is paused', () => {
    const paused = formalizedPartnership().dsa().workstreamAt('problem_framing').status('paused', 'active').events;
    spec
      .given(paused)
      .when(command('RecordDataReceived', data))
      .then([event('DataReceivedUnderAgreement', data)]);
  });
});
