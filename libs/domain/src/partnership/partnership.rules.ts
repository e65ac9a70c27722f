/**
 * Reusable checks of the partnership decider, in the order docs/domain-rules.md applies them:
 * existence and terminal status, references, new ids, terminal workstream, actors, then the
 * command's own rules (status, sequence, phase edge, the named rule). Each check throws the first
 * failure as a `RuleViolation` (or `PartnershipNotFound`) and otherwise returns what it looked up.
 */
import { PartnershipNotFound, RuleViolation } from '../shared/domain-error';
import { PHASES, type PartnershipStatus, type Phase, type PhaseDirection, type Role } from '../shared/vocabulary';
import type { CommandMetadata, PartnershipCommand, PartnershipCommandType } from './partnership.commands';
import type { PartnershipEventOf } from './partnership.events';
import {
  isActiveMember,
  lookup,
  type OrganizationState,
  type Partnership,
  type PartnershipState,
  type WorkstreamState,
} from './partnership.state';

// --- phases ----------------------------------------------------------------------------------------

/** Gate commands: the phase they move a workstream to, and the phases they may be recorded in. */
export const PHASE_GATES = {
  AgreeResearchAgenda: { target: 'evidence_review', from: ['problem_framing'] },
  CoDevelopTool: { target: 'co_design', from: ['evidence_review'] },
  ApprovePilot: { target: 'pilot', from: ['co_design', 'input_revision'] },
  ConcludePilot: { target: 'input_revision', from: ['pilot'] },
  ApproveFormalStudy: { target: 'formal_study', from: ['evidence_review', 'co_design', 'input_revision'] },
  SharePreliminaryFindings: { target: 'joint_interpretation', from: ['formal_study', 'input_revision'] },
  InterpretFindingsJointly: { target: 'use_dissemination', from: ['joint_interpretation'] },
} as const satisfies Partial<Record<PartnershipCommandType, { target: Phase; from: readonly Phase[] }>>;
export type GateCommandType = keyof typeof PHASE_GATES;

type Edge = readonly [from: Phase, to: Phase];

/** DOMAIN.md's forward edges (taken by gates, or by TransitionPhase when the gate fact exists). */
export const FORWARD_EDGES: readonly Edge[] = [
  ['problem_framing', 'evidence_review'],
  ['evidence_review', 'co_design'],
  ['evidence_review', 'formal_study'],
  ['co_design', 'pilot'],
  ['co_design', 'formal_study'],
  ['pilot', 'input_revision'],
  ['input_revision', 'pilot'],
  ['input_revision', 'formal_study'],
  ['input_revision', 'joint_interpretation'],
  ['formal_study', 'joint_interpretation'],
  ['joint_interpretation', 'use_dissemination'],
  ['use_dissemination', 'concluded'],
];

/** Backward edges: only by TransitionPhase, with a reason. */
export const BACKWARD_EDGES: readonly Edge[] = [
  ['evidence_review', 'problem_framing'],
  ['co_design', 'problem_framing'],
  ['pilot', 'co_design'],
  ['input_revision', 'co_design'],
  ['formal_study', 'input_revision'],
  ['joint_interpretation', 'formal_study'],
  ['joint_interpretation', 'co_design'],
  ['joint_interpretation', 'problem_framing'],
  ['use_dissemination', 'problem_framing'],
];

/** Skips: problem_framing→co_design (no evidence review), and concluding early from any open phase. */
export const SKIP_EDGES: readonly Edge[] = [
  ['problem_framing', 'co_design'],
  // Early conclusion from every open phase except use_dissemination (whose →concluded is forward).
  ...PHASES.filter((from) => from !== 'use_dissemination' && from !== 'concluded').map((from): Edge => [from, 'concluded']),
];

const hasEdge = (edges: readonly Edge[], from: Phase, to: Phase): boolean =>
  edges.some(([f, t]) => f === from && t === to);

/** The direction of an explicit transition, or undefined when no edge exists. */
export function transitionDirection(from: Phase, to: Phase): PhaseDirection | undefined {
  if (hasEdge(FORWARD_EDGES, from, to)) return 'forward';
  if (hasEdge(BACKWARD_EDGES, from, to)) return 'backward';
  if (hasEdge(SKIP_EDGES, from, to)) return 'skip';
  return undefined;
}

/**
 * Whether the fact that opens `phase` already exists in the workstream, so that TransitionPhase may
 * go forward into it. `concluded` needs none (use_dissemination→concluded is the normal ending).
 */
