/**
 * The bounded facts document from which a partnership's CURRENT signals are computed at query time
 * (`evaluatePartnershipSignals(facts, now)`). Read models fold it per partnership with
 * `stepSignalFacts`, one event at a time, deterministically (no clock): membership as it stands,
 * open workstreams with who was present in their current phase occurrence, the event-level signals
 * still current, and the dates the time-dependent signals need.
 *
 * Bounded: registries hold current membership and open workstreams only; lists that grow with
 * history are capped (oldest dropped) and recording counts keep the last ~120 days. Nothing depends
 * on the key order of objects (jsonb does not keep it), so a document read back from PostgreSQL folds
 * exactly like one kept in memory — the batch invariance of the projections rests on it.
 */
import { SIDES, type InitiationMode, type OrgType, type PartnershipStatus, type Phase, type Role, type Side } from '@trellis/domain';
import type { RecordedEvent } from '@trellis/event-store';
import {
  dataOf,
  namedOrganizations,
  namedParticipants,
  occurredAtOf,
  partnershipIdOf,
  recordedAtOf,
  recorderOf,
  respondentRoles,
  type Recorder,
  str,
  strList,
  workstreamIdOf,
} from './event-access';
import { SIGNAL_EVENT_TYPES, detectWithLookup, type SignalLookup } from './event-signals';
import { SIGNAL_CATALOG } from './signal-catalog';
import type { RaisedSignal } from './signal-instance';
import { EMPTY_PRESENCE, familiesOrCommunityPresent, withPresence, type PhasePresence } from './phase-presence';
import { epochDay, laterOf } from './signal-time';

export interface OrganizationFacts {
  readonly side: Side;
  readonly orgType: OrgType;
  /** Present (true) once the organization withdrew; its participants are then no longer active. */
  readonly withdrawn?: true;
}

/**
 * Current members only: a departed participant is removed (its departure is kept in `departures`).
 * Active unless the organization withdrew.
 */
export interface ParticipantFacts {
  readonly organizationId: string;
  readonly roles: readonly Role[];
}

export interface WorkstreamFacts {
  readonly title: string;
  readonly phase: Phase;
  readonly phaseEnteredAt?: string;
  /** 1 for the first phase occurrence, +1 at every transition. */
  readonly occurrence: number;
  readonly openedAt?: string;
  readonly lastActivityAt?: string;
  /** Who was present in the current phase occurrence. */
  readonly presence: PhasePresence;
}

export interface DepartureFacts {
  readonly participantId: string;
  readonly organizationId: string;
  readonly departedAt: string;
  readonly eventId: string;
  readonly position: string;
}

export interface InterpretationFacts {
  readonly findingsId: string;
  readonly workstreamId: string;
  /** The first joint-interpretation session of the findings (`YYYY-MM-DD`). */
  readonly sessionOn: string;
  readonly eventId: string;
  readonly position: string;
}

export interface FindingsFacts {
  readonly findingsId: string;
  readonly workstreamId: string;
  readonly sharedOn?: string;
  readonly firstSessionOn?: string;
}

/**
 * Events recorded on one day (UTC, by `recordedAt`), compact because up to ~120 are kept:
 * `[day, …count per side in SIDES order (research, practice, community, intermediary, funder), unattributed]`
 * where `day` counts days since 1970-01-01 (`epochDay`).
 */
export type RecordingDay = readonly [day: number, research: number, practice: number, community: number, intermediary: number, funder: number, unattributed: number];

export const recordingIndex = (side: Side | undefined): number => (side === undefined ? SIDES.length + 1 : SIDES.indexOf(side) + 1);

