/**
 * The people vault for every process that needs it: the API (registration, erasure, names in views)
 * and the reminder workers (e-mail addresses). Migrates its tables at start-up and refuses to start
 * when the configured master key is not the one that wrapped the stored keys. Relies on the global
 * PlatformModule (read store, event store, configuration).
 */
import { Inject, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, type EventStore, type SqlClient } from '@trellis/event-store';
import { TRELLIS_CONFIG, type TrellisConfig } from '../config/trellis-config';
import { SQL_CLIENT } from '../tokens';
import { resolveMasterKey } from './master-key';
import { PeopleVault } from './people-vault';

export const PEOPLE_VAULT = Symbol('PEOPLE_VAULT');

const vault = {
  provide: PEOPLE_VAULT,
  useFactory: (sql: SqlClient, config: TrellisConfig, store: EventStore) => {
    const resolved = resolveMasterKey(config);
    const logger = new Logger('PeopleVault');
    if (resolved.origin === 'development-file') {
      logger.warn(`PEOPLE_MASTER_KEY is not set; using the development master key in ${resolved.file} (never do this in production)`);
    } else if (resolved.origin === 'ephemeral') {
      logger.warn('PEOPLE_MASTER_KEY is not set and DATA_DIR=memory://: the people vault uses a key that dies with this process');
    }
    return new PeopleVault(sql, config.dbSchema, resolved.master, store);
  },
  inject: [SQL_CLIENT, TRELLIS_CONFIG, EVENT_STORE],
};

@Module({ providers: [vault], exports: [PEOPLE_VAULT] })
export class PeopleVaultModule implements OnModuleInit {
  constructor(@Inject(PEOPLE_VAULT) private readonly people: PeopleVault) {}

  async onModuleInit(): Promise<void> {
    await this.people.migrate();
  }
}
