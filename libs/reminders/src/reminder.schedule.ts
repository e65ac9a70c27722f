/**
 * Due times of the open reminder clocks, for a scheduler: which reminders are pending (to schedule a
 * delayed job for each), which are frozen by a pause, and — when a job fires — whether its reminder
 * is still due. Pure: "now" is an argument.
 *
 * Time. A step's nominal due time comes from its policy's days (see `StepBasis`; dates in event data
 * count from 00:00 UTC). The offset from the clock's start to it is multiplied by the settings'
 * `timeScale` (an offset already past is due at once). Clocks of policies that freeze while paused
 * do not run during pauses: each completed pause after the start pushes the due time back by its
 * length, and while the partnership is paused such a reminder is not issued and has no due time —
 * only the time that will remain when it resumes (a step that fell due before the pause is due at
 * once on resumption). Pause lengths are real time, never scaled. Deadlines fixed by agreements
 * (R-12, R-13, R-14, R-18) and the pause check-in R-17 run on calendar time, paused or not.
 *
 * Steps. A policy with several due times (escalations 0, 1, …) has one job per step. Issuing a step
 * settles it and every earlier one; a step is superseded (never issued) once a later step is also due,
 * so a scheduler that was down, or a clock started late (a DSA signed 20 days before it expires),
 * issues one reminder — the latest due — rather than a burst.
 */
import type { ReminderIssuedData } from './reminder.events';
import {
  REMINDER_POLICIES,
  REMINDER_POLICY_IDS,
  type ReminderAboutKind,
  type ReminderPolicyId,
  type ReminderRecipientRole,
} from './reminder.policies';
import type { ReminderSettings } from './reminder-settings';
import { clockOfSubject, type PauseInterval, type ReminderClock, type ReminderState } from './reminder.state';

export const DAY_MS = 86_400_000;

export interface PendingReminder {
  readonly policy: ReminderPolicyId;
  readonly partnershipId: string;
  readonly workstreamId?: string;
  readonly subject: string;
  readonly about: { readonly kind: ReminderAboutKind; readonly id: string };
  /** Organizations the recipient roles are scoped to, when the policy has such a scope. */
  readonly organizationIds?: readonly string[];
  readonly escalation: number;
  /** ISO 8601; may be in the past (due now). */
  readonly dueAt: string;
  readonly recipientRoles: readonly ReminderRecipientRole[];
  readonly startedAt: string;
}

export interface FrozenReminder {
  readonly policy: ReminderPolicyId;
  readonly subject: string;
  readonly workstreamId?: string;
  readonly escalation: number;
  /** Time left on the clock when the partnership resumes. */
  readonly remainingMs: number;
  readonly pausedSince: string;
}

/** What identifies a scheduled job: the policy, the subject and the step. */
export interface ReminderRef {
  readonly policy: ReminderPolicyId;
  readonly subject: string;
  readonly escalation: number;
}

export type NotDueReason =
  /** The clock is closed: satisfied, cancelled, or never opened. */
  | 'closed'
  | 'policy_disabled'
  /** The partnership is paused and this clock is frozen. */
  | 'paused'
  | 'already_issued'
  /** A later step is due as well; that one is issued instead. */
  | 'superseded'
  /** Its due time is still ahead (it moved, e.g. after a pause): `dueAt` says when. */
  | 'not_yet'
  /** The policy has no such step (the settings changed). */
  | 'no_such_step';

export type ReminderCheck =
  | { readonly due: true; readonly reminder: PendingReminder }
  | { readonly due: false; readonly reason: NotDueReason; readonly dueAt?: string };

// --- steps -----------------------------------------------------------------------------------------

interface Step {
  readonly escalation: number;
  readonly dueMs: number;
}

type ClockTimes =
  | { readonly frozen: false; readonly steps: readonly Step[] }
  | { readonly frozen: true; readonly remaining: readonly { readonly escalation: number; readonly remainingMs: number }[] };

const dateMs = (isoDate: string | undefined): number | undefined => {
  if (isoDate === undefined || !/^\d{4}-\d{2}-\d{2}/.test(isoDate)) return undefined;
  const ms = Date.parse(`${isoDate.slice(0, 10)}T00:00:00.000Z`);
  return Number.isNaN(ms) ? undefined : ms;
};

/** Unscaled offsets from the clock's start, in chronological order (escalation = index). */
function nominalOffsets(clock: ReminderClock, days: readonly number[], startMs: number): number[] {
  const policy = REMINDER_POLICIES[clock.policy];
  const anchorMs = dateMs(clock.anchorDate);
  switch (policy.basis) {
    case 'after_start':
      return [...days].sort((a, b) => a - b).map((d) => d * DAY_MS);
    case 'after_date':
      return anchorMs === undefined ? [] : [...days].sort((a, b) => a - b).map((d) => anchorMs + d * DAY_MS - startMs);
    case 'before_date': {
      if (anchorMs === undefined) return [];
      const before = [...days].sort((a, b) => b - a).map((d) => anchorMs - d * DAY_MS - startMs);
      // "Overdue": the deadline day has passed.
      return policy.overdueStep ? [...before, anchorMs + DAY_MS - startMs] : before;
    }
    case 'review_window': {
      const fallback = days[0] ?? 0;
      const windows = (clock.reviewWindowDays ?? []).map((w) => w ?? fallback);
      return [(windows.length > 0 ? Math.max(...windows) : fallback) * DAY_MS];
    }
    case 'every':
      return []; // unbounded: see everySteps
  }
}

