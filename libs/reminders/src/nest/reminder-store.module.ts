/**
 * The reminder configuration and state store, for the API (`GET /partnerships/:id/reminders`) and the
 * workers. The configuration is read from the environment when the module starts, so a bad value
 * stops start-up with a `ConfigError`; the state table is created at start-up in every process.
 */
import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import type { SqlClient } from '@trellis/event-store';
import { SQL_CLIENT, TRELLIS_CONFIG, type TrellisConfig } from '@trellis/platform';
import { loadReminderConfig, REMINDER_CONFIG } from '../scheduling/reminder-config';
import { ReminderStateStore } from '../scheduling/reminder-state.store';

const providers = [
  { provide: REMINDER_CONFIG, useFactory: () => loadReminderConfig(process.env) },
  { provide: ReminderStateStore, useFactory: (sql: SqlClient, config: TrellisConfig) => new ReminderStateStore(sql, config.dbSchema), inject: [SQL_CLIENT, TRELLIS_CONFIG] },
];

@Module({
  providers: [...providers],
  exports: providers.map((p) => p.provide),
})
export class ReminderStoreModule implements OnModuleInit {
  constructor(@Inject(ReminderStateStore) private readonly states: ReminderStateStore) {}

  async onModuleInit(): Promise<void> {
    await this.states.migrate();
  }
}
