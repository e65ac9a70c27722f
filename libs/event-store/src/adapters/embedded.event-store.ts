/**
 * The embedded event store: PGlite (PostgreSQL compiled to WASM) in this process, files under
 * `dataDir`, or in memory without one. Same schema and code as the PostgreSQL adapter; it only
 * lives in one process (DESIGN.md §1: api and worker together).
 */
import { PgliteSqlClient } from '../sql/pglite.sql-client';
import type { SqlClient } from '../sql/sql-client';
import { createSqlEventStore, type SqlEventStore, type SqlEventStoreOptions } from './sql/sql-event-store';

export interface EmbeddedEventStoreOptions extends Omit<SqlEventStoreOptions, 'ownsClient'> {
  /** Database directory; in memory when omitted. Ignored when `sql` is given. */
  readonly dataDir?: string;
  /**
   * An already open PGlite client to share with other stores (read models, keys…). The store then
   * does not close it; otherwise it opens its own and closes it on `close()`.
   */
  readonly sql?: SqlClient;
}

export async function createEmbeddedEventStore(options: EmbeddedEventStoreOptions = {}): Promise<SqlEventStore> {
  const { dataDir, sql, ...storeOptions } = options;
  if (sql) return createSqlEventStore({ ...storeOptions, sql, ownsClient: false });
  const own = await PgliteSqlClient.create(dataDir);
  try {
    return await createSqlEventStore({ ...storeOptions, sql: own, ownsClient: true });
  } catch (error) {
    await own.close();
    throw error;
  }
}
