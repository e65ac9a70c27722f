/**
 * The reminder workers (run by `apps/worker`, or in process by `npm start`): the scheduler, the
 * reminder jobs and the e-mails. Recipients are the people of the vault (erased people never), with
 * the operator's routing table for everyone else (see `vault-recipient-resolver.ts`). Relies on the
 * global PlatformModule and QueueingModule.
 */
import { Module } from '@nestjs/common';
import { PEOPLE_VAULT, PeopleVaultModule, type PeopleVault } from '@trellis/platform';
import { RECIPIENT_RESOLVER } from '../delivery/recipient-resolver';
import { VaultRecipientResolver } from '../delivery/vault-recipient-resolver';
import { REMINDER_CONFIG, type ReminderConfig } from '../scheduling/reminder-config';
import { ReminderStoreModule } from './reminder-store.module';
import { RemindersProcessor } from './reminders.processor';

const resolver = {
  provide: RECIPIENT_RESOLVER,
  useFactory: (config: ReminderConfig, vault: PeopleVault) => new VaultRecipientResolver(vault, config.routes),
  inject: [REMINDER_CONFIG, PEOPLE_VAULT],
};

@Module({
  imports: [ReminderStoreModule, PeopleVaultModule],
  providers: [resolver, RemindersProcessor],
})
export class RemindersModule {}
