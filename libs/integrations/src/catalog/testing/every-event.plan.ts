/**
 * Command histories that make the decider emit every event type at least once: DOMAIN.md's tool
 * path carried on to closure (reviews, dissemination, membership changes, an amendment, the data-sharing
 * agreement ended and its disposal certified, a reflection, explicit phase moves, a pause and the
 * closing), plus a second partnership that is abandoned while exploring. Run them through the decider
 * (`PartnershipFixtures.runCommands`) or over HTTP, one partnership per list.
 */
import { PartnershipFixtures } from '@trellis/domain';

const { plan, seedToolPath, TOOL_PATH } = PartnershipFixtures;
type PlannedCommand = PartnershipFixtures.PlannedCommand;

/** The tool path, then everything else a partnership records until it closes. */
export function closedPartnershipPlan(): PlannedCommand[] {
  const { district, research, schools, workstreamId: ws, dsaId } = TOOL_PATH;
  const problemId = 'prob-engagement';
  const findingsId = 'findings-routines';
  return [
    ...seedToolPath(),
    plan('2025-08-05', 'ReframeProblemOfPractice', {
      workstreamId: ws,
      problemId,
      statement: 'Engagement declines most in the transition to the middle grades',
      reason: 'The joint interpretation located the decline',
    }),
    plan('2025-08-10', 'RecordPracticePartnerReview', {
      workstreamId: ws,
      findingsId,
      reviewerOrganizationId: district,
      outcome: 'cleared',
    }),
    plan('2025-08-20', 'DisseminateFindings', {
      workstreamId: ws,
      findingsId,
      artifactKind: 'brief',
      audience: 'public',
      releasedOn: '2025-08-20',
    }),
    plan('2025-08-21', 'RecordReflection', {
      instrument: 'Henrick et al. effectiveness rubric',
      ratings: { research: { d1: 4, d2: 3 }, practice: { d1: 5, d3: 4 } },
      actionsAgreed: ['Meet monthly with the county office'],
    }),
    plan('2025-08-22', 'ChangeParticipantRoles', { participantId: 'p-principal-pine', roles: ['practitioner', 'broker'] }),
    plan('2025-08-23', 'RecordBrokeringActivity', {
      brokerParticipantId: 'p-principal-pine',
      fromOrganizationId: schools[1],
      toOrganizationId: research,
      activityKind: 'translate_research',
    }),
    plan('2025-08-24', 'DepartParticipant', {
      participantId: 'p-principal-pine',
      reason: 'Moved to another district',
      successorParticipantId: 'p-dist-broker',
    }),
    plan('2025-08-25', 'JoinOrganization', {
      organizationId: 'org-valley-families',
      name: 'Valley Families Network',
      orgType: 'community_organization',
      side: 'community',
    }),
    plan('2025-08-26', 'WithdrawOrganization', { organizationId: 'org-valley-families', reason: 'Merged into the county network' }),
    plan('2025-08-27', 'AmendAgreement', { agreementRef: 'MOU-VALLEY-2024', amendmentKind: 'termination_notice' }),
    plan('2025-08-28', 'TransitionPhase', { workstreamId: ws, toPhase: 'concluded', reason: 'Findings used and shared' }),
    plan('2025-09-01', 'EndDataSharingAgreement', { dsaId, endKind: 'terminated', endedOn: '2025-09-01' }),
    plan('2025-10-15', 'CertifyDataDisposal', {
      dsaId,
      certifiedByParticipantId: 'p-lab-lead',
      method: 'NIST 800-88 purge',
      disposedOn: '2025-10-14',
    }),
    plan('2025-10-20', 'ChangePartnershipStatus', { status: 'paused', reason: 'Between school years' }),
    plan('2025-11-01', 'ChangePartnershipStatus', { status: 'active', reason: 'New school year' }),
    plan('2025-11-02', 'ChangePartnershipStatus', { status: 'transitioning', reason: 'Agreement ending' }),
    plan('2025-12-01', 'ClosePartnership', { closureKind: 'goals_met' }),
  ];
}

/** A partnership proposed, joined by one organization, and abandoned. */
export function abandonedPartnershipPlan(): PlannedCommand[] {
  return [
    plan('2025-03-01', 'ProposePartnership', {
      name: 'Community literacy circle',
      initiationMode: 'community',
      focus: 'family literacy nights',
    }),
    plan('2025-03-02', 'JoinOrganization', {
      organizationId: 'org-library',
      name: 'Valley Public Library',
      orgType: 'community_organization',
      side: 'community',
    }),
    plan('2025-04-01', 'AbandonPartnership', { reason: 'No research partner found' }),
  ];
}
