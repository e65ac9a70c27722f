/**
 * The audit timeline's fold: one small context per partnership (the bounded `SignalFacts` —
 * current members with roles, organizations with type and side, open workstreams with their phase
 * and who was present in it — plus a few counters), and for every event ONE timeline row written
 * from the context as it was just before the event ("at the time").
 *
 * Rules (documented in the API):
 * - back-dated: recorded more than `BACK_DATED_AFTER_MS` (one hour) after it occurred — enough to
 *   ignore clock skew and a fact entered a few minutes late, not a fact entered the next day;
 * - the recorder is `metadata.recordedBy`: its participant's roles and organization before the
 *   event, else the API key's organization;
 * - named participants are resolved after the event when it changes them (joining, a role change)
 *   and before it otherwise (a departure removes them);
 * - the phase is the workstream's phase when the event was recorded (for a transition: the phase
 *   it left), with its occurrence number (1 for the first, +1 at every transition);
 * - the signals are those the event raised (`stepSignalFacts`, PHASE_WITHOUT_PRACTICE included).
 */
import type { Phase, PhaseDirection, Role } from '@trellis/domain';
import type { RecordedEvent } from '@trellis/event-store';
import { dataOf, occurredAtOf, partnershipIdOf, recordedAtOf, str, workstreamIdOf } from '../../signals/event-access';
import type { SignalCode } from '../../signals/signal-catalog';
import type { RaisedSignal } from '../../signals/signal-instance';
import { initialSignalFacts, stepSignalFacts, type SignalFacts } from '../../signals/signal-facts';
import type { ContextStep } from './context-projection';
import { organizationsNamed, participantsNamed, type OrganizationCapacity, type ParticipantCapacity } from './timeline.references';
import { summarizeEvent } from './timeline.summary';

/** An event is back-dated when recorded more than this long after it occurred. */
export const BACK_DATED_AFTER_MS = 60 * 60 * 1000;

/** Concluded workstreams remembered (to show the phase of a late event about one); oldest dropped. */
export const TIMELINE_CONCLUDED_KEPT = 200;

export interface TimelineContext {
  readonly partnershipId: string;
  readonly name: string;
  readonly facts: SignalFacts;
  /** Concluded workstreams (capped): `SignalFacts` keeps open ones only. */
  readonly concluded: readonly string[];
  /** Timeline rows written. */
  readonly events: number;
  /** Event-level signals raised over the whole history, by code. */
  readonly signalsRaised: Readonly<Partial<Record<SignalCode, number>>>;
}

/*
 * The stored entry is compact (a row per event makes this the largest read-model table): short
 * keys, absent parts omitted, and no organization type or side — those are fixed when an
 * organization joins (no event changes them), so the view takes them from the context's
 * organizations; "at the time" and "now" agree. Roles do change: they are stored as they were.
 */

/** Who recorded an event (`metadata.recordedBy`); absent fields are unknown. */
export interface StoredRecorder {
  readonly key?: string;
  readonly participant?: string;
  /** The participant's roles just before the event. */
  readonly roles?: readonly Role[];
  /** The organization the recorder acted for: the participant's, else the API key's. */
  readonly org?: string;
}

export interface StoredParticipant {
  readonly id: string;
  readonly as: readonly ParticipantCapacity[];
  /** Absent when the participant is unknown to the partnership. */
  readonly roles?: readonly Role[];
  readonly org?: string;
}

export interface StoredOrganization {
  readonly id: string;
  readonly as: readonly OrganizationCapacity[];
}

export interface StoredTransition {
  readonly from?: Phase;
  readonly to?: Phase;
  readonly direction?: PhaseDirection;
  readonly reason?: string;
  readonly trigger?: string;
}

/** A raised signal without what the row already says (event, position, workstream, time). */
export type StoredSignal = Pick<RaisedSignal, 'code' | 'phase' | 'subjects' | 'details'>;

/** The `entry` column: everything of a row beyond its indexed columns; empty parts are omitted. */
export interface TimelineEntry {
  readonly summary: string;
  readonly recorder?: StoredRecorder;
  readonly participants?: readonly StoredParticipant[];
  readonly organizations?: readonly StoredOrganization[];
  /** The workstream's phase when the event was recorded (for a transition: the phase it left). */
  readonly phase?: Phase;
  /** Which occurrence of that phase (1 for the first, +1 at every transition). */
  readonly occurrence?: number;
  readonly transition?: StoredTransition;
  readonly signals?: readonly StoredSignal[];
}

/** A row of the `events` table as written (bigints as decimal strings). */
export interface TimelineRow {
  readonly partnership_id: string;
  readonly position: string;
  readonly revision: string;
  readonly event_id: string;
  readonly type: string;
  readonly workstream_id: string | null;
  readonly occurred_at: string;
  readonly recorded_at: string;
  readonly back_dated: boolean;
  readonly corrects: string | null;
  /** A PhaseTransitioned's direction (indexed for backward moves and skips). */
  readonly direction: string | null;
  readonly entry: TimelineEntry;
}

export const initialTimelineContext = (partnershipId: string): TimelineContext => ({
  partnershipId,
  name: '',
  facts: initialSignalFacts(partnershipId),
  concluded: [],
  events: 0,
  signalsRaised: {},
});

