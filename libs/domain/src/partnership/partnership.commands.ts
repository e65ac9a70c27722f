/**
 * Every partnership command of DOMAIN.md as readonly plain data. `POST /partnerships` carries
 * ProposePartnership; every other type arrives at `POST /partnerships/:id/commands`.
 */
import type { Command } from '../shared/decider';
import type {
  AmendmentKind,
  ArtifactKind,
  Audience,
  BrokeringActivityKind,
  ChangeableStatus,
  ClosureKind,
  ConsentBasis,
  DecisionLevel,
  DsaEndKind,
  EffectivenessDimension,
  EvidenceType,
  InitiationMode,
  InputMethod,
  LegalBasis,
  OrgType,
  PartnershipType,
  Phase,
  PilotOutcome,
  ReviewOutcome,
  Role,
  Side,
} from '../shared/vocabulary';

/** What the command pipeline knows besides the data. Time and ids arrive here so `decide` is pure. */
export interface CommandMetadata {
  /** Recording time (ISO 8601 date-time). */
  readonly now: string;
  /** When the fact happened in the world (ISO date-time, ≤ now; equals `now` unless back-dated). */
  readonly occurredAt: string;
  /** The ids the pipeline will give the produced events, in order (decide may reference them). */
  readonly eventIds: readonly string[];
  /** The partnership the command addresses. */
  readonly partnershipId: string;
  readonly actor: {
    readonly apiKeyId: string;
    readonly participantId?: string;
    readonly organizationId?: string;
  };
}

