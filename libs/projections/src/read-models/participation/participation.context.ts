/**
 * The participation ledger's fold ("who was at the table", research §4.3): per partnership, the
 * bounded `SignalFacts` (members, organizations, open workstreams and their phase occurrence) plus,
 * for each open workstream, what its CURRENT phase occurrence has seen so far; and for every phase
 * occurrence the workstream LEAVES, one final row (append-only). The view shows the current
 * occurrences from the context beside the rows, so no row is ever rewritten.
 *
 * Present in an occurrence — exactly what the signals module counts for PHASE_WITHOUT_PRACTICE, so
 * the ledger and the signal never disagree:
 * - the participants named in the events recorded while the workstream was in it (leads, proposers,
 *   agreers, contributors, co-designers, conveners, revisers, attendees, brokers) with the roles
 *   they held, and the recorders of those events (`recordedBy.participantId`), including the
 *   recorder of the transition that leaves it;
 * - the organizations taking part: those participants' organizations, the recording key's
 *   organization, and the organizations the events name (sites, approvers, recipients, reviewers,
 *   deciders, findings shared with);
 * - respondents to stakeholder input, in aggregate by category (a role or an organization type).
 * An event belongs to the occurrence its workstream was in when it was RECORDED (position order),
 * as for the signals; back-dated facts do not move between occurrences.
 *
 * Bounded: one accumulator per open workstream (participants and organizations it saw, at most
 * the membership), totals of the same kind for the partnership; closed occurrences live only in
 * their rows.
 */
import { ROLES, type OrgType, type Phase, type PhaseDirection, type Role, type Side } from '@trellis/domain';
import type { RecordedEvent } from '@trellis/event-store';
import {
  dataOf,
  namedOrganizations,
  namedParticipants,
  num,
  occurredAtOf,
  partnershipIdOf,
  recorderOf,
  respondentCategories,
  str,
  workstreamIdOf,
} from '../../signals/event-access';
import { familiesOrCommunityPresent, practicePresent, type PhasePresence } from '../../signals/phase-presence';
import { initialSignalFacts, isCollaborative, stepSignalFacts, type SignalFacts } from '../../signals/signal-facts';
import type { RaisedSignal } from '../../signals/signal-instance';
import type { ContextStep } from '../timeline/context-projection';

const ROLE_SET: ReadonlySet<string> = new Set(ROLES);

export interface OrganizationPresence {
  readonly orgType: OrgType;
  readonly side: Side;
}

/** What one phase occurrence has seen so far. */
export interface OccurrenceFacts {
  readonly phase: Phase;
  /** 1 for the workstream's first phase, +1 at every transition. */
  readonly occurrence: number;
  readonly enteredAt?: string;
  /** Position of the event that entered it (the opening or the transition). */
  readonly enteredPosition: string;
  /** `opened` for the first occurrence, else the direction of the transition into it. */
  readonly enteredBy: 'opened' | PhaseDirection;
  readonly fromPhase?: Phase;
  /** Distinct participants present → every role they held while present (sorted). */
  readonly participants: Readonly<Record<string, readonly Role[]>>;
  readonly organizations: Readonly<Record<string, OrganizationPresence>>;
  /** Respondents to stakeholder input by category (role or organization type), summed. */
  readonly respondents: Readonly<Record<string, number>>;
  readonly stakeholderInputs: number;
  /** Events recorded in it (transitions excluded). */
  readonly events: number;
}

export interface ParticipationWorkstream {
  readonly title: string;
  readonly parentWorkstreamId?: string;
  readonly current: OccurrenceFacts;
}

export interface ParticipationTotals {
  readonly participants: Readonly<Record<string, readonly Role[]>>;
  readonly organizations: Readonly<Record<string, OrganizationPresence>>;
  readonly respondents: Readonly<Record<string, number>>;
  readonly stakeholderInputs: number;
  readonly phaseOccurrences: number;
  readonly workstreamsOpened: number;
  readonly workstreamsConcluded: number;
  /** Phase occurrences left with no practitioner present (PHASE_WITHOUT_PRACTICE raised). */
  readonly phasesWithoutPractice: number;
}

export interface ParticipationContext {
  readonly partnershipId: string;
  readonly name: string;
  readonly facts: SignalFacts;
  /** Open workstreams and their current occurrence. */
  readonly workstreams: Readonly<Record<string, ParticipationWorkstream>>;
  readonly totals: ParticipationTotals;
}

