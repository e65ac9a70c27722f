/**
 * Every read model of this build, in one list: the runtime runs them, the admin API lists them.
 */
import type { Projection } from '../core/projection';
import { agreementsProjection } from './agreements';
import { brokerNetworkProjection } from './broker-network';
import { effectivenessProjection } from './effectiveness';
import { partnershipSummaryProjection } from './partnership-summary';
import { participationProjection } from './participation';
import { stalledWorkstreamsProjection } from './stalled-workstreams';
import { timelineProjection } from './timeline';

export * from './agreements';
export * from './broker-network';
export * from './effectiveness';
export * from './partnership-summary';
export * from './participation';
export * from './stalled-workstreams';
export * from './timeline';

export const READ_MODEL_PROJECTIONS: readonly Projection[] = [
  partnershipSummaryProjection,
  timelineProjection,
  participationProjection,
  effectivenessProjection,
  stalledWorkstreamsProjection,
  agreementsProjection,
  brokerNetworkProjection,
];
