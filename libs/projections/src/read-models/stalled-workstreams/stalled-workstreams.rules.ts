/**
 * When a workstream is stalled and what blocks it (DOMAIN.md "Stalled workstreams" and "Reminder
 * policies"; research §4.4 and §5).
 *
 * The clock. Each open workstream has a clock that starts on the LATER of the date it entered its
 * phase and the date of its last activity (for a pilot: also the planned date the pilot waits for).
 * It is stalled when more whole days than the phase's threshold have passed on that clock:
 * `today − startsOn > thresholdDays`, so on the threshold day itself it is not yet stalled.
 *
 * Paused partnerships (DOMAIN.md "Clocks freeze while a partnership is paused"): paused time never
 * counts. Days of completed pauses after the clock's anchor push its start later, and while a
 * partnership is paused its clocks stop at the day the pause began: such workstreams are shown as
 * PAUSED (with the frozen count), never as stalled.
 *
 * The projection computes the clock's start (deterministic, from stored dates); the query applies
 * the thresholds and "now" (configurable thresholds, injectable clock). Blockers are derived at
 * query time too, because some depend on today (a pilot past its planned end, a DSA about to expire).
 */
import { OPEN_PHASES, type OpenPhase } from '@trellis/domain';
import { addDays, dateOf, daysBetween, later, utcDate } from './calendar';
import type { DsaFacts, OpenPilot, PauseInterval, StalledContext, WorkstreamFacts } from './stalled-workstreams.context';


/**
 * Which threshold a clock uses: its phase, except that a formal study which is already running uses
 * `formal_study_running` (a study is quiet for long stretches; only a study approved and not started
 * has a reminder policy).
 */
export type StallClockKind = OpenPhase | 'formal_study_running';

export const STALL_CLOCK_KINDS: readonly StallClockKind[] = [...OPEN_PHASES, 'formal_study_running'];

export type StallThresholds = Readonly<Record<StallClockKind, number>>;

/**
 * Default thresholds in days, from the reminder policies' defaults (DOMAIN.md; research §5). Each is
 * overridable (the API reads `STALL_THRESHOLD_DAYS_<KIND>`, e.g. `STALL_THRESHOLD_DAYS_PILOT=45`).
 */
export const DEFAULT_STALL_THRESHOLDS: StallThresholds = {
  /** problem defined, no agreed agenda — 45 days. */
  problem_framing: 45,
  /** agenda agreed, no evidence review, tool or study — 60 days. */
  evidence_review: 60,
  /** tool created, no pilot approved — 60 days. */
  co_design: 60,
  /** 30 days after `plannedStart` (not started) or `plannedEnd` (running). */
  pilot: 30,
  /** input gathered, no revision or decision — 30 days. */
  input_revision: 30,
  /** R-09 (research §5): study approved, not started — 45 days. */
  formal_study: 45,
  /** Engine default (no policy): a running study with no recorded activity for 180 days (as W-02's 180). */
  formal_study_running: 180,
  /** findings shared, not jointly interpreted — 21 days. */
  joint_interpretation: 21,
  /** interpreted, no use or dissemination — 60 days. */
  use_dissemination: 60,
};

/** The reminder policy behind each clock (for readers; `null`: an engine default). */
export const STALL_CLOCK_POLICIES: Readonly<Record<StallClockKind, string | null>> = {
  problem_framing: 'R-03',
  evidence_review: 'R-04',
  co_design: 'R-05',
  pilot: 'R-06/R-07',
  input_revision: 'R-08',
  formal_study: 'R-09',
  formal_study_running: null,
  joint_interpretation: 'R-10',
  use_dissemination: 'R-11',
};

/** How many days before `expiresOn` a DSA under an open study is flagged (R-13's first notice, W-15). */
export const STALL_DSA_EXPIRY_WARNING_DAYS = 90;

export interface StallClock {
  readonly kind: StallClockKind;
  /** The later of phase entry, last activity and (pilot) the planned date waited for. */
  readonly anchorOn: string;
  /** Days of completed pauses after the anchor. */
  readonly pausedDays: number;
  /** `anchorOn + pausedDays`: the day the clock effectively started. */
  readonly startsOn: string;
}

