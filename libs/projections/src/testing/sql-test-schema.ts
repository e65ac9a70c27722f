/**
 * A throw-away PostgreSQL schema for projection specs (DATABASE_URL or the local default).
 */
import { randomBytes } from 'node:crypto';
import { PgSqlClient, type SqlClient } from '@trellis/event-store';

export const TEST_DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  readonly sql: SqlClient;
  readonly schema: string;
  drop(): Promise<void>;
}

export async function createTestSchema(prefix = 'proj'): Promise<TestSchema> {
  const schema = `${prefix}_${randomBytes(5).toString('hex')}`;
  const sql = PgSqlClient.fromUrl(TEST_DATABASE_URL, { max: 4 });
  await sql.query(`CREATE SCHEMA ${schema}`);
  return {
    sql,
    schema,
    async drop() {
      await sql.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await sql.close();
    },
  };
}
