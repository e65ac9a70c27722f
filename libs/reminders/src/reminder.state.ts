/**
 * The reminder clocks of one partnership, folded from its events (and from its `ReminderIssued`
 * events, which mark steps as issued). Small, plain JSON, deterministic: time comes only from event
 * metadata (`occurredAt`, else `recordedAt`), never from a clock. Like the domain's `evolve` it is
 * total: an event about something it does not know changes nothing and it never throws.
 *
 * A clock is open while its policy's condition holds: a starting event opens it, a satisfying or
 * cancelling event removes it. Its `subject` (`<kind>/<id>/<starting event id>`) is stable, so the
 * scheduler's job ids are deterministic, and a condition that comes back later (a new problem after
 * an agenda, a second pause) gets a new subject. Due times are computed from a clock, the settings
 * and the pauses by `reminder.schedule.ts`.
 */
import { lookup, type PartnershipEvent, type PartnershipStatus } from '@trellis/domain';
import type { ReminderIssued } from './reminder.events';
import { REMINDER_POLICIES, type ReminderAboutKind, type ReminderPolicyId } from './reminder.policies';

export interface ReminderClock {
  readonly policy: ReminderPolicyId;
  readonly subject: string;
  readonly about: { readonly kind: ReminderAboutKind; readonly id: string };
  readonly workstreamId?: string;
  /** Organizations the recipient roles are scoped to (DSA parties, the departed's organization, …). */
  readonly organizationIds?: readonly string[];
  /** When the starting event occurred (ISO date-time). */
  readonly startedAt: string;
  readonly startedByEventId: string;
  /** `YYYY-MM-DD` the steps count from or to (`after_date` / `before_date` policies). */
  readonly anchorDate?: string;
  /** the no-surprises window of each DSA the findings derive from (`null`: unset). */
  readonly reviewWindowDays?: readonly (number | null)[];
  /** The highest escalation issued (`ReminderIssued` folded back); it settles the earlier steps too. */
  readonly lastIssued?: number;
}

export interface PauseInterval {
  readonly from: string;
  readonly to: string;
}

export interface ReminderState {
  readonly partnershipId?: string;
  readonly status: PartnershipStatus | 'none';
  /** When the current pause began (status `paused`). */
  readonly pausedSince?: string;
  /** Completed pauses in log order (the latest MAX_KEPT_PAUSES). */
  readonly pauses: readonly PauseInterval[];
  /** Open clocks by `clockKey(policy, kind, id)`. */
  readonly clocks: Readonly<Record<string, ReminderClock>>;
  /** What later clocks need to know: pilots' plans, studies' DSAs, DSA terms, data received, releases. */
  readonly pilots: Readonly<Record<string, PilotFacts>>;
  readonly studies: Readonly<Record<string, { readonly workstreamId: string; readonly dsaIds: readonly string[] }>>;
  readonly dsas: Readonly<Record<string, DsaFacts>>;
  /** Per workstream, per DSA: the earliest `receivedOn` of data received under it. */
  readonly dataReceived: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Findings already disseminated (R-11 does not start for them). */
  readonly disseminated: Readonly<Record<string, true>>;
}

export interface PilotFacts {
  readonly workstreamId: string;
  readonly plannedEnd: string;
  /** Started, or concluded (halted) before it started: a later `PilotStarted` opens no clock. */
  readonly started?: true;
}

export interface DsaFacts {
  readonly providerOrganizationId: string;
  readonly recipientOrganizationIds: readonly string[];
  readonly noSurprisesReviewDays?: number;
}

export const MAX_KEPT_PAUSES = 100;

export const initialReminderState = (): ReminderState => ({
  status: 'none',
  pauses: [],
  clocks: {},
  pilots: {},
  studies: {},
  dsas: {},
  dataReceived: {},
  disseminated: {},
});

export const clockKey = (policy: ReminderPolicyId, kind: ReminderAboutKind, id: string): string => `${policy} ${kind}/${id}`;

/** The clock a subject names, if it is still open. */
export function clockOfSubject(state: ReminderState, policy: ReminderPolicyId, subject: string): ReminderClock | undefined {
  const [kind, id] = subject.split('/');
  if (kind === undefined || id === undefined) return undefined;
  const clock = lookup(state.clocks, clockKey(policy, kind as ReminderAboutKind, id));
  return clock?.subject === subject ? clock : undefined;
}

export type ReminderInputEvent = PartnershipEvent | ReminderIssued;

/** Folds events in log order (partnership stream and reminder stream interleaved as in `$all`). */
export function foldReminderState(events: Iterable<ReminderInputEvent>, state: ReminderState = initialReminderState()): ReminderState {
  let s = state;
  for (const event of events) s = evolveReminderState(s, event);
  return s;
}