/** Deterministic: the clock of a workstream, from stored dates only. */
export function stallClock(w: WorkstreamFacts, pauses: readonly PauseInterval[]): StallClock {
  const kind: StallClockKind =
    w.phase === 'formal_study' && !w.openStudies.some((s) => s.startedOn === undefined) ? 'formal_study_running' : (w.phase as OpenPhase);
  let anchorOn = later(w.enteredAt && dateOf(w.enteredAt), w.lastActivityAt && dateOf(w.lastActivityAt)) ?? (w.openedAt ? dateOf(w.openedAt) : '1970-01-01');
  if (w.phase === 'pilot' && w.openPilots.length > 0) {
    // R-06 counts from plannedStart, R-07 from plannedEnd: the earliest date any open pilot waits for.
    const waited = w.openPilots.map(pilotReferenceDate).sort()[0]!;
    anchorOn = later(anchorOn, waited)!;
  }
  const pausedDays = pausedDaysAfter(anchorOn, pauses);
  return { kind, anchorOn, pausedDays, startsOn: addDays(anchorOn, pausedDays) };
}

const pilotReferenceDate = (p: OpenPilot): string => (p.startedOn === undefined ? p.plannedStart : p.plannedEnd);

/** Days of the completed pauses that fall on or after `from`. */
export function pausedDaysAfter(from: string, pauses: readonly PauseInterval[]): number {
  let days = 0;
  for (const p of pauses) {
    const start = p.from > from ? p.from : from;
    if (p.to > start) days += daysBetween(start, p.to);
  }
  return days;
}

// --- query time ------------------------------------------------------------------------------------

/** A listed workstream as stored in the read model (one row per open workstream). */
export interface StalledWorkstreamDoc {
  readonly partnershipId: string;
  readonly partnershipName: string;
  readonly partnershipStatus: StalledContext['status'];
  readonly pausedSince?: string;
  readonly workstream: WorkstreamFacts;
  readonly clock: StallClock;
  /** The agreements the workstream's open studies depend on. */
  readonly dsas: Readonly<Record<string, DsaFacts>>;
}

export type StallBlockerCode =
  | 'PARTNERSHIP_PAUSED'
  | 'NO_PROBLEM_DEFINED'
  | 'AGENDA_NOT_AGREED'
  | 'NO_EVIDENCE_REVIEW'
  | 'NO_TOOL_OR_STUDY'
  | 'NO_TOOL'
  | 'NO_PILOT_APPROVED'
  | 'PILOT_NOT_STARTED'
  | 'PILOT_PAST_PLANNED_END'
  | 'NO_STAKEHOLDER_INPUT'
  | 'INPUT_NOT_ANSWERED'
  | 'NEXT_STEP_NOT_DECIDED'
  | 'STUDY_NOT_STARTED'
  | 'DSA_EXPIRING'
  | 'DSA_EXPIRED'
  | 'DSA_ENDED'
  | 'FINDINGS_NOT_INTERPRETED'
  | 'NO_USE_OR_DISSEMINATION'
  | 'NOT_CONCLUDED';

export interface StallBlocker {
  readonly code: StallBlockerCode;
  readonly description: string;
  /** `YYYY-MM-DD`: since when the condition holds. */
  readonly since: string;
  /** The reminder policy or signal it corresponds to, when there is one. */
  readonly policy?: string;
  /** What it is about, when a particular pilot, study, DSA or findings. */
  readonly subject?: { readonly kind: 'pilot' | 'study' | 'dsa' | 'findings'; readonly id: string };
}

export interface StallAssessment {
  readonly clockKind: StallClockKind;
  readonly thresholdDays: number;
  readonly clockStartedOn: string;
  /** The day after which the workstream counts as stalled (`clockStartedOn + thresholdDays`). */
  readonly dueOn: string;
  readonly pausedDays: number;
  /** Days counted on the clock (frozen at the pause while paused; 0 while the clock has not started). */
  readonly elapsedDays: number;
  readonly daysOverThreshold: number;
  readonly stalled: boolean;
  readonly paused: boolean;
  readonly pausedSince: string | null;
  readonly blockedBy: readonly StallBlocker[];
}