export interface SignalFacts {
  readonly partnershipId: string;
  /** `none` until the proposal has been folded. */
  readonly status: PartnershipStatus | 'none';
  readonly initiationMode?: InitiationMode;
  readonly types: readonly string[];
  readonly proposedAt?: string;
  /** Some problem of practice declares a community goal (equity focus). */
  readonly communityGoal: boolean;
  readonly organizations: Readonly<Record<string, OrganizationFacts>>;
  readonly participants: Readonly<Record<string, ParticipantFacts>>;
  /** Open workstreams (concluded ones are removed and counted). */
  readonly workstreams: Readonly<Record<string, WorkstreamFacts>>;
  readonly workstreamsOpened: number;
  readonly workstreamsConcluded: number;
  /** A family member, community member or community-side organization was present in some phase. */
  readonly familiesOrCommunityPresent: boolean;
  /** Workstream-scoped event-level signals of open workstreams, oldest first (capped). */
  readonly flags: readonly RaisedSignal[];
  /** Departures without successor nobody has joined the organization after (capped). */
  readonly departures: readonly DepartureFacts[];
  /** Jointly interpreted findings with no research use since (capped). */
  readonly interpretations: readonly InterpretationFacts[];
  /** Findings of open workstreams and their first interpretation (capped). */
  readonly findings: readonly FindingsFacts[];
  readonly brokering: { readonly count: number; readonly lastAt?: string };
  readonly reflections: { readonly count: number; readonly lastAt?: string };
  /**
   * Recording counts: the latest day apart (most events update only it), earlier days ascending;
   * days older than the latest day − `SIGNAL_FACTS_LIMITS.recordingKeepDays` are dropped.
   */
  readonly recordingLatestDay?: RecordingDay;
  readonly recordingEarlierDays: readonly RecordingDay[];
}

export const SIGNAL_FACTS_LIMITS = {
  flags: 50,
  departures: 50,
  interpretations: 50,
  findings: 100,
  /** Recording days kept behind the latest recorded day (the signal looks at 90). */
  recordingKeepDays: 120,
} as const;

export function initialSignalFacts(partnershipId: string): SignalFacts {
  return {
    partnershipId,
    status: 'none',
    types: [],
    communityGoal: false,
    organizations: {},
    participants: {},
    workstreams: {},
    workstreamsOpened: 0,
    workstreamsConcluded: 0,
    familiesOrCommunityPresent: false,
    flags: [],
    departures: [],
    interpretations: [],
    findings: [],
    brokering: { count: 0 },
    reflections: { count: 0 },
    recordingEarlierDays: [],
  };
}

export interface SignalStep {
  readonly facts: SignalFacts;
  /** Event-level signals the event raised (also those no longer current after it, e.g. at a conclusion). */
  readonly raised: readonly RaisedSignal[];
}

type Draft = { -readonly [K in keyof SignalFacts]: SignalFacts[K] };

/**
 * Folds one event; returns the next facts and the signals the event raised. Pure: `before` is never
 * changed (one shallow copy per event is changed instead, and every registry or list it replaces is a
 * new one — read models fold millions of events, so copies are kept to what changes).
 */
export function stepSignalFacts(before: SignalFacts, event: RecordedEvent): SignalStep {
  if (before.status === 'none') {
    return { facts: event.type === 'PartnershipProposed' ? proposed(before, event) : before, raised: [] };
  }
  const draft: Draft = { ...before };
  const workstreamId = workstreamIdOf(event);
  const at = occurredAtOf(event);
  const by = recorderOf(event);
  const recorder = presenceOfRecorder(before, by);
  const leaving = presenceLeftBy(before, event, recorder);

  applyData(draft, event, dataOf(event), at);
  if (workstreamId !== undefined && at !== undefined) touchWorkstream(draft, workstreamId, at);
  countRecording(draft, sideOfRecorder(before, by), event);
  const raised = SIGNAL_EVENT_TYPES.has(event.type)
    ? detectWithLookup(factsLookup(before), event, factsLookup(draft), leaving ? { presence: leaving } : {})
    : [];

  if (leaving && familiesOrCommunityPresent(leaving)) draft.familiesOrCommunityPresent = true;
  if (event.type !== 'PhaseTransitioned' && workstreamId !== undefined && own(draft.workstreams, workstreamId)) {
    addPresence(draft, workstreamId, event, recorder);
  }
  if (raised.length > 0) {
    const current = raised.filter(
      (x) => SIGNAL_CATALOG[x.code].scope === 'workstream' && x.workstreamId !== undefined && own(draft.workstreams, x.workstreamId),
    );
    if (current.length > 0) draft.flags = capped([...draft.flags, ...current], SIGNAL_FACTS_LIMITS.flags);
  }
  return { facts: draft, raised };
}

