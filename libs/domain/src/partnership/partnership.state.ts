/**
 * The state of one partnership, folded from its events. It is plain JSON data (records keyed by id,
 * arrays, ISO strings) because `GET /partnerships/:id` returns it as is.
 *
 * `evolve` is total: it is also used to fold arbitrary subsets of a history (the bitemporal "as of
 * occurred time" view keeps only the events that had occurred by a date, so a back-dated fact may
 * arrive before what it refers to). An event about something the state does not know applies what
 * it can and never throws. Events before a `PartnershipProposed` have nothing to apply to.
 */
import type { Approval, ReflectionRatings, RespondentCounts } from './partnership.commands';
import type { PartnershipEvent, PartnershipEventOf } from './partnership.events';
import type {
  AmendmentKind,
  ArtifactKind,
  Audience,
  BrokeringActivityKind,
  ClosureKind,
  ConsentBasis,
  DecisionLevel,
  DsaEndKind,
  EvidenceType,
  InitiationMode,
  InputMethod,
  LegalBasis,
  OrgType,
  PartnershipStatus,
  PartnershipType,
  Phase,
  PhaseDirection,
  PilotOutcome,
  ReviewOutcome,
  Role,
  Side,
} from '../shared/vocabulary';

type Registry<T> = Readonly<Record<string, T>>;

export interface OrganizationState {
  readonly organizationId: string;
  readonly name: string;
  readonly orgType: OrgType;
  readonly side: Side;
  readonly parentOrganizationId?: string;
  readonly withdrawn: boolean;
  readonly withdrawalReason?: string;
  readonly joinedAt?: string;
  readonly withdrawnAt?: string;
}

export interface ParticipantState {
  readonly participantId: string;
  readonly organizationId: string;
  readonly roles: readonly Role[];
  readonly personId?: string;
  /** Joined, not departed, and acting for an organization that has not withdrawn. */
  readonly active: boolean;
  readonly departed: boolean;
  readonly departureReason?: string;
  readonly successorParticipantId?: string;
  readonly joinedAt?: string;
  readonly departedAt?: string;
}

export interface AgreementAmendmentState {
  readonly amendmentKind: AmendmentKind;
  readonly newTermEnd?: string;
  readonly amendedAt?: string;
}

export interface AgreementState {
  readonly agreementRef: string;
  readonly partyOrganizationIds: readonly string[];
  readonly coLeadParticipantIds: readonly string[];
  readonly effectiveFrom: string;
  /** The current term end: the formalized one, or the latest amendment's `newTermEnd`. */
  readonly termEnd?: string;
  readonly formalizedAt?: string;
  readonly amendments: readonly AgreementAmendmentState[];
}

export interface DataDisposalState {
  readonly certifiedByParticipantId: string;
  readonly method: string;
  readonly disposedOn: string;
  readonly certifiedAt?: string;
}

export interface DataSharingAgreementState {
  readonly dsaId: string;
  readonly providerOrganizationId: string;
  readonly recipientOrganizationIds: readonly string[];
  readonly legalBasis: LegalBasis;
  readonly purpose: string;
  readonly dataCategories: readonly string[];
  readonly piiIncluded: boolean;
  readonly effectiveFrom: string;
  readonly expiresOn: string;
  readonly destructionPeriodDays: number;
  readonly noSurprisesReviewDays?: number;
  readonly executedAt?: string;
  readonly ended: boolean;
  readonly endKind?: DsaEndKind;
  readonly endedOn?: string;
  readonly destructionDueBy?: string;
  readonly disposalCertified: boolean;
  readonly disposal?: DataDisposalState;
}

export interface PhaseHistoryEntry {
  readonly phase: Phase;
  readonly enteredAt?: string;
  readonly fromPhase?: Phase;
  readonly direction?: PhaseDirection;
  readonly reason?: string;
  readonly triggerEventId?: string;
  /** The id of the event that entered the phase (WorkstreamOpened or PhaseTransitioned). */
  readonly eventId?: string;
}

export interface WorkstreamState {
  readonly workstreamId: string;
  readonly title: string;
  readonly leadParticipantIds: readonly string[];
  readonly parentWorkstreamId?: string;
  readonly phase: Phase;
  readonly phaseEnteredAt?: string;
  readonly phaseHistory: readonly PhaseHistoryEntry[];
  readonly openedAt?: string;
  readonly lastActivityAt?: string;
}

export interface ProblemReframing {
  readonly statement: string;
  readonly reason: string;
  readonly reframedAt?: string;
}

export interface ProblemState {
  readonly problemId: string;
  readonly workstreamId: string;
  /** The current statement (the latest reframing, or the original). */
  readonly statement: string;
  readonly originalStatement: string;
  readonly proposedByParticipantIds: readonly string[];
  readonly intendedUse: string;
  readonly communityGoal?: boolean;
  readonly definedAt?: string;
  readonly reframings: readonly ProblemReframing[];
}

export interface AgendaState {
  readonly agendaId: string;
  readonly workstreamId: string;
  readonly questionIds: readonly string[];
  readonly agreedByParticipantIds: readonly string[];
  readonly agreedAt?: string;
}

export interface ResearchQuestionState {
  readonly questionId: string;
  readonly text: string;
  readonly agendaId: string;
  readonly workstreamId: string;
}

