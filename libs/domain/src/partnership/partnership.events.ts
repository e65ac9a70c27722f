/**
 * Every partnership event: past tense, plain readonly data, never renamed. Data is the command's data
 * plus what the decider derives (versions, due dates, the phase moved from). No personal data: people
 * appear only as pseudonymous participant ids (DOMAIN.md "Personal data").
 */
import type { DomainEvent } from '../shared/decider';
import type {
  AbandonPartnershipData,
  AmendAgreementData,
  AgreeResearchAgendaData,
  ApproveFormalStudyData,
  ApprovePilotData,
  CertifyDataDisposalData,
  ClosePartnershipData,
  CoDevelopToolData,
  ConcludePilotData,
  DefineProblemOfPracticeData,
  DepartParticipantData,
  DisseminateFindingsData,
  EndDataSharingAgreementData,
  ExecuteDataSharingAgreementData,
  FormalizePartnershipData,
  InterpretFindingsJointlyData,
  JoinOrganizationData,
  JoinParticipantData,
  OpenWorkstreamData,
  RecordBrokeringActivityData,
  RecordDataReceivedData,
  RecordEvidenceReviewData,
  RecordPracticePartnerReviewData,
  RecordReflectionData,
  RecordResearchUseData,
  RecordStakeholderInputData,
  ReframeProblemOfPracticeData,
  ReviseToolData,
  SharePreliminaryFindingsData,
  StartFormalStudyData,
  StartPilotData,
  WithdrawOrganizationData,
} from './partnership.commands';
import type {
  ChangeableStatus,
  InitiationMode,
  PartnershipStatus,
  PartnershipType,
  Phase,
  PhaseDirection,
  Role,
} from '../shared/vocabulary';

export interface PartnershipEventDataMap {
  PartnershipProposed: {
    partnershipId: string;
    name: string;
    initiationMode: InitiationMode;
    focus: string;
    types: PartnershipType[];
  };
  OrganizationJoined: JoinOrganizationData;
  OrganizationWithdrew: WithdrawOrganizationData;
  ParticipantJoined: JoinParticipantData;
  ParticipantRolesChanged: { participantId: string; roles: Role[]; previousRoles: Role[] };
  /** `organizationId` is the organization the participant acted for. */
  ParticipantDeparted: DepartParticipantData & { organizationId: string };
  PartnershipFormalized: FormalizePartnershipData;
  PartnershipAgreementAmended: AmendAgreementData;
  DataSharingAgreementExecuted: ExecuteDataSharingAgreementData;
  /** `destructionDueBy` = endedOn + the agreement's destructionPeriodDays. */
  DataSharingAgreementEnded: EndDataSharingAgreementData & { destructionDueBy: string };
  DataDisposalCertified: CertifyDataDisposalData;
  PartnershipStatusChanged: { fromStatus: PartnershipStatus; toStatus: ChangeableStatus; reason: string };
  PartnershipReflectionRecorded: RecordReflectionData;
  BrokeringActivityRecorded: RecordBrokeringActivityData;
  PartnershipClosed: ClosePartnershipData;
  PartnershipAbandoned: AbandonPartnershipData;
  WorkstreamOpened: OpenWorkstreamData;
  ProblemOfPracticeDefined: DefineProblemOfPracticeData;
  ProblemOfPracticeReframed: ReframeProblemOfPracticeData;
  ResearchAgendaAgreed: AgreeResearchAgendaData;
  EvidenceReviewed: RecordEvidenceReviewData;
  ToolCoDeveloped: CoDevelopToolData & { version: 1 };
  PilotApproved: ApprovePilotData;
  PilotStarted: StartPilotData;
  StakeholderInputGathered: RecordStakeholderInputData;
  /** `version` is the new version (previous + 1). */
  ToolRevised: ReviseToolData & { fromVersion: number; version: number };
  PilotConcluded: ConcludePilotData;
  FormalStudyApproved: ApproveFormalStudyData;
  FormalStudyStarted: StartFormalStudyData;
  DataReceivedUnderAgreement: RecordDataReceivedData;
  /** `sharedOn` is the date the findings were shared (from the command's occurredAt). */
  PreliminaryFindingsShared: SharePreliminaryFindingsData & { sharedOn: string };
  FindingsJointlyInterpreted: InterpretFindingsJointlyData;
  /** `reviewedOn` is the date of the review (from the command's occurredAt). */
  FindingsReviewedByPracticePartner: RecordPracticePartnerReviewData & { reviewedOn: string };
  FindingsDisseminated: DisseminateFindingsData;
  ResearchUseRecorded: RecordResearchUseData;
  /**
   * Automatic forward moves carry `triggerEventId` (the gate event); explicit `TransitionPhase`
   * moves carry `reason`. Concluding early from any phase is direction `skip`.
   */
  PhaseTransitioned: {
    workstreamId: string;
    fromPhase: Phase;
    toPhase: Phase;
    direction: PhaseDirection;
    reason?: string;
    triggerEventId?: string;
  };
}

export type PartnershipEventType = keyof PartnershipEventDataMap;

export type PartnershipEvent = {
  [T in PartnershipEventType]: DomainEvent<T, PartnershipEventDataMap[T]>;
}[PartnershipEventType];

export type PartnershipEventOf<T extends PartnershipEventType> = Extract<PartnershipEvent, { type: T }>;

export const PARTNERSHIP_EVENT_TYPES = [
  'PartnershipProposed',
  'OrganizationJoined',
  'OrganizationWithdrew',
  'ParticipantJoined',
  'ParticipantRolesChanged',
  'ParticipantDeparted',
  'PartnershipFormalized',
  'PartnershipAgreementAmended',
  'DataSharingAgreementExecuted',
  'DataSharingAgreementEnded',
  'DataDisposalCertified',
  'PartnershipStatusChanged',
  'PartnershipReflectionRecorded',
  'BrokeringActivityRecorded',
  'PartnershipClosed',
  'PartnershipAbandoned',
  'WorkstreamOpened',
  'ProblemOfPracticeDefined',
  'ProblemOfPracticeReframed',
  'ResearchAgendaAgreed',
  'EvidenceReviewed',
  'ToolCoDeveloped',
  'PilotApproved',
  'PilotStarted',
  'StakeholderInputGathered',
  'ToolRevised',
  'PilotConcluded',
  'FormalStudyApproved',
  'FormalStudyStarted',
  'DataReceivedUnderAgreement',
  'PreliminaryFindingsShared',
  'FindingsJointlyInterpreted',
  'FindingsReviewedByPracticePartner',
  'FindingsDisseminated',
  'ResearchUseRecorded',
  'PhaseTransitioned',
] as const satisfies readonly PartnershipEventType[];

/**
 * Current schema version of each event type. A changed shape bumps the version here and adds an
 * upcaster from the previous one (libs/domain/src/partnership/partnership.upcasters.ts).
 */
export const PARTNERSHIP_EVENT_SCHEMA_VERSIONS: Readonly<Record<PartnershipEventType, number>> =
  Object.fromEntries(PARTNERSHIP_EVENT_TYPES.map((t) => [t, 1])) as Record<PartnershipEventType, number>;

/** The stream of a partnership (DESIGN.md §3). */
export const partnershipStreamId = (partnershipId: string): string => `partnership-${partnershipId}`;
export const PARTNERSHIP_STREAM_PREFIX = 'partnership-';