/**
 * For a `PhaseTransitioned`: who was present in the phase occurrence it ends (the transition's
 * recorder closes the occurrence and counts as present in it). Pass it to `detectEventSignals` as
 * `{presence}` when folding the domain state beside these facts.
 */
export function presenceLeftBy(before: SignalFacts, event: RecordedEvent, recorder?: PhasePresence): PhasePresence | undefined {
  if (event.type !== 'PhaseTransitioned') return undefined;
  const workstreamId = workstreamIdOf(event);
  if (workstreamId === undefined || !own(before.workstreams, workstreamId)) return undefined;
  const by = recorder ?? presenceOfRecorder(before, recorderOf(event));
  return withPresence(before.workstreams[workstreamId]!.presence, by.roles, by.sides);
}

export const evolveSignalFacts = (facts: SignalFacts, event: RecordedEvent): SignalFacts => stepSignalFacts(facts, event).facts;

/** A community research collaborative (types, or initiated by the community). */
export const isCollaborative = (facts: SignalFacts): boolean =>
  facts.types.includes('community_research_collaborative') || facts.initiationMode === 'community';

/** Equity-focused: a collaborative, community-initiated, or some problem has a community goal (W-04). */
export const isEquityFocused = (facts: SignalFacts): boolean => isCollaborative(facts) || facts.communityGoal;

export const isActiveParticipant = (facts: SignalFacts, participantId: string): boolean => {
  if (!own(facts.participants, participantId)) return false;
  const org = facts.participants[participantId]!.organizationId;
  return !own(facts.organizations, org) || facts.organizations[org]!.withdrawn !== true;
};

/** `SignalLookup` over the facts. */
export function factsLookup(facts: SignalFacts): SignalLookup {
  // Only membership events ask for counts: build the list lazily (most events never need it).
  let entries: Array<[string, ParticipantFacts]> | undefined;
  const participants = () => (entries ??= Object.entries(facts.participants));
  return {
    collaborative: isCollaborative(facts),
    participant(id) {
      if (!own(facts.participants, id)) return undefined;
      const p = facts.participants[id]!;
      return { organizationId: p.organizationId, roles: p.roles, active: isActiveParticipant(facts, id) };
    },
    organization(id) {
      if (!own(facts.organizations, id)) return undefined;
      const o = facts.organizations[id]!;
      return { side: o.side, withdrawn: o.withdrawn === true };
    },
    workstreamPhase: (id) => (own(facts.workstreams, id) ? facts.workstreams[id]!.phase : undefined),
    firstInterpretationOn(findingsId) {
      const f = facts.findings.find((x) => x.findingsId === findingsId);
      return f ? (f.firstSessionOn ?? null) : undefined;
    },
    activeBrokerCount: () => participants().filter(([id, p]) => p.roles.includes('broker') && isActiveParticipant(facts, id)).length,
    activeParticipantsOf: (organizationId) =>
      participants().filter(([id, p]) => p.organizationId === organizationId && isActiveParticipant(facts, id)).length,
  };
}

/** The side an event's recorder acts for: the participant's organization, else the key's organization. */
export const recorderSide = (facts: SignalFacts, event: RecordedEvent): Side | undefined => sideOfRecorder(facts, recorderOf(event));

