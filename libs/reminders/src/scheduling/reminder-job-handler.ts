/**
 * One place that runs the `reminders` queue's jobs by name, for the Nest processor and for tests that
 * run a plain BullMQ Worker. A reminder not yet due at its own time (a hop) is moved back to delayed.
 */
import { DelayedError, type Job } from 'bullmq';
import type { ReminderMailer } from '../delivery/reminder-mailer';
import type { ReminderIssuer } from './reminder-issuer';
import { REMINDER_JOBS, type EmailJobData, type ReminderJobData } from './reminder-jobs';
import type { ReminderScheduler, SchedulerOutcome } from './reminder-scheduler';

export interface JobHandlerLogger {
  log(message: string): void;
  warn(message: string): void;
}

export class ReminderJobHandler {
  constructor(
    private readonly scheduler: ReminderScheduler,
    private readonly issuer: ReminderIssuer,
    private readonly mailer: ReminderMailer | undefined,
    private readonly owner: string,
    private readonly shouldStop: () => boolean = () => false,
    private readonly logger?: JobHandlerLogger,
  ) {}

  async process(job: Job, token?: string): Promise<unknown> {
    switch (job.name) {
      case REMINDER_JOBS.scheduler: {
        // One lease owner per job: the job scheduler offers a new job while a slice may still run here.
        const outcome: SchedulerOutcome = await this.scheduler.run(`${this.owner}:${job.id ?? 'job'}`, this.shouldStop);
        return { outcome };
      }
      case REMINDER_JOBS.reminder: {
        const data = job.data as ReminderJobData;
        const result = await this.issuer.fire(data, job.id ?? '');
        if (result.outcome === 'wait') {
          await job.moveToDelayed(result.untilMs, token);
          throw new DelayedError();
        }
        if (result.outcome === 'issued' && !result.idempotent) {
          this.logger?.log(`Reminder ${data.policy} (step ${data.escalation}) issued for partnership ${data.partnershipId}: ${result.eventId}`);
        }
        return result;
      }
      case REMINDER_JOBS.email: {
        if (!this.mailer) return { skipped: 'SMTP_URL is not set' };
        const data = job.data as EmailJobData;
        return this.mailer.send(data, async (sent) => {
          await job.updateData({ ...data, sent: [...sent] });
        });
      }
      default:
        throw new Error(`Unknown reminders job ${job.name}`);
    }
  }
}
