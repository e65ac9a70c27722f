/**
 * What a reminder job does when it fires (DESIGN.md §8): re-check the reminder against the current
 * state (the stored row plus the log's tails, never a lagging copy) and do nothing unless it is still
 * due; if it is, append `ReminderIssued` to `reminders-<partnershipId>` with an event id derived from
 * the step, so a job fired twice, two jobs for the same step, or two workers racing append one event
 * (the store's idempotent append); then hand the e-mails to their own job (`email~<eventId>`).
 */
import type { Queue } from 'bullmq';
import type { EventStore } from '@trellis/event-store';
import { remindersIssued } from '@trellis/platform';
import { REMINDER_EVENT_SCHEMA_VERSIONS, remindersStreamId } from '../reminder.events';
import type { ReminderSettings } from '../reminder-settings';
import { checkReminder, toReminderIssued, type NotDueReason, type PendingReminder } from '../reminder.schedule';
import { clockOfSubject } from '../reminder.state';
import { EMAIL_JOB_OPTIONS, emailJobIdOf, MAX_REMINDER_JOB_DELAY_MS, REMINDER_JOBS, reminderEventId, type EmailJobData, type ReminderJobData } from './reminder-jobs';
import { currentReminderState, type ReminderStateStore } from './reminder-state.store';

/** Who records reminder facts: no API key, the engine itself. */
export const REMINDER_RECORDER = { apiKeyId: 'trellis-reminders' } as const;

export type FireOutcome =
  | { readonly outcome: 'issued'; readonly eventId: string; readonly position: string; readonly idempotent: boolean }
  /** Not due yet at the job's own due time (a hop of a far-future reminder, or a job run early): wait until `untilMs`. */
  | { readonly outcome: 'wait'; readonly untilMs: number }
  | { readonly outcome: NotDueReason | 'moved' };

export class ReminderIssuer {
  constructor(
    private readonly store: EventStore,
    private readonly states: ReminderStateStore,
    private readonly queue: Queue,
    private readonly settings: ReminderSettings,
    /** Whether issued reminders are e-mailed (SMTP_URL set). */
    private readonly mail: boolean,
    /** The longest wait before a job looks again (a hop); as the scheduler's. */
    private readonly maxDelayMs: number = MAX_REMINDER_JOB_DELAY_MS,
  ) {}

  async fire(job: ReminderJobData, jobId: string, nowMs: number = Date.now()): Promise<FireOutcome> {
    const row = await currentReminderState(this.store, this.states, job.partnershipId);
    const ref = { policy: job.policy, subject: job.subject, escalation: job.escalation };
    const check = checkReminder(row.state, this.settings, ref, new Date(nowMs));
    if (!check.due) {
      if (check.reason === 'not_yet') {
        // Due later than this job's time: a newer job (scheduled when the due time moved) covers it.
        if (check.dueAt !== undefined && Date.parse(check.dueAt) !== Date.parse(job.dueAt)) return { outcome: 'moved' };
        return { outcome: 'wait', untilMs: Math.min(Date.parse(job.dueAt), nowMs + this.maxDelayMs) };
      }
      if (check.reason === 'already_issued') await this.remailIfOurs(job, jobId, row.state);
      return { outcome: check.reason };
    }
    return this.issue(check.reminder, jobId, nowMs);
  }

  private async issue(reminder: PendingReminder, jobId: string, nowMs: number): Promise<FireOutcome> {
    const eventId = reminderEventId(reminder);
    const now = new Date(nowMs).toISOString();
    const data = toReminderIssued(reminder);
    const result = await this.store.append(
      remindersStreamId(reminder.partnershipId),
      [
        {
          eventId,
          type: 'ReminderIssued',
          schemaVersion: REMINDER_EVENT_SCHEMA_VERSIONS.ReminderIssued,
          data: { ...data, recipientRoles: [...data.recipientRoles] },
          metadata: {
            partnershipId: reminder.partnershipId,
            ...(reminder.workstreamId !== undefined ? { workstreamId: reminder.workstreamId } : {}),
            occurredAt: now,
            recordedAt: now,
            recordedBy: { ...REMINDER_RECORDER },
            correlationId: jobId,
            causationId: startedBy(reminder.subject),
          },
        },
      ],
      { expectedRevision: 'any' },
    );
    await this.enqueueEmail({
      eventId,
      partnershipId: reminder.partnershipId,
      reminder: data,
      ...(reminder.organizationIds !== undefined ? { organizationIds: [...reminder.organizationIds] } : {}),
    });
    if (!result.idempotent) remindersIssued.inc({ policy: reminder.policy });
    return { outcome: 'issued', eventId, position: result.events[0]!.position.toString(), idempotent: result.idempotent };
  }

  /**
   * A job retried after it appended but before it enqueued the e-mails (a crash in between) finds the
   * step issued — by itself: the event's correlationId is the job id. Its e-mails are enqueued again
   * (the e-mail job's id makes that a no-op when they were). A different job finding the step issued
   * does nothing.
   */
  private async remailIfOurs(job: ReminderJobData, jobId: string, state: Parameters<typeof clockOfSubject>[0]): Promise<void> {
    if (!this.mail) return;
    const eventId = reminderEventId(job);
    for await (const event of this.store.readStream(remindersStreamId(job.partnershipId), { direction: 'backwards' })) {
      if (event.eventId !== eventId) continue;
      if (event.metadata['correlationId'] !== jobId) return;
      const clock = clockOfSubject(state, job.policy, job.subject);
      await this.enqueueEmail({
        eventId,
        partnershipId: job.partnershipId,
        reminder: event.data as unknown as EmailJobData['reminder'],
        ...(clock?.organizationIds !== undefined ? { organizationIds: [...clock.organizationIds] } : {}),
      });
      return;
    }
  }

  private async enqueueEmail(data: EmailJobData): Promise<void> {
    if (!this.mail) return;
    await this.queue.add(REMINDER_JOBS.email, data, { ...EMAIL_JOB_OPTIONS, jobId: emailJobIdOf(data.eventId) });
  }
}

/** The id of the event that started the clock: the subject's last part. */
const startedBy = (subject: string): string => subject.split('/').slice(2).join('/') || subject;
