/**
 * Shared `$all` histories for the stalled-workstreams, agreements and broker-network specs: both
 * seed paths of DOMAIN.md interleaved with partnerships that exercise what the seeds do not — a
 * paused partnership, a departed broker, DSAs ended with and without certified disposal, an amended
 * agreement, pilots waiting to start and running late, a closed and an abandoned partnership.
 * Every command goes through the real decider (TestLog), so the histories are ones the API accepts.
 */
import { PartnershipFixtures } from '@trellis/domain';
import { TestLog, type LogCommand, type PartnershipLog } from './test-log';

const { TOOL_PATH, STATE_PATH } = PartnershipFixtures;

/** The tool path, then: an amended MOU, its DSA ended and disposal certified, a second DSA ended
 * without certification, a second workstream waiting for an agenda, two brokers (one departs). */
export const TOOL_PARTNERSHIP_ID = '11111111-1111-4111-8111-111111111111';
export function toolPathCommands(): LogCommand[] {
  const { district, research, county, workstreamId, dsaId } = TOOL_PATH;
  return [
    ...PartnershipFixtures.seedToolPath(),
    { type: 'JoinParticipant', data: { participantId: 'p-county-broker', organizationId: county, roles: ['practitioner', 'broker'] }, on: '2025-08-02' },
    { type: 'RecordBrokeringActivity', data: { brokerParticipantId: 'p-dist-broker', fromOrganizationId: district, toOrganizationId: research, activityKind: 'translate_research', workstreamId }, on: '2025-08-05' },
    { type: 'RecordBrokeringActivity', data: { brokerParticipantId: 'p-dist-broker', fromOrganizationId: research, toOrganizationId: district, activityKind: 'convene' }, on: '2025-08-06' },
    { type: 'RecordBrokeringActivity', data: { brokerParticipantId: 'p-dist-broker', fromOrganizationId: district, toOrganizationId: county, activityKind: 'connect' }, on: '2025-08-07' },
    { type: 'RecordBrokeringActivity', data: { brokerParticipantId: 'p-county-broker', fromOrganizationId: county, toOrganizationId: district, activityKind: 'share_strategies' }, on: '2025-08-08' },
    { type: 'AmendAgreement', data: { agreementRef: 'MOU-VALLEY-2024', amendmentKind: 'renewal', newTermEnd: '2029-01-31' }, on: '2025-09-01' },
    { type: 'EndDataSharingAgreement', data: { dsaId, endKind: 'terminated', endedOn: '2025-09-15' }, on: '2025-09-15' },
    { type: 'CertifyDataDisposal', data: { dsaId, certifiedByParticipantId: 'p-lab-lead', method: 'NIST 800-88 purge', disposedOn: '2025-10-30' }, on: '2025-11-01' },
    {
      type: 'ExecuteDataSharingAgreement',
      data: {
        dsaId: 'dsa-valley-surveys',
        providerOrganizationId: district,
        recipientOrganizationIds: [research],
        legalBasis: 'deidentified_only',
        purpose: 'Aggregate engagement surveys',
        dataCategories: ['engagement_survey'],
        piiIncluded: false,
        effectiveFrom: '2025-09-01',
        expiresOn: '2026-08-31',
        destructionPeriodDays: 30,
        noSurprisesReviewDays: 14,
      },
      on: '2025-09-02',
    },
    {
      type: 'RecordDataReceived',
      data: { workstreamId, transferId: 'xfer-surveys', dsaId: 'dsa-valley-surveys', dataCategories: ['engagement_survey'], piiIncluded: false, receivedOn: '2025-09-20' },
      on: '2025-09-21',
      recordedOn: '2025-09-25',
    },
    { type: 'EndDataSharingAgreement', data: { dsaId: 'dsa-valley-surveys', endKind: 'superseded', endedOn: '2025-10-01' }, on: '2025-10-01' },
    { type: 'OpenWorkstream', data: { workstreamId: 'ws-coaching', title: 'County coaching', leadParticipantIds: ['p-dist-lead', 'p-lab-lead'] }, on: '2025-10-06' },
    {
      type: 'DefineProblemOfPractice',
      data: { workstreamId: 'ws-coaching', problemId: 'prob-coaching', statement: 'Coaches lack time for the routines', proposedByParticipantIds: ['p-county-staff'], intendedUse: 'Plan coaching time' },
      on: '2025-10-08',
    },
    { type: 'DepartParticipant', data: { participantId: 'p-dist-broker', reason: 'took another position' }, on: '2025-10-15' },
  ];
}