export function gateFactExists(state: Partnership, workstreamId: string, phase: Phase): boolean {
  const inWorkstream = <T extends { workstreamId: string }>(registry: Readonly<Record<string, T>>) =>
    Object.values(registry).filter((item) => item.workstreamId === workstreamId);
  switch (phase) {
    case 'problem_framing':
      return true;
    case 'evidence_review':
      return inWorkstream(state.agendas).length > 0;
    case 'co_design':
      return Object.values(state.tools).some((tool) => tool.versions.some((v) => v.workstreamId === workstreamId));
    case 'pilot':
      return inWorkstream(state.pilots).length > 0;
    case 'input_revision':
      return inWorkstream(state.pilots).some((pilot) => pilot.status === 'concluded');
    case 'formal_study':
      return inWorkstream(state.studies).length > 0;
    case 'joint_interpretation':
      return inWorkstream(state.findings).length > 0;
    case 'use_dissemination':
      return inWorkstream(state.findings).some((findings) => findings.interpreted);
    case 'concluded':
      return true;
    default: {
      const _never: never = phase;
      return _never;
    }
  }
}

/**
 * Checks a gate command's phase edge (step 7, after status and sequence checks) and returns the
 * automatic `PhaseTransitioned` to record right after the gate event (none when the workstream is
 * already in the target phase). The gate event is the first produced, so its id is `eventIds[0]`.
 */
export function gateTransition(
  workstream: WorkstreamState,
  gate: GateCommandType,
  metadata: CommandMetadata,
): PartnershipEventOf<'PhaseTransitioned'>[] {
  const { target, from } = PHASE_GATES[gate];
  if (workstream.phase === target) return [];
  if (!(from as readonly Phase[]).includes(workstream.phase)) {
    throw new RuleViolation(
      'ILLEGAL_PHASE_TRANSITION',
      `${gate} moves workstream ${workstream.workstreamId} to ${target}, which is reachable only from ${from.join(
        ' or ',
      )}; the workstream is in ${workstream.phase}`,
      { workstreamId: workstream.workstreamId, fromPhase: workstream.phase, toPhase: target, allowedFrom: [...from] },
    );
  }
  const triggerEventId = metadata.eventIds[0];
  return [
    {
      type: 'PhaseTransitioned',
      data: {
        workstreamId: workstream.workstreamId,
        fromPhase: workstream.phase,
        toPhase: target,
        direction: 'forward',
        ...(triggerEventId === undefined ? {} : { triggerEventId }),
      },
    },
  ];
}

/** Nothing moves while the partnership is paused: gates, TransitionPhase, OpenWorkstream. */
export function requireNotPaused(state: Partnership, what: string, workstreamId?: string): void {
  if (state.status === 'paused') {
    throw new RuleViolation(
      'ILLEGAL_PHASE_TRANSITION',
      `The partnership is paused; ${what} would move work forward and must wait until it is active again`,
      { status: state.status, ...(workstreamId === undefined ? {} : { workstreamId }) },
    );
  }
}

// --- steps 1 and 2: the partnership exists and is not terminal ------------------------------------

/** Compliance facts accepted after closure or abandonment. */
export const COMPLIANCE_COMMAND_TYPES: readonly PartnershipCommandType[] = ['CertifyDataDisposal'];

export const isTerminalStatus = (status: PartnershipStatus): boolean => status === 'closed' || status === 'abandoned';

export function requirePartnership(state: PartnershipState, command: PartnershipCommand): Partnership {
  if (state.status === 'none') {
    throw new PartnershipNotFound(`Partnership ${command.metadata.partnershipId} does not exist`);
  }
  if (isTerminalStatus(state.status) && !COMPLIANCE_COMMAND_TYPES.includes(command.type)) {
    throw new RuleViolation(
      'TERMINAL_STATE',
      `Partnership ${state.partnershipId} is ${state.status}; only compliance facts (${COMPLIANCE_COMMAND_TYPES.join(
        ', ',
      )}) may still be recorded, not ${command.type}`,
      { status: state.status, commandType: command.type },
    );
  }
  return state;
}

// --- step 3: references ----------------------------------------------------------------------------

export function unknownReference(field: string, id: string, message: string): RuleViolation {
  return new RuleViolation('UNKNOWN_REFERENCE', message, { reference: { field, id } });
}

/** Looks `id` up in `registry`; `kind` names it in the message ("organization", "tool", …). */
export function known<T>(registry: Readonly<Record<string, T>>, kind: string, field: string, id: string): T {
  const item = lookup(registry, id);
  if (item === undefined) throw unknownReference(field, id, `Unknown ${kind} ${id} (${field})`);
  return item;
}