export interface EvidenceReviewState {
  readonly reviewId: string;
  readonly workstreamId: string;
  readonly sources: readonly string[];
  readonly evidenceTypes: readonly EvidenceType[];
  readonly contributorParticipantIds: readonly string[];
  readonly reviewedAt?: string;
}

export interface ToolVersionState {
  readonly version: number;
  /** The workstream in which this version was created. */
  readonly workstreamId: string;
  /** Co-designers for version 1, revisers for later versions. */
  readonly participantIds: readonly string[];
  readonly answersInputIds?: readonly string[];
  readonly answersFindingsIds?: readonly string[];
  readonly changeSummary?: string;
  readonly createdAt?: string;
}

export interface ToolState {
  readonly toolId: string;
  /** The workstream the tool was co-developed in (tools are partnership-wide). */
  readonly workstreamId: string;
  readonly name: string;
  readonly purpose: string;
  readonly coDesignerParticipantIds: readonly string[];
  readonly currentVersion: number;
  readonly versions: readonly ToolVersionState[];
}

export type PilotStatus = 'approved' | 'running' | 'concluded';

export interface PilotState {
  readonly pilotId: string;
  readonly workstreamId: string;
  readonly toolId: string;
  readonly toolVersion: number;
  readonly siteOrganizationIds: readonly string[];
  readonly approvals: readonly Approval[];
  readonly consentBasis: ConsentBasis;
  readonly plannedStart: string;
  readonly plannedEnd: string;
  readonly approvedAt?: string;
  readonly status: PilotStatus;
  readonly startedOn?: string;
  readonly startedSiteOrganizationIds?: readonly string[];
  readonly endedOn?: string;
  readonly outcome?: PilotOutcome;
}

export interface InputState {
  readonly inputId: string;
  readonly workstreamId: string;
  readonly toolId?: string;
  /** As recorded; when absent but `toolId` is given, the input is about the then current version. */
  readonly toolVersion?: number;
  readonly aboutToolVersion?: number;
  readonly method: InputMethod;
  readonly respondentCounts: RespondentCounts;
  readonly convenedByParticipantId?: string;
  readonly gatheredAt?: string;
}

export type StudyStatus = 'approved' | 'running' | 'findings_shared';

export interface StudyState {
  readonly studyId: string;
  readonly workstreamId: string;
  readonly questionIds: readonly string[];
  readonly design: string;
  readonly siteOrganizationIds: readonly string[];
  readonly approvals: readonly Approval[];
  readonly usesStudentRecords: boolean;
  readonly dsaIds: readonly string[];
  readonly ethicsRef?: string;
  readonly approvedAt?: string;
  readonly status: StudyStatus;
  readonly startedOn?: string;
  readonly findingsIds: readonly string[];
}

export interface DataTransferState {
  readonly transferId: string;
  readonly workstreamId: string;
  readonly dsaId: string;
  readonly dataCategories: readonly string[];
  readonly piiIncluded: boolean;
  readonly receivedOn: string;
  readonly recipientOrganizationId?: string;
}

export interface InterpretationState {
  readonly sessionOn: string;
  readonly attendeeParticipantIds: readonly string[];
  readonly followUpQuestions: readonly string[];
  readonly agreedImplications: readonly string[];
}

export interface FindingsReviewState {
  readonly reviewerOrganizationId: string;
  readonly outcome: ReviewOutcome;
  readonly reviewedOn: string;
}

export interface DisseminationState {
  readonly artifactKind: ArtifactKind;
  readonly audience: Audience;
  readonly releasedOn: string;
}

export type FindingsSourceKind = 'study' | 'pilot' | 'unknown';

export interface FindingsState {
  readonly findingsId: string;
  readonly workstreamId: string;
  readonly sourceId: string;
  readonly sourceKind: FindingsSourceKind;
  readonly sharedWithOrganizationIds: readonly string[];
  readonly sharedOn: string;
  readonly interpreted: boolean;
  readonly interpretations: readonly InterpretationState[];
  readonly reviews: readonly FindingsReviewState[];
  readonly disseminations: readonly DisseminationState[];
}

export interface ResearchUseState {
  readonly useId: string;
  readonly workstreamId: string;
  readonly decisionSummary: string;
  readonly decisionLevel: DecisionLevel;
  readonly decidingOrganizationId: string;
  readonly evidenceIds: readonly string[];
  readonly recordedAt?: string;
}

export interface BrokeringSummary {
  readonly count: number;
  readonly lastAt?: string;
  readonly lastBrokerParticipantId?: string;
  /** Activities per broker participant. */
  readonly byBroker: Registry<number>;
  readonly byKind: Readonly<Partial<Record<BrokeringActivityKind, number>>>;
}

export interface ReflectionSummary {
  readonly count: number;
  readonly lastAt?: string;
  readonly lastInstrument?: string;
  readonly lastRatings?: ReflectionRatings;
  readonly lastActionsAgreed?: readonly string[];
}

export interface StatusHistoryEntry {
  readonly status: PartnershipStatus;
  readonly at?: string;
  readonly reason?: string;
}

export interface ClosureState {
  readonly closureKind: ClosureKind;
  readonly successorPartnershipId?: string;
  readonly closedAt?: string;
}

export interface NoPartnership {
  readonly status: 'none';
}

