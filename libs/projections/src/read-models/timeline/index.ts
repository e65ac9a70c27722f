/** Read model "Audit timeline": projection, its fold and the page view (with the disclosure ledger). */
export { TIMELINE, timelineProjection } from './timeline.projection';
export {
  BACK_DATED_AFTER_MS,
  TIMELINE_CONCLUDED_KEPT,
  initialTimelineContext,
  isBackDated,
  stepTimeline,
  type StoredOrganization as TimelineStoredOrganization,
  type StoredParticipant as TimelineStoredParticipant,
  type StoredRecorder as TimelineStoredRecorder,
  type StoredSignal as TimelineStoredSignal,
  type StoredTransition as TimelineStoredTransition,
  type TimelineContext,
  type TimelineEntry,
  type TimelineRow,
} from './timeline.context';
export { organizationsNamed, participantsNamed, type Named as TimelineNamed, type OrganizationCapacity, type ParticipantCapacity } from './timeline.references';
export { summarizeEvent } from './timeline.summary';
export {
  TIMELINE_DEFAULT_LIMIT,
  TIMELINE_MAX_LIMIT,
  eventView as timelineEventView,
  organizationLookup as timelineOrganizationLookup,
  readTimeline,
  type ExplainedTransitionView,
  type TimelineEventRow,
  type TimelineEventView,
  type OrganizationLookup as TimelineOrganizationLookup,
  type TimelineOrganizationView,
  type TimelineParticipantView,
  type TimelineQuery,
  type TimelineRecorderView,
  type TimelineSignalView,
  type TimelineTransitionView,
  type TimelineView,
} from './timeline.view';
export { contextProjection, type ContextProjection, type ContextProjectionOptions, type ContextStep } from './context-projection';