/** A raised signal as an occurrence row keeps it. */
export type OccurrenceSignal = Pick<RaisedSignal, 'code' | 'details'>;

/** The `doc` of a phase-occurrence row: raw counts (the view suppresses small counts of people). */
export interface PhaseOccurrenceDoc {
  readonly workstreamTitle: string;
  readonly parentWorkstreamId?: string;
  readonly phase: Phase;
  readonly occurrence: number;
  readonly enteredAt?: string;
  readonly enteredBy: 'opened' | PhaseDirection;
  readonly fromPhase?: Phase;
  readonly leftAt?: string;
  readonly leftTo?: Phase;
  readonly leftBy?: PhaseDirection;
  /** Distinct participants present by role (a participant with two roles counts in both). */
  readonly rolesPresent: Readonly<Record<string, number>>;
  readonly participantsPresent: number;
  /** Distinct organizations taking part, by type and by side. */
  readonly organizationTypes: Readonly<Record<string, number>>;
  readonly sides: Readonly<Record<string, number>>;
  readonly respondents: Readonly<Record<string, number>>;
  readonly stakeholderInputs: number;
  readonly events: number;
  readonly collaborative: boolean;
  /** A practitioner (in a collaborative: a community member) or that side took part. */
  readonly practicePresent: boolean;
  readonly familiesOrCommunityPresent: boolean;
  /** Signals raised when the occurrence was left (PHASE_WITHOUT_PRACTICE). */
  readonly signals: readonly OccurrenceSignal[];
}

/** A row of the `phases` table as written (bigints as decimal strings): one occurrence left. */
export interface PhaseOccurrenceRow {
  readonly partnership_id: string;
  readonly workstream_id: string;
  readonly occurrence: number;
  readonly phase: Phase;
  readonly entered_position: string;
  /** The transition that left it. */
  readonly position: string;
  readonly doc: PhaseOccurrenceDoc;
}

export const initialParticipationContext = (partnershipId: string): ParticipationContext => ({
  partnershipId,
  name: '',
  facts: initialSignalFacts(partnershipId),
  workstreams: {},
  totals: {
    participants: {},
    organizations: {},
    respondents: {},
    stakeholderInputs: 0,
    phaseOccurrences: 0,
    workstreamsOpened: 0,
    workstreamsConcluded: 0,
    phasesWithoutPractice: 0,
  },
});

export function stepParticipation(context: ParticipationContext, event: RecordedEvent): ContextStep<ParticipationContext, PhaseOccurrenceRow> {
  const before = context.facts;
  const { facts: after, raised } = stepSignalFacts(before, event);
  if (after.status === 'none') return { context: null, rows: [] }; // nothing before the proposal
  const partnershipId = partnershipIdOf(event) ?? context.partnershipId;
  const d = dataOf(event);
  const at = occurredAtOf(event);
  const position = event.position.toString();
  const workstreamId = workstreamIdOf(event);
  let workstreams = context.workstreams;
  let totals = context.totals;
  const rows: PhaseOccurrenceRow[] = [];

  if (event.type === 'WorkstreamOpened' && workstreamId !== undefined && !own(workstreams, workstreamId)) {
    const parent = str(d['parentWorkstreamId']);
    workstreams = put(workstreams, workstreamId, {
      title: str(d['title']) ?? '',
      ...(parent !== undefined ? { parentWorkstreamId: parent } : {}),
      current: freshOccurrence('problem_framing', 1, at, position, 'opened', undefined),
    });
    totals = { ...totals, phaseOccurrences: totals.phaseOccurrences + 1, workstreamsOpened: totals.workstreamsOpened + 1 };
  }

  if (workstreamId !== undefined && own(workstreams, workstreamId)) {
    const ws = workstreams[workstreamId]!;
    const seen = presenceOf(before, after, event);
    // A transition counts no event in the occurrence it leaves, only its recorder.
    const moves = event.type === 'PhaseTransitioned';
    const toPhase = moves ? (str(d['toPhase']) as Phase | undefined) : undefined;
    const current = addPresence(ws.current, seen, moves ? 0 : 1);
    totals = addTotals(totals, seen);
    if (toPhase !== undefined) {
      const direction = str(d['direction']) as PhaseDirection | undefined;
      const signals = raised.filter((s) => s.code === 'PHASE_WITHOUT_PRACTICE').map((s) => ({ code: s.code, ...(s.details ? { details: s.details } : {}) }));
      rows.push({
        partnership_id: partnershipId,
        workstream_id: workstreamId,
        occurrence: current.occurrence,
        phase: current.phase,
        entered_position: current.enteredPosition,
        position,
        doc: occurrenceDoc({ ...ws, current }, isCollaborative(before), {
          ...(at !== undefined ? { leftAt: at } : {}),
          leftTo: toPhase,
          ...(direction !== undefined ? { leftBy: direction } : {}),
          signals,
        }),
      });
      if (signals.length > 0) totals = { ...totals, phasesWithoutPractice: totals.phasesWithoutPractice + 1 };
      if (toPhase === 'concluded') {
        workstreams = without(workstreams, workstreamId);
        totals = { ...totals, workstreamsConcluded: totals.workstreamsConcluded + 1 };
      } else {
        const fromPhase = str(d['fromPhase']) as Phase | undefined;
        workstreams = put(workstreams, workstreamId, { ...ws, current: freshOccurrence(toPhase, current.occurrence + 1, at, position, direction ?? 'forward', fromPhase) });
        totals = { ...totals, phaseOccurrences: totals.phaseOccurrences + 1 };
      }
    } else if (current !== ws.current) {
      workstreams = put(workstreams, workstreamId, { ...ws, current });
    }
  }

  const name = event.type === 'PartnershipProposed' && before.status === 'none' ? (str(d['name']) ?? '') : context.name;
  return { context: { ...context, name, facts: after, workstreams, totals }, rows };
}