export function evolveReminderState(state: ReminderState, event: ReminderInputEvent): ReminderState {
  if (typeof event?.data !== 'object' || event.data === null) return state;
  if (event.type === 'ReminderIssued') return issued(state, event);
  if (state.status === 'none') return event.type === 'PartnershipProposed' ? proposed(state, event) : state;
  if (state.status === 'closed' || state.status === 'abandoned') return afterEnd(state, event);
  return apply(new Fold(state, event), event).state;
}

// ---------------------------------------------------------------------------------------------------

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One event's changes, made on a shallow copy (registries are copied on first write). */
class Fold {
  readonly state: Mutable<ReminderState>;
  /** When the event occurred, and its id: both needed to open a clock. */
  readonly at: string | undefined;
  readonly eventId: string | undefined;
  private clocksCopied = false;

  constructor(state: ReminderState, event: PartnershipEvent) {
    this.state = { ...state };
    const meta = event.metadata;
    const at = meta?.occurredAt ?? meta?.recordedAt;
    this.at = typeof at === 'string' && !Number.isNaN(Date.parse(at)) ? at : undefined;
    this.eventId = typeof meta?.eventId === 'string' ? meta.eventId : undefined;
  }

  private clocks(): Record<string, ReminderClock> {
    if (!this.clocksCopied) {
      this.state.clocks = { ...this.state.clocks };
      this.clocksCopied = true;
    }
    return this.state.clocks as Record<string, ReminderClock>;
  }

  has(policy: ReminderPolicyId, kind: ReminderAboutKind, id: string): boolean {
    return lookup(this.state.clocks, clockKey(policy, kind, id)) !== undefined;
  }

  /** Opens a clock unless one is open for the same policy and subject (`replace` restarts it). */
  open(
    policy: ReminderPolicyId,
    id: string,
    extra: Partial<Pick<ReminderClock, 'workstreamId' | 'organizationIds' | 'anchorDate' | 'reviewWindowDays'>> = {},
    replace = false,
  ): void {
    const kind = REMINDER_POLICIES[policy].aboutKind;
    if (this.at === undefined || this.eventId === undefined) return; // no time, no clock
    if (!replace && this.has(policy, kind, id)) return;
    const clock: ReminderClock = {
      policy,
      subject: `${kind}/${id}/${this.eventId}`,
      about: { kind, id },
      ...defined(extra),
      startedAt: this.at,
      startedByEventId: this.eventId,
    };
    // A computed key defines an own property, even for ids such as `__proto__`.
    Object.defineProperty(this.clocks(), clockKey(policy, kind, id), { value: clock, enumerable: true, writable: true, configurable: true });
  }

  close(policy: ReminderPolicyId, id: string): void {
    const key = clockKey(policy, REMINDER_POLICIES[policy].aboutKind, id);
    if (lookup(this.state.clocks, key) !== undefined) delete this.clocks()[key];
  }

  closeWhere(predicate: (clock: ReminderClock) => boolean): void {
    for (const [key, clock] of Object.entries(this.state.clocks)) if (predicate(clock)) delete this.clocks()[key];
  }

  put<K extends 'pilots' | 'studies' | 'dsas' | 'dataReceived' | 'disseminated'>(
    registry: K,
    id: string,
    value: ReminderState[K][string],
  ): void {
    const copy = { ...this.state[registry] } as Record<string, unknown>;
    Object.defineProperty(copy, id, { value, enumerable: true, writable: true, configurable: true });
    (this.state as Record<string, unknown>)[registry] = copy;
  }
}

const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

function proposed(state: ReminderState, event: Extract<PartnershipEvent, { type: 'PartnershipProposed' }>): ReminderState {
  const f = new Fold({ ...state, partnershipId: event.data.partnershipId, status: 'exploring' }, event);
  f.open('R-01', event.data.partnershipId);
  return f.state;
}

/** After closure or abandonment only disposal matters (a compliance fact may still be recorded). */
function afterEnd(state: ReminderState, event: PartnershipEvent): ReminderState {
  if (event.type !== 'DataDisposalCertified') return state;
  const f = new Fold(state, event);
  f.close('R-14', event.data.dsaId);
  return f.state;
}

function issued(state: ReminderState, event: ReminderIssued): ReminderState {
  const { policy, subject, escalation } = event.data;
  if (!Number.isInteger(escalation) || escalation < 0) return state;
  const clock = clockOfSubject(state, policy, subject);
  if (!clock || (clock.lastIssued !== undefined && clock.lastIssued >= escalation)) return state;
  const key = clockKey(policy, clock.about.kind, clock.about.id);
  const next: ReminderClock = { ...clock, lastIssued: escalation };
  const clocks = { ...state.clocks };
  Object.defineProperty(clocks, key, { value: next, enumerable: true, writable: true, configurable: true });
  return { ...state, clocks };
}