/** Recorded more than an hour after it occurred (ISO date-times; false when either is unparseable). */
export function isBackDated(occurredAt: string | undefined, recordedAt: string | undefined): boolean {
  if (occurredAt === undefined || recordedAt === undefined || occurredAt === recordedAt) return false;
  const lag = Date.parse(recordedAt) - Date.parse(occurredAt);
  return lag > BACK_DATED_AFTER_MS;
}

export function stepTimeline(context: TimelineContext, event: RecordedEvent): ContextStep<TimelineContext, TimelineRow> {
  const before = context.facts;
  const { facts: after, raised } = stepSignalFacts(before, event);
  if (after.status === 'none') return { context: null, rows: [] }; // nothing before the proposal
  const partnershipId = partnershipIdOf(event) ?? context.partnershipId;
  const d = dataOf(event);
  const workstreamId = workstreamIdOf(event) ?? null;
  const occurredAt = occurredAtOf(event);
  const recordedAt = recordedAtOf(event);
  const transition = event.type === 'PhaseTransitioned' ? transitionOf(d) : undefined;

  const entry: Mutable<TimelineEntry> = { summary: summarizeEvent(event) };
  const recorder = recorderAt(before, event);
  if (recorder) entry.recorder = recorder;
  const participants = participantsNamed(event).map(({ id, as }) => participantAt(before, after, id, as));
  if (participants.length > 0) entry.participants = participants;
  const organizations = organizationsNamed(event);
  if (organizations.length > 0) entry.organizations = organizations;
  if (workstreamId !== null) {
    const ws = Object.hasOwn(before.workstreams, workstreamId) ? before.workstreams[workstreamId] : Object.hasOwn(after.workstreams, workstreamId) ? after.workstreams[workstreamId] : undefined;
    if (ws) {
      entry.phase = ws.phase;
      entry.occurrence = ws.occurrence;
    } else if (context.concluded.includes(workstreamId)) {
      entry.phase = 'concluded';
    }
  }
  if (transition) entry.transition = transition;
  if (raised.length > 0) entry.signals = raised.map(storedSignal);

  const row: TimelineRow = {
    partnership_id: partnershipId,
    position: event.position.toString(),
    revision: event.revision.toString(),
    event_id: event.eventId,
    type: event.type,
    workstream_id: workstreamId,
    occurred_at: occurredAt ?? '',
    recorded_at: recordedAt ?? '',
    back_dated: isBackDated(occurredAt, recordedAt),
    corrects: str(event.metadata['corrects']) ?? null,
    direction: transition?.direction ?? null,
    entry,
  };

  let signalsRaised = context.signalsRaised;
  for (const s of raised) signalsRaised = { ...signalsRaised, [s.code]: (signalsRaised[s.code] ?? 0) + 1 };
  const concludes = transition?.to === 'concluded' && workstreamId !== null && !context.concluded.includes(workstreamId);
  const next: TimelineContext = {
    ...context,
    name: event.type === 'PartnershipProposed' && before.status === 'none' ? (str(d['name']) ?? '') : context.name,
    facts: after,
    concluded: concludes ? [...context.concluded, workstreamId].slice(-TIMELINE_CONCLUDED_KEPT) : context.concluded,
    events: context.events + 1,
    signalsRaised,
  };
  return { context: next, rows: [row] };
}

// ---------------------------------------------------------------------------------------------------

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const own = (record: object, key: string): boolean => Object.hasOwn(record, key);

function transitionOf(d: Readonly<Record<string, unknown>>): StoredTransition {
  const t: Mutable<StoredTransition> = {};
  const from = str(d['fromPhase']);
  const to = str(d['toPhase']);
  const direction = str(d['direction']);
  const reason = str(d['reason']);
  const trigger = str(d['triggerEventId']);
  if (from !== undefined) t.from = from as Phase;
  if (to !== undefined) t.to = to as Phase;
  if (direction !== undefined) t.direction = direction as PhaseDirection;
  if (reason !== undefined) t.reason = reason;
  if (trigger !== undefined) t.trigger = trigger;
  return t;
}

function recorderAt(facts: SignalFacts, event: RecordedEvent): StoredRecorder | undefined {
  const by = event.metadata['recordedBy'];
  if (typeof by !== 'object' || by === null || Array.isArray(by)) return undefined;
  const record = by as Record<string, unknown>;
  const r: Mutable<StoredRecorder> = {};
  const key = str(record['apiKeyId']);
  const participant = str(record['participantId']);
  let org = str(record['organizationId']);
  if (key !== undefined) r.key = key;
  if (participant !== undefined) {
    r.participant = participant;
    if (own(facts.participants, participant)) {
      const p = facts.participants[participant]!;
      r.roles = p.roles;
      org = p.organizationId;
    }
  }
  if (org !== undefined) r.org = org;
  return key === undefined && participant === undefined && org === undefined ? undefined : r;
}

function participantAt(before: SignalFacts, after: SignalFacts, id: string, as: readonly ParticipantCapacity[]): StoredParticipant {
  const facts = own(after.participants, id) ? after : own(before.participants, id) ? before : undefined;
  if (!facts) return { id, as };
  const p = facts.participants[id]!;
  return { id, as, roles: p.roles, org: p.organizationId };
}

function storedSignal(s: RaisedSignal): StoredSignal {
  return {
    code: s.code,
    ...(s.phase !== undefined ? { phase: s.phase } : {}),
    ...(s.subjects !== undefined ? { subjects: s.subjects } : {}),
    ...(s.details !== undefined ? { details: s.details } : {}),
  };
}
