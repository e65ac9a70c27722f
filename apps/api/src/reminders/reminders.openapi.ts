/** OpenAPI response schema of `GET /partnerships/:id/reminders` (inline: the route's decorators carry it). */
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { REMINDER_POLICY_IDS, REMINDER_RECIPIENT_ROLES } from '@trellis/reminders';

const dateTime: SchemaObject = { type: 'string', format: 'date-time' };
const nullable = (schema: SchemaObject): SchemaObject => ({ ...schema, nullable: true });
const policy: SchemaObject = { type: 'string', enum: [...REMINDER_POLICY_IDS], description: 'The reminder policy (DOMAIN.md "Reminder policies")' };
const roles: SchemaObject = { type: 'array', items: { type: 'string', enum: [...REMINDER_RECIPIENT_ROLES] }, description: 'Recipient roles; people are resolved only when sending' };
const subject: SchemaObject = { type: 'string', description: 'What the reminder is about: `<kind>/<id>/<id of the event that started the clock>`' };
const escalation: SchemaObject = { type: 'integer', minimum: 0, description: '0 for the first notice, 1 for the next step, … (R-17: the n-th check-in is n − 1)' };

const scheduled: SchemaObject = {
  type: 'object',
  required: ['status', 'policy', 'title', 'subject', 'about', 'workstreamId', 'escalation', 'dueAt', 'remainingMs', 'pausedSince', 'recipientRoles', 'startedAt', 'jobId'],
  properties: {
    status: { type: 'string', enum: ['scheduled', 'frozen'], description: '`frozen`: the partnership is paused and this clock does not run' },
    policy,
    title: { type: 'string' },
    subject,
    about: { type: 'object', required: ['kind', 'id'], properties: { kind: { type: 'string' }, id: { type: 'string' } } },
    workstreamId: nullable({ type: 'string' }),
    escalation,
    dueAt: { ...nullable(dateTime), description: 'When it fires (scaled by REMINDER_TIME_SCALE, shifted by pauses); in the past: due now. Null while frozen' },
    remainingMs: { type: 'integer', nullable: true, description: 'Frozen: the time left on the clock when the partnership resumes' },
    pausedSince: nullable(dateTime),
    recipientRoles: roles,
    startedAt: { ...dateTime, description: 'When the event that started the clock occurred' },
    jobId: { type: 'string', nullable: true, description: 'The BullMQ delayed job (visible at /admin/queues)' },
  },
};

const issued: SchemaObject = {
  type: 'object',
  required: ['eventId', 'position', 'policy', 'title', 'subject', 'workstreamId', 'escalation', 'dueAt', 'issuedAt', 'recipientRoles'],
  properties: {
    eventId: { type: 'string', format: 'uuid', description: 'The ReminderIssued event in `reminders-<partnershipId>`' },
    position: { type: 'string', pattern: '^\\d+$', description: 'Position in $all (decimal string)' },
    policy,
    title: { type: 'string' },
    subject,
    workstreamId: nullable({ type: 'string' }),
    escalation,
    dueAt: dateTime,
    issuedAt: { ...dateTime, description: 'metadata.recordedAt of the event' },
    recipientRoles: roles,
  },
};

export const REMINDERS_VIEW_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['partnershipId', 'timeScale', 'pausedSince', 'scheduled', 'issued', 'issuedTruncated'],
  properties: {
    partnershipId: { type: 'string', format: 'uuid' },
    timeScale: { type: 'number', description: 'REMINDER_TIME_SCALE: the factor applied to every policy\'s days (1 = real time)' },
    pausedSince: { ...nullable(dateTime), description: 'Set while the partnership is paused' },
    scheduled: { type: 'array', items: scheduled, description: 'Pending steps by policy and subject, then those frozen by a pause' },
    issued: { type: 'array', items: issued, description: 'Reminders issued, newest first (at most 500)' },
    issuedTruncated: { type: 'boolean', description: 'More reminders were issued than listed' },
  },
};