function apply(f: Fold, event: PartnershipEvent): Fold {
  const s = f.state;
  switch (event.type) {
    case 'PartnershipFormalized': {
      s.status = 'active';
      f.close('R-01', s.partnershipId ?? '');
      const { agreementRef, termEnd } = event.data;
      if (termEnd) f.open('R-18', agreementRef, { anchorDate: termEnd });
      break;
    }
    case 'PartnershipAgreementAmended': {
      const { agreementRef, newTermEnd } = event.data;
      if (newTermEnd) f.open('R-18', agreementRef, { anchorDate: newTermEnd }, true);
      break;
    }
    case 'PartnershipStatusChanged':
      statusChanged(f, event.data.toStatus);
      break;
    case 'PartnershipClosed':
    case 'PartnershipAbandoned': {
      s.status = event.type === 'PartnershipClosed' ? 'closed' : 'abandoned';
      if (s.pausedSince !== undefined && f.at !== undefined) endPause(f, f.at);
      delete s.pausedSince;
      f.closeWhere((c) => c.policy !== 'R-14');
      break;
    }
    case 'ParticipantDeparted': {
      const { participantId, organizationId, successorParticipantId } = event.data;
      if (successorParticipantId === undefined) f.open('R-15', participantId, { organizationIds: [organizationId] });
      break;
    }
    case 'ParticipantJoined':
    case 'OrganizationWithdrew': {
      const { organizationId } = event.data;
      f.closeWhere((c) => c.policy === 'R-15' && (c.organizationIds ?? []).includes(organizationId));
      break;
    }
    case 'DataSharingAgreementExecuted': {
      const d = event.data;
      if (lookup(s.dsas, d.dsaId)) break;
      f.put('dsas', d.dsaId, {
        providerOrganizationId: d.providerOrganizationId,
        recipientOrganizationIds: [...(d.recipientOrganizationIds ?? [])],
        ...(typeof d.noSurprisesReviewDays === 'number' ? { noSurprisesReviewDays: d.noSurprisesReviewDays } : {}),
      });
      f.open('R-13', d.dsaId, {
        anchorDate: d.expiresOn,
        organizationIds: unique([d.providerOrganizationId, ...(d.recipientOrganizationIds ?? [])]),
      });
      break;
    }
    case 'DataSharingAgreementEnded': {
      const { dsaId, destructionDueBy } = event.data;
      f.close('R-13', dsaId);
      const dsa = lookup(s.dsas, dsaId);
      f.open('R-14', dsaId, { anchorDate: destructionDueBy, ...(dsa ? { organizationIds: [...dsa.recipientOrganizationIds] } : {}) });
      break;
    }
    case 'DataDisposalCertified':
      f.close('R-14', event.data.dsaId);
      break;
    case 'ProblemOfPracticeDefined':
      f.open('R-03', event.data.workstreamId, { workstreamId: event.data.workstreamId });
      break;
    case 'ResearchAgendaAgreed': {
      const { workstreamId } = event.data;
      f.close('R-03', workstreamId);
      f.open('R-04', workstreamId, { workstreamId });
      break;
    }
    case 'EvidenceReviewed':
      f.close('R-04', event.data.workstreamId);
      break;
    case 'FormalStudyApproved': {
      const { workstreamId, studyId, dsaIds } = event.data;
      f.close('R-04', workstreamId);
      if (!lookup(s.studies, studyId)) f.put('studies', studyId, { workstreamId, dsaIds: [...(dsaIds ?? [])] });
      break;
    }
    case 'ToolCoDeveloped':
      f.open('R-05', event.data.toolId, { workstreamId: event.data.workstreamId });
      break;
    case 'PilotApproved': {
      const { workstreamId, pilotId, toolId, plannedStart, plannedEnd } = event.data;
      f.close('R-05', toolId);
      if (lookup(s.pilots, pilotId)) break;
      f.put('pilots', pilotId, { workstreamId, plannedEnd });
      f.open('R-06', pilotId, { workstreamId, anchorDate: plannedStart });
      break;
    }
    case 'PilotStarted': {
      const { pilotId } = event.data;
      const pilot = lookup(s.pilots, pilotId);
      f.close('R-06', pilotId);
      if (!pilot || pilot.started) break; // unknown, or already started
      f.put('pilots', pilotId, { ...pilot, started: true });
      f.open('R-07', pilotId, { workstreamId: pilot.workstreamId, anchorDate: pilot.plannedEnd });
      break;
    }
    case 'PilotConcluded': {
      const { pilotId } = event.data;
      f.close('R-06', pilotId);
      f.close('R-07', pilotId);
      const pilot = lookup(s.pilots, pilotId);
      if (pilot && !pilot.started) f.put('pilots', pilotId, { ...pilot, started: true }); // halted before it started
      break;
    }
    case 'StakeholderInputGathered':
      f.open('R-08', event.data.workstreamId, { workstreamId: event.data.workstreamId });
      break;
    case 'ToolRevised':
      f.close('R-08', event.data.workstreamId);
      break;
    case 'PhaseTransitioned': {
      const { workstreamId, toPhase } = event.data;
      f.close('R-08', workstreamId);
      if (toPhase === 'concluded') f.closeWhere((c) => c.workstreamId === workstreamId);
      break;
    }
    case 'DataReceivedUnderAgreement': {
      const { workstreamId, dsaId, receivedOn } = event.data;
      const received = lookup(s.dataReceived, workstreamId) ?? {};
      const earliest = lookup(received, dsaId);
      if (earliest === undefined || receivedOn < earliest) {
        const next = { ...received };
        Object.defineProperty(next, dsaId, { value: receivedOn, enumerable: true, writable: true, configurable: true });
        f.put('dataReceived', workstreamId, next);
      }
      break;
    }
    case 'PreliminaryFindingsShared': {
      const { workstreamId, findingsId, sourceId, sharedOn, sharedWithOrganizationIds } = event.data;
      if (f.has('R-10', 'findings', findingsId)) break;
      f.open('R-10', findingsId, { workstreamId });
      const dsaIds = findingsDsaIds(s, workstreamId, sourceId, sharedOn);
      if (dsaIds.length > 0) {
        const windows = dsaIds.map((id) => lookup(s.dsas, id)?.noSurprisesReviewDays ?? null);
        const providers = dsaIds.map((id) => lookup(s.dsas, id)?.providerOrganizationId).filter((o): o is string => o !== undefined);
        f.open('R-12', findingsId, {
          workstreamId,
          reviewWindowDays: windows,
          organizationIds: unique([...(sharedWithOrganizationIds ?? []), ...providers]),
        });
      }
      break;
    }
    case 'FindingsJointlyInterpreted': {
      const { workstreamId, findingsId } = event.data;
      f.close('R-10', findingsId);
      if (!lookup(s.disseminated, findingsId)) f.open('R-11', findingsId, { workstreamId });
      break;
    }
    case 'FindingsReviewedByPracticePartner':
      f.close('R-12', event.data.findingsId);
      break;
    case 'FindingsDisseminated': {
      const { findingsId, audience } = event.data;
      f.close('R-11', findingsId);
      if (audience === 'public' || audience === 'field' || audience === 'policy') f.close('R-12', findingsId);
      if (!lookup(s.disseminated, findingsId)) f.put('disseminated', findingsId, true);
      break;
    }
    case 'ResearchUseRecorded': {
      const { workstreamId, evidenceIds } = event.data;
      const cited = new Set(evidenceIds ?? []);
      f.closeWhere((c) => c.policy === 'R-11' && (c.workstreamId === workstreamId || cited.has(c.about.id)));
      break;
    }
    default:
      break; // nothing else starts or ends a clock
  }
  return f;
}

