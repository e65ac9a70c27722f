/** Read model "Stalled workstreams": the projection, its row document and the query-time rules. */
export {
  STALLED_WORKSTREAMS,
  STALLED_WORKSTREAMS_EVENT_TYPES,
  stalledWorkstreamsProjection,
  stalledWorkstreamKey,
} from './stalled-workstreams.projection';
export {
  DEFAULT_STALL_THRESHOLDS,
  STALL_CLOCK_KINDS,
  STALL_CLOCK_POLICIES,
  STALL_DSA_EXPIRY_WARNING_DAYS,
  assessWorkstream,
  stallBlockersOf,
  type StallAssessment,
  type StallBlocker,
  type StallBlockerCode,
  type StallClock,
  type StallClockKind,
  type StallThresholds,
  type StalledWorkstreamDoc,
} from './stalled-workstreams.rules';
export type { StalledContext, WorkstreamFacts as StalledWorkstreamFacts } from './stalled-workstreams.context';
