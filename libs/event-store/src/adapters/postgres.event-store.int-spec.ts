/**
 * The PostgreSQL adapter against the shared contract, in a fresh schema dropped afterwards, plus
 * what is specific to a server shared by several processes.
 */
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { describeEventStoreContract } from '../testing';
import { PgSqlClient } from '../sql/pg.sql-client';
import { createPostgresEventStore } from './postgres.event-store';
import type { SqlEventStore } from './sql/sql-event-store';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `es_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
const admin = PgSqlClient.fromUrl(DATABASE_URL, { max: 2 });

afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.query(`DROP SCHEMA IF EXISTS ${schema}_x CASCADE`);
  await admin.close();
}, 30_000);

describeEventStoreContract(
  'PostgreSQL',
  async ({ upcasters, pageSize, pollIntervalMs }) => {
    const open = () =>
      createPostgresEventStore({ connectionString: DATABASE_URL, schema, poolSize: 4, upcasters, pageSize, pollIntervalMs });
    // Several stores started at once, each with its own pool — as separate processes would be.
    // Their appends contend for the database's append lock in the concurrency test.
    const [store, ...peers] = await Promise.all([open(), open(), open(), open()]);
    return {
      store: store!,
      peers,
      async tamperEventData(streamId, revision, data) {
        await admin.query(`UPDATE ${schema}.events SET data = $3::jsonb WHERE stream_id = $1 AND revision = $2::bigint`, [
          streamId,
          revision.toString(),
          JSON.stringify(data),
        ]);
      },
      async teardown() {
        await Promise.all([store!, ...peers].map((s) => s.close()));
      },
    };
  },
  { tampering: true },
);

describe('PostgreSQL event store', () => {
  const event = () => ({ eventId: uuidv7(), type: 'Pg', schemaVersion: 1, data: {}, metadata: {} });
  const otherSchema = `${schema}_x`;

  it('starts concurrently on a fresh schema and wakes subscribers of other processes through NOTIFY', async () => {
    const open = (pollIntervalMs = 250) =>
      createPostgresEventStore({ connectionString: DATABASE_URL, schema: otherSchema, poolSize: 2, pollIntervalMs });
    const stores: SqlEventStore[] = await Promise.all([open(60_000), open(), open(), open(), open()]);
    const [listener, writer] = stores as [SqlEventStore, SqlEventStore];
    try {
      const subscription = listener.subscribeAll({ after: await listener.headPosition() });
      const iterator = subscription[Symbol.asyncIterator]();
      const next = iterator.next();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = Date.now();
      const appended = await writer.append('pg-notify', [event()], { expectedRevision: 'any' });
      const received = await next;
      expect(received.value?.position).toBe(appended.events[0]!.position);
      expect(Date.now() - started).toBeLessThan(5_000);
      await subscription.close();
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('re-establishes a dropped LISTEN connection and wakes its listeners', async () => {
    const applicationName = `trellis_listen_${randomUUID().slice(0, 8)}`;
    const client = PgSqlClient.fromUrl(DATABASE_URL, { max: 1, applicationName });
    const channel = `${schema}_reconnect`;
    const payloads: string[] = [];
    try {
      const unlisten = await client.listen(channel, (payload) => payloads.push(payload));
      const { rows } = await admin.query<{ terminated: boolean }>(
        `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE application_name = $1`,
        [applicationName],
      );
      expect(rows.some((r) => r.terminated)).toBe(true);
      // After reconnecting, listeners get an empty payload: "you may have missed something".
      await waitFor(() => payloads.includes(''));
      await admin.query(`SELECT pg_notify($1, 'after')`, [channel]);
      await waitFor(() => payloads.includes('after'));
      await unlisten();
    } finally {
      await client.close();
    }
  });

  it('append_batch refuses to run outside READ COMMITTED', async () => {
    const client = PgSqlClient.fromUrl(DATABASE_URL, { max: 1 });
    try {
      await expect(
        client.transaction(async (tx) => {
          await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
          await tx.query(`SELECT ${schema}.append_batch('[]'::jsonb)`);
        }),
      ).rejects.toThrow(/READ COMMITTED/);
    } finally {
      await client.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