function statusChanged(f: Fold, toStatus: PartnershipStatus): void {
  const s = f.state;
  const id = s.partnershipId ?? '';
  if (toStatus === 'paused') {
    if (s.status !== 'paused') {
      if (f.at !== undefined) s.pausedSince = f.at;
      f.open('R-17', id, {}, true);
    }
  } else if (s.status === 'paused') {
    if (s.pausedSince !== undefined && f.at !== undefined) endPause(f, f.at);
    delete s.pausedSince;
    f.close('R-17', id);
  }
  s.status = toStatus;
}

function endPause(f: Fold, at: string): void {
  const from = f.state.pausedSince!;
  const pause = { from, to: Date.parse(at) < Date.parse(from) ? from : at };
  const pauses = [...f.state.pauses, pause];
  f.state.pauses = pauses.length > MAX_KEPT_PAUSES ? pauses.slice(pauses.length - MAX_KEPT_PAUSES) : pauses;
}

/**
 * The DSAs findings derive from, as the decider's no-surprises rule sees them: the source study's,
 * and those of data received in the workstream by the sharing date. A pilot of the findings' own
 * workstream with the source id wins over a study elsewhere (`resolveFindingsSource`).
 */
function findingsDsaIds(s: ReminderState, workstreamId: string, sourceId: string, sharedOn: string): string[] {
  const study = lookup(s.studies, sourceId);
  const pilot = lookup(s.pilots, sourceId);
  const sourceIsStudy = study !== undefined && !(pilot?.workstreamId === workstreamId && study.workstreamId !== workstreamId);
  const fromStudy = sourceIsStudy ? study.dsaIds : [];
  const received = lookup(s.dataReceived, workstreamId) ?? {};
  const fromTransfers = Object.entries(received)
    .filter(([, on]) => on <= sharedOn)
    .map(([dsaId]) => dsaId);
  return unique([...fromStudy, ...fromTransfers]);
}

const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];