export interface Partnership {
  readonly status: PartnershipStatus;
  readonly partnershipId: string;
  readonly name: string;
  readonly initiationMode: InitiationMode;
  readonly focus: string;
  readonly types: readonly PartnershipType[];
  readonly proposedAt?: string;
  /** The latest `occurredAt` of any event folded (absent when events carry no metadata). */
  readonly lastActivityAt?: string;
  readonly statusHistory: readonly StatusHistoryEntry[];
  readonly organizations: Registry<OrganizationState>;
  readonly participants: Registry<ParticipantState>;
  readonly agreement?: AgreementState;
  readonly dataSharingAgreements: Registry<DataSharingAgreementState>;
  readonly workstreams: Registry<WorkstreamState>;
  readonly problems: Registry<ProblemState>;
  readonly agendas: Registry<AgendaState>;
  readonly researchQuestions: Registry<ResearchQuestionState>;
  readonly evidenceReviews: Registry<EvidenceReviewState>;
  readonly tools: Registry<ToolState>;
  readonly pilots: Registry<PilotState>;
  readonly inputs: Registry<InputState>;
  readonly studies: Registry<StudyState>;
  readonly dataTransfers: Registry<DataTransferState>;
  readonly findings: Registry<FindingsState>;
  readonly researchUses: Registry<ResearchUseState>;
  readonly brokering: BrokeringSummary;
  readonly reflections: ReflectionSummary;
  readonly closure?: ClosureState;
  readonly abandonmentReason?: string;
}

export type PartnershipState = NoPartnership | Partnership;

export const initialState = (): PartnershipState => ({ status: 'none' });

export const isPartnership = (state: PartnershipState): state is Partnership => state.status !== 'none';

/**
 * Own-property lookup. Client ids such as `constructor` or `__proto__` match the id pattern, so a
 * plain `record[id]` would find `Object.prototype` members.
 */
export function lookup<T>(registry: Registry<T>, id: string | undefined): T | undefined {
  return id !== undefined && Object.hasOwn(registry, id) ? registry[id] : undefined;
}

/** A participant is an active member: joined, not departed, and its organization has not withdrawn. */
export function isActiveMember(state: Partnership, participantId: string): boolean {
  const participant = lookup(state.participants, participantId);
  if (!participant || participant.departed) return false;
  const organization = lookup(state.organizations, participant.organizationId);
  return organization !== undefined && !organization.withdrawn;
}

/** Whether this is a community research collaborative (a community member may stand for practice). */
export function isCommunityCollaborative(state: Partnership): boolean {
  return state.types.includes('community_research_collaborative') || state.initiationMode === 'community';
}

/**
 * What a findings `sourceId` names: a study or a pilot of the partnership. Ids are unique per kind,
 * so a study and a pilot may share one; the one in the findings' workstream wins, then the study.
 */
export function resolveFindingsSource(
  state: Partnership,
  workstreamId: string,
  sourceId: string,
): { kind: 'study'; study: StudyState } | { kind: 'pilot'; pilot: PilotState } | undefined {
  const study = lookup(state.studies, sourceId);
  const pilot = lookup(state.pilots, sourceId);
  if (study && pilot && pilot.workstreamId === workstreamId && study.workstreamId !== workstreamId) {
    return { kind: 'pilot', pilot };
  }
  if (study) return { kind: 'study', study };
  if (pilot) return { kind: 'pilot', pilot };
  return undefined;
}

/** The date part (`YYYY-MM-DD`) of an ISO date-time. */
export const datePart = (isoDateTime: string): string => isoDateTime.slice(0, 10);

// ---------------------------------------------------------------------------------------------------
// evolve

/**
 * The version of what a fold of the partnership stream produces: the state's shape and every rule of
 * `evolve` (and of the upcasters it reads events through). Stored snapshots of the state (the asOf
 * snapshots of the API) are used only when they carry this version, so bump it whenever a fold of the
 * same events would give a different state. `partnership.state-version.spec.ts` fails when the fold of
 * the seed histories changes and this version did not.
 */
export const PARTNERSHIP_STATE_VERSION = 1;

/**
 * A fold of one pass over a stream: each step is `evolve`, except that a registry the fold itself
 * copied is updated in place rather than copied again, so a fold is linear instead of quadratic in
 * the number of organizations, participants, workstreams… (a 10,000-event partnership with hundreds
 * of workstreams: ~0.9 s → tens of ms). The price: a step consumes the state it is given when that
 * state came from the same folder — only the last state may be kept (a cache, a view). A state from
 * anywhere else (the initial state, a cached one) is never changed. Each folder has its own set, so
 * folds that interleave across awaits never share registries; steps are synchronous.
 */
export function partnershipFolder(): (state: PartnershipState, event: PartnershipEvent) => PartnershipState {
  const owned = new WeakSet<object>();
  return (state, event) => {
    const outer = ownedByFold;
    ownedByFold = owned;
    try {
      return evolve(state, event);
    } finally {
      ownedByFold = outer;
    }
  };
}

export function evolve(state: PartnershipState, event: PartnershipEvent): PartnershipState {
  if (typeof event?.data !== 'object' || event.data === null) return state; // nothing to apply
  if (state.status === 'none') {
    return event.type === 'PartnershipProposed' ? proposed(event) : state;
  }
  const next = apply(state, event);
  return touch(next, event);
}