/** Applies a pause history to an offset of running time: the due time, or the time left while paused. */
export function dueAfterPauses(
  startMs: number,
  offsetMs: number,
  pauses: readonly PauseInterval[],
  pausedSince: string | undefined,
): { frozen: false; dueMs: number } | { frozen: true; remainingMs: number } {
  let t = startMs;
  let remaining = offsetMs;
  const sorted = pauses.map((p) => ({ from: Date.parse(p.from), to: Date.parse(p.to) })).sort((a, b) => a.from - b.from);
  for (const p of sorted) {
    if (p.to <= t) continue;
    const from = Math.max(p.from, t);
    if (from - t >= remaining) break; // due before this pause
    remaining -= from - t;
    t = p.to;
  }
  if (pausedSince !== undefined) {
    const from = Math.max(Date.parse(pausedSince), t);
    if (from - t < remaining) return { frozen: true, remainingMs: remaining - (from - t) };
  }
  return { frozen: false, dueMs: t + remaining };
}

function clockTimes(state: ReminderState, clock: ReminderClock, settings: ReminderSettings, nowMs: number): ClockTimes {
  const policy = REMINDER_POLICIES[clock.policy];
  const days = settings.policies[clock.policy].days;
  const startMs = Date.parse(clock.startedAt);
  if (policy.basis === 'every') return { frozen: false, steps: everySteps(days[0] ?? 1, settings.timeScale, startMs, nowMs) };
  const offsets = nominalOffsets(clock, days, startMs).map((o) => Math.round(Math.max(0, o) * settings.timeScale));
  if (!policy.freezesWhilePaused) return { frozen: false, steps: offsets.map((o, escalation) => ({ escalation, dueMs: startMs + o })) };
  const results = offsets.map((o) => dueAfterPauses(startMs, o, state.pauses, state.pausedSince));
  // Reminders are suppressed while paused: even a step that fell due before the pause waits for the
  // resumption (it is then due at once, with 0 ms remaining).
  if (state.pausedSince !== undefined) {
    return { frozen: true, remaining: results.map((r, escalation) => ({ escalation, remainingMs: r.frozen ? r.remainingMs : 0 })) };
  }
  return { frozen: false, steps: results.map((r, escalation) => ({ escalation, dueMs: r.frozen ? NaN : r.dueMs })) };
}

/** a check-in every `days` while the clock runs; the latest one due by `now` and the next. */
const everyInterval = (days: number, scale: number): number => Math.max(1, Math.round(days * DAY_MS * scale));

function everySteps(days: number, scale: number, startMs: number, nowMs: number): Step[] {
  const interval = everyInterval(days, scale);
  const passed = Math.max(0, Math.floor((nowMs - startMs) / interval)); // check-ins due by now
  const steps: Step[] = [];
  if (passed >= 1) steps.push({ escalation: passed - 1, dueMs: startMs + passed * interval });
  steps.push({ escalation: passed, dueMs: startMs + (passed + 1) * interval });
  return steps;
}

/** The steps still to issue: not issued, and not superseded by a later step due by now. */
function openSteps(clock: ReminderClock, steps: readonly Step[], nowMs: number): Step[] {
  const dueByNow = steps.filter((s) => s.dueMs <= nowMs).map((s) => s.escalation);
  const latestDue = dueByNow.length > 0 ? Math.max(...dueByNow) : -1;
  const lastIssued = clock.lastIssued ?? -1;
  return steps.filter((s) => s.escalation > lastIssued && s.escalation >= latestDue && !Number.isNaN(s.dueMs));
}

function toPending(state: ReminderState, clock: ReminderClock, step: Step): PendingReminder {
  return {
    policy: clock.policy,
    partnershipId: state.partnershipId ?? '',
    ...(clock.workstreamId !== undefined ? { workstreamId: clock.workstreamId } : {}),
    subject: clock.subject,
    about: clock.about,
    ...(clock.organizationIds !== undefined ? { organizationIds: clock.organizationIds } : {}),
    escalation: step.escalation,
    dueAt: new Date(step.dueMs).toISOString(),
    recipientRoles: REMINDER_POLICIES[clock.policy].recipientRoles,
    startedAt: clock.startedAt,
  };
}

const toMs = (now: string | Date): number => {
  const ms = typeof now === 'string' ? Date.parse(now) : now.getTime();
  if (Number.isNaN(ms)) throw new TypeError(`"now" is not a valid date: ${String(now)}`);
  return ms;
};