/** Counts per role of a participants map (participants with several roles count in each). */
export function countRoles(participants: Readonly<Record<string, readonly Role[]>>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const roles of Object.values(participants)) for (const r of roles) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

/** Counts of organizations by type and by side. */
export function countOrganizations(organizations: Readonly<Record<string, OrganizationPresence>>): { organizationTypes: Record<string, number>; sides: Record<string, number> } {
  const organizationTypes: Record<string, number> = {};
  const sides: Record<string, number> = {};
  for (const o of Object.values(organizations)) {
    organizationTypes[o.orgType] = (organizationTypes[o.orgType] ?? 0) + 1;
    sides[o.side] = (sides[o.side] ?? 0) + 1;
  }
  return { organizationTypes, sides };
}

/** Presence of an occurrence (or of the totals) in the signals module's terms. */
export function phasePresence(o: Pick<OccurrenceFacts, 'participants' | 'organizations' | 'respondents'>): PhasePresence {
  const roles = new Set<string>();
  for (const list of Object.values(o.participants)) for (const r of list) roles.add(r);
  for (const [category, n] of Object.entries(o.respondents)) if (n > 0 && ROLE_SET.has(category)) roles.add(category);
  const sides = new Set<string>(Object.values(o.organizations).map((x) => x.side));
  return { roles: [...roles].sort() as Role[], sides: [...sides].sort() as Side[] };
}

// ---------------------------------------------------------------------------------------------------

interface Seen {
  readonly participants: ReadonlyArray<readonly [string, readonly Role[]]>;
  readonly organizations: ReadonlyArray<readonly [string, OrganizationPresence]>;
  readonly respondents: ReadonlyArray<readonly [string, number]>;
  readonly input: boolean;
}

const own = (record: object, key: string): boolean => Object.hasOwn(record, key);

function put<T>(record: Readonly<Record<string, T>>, key: string, value: T): Record<string, T> {
  return { ...record, [key]: value };
}

function without<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
  const next = { ...record };
  delete next[key];
  return next;
}

function freshOccurrence(phase: Phase, occurrence: number, at: string | undefined, position: string, enteredBy: OccurrenceFacts['enteredBy'], fromPhase: Phase | undefined): OccurrenceFacts {
  return {
    phase,
    occurrence,
    ...(at !== undefined ? { enteredAt: at } : {}),
    enteredPosition: position,
    enteredBy,
    ...(fromPhase !== undefined ? { fromPhase } : {}),
    participants: {},
    organizations: {},
    respondents: {},
    stakeholderInputs: 0,
    events: 0,
  };
}

/**
 * Who an event puts at the table: its recorder as they were before it (the signals module's
 * `presenceOfRecorder`), the participants it names as they are after it (its `addPresence`), the
 * organizations of both, the organizations it names, and its respondents. A transition names no one:
 * only its recorder, who closes the occurrence.
 */
