/**
 * What the stalled-workstream list needs to know about one partnership, folded from its events:
 * status and pauses, the data-sharing agreements studies depend on, and for each OPEN workstream
 * its phase, clock dates and the few facts that say what blocks it. It is deliberately small and
 * bounded (no registries of everything, as the domain state has): concluded workstreams are
 * dropped, a closed or abandoned partnership keeps only a tombstone, and lists that could grow with
 * history (open pilots and studies, findings awaiting interpretation, pauses) are capped.
 *
 * `evolve` is pure and total, like the domain's: an event about something it does not know changes
 * nothing, and it never reads the clock.
 */
import { lookup, type PartnershipEvent, type PartnershipStatus, type Phase } from '@trellis/domain';
import type { RecordedEvent } from '@trellis/event-store';
import { dateOf, earlier, later } from './calendar';

/** Longest list kept for open pilots, open studies, findings awaiting interpretation and pauses. */
export const STALLED_CONTEXT_LIST_CAP = 20;

export interface OpenPilot {
  readonly pilotId: string;
  readonly plannedStart: string;
  readonly plannedEnd: string;
  readonly approvedOn: string;
  readonly startedOn?: string;
}

export interface OpenStudy {
  readonly studyId: string;
  readonly approvedOn: string;
  readonly dsaIds: readonly string[];
  readonly startedOn?: string;
}

export interface PendingFindings {
  readonly findingsId: string;
  readonly sharedOn: string;
}

/** Dates are `YYYY-MM-DD`; `openedAt`, `enteredAt` and `lastActivityAt` are ISO date-times. */
export interface WorkstreamFacts {
  readonly workstreamId: string;
  readonly title: string;
  readonly phase: Phase;
  readonly openedAt?: string;
  /** When the current phase was entered (the `occurredAt` of the transition, or of the opening). */
  readonly enteredAt?: string;
  /** The latest `occurredAt` of any event of this workstream. */
  readonly lastActivityAt?: string;
  /** The first problem of practice defined in the workstream. */
  readonly problemDefinedOn?: string;
  readonly agendaAgreedOn?: string;
  readonly evidenceReviewedOn?: string;
  /** Latest tool co-developed or revised in this workstream. */
  readonly toolOn?: string;
  readonly lastInputOn?: string;
  /** Input gathered since the last revision or phase change (R-08's clock); cleared by either. */
  readonly inputAwaitingSince?: string;
  readonly lastRevisionOn?: string;
  /** Findings interpreted jointly with no research use or dissemination since (R-11's clock). */
  readonly awaitingUseSince?: string;
  readonly lastUseOn?: string;
  /** Approved or running, not concluded. */
  readonly openPilots: readonly OpenPilot[];
  /** Approved or running, no findings shared from them yet. */
  readonly openStudies: readonly OpenStudy[];
  /** Shared, not yet interpreted jointly. */
  readonly pendingFindings: readonly PendingFindings[];
}

export interface PauseInterval {
  readonly from: string;
  readonly to: string;
}

export interface DsaFacts {
  readonly expiresOn: string;
  readonly endedOn?: string;
}

export type ContextStatus = PartnershipStatus | 'none';

export interface StalledContext {
  readonly partnershipId: string;
  readonly name: string;
  readonly status: ContextStatus;
  /** Date the current pause began (status `paused`). */
  readonly pausedSince?: string;
  /** Completed pauses, oldest first (the latest STALLED_CONTEXT_LIST_CAP). */
  readonly pauses: readonly PauseInterval[];
  readonly dsas: Readonly<Record<string, DsaFacts>>;
  readonly workstreams: Readonly<Record<string, WorkstreamFacts>>;
}

export const initialStalledContext = (partnershipId: string): StalledContext => ({
  partnershipId,
  name: '',
  status: 'none',
  pauses: [],
  dsas: {},
  workstreams: {},
});

/** A partnership whose workstreams are listed: proposed, not closed or abandoned. */
export const isListedStatus = (status: ContextStatus): boolean => status !== 'none' && status !== 'closed' && status !== 'abandoned';

// ---------------------------------------------------------------------------------------------------

const occurredAtOf = (e: RecordedEvent): string | undefined => {
  const at = e.metadata['occurredAt'] ?? e.metadata['recordedAt'];
  return typeof at === 'string' ? at : undefined;
};

const list = <T>(value: readonly T[] | undefined): T[] => (Array.isArray(value) ? [...value] : []);
const capped = <T>(items: readonly T[]): T[] => (items.length > STALLED_CONTEXT_LIST_CAP ? items.slice(items.length - STALLED_CONTEXT_LIST_CAP) : [...items]);
const without = <T>(record: Readonly<Record<string, T>>, id: string): Record<string, T> =>
  Object.fromEntries(Object.entries(record).filter(([k]) => k !== id));