function apply(state: Partnership, event: PartnershipEvent): Partnership {
  switch (event.type) {
    case 'PartnershipProposed':
      return state; // a stream holds one proposal; a second one has nothing to change
    case 'OrganizationJoined':
      return organizationJoined(state, event);
    case 'OrganizationWithdrew':
      return organizationWithdrew(state, event);
    case 'ParticipantJoined':
      return participantJoined(state, event);
    case 'ParticipantRolesChanged':
      return participantRolesChanged(state, event);
    case 'ParticipantDeparted':
      return participantDeparted(state, event);
    case 'PartnershipFormalized':
      return partnershipFormalized(state, event);
    case 'PartnershipAgreementAmended':
      return agreementAmended(state, event);
    case 'DataSharingAgreementExecuted':
      return dsaExecuted(state, event);
    case 'DataSharingAgreementEnded':
      return dsaEnded(state, event);
    case 'DataDisposalCertified':
      return disposalCertified(state, event);
    case 'PartnershipStatusChanged':
      return withStatus(state, event.data.toStatus, occurredAt(event), event.data.reason);
    case 'PartnershipReflectionRecorded':
      return reflectionRecorded(state, event);
    case 'BrokeringActivityRecorded':
      return brokeringRecorded(state, event);
    case 'PartnershipClosed':
      return partnershipClosed(state, event);
    case 'PartnershipAbandoned':
      return {
        ...withStatus(state, 'abandoned', occurredAt(event), event.data.reason),
        abandonmentReason: event.data.reason,
      };
    case 'WorkstreamOpened':
      return workstreamOpened(state, event);
    case 'ProblemOfPracticeDefined':
      return problemDefined(state, event);
    case 'ProblemOfPracticeReframed':
      return problemReframed(state, event);
    case 'ResearchAgendaAgreed':
      return agendaAgreed(state, event);
    case 'EvidenceReviewed':
      return evidenceReviewed(state, event);
    case 'ToolCoDeveloped':
      return toolCoDeveloped(state, event);
    case 'PilotApproved':
      return pilotApproved(state, event);
    case 'PilotStarted':
      return pilotStarted(state, event);
    case 'StakeholderInputGathered':
      return inputGathered(state, event);
    case 'ToolRevised':
      return toolRevised(state, event);
    case 'PilotConcluded':
      return pilotConcluded(state, event);
    case 'FormalStudyApproved':
      return studyApproved(state, event);
    case 'FormalStudyStarted':
      return studyStarted(state, event);
    case 'DataReceivedUnderAgreement':
      return dataReceived(state, event);
    case 'PreliminaryFindingsShared':
      return findingsShared(state, event);
    case 'FindingsJointlyInterpreted':
      return findingsInterpreted(state, event);
    case 'FindingsReviewedByPracticePartner':
      return findingsReviewed(state, event);
    case 'FindingsDisseminated':
      return findingsDisseminated(state, event);
    case 'ResearchUseRecorded':
      return researchUseRecorded(state, event);
    case 'PhaseTransitioned':
      return phaseTransitioned(state, event);
    default: {
      // An event type this version does not know (e.g. read by an older replica) changes nothing.
      const _never: never = event;
      void _never;
      return state;
    }
  }
}

// --- helpers ---------------------------------------------------------------------------------------

const occurredAt = (event: PartnershipEvent): string | undefined => event.metadata?.occurredAt;

/** `{[key]: value}` when the value is defined, `{}` otherwise: keeps the state free of `undefined`. */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** A copy of the registry with `id` set (computed keys define own properties, even `__proto__`). */
/**
 * The registries copied by the fold in progress (`partnershipFolder`), which that fold may update in
 * place: no state outside it can hold them. Null outside a folder's step, where `evolve` copies.
 */
let ownedByFold: WeakSet<object> | null = null;

function put<T>(registry: Registry<T>, id: string, value: T): Registry<T> {
  if (ownedByFold?.has(registry)) {
    // defineProperty, not assignment: an id such as `__proto__` must stay an own property.
    Object.defineProperty(registry, id, { value, enumerable: true, writable: true, configurable: true });
    return registry;
  }
  const copy = { ...registry, [id]: value };
  ownedByFold?.add(copy);
  return copy;
}

function update<T>(registry: Registry<T>, id: string, change: (current: T) => T): Registry<T> {
  const current = lookup(registry, id);
  return current === undefined ? registry : put(registry, id, change(current));
}

/** A copy of an array field; tolerates a missing or malformed field (evolve never throws). */
function list<T>(value: readonly T[] | undefined): T[] {
  return Array.isArray(value) ? [...value] : [];
}

const later = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined ? a : a >= b ? a : b;

/** Last activity of the partnership and, when the event names one, of the workstream. */
function touch(state: Partnership, event: PartnershipEvent): Partnership {
  const at = occurredAt(event);
  if (at === undefined) return state;
  const workstreamId = (event.data as { workstreamId?: unknown }).workstreamId;
  const workstreams =
    typeof workstreamId === 'string'
      ? update(state.workstreams, workstreamId, (w) => ({
          ...w,
          lastActivityAt: later(w.lastActivityAt, at) as string,
        }))
      : state.workstreams;
  return { ...state, lastActivityAt: later(state.lastActivityAt, at), workstreams };
}

function withStatus(state: Partnership, status: PartnershipStatus, at?: string, reason?: string): Partnership {
  return {
    ...state,
    status,
    statusHistory: [...state.statusHistory, { status, ...opt('at', at), ...opt('reason', reason) }],
  };
}

// --- partnership and membership --------------------------------------------------------------------