/** The state-agency path (a study running under `dsa-retention`), paused 2024-10-01 → 2024-12-01,
 * then paused again from 2025-03-01 (still paused). */
export const STATE_PARTNERSHIP_ID = '22222222-2222-4222-8222-222222222222';
export function stateAgencyCommands(): LogCommand[] {
  return [
    ...PartnershipFixtures.seedStateAgencyPath(),
    { type: 'ChangePartnershipStatus', data: { status: 'paused', reason: 'funding gap' }, on: '2024-10-01' },
    { type: 'ChangePartnershipStatus', data: { status: 'active', reason: 'new grant' }, on: '2024-12-01' },
    { type: 'RecordBrokeringActivity', data: { brokerParticipantId: 'p-sea-director', fromOrganizationId: STATE_PATH.urbanLea, toOrganizationId: STATE_PATH.ruralLea, activityKind: 'share_strategies' }, on: '2025-01-10' },
    { type: 'ChangePartnershipStatus', data: { status: 'paused', reason: 'leadership turnover' }, on: '2025-03-01' },
  ];
}

export const PILOT_PARTNERSHIP_ID = '33333333-3333-4333-8333-333333333333';

/** Two workstreams in `pilot`: `ws-waiting` (approved, planned start 2025-03-01, not started) and
 * `ws-late` (running, planned end 2025-05-31); `ws-study` with a study approved, not started. */
export function pilotCommands(): LogCommand[] {
  return [
    { type: 'ProposePartnership', data: { name: 'Harbor math pilots', initiationMode: 'researcher', focus: 'fractions', types: ['networked_improvement_community'] }, on: '2024-11-01' },
    { type: 'JoinOrganization', data: { organizationId: 'org-harbor', name: 'Harbor SD', orgType: 'school_district', side: 'practice' }, on: '2024-11-01' },
    { type: 'JoinOrganization', data: { organizationId: 'org-bay-es', name: 'Bay Elementary', orgType: 'school', side: 'practice', parentOrganizationId: 'org-harbor' }, on: '2024-11-01' },
    { type: 'JoinOrganization', data: { organizationId: 'org-uni', name: 'Harbor University', orgType: 'research_organization', side: 'research' }, on: '2024-11-01' },
    { type: 'JoinOrganization', data: { organizationId: 'org-nic', name: 'Math NIC hub', orgType: 'intermediary_network', side: 'intermediary' }, on: '2024-11-01' },
    { type: 'JoinParticipant', data: { participantId: 'h-res', organizationId: 'org-uni', roles: ['researcher'] }, on: '2024-11-02' },
    { type: 'JoinParticipant', data: { participantId: 'h-prac', organizationId: 'org-harbor', roles: ['practitioner'] }, on: '2024-11-02' },
    { type: 'JoinParticipant', data: { participantId: 'h-teacher', organizationId: 'org-bay-es', roles: ['practitioner'] }, on: '2024-11-02' },
    { type: 'JoinParticipant', data: { participantId: 'h-broker', organizationId: 'org-nic', roles: ['broker'] }, on: '2024-11-02' },
    { type: 'FormalizePartnership', data: { agreementRef: 'CHARTER-HARBOR', partyOrganizationIds: ['org-harbor', 'org-uni'], coLeadParticipantIds: ['h-res', 'h-prac'], effectiveFrom: '2024-11-15', termEnd: '2025-11-14' }, on: '2024-11-15' },
    ...toPilot('ws-waiting', '2025-03-01', '2025-05-31'),
    ...toPilot('ws-late', '2025-02-01', '2025-05-31'),
    { type: 'StartPilot', data: { workstreamId: 'ws-late', pilotId: 'ws-late-pilot', startedOn: '2025-02-03', siteOrganizationIds: ['org-bay-es'] }, on: '2025-02-03' },
    { type: 'OpenWorkstream', data: { workstreamId: 'ws-study', title: 'Fractions study', leadParticipantIds: ['h-res', 'h-prac'] }, on: '2024-12-01' },
    { type: 'DefineProblemOfPractice', data: { workstreamId: 'ws-study', problemId: 'ws-study-problem', statement: 'Fractions', proposedByParticipantIds: ['h-prac'], intendedUse: 'Adopt curriculum' }, on: '2024-12-02' },
    { type: 'AgreeResearchAgenda', data: { workstreamId: 'ws-study', agendaId: 'ws-study-agenda', researchQuestions: [{ questionId: 'ws-study-q', text: 'Does it work?' }], agreedByParticipantIds: ['h-res', 'h-prac'] }, on: '2024-12-03' },
    { type: 'RecordEvidenceReview', data: { workstreamId: 'ws-study', reviewId: 'ws-study-review', sources: ['state data'], evidenceTypes: ['local_data'], contributorParticipantIds: ['h-res', 'h-prac'] }, on: '2024-12-04' },
    {
      type: 'ExecuteDataSharingAgreement',
      data: { dsaId: 'dsa-harbor', providerOrganizationId: 'org-harbor', recipientOrganizationIds: ['org-uni'], legalBasis: 'ferpa_studies_exception', purpose: 'Fractions study', dataCategories: ['assessment_scores'], piiIncluded: true, effectiveFrom: '2024-12-01', expiresOn: '2025-08-31', destructionPeriodDays: 45 },
      on: '2024-12-05',
    },
    {
      type: 'ApproveFormalStudy',
      data: { workstreamId: 'ws-study', studyId: 'ws-study-study', questionIds: ['ws-study-q'], design: 'RCT', siteOrganizationIds: ['org-bay-es'], approvals: [{ organizationId: 'org-harbor', kind: 'district_research_office', ref: 'H-1' }], usesStudentRecords: true, dsaIds: ['dsa-harbor'] },
      on: '2024-12-10',
    },
    { type: 'RecordBrokeringActivity', data: { brokerParticipantId: 'h-broker', fromOrganizationId: 'org-nic', toOrganizationId: 'org-harbor', activityKind: 'facilitate_routines', workstreamId: 'ws-late' }, on: '2025-02-10' },
  ];
}