export interface ProposePartnershipData {
  name: string;
  initiationMode: InitiationMode;
  focus: string;
  types?: PartnershipType[];
}
export interface JoinOrganizationData {
  organizationId: string;
  name: string;
  orgType: OrgType;
  side: Side;
  parentOrganizationId?: string;
}
export interface WithdrawOrganizationData {
  organizationId: string;
  reason: string;
}
export interface JoinParticipantData {
  participantId: string;
  organizationId: string;
  roles: Role[];
  personId?: string;
}
export interface ChangeParticipantRolesData {
  participantId: string;
  roles: Role[];
}
export interface DepartParticipantData {
  participantId: string;
  reason: string;
  successorParticipantId?: string;
}
export interface FormalizePartnershipData {
  agreementRef: string;
  partyOrganizationIds: string[];
  coLeadParticipantIds: string[];
  effectiveFrom: string;
  termEnd?: string;
}
export interface AmendAgreementData {
  agreementRef: string;
  amendmentKind: AmendmentKind;
  newTermEnd?: string;
}
export interface ExecuteDataSharingAgreementData {
  dsaId: string;
  providerOrganizationId: string;
  recipientOrganizationIds: string[];
  legalBasis: LegalBasis;
  purpose: string;
  dataCategories: string[];
  piiIncluded: boolean;
  effectiveFrom: string;
  expiresOn: string;
  destructionPeriodDays: number;
  noSurprisesReviewDays?: number;
}
export interface EndDataSharingAgreementData {
  dsaId: string;
  endKind: DsaEndKind;
  endedOn: string;
}
export interface CertifyDataDisposalData {
  dsaId: string;
  certifiedByParticipantId: string;
  method: string;
  disposedOn: string;
}
export interface ChangePartnershipStatusData {
  status: ChangeableStatus;
  reason: string;
}
/** Ratings 1–5 per effectiveness dimension, given by each side that took part. */
export type ReflectionRatings = Partial<Record<Side, Partial<Record<EffectivenessDimension, number>>>>;
export interface RecordReflectionData {
  instrument: string;
  ratings: ReflectionRatings;
  actionsAgreed: string[];
}
export interface RecordBrokeringActivityData {
  brokerParticipantId: string;
  fromOrganizationId: string;
  toOrganizationId: string;
  activityKind: BrokeringActivityKind;
  workstreamId?: string;
}
export interface ClosePartnershipData {
  closureKind: ClosureKind;
  successorPartnershipId?: string;
}
export interface AbandonPartnershipData {
  reason: string;
}
export interface OpenWorkstreamData {
  workstreamId: string;
  title: string;
  leadParticipantIds: string[];
  parentWorkstreamId?: string;
}
export interface DefineProblemOfPracticeData {
  workstreamId: string;
  problemId: string;
  statement: string;
  proposedByParticipantIds: string[];
  intendedUse: string;
  communityGoal?: boolean;
}
export interface ReframeProblemOfPracticeData {
  workstreamId: string;
  problemId: string;
  statement: string;
  reason: string;
}
export interface ResearchQuestion {
  questionId: string;
  text: string;
}
export interface AgreeResearchAgendaData {
  workstreamId: string;
  agendaId: string;
  researchQuestions: ResearchQuestion[];
  agreedByParticipantIds: string[];
}
export interface RecordEvidenceReviewData {
  workstreamId: string;
  reviewId: string;
  sources: string[];
  evidenceTypes: EvidenceType[];
  contributorParticipantIds: string[];
}
export interface CoDevelopToolData {
  workstreamId: string;
  toolId: string;
  name: string;
  purpose: string;
  coDesignerParticipantIds: string[];
}
export interface Approval {
  organizationId: string;
  kind: string;
  ref: string;
}
export interface ApprovePilotData {
  workstreamId: string;
  pilotId: string;
  toolId: string;
  toolVersion: number;
  siteOrganizationIds: string[];
  approvals: Approval[];
  consentBasis: ConsentBasis;
  plannedStart: string;
  plannedEnd: string;
}
export interface StartPilotData {
  workstreamId: string;
  pilotId: string;
  startedOn: string;
  siteOrganizationIds: string[];
}
/** Aggregate respondent counts keyed by role or organization type (never individuals). */
export type RespondentCounts = Partial<Record<Role | OrgType, number>>;
export interface RecordStakeholderInputData {
  workstreamId: string;
  inputId: string;
  toolId?: string;
  toolVersion?: number;
  method: InputMethod;
  respondentCounts: RespondentCounts;
  convenedByParticipantId?: string;
}
export interface ReviseToolData {
  workstreamId: string;
  toolId: string;
  answersInputIds: string[];
  answersFindingsIds?: string[];
  changeSummary: string;
  revisedWithParticipantIds: string[];
}
export interface ConcludePilotData {
  workstreamId: string;
  pilotId: string;
  endedOn: string;
  outcome: PilotOutcome;
}
export interface ApproveFormalStudyData {
  workstreamId: string;
  studyId: string;
  questionIds: string[];
  design: string;
  siteOrganizationIds: string[];
  approvals: Approval[];
  usesStudentRecords: boolean;
  dsaIds?: string[];
  ethicsRef?: string;
}
export interface StartFormalStudyData {
  workstreamId: string;
  studyId: string;
  startedOn: string;
}
export interface RecordDataReceivedData {
  workstreamId: string;
  transferId: string;
  dsaId: string;
  dataCategories: string[];
  piiIncluded: boolean;
  receivedOn: string;
  /** Extension: the receiving organization; when given it must be a recipient named by the DSA. */
  recipientOrganizationId?: string;
}
export interface SharePreliminaryFindingsData {
  workstreamId: string;
  findingsId: string;
  /** A studyId or a pilotId. */
  sourceId: string;
  sharedWithOrganizationIds: string[];
}
export interface InterpretFindingsJointlyData {
  workstreamId: string;
  findingsId: string;
  sessionOn: string;
  attendeeParticipantIds: string[];
  followUpQuestions: string[];
  agreedImplications: string[];
}
export interface RecordPracticePartnerReviewData {
  workstreamId: string;
  findingsId: string;
  reviewerOrganizationId: string;
  outcome: ReviewOutcome;
}
export interface DisseminateFindingsData {
  workstreamId: string;
  findingsId: string;
  artifactKind: ArtifactKind;
  audience: Audience;
  releasedOn: string;
}
export interface RecordResearchUseData {
  workstreamId: string;
  useId: string;
  decisionSummary: string;
  decisionLevel: DecisionLevel;
  decidingOrganizationId: string;
  evidenceIds: string[];
}
export interface TransitionPhaseData {
  workstreamId: string;
  toPhase: Phase;
  reason: string;
}

