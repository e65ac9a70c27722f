/**
 * The jobs of the `reminders` queue (STYLE.md §8: names in one place, typed payloads):
 * - `scheduler`: a time slice of the scheduler, offered every few seconds by a job scheduler; only the
 *   lease holder works, the others end at once;
 * - `reminder`: one delayed job per pending reminder step, with a deterministic id
 *   (`reminderJobId`: partnership, policy, subject, step and due time), so re-scheduling the same
 *   step adds nothing, and a due time moved by a pause gives a new job;
 * - `email`: the e-mails of one issued reminder, id `email~<eventId>`, retried on its own (an SMTP
 *   failure never re-appends the event).
 */
import type { JobsOptions } from 'bullmq';
import { v5 as uuidv5 } from 'uuid';
import type { ReminderIssuedData } from '../reminder.events';
import type { ReminderPolicyId } from '../reminder.policies';
import { reminderJobId, type PendingReminder } from '../reminder.schedule';

export const REMINDER_JOBS = {
  scheduler: 'scheduler',
  reminder: 'reminder',
  email: 'email',
} as const;

export interface ReminderJobData {
  readonly partnershipId: string;
  readonly policy: ReminderPolicyId;
  readonly subject: string;
  readonly escalation: number;
  /** The due time the job was scheduled for (ISO 8601). */
  readonly dueAt: string;
}

export interface EmailJobData {
  readonly eventId: string;
  readonly partnershipId: string;
  readonly reminder: ReminderIssuedData;
  /** Organizations the org-scoped roles refer to (the clock's). */
  readonly organizationIds?: readonly string[];
  /** Addresses already sent to (kept across retries, so a retry sends only to the others). */
  readonly sent?: readonly string[];
}

/**
 * The longest delay a reminder job is given. Far-future due times (an agreement term ending in two
 * years) are reached in hops: the job fires at the hop, finds the reminder not yet due at its own due
 * time, and moves itself to delayed again. Keeps every delay within what timers and Redis scores
 * represent exactly.
 */
export const MAX_REMINDER_JOB_DELAY_MS = 7 * 86_400_000;

/** BullMQ refuses `:` in custom job ids; subjects are ids from clients, so escape it just in case. */
export const reminderJobIdOf = (r: Pick<PendingReminder, 'partnershipId' | 'policy' | 'subject' | 'escalation' | 'dueAt'>): string =>
  reminderJobId(r).replace(/%/g, '%25').replace(/:/g, '%3A');

export const emailJobIdOf = (eventId: string): string => `email~${eventId}`;

/** Namespace of the reminder event ids (uuid v5), fixed forever: changing it would let a replayed job issue again. */
export const REMINDER_EVENT_ID_NAMESPACE = '6f1d3c1e-2b7a-5e49-9c41-7a0f3e8b2d55';

/**
 * The `ReminderIssued` event id of a step: derived from the step alone (partnership, policy, subject,
 * escalation) — not from the due time — so two jobs for the same step (one scheduled before a pause
 * moved it, one after) or a job run twice append one event: the store's idempotent append does the rest.
 */
export const reminderEventId = (r: Pick<PendingReminder, 'partnershipId' | 'policy' | 'subject' | 'escalation'>): string =>
  uuidv5(`${r.partnershipId}\u0000${r.policy}\u0000${r.subject}\u0000${r.escalation}`, REMINDER_EVENT_ID_NAMESPACE);

export const REMINDER_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};

export const EMAIL_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 5_000 },
  // Kept a week: the id is what stops a retried reminder job from mailing twice.
  removeOnComplete: { age: 7 * 24 * 3600, count: 100_000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 100_000 },
};

export const reminderJobData = (r: PendingReminder): ReminderJobData => ({
  partnershipId: r.partnershipId,
  policy: r.policy,
  subject: r.subject,
  escalation: r.escalation,
  dueAt: r.dueAt,
});

/** Delay until `dueAt` from `nowMs`, at least 0, at most one hop. */
export const delayUntil = (dueAt: string, nowMs: number, maxDelayMs = MAX_REMINDER_JOB_DELAY_MS): number =>
  Math.min(maxDelayMs, Math.max(0, Date.parse(dueAt) - nowMs));
