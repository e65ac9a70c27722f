/**
 * The reminder stream's event (DESIGN.md §8): a due reminder appends `ReminderIssued` to
 * `reminders-<partnershipId>`, so it is audited, delivered to integrators, and never issued twice —
 * folding it back into the reminder state marks the step as issued. DOMAIN.md and DESIGN.md name no
 * other reminder event (a satisfied reminder simply stops being due), so there is none here.
 */
import type { RecordedEventInfo } from '@trellis/domain';
import type { ReminderPolicyId, ReminderRecipientRole } from './reminder.policies';

export interface ReminderIssuedData {
  readonly policy: ReminderPolicyId;
  readonly partnershipId: string;
  readonly workstreamId?: string;
  /** Stable key of what the reminder is about: `<kind>/<id>/<id of the event that started the clock>`. */
  readonly subject: string;
  /** The due time of this step (ISO 8601), after scaling and pauses. */
  readonly dueAt: string;
  /** 0 for the first notice, 1 for the next step, … (R-17: the n-th check-in is n − 1). */
  readonly escalation: number;
  /** Roles, resolved to people only when sending. */
  readonly recipientRoles: readonly ReminderRecipientRole[];
}

export interface ReminderIssued {
  readonly type: 'ReminderIssued';
  readonly data: ReminderIssuedData;
  readonly metadata?: Readonly<RecordedEventInfo>;
}

/** Event type → the TypeScript type of its data: what the event catalog's JSON Schemas are generated from. */
export interface ReminderEventDataMap {
  /** A reminder step fell due and was issued (stream `reminders-<partnershipId>`); its e-mails follow. */
  ReminderIssued: ReminderIssuedData;
}

export const REMINDER_EVENT_TYPES = ['ReminderIssued'] as const;
export const REMINDER_EVENT_SCHEMA_VERSIONS = { ReminderIssued: 1 } as const;

export const REMINDERS_STREAM_PREFIX = 'reminders-';
export const remindersStreamId = (partnershipId: string): string => `${REMINDERS_STREAM_PREFIX}${partnershipId}`;