/** Command type → data. The single source for the union, the DTO map and the OpenAPI document. */
export interface PartnershipCommandDataMap {
  ProposePartnership: ProposePartnershipData;
  JoinOrganization: JoinOrganizationData;
  WithdrawOrganization: WithdrawOrganizationData;
  JoinParticipant: JoinParticipantData;
  ChangeParticipantRoles: ChangeParticipantRolesData;
  DepartParticipant: DepartParticipantData;
  FormalizePartnership: FormalizePartnershipData;
  AmendAgreement: AmendAgreementData;
  ExecuteDataSharingAgreement: ExecuteDataSharingAgreementData;
  EndDataSharingAgreement: EndDataSharingAgreementData;
  CertifyDataDisposal: CertifyDataDisposalData;
  ChangePartnershipStatus: ChangePartnershipStatusData;
  RecordReflection: RecordReflectionData;
  RecordBrokeringActivity: RecordBrokeringActivityData;
  ClosePartnership: ClosePartnershipData;
  AbandonPartnership: AbandonPartnershipData;
  OpenWorkstream: OpenWorkstreamData;
  DefineProblemOfPractice: DefineProblemOfPracticeData;
  ReframeProblemOfPractice: ReframeProblemOfPracticeData;
  AgreeResearchAgenda: AgreeResearchAgendaData;
  RecordEvidenceReview: RecordEvidenceReviewData;
  CoDevelopTool: CoDevelopToolData;
  ApprovePilot: ApprovePilotData;
  StartPilot: StartPilotData;
  RecordStakeholderInput: RecordStakeholderInputData;
  ReviseTool: ReviseToolData;
  ConcludePilot: ConcludePilotData;
  ApproveFormalStudy: ApproveFormalStudyData;
  StartFormalStudy: StartFormalStudyData;
  RecordDataReceived: RecordDataReceivedData;
  SharePreliminaryFindings: SharePreliminaryFindingsData;
  InterpretFindingsJointly: InterpretFindingsJointlyData;
  RecordPracticePartnerReview: RecordPracticePartnerReviewData;
  DisseminateFindings: DisseminateFindingsData;
  RecordResearchUse: RecordResearchUseData;
  TransitionPhase: TransitionPhaseData;
}

export type PartnershipCommandType = keyof PartnershipCommandDataMap;

export type PartnershipCommand = {
  [T in PartnershipCommandType]: Command<T, PartnershipCommandDataMap[T], CommandMetadata>;
}[PartnershipCommandType];

export type PartnershipCommandOf<T extends PartnershipCommandType> = Extract<PartnershipCommand, { type: T }>;

/** Every command type, in DOMAIN.md's order. */
export const PARTNERSHIP_COMMAND_TYPES = [
  'ProposePartnership',
  'JoinOrganization',
  'WithdrawOrganization',
  'JoinParticipant',
  'ChangeParticipantRoles',
  'DepartParticipant',
  'FormalizePartnership',
  'AmendAgreement',
  'ExecuteDataSharingAgreement',
  'EndDataSharingAgreement',
  'CertifyDataDisposal',
  'ChangePartnershipStatus',
  'RecordReflection',
  'RecordBrokeringActivity',
  'ClosePartnership',
  'AbandonPartnership',
  'OpenWorkstream',
  'DefineProblemOfPractice',
  'ReframeProblemOfPractice',
  'AgreeResearchAgenda',
  'RecordEvidenceReview',
  'CoDevelopTool',
  'ApprovePilot',
  'StartPilot',
  'RecordStakeholderInput',
  'ReviseTool',
  'ConcludePilot',
  'ApproveFormalStudy',
  'StartFormalStudy',
  'RecordDataReceived',
  'SharePreliminaryFindings',
  'InterpretFindingsJointly',
  'RecordPracticePartnerReview',
  'DisseminateFindings',
  'RecordResearchUse',
  'TransitionPhase',
] as const satisfies readonly PartnershipCommandType[];

/** Commands accepted at `POST /partnerships/:id/commands` (everything but the proposal). */
export const STREAM_COMMAND_TYPES = PARTNERSHIP_COMMAND_TYPES.filter(
  (t): t is Exclude<PartnershipCommandType, 'ProposePartnership'> => t !== 'ProposePartnership',
);
