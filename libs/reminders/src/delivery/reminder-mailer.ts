/**
 * The e-mails of one issued reminder (an `email` job): the audience is resolved when sending — the
 * partnership's state now, so whoever departed since is not contacted — then one message per address
 * over SMTP (nodemailer). Addresses already sent to are remembered in the job across retries, so a
 * failed attempt resends only to the others. The message holds ids, roles and dates, never names.
 */
import type { Transporter } from 'nodemailer';
import { fold, partnershipDecider, partnershipStreamId, type PartnershipEvent } from '@trellis/domain';
import type { EventStore } from '@trellis/event-store';
import { REMINDER_POLICIES } from '../reminder.policies';
import type { ReminderIssuedData } from '../reminder.events';
import { toReminderInput } from '../scheduling/reminder-state.store';
import type { EmailJobData } from '../scheduling/reminder-jobs';
import { reminderAudience, type AudienceTarget } from './reminder-audience';
import type { RecipientResolver, ReminderRecipient } from './recipient-resolver';

export interface MailOutcome {
  readonly recipients: number;
  readonly sent: readonly string[];
}

export interface MailerLogger {
  warn(message: string): void;
}

export class ReminderMailer {
  constructor(
    private readonly store: EventStore,
    private readonly resolver: RecipientResolver,
    private readonly transport: Pick<Transporter, 'sendMail'>,
    private readonly from: string,
    private readonly logger?: MailerLogger,
  ) {}

  async recipients(data: EmailJobData): Promise<ReminderRecipient[]> {
    const events: PartnershipEvent[] = [];
    for await (const e of this.store.readStream(partnershipStreamId(data.partnershipId))) events.push(toReminderInput(e) as PartnershipEvent);
    const partnership = fold(partnershipDecider, events);
    const target: AudienceTarget = {
      recipientRoles: data.reminder.recipientRoles,
      ...(data.reminder.workstreamId !== undefined ? { workstreamId: data.reminder.workstreamId } : {}),
      ...(data.organizationIds !== undefined ? { organizationIds: data.organizationIds } : {}),
    };
    return this.resolver.resolve({ target, audience: reminderAudience(partnership, target), partnership });
  }

  /** Sends to every recipient not in `data.sent`; `onSent` records progress after each message. */
  async send(data: EmailJobData, onSent: (sent: readonly string[]) => Promise<void>): Promise<MailOutcome> {
    const recipients = await this.recipients(data);
    if (recipients.length === 0) {
      this.logger?.warn(
        `Reminder ${data.reminder.policy} ${data.eventId} of partnership ${data.partnershipId}: no recipient address (configure REMINDER_RECIPIENTS or REMINDER_FALLBACK_EMAIL)`,
      );
    }
    const sent = [...(data.sent ?? [])];
    for (const r of recipients) {
      if (sent.includes(r.address)) continue;
      const message = composeReminderEmail(data.reminder, r, data.eventId);
      await this.transport.sendMail({ from: this.from, to: r.address, ...message, headers: { 'X-Trellis-Reminder': data.eventId } });
      sent.push(r.address);
      await onSent(sent);
    }
    return { recipients: recipients.length, sent };
  }
}

export function composeReminderEmail(reminder: ReminderIssuedData, recipient: ReminderRecipient, eventId: string): { subject: string; text: string } {
  const policy = REMINDER_POLICIES[reminder.policy];
  const [kind, id] = reminder.subject.split('/');
  const step = reminder.escalation === 0 ? 'first notice' : `follow-up ${reminder.escalation}`;
  const subject = `[Trellis] ${reminder.policy}: ${policy?.title ?? 'reminder'}`;
  const text = [
    `Reminder ${reminder.policy} — ${policy?.title ?? ''} (${step}).`,
    '',
    `Partnership: ${reminder.partnershipId}`,
    ...(reminder.workstreamId !== undefined ? [`Workstream: ${reminder.workstreamId}`] : []),
    `About: ${kind ?? ''} ${id ?? ''}`,
    `Due: ${reminder.dueAt}`,
    `You receive it as: ${recipient.roles.join(', ')}`,
    '',
    `Reminder id: ${eventId}`,
    'See GET /partnerships/<partnership>/reminders for the reminders of this partnership.',
  ].join('\n');
  return { subject, text };
}
