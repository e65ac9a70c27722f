/**
 * The reminders of one partnership as `GET /partnerships/:id/reminders` shows them: the steps
 * scheduled (pending, with their due time), those frozen by a pause (with the time left), and the
 * reminders issued (the `ReminderIssued` events of `reminders-<partnershipId>`, newest first). The
 * state is the current one (stored row plus the log's tails), the same the jobs re-check.
 */
import type { EventStore, RecordedEvent } from '@trellis/event-store';
import { REMINDER_POLICIES, type ReminderAboutKind, type ReminderPolicyId, type ReminderRecipientRole } from '../reminder.policies';
import { remindersStreamId, type ReminderIssuedData } from '../reminder.events';
import type { ReminderSettings } from '../reminder-settings';
import { frozenReminders, pendingReminders } from '../reminder.schedule';
import { clockOfSubject } from '../reminder.state';
import { reminderJobIdOf } from './reminder-jobs';
import { currentReminderState, type ReminderStateStore } from './reminder-state.store';

export interface ScheduledReminderView {
  readonly status: 'scheduled' | 'frozen';
  readonly policy: ReminderPolicyId;
  readonly title: string;
  readonly subject: string;
  readonly about: { readonly kind: ReminderAboutKind; readonly id: string };
  readonly workstreamId: string | null;
  readonly escalation: number;
  /** When it fires (`scheduled`); null while frozen. May be in the past: due now. */
  readonly dueAt: string | null;
  /** Frozen: the time left when the partnership resumes. */
  readonly remainingMs: number | null;
  readonly pausedSince: string | null;
  readonly recipientRoles: readonly ReminderRecipientRole[];
  readonly startedAt: string;
  /** The BullMQ job id (`scheduled` only). */
  readonly jobId: string | null;
}

export interface IssuedReminderView {
  readonly eventId: string;
  readonly position: string;
  readonly policy: ReminderPolicyId;
  readonly title: string;
  readonly subject: string;
  readonly workstreamId: string | null;
  readonly escalation: number;
  readonly dueAt: string;
  readonly issuedAt: string;
  readonly recipientRoles: readonly ReminderRecipientRole[];
}

export interface RemindersView {
  readonly partnershipId: string;
  /** The time scale applied to every policy's days (1 = real time). */
  readonly timeScale: number;
  readonly pausedSince: string | null;
  readonly scheduled: readonly ScheduledReminderView[];
  readonly issued: readonly IssuedReminderView[];
  /** True when more issued reminders exist than listed (the newest `MAX_ISSUED_LISTED` are). */
  readonly issuedTruncated: boolean;
}

export const MAX_ISSUED_LISTED = 500;

export async function readReminders(
  store: EventStore,
  states: ReminderStateStore,
  settings: ReminderSettings,
  partnershipId: string,
  now: Date = new Date(),
): Promise<RemindersView> {
  // One read of the reminders stream for both lists, so that a reminder is either scheduled or issued.
  const remindersStream: RecordedEvent[] = [];
  for await (const e of store.readStream(remindersStreamId(partnershipId))) remindersStream.push(e);
  const { state } = await currentReminderState(store, states, partnershipId, remindersStream);
  const scheduled: ScheduledReminderView[] = pendingReminders(state, settings, now).map((r) => ({
    status: 'scheduled',
    policy: r.policy,
    title: REMINDER_POLICIES[r.policy].title,
    subject: r.subject,
    about: r.about,
    workstreamId: r.workstreamId ?? null,
    escalation: r.escalation,
    dueAt: r.dueAt,
    remainingMs: null,
    pausedSince: null,
    recipientRoles: r.recipientRoles,
    startedAt: r.startedAt,
    jobId: reminderJobIdOf(r),
  }));
  for (const f of frozenReminders(state, settings)) {
    const clock = clockOfSubject(state, f.policy, f.subject)!;
    scheduled.push({
      status: 'frozen',
      policy: f.policy,
      title: REMINDER_POLICIES[f.policy].title,
      subject: f.subject,
      about: clock.about,
      workstreamId: f.workstreamId ?? null,
      escalation: f.escalation,
      dueAt: null,
      remainingMs: f.remainingMs,
      pausedSince: f.pausedSince,
      recipientRoles: REMINDER_POLICIES[f.policy].recipientRoles,
      startedAt: clock.startedAt,
      jobId: null,
    });
  }

  const issuedEvents = remindersStream.filter((e) => e.type === 'ReminderIssued').reverse();
  const truncated = issuedEvents.length > MAX_ISSUED_LISTED;
  const issued: IssuedReminderView[] = issuedEvents.slice(0, MAX_ISSUED_LISTED).map((e) => {
    const d = e.data as unknown as ReminderIssuedData;
    return {
      eventId: e.eventId,
      position: e.position.toString(),
      policy: d.policy,
      title: REMINDER_POLICIES[d.policy]?.title ?? '',
      subject: d.subject,
      workstreamId: d.workstreamId ?? null,
      escalation: d.escalation,
      dueAt: d.dueAt,
      issuedAt: String(e.metadata['recordedAt'] ?? ''),
      recipientRoles: d.recipientRoles,
    };
  });
  return { partnershipId, timeScale: settings.timeScale, pausedSince: state.pausedSince ?? null, scheduled, issued, issuedTruncated: truncated };
}
