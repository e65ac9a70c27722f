/** Request DTOs of findings: sharing, joint interpretation, partner review, dissemination and use. */
import {
  ARTIFACT_KINDS,
  AUDIENCES,
  DECISION_LEVELS,
  REVIEW_OUTCOMES,
  type ArtifactKind,
  type Audience,
  type DecisionLevel,
  type DisseminateFindingsData,
  type InterpretFindingsJointlyData,
  type RecordPracticePartnerReviewData,
  type RecordResearchUseData,
  type ReviewOutcome,
  type SharePreliminaryFindingsData,
} from '@trellis/domain';
import { IsClientId, IsClientIdList, IsIsoDate, IsOneOf, IsText, IsTextList, LIMITS } from './validation.decorators';

/** `SharePreliminaryFindings`: findings from a study or pilot go to partners (gate to `joint_interpretation`). */
export class SharePreliminaryFindingsDto implements SharePreliminaryFindingsData {
  @IsClientId()
  workstreamId!: string;

  @IsClientId({ description: 'New findings id.' })
  findingsId!: string;

  @IsClientId({ description: 'The studyId or pilotId the findings come from.' })
  sourceId!: string;

  @IsClientIdList()
  sharedWithOrganizationIds!: string[];
}

/** `InterpretFindingsJointly`: researchers and practitioners make sense of findings together (gate to `use_dissemination`). */
export class InterpretFindingsJointlyDto implements InterpretFindingsJointlyData {
  @IsClientId()
  workstreamId!: string;

  @IsClientId()
  findingsId!: string;

  @IsIsoDate()
  sessionOn!: string;

  // Empty is the domain's call: JOINT_INTERPRETATION_REQUIRES_PRACTICE (422).
  @IsClientIdList({ min: 0, description: 'At least one researcher and one practitioner (or community member in a collaborative).' })
  attendeeParticipantIds!: string[];

  @IsTextList()
  followUpQuestions!: string[];

  @IsTextList()
  agreedImplications!: string[];
}

/** `RecordPracticePartnerReview`: the practice partner reviewed findings before release ("no surprises"). */
export class RecordPracticePartnerReviewDto implements RecordPracticePartnerReviewData {
  @IsClientId()
  workstreamId!: string;

  @IsClientId()
  findingsId!: string;

  @IsClientId({ description: 'A practice- or community-side member organization.' })
  reviewerOrganizationId!: string;

  @IsOneOf(REVIEW_OUTCOMES)
  outcome!: ReviewOutcome;
}

/** `DisseminateFindings`: findings released as an artifact to an audience. */
export class DisseminateFindingsDto implements DisseminateFindingsData {
  @IsClientId()
  workstreamId!: string;

  @IsClientId()
  findingsId!: string;

  @IsOneOf(ARTIFACT_KINDS)
  artifactKind!: ArtifactKind;

  @IsOneOf(AUDIENCES)
  audience!: Audience;

  @IsIsoDate()
  releasedOn!: string;
}

/** `RecordResearchUse`: a decision that drew on the partnership's evidence. */
export class RecordResearchUseDto implements RecordResearchUseData {
  @IsClientId()
  workstreamId!: string;

  @IsClientId({ description: 'New research-use id.' })
  useId!: string;

  @IsText(LIMITS.longText)
  decisionSummary!: string;

  @IsOneOf(DECISION_LEVELS)
  decisionLevel!: DecisionLevel;

  @IsClientId()
  decidingOrganizationId!: string;

  @IsClientIdList({ description: 'Findings, tools, evidence reviews or inputs the decision drew on.' })
  evidenceIds!: string[];
}