export function knownAll<T>(
  registry: Readonly<Record<string, T>>,
  kind: string,
  field: string,
  ids: readonly string[],
): T[] {
  return ids.map((id) => known(registry, kind, field, id));
}

export const knownOrganization = (state: Partnership, field: string, id: string): OrganizationState =>
  known(state.organizations, 'organization', field, id);

export const knownOrganizations = (state: Partnership, field: string, ids: readonly string[]): OrganizationState[] =>
  knownAll(state.organizations, 'organization', field, ids);

export const knownParticipants = (state: Partnership, field: string, ids: readonly string[]): void => {
  knownAll(state.participants, 'participant', field, ids);
};

export const knownWorkstream = (state: Partnership, id: string): WorkstreamState =>
  known(state.workstreams, 'workstream', 'workstreamId', id);

/**
 * Problems, pilots, studies, inputs and findings belong to the workstream they were recorded in: a
 * command naming a workstream and one of these must name one of that workstream.
 */
export function knownInWorkstream<T extends { workstreamId: string }>(
  registry: Readonly<Record<string, T>>,
  kind: string,
  field: string,
  id: string,
  workstream: WorkstreamState,
): T {
  const item = known(registry, kind, field, id);
  if (item.workstreamId !== workstream.workstreamId) {
    throw unknownReference(
      field,
      id,
      `${kind} ${id} belongs to workstream ${item.workstreamId}, not to workstream ${workstream.workstreamId}`,
    );
  }
  return item;
}

// --- step 4: new ids -------------------------------------------------------------------------------

export function requireNew(registry: Readonly<Record<string, unknown>>, kind: string, field: string, id: string): void {
  if (lookup(registry, id) !== undefined) {
    throw new RuleViolation('DUPLICATE_ID', `The ${kind} id ${id} (${field}) is already in use in this partnership`, {
      duplicate: { field, id },
    });
  }
}

// --- step 5: terminal workstream -------------------------------------------------------------------

export function requireOpenWorkstream(workstream: WorkstreamState): void {
  if (workstream.phase === 'concluded') {
    throw new RuleViolation(
      'TERMINAL_STATE',
      `Workstream ${workstream.workstreamId} is concluded; follow-up work goes in a new workstream linked by parentWorkstreamId`,
      { workstreamId: workstream.workstreamId, phase: workstream.phase },
    );
  }
}

// --- step 6: actors --------------------------------------------------------------------------------

type InactiveReason = 'not_joined' | 'departed' | 'organization_withdrawn' | 'missing_role';

function notActive(field: string, participantId: string, reason: InactiveReason, message: string, role?: Role) {
  return new RuleViolation('ACTOR_NOT_ACTIVE_MEMBER', message, {
    field,
    participantId,
    reason,
    ...(role === undefined ? {} : { role }),
  });
}

/** The participant is an active member (and holds `role` when the field implies one). */
export function requireActiveParticipant(state: Partnership, field: string, participantId: string, role?: Role): void {
  const participant = lookup(state.participants, participantId);
  if (!participant) {
    throw notActive(
      field,
      participantId,
      'not_joined',
      `Participant ${participantId} (${field}) has not joined this partnership`,
    );
  }
  if (participant.departed) {
    throw notActive(
      field,
      participantId,
      'departed',
      `Participant ${participantId} (${field}) has departed the partnership`,
    );
  }
  if (!isActiveMember(state, participantId)) {
    throw notActive(
      field,
      participantId,
      'organization_withdrawn',
      `Participant ${participantId} (${field}) acts for organization ${participant.organizationId}, which has withdrawn`,
    );
  }
  if (role !== undefined && !participant.roles.includes(role)) {
    throw notActive(
      field,
      participantId,
      'missing_role',
      `Participant ${participantId} (${field}) does not hold the ${role} role (roles: ${participant.roles.join(', ') || 'none'})`,
      role,
    );
  }
}

export function requireActiveParticipants(
  state: Partnership,
  field: string,
  ids: readonly string[],
  role?: Role,
): void {
  for (const id of ids) requireActiveParticipant(state, field, id, role);
}

/** The request's actor (`metadata.actor.participantId`), when given, is an active member. */
export function requireActiveActor(state: Partnership, metadata: CommandMetadata): void {
  const participantId = metadata.actor?.participantId;
  if (participantId !== undefined) requireActiveParticipant(state, 'actorParticipantId', participantId);
}

