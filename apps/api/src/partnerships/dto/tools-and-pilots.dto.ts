/** Request DTOs of co-design: tools, their pilots in schools, stakeholder input and revisions. */
import {
  CONSENT_BASES,
  INPUT_METHODS,
  ORG_TYPES,
  PILOT_OUTCOMES,
  ROLES,
  type ApprovePilotData,
  type CoDevelopToolData,
  type ConcludePilotData,
  type ConsentBasis,
  type InputMethod,
  type PilotOutcome,
  type RecordStakeholderInputData,
  type RespondentCounts,
  type ReviseToolData,
  type StartPilotData,
} from '@trellis/domain';
import { ApprovalDto } from './approval.dto';
import {
  IsBoundedInt,
  IsClientId,
  IsClientIdList,
  IsIsoDate,
  IsKeyedRecord,
  IsNestedList,
  IsOneOf,
  IsOnOrAfter,
  IsPairedWith,
  IsText,
  LIMITS,
  type KeyedRecordSpec,
} from './validation.decorators';

const MAX_TOOL_VERSION = 1_000_000;

/** Aggregate respondent counts keyed by role or organization type; never individuals. */
export const RESPONDENT_COUNTS_SPEC: KeyedRecordSpec = {
  keys: [...new Set<string>([...ROLES, ...ORG_TYPES])],
  keyName: 'role or organization type',
  minKeys: 1,
  value: { min: 0, max: 10_000_000 },
};

/** `CoDevelopTool`: researchers and practitioners create a tool, version 1 (gate to `co_design`). */
export class CoDevelopToolDto implements CoDevelopToolData {
  @IsClientId()
  workstreamId!: string;

  @IsClientId({ description: 'New tool id, unique in the partnership.' })
  toolId!: string;

  @IsText(LIMITS.shortText)
  name!: string;

  @IsText(LIMITS.longText)
  purpose!: string;

  @IsClientIdList()
  coDesignerParticipantIds!: string[];
}

/** `ApprovePilot`: a tool version may be piloted at approved school sites (gate to `pilot`). */
export class ApprovePilotDto implements ApprovePilotData {
  @IsClientId()
  workstreamId!: string;

  @IsClientId({ description: 'New pilot id.' })
  pilotId!: string;

  @IsClientId()
  toolId!: string;

  @IsBoundedInt(1, MAX_TOOL_VERSION, { description: 'An existing version of the tool.' })
  toolVersion!: number;

  // Empty sites or approvals are the domain's call: PILOT_NEEDS_SITES_APPROVALS_CONSENT (422).
  @IsClientIdList({ min: 0, description: 'Site organizations; at least one must be a school.' })
  siteOrganizationIds!: string[];

  @IsNestedList(ApprovalDto, { min: 0, description: 'An approval for every site.' })
  approvals!: ApprovalDto[];

  @IsOneOf(CONSENT_BASES)
  consentBasis!: ConsentBasis;

  @IsIsoDate()
  plannedStart!: string;

  @IsIsoDate({ description: 'On or after plannedStart.' })
  @IsOnOrAfter('plannedStart')
  plannedEnd!: string;
}

/** `StartPilot`: the pilot begins at some or all of its approved sites. */
export class StartPilotDto implements StartPilotData {
  @IsClientId()
  workstreamId!: string;

  @IsClientId()
  pilotId!: string;

  @IsIsoDate()
  startedOn!: string;

  @IsClientIdList({ description: 'Sites starting now; each must have been approved.' })
  siteOrganizationIds!: string[];
}

/** `RecordStakeholderInput`: input gathered from partners and the community, as aggregate counts. */
export class RecordStakeholderInputDto implements RecordStakeholderInputData {
  @IsClientId()
  workstreamId!: string;

  @IsClientId({ description: 'New input id.' })
  inputId!: string;

  @IsClientId({ optional: true, description: 'The tool the input is about; given together with toolVersion.' })
  @IsPairedWith('toolVersion')
  toolId?: string;

  @IsBoundedInt(1, MAX_TOOL_VERSION, { optional: true, description: 'The tool version the input is about; given together with toolId.' })
  @IsPairedWith('toolId')
  toolVersion?: number;

  @IsOneOf(INPUT_METHODS)
  method!: InputMethod;

  @IsKeyedRecord(RESPONDENT_COUNTS_SPEC, {
    description:
      'Number of respondents keyed by role (researcher, practitioner, family_member, …) or organization type ' +
      '(school, community_organization, …); integers 0–10,000,000, at least one key.',
    example: { family_member: 42, practitioner: 12, community_organization: 3 },
  })
  respondentCounts!: RespondentCounts;

  @IsClientId({ optional: true })
  convenedByParticipantId?: string;
}

/** `ReviseTool`: a new tool version that answers earlier input or findings. */
export class ReviseToolDto implements ReviseToolData {
  @IsClientId()
  workstreamId!: string;

  @IsClientId()
  toolId!: string;

  // May be empty: citing nothing is refused by the domain with REVISION_MUST_ANSWER_INPUT (422).
  @IsClientIdList({ min: 0, description: 'Stakeholder inputs the revision answers.' })
  answersInputIds!: string[];

  @IsClientIdList({ min: 0, optional: true, description: 'Findings the revision answers.' })
  answersFindingsIds?: string[];

  @IsText(LIMITS.longText)
  changeSummary!: string;

  @IsClientIdList()
  revisedWithParticipantIds!: string[];
}

/** `ConcludePilot`: the pilot ends (gate to `input_revision`). */
export class ConcludePilotDto implements ConcludePilotData {
  @IsClientId()
  workstreamId!: string;

  @IsClientId()
  pilotId!: string;

  @IsIsoDate()
  endedOn!: string;

  @IsOneOf(PILOT_OUTCOMES)
  outcome!: PilotOutcome;
}