export function evolveStalledContext(ctx: StalledContext, recorded: RecordedEvent): StalledContext {
  const event = recorded as unknown as PartnershipEvent;
  if (typeof event.data !== 'object' || event.data === null) return ctx;
  const at = occurredAtOf(recorded);

  if (ctx.status === 'none') {
    return event.type === 'PartnershipProposed' ? { ...ctx, name: event.data.name, status: 'exploring' } : ctx;
  }
  if (!isListedStatus(ctx.status)) return ctx; // a tombstone: closed and abandoned partnerships list nothing

  const workstreamId = (event.data as { workstreamId?: unknown }).workstreamId;
  if (typeof workstreamId === 'string' && event.type !== 'WorkstreamOpened') {
    // One copy of the context, its registry and the workstream per event (this runs for most of the log).
    const current = lookup(ctx.workstreams, workstreamId);
    if (current === undefined) return ctx; // unknown, or concluded and dropped
    if (event.type === 'PhaseTransitioned' && event.data.toPhase === 'concluded') {
      return { ...ctx, workstreams: without(ctx.workstreams, workstreamId) };
    }
    const next = workstreamEvent(current, event, at);
    const withWorkstream: StalledContext = { ...ctx, workstreams: { ...ctx.workstreams, [workstreamId]: next } };
    return event.type === 'PreliminaryFindingsShared' ? studiesEndedBy(withWorkstream, workstreamId, event.data.sourceId) : withWorkstream;
  }
  return partnershipEvent(ctx, event, at);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The workstream after one of its events: a fresh copy, changed in place before it is returned. */
function workstreamEvent(w: WorkstreamFacts, event: PartnershipEvent, at: string | undefined): WorkstreamFacts {
  const n: Mutable<WorkstreamFacts> = { ...w };
  const on = at === undefined ? undefined : dateOf(at);
  if (at !== undefined) n.lastActivityAt = later(w.lastActivityAt, at)!;
  switch (event.type) {
    case 'PhaseTransitioned':
      n.phase = event.data.toPhase;
      if (at !== undefined) n.enteredAt = at;
      delete n.inputAwaitingSince; // changing phase is the decision R-08 waits for
      break;
    case 'ProblemOfPracticeDefined':
      setDate(n, 'problemDefinedOn', earlier(w.problemDefinedOn, on));
      break;
    case 'ResearchAgendaAgreed':
      setDate(n, 'agendaAgreedOn', later(w.agendaAgreedOn, on));
      break;
    case 'EvidenceReviewed':
      setDate(n, 'evidenceReviewedOn', later(w.evidenceReviewedOn, on));
      break;
    case 'ToolCoDeveloped':
      setDate(n, 'toolOn', later(w.toolOn, on));
      break;
    case 'ToolRevised':
      setDate(n, 'toolOn', later(w.toolOn, on));
      setDate(n, 'lastRevisionOn', later(w.lastRevisionOn, on));
      delete n.inputAwaitingSince;
      break;
    case 'StakeholderInputGathered':
      setDate(n, 'lastInputOn', later(w.lastInputOn, on));
      setDate(n, 'inputAwaitingSince', w.inputAwaitingSince ?? on);
      break;
    case 'PilotApproved': {
      const { pilotId, plannedStart, plannedEnd } = event.data;
      if (!w.openPilots.some((p) => p.pilotId === pilotId)) {
        n.openPilots = capped([...w.openPilots, { pilotId, plannedStart, plannedEnd, approvedOn: on ?? plannedStart }]);
      }
      break;
    }
    case 'PilotStarted': {
      const { pilotId, startedOn } = event.data;
      n.openPilots = w.openPilots.map((p) => (p.pilotId === pilotId ? { ...p, startedOn } : p));
      break;
    }
    case 'PilotConcluded':
      n.openPilots = w.openPilots.filter((p) => p.pilotId !== event.data.pilotId);
      break;
    case 'FormalStudyApproved': {
      const { studyId, dsaIds } = event.data;
      if (!w.openStudies.some((x) => x.studyId === studyId)) {
        n.openStudies = capped([...w.openStudies, { studyId, approvedOn: on ?? '', dsaIds: list(dsaIds) }]);
      }
      break;
    }
    case 'FormalStudyStarted': {
      const { studyId, startedOn } = event.data;
      n.openStudies = w.openStudies.map((x) => (x.studyId === studyId ? { ...x, startedOn } : x));
      break;
    }
    case 'PreliminaryFindingsShared': {
      const { findingsId, sharedOn } = event.data;
      if (!w.pendingFindings.some((f) => f.findingsId === findingsId)) {
        n.pendingFindings = capped([...w.pendingFindings, { findingsId, sharedOn }]);
      }
      break;
    }
    case 'FindingsJointlyInterpreted':
      n.pendingFindings = w.pendingFindings.filter((f) => f.findingsId !== event.data.findingsId);
      setDate(n, 'awaitingUseSince', w.awaitingUseSince ?? event.data.sessionOn);
      break;
    case 'FindingsDisseminated':
    case 'ResearchUseRecorded':
      setDate(n, 'lastUseOn', later(w.lastUseOn, event.type === 'FindingsDisseminated' ? event.data.releasedOn : on));
      delete n.awaitingUseSince;
      break;
    default:
      break; // reframing, data received, reviews, brokering: activity only
  }
  return n;
}

function partnershipEvent(ctx: StalledContext, event: PartnershipEvent, at: string | undefined): StalledContext {
  const on = at === undefined ? undefined : dateOf(at);
  switch (event.type) {
    case 'PartnershipFormalized':
      return { ...ctx, status: 'active' };
    case 'PartnershipStatusChanged':
      return statusChanged(ctx, event.data.toStatus, on);
    case 'PartnershipClosed':
      return tombstone(ctx, 'closed');
    case 'PartnershipAbandoned':
      return tombstone(ctx, 'abandoned');
    case 'DataSharingAgreementExecuted': {
      const { dsaId, expiresOn } = event.data;
      return lookup(ctx.dsas, dsaId) ? ctx : { ...ctx, dsas: { ...ctx.dsas, [dsaId]: { expiresOn } } };
    }
    case 'DataSharingAgreementEnded': {
      const { dsaId, endedOn } = event.data;
      const dsa = lookup(ctx.dsas, dsaId);
      if (!dsa) return ctx;
      // Keep an ended agreement only while an open study depends on it (bounded by open studies).
      const needed = Object.values(ctx.workstreams).some((w) => w.openStudies.some((x) => x.dsaIds.includes(dsaId)));
      return { ...ctx, dsas: needed ? { ...ctx.dsas, [dsaId]: { ...dsa, endedOn } } : without(ctx.dsas, dsaId) };
    }
    case 'WorkstreamOpened': {
      const { workstreamId, title } = event.data;
      if (lookup(ctx.workstreams, workstreamId)) return ctx;
      const opened: WorkstreamFacts = {
        workstreamId,
        title,
        phase: 'problem_framing',
        ...(at ? { openedAt: at, enteredAt: at, lastActivityAt: at } : {}),
        openPilots: [],
        openStudies: [],
        pendingFindings: [],
      };
      return { ...ctx, workstreams: { ...ctx.workstreams, [workstreamId]: opened } };
    }
    default:
      return ctx;
  }
}

function statusChanged(ctx: StalledContext, toStatus: PartnershipStatus, on: string | undefined): StalledContext {
  const { pausedSince, ...rest } = ctx;
  if (toStatus === 'paused') return on === undefined ? { ...rest, status: 'paused' } : { ...rest, status: 'paused', pausedSince: on };
  // Leaving a pause closes its interval: the stall clocks exclude it (DOMAIN.md "Clocks freeze").
  const pauses =
    ctx.status === 'paused' && pausedSince !== undefined && on !== undefined
      ? capped([...ctx.pauses, { from: pausedSince, to: on < pausedSince ? pausedSince : on }])
      : ctx.pauses;
  return { ...rest, status: toStatus, pauses };
}

function tombstone(ctx: StalledContext, status: 'closed' | 'abandoned'): StalledContext {
  return { partnershipId: ctx.partnershipId, name: ctx.name, status, pauses: [], dsas: {}, workstreams: {} };
}

/**
 * Findings end a study's run (domain: "running" = started, no findings shared from it). The source
 * may be a study of another workstream; a pilot of the findings' own workstream with the same id
 * wins over a study elsewhere, as in the domain's resolveFindingsSource.
 */
function studiesEndedBy(ctx: StalledContext, workstreamId: string, sourceId: string): StalledContext {
  const ownPilot = lookup(ctx.workstreams, workstreamId)?.openPilots.some((p) => p.pilotId === sourceId) ?? false;
  let workstreams: Record<string, WorkstreamFacts> | undefined;
  for (const w of Object.values(ctx.workstreams)) {
    if (!w.openStudies.some((x) => x.studyId === sourceId)) continue;
    if (ownPilot && w.workstreamId !== workstreamId) continue;
    // A computed key defines an own property, even for an id such as `__proto__`.
    workstreams = { ...(workstreams ?? ctx.workstreams), [w.workstreamId]: { ...w, openStudies: w.openStudies.filter((x) => x.studyId !== sourceId) } };
  }
  return workstreams === undefined ? ctx : { ...ctx, workstreams };
}

/** Sets an optional date field when the value is defined (documents never hold `undefined`). */
function setDate<K extends keyof WorkstreamFacts>(w: Mutable<WorkstreamFacts>, key: K, value: string | undefined): void {
  if (value !== undefined) (w as Record<string, unknown>)[key] = value;
}