/** Organizations taking part in a command (parties, sites, approvers, …) must not have withdrawn. */
export function requireActiveOrganizations(state: Partnership, field: string, ids: readonly string[]): void {
  for (const id of ids) {
    const organization = lookup(state.organizations, id);
    if (organization?.withdrawn) {
      throw new RuleViolation(
        'ACTOR_NOT_ACTIVE_MEMBER',
        `Organization ${id} (${field}) has withdrawn from the partnership`,
        { field, organizationId: id, reason: 'organization_withdrawn' },
      );
    }
  }
}

// --- step 7: status --------------------------------------------------------------------------------

export function requireStatus(
  state: Partnership,
  allowed: readonly PartnershipStatus[],
  what: string,
  extra: Readonly<Record<string, unknown>> = {},
): void {
  if (!allowed.includes(state.status)) {
    throw new RuleViolation(
      'ILLEGAL_STATUS_TRANSITION',
      `${what} is allowed only when the partnership is ${allowed.join(' or ')}; it is ${state.status}`,
      { status: state.status, allowedFrom: [...allowed], ...extra },
    );
  }
}

export function outOfSequence(message: string, details?: Readonly<Record<string, unknown>>): RuleViolation {
  return new RuleViolation('OUT_OF_SEQUENCE', message, details);
}

// --- dates -----------------------------------------------------------------------------------------

/** `YYYY-MM-DD` + n days, in UTC calendar arithmetic. */
export function addDays(isoDate: string, days: number): string {
  const [year, month, day] = isoDate.slice(0, 10).split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** Default no-surprises review window when a DSA leaves `noSurprisesReviewDays` unset (DOMAIN.md R-12). */
export const DEFAULT_NO_SURPRISES_REVIEW_DAYS = 30;

/** Audiences outside the partnership for which the no-surprises review applies. */
export const REVIEWED_AUDIENCES = ['public', 'field', 'policy'] as const;

/** Obligations that keep a partnership from closing (and from being abandoned, except disposal). */
export type OpenObligation =
  | { kind: 'dsa_active'; dsaId: string }
  | { kind: 'disposal_not_certified'; dsaId: string; destructionDueBy?: string }
  | { kind: 'pilot_running'; pilotId: string; workstreamId: string }
  | { kind: 'study_running'; studyId: string; workstreamId: string };

export function openObligations(state: Partnership): OpenObligation[] {
  const obligations: OpenObligation[] = [];
  for (const dsa of Object.values(state.dataSharingAgreements)) {
    if (!dsa.ended) obligations.push({ kind: 'dsa_active', dsaId: dsa.dsaId });
    else if (!dsa.disposalCertified) {
      obligations.push({
        kind: 'disposal_not_certified',
        dsaId: dsa.dsaId,
        ...(dsa.destructionDueBy === undefined ? {} : { destructionDueBy: dsa.destructionDueBy }),
      });
    }
  }
  const inOpenWorkstream = (workstreamId: string) => lookup(state.workstreams, workstreamId)?.phase !== 'concluded';
  for (const pilot of Object.values(state.pilots)) {
    if (pilot.status === 'running' && inOpenWorkstream(pilot.workstreamId)) {
      obligations.push({ kind: 'pilot_running', pilotId: pilot.pilotId, workstreamId: pilot.workstreamId });
    }
  }
  for (const study of Object.values(state.studies)) {
    if (study.status === 'running' && inOpenWorkstream(study.workstreamId)) {
      obligations.push({ kind: 'study_running', studyId: study.studyId, workstreamId: study.workstreamId });
    }
  }
  return obligations;
}

export function describeObligation(obligation: OpenObligation): string {
  switch (obligation.kind) {
    case 'dsa_active':
      return `data-sharing agreement ${obligation.dsaId} is still active`;
    case 'disposal_not_certified':
      return `disposal of data under ${obligation.dsaId} is not certified`;
    case 'pilot_running':
      return `pilot ${obligation.pilotId} is running in workstream ${obligation.workstreamId}`;
    case 'study_running':
      return `study ${obligation.studyId} is running in workstream ${obligation.workstreamId}`;
    default: {
      const _never: never = obligation;
      return _never;
    }
  }
}

/** At least one participant holding one of `first` and a *different* one holding one of `second`. */
export function distinctHolders(
  state: Partnership,
  participantIds: readonly string[],
  first: readonly Role[],
  second: readonly Role[],
): boolean {
  const holds = (id: string, roles: readonly Role[]) =>
    lookup(state.participants, id)?.roles.some((r) => roles.includes(r)) ?? false;
  const unique = [...new Set(participantIds)];
  return unique.some((a) => holds(a, first) && unique.some((b) => b !== a && holds(b, second)));
}
