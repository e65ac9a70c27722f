/**
 * The reminder workers (run by `apps/worker`, or in process by `npm start`): the scheduler, the
 * reminder jobs and the e-mails. Recipients come from the operator's routing table until the people
 * vault exists (see `recipient-resolver.ts`). Relies on the global PlatformModule and QueueingModule.
 */
import { Module } from '@nestjs/common';
import { RECIPIENT_RESOLVER, RoutingTableRecipientResolver } from '../delivery/recipient-resolver';
import { REMINDER_CONFIG, type ReminderConfig } from '../scheduling/reminder-config';
import { ReminderStoreModule } from './reminder-store.module';
import { RemindersProcessor } from './reminders.processor';

const resolver = {
  provide: RECIPIENT_RESOLVER,
  useFactory: (config: ReminderConfig) => new RoutingTableRecipientResolver(config.routes),
  inject: [REMINDER_CONFIG],
};

@Module({
  imports: [ReminderStoreModule],
  providers: [resolver, RemindersProcessor],
})
export class RemindersModule {}
