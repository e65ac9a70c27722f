/**
 * The two databases the platform's stores run on, for integration tests that hold both to the same
 * expectations: a PostgreSQL server (every schema handed out is dropped at close) and one in-memory
 * PGlite per test file (starting one takes seconds). Not exported from the library.
 */
import { randomUUID } from 'node:crypto';
import { PgliteSqlClient, PgSqlClient, type SqlClient } from '@trellis/event-store';

export const TEST_DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface SqlBackend {
  readonly sql: SqlClient;
  /** A fresh, unused schema name. */
  schema(label: string): string;
  /** Another client on the same database (a second process), or undefined where there is none. */
  peer(): SqlClient | undefined;
  close(): Promise<void>;
}

export const uniqueSchema = (label: string): string => `${label}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;

export async function openPostgresBackend(): Promise<SqlBackend> {
  const sql = PgSqlClient.fromUrl(TEST_DATABASE_URL, { max: 4 });
  const schemas: string[] = [];
  const peers: SqlClient[] = [];
  return {
    sql,
    schema(label) {
      const name = uniqueSchema(label);
      schemas.push(name);
      return name;
    },
    peer() {
      const peer = PgSqlClient.fromUrl(TEST_DATABASE_URL, { max: 2 });
      peers.push(peer);
      return peer;
    },
    async close() {
      for (const name of schemas) await sql.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      await Promise.all(peers.map((p) => p.close()));
      await sql.close();
    },
  };
}

export async function openPgliteBackend(): Promise<SqlBackend> {
  const sql = await PgliteSqlClient.create();
  return { sql, schema: uniqueSchema, peer: () => undefined, close: () => sql.close() };
}

/** For `describe.each`: the backend's name and how to open it. */
export const SQL_BACKENDS: ReadonlyArray<readonly [string, () => Promise<SqlBackend>]> = [
  ['PostgreSQL', openPostgresBackend],
  ['PGlite (in memory)', openPgliteBackend],
];