function toPilot(ws: string, plannedStart: string, plannedEnd: string) {
  return [
    { type: 'OpenWorkstream' as const, data: { workstreamId: ws, title: `Pilot ${ws}`, leadParticipantIds: ['h-res', 'h-prac'] }, on: '2024-11-20' },
    { type: 'DefineProblemOfPractice' as const, data: { workstreamId: ws, problemId: `${ws}-problem`, statement: 'Fractions', proposedByParticipantIds: ['h-teacher'], intendedUse: 'Choose routines' }, on: '2024-11-21' },
    { type: 'AgreeResearchAgenda' as const, data: { workstreamId: ws, agendaId: `${ws}-agenda`, researchQuestions: [{ questionId: `${ws}-q`, text: 'Which routine?' }], agreedByParticipantIds: ['h-res', 'h-prac'] }, on: '2024-11-22' },
    { type: 'RecordEvidenceReview' as const, data: { workstreamId: ws, reviewId: `${ws}-review`, sources: ['WWC guide'], evidenceTypes: ['research_literature'], contributorParticipantIds: ['h-res', 'h-teacher'] }, on: '2024-11-25' },
    { type: 'CoDevelopTool' as const, data: { workstreamId: ws, toolId: `${ws}-tool`, name: 'Fraction talks', purpose: 'Routines', coDesignerParticipantIds: ['h-res', 'h-teacher'] }, on: '2024-12-02' },
    {
      type: 'ApprovePilot' as const,
      data: {
        workstreamId: ws,
        pilotId: `${ws}-pilot`,
        toolId: `${ws}-tool`,
        toolVersion: 1,
        siteOrganizationIds: ['org-bay-es'],
        approvals: [{ organizationId: 'org-bay-es', kind: 'school_site_letter', ref: `${ws}-L` }],
        consentBasis: 'staff_consent_only' as const,
        plannedStart,
        plannedEnd,
      },
      on: '2025-01-15',
    },
  ];
}

/** Closed (goals met) with an open workstream, and an exploring partnership abandoned with one:
 * neither lists anything. */
