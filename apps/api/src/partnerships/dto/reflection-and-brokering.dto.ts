/** Request DTOs of partners' reflections (effectiveness ratings) and brokering activity. */
import {
  BROKERING_ACTIVITY_KINDS,
  EFFECTIVENESS_DIMENSIONS,
  SIDES,
  type BrokeringActivityKind,
  type RecordBrokeringActivityData,
  type RecordReflectionData,
  type ReflectionRatings,
} from '@trellis/domain';
import { IsClientId, IsKeyedRecord, IsOneOf, IsText, IsTextList, LIMITS, type KeyedRecordSpec } from './validation.decorators';

/** Ratings 1–5 per effectiveness dimension (Henrick et al. 2017), keyed by the side that rated. */
export const REFLECTION_RATINGS_SPEC: KeyedRecordSpec = {
  keys: SIDES,
  keyName: 'side',
  minKeys: 1,
  value: { keys: EFFECTIVENESS_DIMENSIONS, keyName: 'dimension', minKeys: 1, value: { min: 1, max: 5 } },
};

/** `RecordReflection`: partners rate the partnership along the five dimensions and agree actions. */
export class RecordReflectionDto implements RecordReflectionData {
  @IsText(LIMITS.shortText, { description: 'The reflection instrument or protocol used.' })
  instrument!: string;

  @IsKeyedRecord(REFLECTION_RATINGS_SPEC, {
    description:
      'Ratings keyed by side (research, practice, community, intermediary, funder; at least one), each an object ' +
      'keyed by effectiveness dimension d1–d5 (at least one) with integer ratings 1–5. d1 trust and relationships, ' +
      "d2 rigorous research to inform action, d3 supporting the practice organization's goals, d4 knowledge for the " +
      'broader field, d5 capacity building.',
    example: { research: { d1: 4, d2: 4, d3: 3, d4: 3, d5: 4 }, practice: { d1: 4, d3: 3, d5: 2 } },
  })
  ratings!: ReflectionRatings;

  @IsTextList({ description: 'Actions the partners agreed on.' })
  actionsAgreed!: string[];
}

/** `RecordBrokeringActivity`: a broker bridged two member organizations. */
export class RecordBrokeringActivityDto implements RecordBrokeringActivityData {
  @IsClientId({ description: 'A participant holding the broker role.' })
  brokerParticipantId!: string;

  @IsClientId()
  fromOrganizationId!: string;

  @IsClientId()
  toOrganizationId!: string;

  @IsOneOf(BROKERING_ACTIVITY_KINDS)
  activityKind!: BrokeringActivityKind;

  @IsClientId({ optional: true })
  workstreamId?: string;
}