function sideOfRecorder(facts: SignalFacts, { participantId, organizationId }: Recorder): Side | undefined {
  if (participantId !== undefined && own(facts.participants, participantId)) {
    const org = facts.participants[participantId]!.organizationId;
    if (own(facts.organizations, org)) return facts.organizations[org]!.side;
  }
  if (organizationId !== undefined && own(facts.organizations, organizationId)) return facts.organizations[organizationId]!.side;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------

const own = (record: object, key: string): boolean => Object.hasOwn(record, key);

function capped<T>(list: readonly T[], max: number): T[] {
  return list.length > max ? list.slice(list.length - max) : [...list];
}

function put<T>(record: Readonly<Record<string, T>>, key: string, value: T): Record<string, T> {
  return { ...record, [key]: value };
}

function without<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
  const next = { ...record };
  delete next[key];
  return next;
}

function proposed(facts: SignalFacts, event: RecordedEvent): SignalFacts {
  const d = dataOf(event);
  const at = occurredAtOf(event);
  const mode = str(d['initiationMode']) as InitiationMode | undefined;
  return {
    ...facts,
    status: 'exploring',
    ...(mode ? { initiationMode: mode } : {}),
    types: strList(d['types']),
    ...(at ? { proposedAt: at } : {}),
  };
}

function presenceOfRecorder(facts: SignalFacts, { participantId, organizationId }: Recorder): PhasePresence {
  if (participantId === undefined && organizationId === undefined) return EMPTY_PRESENCE;
  const roles: Role[] = [];
  const sides: Side[] = [];
  if (participantId !== undefined && own(facts.participants, participantId)) {
    const p = facts.participants[participantId]!;
    roles.push(...p.roles);
    if (own(facts.organizations, p.organizationId)) sides.push(facts.organizations[p.organizationId]!.side);
  }
  if (organizationId !== undefined && own(facts.organizations, organizationId)) sides.push(facts.organizations[organizationId]!.side);
  return withPresence(EMPTY_PRESENCE, roles, sides);
}

function addPresence(draft: Draft, workstreamId: string, event: RecordedEvent, recorder: PhasePresence): void {
  const roles: Role[] = [...recorder.roles, ...respondentRoles(event)];
  const sides: Side[] = [...recorder.sides];
  for (const id of namedParticipants(event)) {
    if (!own(draft.participants, id)) continue;
    const p = draft.participants[id]!;
    roles.push(...p.roles);
    if (own(draft.organizations, p.organizationId)) sides.push(draft.organizations[p.organizationId]!.side);
  }
  for (const id of namedOrganizations(event)) {
    if (own(draft.organizations, id)) sides.push(draft.organizations[id]!.side);
  }
  if (roles.length === 0 && sides.length === 0) return;
  const ws = draft.workstreams[workstreamId]!;
  const presence = withPresence(ws.presence, roles, sides);
  if (presence === ws.presence) return;
  draft.workstreams = put(draft.workstreams, workstreamId, { ...ws, presence });
  if (familiesOrCommunityPresent(presence)) draft.familiesOrCommunityPresent = true;
}

function countRecording(draft: Draft, side: Side | undefined, event: RecordedEvent): void {
  const recordedAt = recordedAtOf(event);
  const day = recordedAt === undefined ? NaN : epochDay(recordedAt);
  if (Number.isNaN(day)) return;
  const at = recordingIndex(side);
  const bump = (d: RecordingDay): RecordingDay => d.map((v, i) => (i === at ? v + 1 : v)) as unknown as RecordingDay;
  const fresh = (): RecordingDay => [day, 0, 0, 0, 0, 0, 0].map((v, i) => (i === at ? 1 : v)) as unknown as RecordingDay;
  const latest = draft.recordingLatestDay;
  const keep = SIGNAL_FACTS_LIMITS.recordingKeepDays;
  if (latest === undefined) {
    draft.recordingLatestDay = fresh();
  } else if (latest[0] === day) {
    // The usual case: another event the same day as the previous one.
    draft.recordingLatestDay = bump(latest);
  } else if (day > latest[0]) {
    draft.recordingEarlierDays = [...draft.recordingEarlierDays, latest].filter((d) => d[0] >= day - keep);
    draft.recordingLatestDay = fresh();
  } else if (day >= latest[0] - keep) {
    // Recorded out of day order (clock skew between writers): count it on its day.
    const days = [...draft.recordingEarlierDays];
    const i = days.findIndex((d) => d[0] >= day);
    if (i === -1) days.push(fresh());
    else if (days[i]![0] === day) days[i] = bump(days[i]!);
    else days.splice(i, 0, fresh());
    draft.recordingEarlierDays = days;
  }
}