export function assessWorkstream(doc: StalledWorkstreamDoc, now: Date, thresholds: StallThresholds = DEFAULT_STALL_THRESHOLDS): StallAssessment {
  const today = utcDate(now);
  const thresholdDays = thresholds[doc.clock.kind];
  const paused = doc.partnershipStatus === 'paused';
  const pausedSince = paused ? (doc.pausedSince ?? today) : null;
  const clockEnd = pausedSince !== null && pausedSince < today ? pausedSince : today;
  const elapsedDays = Math.max(0, daysBetween(doc.clock.startsOn, clockEnd));
  const over = elapsedDays - thresholdDays;
  return {
    clockKind: doc.clock.kind,
    thresholdDays,
    clockStartedOn: doc.clock.startsOn,
    dueOn: addDays(doc.clock.startsOn, thresholdDays),
    pausedDays: doc.clock.pausedDays,
    elapsedDays,
    daysOverThreshold: Math.max(0, over),
    stalled: !paused && over > 0,
    paused,
    pausedSince,
    blockedBy: stallBlockersOf(doc, today),
  };
}

/** What blocks the workstream today, most specific first. */
export function stallBlockersOf(doc: StalledWorkstreamDoc, today: string): StallBlocker[] {
  const w = doc.workstream;
  const enteredOn = w.enteredAt ? dateOf(w.enteredAt) : (w.openedAt ? dateOf(w.openedAt) : today);
  const blockers: StallBlocker[] = [];
  if (doc.partnershipStatus === 'paused') {
    blockers.push({
      code: 'PARTNERSHIP_PAUSED',
      description: 'The partnership is paused: nothing moves and the clocks are frozen until it resumes',
      since: doc.pausedSince ?? today,
      policy: 'R-17',
    });
  }
  blockers.push(...phaseBlockers(w, enteredOn, today));
  blockers.push(...agreementBlockers(w, doc.dsas, today));
  return blockers;
}

function phaseBlockers(w: WorkstreamFacts, enteredOn: string, today: string): StallBlocker[] {
  switch (w.phase) {
    case 'problem_framing':
      if (w.problemDefinedOn === undefined) {
        return [{ code: 'NO_PROBLEM_DEFINED', description: 'No problem of practice has been defined yet', since: enteredOn, policy: 'R-03' }];
      }
      return [
        {
          code: 'AGENDA_NOT_AGREED',
          description: 'A problem of practice is defined but no research agenda has been agreed by researchers and practitioners',
          since: later(w.problemDefinedOn, enteredOn)!,
          policy: 'R-03',
        },
      ];
    case 'evidence_review':
      if (w.evidenceReviewedOn === undefined) {
        return [{ code: 'NO_EVIDENCE_REVIEW', description: 'The agenda is agreed but no evidence review has been recorded', since: enteredOn, policy: 'R-04' }];
      }
      return [
        {
          code: 'NO_TOOL_OR_STUDY',
          description: 'Evidence was reviewed but no tool has been co-developed and no formal study approved',
          since: later(w.evidenceReviewedOn, enteredOn)!,
          policy: 'R-04',
        },
      ];
    case 'co_design':
      if (w.toolOn === undefined) {
        return [{ code: 'NO_TOOL', description: 'No tool has been co-developed or revised in this workstream', since: enteredOn, policy: 'R-05' }];
      }
      return [{ code: 'NO_PILOT_APPROVED', description: 'A tool exists but no pilot has been approved', since: later(w.toolOn, enteredOn)!, policy: 'R-05' }];
    case 'pilot':
      return w.openPilots.flatMap((p): StallBlocker[] => {
        if (p.startedOn === undefined && today > p.plannedStart) {
          return [
            {
              code: 'PILOT_NOT_STARTED',
              description: `Pilot ${p.pilotId} was approved but has not started; it was planned to start on ${p.plannedStart}`,
              since: p.plannedStart,
              policy: 'R-06',
              subject: { kind: 'pilot', id: p.pilotId },
            },
          ];
        }
        if (p.startedOn !== undefined && today > p.plannedEnd) {
          return [
            {
              code: 'PILOT_PAST_PLANNED_END',
              description: `Pilot ${p.pilotId} is still running after its planned end (${p.plannedEnd}) and has not been concluded`,
              since: p.plannedEnd,
              policy: 'R-07',
              subject: { kind: 'pilot', id: p.pilotId },
            },
          ];
        }
        return [];
      });
    case 'input_revision':
      if (w.inputAwaitingSince !== undefined) {
        return [
          {
            code: 'INPUT_NOT_ANSWERED',
            description: 'Stakeholder input was gathered but the tool has not been revised and no next step decided',
            since: w.inputAwaitingSince,
            policy: 'R-08',
          },
        ];
      }
      if (w.lastInputOn === undefined || w.lastInputOn < enteredOn) {
        return [{ code: 'NO_STAKEHOLDER_INPUT', description: 'The pilot ended but no stakeholder input has been gathered since', since: enteredOn, policy: 'R-08' }];
      }
      return [
        {
          code: 'NEXT_STEP_NOT_DECIDED',
          description: 'The tool was revised from the input; no re-pilot, formal study or findings yet',
          since: later(w.lastRevisionOn, enteredOn)!,
          policy: 'R-08',
        },
      ];
    case 'formal_study':
      return w.openStudies
        .filter((s) => s.startedOn === undefined)
        .map((s) => ({
          code: 'STUDY_NOT_STARTED' as const,
          description: `Formal study ${s.studyId} was approved but has not started`,
          since: s.approvedOn || enteredOn,
          policy: 'R-09',
          subject: { kind: 'study' as const, id: s.studyId },
        }));
    case 'joint_interpretation': {
      if (w.pendingFindings.length === 0) return [];
      const first = [...w.pendingFindings].sort((a, b) => (a.sharedOn < b.sharedOn ? -1 : a.sharedOn > b.sharedOn ? 1 : 0))[0]!;
      const ids = w.pendingFindings.map((f) => f.findingsId).join(', ');
      return [
        {
          code: 'FINDINGS_NOT_INTERPRETED',
          description: `Preliminary findings (${ids}) were shared but not yet interpreted jointly with the practice partners`,
          since: first.sharedOn,
          policy: 'R-10',
          ...(w.pendingFindings.length === 1 ? { subject: { kind: 'findings' as const, id: first.findingsId } } : {}),
        },
      ];
    }
    case 'use_dissemination':
      if (w.awaitingUseSince !== undefined) {
        return [
          {
            code: 'NO_USE_OR_DISSEMINATION',
            description: 'Findings were interpreted jointly but no research use or dissemination has been recorded since',
            since: w.awaitingUseSince,
            policy: 'R-11',
          },
        ];
      }
      return [
        {
          code: 'NOT_CONCLUDED',
          description: 'Research use or dissemination is recorded; the workstream has not been concluded',
          since: later(w.lastUseOn, enteredOn)!,
        },
      ];
    default:
      return [];
  }
}

