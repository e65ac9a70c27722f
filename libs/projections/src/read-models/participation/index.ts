/** Read model "Participation ledger": projection, its fold and the view (counts of people under 5 as "<5"). */
export { PARTICIPATION, participationProjection } from './participation.projection';
export {
  countOrganizations,
  countRoles,
  initialParticipationContext,
  occurrenceDoc,
  phasePresence,
  stepParticipation,
  type OccurrenceFacts,
  type OccurrenceSignal,
  type OrganizationPresence,
  type ParticipationContext,
  type ParticipationTotals,
  type ParticipationWorkstream,
  type PhaseOccurrenceDoc,
  type PhaseOccurrenceRow,
} from './participation.context';
export {
  familiesAndCommunityAbsent,
  participationView,
  readParticipation,
  type ParticipationSignalView,
  type ParticipationTotalsView,
  type ParticipationView,
  type ParticipationWorkstreamView,
  type PhaseOccurrenceSelected,
  type PhaseOccurrenceView,
} from './participation.view';