function proposed(event: PartnershipEventOf<'PartnershipProposed'>): Partnership {
  const at = occurredAt(event);
  const { partnershipId, name, initiationMode, focus, types } = event.data;
  return {
    status: 'exploring',
    partnershipId,
    name,
    initiationMode,
    focus,
    types: list(types),
    ...opt('proposedAt', at),
    ...opt('lastActivityAt', at),
    statusHistory: [{ status: 'exploring', ...opt('at', at) }],
    organizations: {},
    participants: {},
    dataSharingAgreements: {},
    workstreams: {},
    problems: {},
    agendas: {},
    researchQuestions: {},
    evidenceReviews: {},
    tools: {},
    pilots: {},
    inputs: {},
    studies: {},
    dataTransfers: {},
    findings: {},
    researchUses: {},
    brokering: { count: 0, byBroker: {}, byKind: {} },
    reflections: { count: 0 },
  };
}

function organizationJoined(state: Partnership, event: PartnershipEventOf<'OrganizationJoined'>): Partnership {
  const { organizationId, name, orgType, side, parentOrganizationId } = event.data;
  if (lookup(state.organizations, organizationId)) return state;
  const organization: OrganizationState = {
    organizationId,
    name,
    orgType,
    side,
    ...opt('parentOrganizationId', parentOrganizationId),
    withdrawn: false,
    ...opt('joinedAt', occurredAt(event)),
  };
  return { ...state, organizations: put(state.organizations, organizationId, organization) };
}

function organizationWithdrew(state: Partnership, event: PartnershipEventOf<'OrganizationWithdrew'>): Partnership {
  const { organizationId, reason } = event.data;
  const organizations = update(state.organizations, organizationId, (o) => ({
    ...o,
    withdrawn: true,
    withdrawalReason: reason,
    ...opt('withdrawnAt', occurredAt(event)),
  }));
  let participants = state.participants;
  for (const participant of Object.values(state.participants)) {
    if (participant.organizationId === organizationId && participant.active) {
      participants = put(participants, participant.participantId, { ...participant, active: false });
    }
  }
  return { ...state, organizations, participants };
}

function participantJoined(state: Partnership, event: PartnershipEventOf<'ParticipantJoined'>): Partnership {
  const { participantId, organizationId, roles, personId } = event.data;
  if (lookup(state.participants, participantId)) return state;
  const organization = lookup(state.organizations, organizationId);
  const participant: ParticipantState = {
    participantId,
    organizationId,
    roles: list(roles),
    ...opt('personId', personId),
    active: organization === undefined || !organization.withdrawn,
    departed: false,
    ...opt('joinedAt', occurredAt(event)),
  };
  return { ...state, participants: put(state.participants, participantId, participant) };
}

function participantRolesChanged(
  state: Partnership,
  event: PartnershipEventOf<'ParticipantRolesChanged'>,
): Partnership {
  const { participantId, roles } = event.data;
  return { ...state, participants: update(state.participants, participantId, (p) => ({ ...p, roles: list(roles) })) };
}

function participantDeparted(state: Partnership, event: PartnershipEventOf<'ParticipantDeparted'>): Partnership {
  const { participantId, reason, successorParticipantId } = event.data;
  return {
    ...state,
    participants: update(state.participants, participantId, (p) => ({
      ...p,
      active: false,
      departed: true,
      departureReason: reason,
      ...opt('successorParticipantId', successorParticipantId),
      ...opt('departedAt', occurredAt(event)),
    })),
  };
}

function partnershipFormalized(state: Partnership, event: PartnershipEventOf<'PartnershipFormalized'>): Partnership {
  const { agreementRef, partyOrganizationIds, coLeadParticipantIds, effectiveFrom, termEnd } = event.data;
  const agreement: AgreementState = {
    agreementRef,
    partyOrganizationIds: list(partyOrganizationIds),
    coLeadParticipantIds: list(coLeadParticipantIds),
    effectiveFrom,
    ...opt('termEnd', termEnd),
    ...opt('formalizedAt', occurredAt(event)),
    amendments: [],
  };
  return { ...withStatus(state, 'active', occurredAt(event)), agreement };
}

function agreementAmended(state: Partnership, event: PartnershipEventOf<'PartnershipAgreementAmended'>): Partnership {
  const { agreement } = state;
  if (!agreement) return state;
  const { amendmentKind, newTermEnd } = event.data;
  return {
    ...state,
    agreement: {
      ...agreement,
      ...opt('termEnd', newTermEnd),
      amendments: [
        ...agreement.amendments,
        { amendmentKind, ...opt('newTermEnd', newTermEnd), ...opt('amendedAt', occurredAt(event)) },
      ],
    },
  };
}

function dsaExecuted(state: Partnership, event: PartnershipEventOf<'DataSharingAgreementExecuted'>): Partnership {
  const d = event.data;
  if (lookup(state.dataSharingAgreements, d.dsaId)) return state;
  const dsa: DataSharingAgreementState = {
    dsaId: d.dsaId,
    providerOrganizationId: d.providerOrganizationId,
    recipientOrganizationIds: list(d.recipientOrganizationIds),
    legalBasis: d.legalBasis,
    purpose: d.purpose,
    dataCategories: list(d.dataCategories),
    piiIncluded: d.piiIncluded,
    effectiveFrom: d.effectiveFrom,
    expiresOn: d.expiresOn,
    destructionPeriodDays: d.destructionPeriodDays,
    ...opt('noSurprisesReviewDays', d.noSurprisesReviewDays),
    ...opt('executedAt', occurredAt(event)),
    ended: false,
    disposalCertified: false,
  };
  return { ...state, dataSharingAgreements: put(state.dataSharingAgreements, d.dsaId, dsa) };
}