/** An open study (approved or running) cannot go on without its data-sharing agreement (W-15, R-13). */
function agreementBlockers(w: WorkstreamFacts, dsas: Readonly<Record<string, DsaFacts>>, today: string): StallBlocker[] {
  const blockers: StallBlocker[] = [];
  const seen = new Set<string>();
  for (const study of w.openStudies) {
    for (const dsaId of study.dsaIds) {
      if (seen.has(dsaId) || !Object.hasOwn(dsas, dsaId)) continue;
      seen.add(dsaId);
      const dsa = dsas[dsaId]!;
      const subject = { kind: 'dsa' as const, id: dsaId };
      const state = study.startedOn === undefined ? 'approved' : 'running';
      if (dsa.endedOn !== undefined) {
        blockers.push({ code: 'DSA_ENDED', description: `Data-sharing agreement ${dsaId} has ended while study ${study.studyId} is ${state}`, since: dsa.endedOn, policy: 'W-15', subject });
      } else if (today > dsa.expiresOn) {
        blockers.push({ code: 'DSA_EXPIRED', description: `Data-sharing agreement ${dsaId} expired on ${dsa.expiresOn} while study ${study.studyId} is ${state}`, since: dsa.expiresOn, policy: 'R-13', subject });
      } else if (daysBetween(today, dsa.expiresOn) <= STALL_DSA_EXPIRY_WARNING_DAYS) {
        blockers.push({
          code: 'DSA_EXPIRING',
          description: `Data-sharing agreement ${dsaId} expires on ${dsa.expiresOn}, within ${STALL_DSA_EXPIRY_WARNING_DAYS} days, while study ${study.studyId} is ${state}`,
          since: addDays(dsa.expiresOn, -STALL_DSA_EXPIRY_WARNING_DAYS),
          policy: 'W-15',
          subject,
        });
      }
    }
  }
  return blockers;
}
