/**
 * PgSqlClient when PostgreSQL ends a session under it (a restart, a failover, an administrator):
 * the server sends FATAL 57P01 on every connection. A connection checked out for a transaction but
 * between two queries has no query to fail, so node-postgres emits 'error' on it; without a listener
 * that would be an uncaught exception and end the process (the fault suite saw a worker die this way
 * when PostgreSQL restarted). The transaction must fail instead, the dead connection leave the pool,
 * and the client keep working.
 */
import { Client } from 'pg';
import { PgSqlClient } from './pg.sql-client';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

let sql: PgSqlClient;
let admin: Client;

beforeAll(async () => {
  sql = PgSqlClient.fromUrl(DATABASE_URL, { max: 2, applicationName: 'trellis_pg_client_int' });
  admin = new Client({ connectionString: DATABASE_URL });
  await admin.connect();
});

afterAll(async () => {
  await sql.close();
  await admin.end();
});

it('a session terminated between two queries of a transaction fails the transaction, not the process; the pool recovers', async () => {
  const uncaught: Error[] = [];
  const onUncaught = (e: Error) => uncaught.push(e);
  process.on('uncaughtException', onUncaught);
  try {
    const failure = sql.transaction(async (tx) => {
      const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // While this transaction waits for something else (no query running on its connection):
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await new Promise((r) => setTimeout(r, 300));
      await tx.query('SELECT 1');
    });
    await expect(failure).rejects.toThrow();
    expect(uncaught).toEqual([]);
    // The dead connection was not returned to the pool: the next queries work.
    for (let i = 0; i < 4; i++) expect((await sql.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
    await expect(sql.transaction((tx) => tx.query('SELECT 2 AS n'))).resolves.toEqual({ rows: [{ n: 2 }] });
  } finally {
    process.off('uncaughtException', onUncaught);
  }
});

it('a pooled connection that errors while its holder has no listener on it does not end the process', async () => {
  // The window between `pool.connect()` handing a connection over and its holder listening on it.
  const uncaught: Error[] = [];
  const onUncaught = (e: Error) => uncaught.push(e);
  process.on('uncaughtException', onUncaught);
  try {
    const connection = await sql.pool.connect();
    const { rows } = await connection.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    await new Promise((r) => setTimeout(r, 300));
    await expect(connection.query('SELECT 1')).rejects.toThrow();
    connection.release(true);
    expect(uncaught).toEqual([]);
    for (let i = 0; i < 4; i++) expect((await sql.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
  } finally {
    process.off('uncaughtException', onUncaught);
  }
});