function dsaEnded(state: Partnership, event: PartnershipEventOf<'DataSharingAgreementEnded'>): Partnership {
  const { dsaId, endKind, endedOn, destructionDueBy } = event.data;
  return {
    ...state,
    dataSharingAgreements: update(state.dataSharingAgreements, dsaId, (dsa) => ({
      ...dsa,
      ended: true,
      endKind,
      endedOn,
      destructionDueBy,
    })),
  };
}

function disposalCertified(state: Partnership, event: PartnershipEventOf<'DataDisposalCertified'>): Partnership {
  const { dsaId, certifiedByParticipantId, method, disposedOn } = event.data;
  return {
    ...state,
    dataSharingAgreements: update(state.dataSharingAgreements, dsaId, (dsa) => ({
      ...dsa,
      disposalCertified: true,
      disposal: { certifiedByParticipantId, method, disposedOn, ...opt('certifiedAt', occurredAt(event)) },
    })),
  };
}

function reflectionRecorded(
  state: Partnership,
  event: PartnershipEventOf<'PartnershipReflectionRecorded'>,
): Partnership {
  const { instrument, ratings, actionsAgreed } = event.data;
  return {
    ...state,
    reflections: {
      count: state.reflections.count + 1,
      ...opt('lastAt', later(state.reflections.lastAt, occurredAt(event))),
      lastInstrument: instrument,
      lastRatings: ratings,
      lastActionsAgreed: list(actionsAgreed),
    },
  };
}

function brokeringRecorded(state: Partnership, event: PartnershipEventOf<'BrokeringActivityRecorded'>): Partnership {
  const { brokerParticipantId, activityKind } = event.data;
  const { brokering } = state;
  return {
    ...state,
    brokering: {
      count: brokering.count + 1,
      ...opt('lastAt', later(brokering.lastAt, occurredAt(event))),
      lastBrokerParticipantId: brokerParticipantId,
      byBroker: put(
        brokering.byBroker,
        brokerParticipantId,
        (lookup(brokering.byBroker, brokerParticipantId) ?? 0) + 1,
      ),
      byKind: { ...brokering.byKind, [activityKind]: (brokering.byKind[activityKind] ?? 0) + 1 },
    },
  };
}

function partnershipClosed(state: Partnership, event: PartnershipEventOf<'PartnershipClosed'>): Partnership {
  const { closureKind, successorPartnershipId } = event.data;
  return {
    ...withStatus(state, 'closed', occurredAt(event)),
    closure: {
      closureKind,
      ...opt('successorPartnershipId', successorPartnershipId),
      ...opt('closedAt', occurredAt(event)),
    },
  };
}

// --- workstreams and their work --------------------------------------------------------------------

function workstreamOpened(state: Partnership, event: PartnershipEventOf<'WorkstreamOpened'>): Partnership {
  const { workstreamId, title, leadParticipantIds, parentWorkstreamId } = event.data;
  if (lookup(state.workstreams, workstreamId)) return state;
  const at = occurredAt(event);
  const workstream: WorkstreamState = {
    workstreamId,
    title,
    leadParticipantIds: list(leadParticipantIds),
    ...opt('parentWorkstreamId', parentWorkstreamId),
    phase: 'problem_framing',
    ...opt('phaseEnteredAt', at),
    phaseHistory: [{ phase: 'problem_framing', ...opt('enteredAt', at), ...opt('eventId', event.metadata?.eventId) }],
    ...opt('openedAt', at),
  };
  return { ...state, workstreams: put(state.workstreams, workstreamId, workstream) };
}

function phaseTransitioned(state: Partnership, event: PartnershipEventOf<'PhaseTransitioned'>): Partnership {
  const { workstreamId, fromPhase, toPhase, direction, reason, triggerEventId } = event.data;
  const at = occurredAt(event);
  return {
    ...state,
    workstreams: update(state.workstreams, workstreamId, (w) => ({
      ...w,
      phase: toPhase,
      ...opt('phaseEnteredAt', at),
      phaseHistory: [
        ...w.phaseHistory,
        {
          phase: toPhase,
          ...opt('enteredAt', at),
          fromPhase,
          direction,
          ...opt('reason', reason),
          ...opt('triggerEventId', triggerEventId),
          ...opt('eventId', event.metadata?.eventId),
        },
      ],
    })),
  };
}

function problemDefined(state: Partnership, event: PartnershipEventOf<'ProblemOfPracticeDefined'>): Partnership {
  const { workstreamId, problemId, statement, proposedByParticipantIds, intendedUse, communityGoal } = event.data;
  if (lookup(state.problems, problemId)) return state;
  const problem: ProblemState = {
    problemId,
    workstreamId,
    statement,
    originalStatement: statement,
    proposedByParticipantIds: list(proposedByParticipantIds),
    intendedUse,
    ...opt('communityGoal', communityGoal),
    ...opt('definedAt', occurredAt(event)),
    reframings: [],
  };
  return { ...state, problems: put(state.problems, problemId, problem) };
}