export const CLOSED_PARTNERSHIP_ID = '44444444-4444-4444-8444-444444444444';
export const ABANDONED_PARTNERSHIP_ID = '55555555-5555-4555-8555-555555555555';
export function closedCommands(): LogCommand[] {
  return [
    { type: 'ProposePartnership', data: { name: 'Closed alliance', initiationMode: 'research_center', focus: 'attendance' }, on: '2024-01-10' },
    { type: 'JoinOrganization', data: { organizationId: 'c-lea', name: 'LEA', orgType: 'LEA', side: 'practice' }, on: '2024-01-10' },
    { type: 'JoinOrganization', data: { organizationId: 'c-res', name: 'Center', orgType: 'research_organization', side: 'research' }, on: '2024-01-10' },
    { type: 'JoinParticipant', data: { participantId: 'c-a', organizationId: 'c-lea', roles: ['practitioner', 'broker'] }, on: '2024-01-11' },
    { type: 'JoinParticipant', data: { participantId: 'c-b', organizationId: 'c-res', roles: ['researcher'] }, on: '2024-01-11' },
    { type: 'FormalizePartnership', data: { agreementRef: 'MOU-C', partyOrganizationIds: ['c-lea', 'c-res'], coLeadParticipantIds: ['c-a', 'c-b'], effectiveFrom: '2024-02-01' }, on: '2024-02-01' },
    { type: 'OpenWorkstream', data: { workstreamId: 'c-ws', title: 'Attendance', leadParticipantIds: ['c-a', 'c-b'] }, on: '2024-02-02' },
    { type: 'RecordBrokeringActivity', data: { brokerParticipantId: 'c-a', fromOrganizationId: 'c-lea', toOrganizationId: 'c-res', activityKind: 'governance' }, on: '2024-02-03' },
    { type: 'ChangePartnershipStatus', data: { status: 'transitioning', reason: 'grant ends' }, on: '2024-06-01' },
    { type: 'ClosePartnership', data: { closureKind: 'goals_met' }, on: '2024-06-30' },
  ];
}
export function abandonedCommands(): LogCommand[] {
  return [
    { type: 'ProposePartnership', data: { name: 'Never formalized', initiationMode: 'community', focus: 'youth voice', types: ['community_research_collaborative'] }, on: '2024-05-01' },
    { type: 'JoinOrganization', data: { organizationId: 'a-cbo', name: 'Youth CBO', orgType: 'community_organization', side: 'community' }, on: '2024-05-01' },
    { type: 'JoinParticipant', data: { participantId: 'a-p', organizationId: 'a-cbo', roles: ['community_member'] }, on: '2024-05-01' },
    { type: 'OpenWorkstream', data: { workstreamId: 'a-ws', title: 'Youth voice', leadParticipantIds: ['a-p'] }, on: '2024-05-02' },
    { type: 'AbandonPartnership', data: { reason: 'no research partner' }, on: '2024-09-01' },
  ];
}

/**
 * Runs each partnership's commands in its own stream, interleaved across partnerships by date (as
 * `$all` interleaves them in production); each partnership's own order is kept.
 */
export function runInterleaved(plans: ReadonlyArray<readonly [PartnershipLog, readonly LogCommand[]]>): void {
  const cursors = plans.map(() => 0);
  for (;;) {
    // The next command of the earliest date; ties go to the partnership listed first.
    let best = -1;
    plans.forEach(([, commands], i) => {
      const next = commands[cursors[i]!];
      if (next && (best < 0 || (next.on ?? '') < (plans[best]![1][cursors[best]!]!.on ?? ''))) best = i;
    });
    if (best < 0) return;
    const [p, commands] = plans[best]!;
    p.run([commands[cursors[best]!]!]);
    cursors[best]! += 1;
  }
}

/** Every partnership above, interleaved in one log (positions shared, as in `$all`). */
export function mixedHistory(): {
  log: TestLog;
  tool: PartnershipLog;
  state: PartnershipLog;
  pilots: PartnershipLog;
  closed: PartnershipLog;
  abandoned: PartnershipLog;
} {
  const log = new TestLog();
  const tool = log.partnership(TOOL_PARTNERSHIP_ID);
  const state = log.partnership(STATE_PARTNERSHIP_ID);
  const pilots = log.partnership(PILOT_PARTNERSHIP_ID);
  const closed = log.partnership(CLOSED_PARTNERSHIP_ID);
  const abandoned = log.partnership(ABANDONED_PARTNERSHIP_ID);
  runInterleaved([
    [tool, toolPathCommands()],
    [state, stateAgencyCommands()],
    [pilots, pilotCommands()],
    [closed, closedCommands()],
    [abandoned, abandonedCommands()],
  ]);
  return { log, tool, state, pilots, closed, abandoned };
}