function presenceOf(before: SignalFacts, after: SignalFacts, event: RecordedEvent): Seen {
  const participants: Array<[string, readonly Role[]]> = [];
  const organizations: Array<[string, OrganizationPresence]> = [];
  const organization = (facts: SignalFacts, id: string | undefined) => {
    if (id === undefined || !own(facts.organizations, id)) return;
    const o = facts.organizations[id]!;
    organizations.push([id, { orgType: o.orgType, side: o.side }]);
  };
  const participant = (facts: SignalFacts, id: string | undefined) => {
    if (id === undefined || !own(facts.participants, id)) return;
    const p = facts.participants[id]!;
    participants.push([id, p.roles]);
    organization(facts, p.organizationId);
  };
  const by = recorderOf(event);
  participant(before, by.participantId);
  organization(before, by.organizationId);
  const respondents: Array<[string, number]> = [];
  let input = false;
  if (event.type !== 'PhaseTransitioned') {
    for (const id of namedParticipants(event)) participant(after, id);
    for (const id of namedOrganizations(event)) organization(after, id);
    if (event.type === 'StakeholderInputGathered') {
      input = true;
      const counts = dataOf(event)['respondentCounts'] as Record<string, unknown>;
      for (const category of respondentCategories(event)) respondents.push([category, num(counts[category])!]);
    }
  }
  return { participants, organizations, respondents, input };
}

function mergeRoles(current: readonly Role[] | undefined, roles: readonly Role[]): readonly Role[] {
  if (current === undefined) return [...roles].sort();
  const fresh = roles.filter((r) => !current.includes(r));
  return fresh.length === 0 ? current : [...current, ...fresh].sort();
}

interface Present {
  readonly participants: Readonly<Record<string, readonly Role[]>>;
  readonly organizations: Readonly<Record<string, OrganizationPresence>>;
  readonly respondents: Readonly<Record<string, number>>;
  readonly stakeholderInputs: number;
}

/** Adds what was seen; returns the same object when nothing changes. */
function merge<T extends Present>(target: T, seen: Seen): T {
  let participants = target.participants;
  for (const [id, roles] of seen.participants) {
    const merged = mergeRoles(own(participants, id) ? participants[id] : undefined, roles);
    if (!own(participants, id) || merged !== participants[id]) participants = put(participants, id, merged);
  }
  let organizations = target.organizations;
  for (const [id, o] of seen.organizations) if (!own(organizations, id)) organizations = put(organizations, id, o);
  let respondents = target.respondents;
  for (const [category, n] of seen.respondents) respondents = put(respondents, category, (own(respondents, category) ? respondents[category]! : 0) + n);
  const stakeholderInputs = target.stakeholderInputs + (seen.input ? 1 : 0);
  if (participants === target.participants && organizations === target.organizations && respondents === target.respondents && stakeholderInputs === target.stakeholderInputs) {
    return target;
  }
  return { ...target, participants, organizations, respondents, stakeholderInputs };
}

function addPresence(o: OccurrenceFacts, seen: Seen, events: number): OccurrenceFacts {
  const merged = merge(o, seen);
  return events === 0 ? merged : { ...merged, events: o.events + events };
}

const addTotals = (totals: ParticipationTotals, seen: Seen): ParticipationTotals => merge(totals, seen);

/** What an occurrence's row holds (for an open one, what it has seen so far; `left` is empty). */
export function occurrenceDoc(
  ws: ParticipationWorkstream,
  collaborative: boolean,
  left: Pick<PhaseOccurrenceDoc, 'leftAt' | 'leftTo' | 'leftBy' | 'signals'>,
): PhaseOccurrenceDoc {
  const o = ws.current;
  const presence = phasePresence(o);
  const { organizationTypes, sides } = countOrganizations(o.organizations);
  return {
    workstreamTitle: ws.title,
    ...(ws.parentWorkstreamId !== undefined ? { parentWorkstreamId: ws.parentWorkstreamId } : {}),
    phase: o.phase,
    occurrence: o.occurrence,
    ...(o.enteredAt !== undefined ? { enteredAt: o.enteredAt } : {}),
    enteredBy: o.enteredBy,
    ...(o.fromPhase !== undefined ? { fromPhase: o.fromPhase } : {}),
    ...left,
    rolesPresent: countRoles(o.participants),
    participantsPresent: Object.keys(o.participants).length,
    organizationTypes,
    sides,
    respondents: o.respondents,
    stakeholderInputs: o.stakeholderInputs,
    events: o.events,
    collaborative,
    practicePresent: practicePresent(presence, collaborative),
    familiesOrCommunityPresent: familiesOrCommunityPresent(presence),
  };
}
