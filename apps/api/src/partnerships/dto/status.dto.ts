/** Request DTOs of the partnership-status commands: pausing, transitioning, closing, abandoning. */
import {
  CHANGEABLE_STATUSES,
  CLOSURE_KINDS,
  type AbandonPartnershipData,
  type ChangeableStatus,
  type ChangePartnershipStatusData,
  type ClosePartnershipData,
  type ClosureKind,
} from '@trellis/domain';
import { IsOneOf, IsText, IsUuidWhen, LIMITS } from './validation.decorators';

/** Closure kinds that hand the work over to another partnership, which must then be named. */
export const SUCCESSOR_CLOSURE_KINDS = ['succeeded_by', 'merged'] as const satisfies readonly ClosureKind[];

/** `ChangePartnershipStatus`: moves between `active`, `paused` and `transitioning`. */
export class ChangePartnershipStatusDto implements ChangePartnershipStatusData {
  @IsOneOf(CHANGEABLE_STATUSES)
  status!: ChangeableStatus;

  @IsText(LIMITS.longText)
  reason!: string;
}

/** `ClosePartnership`: ends a transitioning partnership for good. */
export class ClosePartnershipDto implements ClosePartnershipData {
  @IsOneOf(CLOSURE_KINDS)
  closureKind!: ClosureKind;

  @IsUuidWhen('closureKind', SUCCESSOR_CLOSURE_KINDS, { description: 'The partnership that carries the work on.' })
  successorPartnershipId?: string;
}

/** `AbandonPartnership`: a partnership still exploring is given up. */
export class AbandonPartnershipDto implements AbandonPartnershipData {
  @IsText(LIMITS.longText)
  reason!: string;
}