function problemReframed(state: Partnership, event: PartnershipEventOf<'ProblemOfPracticeReframed'>): Partnership {
  const { problemId, statement, reason } = event.data;
  return {
    ...state,
    problems: update(state.problems, problemId, (p) => ({
      ...p,
      statement,
      reframings: [...p.reframings, { statement, reason, ...opt('reframedAt', occurredAt(event)) }],
    })),
  };
}

function agendaAgreed(state: Partnership, event: PartnershipEventOf<'ResearchAgendaAgreed'>): Partnership {
  const { workstreamId, agendaId, researchQuestions, agreedByParticipantIds } = event.data;
  if (lookup(state.agendas, agendaId)) return state;
  let questions = state.researchQuestions;
  for (const { questionId, text } of list(researchQuestions)) {
    if (!lookup(questions, questionId))
      questions = put(questions, questionId, { questionId, text, agendaId, workstreamId });
  }
  const agenda: AgendaState = {
    agendaId,
    workstreamId,
    questionIds: list(researchQuestions).map((q) => q.questionId),
    agreedByParticipantIds: list(agreedByParticipantIds),
    ...opt('agreedAt', occurredAt(event)),
  };
  return { ...state, agendas: put(state.agendas, agendaId, agenda), researchQuestions: questions };
}

function evidenceReviewed(state: Partnership, event: PartnershipEventOf<'EvidenceReviewed'>): Partnership {
  const { workstreamId, reviewId, sources, evidenceTypes, contributorParticipantIds } = event.data;
  if (lookup(state.evidenceReviews, reviewId)) return state;
  const review: EvidenceReviewState = {
    reviewId,
    workstreamId,
    sources: list(sources),
    evidenceTypes: list(evidenceTypes),
    contributorParticipantIds: list(contributorParticipantIds),
    ...opt('reviewedAt', occurredAt(event)),
  };
  return { ...state, evidenceReviews: put(state.evidenceReviews, reviewId, review) };
}

function toolCoDeveloped(state: Partnership, event: PartnershipEventOf<'ToolCoDeveloped'>): Partnership {
  const { workstreamId, toolId, name, purpose, coDesignerParticipantIds } = event.data;
  if (lookup(state.tools, toolId)) return state;
  const at = occurredAt(event);
  const tool: ToolState = {
    toolId,
    workstreamId,
    name,
    purpose,
    coDesignerParticipantIds: list(coDesignerParticipantIds),
    currentVersion: 1,
    versions: [{ version: 1, workstreamId, participantIds: list(coDesignerParticipantIds), ...opt('createdAt', at) }],
  };
  return { ...state, tools: put(state.tools, toolId, tool) };
}

function toolRevised(state: Partnership, event: PartnershipEventOf<'ToolRevised'>): Partnership {
  const d = event.data;
  return {
    ...state,
    tools: update(state.tools, d.toolId, (tool) => ({
      ...tool,
      currentVersion: Math.max(tool.currentVersion, d.version),
      versions: [
        ...tool.versions,
        {
          version: d.version,
          workstreamId: d.workstreamId,
          participantIds: list(d.revisedWithParticipantIds),
          answersInputIds: list(d.answersInputIds),
          ...opt('answersFindingsIds', d.answersFindingsIds && list(d.answersFindingsIds)),
          changeSummary: d.changeSummary,
          ...opt('createdAt', occurredAt(event)),
        },
      ],
    })),
  };
}

function pilotApproved(state: Partnership, event: PartnershipEventOf<'PilotApproved'>): Partnership {
  const d = event.data;
  if (lookup(state.pilots, d.pilotId)) return state;
  const pilot: PilotState = {
    pilotId: d.pilotId,
    workstreamId: d.workstreamId,
    toolId: d.toolId,
    toolVersion: d.toolVersion,
    siteOrganizationIds: list(d.siteOrganizationIds),
    approvals: list(d.approvals).map((a) => ({ ...a })),
    consentBasis: d.consentBasis,
    plannedStart: d.plannedStart,
    plannedEnd: d.plannedEnd,
    ...opt('approvedAt', occurredAt(event)),
    status: 'approved',
  };
  return { ...state, pilots: put(state.pilots, d.pilotId, pilot) };
}

function pilotStarted(state: Partnership, event: PartnershipEventOf<'PilotStarted'>): Partnership {
  const { pilotId, startedOn, siteOrganizationIds } = event.data;
  return {
    ...state,
    pilots: update(state.pilots, pilotId, (p) => ({
      ...p,
      status: p.status === 'concluded' ? p.status : 'running',
      startedOn,
      startedSiteOrganizationIds: list(siteOrganizationIds),
    })),
  };
}

function pilotConcluded(state: Partnership, event: PartnershipEventOf<'PilotConcluded'>): Partnership {
  const { pilotId, endedOn, outcome } = event.data;
  return {
    ...state,
    pilots: update(state.pilots, pilotId, (p) => ({ ...p, status: 'concluded', endedOn, outcome })),
  };
}

function inputGathered(state: Partnership, event: PartnershipEventOf<'StakeholderInputGathered'>): Partnership {
  const d = event.data;
  if (lookup(state.inputs, d.inputId)) return state;
  const aboutToolVersion =
    d.toolId === undefined ? undefined : (d.toolVersion ?? lookup(state.tools, d.toolId)?.currentVersion);
  const input: InputState = {
    inputId: d.inputId,
    workstreamId: d.workstreamId,
    ...opt('toolId', d.toolId),
    ...opt('toolVersion', d.toolVersion),
    ...opt('aboutToolVersion', aboutToolVersion),
    method: d.method,
    respondentCounts: { ...(d.respondentCounts ?? {}) },
    ...opt('convenedByParticipantId', d.convenedByParticipantId),
    ...opt('gatheredAt', occurredAt(event)),
  };
  return { ...state, inputs: put(state.inputs, d.inputId, input) };
}

