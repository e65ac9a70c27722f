/**
 * Opens the stores the configuration asks for (DESIGN.md §1 "Modes"): the event log and the read
 * store (API keys, idempotency records, later read models). In embedded mode both live in one
 * in-process PGlite database under DATA_DIR; with PostgreSQL they share a pool.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createEsdbEventStore,
  createSqlEventStore,
  PgliteSqlClient,
  PgSqlClient,
  UpcasterRegistry,
  type EventStore,
  type SqlClient,
  type Upcaster,
} from '@trellis/event-store';
import { MEMORY_DATA_DIR, type TrellisConfig } from '../config/trellis-config';

export interface Stores {
  readonly eventStore: EventStore;
  /** The read store. */
  readonly sql: SqlClient;
  close(): Promise<void>;
}

export async function openStores(config: TrellisConfig, options: { upcasters?: readonly Upcaster[]; onError?: (e: Error) => void } = {}): Promise<Stores> {
  const upcasters = new UpcasterRegistry(options.upcasters ?? []);
  if (config.eventStore === 'esdb') return openEsdbStores(config, upcasters, options.onError);
  let eventSql: SqlClient;
  if (config.eventStore === 'embedded') {
    if (config.dataDir === MEMORY_DATA_DIR) {
      eventSql = await PgliteSqlClient.create();
    } else {
      const dir = path.join(config.dataDir, 'pglite');
      fs.mkdirSync(dir, { recursive: true });
      eventSql = await PgliteSqlClient.create(dir);
    }
  } else {
    eventSql = PgSqlClient.fromUrl(config.databaseUrl!, { max: config.poolSize, onError: options.onError });
  }
  const readSql: SqlClient =
    config.readStore === 'embedded' || (config.readStore === 'postgres' && config.eventStore === 'postgres')
      ? eventSql
      : PgSqlClient.fromUrl(config.databaseUrl!, { max: config.poolSize, onError: options.onError });
  let eventStore: EventStore;
  try {
    eventStore = await createSqlEventStore({ sql: eventSql, schema: config.dbSchema, upcasters });
  } catch (error) {
    // A failed migration must not leave pools or the embedded database open behind a failed start.
    if (readSql !== eventSql) await readSql.close().catch(() => undefined);
    await eventSql.close().catch(() => undefined);
    throw error;
  }
  return {
    eventStore,
    sql: readSql,
    async close() {
      await eventStore.close();
      if (readSql !== eventSql) await readSql.close();
      await eventSql.close();
    },
  };
}

/**
 * EventStoreDB for the log, PostgreSQL for the read store (the configuration enforces READ_STORE=
 * postgres). An unreachable server stops the start with EventStoreUnavailableError's plain message.
 */
async function openEsdbStores(config: TrellisConfig, upcasters: UpcasterRegistry, onError?: (e: Error) => void): Promise<Stores> {
  const readSql = PgSqlClient.fromUrl(config.databaseUrl!, { max: config.poolSize, onError });
  let eventStore: EventStore;
  try {
    eventStore = await createEsdbEventStore({ connectionString: config.eventStoreUrl!, upcasters });
  } catch (error) {
    await readSql.close().catch(() => undefined);
    throw error;
  }
  return {
    eventStore,
    sql: readSql,
    async close() {
      await eventStore.close();
      await readSql.close();
    },
  };
}
