/**
 * The PostgreSQL event store: the shared SQL implementation over a `pg` pool. Any number of
 * processes may use the same database and schema; their appends serialise on the database's
 * append lock and every `$all` reader sees them in one gap-free order.
 */
import { PgSqlClient, type PgSqlClientOptions } from '../sql/pg.sql-client';
import type { SqlClient } from '../sql/sql-client';
import { createSqlEventStore, type SqlEventStore, type SqlEventStoreOptions } from './sql/sql-event-store';

export interface PostgresEventStoreOptions extends Omit<SqlEventStoreOptions, 'ownsClient'> {
  /** `postgres://…`; required unless `sql` is given. */
  readonly connectionString?: string;
  /** Pool size of the client the store opens (default 10). */
  readonly poolSize?: number;
  readonly applicationName?: string;
  /** Errors with no caller to report to (idle connections, the LISTEN connection dropping). */
  readonly onError?: (error: Error) => void;
  /** An open client to share with other stores; the store then does not close it. */
  readonly sql?: SqlClient;
}

export async function createPostgresEventStore(options: PostgresEventStoreOptions): Promise<SqlEventStore> {
  const { connectionString, poolSize, applicationName, onError, sql, ...storeOptions } = options;
  if (sql) return createSqlEventStore({ ...storeOptions, sql, ownsClient: false });
  if (!connectionString) throw new Error('createPostgresEventStore needs a connectionString or an sql client');
  const clientOptions: PgSqlClientOptions = {
    ...(poolSize === undefined ? {} : { max: poolSize }),
    ...(applicationName === undefined ? {} : { applicationName }),
    ...(onError === undefined ? {} : { onError }),
  };
  const own = PgSqlClient.fromUrl(connectionString, clientOptions);
  try {
    return await createSqlEventStore({ ...storeOptions, sql: own, ownsClient: true });
  } catch (error) {
    await own.close();
    throw error;
  }
}