function studyApproved(state: Partnership, event: PartnershipEventOf<'FormalStudyApproved'>): Partnership {
  const d = event.data;
  if (lookup(state.studies, d.studyId)) return state;
  const study: StudyState = {
    studyId: d.studyId,
    workstreamId: d.workstreamId,
    questionIds: list(d.questionIds),
    design: d.design,
    siteOrganizationIds: list(d.siteOrganizationIds),
    approvals: list(d.approvals).map((a) => ({ ...a })),
    usesStudentRecords: d.usesStudentRecords,
    dsaIds: list(d.dsaIds),
    ...opt('ethicsRef', d.ethicsRef),
    ...opt('approvedAt', occurredAt(event)),
    status: 'approved',
    findingsIds: [],
  };
  return { ...state, studies: put(state.studies, d.studyId, study) };
}

function studyStarted(state: Partnership, event: PartnershipEventOf<'FormalStudyStarted'>): Partnership {
  const { studyId, startedOn } = event.data;
  return {
    ...state,
    studies: update(state.studies, studyId, (s) => ({
      ...s,
      status: s.status === 'approved' ? 'running' : s.status,
      startedOn,
    })),
  };
}

function dataReceived(state: Partnership, event: PartnershipEventOf<'DataReceivedUnderAgreement'>): Partnership {
  const d = event.data;
  if (lookup(state.dataTransfers, d.transferId)) return state;
  const transfer: DataTransferState = {
    transferId: d.transferId,
    workstreamId: d.workstreamId,
    dsaId: d.dsaId,
    dataCategories: list(d.dataCategories),
    piiIncluded: d.piiIncluded,
    receivedOn: d.receivedOn,
    ...opt('recipientOrganizationId', d.recipientOrganizationId),
  };
  return { ...state, dataTransfers: put(state.dataTransfers, d.transferId, transfer) };
}

function findingsShared(state: Partnership, event: PartnershipEventOf<'PreliminaryFindingsShared'>): Partnership {
  const { workstreamId, findingsId, sourceId, sharedWithOrganizationIds, sharedOn } = event.data;
  if (lookup(state.findings, findingsId)) return state;
  const source = resolveFindingsSource(state, workstreamId, sourceId);
  const findings: FindingsState = {
    findingsId,
    workstreamId,
    sourceId,
    sourceKind: source?.kind ?? 'unknown',
    sharedWithOrganizationIds: list(sharedWithOrganizationIds),
    sharedOn,
    interpreted: false,
    interpretations: [],
    reviews: [],
    disseminations: [],
  };
  const studies =
    source?.kind === 'study'
      ? update(state.studies, sourceId, (s) => ({
          ...s,
          status: 'findings_shared' as const,
          findingsIds: [...s.findingsIds, findingsId],
        }))
      : state.studies;
  return { ...state, findings: put(state.findings, findingsId, findings), studies };
}

function findingsInterpreted(state: Partnership, event: PartnershipEventOf<'FindingsJointlyInterpreted'>): Partnership {
  const { findingsId, sessionOn, attendeeParticipantIds, followUpQuestions, agreedImplications } = event.data;
  return {
    ...state,
    findings: update(state.findings, findingsId, (f) => ({
      ...f,
      interpreted: true,
      interpretations: [
        ...f.interpretations,
        {
          sessionOn,
          attendeeParticipantIds: list(attendeeParticipantIds),
          followUpQuestions: list(followUpQuestions),
          agreedImplications: list(agreedImplications),
        },
      ],
    })),
  };
}

function findingsReviewed(
  state: Partnership,
  event: PartnershipEventOf<'FindingsReviewedByPracticePartner'>,
): Partnership {
  const { findingsId, reviewerOrganizationId, outcome, reviewedOn } = event.data;
  return {
    ...state,
    findings: update(state.findings, findingsId, (f) => ({
      ...f,
      reviews: [...f.reviews, { reviewerOrganizationId, outcome, reviewedOn }],
    })),
  };
}

function findingsDisseminated(state: Partnership, event: PartnershipEventOf<'FindingsDisseminated'>): Partnership {
  const { findingsId, artifactKind, audience, releasedOn } = event.data;
  return {
    ...state,
    findings: update(state.findings, findingsId, (f) => ({
      ...f,
      disseminations: [...f.disseminations, { artifactKind, audience, releasedOn }],
    })),
  };
}

function researchUseRecorded(state: Partnership, event: PartnershipEventOf<'ResearchUseRecorded'>): Partnership {
  const d = event.data;
  if (lookup(state.researchUses, d.useId)) return state;
  const use: ResearchUseState = {
    useId: d.useId,
    workstreamId: d.workstreamId,
    decisionSummary: d.decisionSummary,
    decisionLevel: d.decisionLevel,
    decidingOrganizationId: d.decidingOrganizationId,
    evidenceIds: list(d.evidenceIds),
    ...opt('recordedAt', occurredAt(event)),
  };
  return { ...state, researchUses: put(state.researchUses, d.useId, use) };
}
