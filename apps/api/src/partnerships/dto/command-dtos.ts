/**
 * The request DTO of every command type. `POST /partnerships/:id/commands` looks the DTO up by the
 * body's `type`; `POST /partnerships` uses ProposePartnershipDto. The types below make a missing
 * command type, or a DTO whose fields (names or optionality) drift from the domain's data interface,
 * a compile error.
 */
import type { PartnershipCommandDataMap, STREAM_COMMAND_TYPES } from '@trellis/domain';
import {
  AmendAgreementDto,
  CertifyDataDisposalDto,
  EndDataSharingAgreementDto,
  ExecuteDataSharingAgreementDto,
  FormalizePartnershipDto,
} from './agreements.dto';
import {
  DisseminateFindingsDto,
  InterpretFindingsJointlyDto,
  RecordPracticePartnerReviewDto,
  RecordResearchUseDto,
  SharePreliminaryFindingsDto,
} from './findings.dto';
import {
  ChangeParticipantRolesDto,
  DepartParticipantDto,
  JoinOrganizationDto,
  JoinParticipantDto,
  WithdrawOrganizationDto,
} from './membership.dto';
import { ProposePartnershipDto } from './propose-partnership.dto';
import { RecordBrokeringActivityDto, RecordReflectionDto } from './reflection-and-brokering.dto';
import { AbandonPartnershipDto, ChangePartnershipStatusDto, ClosePartnershipDto } from './status.dto';
import { ApproveFormalStudyDto, RecordDataReceivedDto, StartFormalStudyDto } from './studies-and-data.dto';
import {
  ApprovePilotDto,
  CoDevelopToolDto,
  ConcludePilotDto,
  RecordStakeholderInputDto,
  ReviseToolDto,
  StartPilotDto,
} from './tools-and-pilots.dto';
import {
  AgreeResearchAgendaDto,
  DefineProblemOfPracticeDto,
  OpenWorkstreamDto,
  RecordEvidenceReviewDto,
  ReframeProblemOfPracticeDto,
  TransitionPhaseDto,
} from './workstream.dto';

export { ProposePartnershipDto };

/** Command types accepted at `POST /partnerships/:id/commands`. */
export type StreamCommandType = (typeof STREAM_COMMAND_TYPES)[number];

/** A DTO class whose instances are the command's data. */
export type CommandDtoClass<T extends keyof PartnershipCommandDataMap> = new () => PartnershipCommandDataMap[T];

export const COMMAND_DTOS = {
  JoinOrganization: JoinOrganizationDto,
  WithdrawOrganization: WithdrawOrganizationDto,
  JoinParticipant: JoinParticipantDto,
  ChangeParticipantRoles: ChangeParticipantRolesDto,
  DepartParticipant: DepartParticipantDto,
  FormalizePartnership: FormalizePartnershipDto,
  AmendAgreement: AmendAgreementDto,
  ExecuteDataSharingAgreement: ExecuteDataSharingAgreementDto,
  EndDataSharingAgreement: EndDataSharingAgreementDto,
  CertifyDataDisposal: CertifyDataDisposalDto,
  ChangePartnershipStatus: ChangePartnershipStatusDto,
  RecordReflection: RecordReflectionDto,
  RecordBrokeringActivity: RecordBrokeringActivityDto,
  ClosePartnership: ClosePartnershipDto,
  AbandonPartnership: AbandonPartnershipDto,
  OpenWorkstream: OpenWorkstreamDto,
  DefineProblemOfPractice: DefineProblemOfPracticeDto,
  ReframeProblemOfPractice: ReframeProblemOfPracticeDto,
  AgreeResearchAgenda: AgreeResearchAgendaDto,
  RecordEvidenceReview: RecordEvidenceReviewDto,
  CoDevelopTool: CoDevelopToolDto,
  ApprovePilot: ApprovePilotDto,
  StartPilot: StartPilotDto,
  RecordStakeholderInput: RecordStakeholderInputDto,
  ReviseTool: ReviseToolDto,
  ConcludePilot: ConcludePilotDto,
  ApproveFormalStudy: ApproveFormalStudyDto,
  StartFormalStudy: StartFormalStudyDto,
  RecordDataReceived: RecordDataReceivedDto,
  SharePreliminaryFindings: SharePreliminaryFindingsDto,
  InterpretFindingsJointly: InterpretFindingsJointlyDto,
  RecordPracticePartnerReview: RecordPracticePartnerReviewDto,
  DisseminateFindings: DisseminateFindingsDto,
  RecordResearchUse: RecordResearchUseDto,
  TransitionPhase: TransitionPhaseDto,
} as const satisfies { readonly [T in StreamCommandType]: CommandDtoClass<T> };

// ---------------------------------------------------------------------------------------------
// Compile-time shape check: `implements` already refuses a DTO that lacks a field or makes a required
// one optional; this also refuses extra fields and fields required in the DTO but optional in the data.

type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type ShapeMatches<Dto, Data> = SameKeys<keyof Dto, keyof Data> extends true ? SameKeys<OptionalKeys<Dto>, OptionalKeys<Data>> : false;
type AllShapes = typeof COMMAND_DTOS & { ProposePartnership: typeof ProposePartnershipDto };
type ShapeReport = { [T in keyof AllShapes]: ShapeMatches<InstanceType<AllShapes[T]>, PartnershipCommandDataMap[T]> };
// A `false` in ShapeReport makes this assignment fail and names the command type.
const _shapesMatch: { [T in keyof ShapeReport]: ShapeReport[T] } = {} as { [T in keyof ShapeReport]: true };
void _shapesMatch;