const clocksInOrder = (state: ReminderState): ReminderClock[] =>
  Object.values(state.clocks).sort(
    (a, b) => REMINDER_POLICY_IDS.indexOf(a.policy) - REMINDER_POLICY_IDS.indexOf(b.policy) || (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0),
  );

// --- the scheduler's questions ---------------------------------------------------------------------

/**
 * Every reminder step that should have a job now: not issued, not superseded, not frozen, of an
 * enabled policy. Past `dueAt`s are due at once. Deterministic order (policy, subject, escalation).
 */
export function pendingReminders(state: ReminderState, settings: ReminderSettings, now: string | Date): PendingReminder[] {
  const nowMs = toMs(now);
  const pending: PendingReminder[] = [];
  for (const clock of clocksInOrder(state)) {
    if (!settings.policies[clock.policy].enabled) continue;
    const times = clockTimes(state, clock, settings, nowMs);
    if (times.frozen) continue;
    for (const step of openSteps(clock, times.steps, nowMs)) pending.push(toPending(state, clock, step));
  }
  return pending;
}

/** The steps frozen by the current pause, with the time that will remain when it resumes. */
export function frozenReminders(state: ReminderState, settings: ReminderSettings): FrozenReminder[] {
  if (state.pausedSince === undefined) return [];
  const frozen: FrozenReminder[] = [];
  for (const clock of clocksInOrder(state)) {
    if (!settings.policies[clock.policy].enabled) continue;
    const times = clockTimes(state, clock, settings, Date.parse(state.pausedSince));
    if (!times.frozen) continue;
    for (const r of times.remaining) {
      if (r.escalation <= (clock.lastIssued ?? -1)) continue;
      frozen.push({
        policy: clock.policy,
        subject: clock.subject,
        ...(clock.workstreamId !== undefined ? { workstreamId: clock.workstreamId } : {}),
        escalation: r.escalation,
        remainingMs: r.remainingMs,
        pausedSince: state.pausedSince,
      });
    }
  }
  return frozen;
}

/** At fire time: is this step still due, given the state as of `now`? If so, the reminder to issue. */
export function checkReminder(state: ReminderState, settings: ReminderSettings, ref: ReminderRef, now: string | Date): ReminderCheck {
  const nowMs = toMs(now);
  const clock = clockOfSubject(state, ref.policy, ref.subject);
  if (!clock) return { due: false, reason: 'closed' };
  if (!settings.policies[ref.policy].enabled) return { due: false, reason: 'policy_disabled' };
  if (clock.lastIssued !== undefined && clock.lastIssued >= ref.escalation) return { due: false, reason: 'already_issued' };
  const times = clockTimes(state, clock, settings, nowMs);
  if (times.frozen) return { due: false, reason: 'paused' };
  const step = times.steps.find((s) => s.escalation === ref.escalation);
  if (!step) {
    if (REMINDER_POLICIES[ref.policy].basis !== 'every' || !Number.isInteger(ref.escalation)) return { due: false, reason: 'no_such_step' };
    const next = Math.max(...times.steps.map((s) => s.escalation));
    if (ref.escalation < next) return { due: false, reason: 'superseded' };
    const interval = everyInterval(settings.policies[ref.policy].days[0] ?? 1, settings.timeScale);
    return { due: false, reason: 'not_yet', dueAt: new Date(Date.parse(clock.startedAt) + (ref.escalation + 1) * interval).toISOString() };
  }
  if (!openSteps(clock, times.steps, nowMs).some((s) => s.escalation === ref.escalation)) return { due: false, reason: 'superseded' };
  if (step.dueMs > nowMs) return { due: false, reason: 'not_yet', dueAt: new Date(step.dueMs).toISOString() };
  return { due: true, reminder: toPending(state, clock, step) };
}

/**
 * A deterministic BullMQ job id for a step due at a time: the same reminder due at the same time
 * always has the same id; a due time moved by a pause gives a new one. BullMQ refuses `:` in custom
 * ids, so the due time is in epoch milliseconds.
 */
export function reminderJobId(reminder: Pick<PendingReminder, 'partnershipId' | 'policy' | 'subject' | 'escalation' | 'dueAt'>): string {
  return [reminder.partnershipId, reminder.policy, reminder.subject, `e${reminder.escalation}`, String(Date.parse(reminder.dueAt))].join('~');
}

/** The `ReminderIssued` event data for a due reminder. */
export function toReminderIssued(reminder: PendingReminder): ReminderIssuedData {
  return {
    policy: reminder.policy,
    partnershipId: reminder.partnershipId,
    ...(reminder.workstreamId !== undefined ? { workstreamId: reminder.workstreamId } : {}),
    subject: reminder.subject,
    dueAt: reminder.dueAt,
    escalation: reminder.escalation,
    recipientRoles: [...reminder.recipientRoles],
  };
}