/** Every recording day kept, ascending. */
export const recordingDays = (facts: SignalFacts): readonly RecordingDay[] =>
  facts.recordingLatestDay ? [...facts.recordingEarlierDays, facts.recordingLatestDay] : facts.recordingEarlierDays;

function touchWorkstream(draft: Draft, workstreamId: string, at: string): void {
  if (!own(draft.workstreams, workstreamId)) return;
  const ws = draft.workstreams[workstreamId]!;
  if (ws.lastActivityAt !== undefined && ws.lastActivityAt >= at) return;
  draft.workstreams = put(draft.workstreams, workstreamId, { ...ws, lastActivityAt: at });
}

function applyData(draft: Draft, event: RecordedEvent, d: Readonly<Record<string, unknown>>, at: string | undefined): void {
  switch (event.type) {
    case 'OrganizationJoined': {
      const id = str(d['organizationId']);
      const side = str(d['side']) as Side | undefined;
      if (id === undefined || side === undefined || own(draft.organizations, id)) return;
      draft.organizations = put(draft.organizations, id, { side, orgType: (str(d['orgType']) ?? 'other') as OrgType });
      return;
    }
    case 'OrganizationWithdrew': {
      const id = str(d['organizationId']);
      if (id === undefined || !own(draft.organizations, id)) return;
      draft.organizations = put(draft.organizations, id, { ...draft.organizations[id]!, withdrawn: true });
      draft.departures = draft.departures.filter((x) => x.organizationId !== id);
      return;
    }
    case 'ParticipantJoined': {
      const id = str(d['participantId']);
      const organizationId = str(d['organizationId']);
      if (id === undefined || organizationId === undefined || own(draft.participants, id)) return;
      draft.participants = put(draft.participants, id, { organizationId, roles: strList(d['roles']) as Role[] });
      // Whoever joins the organization after a departure stands in for the one who left.
      if (draft.departures.some((x) => x.organizationId === organizationId)) {
        draft.departures = draft.departures.filter((x) => x.organizationId !== organizationId);
      }
      return;
    }
    case 'ParticipantRolesChanged': {
      const id = str(d['participantId']);
      if (id === undefined || !own(draft.participants, id)) return;
      draft.participants = put(draft.participants, id, { ...draft.participants[id]!, roles: strList(d['roles']) as Role[] });
      return;
    }
    case 'ParticipantDeparted': {
      const id = str(d['participantId']);
      if (id === undefined || !own(draft.participants, id)) return;
      const organizationId = str(d['organizationId']) ?? draft.participants[id]!.organizationId;
      if (str(d['successorParticipantId']) === undefined && at !== undefined) {
        draft.departures = capped(
          [...draft.departures, { participantId: id, organizationId, departedAt: at, eventId: event.eventId, position: event.position.toString() }],
          SIGNAL_FACTS_LIMITS.departures,
        );
      }
      draft.participants = without(draft.participants, id);
      return;
    }
    case 'PartnershipFormalized':
      draft.status = 'active';
      return;
    case 'PartnershipStatusChanged': {
      const to = str(d['toStatus']) as PartnershipStatus | undefined;
      if (to) draft.status = to;
      return;
    }
    case 'PartnershipClosed':
      draft.status = 'closed';
      return;
    case 'PartnershipAbandoned':
      draft.status = 'abandoned';
      return;
    case 'PartnershipReflectionRecorded':
      draft.reflections = { count: draft.reflections.count + 1, ...optional('lastAt', laterOf(draft.reflections.lastAt, at)) };
      return;
    case 'BrokeringActivityRecorded':
      draft.brokering = { count: draft.brokering.count + 1, ...optional('lastAt', laterOf(draft.brokering.lastAt, at)) };
      return;
    case 'WorkstreamOpened': {
      const id = str(d['workstreamId']);
      if (id === undefined || own(draft.workstreams, id)) return;
      draft.workstreams = put(draft.workstreams, id, {
        title: str(d['title']) ?? '',
        phase: 'problem_framing',
        ...optional('phaseEnteredAt', at),
        occurrence: 1,
        ...optional('openedAt', at),
        presence: EMPTY_PRESENCE,
      });
      draft.workstreamsOpened += 1;
      return;
    }
    case 'ProblemOfPracticeDefined':
      if (d['communityGoal'] === true) draft.communityGoal = true;
      return;
    case 'PhaseTransitioned': {
      const id = str(d['workstreamId']);
      const toPhase = str(d['toPhase']) as Phase | undefined;
      if (id === undefined || toPhase === undefined || !own(draft.workstreams, id)) return;
      if (toPhase === 'concluded') {
        draft.workstreams = without(draft.workstreams, id);
        draft.workstreamsConcluded += 1;
        draft.flags = draft.flags.filter((f) => f.workstreamId !== id);
        draft.findings = draft.findings.filter((f) => f.workstreamId !== id);
        return;
      }
      const ws = draft.workstreams[id]!;
      draft.workstreams = put(draft.workstreams, id, { ...ws, phase: toPhase, ...optional('phaseEnteredAt', at), occurrence: ws.occurrence + 1, presence: EMPTY_PRESENCE });
      return;
    }
    case 'PreliminaryFindingsShared': {
      const findingsId = str(d['findingsId']);
      const workstreamId = str(d['workstreamId']);
      if (findingsId === undefined || workstreamId === undefined || draft.findings.some((f) => f.findingsId === findingsId)) return;
      draft.findings = capped([...draft.findings, { findingsId, workstreamId, ...optional('sharedOn', str(d['sharedOn'])) }], SIGNAL_FACTS_LIMITS.findings);
      return;
    }
    case 'FindingsJointlyInterpreted': {
      const findingsId = str(d['findingsId']);
      const sessionOn = str(d['sessionOn']);
      const workstreamId = str(d['workstreamId']);
      if (findingsId === undefined || sessionOn === undefined || workstreamId === undefined) return;
      draft.findings = draft.findings.map((f) =>
        f.findingsId === findingsId && (f.firstSessionOn === undefined || sessionOn < f.firstSessionOn) ? { ...f, firstSessionOn: sessionOn } : f,
      );
      const known = draft.interpretations.find((i) => i.findingsId === findingsId);
      draft.interpretations = known
        ? draft.interpretations.map((i) => (i === known && sessionOn < i.sessionOn ? { ...i, sessionOn } : i))
        : capped(
            [...draft.interpretations, { findingsId, workstreamId, sessionOn, eventId: event.eventId, position: event.position.toString() }],
            SIGNAL_FACTS_LIMITS.interpretations,
          );
      // A session back-dated to on or before a release means the release was not before interpretation.
      draft.flags = draft.flags.filter((f) => {
        const releasedOn = f.details?.['releasedOn'];
        return !(f.code === 'DISSEMINATED_BEFORE_INTERPRETATION' && f.subjects?.findingsId === findingsId && typeof releasedOn === 'string' && sessionOn <= releasedOn);
      });
      return;
    }
    case 'ResearchUseRecorded': {
      const workstreamId = str(d['workstreamId']);
      const evidence = new Set(strList(d['evidenceIds']));
      const interpretations = draft.interpretations.filter((i) => !(evidence.has(i.findingsId) || i.workstreamId === workstreamId));
      if (interpretations.length !== draft.interpretations.length) draft.interpretations = interpretations;
      return;
    }
    default:
      return;
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The partnership a facts document belongs to, from an event (for projections keyed by partnership). */
export const factsKeyOf = partnershipIdOf;
